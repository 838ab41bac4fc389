package e2e

// End-to-end tests of the follow-through (--wait, --logs, --timeout,
// --stuck-timeout and `kubectl job-wizard follow`) against the real control
// plane, the real Job controller and the test kubelet, driving the built
// binary as CI would.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// followBinary is the plugin binary the tests drive (testutil.PluginBinary).
func followBinary(t *testing.T) string {
	t.Helper()
	return testcluster.PluginBinary(t, "e2e")
}

// followResult is one finished run of the plugin.
type followResult struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r followResult) String() string {
	return fmt.Sprintf("exit %d after %v\n--- stdout:\n%s--- stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// followCmd is the plugin with args against the shared cluster; the
// kubeconfig flag goes before any `--`, where flags still parse.
func followCmd(ctx context.Context, t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return followCmdOn(ctx, t, cluster, args...)
}

// followCmdOn is followCmd against cluster c.
func followCmdOn(ctx context.Context, t *testing.T, c *testcluster.Cluster, args ...string) *exec.Cmd {
	t.Helper()
	kc := "--kubeconfig=" + c.AdminKubeconfig
	withKC := append([]string{}, args...)
	dash := len(withKC)
	for i, a := range withKC {
		if a == "--" {
			dash = i
			break
		}
	}
	withKC = append(withKC[:dash:dash], append([]string{kc}, withKC[dash:]...)...)
	cmd := exec.CommandContext(ctx, followBinary(t), withKC...)
	cmd.Env = append(os.Environ(), "NO_COLOR=", "KUBECONFIG="+c.AdminKubeconfig)
	return cmd
}

// followRun runs the plugin to its end without a terminal.
func followRun(ctx context.Context, t *testing.T, args ...string) followResult {
	t.Helper()
	cmd := followCmd(ctx, t, args...)
	return followWait(t, cmd, followStart(t, cmd))
}

type followOutput struct{ stdout, stderr *testutil.LockedBuffer }

func followStart(t *testing.T, cmd *exec.Cmd) followOutput {
	t.Helper()
	out := followOutput{&testutil.LockedBuffer{}, &testutil.LockedBuffer{}}
	cmd.Stdout, cmd.Stderr = out.stdout, out.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return out
}

func followWait(t *testing.T, cmd *exec.Cmd, out followOutput) followResult {
	t.Helper()
	start := time.Now()
	err := cmd.Wait()
	r := followResult{stdout: out.stdout.String(), stderr: out.stderr.String(), took: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	default:
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return r
}

// waitOutput waits until the process has written want (the plugin says
// what it sees, so tests need not poll the cluster).
func waitOutput(t *testing.T, b *testutil.LockedBuffer, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output after %v:\n%s", want, d, b.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func followCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func wantExit(t *testing.T, r followResult, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\n%s", r.code, code, r)
	}
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

var controlChar = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f]")

// wantPlain checks progress written without a terminal: lines, and no
// control characters (no bar, no colors, no carriage returns).
func wantPlain(t *testing.T, what, s string) {
	t.Helper()
	if loc := controlChar.FindStringIndex(s); loc != nil {
		t.Errorf("%s has a control character %q at %d:\n%q", what, s[loc[0]:loc[1]], loc[0], s)
	}
}

// quick makes every container of the Job run for a moment only.
const quick = "--annotation=" + testcluster.AnnotationRunSeconds + "=0.3"

func TestFollowWaitSucceeds(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "ok", "-n", ns, "--image=busybox:1.36", "--completions=3", "--parallelism=2", quick, "--wait", "--", "true")
	wantExit(t, r, 0)
	if r.stdout != "job.batch/ok created\n" {
		t.Errorf("stdout %q, want only the create line", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, "job/ok Complete: 3/3 succeeded, 0 active, 0 ready, 0 failed (6 of 6 retries left)", "pods: 3 Completed")
	wantPlain(t, "stderr", r.stderr)
	// One plain line per change, never two equal ones in a row.
	var prev string
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		state, _, _ := strings.Cut(line, " [")
		if state == prev {
			t.Errorf("line repeated without a change: %q\n%s", line, r.stderr)
		}
		prev = state
	}
}

