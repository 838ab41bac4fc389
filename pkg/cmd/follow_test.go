package cmd

import (
	"errors"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
)

func TestFollowOutcomeExitStatus(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: "ns"}}
	for outcome, want := range map[follow.Outcome]int{
		follow.Complete:    ExitOK,
		follow.Failed:      ExitFailed,
		follow.Deleted:     ExitFailed,
		follow.TimedOut:    ExitTimeout,
		follow.Stuck:       ExitTimeout,
		follow.Interrupted: ExitInterrupted,
	} {
		if got := ExitCode(resultErr(&follow.Result{Outcome: outcome, Job: job}, nil)); got != want {
			t.Errorf("%s: exit %d, want %d", outcome, got, want)
		}
	}
}

// follow checks its arguments before it reads a kubeconfig: bad ones are
// exit 2 even with no cluster configured.
func TestFollowBadInput(t *testing.T) {
	t.Setenv("KUBECONFIG", "/nonexistent/kubeconfig")
	for _, args := range [][]string{
		{"follow"},
		{"follow", "a", "b"},
		{"follow", "pod/x"},
		{"follow", "job/"},
		{"follow", "x", "--timeout=-1s"},
		{"follow", "x", "--stuck-timeout=-5m"},
		{"follow", "x", "--timeout=soon"},
		{"follow", "x", "--max-log-requests=0"},
		{"x", "--image=busybox", "--logs", "--max-log-requests=-1"},
	} {
		out, errOut, code := run(t, "", args...)
		if code != ExitBadInput || out != "" || !strings.HasPrefix(errOut, "error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one error", args, code, out, errOut)
		}
	}
}

func TestFollowWatchErrorIsExplained(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
		errors.New(`User "jane" cannot watch resource "pods" in API group "" in the namespace "ns"`))
	got := explainFollow(&follow.WatchError{Resource: "pods", Namespace: "ns", Err: forbidden}, &cluster.Client{}, "ns", "pi")
	if !apierrors.IsForbidden(got) || !strings.Contains(got.Error(), `user "jane" may not watch pods in namespace "ns"`) {
		t.Errorf("explained as %v", got)
	}
	if code := ExitCode(got); code != ExitFailed {
		t.Errorf("exit %d, want 1", code)
	}
}
