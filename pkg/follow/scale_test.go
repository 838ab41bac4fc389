package follow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Without a terminal the progress grows with time, not with pods: a line
// at each change of the Job's state; otherwise at most one a 10 s, and
// with a completion count only at a new tenth of it.
func TestOutputPlainRateRule(t *testing.T) {
	var errOut bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	o := newOutput(nil, &errOut, false, false, false, clock.now)
	s := summary{Name: "pi", State: "Pending", Completions: 1000, RetriesLeft: 6, BackoffLimit: 6}
	lines := func() int { return strings.Count(errOut.String(), "\n") }

	o.status(s) // the first line, always
	s.State, s.Active = "Running", 100
	o.status(s) // a new state: at once
	if lines() != 2 {
		t.Fatalf("%d lines after two states, want 2:\n%s", lines(), errOut.String())
	}
	// A thousand pod events within seconds: no line, whatever changes.
	for i := 1; i <= 1000; i++ {
		s.Succeeded = int32(i / 10)
		s.Pods = []phaseCount{{"Running", 100}, {"Completed", i}}
		o.status(s)
		if i%100 == 0 {
			clock.advance(time.Second)
		}
	}
	if lines() != 2 {
		t.Fatalf("%d lines within 10s, want 2:\n%s", lines(), errOut.String())
	}
	// 10 s passed and 100 of 1000 succeeded: one line.
	clock.advance(time.Second)
	s.Pods = []phaseCount{{"Running", 99}}
	o.status(s)
	if lines() != 3 {
		t.Fatalf("%d lines at 10s and 10%%, want 3:\n%s", lines(), errOut.String())
	}
	// Time alone is not enough while the count stays within a tenth.
	for i := 0; i < 60; i++ {
		clock.advance(10 * time.Second)
		s.Succeeded++
		o.status(s)
	}
	if lines() != 3 {
		t.Fatalf("%d lines for 60 more succeeded over 10 min, want 3:\n%s", lines(), errOut.String())
	}
	// A tenth more, but within 10 s of the last line: wait for the 10 s.
	s.Succeeded = 200
	o.status(s)
	if lines() != 4 {
		t.Fatalf("%d lines at 20%%, want 4", lines())
	}
	clock.advance(time.Second)
	s.Succeeded = 300
	o.status(s)
	if lines() != 4 {
		t.Fatalf("%d lines at 30%% 1 s later, want 4", lines())
	}
	clock.advance(9 * time.Second)
	s.Active--
	o.status(s)
	if lines() != 5 {
		t.Fatalf("%d lines at 30%% 10 s later, want 5", lines())
	}
	// Events are always told, and the final state always shown.
	o.event("pod pi-x failed: container main exited with code 1 (Error)")
	s.State, s.Succeeded = "Complete", 1000
	o.final(s)
	if lines() != 7 || !strings.HasSuffix(errOut.String(), "job/pi Complete: 1000/1000 succeeded, 99 active, 0 ready, 0 failed (6 of 6 retries left); pods: 99 Running [10m21s]\n") {
		t.Errorf("%d lines, want 7 ending with the final state:\n%s", lines(), errOut.String())
	}
	// With no pod succeeding, other news comes at the 10 s pace.
	clock.advance(10 * time.Second)
	s.State, s.Succeeded = "Running", 300
	o.lastState, o.lastSucceeded = "Running", 300
	s.Active = 7
	before := lines()
	o.status(s)
	if lines() != before+1 {
		t.Errorf("no line 10 s after the last with no pod succeeding since:\n%s", errOut.String())
	}
	// A Job without a completion count: a line a 10 s at most.
	errOut.Reset()
	o = newOutput(nil, &errOut, false, false, false, clock.now)
	s = summary{Name: "q", State: "Running", Completions: -1}
	for i := 0; i < 100; i++ {
		s.Active = int32(i)
		o.status(s)
		clock.advance(time.Second)
	}
	if lines() != 10 {
		t.Errorf("%d lines for 100 changes over 100 s, want 10:\n%s", lines(), errOut.String())
	}
}

