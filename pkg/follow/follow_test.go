package follow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// fakeSource serves the follow from client-go's fake clientset; logs come
// from a map, as the fake clientset's own are a fixed text.
type fakeSource struct {
	cs *fake.Clientset

	mu       sync.Mutex
	logs     map[string]string // "pod/container" -> text, with timestamps
	logCalls []corev1.PodLogOptions
}

func newFakeSource() *fakeSource {
	return &fakeSource{cs: fake.NewClientset(), logs: map[string]string{}}
}

func (s *fakeSource) IsWatchListSemanticsUnSupported() bool { return true }

func (s *fakeSource) GetJob(ctx context.Context, ns, name string) (*batchv1.Job, error) {
	return s.cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
}
func (s *fakeSource) ListJobs(ctx context.Context, ns string, o metav1.ListOptions) (*batchv1.JobList, error) {
	return s.cs.BatchV1().Jobs(ns).List(ctx, o)
}
func (s *fakeSource) WatchJobs(ctx context.Context, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return s.cs.BatchV1().Jobs(ns).Watch(ctx, o)
}
func (s *fakeSource) ListPods(ctx context.Context, ns string, o metav1.ListOptions) (*corev1.PodList, error) {
	return s.cs.CoreV1().Pods(ns).List(ctx, o)
}
func (s *fakeSource) WatchPods(ctx context.Context, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return s.cs.CoreV1().Pods(ns).Watch(ctx, o)
}
func (s *fakeSource) ListEvents(ctx context.Context, ns string, o metav1.ListOptions) (*corev1.EventList, error) {
	return s.cs.CoreV1().Events(ns).List(ctx, o)
}
func (s *fakeSource) WatchEvents(ctx context.Context, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return s.cs.CoreV1().Events(ns).Watch(ctx, o)
}
func (s *fakeSource) PodLogs(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logCalls = append(s.logCalls, *o)
	text, ok := s.logs[pod+"/"+o.Container]
	if !ok {
		return nil, apierrors.NewNotFound(corev1.Resource("pods"), pod)
	}
	if o.TailLines != nil {
		lines := strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
		if n := int(*o.TailLines); len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		text = strings.Join(lines, "") + "\n"
	}
	if !o.Timestamps {
		var b strings.Builder
		for _, l := range strings.SplitAfter(text, "\n") {
			if _, rest, ok := strings.Cut(l, " "); ok {
				b.WriteString(rest)
			}
		}
		text = b.String()
	}
	return io.NopCloser(strings.NewReader(text)), nil
}

const ns = "ns1"

var jobUID = types.UID("job-uid-1")

func testJob(name string) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: jobUID},
		Spec: batchv1.JobSpec{
			Completions:  new(int32(2)),
			BackoffLimit: new(int32(1)),
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{batchv1.ControllerUidLabel: string(jobUID)}},
			Template:     corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "main"}}}},
		},
	}
}

func testPod(name string, phase corev1.PodPhase, cs ...corev1.ContainerStatus) *corev1.Pod {
	yes := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + name),
			Labels:          map[string]string{batchv1.ControllerUidLabel: string(jobUID), batchv1.JobNameLabel: "pi"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "pi", UID: jobUID, Controller: &yes}},
		},
		Spec:   corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "main"}}},
		Status: corev1.PodStatus{Phase: phase, ContainerStatuses: cs},
	}
}

func exited(code int32) corev1.ContainerStatus {
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	return corev1.ContainerStatus{Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, ContainerID: "containerd://x"}}}
}

func runningCS() corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "main", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waiting(reason, msg string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "main", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
}

func withCondition(job *batchv1.Job, typ batchv1.JobConditionType, reason, msg string) *batchv1.Job {
	job = job.DeepCopy()
	job.Status.Conditions = append(job.Status.Conditions, batchv1.JobCondition{Type: typ, Status: corev1.ConditionTrue, Reason: reason, Message: msg})
	return job
}

