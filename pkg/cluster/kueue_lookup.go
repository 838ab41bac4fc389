package cluster

import (
	"context"
	"errors"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

var _ lookup.Kueue = (*Lookups)(nil)

// KueueServed says whether the cluster serves Kueue, from the one
// discovery request per process that the preflight shares (KueueVersion).
func (l *Lookups) KueueServed(ctx context.Context) (bool, error) {
	_, err := l.c.KueueVersion(ctx)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNoKueue):
		return false, nil
	}
	return false, err
}

// LocalQueues lists the namespace's LocalQueues (see Client.QueueChoices).
func (l *Lookups) LocalQueues(ctx context.Context, namespace string) ([]lookup.LocalQueue, string, error) {
	return l.c.QueueChoices(ctx, namespace)
}

// WorkloadPriorityClasses lists the WorkloadPriorityClasses, highest first.
func (l *Lookups) WorkloadPriorityClasses(ctx context.Context) ([]lookup.WorkloadPriorityClass, error) {
	return l.c.PriorityClassChoices(ctx)
}
