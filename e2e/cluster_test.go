package e2e

// End-to-end tests of everything that talks to the API server: create,
// server dry run, --replace, --from, the preflight, quota, the lookups
// that fill the wizard's choices, and the explanations of refusals. They
// drive the built binary where a user would, and pkg/cluster directly
// where the wizard would (its lookups and preflight), against the shared
// real control plane.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	jwcluster "github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// clusterRun runs the plugin as the user of kubeconfig (the admin when
// empty), without a terminal, with drafts kept in a folder of the test.
func clusterRun(ctx context.Context, t *testing.T, kubeconfig string, args ...string) followResult {
	t.Helper()
	r, _ := clusterRunDrafts(ctx, t, kubeconfig, args...)
	return r
}

// clusterRunDrafts is clusterRun that also returns the drafts folder.
func clusterRunDrafts(ctx context.Context, t *testing.T, kubeconfig string, args ...string) (followResult, string) {
	t.Helper()
	if kubeconfig == "" {
		kubeconfig = cluster.AdminKubeconfig
	}
	state := t.TempDir()
	cmd := exec.CommandContext(ctx, followBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "XDG_STATE_HOME="+state, "NO_COLOR=1")
	return followWait(t, cmd, followStart(t, cmd)), filepath.Join(state, "kubectl-job-wizard")
}

// clusterClient is pkg/cluster's client for a kubeconfig, as the plugin
// makes it, with a user agent of its own so the audit log can pick out
// its requests.
func clusterClient(t *testing.T, kubeconfig, userAgent string) *jwcluster.Client {
	t.Helper()
	conn := &jwcluster.ConnectionFlags{Kubeconfig: kubeconfig}
	c, err := conn.Client(nil)
	if err != nil {
		t.Fatal(err)
	}
	if userAgent != "" {
		cfg := c.Config
		cfg.UserAgent = userAgent
		ep := c.Endpoint
		if c, err = jwcluster.NewClient(cfg); err != nil {
			t.Fatal(err)
		}
		c.Endpoint = ep
	}
	return c
}

func TestClusterCreate(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	jobs := cluster.Clientset().BatchV1().Jobs(ns)

	r := clusterRun(ctx, t, "", "pi", "-n", ns, "--image=perl:5.28.0", quick, "--", "perl", "-e", "print 1")
	wantExit(t, r, 0)
	if r.stdout != "job.batch/pi created\n" {
		t.Errorf("stdout %q, want job.batch/pi created", r.stdout)
	}
	job, err := jobs.Get(ctx, "pi", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := job.Spec.Template.Spec.Containers[0]; c.Image != "perl:5.28.0" || !slices.Equal(c.Command, []string{"perl", "-e", "print 1"}) {
		t.Errorf("container %+v", c)
	}
	if m := createdBy(job); m != "kubectl-job-wizard" {
		t.Errorf("created by %q, want the default field manager kubectl-job-wizard", m)
	}

	// -o prints the object the server made, with its uid and defaults;
	// --field-manager names the writer.
	r = clusterRun(ctx, t, "", "--generate-name=gen-", "-n", ns, "--image=busybox:1.36", quick, "-o", "yaml", "--field-manager=ci-pipeline")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "kind: Job", "generateName: gen-", "name: gen-", "uid: ", "completionMode: NonIndexed")
	list, err := jobs.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var gen *batchv1.Job
	for i := range list.Items {
		if list.Items[i].GenerateName == "gen-" {
			gen = &list.Items[i]
		}
	}
	if gen == nil || !strings.Contains(r.stdout, "name: "+gen.Name+"\n") || createdBy(gen) != "ci-pipeline" {
		t.Errorf("generated Job %+v does not match the output:\n%s", gen, r.stdout)
	}

	r = clusterRun(ctx, t, "", "--generate-name=gen-", "-n", ns, "--image=busybox:1.36", quick, "-o", "name")
	wantExit(t, r, 0)
	if !strings.HasPrefix(r.stdout, "job.batch/gen-") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("-o name printed %q", r.stdout)
	}
}

// createdBy is the field manager of the Job's spec.
func createdBy(job *batchv1.Job) string {
	for _, m := range job.ManagedFields {
		if m.Subresource == "" {
			return m.Manager
		}
	}
	return ""
}

