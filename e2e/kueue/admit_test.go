package kueue

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

// TestQueuedJobIsAdmittedAndCompletes: --queue LQ --wait against the real
// Kueue with no webhook registered: the Job arrives suspended with the
// label, Kueue makes its Workload, admits it and unsuspends the Job, the
// test kubelet completes it, exit 0.
//
// Not parallel: it counts the plugin's requests, which the other tests'
// would blur; Go runs it before the parallel ones start.
func TestQueuedJobIsAdmittedAndCompletes(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	r := run(ctx, t, "ok", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--request=cpu=500m", "--wait", "--timeout=2m", "--", "true")
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s\nkueue:\n%s", r, kq.LogTail(20))
	}
	wantIn(t, "stderr", r.stderr, "job/ok was admitted by Kueue to ClusterQueue "+ns+" (flavors: cpu="+ns+")", "job/ok Complete: 1/1 succeeded")
	// The Workload costs one watch (a streaming list, as for the Job and
	// its pods; one list and one watch where the server has no WatchList);
	// the queue two GETs before the create (LocalQueue, ClusterQueue).
	// A watch is logged when it closes, just after the plugin exits.
	events, err := cluster.WaitForAuditQuiet(ctx, mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl-job-wizard/") && (e.ObjectRef == nil || e.ObjectRef.Namespace == ns || e.ObjectRef.Namespace == "")
	}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]int{}
	for _, e := range events {
		k := e.Verb + " " + e.Resource()
		if e.Resource() == "" {
			k = e.Verb + " " + e.RequestURI
		}
		byKind[k]++
	}
	t.Logf("requests of --queue --wait: %d: %v", len(events), byKind)
	// No webhook of Kueue's is registered (the API server could not reach
	// it here): the Job was managed without one.
	mut, err := cluster.Clientset().AdmissionregistrationV1().MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	val, err := cluster.Clientset().AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mut.Items)+len(val.Items) != 0 {
		t.Errorf("%d mutating and %d validating webhook configurations, want none", len(mut.Items), len(val.Items))
	}
	if n := byKind["get /apis/kueue.x-k8s.io"]; n != 1 {
		t.Errorf("%d discovery requests of kueue.x-k8s.io, want one for the command (preflight and follow share it)", n)
	}
	if byKind["list workloads"] > 1 || byKind["watch workloads"] != 1 {
		t.Errorf("Workload requests: %v, want one watch (and at most one list)", byKind)
	}
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "ok", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Labels["kueue.x-k8s.io/queue-name"] != "lq" {
		t.Errorf("labels %v", job.Labels)
	}
	complete := false
	for _, c := range job.Status.Conditions {
		complete = complete || (c.Type == batchv1.JobComplete && c.Status == "True")
	}
	if !complete {
		t.Errorf("job not complete: %+v", job.Status)
	}
	wls, err := kq.Workloads(ctx, ns)
	if err != nil || len(wls) != 1 {
		t.Fatalf("workloads: %v, %d", err, len(wls))
	}
	if !testkueue.HasCondition(&wls[0], "Admitted", "True") {
		t.Errorf("workload %s was not admitted: %v", wls[0].GetName(), wls[0].Object["status"])
	}
}

// TestQueuedJobLogsAndFailureReport: --logs and the failure report of a
// Job in a queue mean what they mean for any Job: the logs stream once
// Kueue has admitted it, and a failed Job is reported (its pods, their
// exit codes and last lines), exit 1.
func TestQueuedJobLogsAndFailureReport(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 3*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	r := run(ctx, t, "boom", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--request=cpu=500m", "--backoff-limit=0",
		"--annotation="+testcluster.AnnotationExitCode+"=3",
		"--annotation="+testcluster.AnnotationLog+"=starting\npanic: no db",
		"--logs", "--timeout=2m", "--", "sh", "-c", "exit 3")
	if r.code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	wantIn(t, "stdout", r.stdout, "starting\n", "panic: no db\n")
	wantIn(t, "stderr", r.stderr,
		"job/boom was admitted by Kueue to ClusterQueue "+ns,
		"failed pods of job/boom:",
		"container boom exited with code 3 (Error)",
		"panic: no db",
		"error: job/boom failed: BackoffLimitExceeded")
	if i, j := strings.Index(r.stderr, "was admitted by Kueue"), strings.Index(r.stderr, "failed pods of"); i < 0 || j < i {
		t.Errorf("the report comes after the admission:\n%s", r.stderr)
	}
}
