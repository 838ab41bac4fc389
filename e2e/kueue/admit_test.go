package kueue

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

// TestQueuedJobIsAdmittedAndCompletes: --queue LQ --wait against the real
// Kueue with no webhook registered: the Job arrives suspended with the
// label, Kueue makes its Workload, admits it and unsuspends the Job, the
// test kubelet completes it, exit 0.
func TestQueuedJobIsAdmittedAndCompletes(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 3*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	r := run(ctx, t, "ok", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--request=cpu=500m", "--wait", "--timeout=2m", "--", "true")
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s\nkueue:\n%s", r, kq.LogTail(20))
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