// Not parallel: while it runs no other test sends requests, so every
// request with the plugin's user agent in the window is this command's.
func TestClusterCreateIsNamespaceGetThenCreate(t *testing.T) {
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	count := func(prefix string, args ...string) []testcluster.AuditEvent {
		t.Helper()
		mark, err := cluster.AuditMark()
		if err != nil {
			t.Fatal(err)
		}
		var run func() error
		if prefix == "kubectl/" {
			run = func() error { _, err := harnessKubectl(ctx, t, "", args...); return err }
		} else {
			run = func() error {
				if r := clusterRun(ctx, t, "", args...); r.code != 0 {
					return fmt.Errorf("%s", r)
				}
				return nil
			}
		}
		if err := run(); err != nil {
			t.Fatal(err)
		}
		events, err := cluster.WaitForAuditQuiet(ctx, mark, testcluster.ByUserAgentPrefix(prefix), 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return events
	}
	events := count("kubectl-job-wizard/", "one", "-n", ns, "--image=busybox:1.36", quick, "--", "true")
	// Two requests: the namespace's Pod Security labels (one GET), then the create.
	if len(events) != 2 || events[0].Verb != "get" || events[0].Resource() != "namespaces" {
		t.Fatalf("the plugin made %d requests, want exactly 2 (the namespace's Pod Security level, the create):\n%v", len(events), events)
	}
	e := events[1]
	if e.Verb != "create" || e.Resource() != "jobs" || e.Code() != 201 || e.ObjectRef.Namespace != ns ||
		!strings.Contains(e.RequestURI, "fieldManager=kubectl-job-wizard") {
		t.Errorf("the second request is %s, want a create of jobs in %s answered 201", e, ns)
	}
	kubectl := count("kubectl/", "-n", ns, "create", "job", "two", "--image=busybox:1.36", "--", "true")
	t.Logf("requests: kubectl job-wizard 2, kubectl create job %d", len(kubectl))
}

func TestClusterServerDryRunCreatesNothing(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := clusterRun(ctx, t, "", "dry", "-n", ns, "--image=busybox:1.36", "--dry-run=server")
	wantExit(t, r, 0)
	if r.stdout != "job.batch/dry created (server dry run)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	// The server's answer is printed, defaults and all.
	r = clusterRun(ctx, t, "", "dry", "-n", ns, "--image=busybox:1.36", "--dry-run=server", "-o", "yaml")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "name: dry", "backoffLimit: 6", "terminationMessagePath:")
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after a server dry run: get job dry: %v, want NotFound", err)
	}
	// The server still refuses what it would refuse.
	r = clusterRun(ctx, t, "", "dry", "-n", "no-such-namespace", "--image=busybox:1.36", "--dry-run=server")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `namespace "no-such-namespace" does not exist`)
}