func TestCreateFailureCause(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{`Error creating: pods "psa-x7k2p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "psa" must set securityContext.allowPrivilegeEscalation=false)`,
			`Pod Security level "restricted:latest" of namespace ns1 forbids the pods: allowPrivilegeEscalation != false (container "psa" must set securityContext.allowPrivilegeEscalation=false)`},
		{`Error creating: pods "q-abcde" is forbidden: exceeded quota: pods-zero, requested: pods=1, used: pods=0, limited: pods=0`,
			`ResourceQuota "pods-zero" is used up: the pod requests pods=1, pods=0 is used of a limit of pods=0`},
		{`Error creating: pods "q-abcde" is forbidden: failed quota: compute: must specify limits.cpu for: q; requests.cpu for: q`,
			`ResourceQuota "compute" refuses the pods: must specify limits.cpu for: q; requests.cpu for: q`},
		{`Error creating: admission webhook "deny.example.com" denied the request: no jobs on fridays`,
			`admission webhook "deny.example.com" denies the pods: no jobs on fridays`},
		{`Error creating: Internal error occurred: failed calling webhook "x.example.com": context deadline exceeded`,
			`admission webhook "x.example.com" cannot be called: context deadline exceeded`},
		{`Error creating: pods "sa-" is forbidden: error looking up service account ns1/robot: serviceaccount "robot" not found`,
			`ServiceAccount "robot" does not exist in namespace ns1`},
		{`Error creating: something else`, `something else`},
	} {
		if got := createFailureCause(tc.msg, ns); got != tc.want {
			t.Errorf("cause of %q\n = %q\nwant %q", tc.msg, got, tc.want)
		}
	}
	a := createFailureKey(`Error creating: pods "pi-aaaaa" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`)
	b := createFailureKey(`Error creating: pods "pi-bbbbb" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`)
	if a != b {
		t.Errorf("two refusals differing only in the pod's name are two troubles: %q, %q", a, b)
	}
}

func failedCreate(name, msg string, at time.Time) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Job", Namespace: ns, Name: "pi", UID: jobUID},
		Reason:         failedCreateReason, Type: corev1.EventTypeWarning, Message: msg, Count: 1,
		LastTimestamp: metav1.NewTime(at),
	}
}

func TestRunFailedCreateIsStuck(t *testing.T) {
	src, clock, job := stuckFixture()
	ctx := context.Background()
	r := startRun(t, src, job, Options{StuckTimeout: 300 * time.Millisecond, now: clock.now})
	r.waitFor(t, "no pods yet")
	msg := `Error creating: pods "pi-aaaaa" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`
	ev := must(src.cs.CoreV1().Events(ns).Create(ctx, failedCreate("pi.1", msg, clock.now()), metav1.CreateOptions{}))
	r.waitFor(t, `job/pi cannot create its pods: ResourceQuota "q" is used up: the pod requests pods=1, pods=1 is used of a limit of pods=1 (the wait gives up in 300ms unless a pod is created)`)
	// Retries with the same trouble (the recorder's count, a new pod name)
	// are not told again.
	ev.Count = 2
	must(src.cs.CoreV1().Events(ns).Update(ctx, ev, metav1.UpdateOptions{}))
	must(src.cs.CoreV1().Events(ns).Create(ctx, failedCreate("pi.2", strings.Replace(msg, "aaaaa", "bbbbb", 1), clock.now()), metav1.CreateOptions{}))
	// A pod created after the refusal ends the spell.
	clock.advance(250 * time.Millisecond)
	pod := testPod("pi-c", corev1.PodSucceeded, exited(0))
	pod.CreationTimestamp = metav1.NewTime(clock.now().Add(time.Second))
	must(src.cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}))
	r.waitFor(t, "pods: 1 Completed")
	clock.advance(100 * time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	r.stillRunning(t, "the wait ended though a pod was created")
	// Refused again, now for a minute: exit as stuck, the cause named.
	must(src.cs.CoreV1().Events(ns).Create(ctx, failedCreate("pi.3", strings.Replace(msg, "aaaaa", "ddddd", 1), clock.now().Add(2*time.Second)), metav1.CreateOptions{}))
	time.Sleep(100 * time.Millisecond)
	clock.advance(400 * time.Millisecond)
	res := r.wait(t)
	if res.Outcome != Stuck || res.Reason != failedCreateReason || res.Pod != "" {
		t.Fatalf("outcome %s reason %s pod %q, want Stuck FailedCreate", res.Outcome, res.Reason, res.Pod)
	}
	if want := `job/pi has not been able to create its pods for 300ms: ResourceQuota "q" is used up: the pod requests pods=1, pods=1 is used of a limit of pods=1; job/pi is left as it is (see kubectl describe job/pi -n ns1)`; res.Err().Error() != want {
		t.Errorf("Err() = %q\nwant     %q", res.Err(), want)
	}
	if n := strings.Count(r.stderr.String(), "cannot create its pods"); n != 1 {
		t.Errorf("one trouble told %d times:\n%s", n, r.stderr.String())
	}
}

