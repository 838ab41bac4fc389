package follow

import (
	"context"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// What pkg/report reads of a pod, so a report, the coach and the follow's
// own lines judge a pod by the same rules.

// ContainerFailure is one container run that ended badly.
type ContainerFailure = containerFailure

// Failures lists the containers of a pod whose current run, else whose last
// run, exited with a non-zero code; init containers first.
func Failures(pod *corev1.Pod) []ContainerFailure { return failures(pod) }

// StuckReason tells why a pod cannot make progress by itself (ImagePullBackOff,
// CreateContainerConfigError, Unschedulable …); "" for a pod that is fine.
func StuckReason(pod *corev1.Pod) (reason, message string) { return stuck(pod) }

// CompletionIndex is the pod's index in an Indexed Job, or "".
func CompletionIndex(pod *corev1.Pod) string { return completionIndex(pod) }

// ReadTail reads the last n lines of a container's log (the previous run's
// with previous), at most 256 KiB of them.
func ReadTail(ctx context.Context, src Source, namespace, pod, container string, previous bool, n int64) ([]string, error) {
	rc, err := src.PodLogs(ctx, namespace, pod, &corev1.PodLogOptions{Container: container, TailLines: &n, Previous: previous})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 256<<10))
	if err != nil {
		return nil, err
	}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil, nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines, nil
}
