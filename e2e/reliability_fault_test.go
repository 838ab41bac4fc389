package e2e

// Faults on the real control plane: the API server away, a create whose
// answer is lost after the server made the Job (and one that never reached
// it), another writer taking the name in the middle of --replace, and a
// ResourceQuota that refuses the Job. Each ends with the truth told, the
// right exit status, and what was typed kept as a draft only its owner
// can read.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	jwcluster "github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

// On a control plane of its own (see restartCluster).
func TestReliabilityFaultAPIServerStopped(t *testing.T) {
	outcome(t, "fault", "api-server-stopped-before-create")
	ctx := followCtx(t, 3*time.Minute)
	own := restartCluster(t)
	ns := own.Namespace(t)

	own.StopAPIServer()
	r, drafts := clusterRunDrafts(ctx, t, own.AdminKubeconfig, "down", "-n", ns, "--image=busybox:1.36", "-e", "GREETING=hello", quick)
	t.Logf("the plugin's output:\n%s", r)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr,
		"error: cannot reach the API server at "+own.Server()+` (kubeconfig context "testcluster")`, "connection refused",
		"the Job is kept in "+drafts+"/down-")
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
	path, text := oneDraft(t, drafts)
	wantContains(t, "draft", text, "kind: Job", "name: down", "image: busybox:1.36", "value: hello", "# kubectl job-wizard draft: not created: cannot reach the API server")
	wantContains(t, "stderr", r.stderr, "to send it again: kubectl job-wizard -f "+path)

	// Nothing was lost: once the server is back, the draft is the Job.
	if err := own.StartAPIServer(ctx); err != nil {
		t.Fatalf("restarting the API server: %v", err)
	}
	r = clusterRun(ctx, t, own.AdminKubeconfig, "-f", path)
	wantExit(t, r, 0)
	if r.stdout != "job.batch/down created\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	job, err := own.Clientset().BatchV1().Jobs(ns).Get(ctx, "down", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if env := job.Spec.Template.Spec.Containers[0].Env; len(env) != 1 || env[0].Value != "hello" {
		t.Errorf("env %+v, want GREETING=hello from the draft", env)
	}
}

// creates counts the plugin's POSTs of Jobs in ns in the audit log.
func creates(ctx context.Context, t *testing.T, mark testcluster.AuditMark, ns string) []testcluster.AuditEvent {
	t.Helper()
	events, err := cluster.WaitForAuditQuiet(ctx, mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl-job-wizard/") && e.Verb == "create" && e.Resource() == "jobs" &&
			e.ObjectRef.Namespace == ns && !strings.Contains(e.RequestURI, "dryRun=")
	}, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// The server made the Job, but its answer came after --request-timeout:
// the plugin finds the Job (by name, or by its create id for a generated
// name), says it was created, and never sends the create twice.
func TestReliabilityFaultCreateTimesOutButExists(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, arg, stdoutPrefix string }{
		{"named", "late", "job.batch/late created"},
		{"generated", "--generate-name=late-", "job.batch/late-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			outcome(t, "fault", "create-timed-out-but-made/"+tc.name)
			ctx := followCtx(t, 2*time.Minute)
			ns := cluster.Namespace(t)
			p := startProxy(t)
			// The answer of the create is held far past the request timeout.
			rule := p.add(&proxyRule{match: jobPost(ns), hold: -1, times: 1})
			mark, err := cluster.AuditMark()
			if err != nil {
				t.Fatal(err)
			}
			r, drafts := clusterRunDrafts(ctx, t, p.Kubeconfig, tc.arg, "-n", ns, "--image=busybox:1.36", "--suspend", "--request-timeout=3s")
			t.Logf("the plugin's output:\n%s", r)
			wantExit(t, r, 0)
			waitReached(t, rule, time.Second)
			if !strings.HasPrefix(r.stdout, tc.stdoutPrefix) || !strings.HasSuffix(r.stdout, " created\n") {
				t.Errorf("stdout %q, want %s… created", r.stdout, tc.stdoutPrefix)
			}
			wantContains(t, "stderr", r.stderr, "answer to the create of job.batch/", "was lost (no answer within the request timeout: ", "the Job is there: created by this run")
			noDrafts(t, drafts)
			jobs, err := cluster.Clientset().BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs.Items) != 1 || "job.batch/"+jobs.Items[0].Name+" created\n" != r.stdout {
				t.Fatalf("%d Jobs in the namespace, want exactly the one printed (%q)", len(jobs.Items), r.stdout)
			}
			if id := jobs.Items[0].Labels[jwcluster.CreateIDLabel]; id == "" {
				t.Errorf("the Job has no %s label", jwcluster.CreateIDLabel)
			}
			if n := len(creates(ctx, t, mark, ns)); n != 1 {
				t.Errorf("%d creates sent, want exactly 1", n)
			}
		})
	}
}

// The create never reached the server: after the timeout the plugin
// looks, finds nothing, says so, and keeps the draft.
func TestReliabilityFaultCreateTimesOutNotMade(t *testing.T) {
	t.Parallel()
	outcome(t, "fault", "create-timed-out-not-made")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	p := startProxy(t)
	p.add(&proxyRule{match: jobPost(ns), drop: true})
	r, drafts := clusterRunDrafts(ctx, t, p.Kubeconfig, "lost", "-n", ns, "--image=busybox:1.36", "--suspend", "--request-timeout=2s")
	t.Logf("the plugin's output:\n%s", r)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr,
		`the API server at `+strings.TrimSuffix(p.srv.URL, "/")+` did not answer the create of job.batch "lost" in time`,
		"it was not created: the server has no Job from this run (looked for job.batch/lost with label "+jwcluster.CreateIDLabel+"=")
	_, text := oneDraft(t, drafts)
	wantContains(t, "draft", text, "name: lost")
	// The draft is the Job as asked for, without this run's create id.
	wantNot(t, "draft", text, jwcluster.CreateIDLabel+":")
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "lost", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("job lost: %v, want NotFound", err)
	}
}

