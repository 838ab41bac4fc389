package testkueue

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// ClusterQueue describes a ClusterQueue with one resource group and one
// flavor, which is what the tests need.
type ClusterQueue struct {
	Name string
	// Flavor is the ResourceFlavor of the quota (ResourceFlavor makes it).
	Flavor string
	// Quota is the nominal quota by resource, e.g. {"cpu": "1",
	// "memory": "1Gi"}; its keys are the covered resources.
	Quota map[string]string
	// WithinClusterQueue is spec.preemption.withinClusterQueue, e.g.
	// "LowerPriority" (default Never).
	WithinClusterQueue string
}

// ResourceFlavor makes a ResourceFlavor with no node labels.
func (k *Kueue) ResourceFlavor(ctx context.Context, name string) error {
	return k.create(ctx, "resourceflavors", "", map[string]any{
		"kind":     "ResourceFlavor",
		"metadata": map[string]any{"name": name},
	})
}

// ClusterQueue makes a ClusterQueue open to every namespace and waits
// until Kueue says it is Active (its flavor exists), so a Job sent right
// after it is admitted, not refused by the plugin's preflight.
func (k *Kueue) ClusterQueue(ctx context.Context, cq ClusterQueue) error {
	var covered, resources []any
	for _, name := range slices.Sorted(maps.Keys(cq.Quota)) {
		covered = append(covered, name)
		resources = append(resources, map[string]any{"name": name, "nominalQuota": cq.Quota[name]})
	}
	spec := map[string]any{
		"namespaceSelector": map[string]any{},
		"resourceGroups": []any{map[string]any{
			"coveredResources": covered,
			"flavors":          []any{map[string]any{"name": cq.Flavor, "resources": resources}},
		}},
	}
	if cq.WithinClusterQueue != "" {
		spec["preemption"] = map[string]any{"withinClusterQueue": cq.WithinClusterQueue}
	}
	if err := k.create(ctx, "clusterqueues", "", map[string]any{
		"kind":     "ClusterQueue",
		"metadata": map[string]any{"name": cq.Name},
		"spec":     spec,
	}); err != nil {
		return err
	}
	return k.WaitActive(ctx, "clusterqueues", "", cq.Name)
}

// LocalQueue makes a LocalQueue in namespace pointing at clusterQueue. When
// the ClusterQueue exists it waits until the LocalQueue is Active;
// wait=false leaves a LocalQueue of a missing ClusterQueue as it is.
func (k *Kueue) LocalQueue(ctx context.Context, namespace, name, clusterQueue string, wait bool) error {
	if err := k.create(ctx, "localqueues", namespace, map[string]any{
		"kind":     "LocalQueue",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"spec":     map[string]any{"clusterQueue": clusterQueue},
	}); err != nil {
		return err
	}
	if !wait {
		return nil
	}
	return k.WaitActive(ctx, "localqueues", namespace, name)
}

// WorkloadPriorityClass makes a WorkloadPriorityClass of value.
func (k *Kueue) WorkloadPriorityClass(ctx context.Context, name string, value int32) error {
	return k.create(ctx, "workloadpriorityclasses", "", map[string]any{
		"kind":     "WorkloadPriorityClass",
		"metadata": map[string]any{"name": name},
		"value":    int64(value),
	})
}

func (k *Kueue) create(ctx context.Context, resource, namespace string, obj map[string]any) error {
	obj["apiVersion"] = Group + "/" + APIVersion
	u := &unstructured.Unstructured{Object: obj}
	_, err := k.dyn.Resource(GVR(resource)).Namespace(namespace).Create(ctx, u, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create %s %s: %w", resource, u.GetName(), err)
	}
	return nil
}

// WaitActive waits until a Kueue object has the condition Active=True.
func (k *Kueue) WaitActive(ctx context.Context, resource, namespace, name string) error {
	_, err := k.WaitFor(ctx, resource, namespace, name, func(u *unstructured.Unstructured) bool {
		return HasCondition(u, "Active", "True")
	})
	return err
}

// WaitFor watches one Kueue object until cond holds and returns it. On
// timeout the error holds the last version seen and the manager's output.
func (k *Kueue) WaitFor(ctx context.Context, resource, namespace, name string, cond func(*unstructured.Unstructured) bool) (*unstructured.Unstructured, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ri := k.dyn.Resource(GVR(resource)).Namespace(namespace)
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	var last *unstructured.Unstructured
	for {
		list, err := ri.List(ctx, metav1.ListOptions{FieldSelector: sel})
		if err == nil {
			for i := range list.Items {
				last = &list.Items[i]
				if cond(last) {
					return last, nil
				}
			}
			var w watch.Interface
			w, err = ri.Watch(ctx, metav1.ListOptions{FieldSelector: sel, ResourceVersion: list.GetResourceVersion()})
			if err == nil {
				for ev := range w.ResultChan() {
					if u, ok := ev.Object.(*unstructured.Unstructured); ok && ev.Type != watch.Deleted && ev.Type != watch.Error {
						last = u
						if cond(u) {
							w.Stop()
							return u, nil
						}
					}
				}
				w.Stop()
			}
		}
		select {
		case <-ctx.Done():
			state := "never seen"
			if last != nil {
				b, _ := last.MarshalJSON()
				state = string(b)
			}
			return nil, fmt.Errorf("%s %s/%s: %v (last error %v); last state: %s\nkueue's last output:\n%s",
				resource, namespace, name, ctx.Err(), err, state, k.LogTail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Workloads lists the Workloads of a namespace.
func (k *Kueue) Workloads(ctx context.Context, namespace string) ([]unstructured.Unstructured, error) {
	list, err := k.dyn.Resource(GVR("workloads")).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// HasCondition reports whether status.conditions has typ with status.
func HasCondition(u *unstructured.Unstructured, typ, status string) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == typ && m["status"] == status {
			return true
		}
	}
	return false
}
