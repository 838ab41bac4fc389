package follow

import (
	"sort"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// PodState is what the follow kept of one of the Job's pods, for what is
// made of the end (the failure report, CI reports): see stripPod for what a
// stripped pod still has.
type PodState struct {
	Pod *corev1.Pod
	// Gone: the pod was deleted before the end, and its log with it.
	Gone bool
}

// podRecord is what the follow remembers of a pod, deleted pods included,
// so a failed pod can be reported even after the Job controller removed it.
type podRecord struct {
	pod   *corev1.Pod // stripped (stripPod)
	color int
	gone  bool
	// status and restarts are what this pod adds to the follower's counts
	// now, so an update takes the old part out and puts the new one in:
	// counting costs the same with 10 pods or 10,000.
	status   string // "" when not counted (gone)
	restarts int32
	started  bool // counted as not Pending

	shownFail  bool
	stuckKey   string // the stuck reason class last shown
	stuckWhy   string // reason of the current stuck spell
	stuckMsg   string
	stuckSince time.Time
}

// podCounts is the pods' part of the summary, kept up to date pod by pod.
type podCounts struct {
	statuses map[string]int
	// restarts are the container restarts of pods that have not ended,
	// which the Job controller counts against the backoff limit with
	// restartPolicy OnFailure.
	restarts int32
	// started is how many pods left Pending.
	started int
}

func newPodCounts() podCounts { return podCounts{statuses: map[string]int{}} }

// add counts (n=1) or uncounts (n=-1) one pod's part.
func (c *podCounts) add(status string, restarts int32, started bool, n int) {
	if status != "" {
		c.statuses[status] += n
		if c.statuses[status] == 0 {
			delete(c.statuses, status)
		}
	}
	c.restarts += int32(n) * restarts
	if started {
		c.started += n
	}
}

// countsOf counts pods at once, as tests and a first list do.
func countsOf(pods []*corev1.Pod) podCounts {
	c := newPodCounts()
	for _, p := range pods {
		c.add(podStatus(p), podRestarts(p), p.Status.Phase != corev1.PodPending, 1)
	}
	return c
}

// podRestarts is what a pod's restarts count against the backoff limit
// while it has not ended.
func podRestarts(pod *corev1.Pod) int32 {
	if podDone(pod) {
		return 0
	}
	var n int32
	for _, cs := range pod.Status.ContainerStatuses {
		n += cs.RestartCount
	}
	return n
}

// stripPod keeps what the follow and the reports need of a pod, a
// kilobyte or two of a pod's several: its identity, controller, completion
// index, node, init containers (names and restart policies), phase,
// reason, an unmet scheduling condition and container states (exit codes,
// reasons, messages, start and finish times, restarts). The informer's
// store, the follow's records and the reports' record hold only this, so
// every byte kept is kept once per pod: the app containers' specs (416
// bytes each) are dropped, as their statuses carry their names; the
// PodScheduled condition is kept only while it is not True; and the
// strings every pod of a Job repeats (namespace, owner, node, container
// names, reasons) are shared through in.
func stripPod(p *corev1.Pod, in *interner) *corev1.Pod {
	out := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: p.Name, Namespace: in.str(p.Namespace), UID: p.UID, ResourceVersion: p.ResourceVersion,
			CreationTimestamp: p.CreationTimestamp, DeletionTimestamp: p.DeletionTimestamp,
		},
		Spec: corev1.PodSpec{NodeName: in.str(p.Spec.NodeName), RestartPolicy: corev1.RestartPolicy(in.str(string(p.Spec.RestartPolicy)))},
		Status: corev1.PodStatus{
			Phase: corev1.PodPhase(in.str(string(p.Status.Phase))), Reason: in.str(p.Status.Reason), Message: p.Status.Message, StartTime: p.Status.StartTime,
			InitContainerStatuses: stripStatuses(p.Status.InitContainerStatuses, in),
			ContainerStatuses:     stripStatuses(p.Status.ContainerStatuses, in),
		},
	}
	if ref := metav1.GetControllerOf(p); ref != nil {
		out.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: in.str(ref.APIVersion), Kind: in.str(ref.Kind), Name: in.str(ref.Name), UID: types.UID(in.str(string(ref.UID))),
			Controller: ref.Controller, BlockOwnerDeletion: ref.BlockOwnerDeletion,
		}}
	}
	if v, ok := p.Annotations[batchv1.JobCompletionIndexAnnotation]; ok {
		out.Annotations = map[string]string{batchv1.JobCompletionIndexAnnotation: v}
	} else if v, ok := p.Labels[batchv1.JobCompletionIndexAnnotation]; ok {
		out.Labels = map[string]string{batchv1.JobCompletionIndexAnnotation: v}
	}
	for _, c := range p.Spec.InitContainers {
		out.Spec.InitContainers = append(out.Spec.InitContainers, corev1.Container{Name: in.str(c.Name), RestartPolicy: c.RestartPolicy})
	}
	if c := podCondition(p, corev1.PodScheduled); c != nil && c.Status != corev1.ConditionTrue {
		out.Status.Conditions = []corev1.PodCondition{{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message}}
	}
	return out
}

