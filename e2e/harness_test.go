package e2e

// Tests of the test harness itself: the control plane, the test kubelet and
// the audit log behave as the plugin's tests rely on. They drive the real
// kubectl where a user would.

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// harnessKubectl runs kubectl against the shared cluster and returns its
// stdout; the error includes stderr.
func harnessKubectl(ctx context.Context, t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	cmd := cluster.KubectlCmd(ctx, kubeconfig, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		err = errors.New(exitErr.Error() + ": " + strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), err
}

// harnessJob is a one-container Job whose behaviour the annotations set.
func harnessJob(name string, annotations map[string]string) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations},
		Spec: batchv1.JobSpec{
			BackoffLimit: new(int32(0)),
			Template: v1.PodTemplateSpec{Spec: v1.PodSpec{
				RestartPolicy: v1.RestartPolicyNever,
				Containers:    []v1.Container{{Name: "main", Image: "busybox:1.36", Command: []string{"true"}}},
			}},
		},
	}
}

func harnessContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func harnessCreateJob(ctx context.Context, t *testing.T, ns string, job *batchv1.Job) *batchv1.Job {
	t.Helper()
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create job: %v", err)
	}
	return job
}

func harnessJobPods(ctx context.Context, t *testing.T, ns, job string) []v1.Pod {
	t.Helper()
	pods, err := cluster.Clientset().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: batchv1.JobNameLabel + "=" + job})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func TestHarnessKubectlCreateJobCompletes(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)
	if _, err := harnessKubectl(ctx, t, "", "-n", ns, "create", "job", "pi", "--image=perl:5.28.0", "--", "perl", "-e", "1"); err != nil {
		t.Fatal(err)
	}
	job, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "pi", testcluster.JobHasCondition(batchv1.JobComplete))
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.Succeeded != 1 || job.Status.Failed != 0 {
		t.Errorf("succeeded=%d failed=%d, want 1 and 0", job.Status.Succeeded, job.Status.Failed)
	}
	pods := harnessJobPods(ctx, t, ns, "pi")
	if len(pods) != 1 {
		t.Fatalf("%d pods, want 1", len(pods))
	}
	pod := pods[0]
	if pod.Spec.NodeName != testcluster.DefaultNodeName || pod.Status.Phase != v1.PodSucceeded {
		t.Errorf("pod on %q in phase %s, want %s and Succeeded", pod.Spec.NodeName, pod.Status.Phase, testcluster.DefaultNodeName)
	}
	if cs := pod.Status.ContainerStatuses; len(cs) != 1 || cs[0].State.Terminated == nil ||
		cs[0].State.Terminated.ExitCode != 0 || cs[0].State.Terminated.Reason != "Completed" {
		t.Errorf("container statuses %+v, want one terminated with exit code 0, reason Completed", cs)
	}
}

func TestHarnessBackoffLimitExceeded(t *testing.T) {
	t.Parallel()
	// The Job controller waits 10s before it replaces the first failed pod.
	ctx := harnessContext(t, 90*time.Second)
	ns := cluster.Namespace(t)
	job := harnessJob("fails", map[string]string{testcluster.AnnotationExitCode: "1"})
	job.Spec.BackoffLimit = new(int32(1))
	harnessCreateJob(ctx, t, ns, job)
	job, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "fails", testcluster.JobHasCondition(batchv1.JobFailed))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Reason != batchv1.JobReasonBackoffLimitExceeded {
			t.Errorf("Failed condition reason %q, want %q", c.Reason, batchv1.JobReasonBackoffLimitExceeded)
		}
	}
	if job.Status.Failed != 2 {
		t.Errorf("failed=%d, want 2 (first try and one retry)", job.Status.Failed)
	}
	for _, pod := range harnessJobPods(ctx, t, ns, "fails") {
		cs := pod.Status.ContainerStatuses
		if pod.Status.Phase != v1.PodFailed || len(cs) != 1 || cs[0].State.Terminated == nil || cs[0].State.Terminated.ExitCode != 1 || cs[0].State.Terminated.Reason != "Error" {
			t.Errorf("pod %s: phase %s, containers %+v; want Failed with exit code 1, reason Error", pod.Name, pod.Status.Phase, cs)
		}
	}
}