func TestClusterReplace(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	slow := "--annotation=" + testcluster.AnnotationRunSeconds + "=300"

	r := clusterRun(ctx, t, "", "again", "-n", ns, "--image=busybox:1.36", "--parallelism=2", "--completions=2", slow)
	wantExit(t, r, 0)
	old, err := cs.BatchV1().Jobs(ns).Get(ctx, "again", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	oldPods := batchv1.ControllerUidLabel + "=" + string(old.UID)
	if _, err := testcluster.WaitForLabeled(ctx, cs.CoreV1().Pods(ns), oldPods, testcluster.PodInPhase(v1.PodRunning)); err != nil {
		t.Fatal(err)
	}

	// Without --replace the name is taken: say how to go on, keep a draft.
	r, drafts := clusterRunDrafts(ctx, t, "", "again", "-n", ns, "--image=busybox:1.37")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `a Job named "again" already exists in namespace "`+ns+`"`, "--replace", "--generate-name=again-", "the Job is kept in "+drafts)
	if files, _ := filepath.Glob(filepath.Join(drafts, "again-*.yaml")); len(files) != 1 {
		t.Errorf("drafts %v, want one again-*.yaml", files)
	} else if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), "image: busybox:1.37") {
		t.Errorf("the draft is not the refused Job:\n%s", data)
	}

	// A server dry run of the replace deletes nothing.
	r = clusterRun(ctx, t, "", "again", "-n", ns, "--image=busybox:1.37", "--replace", "--dry-run=server")
	wantExit(t, r, 0)
	if r.stdout != "job.batch/again replaced (server dry run)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if cur, err := cs.BatchV1().Jobs(ns).Get(ctx, "again", metav1.GetOptions{}); err != nil || cur.UID != old.UID || cur.DeletionTimestamp != nil {
		t.Fatalf("after a dry-run replace the old Job is %v, %v", cur, err)
	}

	r = clusterRun(ctx, t, "", "again", "-n", ns, "--image=busybox:1.37", "--replace", quick)
	wantExit(t, r, 0)
	if r.stdout != "job.batch/again replaced\n" {
		t.Errorf("stdout %q, want job.batch/again replaced", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, "waiting until it and its pods are gone", `job.batch/again deleted`)
	// When the command returns, the old pods are gone already.
	if pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: oldPods}); err != nil || len(pods.Items) != 0 {
		t.Errorf("pods of the old Job left after --replace: %d, %v", len(pods.Items), err)
	}
	cur, err := cs.BatchV1().Jobs(ns).Get(ctx, "again", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur.UID == old.UID || cur.Spec.Template.Spec.Containers[0].Image != "busybox:1.37" {
		t.Errorf("the Job was not replaced: uid %s (old %s), image %s", cur.UID, old.UID, cur.Spec.Template.Spec.Containers[0].Image)
	}

	// Nothing to replace: a plain create.
	r = clusterRun(ctx, t, "", "fresh", "-n", ns, "--image=busybox:1.36", "--replace", quick)
	wantExit(t, r, 0)
	if r.stdout != "job.batch/fresh created\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestClusterFromCronJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	suspend := true
	_, err := cs.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: &suspend, JobTemplate: batchv1.JobTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}, Annotations: map[string]string{"team": "data"}},
			Spec: batchv1.JobSpec{BackoffLimit: new(int32(2)), Template: v1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}},
				Spec: v1.PodSpec{RestartPolicy: v1.RestartPolicyOnFailure, Containers: []v1.Container{{
					Name: "report", Image: "report:1.0", Command: []string{"/report", "--daily"},
					Env: []v1.EnvVar{{Name: "MODE", Value: "nightly"}},
				}}},
			}},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// No NAME: generated from the CronJob's; a new command, which kubectl
	// create job --from refuses, and a changed variable.
	r := clusterRun(ctx, t, "", "--from=cronjob/nightly", "-n", ns, "-e", "MODE=manual", "--image=report:1.1", quick, "-o", "name", "--", "/report", "--since=yesterday")
	wantExit(t, r, 0)
	name := strings.TrimPrefix(strings.TrimSpace(r.stdout), "job.batch/")
	if !strings.HasPrefix(name, "nightly-") {
		t.Fatalf("created %q, want a name generated from nightly-", r.stdout)
	}
	job, err := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if c.Name != "report" || c.Image != "report:1.1" || !slices.Equal(c.Command, []string{"/report", "--since=yesterday"}) ||
		len(c.Env) != 1 || c.Env[0].Value != "manual" {
		t.Errorf("container %+v", c)
	}
	if job.Annotations[jwcluster.InstantiateAnnotation] != "manual" || job.Annotations["team"] != "data" || job.Labels["app"] != "report" ||
		*job.Spec.BackoffLimit != 2 || job.Spec.Template.Spec.RestartPolicy != v1.RestartPolicyOnFailure {
		t.Errorf("the CronJob's template was not kept: %+v", job)
	}

	// A NAME replaces the generated one.
	r = clusterRun(ctx, t, "", "nightly-by-hand", "--from=cronjob/nightly", "-n", ns, quick)
	wantExit(t, r, 0)
	if r.stdout != "job.batch/nightly-by-hand created\n" {
		t.Errorf("stdout %q", r.stdout)
	}

	r = clusterRun(ctx, t, "", "--from=cronjob/absent", "-n", ns)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `cronjob.batch "absent" not found in namespace "`+ns+`"`)
}

func TestClusterFromJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	orig := harnessJob("orig", map[string]string{"team": "data", testcluster.AnnotationRunSeconds: "0.3"})
	orig.Labels = map[string]string{"app": "orig"}
	orig.Spec.Template.Labels = map[string]string{"app": "orig"}
	orig = harnessCreateJob(ctx, t, ns, orig)

	r := clusterRun(ctx, t, "", "copy", "--from=job/orig", "-n", ns, "--parallelism=2", "--completions=2", "-o", "yaml", "--", "sh", "-c", "exit 0")
	wantExit(t, r, 0)
	job, err := cs.BatchV1().Jobs(ns).Get(ctx, "copy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.UID == orig.UID || *job.Spec.Parallelism != 2 || job.Annotations["team"] != "data" || job.Labels["app"] != "orig" {
		t.Errorf("copy %+v", job.ObjectMeta)
	}
	if c := job.Spec.Template.Spec.Containers[0]; !slices.Equal(c.Command, []string{"sh", "-c", "exit 0"}) || c.Image != "busybox:1.36" {
		t.Errorf("container %+v", c)
	}
	// The server made a selector and labels for the new Job, not the old.
	if got := job.Spec.Template.Labels[batchv1.ControllerUidLabel]; got != string(job.UID) {
		t.Errorf("pod template controller-uid %q, want the copy's %s", got, job.UID)
	}

	r = clusterRun(ctx, t, "", "--from=job/orig", "-n", ns, "-o", "name")
	wantExit(t, r, 0)
	if !strings.HasPrefix(r.stdout, "job.batch/orig-") {
		t.Errorf("without NAME: %q, want job.batch/orig-…", r.stdout)
	}

	// Flags that do not fit the source are bad input, and nothing is created.
	r = clusterRun(ctx, t, "", "bad", "--from=job/orig", "-n", ns, "--backoff-limit-per-index=1")
	wantExit(t, r, 2)
	wantContains(t, "stderr", r.stderr, "--backoff-limit-per-index", "Indexed")
	if _, err := cs.BatchV1().Jobs(ns).Get(ctx, "bad", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("job bad: %v, want NotFound", err)
	}
}

func TestClusterPreflightAndForbidden(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	jane := cluster.UserKubeconfig(testcluster.DefaultUser)

	c := clusterClient(t, jane, "")
	access, err := c.CanCreateJobs(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if access.Allowed || access.User != testcluster.DefaultUser {
		t.Fatalf("preflight for %s: %+v, want denied and the user named", testcluster.DefaultUser, access)
	}
	msg := jwcluster.DeniedMessage(access, ns, c.Endpoint)
	if want := fmt.Sprintf(`user %q may not create jobs.batch in namespace %q`, testcluster.DefaultUser, ns); !strings.HasPrefix(msg, want) {
		t.Errorf("denied message %q, want it to start %q", msg, want)
	}
	if a, err := clusterClient(t, cluster.AdminKubeconfig, "").CanCreateJobs(ctx, ns); err != nil || !a.Allowed {
		t.Errorf("preflight for the admin: %+v, %v; want allowed", a, err)
	}

	// A flags-only create skips the preflight and explains the refusal.
	r, drafts := clusterRunDrafts(ctx, t, jane, "nope", "-n", ns, "--image=busybox:1.36")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, fmt.Sprintf(`user %q may not create jobs.batch in namespace %q (kubeconfig context "testcluster")`, testcluster.DefaultUser, ns),
		"--dry-run=client -o yaml", "the Job is kept in "+drafts)
	if strings.Contains(r.stderr, "is forbidden") {
		t.Errorf("the server's message is dumped:\n%s", r.stderr)
	}

	// Lookups the user may not make fail, for the wizard to fall back.
	if _, err := jwcluster.NewLookup(c).ConfigMaps(ctx, ns); !apierrors.IsForbidden(err) {
		t.Errorf("ConfigMaps as %s: %v, want Forbidden", testcluster.DefaultUser, err)
	}
}

