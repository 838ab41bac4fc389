package follow

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodStatusNamesAsKubectl(t *testing.T) {
	initDone := corev1.ContainerStatus{Name: "init", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}
	initWaiting := corev1.ContainerStatus{Name: "init", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}
	withInit := func(p *corev1.Pod, cs ...corev1.ContainerStatus) *corev1.Pod {
		p.Spec.InitContainers = []corev1.Container{{Name: "init"}}
		p.Status.InitContainerStatuses = cs
		return p
	}
	unschedulable := testPod("u", corev1.PodPending)
	unschedulable.Spec.NodeName = ""
	unschedulable.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/1 nodes are available"}}
	deleting := testPod("d", corev1.PodRunning, runningCS())
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}

	for name, tc := range map[string]struct {
		pod  *corev1.Pod
		want string
	}{
		"pending":            {testPod("p", corev1.PodPending), "Pending"},
		"creating":           {testPod("p", corev1.PodPending, waiting("ContainerCreating", "")), "ContainerCreating"},
		"pulling":            {testPod("p", corev1.PodPending, waiting("Pulling", "")), "Pulling"},
		"image pull backoff": {testPod("p", corev1.PodPending, waiting("ImagePullBackOff", "x")), "ImagePullBackOff"},
		"running":            {testPod("p", corev1.PodRunning, runningCS()), "Running"},
		"completed":          {testPod("p", corev1.PodSucceeded, exited(0)), "Completed"},
		"error":              {testPod("p", corev1.PodFailed, exited(2)), "Error"},
		"init running":       {withInit(testPod("p", corev1.PodPending, waiting("PodInitializing", "")), initWaiting), "Init:0/1"},
		"init done":          {withInit(testPod("p", corev1.PodRunning, runningCS()), initDone), "Running"},
		"unschedulable":      {unschedulable, "Unschedulable"},
		"terminating":        {deleting, "Terminating"},
		"deadline":           {&corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "DeadlineExceeded"}}, "DeadlineExceeded"},
	} {
		if got := podStatus(tc.pod); got != tc.want {
			t.Errorf("%s: podStatus = %q, want %q", name, got, tc.want)
		}
	}
}

func TestStuck(t *testing.T) {
	for name, tc := range map[string]struct {
		pod    *corev1.Pod
		reason string
	}{
		"image pull":        {testPod("p", corev1.PodPending, waiting("ErrImagePull", "x")), "ErrImagePull"},
		"invalid image":     {testPod("p", corev1.PodPending, waiting("InvalidImageName", "x")), "InvalidImageName"},
		"config":            {testPod("p", corev1.PodPending, waiting("CreateContainerConfigError", "x")), "CreateContainerConfigError"},
		"creating is fine":  {testPod("p", corev1.PodPending, waiting("ContainerCreating", "")), ""},
		"crash loop is not": {testPod("p", corev1.PodRunning, waiting("CrashLoopBackOff", "")), ""},
	} {
		if got, _ := stuck(tc.pod); got != tc.reason {
			t.Errorf("%s: stuck = %q, want %q", name, got, tc.reason)
		}
	}
}

func TestSummaryLines(t *testing.T) {
	job := testJob("pi")
	job.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	job.Spec.BackoffLimit = new(int32(4))
	job.Status.Active, job.Status.Failed, job.Status.Succeeded = 1, 1, 1
	job.Status.Ready = new(int32(1))
	restarted := testPod("a", corev1.PodRunning, runningCS())
	restarted.Status.ContainerStatuses[0].RestartCount = 2
	s := summarize(job, countsOf([]*corev1.Pod{restarted, testPod("b", corev1.PodSucceeded, exited(0))}))
	// Restarts in place count against the limit: 1 failed + 2 restarts.
	if want := "job/pi Running: 1/2 succeeded, 1 active, 1 ready, 1 failed (1 of 4 retries left); pods: 1 Running, 1 Completed"; s.line() != want {
		t.Errorf("line = %q\nwant   %q", s.line(), want)
	}
	if want := "job/pi Running: active 1, ready 1, failed 1 (1 retries left); 1 Running, 1 Completed"; s.short() != want {
		t.Errorf("short = %q\nwant    %q", s.short(), want)
	}

	idx := testJob("ix")
	idx.Spec.BackoffLimit = nil
	idx.Spec.BackoffLimitPerIndex = new(int32(1))
	idx.Spec.Completions = nil
	idx.Status.FailedIndexes = new("3,5")
	s = summarize(idx, newPodCounts())
	if want := "job/ix Pending: 0 succeeded, 0 active, 0 ready, 0 failed (backoff limit 1 per index; failed indexes 3,5); pods: no pods yet"; s.line() != want {
		t.Errorf("line = %q\nwant   %q", s.line(), want)
	}
}

func TestDescribeFitsTheTerminal(t *testing.T) {
	o := newOutput(nil, nil, false, false, false, time.Now)
	o.barWidth = func() int { return 60 }
	s := summary{Name: strings.Repeat("long-name-", 5), State: "Running", Completions: 100, Pods: []phaseCount{{"Running", 3}}}
	d := o.describe(s)
	if !strings.HasSuffix(d, "…") || len([]rune(d)) > 60-7-barCells-2-len("(100/100) ")-4-2 {
		t.Errorf("describe = %q (%d runes), want it cut to the room left", d, len([]rune(d)))
	}
}

func TestSplitTimestamp(t *testing.T) {
	ts, text := splitTimestamp("2026-01-02T03:04:05.123456789Z hello world")
	if text != "hello world" || ts.Nanosecond() != 123456789 {
		t.Errorf("got %v %q", ts, text)
	}
	if ts, text := splitTimestamp("no timestamp here"); !ts.IsZero() || text != "no timestamp here" {
		t.Errorf("got %v %q", ts, text)
	}
	if _, text := splitTimestamp("2026-01-02T03:04:05Z"); text != "" {
		t.Errorf("an empty line with a timestamp gave %q", text)
	}
}

func TestIndexNote(t *testing.T) {
	p := testPod("p", corev1.PodFailed)
	p.Annotations = map[string]string{batchv1.JobCompletionIndexAnnotation: "3"}
	if got := indexNote(p); got != " (index 3)" {
		t.Errorf("indexNote = %q", got)
	}
}