// Another writer creates the name again between --replace's delete and
// its create (the server answers 409 AlreadyExists): the plugin replaces
// that one too, and ends with its own Job, once.
func TestReliabilityFaultReplaceConflict(t *testing.T) {
	t.Parallel()
	outcome(t, "fault", "replace-409-once")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	jobs := cluster.Clientset().BatchV1().Jobs(ns)
	other := func() *batchv1.Job {
		j := harnessJob("dup", nil)
		j.Spec.Suspend = new(true)
		j.Spec.Template.Spec.Containers[0].Image = "busybox:other-writer"
		return j
	}
	harnessCreateJob(ctx, t, ns, other())
	p := startProxy(t)
	var writes int
	p.add(&proxyRule{match: jobPost(ns), times: 1, before: func(*http.Request) {
		// The other writer wins the race for the name.
		if _, err := jobs.Create(ctx, other(), metav1.CreateOptions{}); err != nil {
			t.Errorf("the other writer's create: %v", err)
		}
		writes++
	}})
	r, drafts := clusterRunDrafts(ctx, t, p.Kubeconfig, "dup", "-n", ns, "--image=busybox:1.37", "--suspend", "--replace")
	wantExit(t, r, 0)
	if r.stdout != "job.batch/dup replaced\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, "job.batch/dup was created again meanwhile; replacing it again")
	noDrafts(t, drafts)
	list, err := jobs.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if writes != 1 || len(list.Items) != 1 || list.Items[0].Spec.Template.Spec.Containers[0].Image != "busybox:1.37" {
		t.Fatalf("after the replace (%d writes of the other writer): %d Jobs, want only ours", writes, len(list.Items))
	}
}

// A writer that takes the name back every time: after three rounds the
// plugin stops and says exactly what is left: the old Job deleted, the
// new one not created, the name someone else's, and the draft.
func TestReliabilityFaultReplaceConflictEveryTime(t *testing.T) {
	t.Parallel()
	outcome(t, "fault", "replace-409-every-time")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	jobs := cluster.Clientset().BatchV1().Jobs(ns)
	other := func() *batchv1.Job {
		j := harnessJob("taken", map[string]string{"writer": "other"})
		j.Spec.Suspend = new(true)
		return j
	}
	harnessCreateJob(ctx, t, ns, other())
	p := startProxy(t)
	p.add(&proxyRule{match: jobPost(ns), before: func(*http.Request) {
		if _, err := jobs.Create(ctx, other(), metav1.CreateOptions{}); err != nil {
			t.Errorf("the other writer's create: %v", err)
		}
	}})
	r, drafts := clusterRunDrafts(ctx, t, p.Kubeconfig, "taken", "-n", ns, "--image=busybox:1.37", "--suspend", "--replace")
	t.Logf("the plugin's output:\n%s", r)
	wantExit(t, r, 1)
	path, _ := oneDraft(t, drafts)
	wantContains(t, "stderr", r.stderr, "the old job.batch/taken was deleted, and the new Job was NOT created",
		"was created again by someone else each time it was deleted (3 tries)",
		"the Job is kept in "+path+"; to send it again: kubectl job-wizard -f "+path+" --replace")
	job, err := jobs.Get(ctx, "taken", metav1.GetOptions{})
	if err != nil || job.Annotations["writer"] != "other" {
		t.Errorf("the Job of the name is %v, %v; want the other writer's", job, err)
	}
}

// A ResourceQuota that allows no more Jobs: exit 1, the quota named, the
// draft kept.
func TestReliabilityFaultQuotaRefuses(t *testing.T) {
	t.Parallel()
	outcome(t, "fault", "quota-refuses")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	_, err := cs.CoreV1().ResourceQuotas(ns).Create(ctx, &v1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "no-jobs"},
		Spec:       v1.ResourceQuotaSpec{Hard: v1.ResourceList{"count/jobs.batch": resource.MustParse("0")}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Until the quota controller has counted, admission refuses anything
	// for "status unknown"; wait, so the refusal is the quota's own.
	if _, err := testcluster.WaitFor(ctx, cs.CoreV1().ResourceQuotas(ns), "no-jobs", func(q *v1.ResourceQuota) bool { return q.Status.Hard != nil }); err != nil {
		t.Fatal(err)
	}
	r, drafts := clusterRunDrafts(ctx, t, "", "capped", "-n", ns, "--image=busybox:1.36", "--env-value-from=TOKEN=secret:api:token")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr,
		fmt.Sprintf(`error: ResourceQuota "no-jobs" of namespace %q has no room to create job.batch "capped":`, ns),
		"count/jobs.batch: 0 of 0 used, this asks 1", "the Job is kept in "+drafts)
	_, text := oneDraft(t, drafts)
	wantContains(t, "draft", text, "name: capped", "secretKeyRef:", "name: api", "key: token")
	if list, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("Jobs after the refusal: %v, %v", list, err)
	}
}