func TestClusterQuota(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	rl := func(kv ...string) v1.ResourceList {
		out := v1.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			out[v1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return out
	}
	_, err := cs.CoreV1().ResourceQuotas(ns).Create(ctx, &v1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "team"},
		Spec: v1.ResourceQuotaSpec{Hard: rl("count/jobs.batch", "1", "pods", "4", "requests.cpu", "2", "limits.cpu", "4",
			"requests.memory", "1Gi", "configmaps", "10")},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().LimitRanges(ns).Create(ctx, &v1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
		Spec: v1.LimitRangeSpec{Limits: []v1.LimitRangeItem{{
			Type: v1.LimitTypeContainer, Default: rl("cpu", "1", "memory", "256Mi"), DefaultRequest: rl("cpu", "500m", "memory", "128Mi"),
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The quota controller fills in the use.
	if _, err := testcluster.WaitFor(ctx, cs.CoreV1().ResourceQuotas(ns), "team", func(q *v1.ResourceQuota) bool { return q.Status.Used != nil }); err != nil {
		t.Fatal(err)
	}

	l := jwcluster.NewLookup(clusterClient(t, cluster.AdminKubeconfig, ""))
	uses, err := l.Quota(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"team: count/jobs.batch 0/1, pods 0/4, requests.cpu 0/2, requests.memory 0/1Gi, limits.cpu 0/4"}
	if got := lookup.QuotaSummary(uses); !slices.Equal(got, want) {
		t.Errorf("quota summary %q, want %q", got, want)
	}
	req, lim, err := l.LimitDefaults(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if q := req[v1.ResourceCPU]; q.String() != "500m" {
		t.Errorf("default cpu request %s, want 500m", q.String())
	}
	if q := lim[v1.ResourceMemory]; q.String() != "256Mi" {
		t.Errorf("default memory limit %s, want 256Mi", q.String())
	}

	// The review's warning: 3 pods of 1 cpu ask more than the 2 left; their
	// default limits (3 × 1 cpu, 3 × 256Mi) fit.
	big := &batchv1.Job{Spec: batchv1.JobSpec{Parallelism: new(int32(3)), Template: v1.PodTemplateSpec{Spec: v1.PodSpec{
		Containers: []v1.Container{{Name: "main", Image: "x", Resources: v1.ResourceRequirements{Requests: rl("cpu", "1")}}},
	}}}}
	warnings := lookup.QuotaWarnings(big, uses, req, lim)
	if len(warnings) != 1 || !strings.Contains(warnings[0], `ask requests.cpu 3 (1 each) but ResourceQuota "team" has 2 left`) {
		t.Errorf("warnings %q, want requests.cpu 3 over the 2 left", warnings)
	}

	r := clusterRun(ctx, t, "", "first", "-n", ns, "--image=busybox:1.36", quick)
	wantExit(t, r, 0)
	uses, err = l.Quota(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if got := lookup.QuotaSummary(uses); len(got) != 1 || !strings.HasPrefix(got[0], "team: count/jobs.batch 1/1") {
		t.Errorf("after one Job: %q", got)
	}
	if w := lookup.QuotaWarnings(big, uses, req, lim); len(w) == 0 || !strings.Contains(w[0], "allows 1 Jobs and 1 exist") {
		t.Errorf("warnings %q, want the Job count first", w)
	}

	r = clusterRun(ctx, t, "", "second", "-n", ns, "--image=busybox:1.36", quick)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, fmt.Sprintf(`ResourceQuota "team" of namespace %q has no room to create job.batch "second":`, ns),
		"count/jobs.batch: 1 of 1 used, this asks 1", "--ttl-after-finished")
}

func TestClusterLookups(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	core := cs.CoreV1()
	create := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// PVCs: one pending, one bound as a provisioner would leave it.
	claim := func(name, volume string) *v1.PersistentVolumeClaim {
		return &v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.PersistentVolumeClaimSpec{
			VolumeName:  volume,
			AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce, v1.ReadOnlyMany},
			Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
		}}
	}
	_, err := core.PersistentVolumeClaims(ns).Create(ctx, claim("pending", ""), metav1.CreateOptions{})
	create(err)
	bound, err := core.PersistentVolumeClaims(ns).Create(ctx, claim("data", "pv-"+ns), metav1.CreateOptions{})
	create(err)
	bound.Status = v1.PersistentVolumeClaimStatus{Phase: v1.ClaimBound, AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
		Capacity: v1.ResourceList{v1.ResourceStorage: resource.MustParse("10Gi")}}
	_, err = core.PersistentVolumeClaims(ns).UpdateStatus(ctx, bound, metav1.UpdateOptions{})
	create(err)

	// ConfigMaps: more than one page, and keys that changed after creation.
	const many = 510
	errs := make(chan error, many)
	fast := cluster.RESTConfig()
	fast.QPS, fast.Burst = -1, 0 // no client-side throttling for the fixtures
	fastCore := kubernetes.NewForConfigOrDie(fast).CoreV1()
	for i := 0; i < many; i++ {
		go func(i int) {
			_, err := fastCore.ConfigMaps(ns).Create(ctx, &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%03d", i)},
				Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
			errs <- err
		}(i)
	}
	for i := 0; i < many; i++ {
		create(<-errs)
	}
	app, err := core.ConfigMaps(ns).Create(ctx, &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app"},
		Data: map[string]string{"app.properties": "a=1", "old-key": "x"}, BinaryData: map[string][]byte{"logo.png": {1, 2}}}, metav1.CreateOptions{})
	create(err)
	app.Data = map[string]string{"app.properties": "a=2", "log-level": "debug"}
	_, err = cs.CoreV1().ConfigMaps(ns).Update(ctx, app, metav1.UpdateOptions{FieldManager: "someone-else"})
	create(err)

	// Secrets: values that must never be read, and a registry credential.
	_, err = core.Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		StringData: map[string]string{"username": "admin", "password": "s3cret-value"}}, metav1.CreateOptions{})
	create(err)
	_, err = core.Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "harbor"}, Type: v1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{v1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}}, metav1.CreateOptions{})
	create(err)
	_, err = core.ServiceAccounts(ns).Create(ctx, &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "reporter"}}, metav1.CreateOptions{})
	create(err)

	// A second node that is not ready, labelled for this test alone.
	nodeName := "lookup-" + ns
	_, err = core.Nodes().Create(ctx, &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName,
		Labels: map[string]string{"e2e/lookup": ns, "disktype": "hdd"}}}, metav1.CreateOptions{})
	create(err)
	t.Cleanup(func() { _ = core.Nodes().Delete(context.Background(), nodeName, metav1.DeleteOptions{}) })

	agent := "kubectl-job-wizard/lookup-test-" + ns
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	l := jwcluster.NewLookup(clusterClient(t, cluster.AdminKubeconfig, agent))

	namespaces, err := l.Namespaces(ctx)
	if err != nil || !slices.Contains(namespaces, ns) || !slices.Contains(namespaces, "default") {
		t.Errorf("Namespaces: %d, %v; want %s and default among them", len(namespaces), err, ns)
	}

	pvcs, err := l.PVCs(ctx, ns)
	wantPVCs := []lookup.PVC{
		{Name: "data", Phase: "Bound", Capacity: "10Gi", AccessModes: []string{"ReadWriteOnce"}},
		{Name: "pending", Phase: "Pending"},
	}
	if err != nil || fmt.Sprint(pvcs) != fmt.Sprint(wantPVCs) {
		t.Errorf("PVCs: %+v, %v; want %+v", pvcs, err, wantPVCs)
	}

	cms, err := l.ConfigMaps(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]lookup.KeyedObject{}
	for _, o := range cms {
		byName[o.Name] = o
	}
	// kube-root-ca.crt appears in every namespace once its controller runs.
	if len(byName) < many+1 || !slices.Equal(byName["cm-509"].Keys, []string{"k"}) {
		t.Errorf("ConfigMaps: %d, cm-509 %+v", len(cms), byName["cm-509"])
	}
	if got := byName["app"].Keys; !slices.Equal(got, []string{"app.properties", "log-level", "logo.png"}) {
		t.Errorf("keys of app: %q, want the keys after the update", got)
	}

	secrets, err := l.Secrets(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	wantSecrets := []lookup.KeyedObject{
		{Name: "db", Type: "Opaque", Keys: []string{"password", "username"}},
		{Name: "harbor", Type: string(v1.SecretTypeDockerConfigJson), Keys: []string{v1.DockerConfigJsonKey}},
	}
	if fmt.Sprint(secrets) != fmt.Sprint(wantSecrets) {
		t.Errorf("Secrets: %+v, want %+v", secrets, wantSecrets)
	}
	if pulls, err := l.ImagePullSecrets(ctx, ns); err != nil || !slices.Equal(pulls, []string{"harbor"}) {
		t.Errorf("ImagePullSecrets: %q, %v; want harbor", pulls, err)
	}
	if sas, err := l.ServiceAccounts(ctx, ns); err != nil || !slices.Equal(sas, []string{"default", "reporter"}) {
		t.Errorf("ServiceAccounts: %q, %v", sas, err)
	}

	// Before Nodes, MatchingNodes asks the server; after, it counts alone.
	matched, total, err := l.MatchingNodes(ctx, map[string]string{"e2e/lookup": ns})
	if err != nil || matched != 1 || total < 2 {
		t.Errorf("MatchingNodes before Nodes: %d of %d, %v; want 1 of 2 or more", matched, total, err)
	}
	nodes, err := l.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kubelet, extra *lookup.Node
	for i := range nodes {
		switch nodes[i].Name {
		case testcluster.DefaultNodeName:
			kubelet = &nodes[i]
		case nodeName:
			extra = &nodes[i]
		}
	}
	if kubelet == nil || !kubelet.Ready || kubelet.Labels["disktype"] != "ssd" || kubelet.Labels["kubernetes.io/hostname"] != testcluster.DefaultNodeName {
		t.Errorf("node %s: %+v, want ready with its labels", testcluster.DefaultNodeName, kubelet)
	}
	if extra == nil || extra.Ready || extra.Labels["disktype"] != "hdd" {
		t.Errorf("node %s: %+v, want not ready with disktype=hdd", nodeName, extra)
	}
	if matched, total, err := l.MatchingNodes(ctx, map[string]string{"e2e/lookup": ns, "disktype": "ssd"}); err != nil || matched != 0 || total != len(nodes) {
		t.Errorf("MatchingNodes after Nodes: %d of %d, %v; want 0 of %d", matched, total, err, len(nodes))
	}

	// What went over the wire: lists only, in pages of at most 500, and
	// never a Secret's values.
	events, err := cluster.WaitForAuditQuiet(ctx, mark, testcluster.ByUserAgentPrefix(agent), 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Verb != "list" || !strings.Contains(e.RequestURI, "limit=500") {
			t.Errorf("lookup request %s, want only lists with limit=500", e)
		}
	}
	t.Logf("%d lookup requests", len(events))
}