func TestFollowBackoffLimitExceeded(t *testing.T) {
	t.Parallel()
	// The Job controller waits 10s before it replaces the first failed pod.
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "boom", "-n", ns, "--image=busybox:1.36", "--backoff-limit=1", quick,
		"--annotation="+testcluster.AnnotationExitCode+"=3",
		"--annotation="+testcluster.AnnotationLog+"=starting\nconnecting to db\npanic: no db",
		"--wait", "--", "sh", "-c", "exit 3")
	wantExit(t, r, 1)
	wantPlain(t, "stderr", r.stderr)
	pods := harnessJobPods(ctx, t, ns, "boom")
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2 (a try and a retry)", len(pods))
	}
	wantContains(t, "stderr", r.stderr, "failed pods of job/boom:", "0 of 1 retries left")
	for _, p := range pods {
		wantContains(t, "stderr", r.stderr,
			"pod "+p.Name+" failed: container boom exited with code 3 (Error)",
			"  "+p.Name+": container boom exited with code 3 (Error)",
			"last 20 lines of "+p.Name+"/boom:\n  starting\n  connecting to db\n  panic: no db\n")
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "error: job/boom failed: BackoffLimitExceeded: Job has reached the specified backoff limit") {
		t.Errorf("last line %q, want the failure reason and message", last)
	}
}

func TestFollowPodFailurePolicyFailJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "policy", "-n", ns, "--image=busybox:1.36", "--backoff-limit=6", quick,
		"--pod-failure-policy=FailJob:exit-codes=42",
		"--annotation="+testcluster.AnnotationExitCode+"=42", "--wait", "--", "sh", "-c", "exit 42")
	wantExit(t, r, 1)
	pods := harnessJobPods(ctx, t, ns, "policy")
	if len(pods) != 1 {
		t.Fatalf("%d pods, want 1: FailJob ends the Job without retries", len(pods))
	}
	wantContains(t, "stderr", r.stderr, "error: job/policy failed: PodFailurePolicy: ",
		"  "+pods[0].Name+": container policy exited with code 42 (Error)",
		"last 20 lines of "+pods[0].Name+"/policy:\n  hello from "+pods[0].Name+"/policy\n")
	if r.took > 30*time.Second {
		t.Errorf("took %v; FailJob should end the wait at the first failure", r.took)
	}
}

func TestFollowIndexedBackoffLimitPerIndex(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "idx", "-n", ns, "--image=busybox:1.36", "--completion-mode=Indexed", "--completions=3", "--parallelism=3",
		"--backoff-limit-per-index=0", quick, "--annotation="+testcluster.AnnotationExitCodes+"=1=7", "--wait", "--", "true")
	wantExit(t, r, 1)
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "idx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.Succeeded != 2 || job.Status.FailedIndexes == nil || *job.Status.FailedIndexes != "1" {
		t.Errorf("succeeded %d, failed indexes %v; want 2 and 1", job.Status.Succeeded, job.Status.FailedIndexes)
	}
	wantContains(t, "stderr", r.stderr, "(index 1): container idx exited with code 7 (Error)",
		"backoff limit 0 per index; failed indexes 1", "error: job/idx failed: FailedIndexes: ")
	if strings.Contains(r.stderr, "(index 0): container") || strings.Contains(r.stderr, "(index 2): container") {
		t.Errorf("indexes 0 and 2 succeeded but are reported as failed:\n%s", r.stderr)
	}
}

func TestFollowActiveDeadlineExceeded(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "slow", "-n", ns, "--image=busybox:1.36", "--active-deadline=2s",
		"--annotation="+testcluster.AnnotationRunSeconds+"=60", "--wait", "--", "sleep", "60")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, "error: job/slow failed: DeadlineExceeded: Job was active longer than specified deadline")
	if r.took > 30*time.Second {
		t.Errorf("took %v for a 2s deadline", r.took)
	}
}

