package testcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// ListWatcher is what typed clients such as
// Clientset().BatchV1().Jobs(ns) offer; L is the list type.
type ListWatcher[L runtime.Object] interface {
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// WaitFor watches the object called name until cond holds for it and
// returns that version of it. It lists first, so an object that already
// satisfies cond returns at once, and it survives watch interruptions (API
// server restarts). On timeout the error includes the last state seen.
//
//	job, err := testcluster.WaitFor(ctx, cs.BatchV1().Jobs(ns), "pi", testcluster.JobHasCondition(batchv1.JobComplete))
func WaitFor[T runtime.Object, L runtime.Object](ctx context.Context, client ListWatcher[L], name string, cond func(T) bool) (T, error) {
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	return waitForSelected(ctx, client, func(o *metav1.ListOptions) { o.FieldSelector = selector }, name, cond)
}

// WaitForLabeled is WaitFor for the first object matching a label selector,
// e.g. the pod of a Job: "batch.kubernetes.io/job-name=pi".
func WaitForLabeled[T runtime.Object, L runtime.Object](ctx context.Context, client ListWatcher[L], labelSelector string, cond func(T) bool) (T, error) {
	return waitForSelected(ctx, client, func(o *metav1.ListOptions) { o.LabelSelector = labelSelector }, labelSelector, cond)
}

func waitForSelected[T runtime.Object, L runtime.Object](ctx context.Context, client ListWatcher[L], tweak func(*metav1.ListOptions), what string, cond func(T) bool) (T, error) {
	var zero T
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			tweak(&o)
			return client.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			tweak(&o)
			return client.Watch(ctx, o)
		},
	}
	// The reflector needs a real object to learn the type from.
	objType := reflect.New(reflect.TypeOf(zero).Elem()).Interface().(runtime.Object)
	var last T
	ev, err := watchtools.UntilWithSync(ctx, lw, objType, nil, func(ev watch.Event) (bool, error) {
		obj, ok := ev.Object.(T)
		if !ok || ev.Type == watch.Deleted {
			return false, nil
		}
		last = obj
		return cond(obj), nil
	})
	if err != nil {
		if reflect.ValueOf(last).IsNil() {
			return zero, fmt.Errorf("waiting for %T %s: %w (never seen)", zero, what, err)
		}
		return zero, fmt.Errorf("waiting for %T %s: %w; last seen: %s", zero, what, err, describe(last))
	}
	return ev.Object.(T), nil
}

func describe(obj runtime.Object) string {
	switch o := obj.(type) {
	case *batchv1.Job:
		return fmt.Sprintf("status %+v", o.Status)
	case *v1.Pod:
		return fmt.Sprintf("phase %s, conditions %+v, containers %+v", o.Status.Phase, o.Status.Conditions, o.Status.ContainerStatuses)
	}
	return fmt.Sprintf("%+v", obj)
}

// JobHasCondition is a WaitFor condition: the Job has condition typ True
// (batchv1.JobComplete, batchv1.JobFailed, batchv1.JobSuspended, ...).
func JobHasCondition(typ batchv1.JobConditionType) func(*batchv1.Job) bool {
	return func(job *batchv1.Job) bool {
		for _, c := range job.Status.Conditions {
			if c.Type == typ && c.Status == v1.ConditionTrue {
				return true
			}
		}
		return false
	}
}

// PodInPhase is a WaitFor condition on a pod's phase.
func PodInPhase(phase v1.PodPhase) func(*v1.Pod) bool {
	return func(pod *v1.Pod) bool { return pod.Status.Phase == phase }
}

// KubectlCmd returns a command running kubectl (from $KUBECTL or PATH)
// against this cluster with kubeconfig (AdminKubeconfig when empty). The
// caller may change Env, e.g. to put the plugin on PATH.
func (c *Cluster) KubectlCmd(ctx context.Context, kubeconfig string, args ...string) *exec.Cmd {
	if kubeconfig == "" {
		kubeconfig = c.AdminKubeconfig
	}
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		kubectl = "kubectl"
	}
	cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig=" + kubeconfig}, args...)...)
	// KUBECONFIG too, for plugins kubectl starts: they do not get the flag.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	return cmd
}
