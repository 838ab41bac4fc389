package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// lostServer serves a test's handler and counts requests by method.
type lostServer struct {
	mu   sync.Mutex
	seen []string
	// posted is the last Job POSTed, as the server would have stored it.
	posted *batchv1.Job
}

func (s *lostServer) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r.Method+" "+r.URL.RequestURI())
	if r.Method == http.MethodPost {
		job := &batchv1.Job{}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, job)
		if job.Name == "" {
			job.Name = job.GenerateName + "x7k2p"
		}
		s.posted = job
	}
}

func (s *lostServer) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.seen {
		if strings.HasPrefix(r, method+" ") {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func lostClient(t *testing.T, h func(s *lostServer, w http.ResponseWriter, r *http.Request), timeout time.Duration) (*Client, *lostServer) {
	t.Helper()
	s := &lostServer{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		h(s, w, r)
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(&rest.Config{Host: hs.URL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	c.Endpoint = Endpoint{Server: hs.URL, Context: "ci"}
	return c, s
}

// fastRecheck shortens c's second look for a lost create.
func fastRecheck(c *Client) { c.lostRecheckDelay = 10 * time.Millisecond }

var jobsResource = schema.GroupResource{Group: "batch", Resource: "jobs"}

// The server made the Job but its answer did not come in time: the Job is
// found by name and create id, and returned as created. One POST only.
func TestCreateAnswerLostJobFound(t *testing.T) {
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			time.Sleep(500 * time.Millisecond) // past the client's timeout
			writeJSON(w, 201, s.posted)
		case http.MethodGet:
			s.mu.Lock()
			job := s.posted
			s.mu.Unlock()
			writeJSON(w, 200, job)
		}
	}, 150*time.Millisecond)
	var notes []string
	job, err := c.Create(context.Background(), newJob("pi"), CreateOptions{Notify: func(m string) { notes = append(notes, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if job.Name != "pi" || job.Labels[CreateIDLabel] == "" || job.Kind != "Job" {
		t.Errorf("job %+v", job.ObjectMeta)
	}
	if n := s.count(http.MethodPost); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "answer to the create of job.batch/pi was lost") || !strings.Contains(notes[0], "created by this run") {
		t.Errorf("notes %q", notes)
	}
}

// The connection broke before any answer and the server has no Job: not
// created, said so, and looked for twice.
func TestCreateAnswerLostNotCreated(t *testing.T) {
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case http.MethodGet:
			writeJSON(w, 404, statusOf(apierrors.NewNotFound(jobsResource, "pi")))
		}
	}, 0)
	fastRecheck(c)
	_, err := c.Create(context.Background(), newJob("pi"), CreateOptions{})
	var lost *AnswerLostError
	if !errors.As(err, &lost) || lost.Unknown() {
		t.Fatalf("err = %v, want an AnswerLostError that knows", err)
	}
	if s.count(http.MethodPost) != 1 || s.count(http.MethodGet) != 2 {
		t.Errorf("requests %q, want one POST and two looks", s.seen)
	}
	msg := Explain(err, c.Endpoint, Subject{Verb: "create", Resource: "job.batch", Name: "pi", Namespace: "team-a"}).Error()
	for _, want := range []string{"the connection to the API server at " + c.Endpoint.Server + ` broke before it answered the create of job.batch "pi"`,
		"it was not created: the server has no Job from this run (looked for job.batch/pi with label " + CreateIDLabel + "="} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// A Job of the name that another run made is not this run's.
func TestCreateAnswerLostNameTakenBySomeoneElse(t *testing.T) {
	c, _ := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, 504, statusOf(apierrors.NewTimeoutError("request did not complete within requested timeout", 0)))
		case http.MethodGet:
			other := newJob("pi")
			other.Labels = map[string]string{CreateIDLabel: "someone-else"}
			writeJSON(w, 200, other)
		}
	}, 0)
	fastRecheck(c)
	_, err := c.Create(context.Background(), newJob("pi"), CreateOptions{})
	var lost *AnswerLostError
	if !errors.As(err, &lost) || lost.Unknown() {
		t.Fatalf("err = %v, want not created", err)
	}
}

// A generated name is found by the create id label.
func TestCreateAnswerLostGeneratedNameFoundByLabel(t *testing.T) {
	var selector string
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, 504, statusOf(apierrors.NewTimeoutError("request did not complete within requested timeout", 0)))
		case http.MethodGet:
			selector = r.URL.Query().Get("labelSelector")
			s.mu.Lock()
			item := *s.posted
			s.mu.Unlock()
			writeJSON(w, 200, batchv1.JobList{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "JobList"}, Items: []batchv1.Job{item}})
		}
	}, 0)
	job := newJob("")
	job.GenerateName = "nightly-"
	got, err := c.Create(context.Background(), job, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "nightly-x7k2p" || selector != CreateIDLabel+"="+got.Labels[CreateIDLabel] {
		t.Errorf("found %s with selector %q", got.Name, selector)
	}
	if s.count(http.MethodPost) != 1 {
		t.Errorf("requests %q, want one POST", s.seen)
	}
}