func TestFollowStuckImagePull(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "pull", "-n", ns, "--image=registry.invalid/nope:1", "--stuck-timeout=3s",
		"--annotation="+testcluster.AnnotationWaitingReason+"=ImagePullBackOff", "--wait", "--", "true")
	wantExit(t, r, 3)
	pods := harnessJobPods(ctx, t, ns, "pull")
	if len(pods) != 1 {
		t.Fatalf("%d pods, want 1", len(pods))
	}
	name := pods[0].Name
	// Shown at once, and the wait ends with the reason.
	wantContains(t, "stderr", r.stderr,
		"pod "+name+" is stuck: ImagePullBackOff: container pull: Back-off pulling image \"registry.invalid/nope:1\" (the wait gives up in 3s unless it recovers)",
		"error: pod "+name+" has been stuck for 3s: ImagePullBackOff: ",
		"job/pull Pending: 0/1 succeeded, 1 active, 0 ready, 0 failed (6 of 6 retries left); pods: 1 ImagePullBackOff")
	wantPlain(t, "stderr", r.stderr)
	// The Job is left alone for the user to fix.
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "pull", metav1.GetOptions{}); err != nil {
		t.Errorf("the Job is gone after a stuck wait: %v", err)
	}
}

func TestFollowUnschedulableIsShown(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "nowhere", "-n", ns, "--image=busybox:1.36", "--node-selector=disktype=hdd", "--stuck-timeout=2s", "--wait", "--", "true")
	wantExit(t, r, 3)
	wantContains(t, "stderr", r.stderr, "is stuck: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector",
		"pods: 1 Unschedulable")
}

func TestFollowTimeout(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "long", "-n", ns, "--image=busybox:1.36", "--timeout=3s",
		"--annotation="+testcluster.AnnotationRunSeconds+"=60", "--wait", "--", "sleep", "60")
	wantExit(t, r, 3)
	wantContains(t, "stderr", r.stderr, "error: timed out after 3s waiting for job/long, which keeps running; follow it again with: kubectl job-wizard follow long -n "+ns)
	if r.took > 15*time.Second {
		t.Errorf("a 3s timeout took %v", r.took)
	}
}

