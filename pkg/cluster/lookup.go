package cluster

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// Lookups answers the wizard's and the shell completion's questions from
// the cluster. Each list asks for no more than its choice shows, in pages
// of at most 500: names come from the server-side Table without objects
// (about 0.5% of a full list's bytes), and the key names of ConfigMaps and
// Secrets from the objects' managedFields, so values are not read.
// hack/bench/cluster measures the ConfigMap choice.
type Lookups struct {
	c *Client

	mu    sync.Mutex
	nodes []lookup.Node // from Nodes, so MatchingNodes needs no request

	schedClient
}

var _ lookup.Lookup = (*Lookups)(nil)

// NewLookup returns the lookups over c.
func NewLookup(c *Client) *Lookups { return &Lookups{c: c} }

// Namespaces lists namespace names.
func (l *Lookups) Namespaces(ctx context.Context) ([]string, error) {
	names, _, err := listNames(ctx, l.c.Core, "", "namespaces", metav1.ListOptions{})
	return names, err
}

// ServiceAccounts lists the service accounts of namespace.
func (l *Lookups) ServiceAccounts(ctx context.Context, namespace string) ([]string, error) {
	names, _, err := listNames(ctx, l.c.Core, namespace, "serviceaccounts", metav1.ListOptions{})
	return names, err
}

// ImagePullSecrets lists the registry credentials of namespace; the server
// filters them by type, so no other Secret is even named.
func (l *Lookups) ImagePullSecrets(ctx context.Context, namespace string) ([]string, error) {
	names, _, err := listNames(ctx, l.c.Core, namespace, "secrets", metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("type", string(corev1.SecretTypeDockerConfigJson)).String(),
	})
	return names, err
}

// accessModeNames turns the table's short forms back into API names.
var accessModeNames = map[string]string{
	"RWO":  string(corev1.ReadWriteOnce),
	"ROX":  string(corev1.ReadOnlyMany),
	"RWX":  string(corev1.ReadWriteMany),
	"RWOP": string(corev1.ReadWriteOncePod),
}

