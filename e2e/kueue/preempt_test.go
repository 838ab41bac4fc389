package kueue

import (
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

// TestJobPreemptedByHigherPriority: in a ClusterQueue that preempts lower
// priorities (withinClusterQueue: LowerPriority) with 1 cpu, a running Job
// of a low WorkloadPriorityClass is preempted by a Job of a high one; the
// low Job's follow shows it preempted with Kueue's reason and the state
// Preempted, the high one is admitted and completes (exit 0), and the low
// one is admitted again afterwards.
func TestJobPreemptedByHigherPriority(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 4*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1"}, WithinClusterQueue: "LowerPriority"})
	low, high := ns+"-low", ns+"-high"
	if err := kq.WorkloadPriorityClass(ctx, low, 100); err != nil {
		t.Fatal(err)
	}
	if err := kq.WorkloadPriorityClass(ctx, high, 1000); err != nil {
		t.Fatal(err)
	}
	lowRun := start(ctx, t, "low", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--workload-priority-class="+low, "--request=cpu=1",
		"--annotation="+testcluster.AnnotationRunSeconds+"=15", "--wait", "--timeout=3m", "--", "true")
	lowRun.waitOutput(ctx, t, "job/low Running: ")
	highRes := run(ctx, t, "high", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--workload-priority-class="+high, "--request=cpu=1", "--wait", "--timeout=2m", "--", "true")
	if highRes.code != 0 {
		t.Fatalf("high: want exit 0:\n%s\nkueue:\n%s", highRes, kq.LogTail(20))
	}
	wantIn(t, "high's stderr", highRes.stderr, "job/high was admitted by Kueue to ClusterQueue "+ns)
	lowRes := lowRun.wait(t)
	t.Logf("low:\n%s", lowRes.stderr)
	if lowRes.code != 0 {
		t.Fatalf("low: want exit 0 (admitted again after high):\n%s", lowRes)
	}
	wantIn(t, "low's stderr", lowRes.stderr,
		"job/low was preempted by Kueue (InClusterQueue: Preempted to accommodate a workload",
		"due to prioritization in the ClusterQueue",
		"); Kueue puts it back in LocalQueue lq",
		"job/low Preempted: ",
		"job/low Complete: 1/1 succeeded")
}