func TestFollowSuspendedSaysSoAndKeepsWaiting(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cmd := followCmd(ctx, t, "later", "-n", ns, "--image=busybox:1.36", "--suspend", quick, "--wait", "--", "true")
	out := followStart(t, cmd)
	waitOutput(t, out.stderr, "job/later is suspended; waiting until it is resumed", 30*time.Second)
	time.Sleep(time.Second)
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Patch(ctx, "later", "application/merge-patch+json", []byte(`{"spec":{"suspend":false}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "job/later Suspended: 0/1 succeeded", "job/later was resumed", "job/later Complete: 1/1 succeeded")
}

func TestFollowJobDeletedWhileWaiting(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cmd := followCmd(ctx, t, "doomed", "-n", ns, "--image=busybox:1.36", "--annotation="+testcluster.AnnotationRunSeconds+"=60", "--wait", "--", "sleep", "60")
	out := followStart(t, cmd)
	waitOutput(t, out.stderr, "pods: 1 Running", 30*time.Second)
	if err := cluster.Clientset().BatchV1().Jobs(ns).Delete(ctx, "doomed", metav1.DeleteOptions{PropagationPolicy: new(metav1.DeletePropagationBackground)}); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, "error: job/doomed was deleted while waiting for it")
}

func TestFollowCommand(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	job := harnessJob("existing", map[string]string{testcluster.AnnotationRunSeconds: "1"})
	job.Spec.Completions = new(int32(2))
	harnessCreateJob(ctx, t, ns, job)

	r := followRun(ctx, t, "follow", "job/existing", "-n", ns)
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "job/existing Complete: 2/2 succeeded")
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing without --logs", r.stdout)
	}

	// A finished Job is reported at once, the same way.
	r = followRun(ctx, t, "follow", "existing", "-n", ns, "--timeout=20s")
	wantExit(t, r, 0)

	r = followRun(ctx, t, "follow", "missing", "-n", ns)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `"missing" not found`)

	for _, args := range [][]string{{"follow"}, {"follow", "a", "b"}, {"follow", "pod/x"}, {"follow", "x", "--timeout=-1s"}, {"follow", "x", "--bogus"}} {
		r = followRun(ctx, t, append(args, "-n", ns)...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r)
		}
	}
}

func TestFollowLogs(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	// An init container and a main container; the first pod fails once, so
	// the replacement pod's logs must come too.
	manifest := filepath.Join(t.TempDir(), "job.yaml")
	if err := os.WriteFile(manifest, []byte(`apiVersion: batch/v1
kind: Job
metadata:
  name: chatty
  annotations:
    testkubelet/run-seconds: "0.5"
    testkubelet/fail-times: "1"
    testkubelet/log.setup: "fetching input"
    testkubelet/log.work: "line one\nline two\nline three"
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: setup
        image: busybox:1.36
        command: ["true"]
      containers:
      - name: work
        image: busybox:1.36
        command: ["true"]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := followRun(ctx, t, "-f", manifest, "-n", ns, "--logs")
	wantExit(t, r, 0)
	pods := harnessJobPods(ctx, t, ns, "chatty")
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2 (a failure and its replacement)\n%s", len(pods), r)
	}
	for _, p := range pods {
		want := fmt.Sprintf("[%[1]s/work] line one\n[%[1]s/work] line two\n[%[1]s/work] line three\n", p.Name)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks the whole log of %s/work in order:\n%s", p.Name, r.stdout)
		}
		if n := strings.Count(r.stdout, "["+p.Name+"/work] line one\n"); n != 1 {
			t.Errorf("%s/work's first line shown %d times", p.Name, n)
		}
		wantContains(t, "stdout", r.stdout, "["+p.Name+"/setup] fetching input\n")
	}
	if !strings.HasPrefix(r.stdout, "job.batch/chatty created\n") {
		t.Errorf("stdout does not start with the create line:\n%s", r.stdout)
	}
	wantPlain(t, "stdout", r.stdout)
	wantPlain(t, "stderr", r.stderr)
}

// On a control plane of its own (see restartCluster).
func TestFollowSurvivesAPIServerRestart(t *testing.T) {
	ctx := followCtx(t, 3*time.Minute)
	own := restartCluster(t)
	ns := own.Namespace(t)
	cmd := followCmdOn(ctx, t, own, "steady", "-n", ns, "--image=busybox:1.36", "--completions=2", "--parallelism=1",
		"--annotation="+testcluster.AnnotationRunSeconds+"=3", "--annotation="+testcluster.AnnotationLog+"=tick\ntock", "--logs", "--timeout=2m", "--", "true")
	out := followStart(t, cmd)
	waitOutput(t, out.stderr, "pods: 1 Running", 30*time.Second)
	own.StopAPIServer()
	time.Sleep(2 * time.Second)
	if err := own.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	t.Logf("%s", r)
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "lost the connection to the API server", "connected to the API server again", "job/steady Complete: 2/2 succeeded")
	list, err := own.Clientset().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: batchv1.JobNameLabel + "=steady"})
	if err != nil {
		t.Fatal(err)
	}
	pods := list.Items
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2", len(pods))
	}
	for _, p := range pods {
		// The log of the pod that ran across the restart is whole, once.
		for _, line := range []string{"tick", "tock"} {
			if n := strings.Count(r.stdout, "["+p.Name+"/steady] "+line+"\n"); n != 1 {
				t.Errorf("%q of %s shown %d times, want once\n%s", line, p.Name, n, r)
			}
		}
	}
}