// run starts a follow in the background; the test drives the fake cluster
// and then collects the result.
type run struct {
	stdout, stderr *testutil.LockedBuffer
	done           chan struct{}
	res            *Result
	err            error
	cancel         context.CancelFunc
}

func startRun(t *testing.T, src Source, job *batchv1.Job, o Options) *run {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}, done: make(chan struct{}), cancel: cancel}
	o.Out, o.ErrOut = r.stdout, r.stderr
	o.everyChange = true
	o.Again = "kubectl job-wizard follow " + job.Name + " -n " + ns
	go func() {
		defer close(r.done)
		r.res, r.err = Run(ctx, src, job, o)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func (r *run) wait(t *testing.T) *Result {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the follow did not end; stderr:\n%s", r.stderr.String())
	}
	if r.err != nil {
		t.Fatalf("Run: %v\nstderr:\n%s", r.err, r.stderr.String())
	}
	return r.res
}

// waitFor waits until stderr shows want.
func (r *run) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never showed %q:\n%s", want, r.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForCount waits until stderr shows want n times.
func (r *run) waitForCount(t *testing.T, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(r.stderr.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never showed %q %d times:\n%s", want, n, r.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stillRunning fails the test, saying why, if the follow has ended.
func (r *run) stillRunning(t *testing.T, why string) {
	t.Helper()
	select {
	case <-r.done:
		t.Fatalf("%s:\n%s", why, r.stderr.String())
	default:
	}
}

// stuckFixture is how each --stuck-timeout test starts: the fake source, a
// clock that moves only when the test says so, and the Job pi.
func stuckFixture() (*fakeSource, *fakeClock, *batchv1.Job) {
	src := newFakeSource()
	clock := &fakeClock{t: time.Now()}
	job := must(src.cs.BatchV1().Jobs(ns).Create(context.Background(), testJob("pi"), metav1.CreateOptions{}))
	return src, clock, job
}

// must unwraps what a fake clientset call returns; the fake fails only on
// a broken test.
func must[T any](obj T, err error) T {
	if err != nil {
		panic(err)
	}
	return obj
}

func TestRunCompletes(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "job/pi Pending: 0/2 succeeded")

	p1 := must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodRunning, runningCS()), metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 Running")
	p1.Status = corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{exited(0)}}
	must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, p1, metav1.UpdateOptions{}))
	must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-b", corev1.PodSucceeded, exited(0)), metav1.CreateOptions{}))
	// A pod of another controller with a matching label is not counted.
	stranger := testPod("other", corev1.PodFailed, exited(1))
	stranger.OwnerReferences = nil
	must(src.cs.CoreV1().Pods(ns).Create(ctx, stranger, metav1.CreateOptions{}))

	done := withCondition(job, batchv1.JobSuccessCriteriaMet, "CompletionsReached", "")
	done.Status.Succeeded = 1
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, done, metav1.UpdateOptions{}))
	r.waitFor(t, "job/pi Running: 1/2 succeeded")
	done = withCondition(done, batchv1.JobComplete, "CompletionsReached", "")
	done.Status.Succeeded = 2
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, done, metav1.UpdateOptions{}))

	res := r.wait(t)
	if res.Outcome != Complete || res.Err() != nil {
		t.Fatalf("outcome %s (%v), want Complete", res.Outcome, res.Err())
	}
	got := r.stderr.String()
	if !strings.Contains(got, "job/pi Complete: 2/2 succeeded, 0 active, 0 ready, 0 failed (1 of 1 retries left); pods: 2 Completed [") {
		t.Errorf("no final line:\n%s", got)
	}
	if strings.Contains(got, "failed:") || strings.Contains(got, "other") {
		t.Errorf("the stranger pod is reported:\n%s", got)
	}
	if r.stdout.String() != "" {
		t.Errorf("stdout %q without --logs", r.stdout.String())
	}
}

