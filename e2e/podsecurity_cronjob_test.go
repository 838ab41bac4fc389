package e2e

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// enforce labels the test's namespace to enforce a Pod Security level, as
// a hardened cluster's namespaces are.
func enforce(ctx context.Context, t *testing.T, ns, level string) {
	t.Helper()
	cs := cluster.Clientset()
	n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	n.Labels["pod-security.kubernetes.io/enforce"] = level
	if _, err := cs.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestPodSecurityCronJob: a CronJob's pods are checked as a Job's are. In a
// namespace enforcing restricted, a CronJob without a profile exits 2
// naming the fixing flags and creates nothing (its Jobs would never run a
// pod); with --security-profile restricted it is created, its jobTemplate
// compliant.
func TestPodSecurityCronJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	enforce(ctx, t, ns, "restricted")
	cjs := cluster.Clientset().BatchV1().CronJobs(ns)

	r := clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.36", "--schedule", "0 3 * * *", "--", "echo", "hi")
	wantExit(t, r, 2)
	wantContains(t, "stderr", r.stderr, `enforces Pod Security "restricted:latest"`, "the Jobs of this CronJob",
		"--security-profile restricted", "--cap-drop ALL", "--run-as-non-root", "--skip-pod-security-check", "nothing was sent")
	if list, err := cjs.List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Fatalf("CronJobs after the refusal: %v %v", list, err)
	}

	r = clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.36", "--schedule", "0 3 * * *", "--security-profile=restricted", "--", "echo", "hi")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/nightly created")
	cj, err := cjs.Get(ctx, "nightly", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot ||
		pod.Containers[0].SecurityContext.Capabilities.Drop[0] != "ALL" {
		t.Errorf("jobTemplate's pod: %+v", pod)
	}

	// --skip-pod-security-check sends it anyway; the server warns.
	r = clusterRun(ctx, t, "", "weekly", "-n", ns, "--image=busybox:1.36", "--schedule", "0 3 * * 0", "--skip-pod-security-check", "--", "echo", "hi")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/weekly created")
}

// TestSecurityProfileContradictionSendsNothing: --security-profile with a
// flag its level forbids is refused client-side, in any namespace (the
// contradiction is the user's two flags), exit 2 naming both.
func TestSecurityProfileContradictionSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	for _, c := range []struct {
		args  []string
		other string
	}{
		{[]string{"--security-profile=restricted", "--privileged"}, "--privileged"},
		{[]string{"--security-profile=baseline", "--host-network"}, "--host-network"},
		{[]string{"--security-profile=restricted", "--cap-add=SYS_ADMIN", "--schedule", "@hourly"}, "--cap-add"},
	} {
		r := clusterRun(ctx, t, "", append([]string{"both", "-n", ns, "--image=busybox:1.36"}, c.args...)...)
		wantExit(t, r, 2)
		wantContains(t, "stderr", r.stderr, "--security-profile", c.other, "contradicts another value you gave", "one that does not enforce it accepts the Job")
	}
	if jobs, _ := cluster.Clientset().BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{}); len(jobs.Items) != 0 {
		t.Errorf("%d Jobs created", len(jobs.Items))
	}
	if cjs, _ := cluster.Clientset().BatchV1().CronJobs(ns).List(ctx, metav1.ListOptions{}); len(cjs.Items) != 0 {
		t.Errorf("%d CronJobs created", len(cjs.Items))
	}
	// Without a profile the server accepts a privileged Job where nothing is
	// enforced, so the client does too.
	r := clusterRun(ctx, t, "", "priv", "-n", ns, "--image=busybox:1.36", "--privileged", "--dry-run=server")
	wantExit(t, r, 0)
}