func TestHarnessUnschedulableNodeSelector(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)
	job := harnessJob("hdd", nil)
	job.Spec.Template.Spec.NodeSelector = map[string]string{"disktype": "hdd"}
	harnessCreateJob(ctx, t, ns, job)
	pod, err := testcluster.WaitForLabeled(ctx, cluster.Clientset().CoreV1().Pods(ns), batchv1.JobNameLabel+"=hdd", func(pod *v1.Pod) bool {
		for _, c := range pod.Status.Conditions {
			if c.Type == v1.PodScheduled && c.Status == v1.ConditionFalse && c.Reason == v1.PodReasonUnschedulable {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "" || pod.Status.Phase != v1.PodPending {
		t.Errorf("pod bound to %q in phase %s, want unbound and Pending", pod.Spec.NodeName, pod.Status.Phase)
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == v1.PodScheduled && !strings.Contains(c.Message, "didn't match Pod's node affinity/selector") {
			t.Errorf("PodScheduled message %q does not read like the scheduler's", c.Message)
		}
	}

	// The same selector on the node's own label schedules and runs.
	ok := harnessJob("ssd", nil)
	ok.Spec.Template.Spec.NodeSelector = map[string]string{"disktype": "ssd"}
	harnessCreateJob(ctx, t, ns, ok)
	if _, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "ssd", testcluster.JobHasCondition(batchv1.JobComplete)); err != nil {
		t.Fatal(err)
	}
}

func TestHarnessKubectlLogs(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)

	harnessCreateJob(ctx, t, ns, harnessJob("greet", nil))
	job := harnessJob("story", map[string]string{
		testcluster.AnnotationLog:        "once upon a time\nthe end",
		testcluster.AnnotationRunSeconds: "2",
	})
	harnessCreateJob(ctx, t, ns, job)

	// Following a running container streams until the container exits.
	if _, err := testcluster.WaitForLabeled(ctx, cluster.Clientset().CoreV1().Pods(ns), batchv1.JobNameLabel+"=story", testcluster.PodInPhase(v1.PodRunning)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := harnessKubectl(ctx, t, "", "-n", ns, "logs", "-f", "job/story")
	if err != nil {
		t.Fatal(err)
	}
	if out != "once upon a time\nthe end\n" {
		t.Errorf("kubectl logs -f job/story = %q", out)
	}
	t.Logf("kubectl logs -f returned after %v", time.Since(start).Round(time.Millisecond))
	done, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "story", testcluster.JobHasCondition(batchv1.JobComplete))
	if err != nil {
		t.Fatal(err)
	}
	if st := done.Status; st.CompletionTime == nil || st.StartTime == nil || st.CompletionTime.Sub(st.StartTime.Time) < 2*time.Second {
		t.Errorf("job ran from %v to %v, want at least the 2s of %s", st.StartTime, st.CompletionTime, testcluster.AnnotationRunSeconds)
	}

	if _, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "greet", testcluster.JobHasCondition(batchv1.JobComplete)); err != nil {
		t.Fatal(err)
	}
	pod := harnessJobPods(ctx, t, ns, "greet")[0]
	out, err = harnessKubectl(ctx, t, "", "-n", ns, "logs", "job/greet")
	if want := "hello from " + pod.Name + "/main\n"; err != nil || out != want {
		t.Errorf("kubectl logs job/greet = %q, %v; want %q", out, err, want)
	}

	// client-go's GetLogs takes the same path.
	story := harnessJobPods(ctx, t, ns, "story")[0]
	raw, err := cluster.Clientset().CoreV1().Pods(ns).GetLogs(story.Name, &v1.PodLogOptions{Container: "main", TailLines: new(int64(1))}).DoRaw(ctx)
	if err != nil || string(raw) != "the end\n" {
		t.Errorf("GetLogs tailLines=1 = %q, %v; want %q", raw, err, "the end\n")
	}
	if _, err := harnessKubectl(ctx, t, "", "-n", ns, "logs", "--previous", story.Name); err == nil || !strings.Contains(err.Error(), "previous terminated container") {
		t.Errorf("kubectl logs --previous: err = %v, want previous terminated container not found", err)
	}
}