// The pods a follow reports must be exactly the Job's: a Job of the same
// name deleted before does not leak into it.
func TestFollowIgnoresPodsOfEarlierJobOfSameName(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	old := harnessJob("again", map[string]string{testcluster.AnnotationExitCode: "9", testcluster.AnnotationRunSeconds: "0.2"})
	harnessCreateJob(ctx, t, ns, old)
	if _, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "again", testcluster.JobHasCondition(batchv1.JobFailed)); err != nil {
		t.Fatal(err)
	}
	// Orphan the old pods, so they stay with the job-name label.
	if err := cluster.Clientset().BatchV1().Jobs(ns).Delete(ctx, "again", metav1.DeleteOptions{PropagationPolicy: new(metav1.DeletePropagationOrphan)}); err != nil {
		t.Fatal(err)
	}
	if _, err := testcluster.WaitForLabeled(ctx, cluster.Clientset().CoreV1().Pods(ns), batchv1.JobNameLabel+"=again", func(p *v1.Pod) bool {
		return metav1.GetControllerOf(p) == nil
	}); err != nil {
		t.Fatal(err)
	}
	r := followRun(ctx, t, "again", "-n", ns, "--image=busybox:1.36", quick, "--wait", "--", "true")
	wantExit(t, r, 0)
	if strings.Contains(r.stderr, "exited with code 9") {
		t.Errorf("the old Job's failed pod is reported:\n%s", r.stderr)
	}
	wantContains(t, "stderr", r.stderr, "pods: 1 Completed")
}

func TestFollowInterruptLeavesTheJobRunning(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cmd := followCmd(ctx, t, "ctrlc", "-n", ns, "--image=busybox:1.36", "--annotation="+testcluster.AnnotationRunSeconds+"=60", "--wait", "--", "sleep", "60")
	out := followStart(t, cmd)
	waitOutput(t, out.stderr, "pods: 1 Running", 30*time.Second)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	wantExit(t, r, 130)
	wantContains(t, "stderr", r.stderr, "error: interrupted; job/ctrlc keeps running; follow it again with: kubectl job-wizard follow ctrlc -n "+ns+"\n")
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "ctrlc", metav1.GetOptions{})
	if err != nil || job.DeletionTimestamp != nil || job.Status.Active != 1 {
		t.Errorf("after Ctrl-C the Job is %+v (err %v), want it running", job.Status, err)
	}
}

// A real kubelet keeps a container ContainerCreating while it pulls the
// image and says so in a Pulling event; the test kubelet sends no events,
// so the test sends the one a kubelet would.
func TestFollowShowsPulling(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	// Without a terminal a change within a state is told at most every
	// 10 s: ContainerCreating at 10 s, Pulling at 20 s, Running at 25 s.
	cmd := followCmd(ctx, t, "pull", "-n", ns, "--image=perl:5.28.0", quick,
		"--annotation="+testcluster.AnnotationStartSeconds+"=25", "--wait", "--", "true")
	out := followStart(t, cmd)
	waitOutput(t, out.stderr, "pods: 1 ContainerCreating", 30*time.Second)
	pod := harnessJobPods(ctx, t, ns, "pull")[0]
	if _, err := cluster.Clientset().CoreV1().Events(ns).Create(ctx, &v1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod.Name + "."},
		InvolvedObject: v1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod.Name, UID: pod.UID, APIVersion: "v1", FieldPath: "spec.containers{pull}"},
		Reason:         "Pulling", Message: `Pulling image "perl:5.28.0"`, Type: v1.EventTypeNormal,
		Source: v1.EventSource{Component: "kubelet", Host: testcluster.DefaultNodeName},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "pods: 1 Pulling", "job/pull Complete: 1/1 succeeded")
	if i, j := strings.Index(r.stderr, "pods: 1 Pulling"), strings.Index(r.stderr, "pods: 1 Running"); i > j {
		t.Errorf("Pulling shown after Running:\n%s", r.stderr)
	}
}

