package cluster

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var cronJobsResource = schema.GroupResource{Group: "batch", Resource: "cronjobs"}

func newCronJob(name string) *batchv1.CronJob {
	return &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: newJob("").Spec}}}
}

// cronJobOf is the CronJob the test server stored: the posted metadata
// (lostServer decodes every POST as a Job, which keeps it).
func cronJobOf(s *lostServer) *batchv1.CronJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	cj := newCronJob("")
	cj.ObjectMeta = s.posted.ObjectMeta
	return cj
}

// A CronJob create whose answer came too late is found by its name and
// create id, as a Job's is: returned as created, one POST only.
func TestCreateCronJobAnswerLostFound(t *testing.T) {
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			time.Sleep(500 * time.Millisecond) // past the client's timeout
			writeJSON(w, 201, cronJobOf(s))
		case http.MethodGet:
			if !strings.HasSuffix(r.URL.Path, "/cronjobs/nightly") {
				t.Errorf("looked at %s", r.URL.Path)
			}
			writeJSON(w, 200, cronJobOf(s))
		}
	}, 150*time.Millisecond)
	var notes []string
	cj, err := c.CreateCronJob(context.Background(), newCronJob("nightly"), CreateOptions{Notify: func(m string) { notes = append(notes, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if cj.Name != "nightly" || cj.Labels[CreateIDLabel] == "" || cj.Kind != "CronJob" {
		t.Errorf("cronjob %+v", cj.ObjectMeta)
	}
	if n := s.count(http.MethodPost); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "create of cronjob.batch/nightly was lost") || !strings.Contains(notes[0], "the CronJob is there: created by this run") {
		t.Errorf("notes %q", notes)
	}
}

// Not there (twice), or there but someone else's: not created, said so.
func TestCreateCronJobAnswerLostNotCreated(t *testing.T) {
	for _, other := range []bool{false, true} {
		c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodPost:
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			case http.MethodGet:
				if other {
					cj := newCronJob("nightly")
					cj.Labels = map[string]string{CreateIDLabel: "someone-else"}
					writeJSON(w, 200, cj)
					return
				}
				writeJSON(w, 404, statusOf(apierrors.NewNotFound(cronJobsResource, "nightly")))
			}
		}, 0)
		fastRecheck(c)
		_, err := c.CreateCronJob(context.Background(), newCronJob("nightly"), CreateOptions{})
		var lost *AnswerLostError
		if !errors.As(err, &lost) || lost.Unknown() || !lost.CronJob {
			t.Fatalf("err = %v, want an AnswerLostError of a CronJob that knows", err)
		}
		if s.count(http.MethodPost) != 1 || s.count(http.MethodGet) != 2 {
			t.Errorf("requests %q, want one POST and two looks", s.seen)
		}
		msg := Explain(err, c.Endpoint, Subject{Verb: "create", Resource: "cronjob.batch", Name: "nightly", Namespace: "team-a"}).Error()
		if want := "it was not created: the server has no CronJob from this run (looked for cronjob.batch/nightly with label " + CreateIDLabel + "="; !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// A generated name is found by the create id label; when looking fails
// too, the message says how to look for a CronJob.
func TestCreateCronJobAnswerLostGeneratedAndUnknown(t *testing.T) {
	var selector string
	c, _ := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, 504, statusOf(apierrors.NewTimeoutError("request did not complete within requested timeout", 0)))
		case http.MethodGet:
			selector = r.URL.Query().Get("labelSelector")
			writeJSON(w, 200, batchv1.CronJobList{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJobList"}, Items: []batchv1.CronJob{*cronJobOf(s)}})
		}
	}, 0)
	cj := newCronJob("")
	cj.GenerateName = "nightly-"
	got, err := c.CreateCronJob(context.Background(), cj, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "nightly-x7k2p" || selector != CreateIDLabel+"="+got.Labels[CreateIDLabel] {
		t.Errorf("found %s with selector %q", got.Name, selector)
	}

	c, _ = lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}, 0)
	fastRecheck(c)
	_, err = c.CreateCronJob(context.Background(), newCronJob("nightly"), CreateOptions{})
	var lost *AnswerLostError
	if !errors.As(err, &lost) || !lost.Unknown() {
		t.Fatalf("err = %v, want unknown", err)
	}
	msg := Explain(err, c.Endpoint, Subject{Verb: "create", Resource: "cronjob.batch", Name: "nightly", Namespace: "team-a"}).Error()
	if want := "look with: kubectl get cronjobs -n team-a -l " + CreateIDLabel + "="; !strings.Contains(msg, want) {
		t.Errorf("message lacks %q:\n%s", want, msg)
	}
}

// A server dry run carries no create id.
func TestCreateCronJobDryRunHasNoCreateID(t *testing.T) {
	c, s := lostClient(t, func(s *lostServer, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, cronJobOf(s))
	}, 0)
	if _, err := c.CreateCronJob(context.Background(), newCronJob("nightly"), CreateOptions{DryRunServer: true}); err != nil {
		t.Fatal(err)
	}
	if id, ok := s.posted.Labels[CreateIDLabel]; ok {
		t.Errorf("a dry run sent create id %q", id)
	}
}
