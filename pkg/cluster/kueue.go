package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// KueueGroup is Kueue's API group. The plugin reads it through the
// dynamic client into the few fields it shows (kueue_types.go), rather than
// importing sigs.k8s.io/kueue, whose module brings controller-runtime and
// every integration's API.
const KueueGroup = "kueue.x-k8s.io"

// kueueVersions are the versions of KueueGroup whose fields the plugin
// reads, best first. Kueue v0.17.0 serves v1beta2 (its storage version,
// read without conversion) and v1beta1 (deprecated).
var kueueVersions = []string{"v1beta2", "v1beta1"}

// kueueAPI is what one discovery request learned, kept for the process:
// each command is one process, and a cluster gains or loses Kueue far more
// rarely than a command runs.
type kueueAPI struct {
	once    sync.Once
	version string // "" when the cluster does not serve Kueue
	dyn     dynamic.Interface
	err     error
}

// ErrNoKueue is the answer of KueueVersion for a cluster that does not
// serve kueue.x-k8s.io in a version the plugin reads.
var ErrNoKueue = errors.New("the cluster does not serve Kueue (API group kueue.x-k8s.io)")

// KueueVersion asks discovery, once per process, which version of
// kueue.x-k8s.io the cluster serves: the server's preferred one when the
// plugin reads it, else the first it reads. ErrNoKueue when none.
func (c *Client) KueueVersion(ctx context.Context) (string, error) {
	k := &c.kueue
	k.once.Do(func() {
		body, err := c.Core.Get().AbsPath("/apis", KueueGroup).DoRaw(ctx)
		if err != nil {
			if apierrors.IsNotFound(err) {
				k.err = ErrNoKueue
			} else {
				k.err = err
			}
			return
		}
		var g metav1.APIGroup
		if err := json.Unmarshal(body, &g); err != nil {
			k.err = fmt.Errorf("discovery of %s: %w", KueueGroup, err)
			return
		}
		served := map[string]bool{}
		for _, v := range g.Versions {
			served[v.Version] = true
		}
		if p := g.PreferredVersion.Version; served[p] && slices.Contains(kueueVersions, p) {
			k.version = p
		} else {
			for _, v := range kueueVersions {
				if served[v] {
					k.version = v
					break
				}
			}
		}
		if k.version == "" {
			k.err = ErrNoKueue
			return
		}
		k.dyn, k.err = dynamic.NewForConfigAndClient(c.Config, c.httpClient)
	})
	return k.version, k.err
}

// kueueResource is a resource of KueueGroup in the version discovery chose.
func (c *Client) kueueResource(ctx context.Context, resource string) (dynamic.NamespaceableResourceInterface, error) {
	v, err := c.KueueVersion(ctx)
	if err != nil {
		return nil, err
	}
	return c.kueue.dyn.Resource(schema.GroupVersionResource{Group: KueueGroup, Version: v, Resource: resource}), nil
}

