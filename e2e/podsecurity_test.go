package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestPodSecurityRestrictedNamespace: in a namespace enforcing restricted,
// a flags-only create without a profile exits 2 naming the fixing flags and
// creates nothing; with --security-profile restricted it completes.
func TestPodSecurityRestrictedNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	enforce(ctx, t, ns, "restricted")
	r := clusterRun(ctx, t, "", "hard", "-n", ns, "--image=busybox:1.36", quick, "--wait", "--timeout=60s", "--", "echo", "hi")
	if r.code != 2 {
		t.Fatalf("want exit 2, got %s", r)
	}
	for _, want := range []string{"--security-profile restricted", "--cap-drop ALL", "--allow-privilege-escalation=false", "--run-as-non-root", "--seccomp-profile RuntimeDefault", "--skip-pod-security-check"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("refusal does not name %s:\n%s", want, r.stderr)
		}
	}
	if jobs, _ := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{}); len(jobs.Items) != 0 {
		t.Errorf("%d Jobs created, want none", len(jobs.Items))
	}
	t.Logf("refusal:\n%s", r.stderr)
	r = clusterRun(ctx, t, "", "hard", "-n", ns, "--image=busybox:1.36", quick, "--security-profile=restricted", "--wait", "--timeout=90s", "--", "echo", "hi")
	if r.code != 0 {
		t.Fatalf("with --security-profile restricted: %s", r)
	}
}