// PVCs lists the claims of namespace with the columns kubectl get shows.
func (l *Lookups) PVCs(ctx context.Context, namespace string) ([]lookup.PVC, error) {
	t, err := listTable(ctx, l.c.Core, namespace, "persistentvolumeclaims", metav1.ListOptions{}, metav1.IncludeNone)
	if err != nil {
		return nil, err
	}
	out := make([]lookup.PVC, 0, len(t.rows))
	for _, r := range t.rows {
		p := lookup.PVC{Name: t.name(r), Phase: t.cell(r, "Status"), Capacity: t.cell(r, "Capacity")}
		for _, m := range strings.Split(t.cell(r, "Access Modes"), ",") {
			if m = strings.TrimSpace(m); m != "" {
				if long, ok := accessModeNames[m]; ok {
					m = long
				}
				p.AccessModes = append(p.AccessModes, m)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// maxKeyFetches bounds the objects whose keys are read one by one when
// their managedFields do not tell them (objects from before server-side
// field tracking, or whose managedFields were stripped). Past it the
// choice shows the name without keys and the wizard asks for a key as
// free text.
const maxKeyFetches = 20

// ConfigMaps lists the ConfigMaps of namespace with their key names, from
// a metadata-only list in protobuf: for 5,000 ConfigMaps of 10 KiB that is
// under 2% of the bytes of a full list, and it still names every key,
// because the server records each key a writer set in managedFields.
func (l *Lookups) ConfigMaps(ctx context.Context, namespace string) ([]lookup.KeyedObject, error) {
	items, err := listMetadata(ctx, l.c.Core, namespace, "configmaps", metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]lookup.KeyedObject, 0, len(items))
	var unknown []int
	for i := range items {
		keys, ok := keysFromManagedFields(items[i].ManagedFields)
		if !ok {
			unknown = append(unknown, len(out))
		}
		out = append(out, lookup.KeyedObject{Name: items[i].Name, Keys: keys})
	}
	for n, i := range unknown {
		if n == maxKeyFetches {
			break
		}
		cm := &corev1.ConfigMap{}
		if err := l.c.Core.Get().Namespace(namespace).Resource("configmaps").Name(out[i].Name).Do(ctx).Into(cm); err != nil {
			continue // the name alone is still a choice
		}
		out[i].Keys = mapKeys(cm.Data, cm.BinaryData)
	}
	return out, nil
}

// Secrets lists the Secrets of namespace with their type and key names.
// The Table gives the type and the number of keys, the metadata beside it
// the key names (from managedFields). A Secret's values are never asked
// for: a Secret whose managedFields do not tell its keys (made before
// field tracking, or stripped) is listed without keys, and the wizard asks
// for its key as free text. Annotations are dropped as they come, since
// kubectl apply's last-applied-configuration holds the values of a Secret
// it made; and with request bodies logged (-v=8 and more) the metadata is
// not asked for at all, so that no log line can carry such an annotation.
func (l *Lookups) Secrets(ctx context.Context, namespace string) ([]lookup.KeyedObject, error) {
	include := metav1.IncludeMetadata
	if klog.V(8).Enabled() {
		include = metav1.IncludeNone
	}
	t, err := listTable(ctx, l.c.Core, namespace, "secrets", metav1.ListOptions{}, include)
	if err != nil {
		return nil, err
	}
	out := make([]lookup.KeyedObject, 0, len(t.rows))
	for i, r := range t.rows {
		o := lookup.KeyedObject{Name: t.name(r), Type: t.cell(r, "Type")}
		meta := rowMetadata(r)
		t.rows[i].Object = runtime.RawExtension{}
		meta.Annotations = nil
		keys, ok := keysFromManagedFields(meta.ManagedFields)
		if want := t.cell(r, "Data"); ok && want != "" && want != itoa(len(keys)) {
			ok = false
		}
		if ok {
			o.Keys = keys
		}
		out = append(out, o)
	}
	return out, nil
}

// Nodes lists the nodes with readiness (the table's Status column) and
// labels (the metadata beside it): two small fields of objects that are
// otherwise large (images, conditions, addresses).
func (l *Lookups) Nodes(ctx context.Context) ([]lookup.Node, error) {
	t, err := listTable(ctx, l.c.Core, "", "nodes", metav1.ListOptions{}, metav1.IncludeMetadata)
	if err != nil {
		return nil, err
	}
	out := make([]lookup.Node, 0, len(t.rows))
	for _, r := range t.rows {
		status, _, _ := strings.Cut(t.cell(r, "Status"), ",")
		out = append(out, lookup.Node{Name: t.name(r), Ready: status == "Ready", Labels: rowMetadata(r).Labels})
	}
	l.mu.Lock()
	l.nodes = out
	l.mu.Unlock()
	return out, nil
}

// MatchingNodes counts the nodes selector matches. After Nodes it needs
// no request; otherwise the server selects and only names come back.
func (l *Lookups) MatchingNodes(ctx context.Context, selector map[string]string) (matched, total int, err error) {
	sel := labels.SelectorFromSet(selector)
	l.mu.Lock()
	nodes := l.nodes
	l.mu.Unlock()
	if nodes != nil {
		for _, n := range nodes {
			if sel.Matches(labels.Set(n.Labels)) {
				matched++
			}
		}
		return matched, len(nodes), nil
	}
	all, _, err := listNames(ctx, l.c.Core, "", "nodes", metav1.ListOptions{})
	if err != nil {
		return 0, 0, err
	}
	if len(selector) == 0 {
		return len(all), len(all), nil
	}
	match, _, err := listNames(ctx, l.c.Core, "", "nodes", metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return 0, 0, err
	}
	return len(match), len(all), nil
}

// rowMetadata decodes the metadata a Table row carries with
// includeObject=Metadata; a row without it gives empty metadata.
func rowMetadata(r metav1.TableRow) metav1.PartialObjectMetadata {
	var m metav1.PartialObjectMetadata
	if r.Object.Object != nil {
		if pm, ok := r.Object.Object.(*metav1.PartialObjectMetadata); ok {
			return *pm
		}
	}
	if len(r.Object.Raw) > 0 {
		_ = json.Unmarshal(r.Object.Raw, &m)
	}
	return m
}

// keysFromManagedFields returns the data and binaryData keys that the
// managedFields of a ConfigMap or Secret record. Every writer's entry
// lists the keys it set, and a key removed from the object is removed from
// every entry, so their union is the object's keys. ok is false when there
// are no managedFields to tell.
func keysFromManagedFields(entries []metav1.ManagedFieldsEntry) (keys []string, ok bool) {
	seen := map[string]bool{}
	for _, e := range entries {
		if e.FieldsV1 == nil || len(e.FieldsV1.GetRawBytes()) == 0 {
			continue
		}
		ok = true
		var top map[string]json.RawMessage
		if json.Unmarshal(e.FieldsV1.GetRawBytes(), &top) != nil {
			return nil, false
		}
		for _, field := range []string{"f:data", "f:binaryData"} {
			raw, found := top[field]
			if !found {
				continue
			}
			var set map[string]json.RawMessage
			if json.Unmarshal(raw, &set) != nil {
				return nil, false
			}
			for k := range set {
				if name, isField := strings.CutPrefix(k, "f:"); isField && !seen[name] {
					seen[name] = true
					keys = append(keys, name)
				}
			}
		}
	}
	sort.Strings(keys)
	return keys, ok
}

func mapKeys(data map[string]string, binary map[string][]byte) []string {
	keys := make([]string, 0, len(data)+len(binary))
	for k := range data {
		keys = append(keys, k)
	}
	for k := range binary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(n int) string { return strconv.Itoa(n) }