func TestRunFailedReportsPodsExitCodesAndLogs(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	var log strings.Builder
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&log, "2026-01-01T00:00:%02dZ line %d\n", i, i)
	}
	src.logs["pi-a/main"] = log.String()
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "no pods yet")
	must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodFailed, exited(3)), metav1.CreateOptions{}))
	gone := must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-b", corev1.PodFailed, exited(137)), metav1.CreateOptions{}))
	r.waitFor(t, "pod pi-b failed: container main exited with code 137 (Error)")
	// "pods: 1 Error" may have been shown already, with pi-a alone: the
	// deletion is seen when it is shown once more.
	before := strings.Count(r.stderr.String(), "pods: 1 Error")
	if err := src.cs.CoreV1().Pods(ns).Delete(ctx, gone.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r.waitForCount(t, "pods: 1 Error", before+1)
	failed := withCondition(job, batchv1.JobFailed, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
	failed.Status.Failed = 2
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, failed, metav1.UpdateOptions{}))

	res := r.wait(t)
	if res.Outcome != Failed {
		t.Fatalf("outcome %s, want Failed", res.Outcome)
	}
	if got, want := res.Err().Error(), "job/pi failed: BackoffLimitExceeded: Job has reached the specified backoff limit"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	got := r.stderr.String()
	var tail strings.Builder
	tail.WriteString("last 20 lines of pi-a/main:\n")
	for i := 6; i <= 25; i++ {
		fmt.Fprintf(&tail, "  line %d\n", i)
	}
	for _, want := range []string{
		"job/pi Failed: 0/2 succeeded, 0 active, 0 ready, 2 failed (0 of 1 retries left)",
		"failed pods of job/pi:\n  pi-a: container main exited with code 3 (Error)\n  pi-b: container main exited with code 137 (Error)\n",
		tail.String(),
		"last 20 lines of pi-b/main:\n  (the pod was deleted, and its log with it)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
}

func TestRunFailureTargetWaitsForFailed(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	target := withCondition(job, batchv1.JobFailureTarget, "PodFailurePolicy", "Container main for pod ns1/pi-a failed with exit code 42 matching FailJob rule at index 0")
	target.Status.Active = 1
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, target, metav1.UpdateOptions{}))
	r.waitFor(t, "job/pi is failing (PodFailurePolicy: Container main for pod ns1/pi-a failed with exit code 42 matching FailJob rule at index 0); waiting for its pods to stop")
	r.waitFor(t, "job/pi Failing:")
	select {
	case <-r.done:
		t.Fatal("the wait ended at FailureTarget, before the counts are final")
	case <-time.After(100 * time.Millisecond):
	}
	final := withCondition(target, batchv1.JobFailed, "PodFailurePolicy", "Container main for pod ns1/pi-a failed with exit code 42 matching FailJob rule at index 0")
	final.Status.Active, final.Status.Failed = 0, 1
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, final, metav1.UpdateOptions{}))
	if res := r.wait(t); res.Outcome != Failed || res.Reason != "PodFailurePolicy" {
		t.Errorf("outcome %s %s, want Failed PodFailurePolicy", res.Outcome, res.Reason)
	}
}

func TestRunDeleted(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "no pods yet")
	if err := src.cs.BatchV1().Jobs(ns).Delete(ctx, "pi", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	res := r.wait(t)
	if res.Outcome != Deleted || res.Err().Error() != "job/pi was deleted while waiting for it" {
		t.Errorf("outcome %s (%v), want Deleted", res.Outcome, res.Err())
	}
}

func TestRunJobGoneBeforeTheWatch(t *testing.T) {
	src := newFakeSource()
	// The create answered, but the Job was deleted before the watch began.
	r := startRun(t, src, testJob("pi"), Options{})
	if res := r.wait(t); res.Outcome != Deleted {
		t.Errorf("outcome %s, want Deleted", res.Outcome)
	}
}