func TestHarnessWaitingReason(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)
	harnessCreateJob(ctx, t, ns, harnessJob("pull", map[string]string{testcluster.AnnotationWaitingReason: "ImagePullBackOff"}))
	pod, err := testcluster.WaitForLabeled(ctx, cluster.Clientset().CoreV1().Pods(ns), batchv1.JobNameLabel+"=pull", func(pod *v1.Pod) bool {
		cs := pod.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "ImagePullBackOff"
	})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Status.Phase != v1.PodPending {
		t.Errorf("phase %s, want Pending", pod.Status.Phase)
	}
	_, err = harnessKubectl(ctx, t, "", "-n", ns, "logs", pod.Name)
	if err == nil || !strings.Contains(err.Error(), "is waiting to start: ImagePullBackOff") {
		t.Errorf("kubectl logs: err = %v, want is waiting to start: ImagePullBackOff", err)
	}

	// Deleting the Job in the foreground needs the kubelet to finish off
	// its pod; the stuck container must not block it.
	if _, err := harnessKubectl(ctx, t, "", "-n", ns, "delete", "job", "pull", "--cascade=foreground", "--timeout=30s"); err != nil {
		t.Fatal(err)
	}
	if pods := harnessJobPods(ctx, t, ns, "pull"); len(pods) != 0 {
		t.Errorf("pods left after foreground deletion: %d", len(pods))
	}
}

func TestHarnessExitCodesByIndexAndRestarts(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)

	// A backoff limit per index lets index 0 finish although index 1 fails.
	indexed := harnessJob("indexed", map[string]string{testcluster.AnnotationExitCodes: "0=0,1=42"})
	indexed.Spec.CompletionMode = new(batchv1.IndexedCompletion)
	indexed.Spec.Completions = new(int32(2))
	indexed.Spec.Parallelism = new(int32(2))
	indexed.Spec.BackoffLimit = nil
	indexed.Spec.BackoffLimitPerIndex = new(int32(0))
	harnessCreateJob(ctx, t, ns, indexed)

	// restartPolicy OnFailure: the container fails twice, restarts in
	// place, then succeeds.
	flaky := harnessJob("flaky", map[string]string{testcluster.AnnotationFailTimes: "2", testcluster.AnnotationRunSeconds: "0.2"})
	flaky.Spec.BackoffLimit = new(int32(3))
	flaky.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyOnFailure
	harnessCreateJob(ctx, t, ns, flaky)

	job, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "indexed", testcluster.JobHasCondition(batchv1.JobFailed))
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.Succeeded != 1 || job.Status.FailedIndexes == nil || *job.Status.FailedIndexes != "1" {
		t.Errorf("succeeded=%d failedIndexes=%v, want 1 and \"1\"", job.Status.Succeeded, job.Status.FailedIndexes)
	}
	for _, pod := range harnessJobPods(ctx, t, ns, "indexed") {
		want := map[string]int32{"0": 0, "1": 42}[pod.Annotations[batchv1.JobCompletionIndexAnnotation]]
		cs := pod.Status.ContainerStatuses
		if len(cs) != 1 || cs[0].State.Terminated == nil || cs[0].State.Terminated.ExitCode != want {
			t.Errorf("pod %s (index %s): containers %+v, want exit code %d", pod.Name, pod.Annotations[batchv1.JobCompletionIndexAnnotation], cs, want)
		}
	}

	job, err = testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "flaky", testcluster.JobHasCondition(batchv1.JobComplete))
	if err != nil {
		t.Fatal(err)
	}
	pods := harnessJobPods(ctx, t, ns, "flaky")
	if job.Status.Succeeded != 1 || len(pods) != 1 || pods[0].Status.ContainerStatuses[0].RestartCount != 2 {
		t.Errorf("succeeded=%d, %d pods; want 1 pod that restarted twice", job.Status.Succeeded, len(pods))
	}
	if last := pods[0].Status.ContainerStatuses[0].LastTerminationState.Terminated; last == nil || last.ExitCode != 1 {
		t.Errorf("last termination state %+v, want exit code 1", last)
	}
}