func stripStatuses(list []corev1.ContainerStatus, in *interner) []corev1.ContainerStatus {
	if len(list) == 0 {
		return nil
	}
	out := make([]corev1.ContainerStatus, len(list))
	for i, cs := range list {
		out[i] = corev1.ContainerStatus{
			Name: in.str(cs.Name), Ready: cs.Ready, Started: cs.Started, RestartCount: cs.RestartCount,
			State: cs.State, LastTerminationState: corev1.ContainerState{Terminated: cs.LastTerminationState.Terminated},
		}
		if t := out[i].State.Terminated; t != nil {
			t.Reason = in.str(t.Reason)
		}
	}
	return out
}

// interner shares the strings that every pod of a Job repeats, which the
// decoder allocates anew for each pod. It holds only such strings (never
// a pod's name or UID), so it stays small however many pods there are.
// The zero value and nil are ready to use (nil shares nothing).
type interner struct {
	mu   sync.Mutex
	strs map[string]string
}

func (in *interner) str(s string) string {
	if in == nil || s == "" {
		return s
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.strs[s]; ok {
		return v
	}
	if in.strs == nil {
		in.strs = map[string]string{}
	}
	in.strs[s] = s
	return s
}

// stripEvent keeps what the follow reads of an event: whom it is about,
// why, and when.
func stripEvent(e *corev1.Event) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: e.Name, Namespace: e.Namespace, UID: e.UID, ResourceVersion: e.ResourceVersion},
		InvolvedObject: corev1.ObjectReference{
			Kind: e.InvolvedObject.Kind, Name: e.InvolvedObject.Name, UID: e.InvolvedObject.UID,
		},
		Reason: e.Reason, Message: e.Message, Type: e.Type, Count: e.Count,
		FirstTimestamp: e.FirstTimestamp, LastTimestamp: e.LastTimestamp, EventTime: e.EventTime,
	}
}

// stripObject is the informers' transform: pods and events are stripped,
// and the Job loses only its managed fields, half of its size.
func stripObject(o any, in *interner) (any, error) {
	switch v := o.(type) {
	case *corev1.Pod:
		return stripPod(v, in), nil
	case *corev1.Event:
		return stripEvent(v), nil
	case *unstructured.Unstructured:
		return stripWorkload(v), nil
	case metav1.Object:
		v.SetManagedFields(nil)
	}
	return o, nil
}

// podStates lists the records oldest first, as the reports show them.
func podStates(recs map[types.UID]*podRecord) []PodState {
	out := make([]PodState, 0, len(recs))
	for _, rec := range recs {
		out = append(out, PodState{Pod: rec.pod, Gone: rec.gone})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Pod.CreationTimestamp, out[j].Pod.CreationTimestamp
		return a.Before(&b) || a.Equal(&b) && out[i].Pod.Name < out[j].Pod.Name
	})
	return out
}
