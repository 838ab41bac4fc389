package follow

import (
	"fmt"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// stuckReasons are the waiting reasons that do not go away by waiting: the
// image cannot be had or the container cannot be configured. CrashLoopBackOff
// is left out on purpose: the Job's backoff limit already ends that.
var stuckReasons = map[string]bool{
	"ErrImagePull":               true,
	"ImagePullBackOff":           true,
	"InvalidImageName":           true,
	"CreateContainerConfigError": true,
}

// podStatus is the one-word status of a pod as `kubectl get pods` names it
// (ContainerCreating, Init:0/1, Running, Completed, Error, ImagePullBackOff,
// Terminating ...), so what the progress shows matches what users look up.
func podStatus(pod *corev1.Pod) string {
	reason := string(pod.Status.Phase)
	if pod.Status.Reason != "" {
		reason = pod.Status.Reason
	}
	if pod.Status.Phase == corev1.PodPending && pod.Spec.NodeName == "" {
		if c := podCondition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return "Unschedulable"
		}
	}

	initializing := false
	for i, cs := range pod.Status.InitContainerStatuses {
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case isRestartableInit(pod, cs.Name) && cs.Started != nil && *cs.Started:
			continue
		case cs.State.Terminated != nil:
			if cs.State.Terminated.Reason != "" {
				reason = "Init:" + cs.State.Terminated.Reason
			} else {
				reason = "Init:ExitCode:" + strconv.Itoa(int(cs.State.Terminated.ExitCode))
			}
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + cs.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		initializing = true
		break
	}

	if !initializing {
		running := false
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := pod.Status.ContainerStatuses[i]
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				reason = cs.State.Waiting.Reason
			case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
				reason = cs.State.Terminated.Reason
			case cs.State.Terminated != nil:
				reason = "ExitCode:" + strconv.Itoa(int(cs.State.Terminated.ExitCode))
			case cs.State.Running != nil:
				running = true
			}
		}
		if reason == "Completed" && running {
			reason = string(corev1.PodRunning)
		}
	}
	if pod.DeletionTimestamp != nil && !podDone(pod) {
		reason = "Terminating"
	}
	return reason
}

func isRestartableInit(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false
}

func podCondition(pod *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == typ {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func podDone(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// stuck tells why a pod cannot make progress by itself: a container waiting
// for an image it cannot pull or a config it cannot find, or no node to run
// on. reason is empty for a pod that is fine.
func stuck(pod *corev1.Pod) (reason, message string) {
	if podDone(pod) || pod.DeletionTimestamp != nil {
		return "", ""
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, cs := range list {
			if w := cs.State.Waiting; w != nil && stuckReasons[w.Reason] {
				msg := "container " + cs.Name
				if w.Message != "" {
					msg += ": " + w.Message
				}
				return w.Reason, msg
			}
		}
	}
	if pod.Spec.NodeName == "" {
		if c := podCondition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return c.Reason, c.Message
		}
	}
	return "", ""
}

// containerFailure is one container run that ended badly.
type containerFailure struct {
	Container string
	Init      bool
	ExitCode  int32
	Reason    string // Error, OOMKilled, DeadlineExceeded ...
	Message   string
	// Previous means the failure is the container's last run, not the
	// current one (restartPolicy OnFailure): its log is the previous log.
	Previous bool
}

// failures lists the containers of a pod that exited with a non-zero code,
// init containers first.
func failures(pod *corev1.Pod) []containerFailure {
	var out []containerFailure
	add := func(list []corev1.ContainerStatus, init bool) {
		for _, cs := range list {
			if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
				out = append(out, containerFailure{Container: cs.Name, Init: init, ExitCode: t.ExitCode, Reason: t.Reason, Message: t.Message})
			} else if t := cs.LastTerminationState.Terminated; t != nil && t.ExitCode != 0 {
				out = append(out, containerFailure{Container: cs.Name, Init: init, ExitCode: t.ExitCode, Reason: t.Reason, Message: t.Message, Previous: true})
			}
		}
	}
	add(pod.Status.InitContainerStatuses, true)
	add(pod.Status.ContainerStatuses, false)
	return out
}

// completionIndex is the pod's index in an Indexed Job, or "".
func completionIndex(pod *corev1.Pod) string {
	if v, ok := pod.Annotations[batchv1.JobCompletionIndexAnnotation]; ok {
		return v
	}
	return pod.Labels[batchv1.JobCompletionIndexAnnotation]
}

// loggable lists the containers of a pod whose current run has output to
// read: running or finished, init containers first, as a container of a pod
// only starts after the init containers before it.
type containerRun struct {
	Name    string
	Restart int32
	Done    bool
}

func loggable(pod *corev1.Pod) []containerRun {
	var out []containerRun
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, cs := range list {
			switch {
			case cs.State.Running != nil:
				out = append(out, containerRun{Name: cs.Name, Restart: cs.RestartCount})
			case cs.State.Terminated != nil && cs.State.Terminated.ContainerID != "":
				// A container killed before it started has no ID and no log.
				out = append(out, containerRun{Name: cs.Name, Restart: cs.RestartCount, Done: true})
			}
		}
	}
	return out
}