// getKueue reads one Kueue object into out (one of kueue_types.go).
func (c *Client) getKueue(ctx context.Context, resource, namespace, name string, out any) error {
	r, err := c.kueueResource(ctx, resource)
	if err != nil {
		return err
	}
	var u *unstructured.Unstructured
	if namespace != "" {
		u, err = r.Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	} else {
		u, err = r.Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	return FromUnstructured(u, out)
}

// listKueue lists Kueue objects of a namespace ("" for cluster-scoped
// ones, or all namespaces) into out, a *[]T of kueue_types.go.
func listKueue[T any](ctx context.Context, c *Client, resource, namespace string, opts metav1.ListOptions) ([]T, error) {
	r, err := c.kueueResource(ctx, resource)
	if err != nil {
		return nil, err
	}
	var list *unstructured.UnstructuredList
	if namespace != "" {
		list, err = r.Namespace(namespace).List(ctx, opts)
	} else {
		list, err = r.List(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	out := make([]T, len(list.Items))
	for i := range list.Items {
		if err := FromUnstructured(&list.Items[i], &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FromUnstructured fills one of the small Kueue structs from an object the
// dynamic client read, ignoring every field the struct does not name.
func FromUnstructured(u *unstructured.Unstructured, out any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out)
}

// LocalQueue reads a LocalQueue.
func (c *Client) LocalQueue(ctx context.Context, namespace, name string) (*KueueLocalQueue, error) {
	q := &KueueLocalQueue{}
	return q, c.getKueue(ctx, "localqueues", namespace, name, q)
}

// ClusterQueue reads a ClusterQueue.
func (c *Client) ClusterQueue(ctx context.Context, name string) (*KueueClusterQueue, error) {
	q := &KueueClusterQueue{}
	return q, c.getKueue(ctx, "clusterqueues", "", name, q)
}

// LocalQueues lists the LocalQueues of a namespace.
func (c *Client) LocalQueues(ctx context.Context, namespace string) ([]KueueLocalQueue, error) {
	return listKueue[KueueLocalQueue](ctx, c, "localqueues", namespace, metav1.ListOptions{})
}

// WorkloadPriorityClasses lists the WorkloadPriorityClasses.
func (c *Client) WorkloadPriorityClasses(ctx context.Context) ([]KueueWorkloadPriorityClass, error) {
	return listKueue[KueueWorkloadPriorityClass](ctx, c, "workloadpriorityclasses", "", metav1.ListOptions{})
}

// Workloads is the Workload resource, for the follow's watch.
func (c *Client) Workloads(ctx context.Context) (dynamic.NamespaceableResourceInterface, error) {
	return c.kueueResource(ctx, "workloads")
}

// WorkloadJobUIDLabel is the label Kueue puts on the Workload of a Job: the
// Job's UID. The follow watches its Job's Workload by it.
const WorkloadJobUIDLabel = "kueue.x-k8s.io/job-uid"

// PendingPosition asks Kueue's visibility API (visibility.kueue.x-k8s.io,
// served by the Kueue manager itself when its VisibilityOnDemand feature
// is on) for a pending Workload's position in its LocalQueue. ok is false
// when the API does not answer or does not list the Workload.
func (c *Client) PendingPosition(ctx context.Context, namespace, localQueue, workload string) (position int32, ok bool) {
	v, err := c.KueueVersion(ctx)
	if err != nil {
		return 0, false
	}
	body, err := c.Core.Get().AbsPath("/apis/visibility.kueue.x-k8s.io", v, "namespaces", namespace, "localqueues", localQueue, "pendingworkloads").DoRaw(ctx)
	if err != nil {
		return 0, false
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			PositionInLocalQueue int32 `json:"positionInLocalQueue"`
		} `json:"items"`
	}
	if json.Unmarshal(body, &list) != nil {
		return 0, false
	}
	for _, it := range list.Items {
		if it.Metadata.Name == workload {
			return it.PositionInLocalQueue, true
		}
	}
	return 0, false
}

// QueueChoices lists the LocalQueues of namespace, sorted by name, with
// the name of the default one ("default", which Kueue's webhook gives Jobs
// without a queue label) or "".
func (c *Client) QueueChoices(ctx context.Context, namespace string) (choices []lookup.LocalQueue, defaultQueue string, err error) {
	qs, err := c.LocalQueues(ctx, namespace)
	if err != nil {
		return nil, "", err
	}
	for _, q := range qs {
		choices = append(choices, lookup.LocalQueue{Name: q.Metadata.Name, ClusterQueue: q.Spec.ClusterQueue,
			Pending: q.Status.PendingWorkloads, Admitted: q.Status.AdmittedWorkloads,
			Active: conditionIs(q.Status.Conditions, "Active", metav1.ConditionTrue)})
		if q.Metadata.Name == DefaultLocalQueue {
			defaultQueue = q.Metadata.Name
		}
	}
	sort.Slice(choices, func(i, j int) bool { return choices[i].Name < choices[j].Name })
	return choices, defaultQueue, nil
}

// DefaultLocalQueue is the LocalQueue Kueue's LocalQueueDefaulting puts a
// Job in when it names none.
const DefaultLocalQueue = "default"

// PriorityClassChoices lists the WorkloadPriorityClasses sorted by value,
// highest first (then by name).
func (c *Client) PriorityClassChoices(ctx context.Context) ([]lookup.WorkloadPriorityClass, error) {
	pcs, err := c.WorkloadPriorityClasses(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lookup.WorkloadPriorityClass, len(pcs))
	for i, pc := range pcs {
		out[i] = lookup.WorkloadPriorityClass{Name: pc.Metadata.Name, Value: pc.Value, Description: pc.Description}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func conditionIs(conds []metav1.Condition, typ string, status metav1.ConditionStatus) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == status
		}
	}
	return false
}

func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// listOf joins names for a message: "a, b and c".
func listOf(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