// More containers than --max-log-requests: the rest wait, each log comes
// once and whole, and the wait is told once.
func TestRunMaxLogRequestsQueues(t *testing.T) {
	base := newFakeSource()
	src := &countingLogs{fakeSource: base, release: make(chan struct{})}
	ctx := context.Background()
	j := testJob("pi")
	j.Spec.Completions = new(int32(8))
	job := must(base.cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}))
	var names []string
	for i := 0; i < 8; i++ {
		name := fmt.Sprintf("pi-%d", i)
		names = append(names, name)
		base.logs[name+"/main"] = fmt.Sprintf("2026-01-01T00:00:01Z %s one\n2026-01-01T00:00:02Z %s two\n", name, name)
	}
	r := startRun(t, src, job, Options{Logs: true, MaxLogRequests: 2})
	for _, name := range names {
		must(base.cs.CoreV1().Pods(ns).Create(ctx, testPod(name, corev1.PodSucceeded, exited(0)), metav1.CreateOptions{}))
	}
	r.waitFor(t, "more containers than --max-log-requests=2")
	time.Sleep(100 * time.Millisecond)
	if got := src.max.Load(); got > 2 {
		t.Errorf("%d log streams open at once, want at most 2", got)
	}
	close(src.release)
	done := withCondition(job, batchv1.JobComplete, "", "")
	done.Status.Succeeded = 8
	must(base.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, done, metav1.UpdateOptions{}))
	r.wait(t)
	out := r.stdout.String()
	for _, name := range names {
		want := fmt.Sprintf("[%[1]s/main] %[1]s one\n[%[1]s/main] %[1]s two\n", name)
		if got := filterPrefix(out, "["+name+"/main]"); got != want {
			t.Errorf("%s's log is not there once and whole:\n%s", name, out)
		}
	}
	if got := src.max.Load(); got > 2 {
		t.Errorf("%d log streams open at once, want at most 2", got)
	}
	if n := strings.Count(r.stderr.String(), "--max-log-requests"); n != 1 {
		t.Errorf("the wait for a stream told %d times:\n%s", n, r.stderr.String())
	}
}

func TestStripPodKeepsWhatReportsNeed(t *testing.T) {
	p := testPod("pi-a", corev1.PodFailed, exited(3))
	p.Annotations = map[string]string{batchv1.JobCompletionIndexAnnotation: "4", "big": strings.Repeat("x", 4096)}
	p.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}
	p.Spec.Containers[0].Image = "busybox"
	p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "b"}}
	p.Status.ContainerStatuses[0].RestartCount = 2
	p.Status.ContainerStatuses[0].State.Terminated.StartedAt = metav1.Unix(10, 0)
	p.Status.ContainerStatuses[0].State.Terminated.FinishedAt = metav1.Unix(20, 0)
	p.Status.ContainerStatuses[0].Image = "docker.io/library/busybox:latest"
	p.Status.StartTime = new(metav1.Unix(9, 0))
	s := stripPod(p, &interner{})
	if s.Annotations["big"] != "" || len(s.ManagedFields) != 0 || len(s.Spec.Containers) != 0 || s.Status.ContainerStatuses[0].Image != "" {
		t.Errorf("kept what the follow does not need: %+v", s)
	}
	if completionIndex(s) != "4" || metav1.GetControllerOf(s) == nil || s.Status.Phase != corev1.PodFailed ||
		describeFailure(s) != "container main exited with code 3 (Error)" || podRestarts(s) != 0 ||
		s.Status.ContainerStatuses[0].RestartCount != 2 || s.Status.StartTime == nil ||
		s.Status.ContainerStatuses[0].State.Terminated.FinishedAt.Unix() != 20 {
		t.Errorf("lost what the follow or the reports need: %+v", s)
	}
}

// countingLogs holds each log stream open until release is closed, and
// counts the streams open at once.
type countingLogs struct {
	*fakeSource
	release   chan struct{}
	open, max atomic.Int32
}

func (s *countingLogs) PodLogs(ctx context.Context, namespace, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	n := s.open.Add(1)
	for {
		m := s.max.Load()
		if n <= m || s.max.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	rc, err := s.fakeSource.PodLogs(ctx, namespace, pod, o)
	if err != nil {
		s.open.Add(-1)
		return nil, err
	}
	return closeFunc{rc, func() { s.open.Add(-1) }}, nil
}

type closeFunc struct {
	io.ReadCloser
	done func()
}

func (c closeFunc) Close() error { c.done(); return c.ReadCloser.Close() }
