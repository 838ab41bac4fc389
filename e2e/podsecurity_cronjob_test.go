package e2e

import (
	"context"
	"testing"
	"time"

	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	jwcluster "github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
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

// TestLookupsPodSecurityAndPriorityClasses: the wizard's two new lookups on
// the real API server. The admin reads the namespace's level and the
// PriorityClasses with their value and global default (from the server's
// Table); a user without those rights gets "not known" for the level (the
// wizard then says nothing) and Forbidden for the classes (free text).
func TestLookupsPodSecurityAndPriorityClasses(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	enforce(ctx, t, ns, "baseline")
	pcs := cluster.Clientset().SchedulingV1().PriorityClasses()
	name := "lookup-" + ns
	if _, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 4242, GlobalDefault: false},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pcs.Delete(context.Background(), name, metav1.DeleteOptions{}) })

	admin := jwcluster.NewLookup(clusterClient(t, cluster.AdminKubeconfig, ""))
	if p, ok := admin.PodSecurity(ctx, ns); !ok || p.Level != "baseline" || p.Version != "latest" {
		t.Errorf("level as admin: %+v %v", p, ok)
	}
	list, err := admin.PriorityClasses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pc := range list {
		if pc.Name == name {
			found = pc.Value == "4242" && !pc.GlobalDefault
		}
	}
	if !found {
		t.Errorf("PriorityClasses: %+v, want %s with value 4242", list, name)
	}

	jane := jwcluster.NewLookup(clusterClient(t, cluster.UserKubeconfig(testcluster.DefaultUser), ""))
	if p, ok := jane.PodSecurity(ctx, ns); ok {
		t.Errorf("a user who may not read the namespace got a level: %+v", p)
	}
	if _, err := jane.PriorityClasses(ctx); !apierrors.IsForbidden(err) {
		t.Errorf("PriorityClasses as %s: %v, want Forbidden", testcluster.DefaultUser, err)
	}
}