func TestClusterAdmissionPolicyDenial(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	ar := cluster.Clientset().AdmissionregistrationV1()
	name := "max-parallelism-" + ns
	_, err := ar.ValidatingAdmissionPolicies().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{"batch"}, APIVersions: []string{"v1"}, Resources: []string{"jobs"}},
				},
			}}},
			Validations: []admissionregistrationv1.Validation{{
				Expression: "!has(object.spec.parallelism) || object.spec.parallelism <= 2",
				Message:    "parallelism must be at most 2 in this namespace",
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ar.ValidatingAdmissionPolicyBindings().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources: &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ar.ValidatingAdmissionPolicyBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
		_ = ar.ValidatingAdmissionPolicies().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	// The API server starts enforcing a new policy within a second or so.
	var r followResult
	for {
		r = clusterRun(ctx, t, "", "wide", "-n", ns, "--image=busybox:1.36", "--parallelism=5", "--dry-run=server")
		if r.code != 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, fmt.Sprintf(`ValidatingAdmissionPolicy %q (binding %q) refused to create job.batch "wide": parallelism must be at most 2 in this namespace`, name, name))
}

func TestClusterInvalidUnreachableAndExpired(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)

	// What only the server checks: each field on its own line, with its flag.
	manifest := filepath.Join(t.TempDir(), "job.yaml")
	if err := os.WriteFile(manifest, []byte(`apiVersion: batch/v1
kind: Job
metadata:
  name: odd
spec:
  template:
    spec:
      restartPolicy: Never
      activeDeadlineSeconds: 0
      dnsConfig:
        nameservers: [not-an-ip]
      containers:
      - name: main
        image: busybox:1.36
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := clusterRun(ctx, t, "", "-f", manifest, "-n", ns)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `the API server refused job.batch "odd" as invalid:`,
		"\n  spec.template.spec.activeDeadlineSeconds: Invalid value: 0", "\n  spec.template.spec.dnsConfig.nameservers[0]: Invalid value")

	// Credentials the server does not take, and a server that is not there.
	bad := func(server, token string) string {
		cfg := clientcmdapi.NewConfig()
		ca, err := os.ReadFile(cluster.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
		cfg.AuthInfos["ci-bot"] = &clientcmdapi.AuthInfo{Token: token}
		cfg.Contexts["staging"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "ci-bot"}
		cfg.CurrentContext = "staging"
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := clientcmd.WriteToFile(*cfg, path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r = clusterRun(ctx, t, bad(cluster.Server(), "expired-token"), "job1", "-n", ns, "--image=busybox:1.36")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, "the API server at "+cluster.Server()+` (kubeconfig context "staging") did not accept the credentials of user "ci-bot"`, "expired")

	r = clusterRun(ctx, t, bad("https://127.0.0.1:1", "x"), "job1", "-n", ns, "--image=busybox:1.36")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `cannot reach the API server at https://127.0.0.1:1 (kubeconfig context "staging"): dial tcp 127.0.0.1:1: connect: connection refused`)
}
