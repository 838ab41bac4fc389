package kueue

// The wizard's Kueue questions on a real pseudo-terminal against the real
// Kueue: step 2 lists the namespace's LocalQueues (with their ClusterQueue
// and counts, the namespace's default LocalQueue preselected) and the
// WorkloadPriorityClasses; Create sends the Job suspended with the labels,
// Kueue admits it, and the test kubelet completes it.

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// startWalk starts the wizard on testutil's Walk (a terminal tall enough
// never to scroll; questions the walk does not name get Enter).
func startWalk(ctx context.Context, t *testing.T, args ...string) (*testutil.Walk, *testutil.LockedBuffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, pluginBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cluster.AdminKubeconfig, "NO_COLOR=1", "LANG=en_US.UTF-8", "LC_ALL=",
		"LC_MESSAGES=", "XDG_STATE_HOME="+t.TempDir())
	w := testutil.StartWalk(t, cmd)
	return w, w.Stdout
}

// TestWizardQueueQuestionOnTheRealKueue walks the wizard with Enter for
// every question but the Kueue ones and the review's: the namespace's
// default LocalQueue is preselected (Enter takes it), the priority class is
// picked by typing, and the Job Kueue admits completes under the follow.
func TestWizardQueueQuestionOnTheRealKueue(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 4*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	// queues made LocalQueue lq of ClusterQueue ns; "default" is the
	// LocalQueue Kueue gives a Job that names none.
	if err := kq.LocalQueue(ctx, ns, "default", ns, true); err != nil {
		t.Fatal(err)
	}
	class := ns + "-high"
	if err := kq.WorkloadPriorityClass(ctx, class, 1000); err != nil {
		t.Fatal(err)
	}

	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	w, stdout := startWalk(ctx, t, "wiz", "-n", ns, "--image=busybox:1.36", "--request=cpu=100m", "-i")
	var queueOptions []string
	var preselected string
	sawQueue, sawClass := false, false
	for {
		q, below, ok := w.Next(ctx)
		if !ok {
			break
		}
		switch {
		case strings.HasPrefix(q, "? Kueue queue"):
			sawQueue = true
			queueOptions, preselected = testutil.Options(below)
			w.Send("\r")
		case strings.HasPrefix(q, "? Workload priority class"):
			sawClass = true
			w.Send(class)
			testutil.Settle(w.C)
			w.Send("\r")
		case strings.HasPrefix(q, "? What now?"):
			w.Send("Create\r")
		default:
			// Follow the Job until it ends? Enter says yes, and every other
			// question keeps its default.
			w.Send("\r")
		}
	}
	if err := w.Exit(ctx); err != nil {
		w.Fail("exit: %v\nstdout: %s\nkueue:\n%s", err, stdout, kq.LogTail(20))
	}
	if !sawQueue || !sawClass {
		w.Fail("the Kueue questions were not asked (queue %v, class %v)", sawQueue, sawClass)
	}
	// The options: no queue, then each LocalQueue with its ClusterQueue and
	// counts; the default preselected.
	want := []string{"No queue - the Job starts at once, outside Kueue",
		"default - ClusterQueue " + ns + ", 0 pending, 0 admitted, the namespace's default",
		"lq - ClusterQueue " + ns + ", 0 pending, 0 admitted"}
	if strings.Join(queueOptions, "\n") != strings.Join(want, "\n") {
		w.Fail("queue options:\n%s\nwant:\n%s", strings.Join(queueOptions, "\n"), strings.Join(want, "\n"))
	}
	if preselected != "default" {
		w.Fail("preselected %q, want the namespace's default LocalQueue", preselected)
	}
	text := w.Text()
	for _, want := range []string{"default (ClusterQueue " + ns + ")", class + " (1000)", "yes, until Kueue admits it"} {
		if !strings.Contains(text, want) {
			w.Fail("the review lacks %q", want)
		}
	}
	flat := strings.ReplaceAll(text, "\n", "")
	if !strings.Contains(flat, "--queue=default") || !strings.Contains(flat, "--workload-priority-class="+class) {
		w.Fail("the equivalent command lacks the Kueue flags")
	}
	if got := strings.TrimSpace(stdout.String()); got != "job.batch/wiz created" {
		t.Errorf("stdout: %q", got)
	}

	// The namespace's Kueue reads of the whole walk, create and follow: the
	// LocalQueues listed once for the question, the queue read once by the
	// preflight.
	events, err := cluster.AuditEventsSince(mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl-job-wizard/") && e.ObjectRef != nil && e.ObjectRef.Namespace == ns &&
			e.ObjectRef.APIGroup == "kueue.x-k8s.io"
	})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]int{}
	for _, e := range events {
		byKind[e.Verb+" "+e.Resource()]++
	}
	t.Logf("FIGURE wizard_kueue_namespaced_requests %d %v", len(events), byKind)
	if byKind["list localqueues"] != 1 || byKind["get localqueues"] != 1 {
		t.Errorf("LocalQueue requests: %v, want one list (the question) and one get (the preflight)", byKind)
	}

	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "wiz", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Labels["kueue.x-k8s.io/queue-name"] != "default" || job.Labels["kueue.x-k8s.io/priority-class"] != class {
		t.Errorf("labels: %v", job.Labels)
	}
	// Created suspended, resumed by Kueue's admission, then complete.
	var resumed, complete bool
	for _, c := range job.Status.Conditions {
		resumed = resumed || (c.Type == batchv1.JobSuspended && c.Status == corev1.ConditionFalse && c.Reason == "JobResumed")
		complete = complete || (c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue)
	}
	if !resumed || !complete {
		t.Errorf("want the Job resumed (Suspended=False JobResumed) and complete: %+v", job.Status.Conditions)
	}
	wls, err := kq.Workloads(ctx, ns)
	if err != nil || len(wls) != 1 {
		t.Fatalf("workloads: %v, %d", err, len(wls))
	}
	if !testkueue.HasCondition(&wls[0], "Admitted", "True") {
		t.Errorf("workload %s was not admitted: %v", wls[0].GetName(), wls[0].Object["status"])
	}
	if p, _, _ := unstructured.NestedInt64(wls[0].Object, "spec", "priority"); p != 1000 {
		t.Errorf("workload priority %d, want the class's 1000", p)
	}
}
