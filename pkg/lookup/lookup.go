// Package lookup is the narrow interface between the wizard (and shell
// completion), which offer choices, and the cluster, which knows them. The
// wizard works without it (free text); pkg/cluster implements it against a
// real API server, reading only names, key names and the few fields a
// choice shows — never a Secret's values.
package lookup

import (
	"context"

	corev1 "k8s.io/api/core/v1"
)

// PVC is a PersistentVolumeClaim as a choice shows it.
type PVC struct {
	Name        string
	Phase       string // Bound, Pending, Lost
	Capacity    string // "10Gi", empty while pending
	AccessModes []string
}

// KeyedObject is a ConfigMap or Secret: its name and the names of its keys.
type KeyedObject struct {
	Name string
	Type string // Secret type, e.g. kubernetes.io/dockerconfigjson; empty for ConfigMaps
	Keys []string
}

// Node is a node as a choice shows it.
type Node struct {
	Name   string
	Ready  bool
	Labels map[string]string
}

// QuotaUse is one resource of a ResourceQuota: used and hard, as quantities.
type QuotaUse struct {
	Quota    string // the ResourceQuota's name
	Resource string // count/jobs.batch, pods, requests.cpu, limits.memory, ...
	Used     string
	Hard     string
}

// PodSecurity is the Pod Security Standards level a namespace enforces,
// as its pod-security.kubernetes.io/enforce and enforce-version labels say.
type PodSecurity struct {
	Level   string // restricted, baseline or privileged (nothing enforced)
	Version string // latest, v1.30, ...
}

// PriorityClass is a PriorityClass as a choice shows it.
type PriorityClass struct {
	Name          string
	Value         string // the priority, e.g. "1000000"
	GlobalDefault bool   // pods that name no class get this one
}

// Access is the answer of the preflight SelfSubjectAccessReview.
type Access struct {
	Allowed bool
	User    string // who the server says we are, when known
	Reason  string
}

// Lookup is what the wizard asks of the cluster. Every method may fail
// (Forbidden, unreachable); the wizard then falls back to free text.
type Lookup interface {
	Namespaces(ctx context.Context) ([]string, error)
	PVCs(ctx context.Context, namespace string) ([]PVC, error)
	ConfigMaps(ctx context.Context, namespace string) ([]KeyedObject, error)
	Secrets(ctx context.Context, namespace string) ([]KeyedObject, error)
	ServiceAccounts(ctx context.Context, namespace string) ([]string, error)
	// ImagePullSecrets are the Secrets of type kubernetes.io/dockerconfigjson.
	ImagePullSecrets(ctx context.Context, namespace string) ([]string, error)
	Nodes(ctx context.Context) ([]Node, error)
	// MatchingNodes counts the nodes a node selector matches, of all nodes.
	MatchingNodes(ctx context.Context, selector map[string]string) (matched, total int, err error)
	Quota(ctx context.Context, namespace string) ([]QuotaUse, error)
	// LimitDefaults are the LimitRange's default requests and limits for a
	// container, which the wizard offers as its defaults.
	LimitDefaults(ctx context.Context, namespace string) (requests, limits corev1.ResourceList, err error)
	CanCreateJobs(ctx context.Context, namespace string) (Access, error)
	// PodSecurity reads the level namespace enforces with the one GET of
	// the namespace that the create's check makes; ok is false when it
	// cannot be known (no right to read the namespace, ...).
	PodSecurity(ctx context.Context, namespace string) (p PodSecurity, ok bool)
	PriorityClasses(ctx context.Context) ([]PriorityClass, error)
}

// LocalQueue is a Kueue LocalQueue as a choice shows it.
type LocalQueue struct {
	Name         string
	ClusterQueue string
	// Pending and Admitted are the Workloads waiting in it and admitted
	// from it, as its status counts them.
	Pending, Admitted int32
	Active            bool
}

// WorkloadPriorityClass is a Kueue WorkloadPriorityClass as a choice shows
// it.
type WorkloadPriorityClass struct {
	Name        string
	Value       int32
	Description string
}

// Kueue is what the wizard and completion ask of a cluster that may serve
// Kueue (kueue.x-k8s.io). It is apart from Lookup because most clusters do
// not: a caller asks KueueServed first, which costs one discovery request
// per process, and asks nothing more when the answer is no.
type Kueue interface {
	// KueueServed says whether the cluster serves kueue.x-k8s.io; an error
	// is a discovery that failed (Forbidden, unreachable), not a no.
	KueueServed(ctx context.Context) (bool, error)
	// LocalQueues lists the namespace's LocalQueues by name, and names the
	// one Kueue gives a Job that names none ("" when there is none).
	LocalQueues(ctx context.Context, namespace string) (queues []LocalQueue, defaultQueue string, err error)
	// WorkloadPriorityClasses lists the classes, highest value first.
	WorkloadPriorityClasses(ctx context.Context) ([]WorkloadPriorityClass, error)
}
