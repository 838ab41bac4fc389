package cluster

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// scriptedServer answers the requests of a test in order, each with a
// status code and a JSON body, and records "METHOD URI" of each.
type scriptedServer struct {
	t       *testing.T
	mu      sync.Mutex
	replies []reply
	seen    []string
}

type reply struct {
	method string
	code   int
	body   any
}

func (s *scriptedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r.Method+" "+r.URL.RequestURI())
	if len(s.replies) == 0 {
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "unexpected", http.StatusInternalServerError)
		return
	}
	next := s.replies[0]
	s.replies = s.replies[1:]
	if next.method != r.Method {
		s.t.Errorf("request %s %s, want %s", r.Method, r.URL.Path, next.method)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(next.code)
	_ = json.NewEncoder(w).Encode(next.body)
}

func statusOf(err error) metav1.Status {
	st := err.(apierrors.APIStatus).Status()
	st.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}
	return st
}

func newJob(name string) *batchv1.Job {
	return &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"}}
}

func TestReplaceRetriesWhenTheNameIsTakenAgain(t *testing.T) {
	exists := statusOf(apierrors.NewAlreadyExists(jobsGR, "pi"))
	created := newJob("pi")
	created.UID = "new"
	srv := &scriptedServer{t: t, replies: []reply{
		// The server dry run: the name is taken, all else passes.
		{http.MethodPost, 409, exists},
		{http.MethodDelete, 404, statusOf(apierrors.NewNotFound(jobsGR, "pi"))},
		// Someone created it between our look and our create...
		{http.MethodPost, 409, exists},
		// ...so it is deleted (gone at once) and created again.
		{http.MethodDelete, 200, metav1.Status{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}, Status: metav1.StatusSuccess}},
		{http.MethodGet, 404, statusOf(apierrors.NewNotFound(jobsGR, "pi"))},
		{http.MethodPost, 201, created},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := NewClient(&rest.Config{Host: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	res, err := c.Replace(context.Background(), newJob("pi"), CreateOptions{}, func(s string) { progress = append(progress, s) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.UID != "new" || !res.Replaced || res.Job.Kind != "Job" {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(strings.Join(progress, "\n"), "created again meanwhile") {
		t.Errorf("progress %q does not say why it went round", progress)
	}
	if !strings.Contains(srv.seen[0], "dryRun=All") {
		t.Errorf("first request %q, want the server dry run of the create", srv.seen[0])
	}
}

func TestReplaceGivesUpAfterThreeTries(t *testing.T) {
	exists := statusOf(apierrors.NewAlreadyExists(jobsGR, "pi"))
	replies := []reply{{http.MethodPost, 409, exists}}
	for i := 0; i < maxReplaceAttempts; i++ {
		replies = append(replies, reply{http.MethodDelete, 404, statusOf(apierrors.NewNotFound(jobsGR, "pi"))}, reply{http.MethodPost, 409, exists})
	}
	hs := httptest.NewServer(&scriptedServer{t: t, replies: replies})
	defer hs.Close()
	c, err := NewClient(&rest.Config{Host: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Replace(context.Background(), newJob("pi"), CreateOptions{}, nil)
	if !apierrors.IsAlreadyExists(err) || !strings.Contains(err.Error(), "created again by someone else each time") {
		t.Errorf("err = %v, want AlreadyExists after %d tries", err, maxReplaceAttempts)
	}
}

func TestCreateIsOnePost(t *testing.T) {
	created := newJob("pi")
	srv := &scriptedServer{t: t, replies: []reply{{http.MethodPost, 201, created}}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := NewClient(&rest.Config{Host: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.Create(context.Background(), newJob("pi"), CreateOptions{DryRunServer: true, FieldManager: "ci"})
	if err != nil || job.Kind != "Job" || job.APIVersion != "batch/v1" {
		t.Fatalf("Create = %+v, %v", job, err)
	}
	if len(srv.seen) != 1 || srv.seen[0] != "POST /apis/batch/v1/namespaces/team-a/jobs?dryRun=All&fieldManager=ci" {
		t.Errorf("requests %q, want one POST with dryRun=All and the field manager", srv.seen)
	}
}
