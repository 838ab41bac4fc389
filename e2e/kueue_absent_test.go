package e2e

import (
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestQueueWithoutKueueIsRefused: the shared cluster serves no Kueue, so
// --queue would make a Job that stays suspended forever: exit 2, a reason
// that says so, and no Job. The Kueue cases run against the real Kueue in
// e2e/kueue.
func TestQueueWithoutKueueIsRefused(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := clusterRun(ctx, t, "", "queued", "-n", ns, "--image=busybox:1.36", "--queue=team-a", "--", "true")
	if r.code != 2 {
		t.Fatalf("want exit 2:\n%s", r)
	}
	for _, want := range []string{`--queue (metadata.labels[kueue.x-k8s.io/queue-name]) "team-a": the cluster does not serve Kueue`, "suspended forever", "kept in"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r)
		}
	}
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "queued", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Job was created (get: %v)", err)
	}
	// The client dry run needs no cluster and checks nothing of it.
	if r := clusterRun(ctx, t, "", "queued", "-n", ns, "--image=busybox:1.36", "--queue=team-a", "--dry-run=client", "--", "true"); r.code != 0 {
		t.Errorf("--dry-run=client with --queue:\n%s", r)
	}
}