func TestHarnessUserWithoutRightsIsForbidden(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)
	_, err := harnessKubectl(ctx, t, cluster.UserKubeconfig(testcluster.DefaultUser), "-n", ns, "create", "job", "nope", "--image=busybox")
	if err == nil || !strings.Contains(err.Error(), "forbidden") || !strings.Contains(err.Error(), `cannot create resource "jobs"`) {
		t.Fatalf("kubectl create job as %s: err = %v, want Forbidden", testcluster.DefaultUser, err)
	}
}

func TestHarnessAuditLogRecordsKubectl(t *testing.T) {
	t.Parallel()
	ctx := harnessContext(t, time.Minute)
	ns := cluster.Namespace(t)
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := harnessKubectl(ctx, t, "", "-n", ns, "create", "job", "audited", "--image=busybox"); err != nil {
		t.Fatal(err)
	}
	events, err := cluster.WaitForAuditQuiet(ctx, mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl/") && e.ObjectRef != nil && e.ObjectRef.Namespace == ns
	}, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var creates []testcluster.AuditEvent
	for _, e := range events {
		if e.Verb == "create" && e.Resource() == "jobs" {
			creates = append(creates, e)
		}
	}
	if len(creates) != 1 {
		t.Fatalf("%d create jobs requests by kubectl in %s, want 1; all: %v", len(creates), ns, events)
	}
	e := creates[0]
	if e.Code() != 201 || e.User.Username != testcluster.AdminUser || !strings.HasPrefix(e.RequestURI, "/apis/batch/v1/namespaces/"+ns+"/jobs") {
		t.Errorf("audit event %s, want 201 by %s", e, testcluster.AdminUser)
	}
	t.Logf("kubectl create job made %d requests in the namespace; the create: %s", len(events), e)
}

// restartCluster starts a control plane of the test's own for a test that
// stops and starts the API server: the shared cluster is never restarted,
// so no other test waits for its controllers to come back (their watches
// return after a backoff that grows with each restart, and until then a new
// namespace gets no default ServiceAccount). The test should not be
// parallel: the start competes with the parallel tests for the CPU.
func restartCluster(t *testing.T) *testcluster.Cluster {
	t.Helper()
	return testcluster.StartForTest(t, testcluster.Options{})
}

func TestHarnessAPIServerRestart(t *testing.T) {
	ctx := harnessContext(t, 2*time.Minute)
	own := restartCluster(t)
	ns := own.Namespace(t)
	job := harnessJob("survivor", map[string]string{testcluster.AnnotationRunSeconds: "3"})
	if _, err := own.Clientset().BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create job: %v", err)
	}
	if _, err := testcluster.WaitForLabeled(ctx, own.Clientset().CoreV1().Pods(ns), batchv1.JobNameLabel+"=survivor", testcluster.PodInPhase(v1.PodRunning)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	own.StopAPIServer()
	if _, err := harnessKubectl(ctx, t, own.AdminKubeconfig, "get", "ns", "--request-timeout=2s"); err == nil {
		t.Error("kubectl works while the API server is stopped")
	}
	if err := own.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("API server restarted in %v", time.Since(start).Round(time.Millisecond))
	// The kubelet finished the pod while the server was away (retrying its
	// status update), and the Job controller catches up.
	if _, err := testcluster.WaitFor(ctx, own.Clientset().BatchV1().Jobs(ns), "survivor", testcluster.JobHasCondition(batchv1.JobComplete)); err != nil {
		t.Fatal(err)
	}
}
