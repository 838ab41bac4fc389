package cluster

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CronJobNames lists the CronJobs of namespace, which --from=cronjob/
// completes.
func (l *Lookups) CronJobNames(ctx context.Context, namespace string) ([]string, error) {
	names, _, err := listNames(ctx, l.c.Batch, namespace, "cronjobs", metav1.ListOptions{})
	return names, err
}

// JobNames lists the Jobs of namespace, which --from=job/ completes.
func (l *Lookups) JobNames(ctx context.Context, namespace string) ([]string, error) {
	names, _, err := listNames(ctx, l.c.Batch, namespace, "jobs", metav1.ListOptions{})
	return names, err
}
