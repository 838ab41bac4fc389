package follow

import (
	"bytes"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// FuzzFollowLines: a hostile string from the cluster (a pod's or
// container's name, a termination reason and message, a waiting reason, an
// event's message, a log line) never reaches the terminal raw through the
// follow's lines: the events (failed, stuck, cannot create pods), the
// report's block, the plain progress lines, the bar's text and the log
// lines with their [pod/container] prefix.
func FuzzFollowLines(f *testing.F) {
	for _, s := range []string{"pi", "\x1b[31mred\x1b[0m", "a\u202eb", "x\x9b2J", "\xff\xfe", "l\u2028m", "\t\r\n", "\x07\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var out, errOut bytes.Buffer
		clock := time.Unix(0, 0)
		o := newOutput(&out, &errOut, true, false, false, func() time.Time { return clock })
		o.barWidth = func() int { return 80 } // the bar's text is checked, not drawn
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: s, Annotations: map[string]string{"batch.kubernetes.io/job-completion-index": s}},
			Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: s, Message: s, ContainerStatuses: []corev1.ContainerStatus{
				{Name: s, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: s, Message: s}}},
				{Name: s, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: s}}},
			}},
		}
		o.event("pod %s%s failed: %s", pod.Name, indexNote(pod), describeFailure(pod))
		reason, msg := stuck(pod)
		o.event("pod %s%s is stuck: %s: %s (%s)", pod.Name, indexNote(pod), reason, msg, s)
		o.event("job/%s cannot create its pods: %s (%s)", s, createFailureCause(s, s), s)
		o.block([]string{s, "container " + s + ":", "  " + s})
		o.logLine(logPrefix(s, s), 0, s)
		sum := summary{Name: s, State: s, FailedIdx: s, PerIndex: true, Pods: []phaseCount{{Status: s, N: 1}, {Status: podStatus(pod), N: 1}}}
		o.status(sum)
		clock = clock.Add(time.Minute)
		o.final(summary{Name: s, State: "Failed " + s})
		for where, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String(), "the bar": o.describe(sum)} {
			for _, line := range strings.Split(text, "\n") {
				if termtext.Escape(line) != line {
					t.Fatalf("%s carries %q raw", where, line)
				}
			}
		}
	})
}