func TestRunTimeoutAndInterrupt(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{Timeout: 200 * time.Millisecond})
	res := r.wait(t)
	if res.Outcome != TimedOut {
		t.Fatalf("outcome %s, want TimedOut", res.Outcome)
	}
	if want := "timed out after 200ms waiting for job/pi, which keeps running; follow it again with: kubectl job-wizard follow pi -n ns1"; res.Err().Error() != want {
		t.Errorf("Err() = %q, want %q", res.Err(), want)
	}

	r = startRun(t, src, job, Options{})
	r.waitFor(t, "no pods yet")
	r.cancel()
	res = r.wait(t)
	if res.Outcome != Interrupted || !strings.Contains(res.Err().Error(), "job/pi keeps running; follow it again with: kubectl job-wizard follow pi -n ns1") {
		t.Errorf("outcome %s (%v), want Interrupted with how to follow again", res.Outcome, res.Err())
	}
}

// fakeClock is a clock that moves only when a test says so, so the stuck
// timeout does not race a loaded machine.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRunStuck(t *testing.T) {
	src, clock, job := stuckFixture()
	ctx := context.Background()
	r := startRun(t, src, job, Options{StuckTimeout: 50 * time.Millisecond, now: clock.now})
	pod := must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodPending, waiting("ErrImagePull", "not found")), metav1.CreateOptions{}))
	r.waitFor(t, "pod pi-a is stuck: ErrImagePull: container main: not found (the wait gives up in 50ms unless it recovers)")
	// Its turn with ImagePullBackOff is the same trouble, told once.
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("ImagePullBackOff", "Back-off pulling image")}
	must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	r.waitFor(t, "pods: 1 ImagePullBackOff")
	clock.advance(40 * time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	r.stillRunning(t, "the wait ended before the pod was stuck for --stuck-timeout")
	clock.advance(20 * time.Millisecond)
	res := r.wait(t)
	if res.Outcome != Stuck || res.Pod != "pi-a" || res.Reason != "ImagePullBackOff" {
		t.Fatalf("outcome %s pod %s reason %s, want Stuck pi-a ImagePullBackOff", res.Outcome, res.Pod, res.Reason)
	}
	if n := strings.Count(r.stderr.String(), "is stuck"); n != 1 {
		t.Errorf("the stuck pod was told %d times:\n%s", n, r.stderr.String())
	}
	if want := "pod pi-a has been stuck for 50ms: ImagePullBackOff: container main: Back-off pulling image; job/pi is left as it is (see kubectl describe pod pi-a -n ns1)"; res.Err().Error() != want {
		t.Errorf("Err() = %q\nwant     %q", res.Err(), want)
	}
}

func TestRunStuckRecoversAndZeroDisables(t *testing.T) {
	src, clock, job := stuckFixture()
	ctx := context.Background()

	// A pod that recovers starts its stuck time afresh when stuck again.
	r := startRun(t, src, job, Options{StuckTimeout: time.Minute, now: clock.now})
	pod := must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodPending, waiting("ErrImagePull", "x")), metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 ErrImagePull")
	clock.advance(50 * time.Second)
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("ContainerCreating", "")}
	pod = must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	r.waitFor(t, "pods: 1 ContainerCreating")
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("ErrImagePull", "x")}
	must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	r.waitForCount(t, "pods: 1 ErrImagePull", 2)
	clock.advance(50 * time.Second)
	time.Sleep(100 * time.Millisecond)
	r.cancel()
	if res := r.wait(t); res.Outcome != Interrupted {
		t.Errorf("outcome %s, want Interrupted: no spell of being stuck lasted a minute", res.Outcome)
	}

	// --stuck-timeout 0 tells the reason but never ends the wait.
	src = newFakeSource()
	job = must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r = startRun(t, src, job, Options{StuckTimeout: 0, now: clock.now})
	must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodPending, waiting("CreateContainerConfigError", `configmap "cfg" not found`)), metav1.CreateOptions{}))
	r.waitFor(t, `pod pi-a is stuck: CreateContainerConfigError: container main: configmap "cfg" not found (--stuck-timeout is 0, so the wait goes on)`)
	clock.advance(24 * time.Hour)
	time.Sleep(100 * time.Millisecond)
	r.cancel()
	if res := r.wait(t); res.Outcome != Interrupted {
		t.Errorf("outcome %s, want Interrupted: --stuck-timeout 0 never ends the wait", res.Outcome)
	}
}