// Pods the API server refuses never come: the Job controller's FailedCreate
// is shown at once with its cause, and --stuck-timeout ends the wait (3).
func TestFollowFailedCreatePodSecurity(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	nsObj, err := cluster.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if nsObj.Labels == nil {
		nsObj.Labels = map[string]string{}
	}
	nsObj.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	if _, err := cluster.Clientset().CoreV1().Namespaces().Update(ctx, nsObj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// --skip-pod-security-check: the client's own check would refuse first;
	// this test is about what the follow says when the server refuses the pods.
	r := followRun(ctx, t, "psa", "-n", ns, "--image=busybox:1.36", "--skip-pod-security-check", "--stuck-timeout=3s", quick, "--wait", "--", "true")
	wantExit(t, r, 3)
	wantContains(t, "stderr", r.stderr,
		`job/psa cannot create its pods: Pod Security level "restricted:latest" of namespace `+ns+` forbids the pods: `,
		"(the wait gives up in 3s unless a pod is created)",
		"error: job/psa has not been able to create its pods for 3s: Pod Security level \"restricted:latest\"")
	if n := strings.Count(r.stderr, "cannot create its pods"); n != 1 {
		t.Errorf("the refusal told %d times:\n%s", n, r.stderr)
	}
	wantPlain(t, "stderr", r.stderr)
}

func TestFollowFailedCreateResourceQuota(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	quota := &v1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "no-pods"}, Spec: v1.ResourceQuotaSpec{Hard: v1.ResourceList{v1.ResourcePods: resource.MustParse("0")}}}
	if _, err := cluster.Clientset().CoreV1().ResourceQuotas(ns).Create(ctx, quota, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Admission refuses with "status unknown" until the quota controller
	// has counted; the test wants the quota's own words.
	for {
		q, err := cluster.Clientset().CoreV1().ResourceQuotas(ns).Get(ctx, "no-pods", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := q.Status.Hard[v1.ResourcePods]; ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := followRun(ctx, t, "quota", "-n", ns, "--image=busybox:1.36", "--stuck-timeout=3s", quick, "--wait", "--", "true")
	wantExit(t, r, 3)
	wantContains(t, "stderr", r.stderr,
		`job/quota cannot create its pods: ResourceQuota "no-pods" is used up: the pod requests pods=1, pods=0 is used of a limit of pods=0`,
		`error: job/quota has not been able to create its pods for 3s: ResourceQuota "no-pods" is used up`)
	if n := strings.Count(r.stderr, "cannot create its pods"); n != 1 {
		t.Errorf("the refusal told %d times:\n%s", n, r.stderr)
	}
}

// More pods than --max-log-requests: every pod's log printed once, whole.
func TestFollowMaxLogRequests(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "many", "-n", ns, "--image=busybox:1.36", "--completions=6", "--parallelism=6", "--max-log-requests=2",
		"--annotation="+testcluster.AnnotationRunSeconds+"=1", "--annotation="+testcluster.AnnotationLog+"=first\nsecond\nthird", "--logs", "--", "true")
	wantExit(t, r, 0)
	pods := harnessJobPods(ctx, t, ns, "many")
	if len(pods) != 6 {
		t.Fatalf("%d pods, want 6\n%s", len(pods), r)
	}
	for _, p := range pods {
		want := fmt.Sprintf("[%[1]s/many] first\n[%[1]s/many] second\n[%[1]s/many] third\n", p.Name)
		var got strings.Builder
		for _, l := range strings.SplitAfter(r.stdout, "\n") {
			if strings.HasPrefix(l, "["+p.Name+"/") {
				got.WriteString(l)
			}
		}
		if got.String() != want {
			t.Errorf("%s's log is not there once and whole: %q\n%s", p.Name, got.String(), r)
		}
	}
	wantContains(t, "stderr", r.stderr, "more containers than --max-log-requests=2")
}

// -v=6 shows the follow's requests too: the follow no longer silences klog.
func TestFollowVerboseShowsRequests(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "loud", "-n", ns, "--image=busybox:1.36", quick, "--wait", "-v=6", "--", "true")
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "watch=true", "/api/v1/namespaces/"+ns+"/pods?")
}
