package kueue

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

func wantIn(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// TestJobQueuedBehindAnotherForQuota: with 1 cpu of quota, a second Job of
// 1 cpu waits while the first runs; its follow shows it queued with Kueue's
// reason (insufficient quota for cpu) and no position (VisibilityOnDemand
// is off here), then admitted once the first has finished, and exit 0.
func TestJobQueuedBehindAnotherForQuota(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 4*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	first := start(ctx, t, "first", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--request=cpu=1",
		"--annotation="+testcluster.AnnotationRunSeconds+"=8", "--wait", "--timeout=3m", "--", "true")
	first.waitOutput(ctx, t, "was admitted by Kueue to ClusterQueue "+ns)
	second := run(ctx, t, "second", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--request=cpu=1", "--wait", "--timeout=3m", "--", "true")
	if r := first.wait(t); r.code != 0 {
		t.Fatalf("first: want exit 0:\n%s", r)
	}
	if second.code != 0 {
		t.Fatalf("second: want exit 0:\n%s\nkueue:\n%s", second, kq.LogTail(20))
	}
	wantIn(t, "second's stderr", second.stderr,
		"job/second is queued in Kueue (LocalQueue lq): couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor "+ns,
		"job/second Queued: ",
		"job/second was admitted by Kueue to ClusterQueue "+ns+" (flavors: cpu="+ns+")",
		"job/second Complete: 1/1 succeeded")
	if strings.Contains(second.stderr, "position") {
		t.Errorf("a position was told though the visibility API is off:\n%s", second.stderr)
	}
	// The second was admitted only after the first had finished.
	f, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "first", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "second", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status.StartTime == nil || f.Status.CompletionTime == nil || s.Status.StartTime.Before(f.Status.CompletionTime) {
		t.Errorf("second started at %v, before the first completed at %v", s.Status.StartTime, f.Status.CompletionTime)
	}
}

// TestQueueOfMissingClusterQueue: the preflight refuses a LocalQueue whose
// ClusterQueue does not exist (exit 2, nothing sent). A Job sent there by
// other means is inadmissible, and the follow ends at --stuck-timeout with
// exit 3 and Kueue's reason.
func TestQueueOfMissingClusterQueue(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 3*time.Minute)
	ns := cluster.Namespace(t)
	if err := kq.LocalQueue(ctx, ns, "orphan", "nope", false); err != nil {
		t.Fatal(err)
	}
	r := run(ctx, t, "orphaned", "-n", ns, "--image=busybox:1.36", "--queue=orphan", "--", "true")
	if r.code != 2 {
		t.Fatalf("want exit 2:\n%s", r)
	}
	wantIn(t, "stderr", r.stderr, `"nope"`)
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "orphaned", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the Job was created (get: %v)", err)
	}

	// As kubectl would send it: suspended, with the label.
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "sent", Labels: map[string]string{"kueue.x-k8s.io/queue-name": "orphan"}},
		Spec: batchv1.JobSpec{Suspend: ptr.To(true), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "main", Image: "busybox:1.36"}},
		}}},
	}
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f := run(ctx, t, "follow", "sent", "-n", ns, "--stuck-timeout=5s", "--timeout=2m")
	if f.code != 3 {
		t.Fatalf("follow: want exit 3:\n%s\nkueue:\n%s", f, kq.LogTail(20))
	}
	wantIn(t, "follow's stderr", f.stderr,
		"job/sent cannot be admitted by Kueue: ClusterQueue nope doesn't exist",
		"job/sent Inadmissible: ",
		"job/sent has been inadmissible in Kueue for 5s: ClusterQueue nope doesn't exist")
}