func TestRunSuspended(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	j := testJob("pi")
	j.Spec.Suspend = new(true)
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "job/pi is suspended; waiting until it is resumed")
	r.waitFor(t, "job/pi Suspended:")
	job = job.DeepCopy() // Run holds the one it was given
	job.Spec.Suspend = new(false)
	must(src.cs.BatchV1().Jobs(ns).Update(ctx, job, metav1.UpdateOptions{}))
	r.waitFor(t, "job/pi was resumed")
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, withCondition(job, batchv1.JobComplete, "", ""), metav1.UpdateOptions{}))
	if res := r.wait(t); res.Outcome != Complete {
		t.Errorf("outcome %s, want Complete", res.Outcome)
	}
}

func TestRunLogsEveryContainerOnceWithPrefixes(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	src.logs["pi-a/init"] = "2026-01-01T00:00:00.1Z fetching\n"
	src.logs["pi-a/main"] = "2026-01-01T00:00:01.1Z one\n2026-01-01T00:00:01.1Z one again\n2026-01-01T00:00:02.5Z two\n2026-01-01T00:00:03Z three"
	// The first stream breaks after two lines, as when the API server
	// restarts; the second read must neither lose nor repeat a line.
	var once sync.Once
	brokenText := "2026-01-01T00:00:01.1Z one\n2026-01-01T00:00:01.1Z one again\n"
	r := startRun(t, &brokenFirst{fakeSource: src, container: "main", first: brokenText, once: &once}, job, Options{Logs: true})

	pod := testPod("pi-a", corev1.PodRunning, runningCS())
	pod.Spec.InitContainers = []corev1.Container{{Name: "init"}}
	pod.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "init", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ContainerID: "c://i"}}}}
	pod = must(src.cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.stdout.String(), "[pi-a/main] three") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pod.Status.Phase = corev1.PodSucceeded
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{exited(0)}
	must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, withCondition(job, batchv1.JobComplete, "", ""), metav1.UpdateOptions{}))
	r.wait(t)
	want := "[pi-a/init] fetching\n[pi-a/main] one\n[pi-a/main] one again\n[pi-a/main] two\n[pi-a/main] three\n"
	got := r.stdout.String()
	if strings.Contains(got, "[pi-a/init]") && strings.Contains(got, "[pi-a/main]") {
		// Init and main stream side by side; compare each on its own.
		for _, c := range []string{"init", "main"} {
			if filterPrefix(got, "[pi-a/"+c+"]") != filterPrefix(want, "[pi-a/"+c+"]") {
				t.Errorf("%s log:\n%s\nwant:\n%s", c, filterPrefix(got, "[pi-a/"+c+"]"), filterPrefix(want, "[pi-a/"+c+"]"))
			}
		}
	} else {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func filterPrefix(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// brokenFirst cuts the first stream of a container short, as a dropped
// connection does, and hides a sinceTime-less server: every later read
// sends the whole log again.
type brokenFirst struct {
	*fakeSource
	container string
	first     string
	once      *sync.Once
}

func (b *brokenFirst) PodLogs(ctx context.Context, namespace, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	if o.Container == b.container {
		var first bool
		b.once.Do(func() { first = true })
		if first {
			return io.NopCloser(io.MultiReader(strings.NewReader(b.first), errReader{errors.New("unexpected EOF")})), nil
		}
	}
	return b.fakeSource.PodLogs(ctx, namespace, pod, o)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestRunNameNotFoundAndUnreachable(t *testing.T) {
	src := newFakeSource()
	_, err := RunName(context.Background(), src, ns, "nope", Options{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("err = %v, want NotFound", err)
	}

	var stderr bytes.Buffer
	res, err := RunName(context.Background(), unreachable{src}, ns, "pi", Options{Timeout: 300 * time.Millisecond, ErrOut: &stderr})
	if err != nil || res.Outcome != TimedOut {
		t.Fatalf("res %+v err %v, want TimedOut", res, err)
	}
	if !strings.Contains(stderr.String(), "cannot reach the API server (dial tcp 127.0.0.1:1: connect: connection refused); retrying") {
		t.Errorf("stderr %q", stderr.String())
	}
}

type unreachable struct{ *fakeSource }

func (unreachable) GetJob(context.Context, string, string) (*batchv1.Job, error) {
	return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
}

func TestRunSaysPullingFromTheKubeletsEvent(t *testing.T) {
	src := newFakeSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{Timeout: 10 * time.Second})
	pod := must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodPending, waiting("ContainerCreating", "")), metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 ContainerCreating")
	must(src.cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "pi-a.pull", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "pi-a", UID: pod.UID},
		Reason:         "Pulling", Message: `Pulling image "perl:5.28.0"`,
	}, metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 Pulling")
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{runningCS()}}
	must(src.cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	r.waitFor(t, "pods: 1 Running")
	r.cancel()
	r.wait(t)
}

// expiringSource ends the first pod watch as an API server does that has
// compacted the resourceVersion away (410 Expired), right after its first
// event, so the reflector must list again.
type expiringSource struct {
	*fakeSource
	watches atomic.Int32
	lists   atomic.Int32
}

func (s *expiringSource) ListPods(ctx context.Context, ns string, o metav1.ListOptions) (*corev1.PodList, error) {
	s.lists.Add(1)
	return s.fakeSource.ListPods(ctx, ns, o)
}

func (s *expiringSource) WatchPods(ctx context.Context, ns string, o metav1.ListOptions) (watch.Interface, error) {
	w, err := s.fakeSource.WatchPods(ctx, ns, o)
	if err != nil || s.watches.Add(1) > 1 {
		return w, err
	}
	ch := make(chan watch.Event)
	pw := watch.NewProxyWatcher(ch)
	go func() {
		defer close(ch)
		defer w.Stop()
		send := func(ev watch.Event) bool {
			select {
			case ch <- ev:
				return true
			case <-pw.StopChan():
				return false
			}
		}
		ev, ok := <-w.ResultChan()
		if !ok {
			return
		}
		expired := apierrors.NewResourceExpired("too old resource version: 1 (42)").ErrStatus
		if send(ev) {
			send(watch.Event{Type: watch.Error, Object: &expired})
		}
	}()
	return pw, nil
}

func TestRunRelistsAfterExpiredWatchWithoutRepeats(t *testing.T) {
	base := newFakeSource()
	src := &expiringSource{fakeSource: base}
	ctx := context.Background()
	job := must(base.cs.BatchV1().Jobs(ns).Create(ctx, testJob("pi"), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "no pods yet")
	// The pod must come by the first watch, which then expires: one made
	// before the watch is open would come by the list instead.
	for deadline := time.Now().Add(10 * time.Second); src.watches.Load() < 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	must(base.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodFailed, exited(1)), metav1.CreateOptions{}))
	r.waitFor(t, "pod pi-a failed")
	deadline := time.Now().Add(10 * time.Second)
	for src.lists.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if src.lists.Load() < 2 {
		t.Fatalf("the pods were listed %d times; the expired watch was not followed by a new list", src.lists.Load())
	}
	must(base.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-b", corev1.PodSucceeded, exited(0)), metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 Completed, 1 Error")
	failed := withCondition(job, batchv1.JobFailed, "BackoffLimitExceeded", "")
	failed.Status.Failed, failed.Status.Succeeded = 1, 1
	must(base.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, failed, metav1.UpdateOptions{}))
	r.wait(t)
	got := r.stderr.String()
	if n := strings.Count(got, "pod pi-a failed"); n != 1 {
		t.Errorf("the failed pod was told %d times across the relist:\n%s", n, got)
	}
	if n := strings.Count(got, "  pi-a: container main exited with code 1"); n != 1 {
		t.Errorf("the failed pod is in the report %d times:\n%s", n, got)
	}
}
