package cluster

import (
	"context"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// PodSecurity implements lookup.Lookup with NamespacePodSecurity, the GET
// the create's check makes.
func (l *Lookups) PodSecurity(ctx context.Context, namespace string) (lookup.PodSecurity, bool) {
	p, ok := l.c.NamespacePodSecurity(ctx, namespace)
	if !ok {
		return lookup.PodSecurity{}, false
	}
	return lookup.PodSecurity{Level: string(p.Level.Level), Version: p.Level.Version.String()}, true
}

// schedulingGV is scheduling.k8s.io/v1, whose PriorityClasses are read as
// a server-side Table: no type of the group needs registering in Scheme.
var schedulingGV = schema.GroupVersion{Group: "scheduling.k8s.io", Version: "v1"}

// scheduling is the REST client of scheduling.k8s.io, made on first use:
// only the wizard's priority class question needs it.
func (l *Lookups) scheduling() (rest.Interface, error) {
	l.schedOnce.Do(func() {
		l.sched, l.schedErr = restClientFor(l.c.Config, schedulingGV, l.c.httpClient)
	})
	return l.sched, l.schedErr
}

// PriorityClasses lists the cluster's PriorityClasses with their value and
// whether one is the global default, from the Table kubectl get shows.
func (l *Lookups) PriorityClasses(ctx context.Context) ([]lookup.PriorityClass, error) {
	rc, err := l.scheduling()
	if err != nil {
		return nil, err
	}
	t, err := listTable(ctx, rc, "", "priorityclasses", metav1.ListOptions{}, metav1.IncludeNone)
	if err != nil {
		return nil, err
	}
	out := make([]lookup.PriorityClass, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, lookup.PriorityClass{Name: t.name(r), Value: t.cell(r, "Value"),
			GlobalDefault: strings.EqualFold(t.cell(r, "Global-Default"), "true")})
	}
	return out, nil
}

// schedClient holds the lazily made scheduling.k8s.io client of Lookups.
type schedClient struct {
	schedOnce sync.Once
	sched     rest.Interface
	schedErr  error
}