// When looking fails too, nobody knows: the message says how to look.
func TestCreateAnswerLostUnknown(t *testing.T) {
	c, _ := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		// (A broken connection would do too, but client-go retries a GET
		// on those for seconds.)
		writeJSON(w, 500, statusOf(apierrors.NewInternalError(errors.New("etcd is away"))))
	}, 0)
	fastRecheck(c)
	_, err := c.Create(context.Background(), newJob("pi"), CreateOptions{})
	var lost *AnswerLostError
	if !errors.As(err, &lost) || !lost.Unknown() {
		t.Fatalf("err = %v, want unknown", err)
	}
	msg := Explain(err, c.Endpoint, Subject{Verb: "create", Resource: "job.batch", Name: "pi", Namespace: "team-a"}).Error()
	if !strings.Contains(msg, "whether it was created is unknown") || !strings.Contains(msg, "kubectl get jobs -n team-a -l "+CreateIDLabel+"="+lost.CreateID) {
		t.Errorf("message %q", msg)
	}
}

// Nothing was sent, so nothing is looked for.
func TestCreateRefusedConnectionIsCertain(t *testing.T) {
	c, err := NewClient(&rest.Config{Host: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), newJob("pi"), CreateOptions{})
	var lost *AnswerLostError
	if err == nil || errors.As(err, &lost) {
		t.Fatalf("err = %v, want the connection error itself", err)
	}
}

func TestCreateInterruptedBeforeSendingSendsNothing(t *testing.T) {
	c, s := lostClient(t, func(*lostServer, http.ResponseWriter, *http.Request) {}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Create(ctx, newJob("pi"), CreateOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if len(s.seen) != 0 {
		t.Errorf("requests %q after an interrupt", s.seen)
	}
}

// An interrupt while the POST is on its way waits for its answer.
func TestCreateInterruptWaitsForTheAnswer(t *testing.T) {
	c, _ := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		writeJSON(w, 201, s.posted)
	}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var notes []string
	var mu sync.Mutex
	job, err := c.Create(ctx, newJob("pi"), CreateOptions{Notify: func(m string) { mu.Lock(); notes = append(notes, m); mu.Unlock() }})
	if err != nil || job.Name != "pi" {
		t.Fatalf("Create = %v, %v; want the Job the server made", job, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notes) != 1 || !strings.Contains(notes[0], "interrupted: waiting up to") {
		t.Errorf("notes %q", notes)
	}
}

// An interrupt whose grace runs out: the POST is cut, the Job looked for.
func TestCreateInterruptGraceRunsOut(t *testing.T) {
	c, _ := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			<-r.Context().Done()
			return
		}
		writeJSON(w, 404, statusOf(apierrors.NewNotFound(jobsResource, "pi")))
	}, 0)
	c.InterruptGrace = 100 * time.Millisecond
	fastRecheck(c)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Create(ctx, newJob("pi"), CreateOptions{})
	var lost *AnswerLostError
	if !errors.As(err, &lost) || lost.Unknown() || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an interrupted create found not made", err)
	}
	msg := Explain(err, Endpoint{Server: "https://k"}, Subject{Verb: "create", Resource: "job.batch", Name: "pi"}).Error()
	if !strings.HasPrefix(msg, `interrupted before the API server at https://k answered the create of job.batch "pi"; it was not created`) {
		t.Errorf("message %q", msg)
	}
}

// A Job the server would refuse does not cost the old one.
func TestReplaceRefusedJobDeletesNothing(t *testing.T) {
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 422, statusOf(apierrors.NewInvalid(batchv1.SchemeGroupVersion.WithKind("Job").GroupKind(), "pi", nil)))
	}, 0)
	_, err := c.Replace(context.Background(), newJob("pi"), CreateOptions{}, nil)
	if !apierrors.IsInvalid(err) {
		t.Fatalf("err = %v, want Invalid", err)
	}
	if len(s.seen) != 1 || !strings.Contains(s.seen[0], "dryRun=All") {
		t.Errorf("requests %q, want only the dry run", s.seen)
	}
}

// Interrupted while the old Job goes, past the grace: told exactly that.
func TestReplaceInterruptedWhileTheOldJobGoes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			writeJSON(w, 409, statusOf(apierrors.NewAlreadyExists(jobsResource, "pi")))
		case r.Method == http.MethodDelete:
			going := newJob("pi")
			going.UID, going.ResourceVersion = "old", "42"
			going.DeletionTimestamp = &metav1.Time{Time: time.Now()}
			writeJSON(w, 200, going)
			cancel() // the user's Ctrl-C, just after the delete
		default: // the watch: the Job never goes
			<-r.Context().Done()
		}
	}, 0)
	c.InterruptGrace = 100 * time.Millisecond
	_, err := c.Replace(ctx, newJob("pi"), CreateOptions{}, nil)
	var inc *ReplaceIncompleteError
	if !errors.As(err, &inc) || !inc.Deleting || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an incomplete replace interrupted while deleting", err)
	}
	if n := s.count(http.MethodPost); n != 1 {
		t.Errorf("%d POSTs, want only the dry run: %q", n, s.seen)
	}
	msg := Explain(err, Endpoint{}, Subject{Verb: "create", Resource: "job.batch", Name: "pi"}).Error()
	if msg != "interrupted while the old job.batch/pi was being deleted: its deletion goes on in the cluster, and the new Job was NOT created" {
		t.Errorf("message %q", msg)
	}
}
