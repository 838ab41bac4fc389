package cluster

import (
	"context"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// Quota lists, for each ResourceQuota of namespace, the resources a Job
// uses: count/jobs.batch, pods, and the requests and limits of compute
// resources, as used / hard from the quota's status.
func (c *Client) Quota(ctx context.Context, namespace string) ([]lookup.QuotaUse, error) {
	list := &corev1.ResourceQuotaList{}
	if err := c.Core.Get().Namespace(namespace).Resource("resourcequotas").
		VersionedParams(&metav1.ListOptions{Limit: pageSize}, ParameterCodec).Do(ctx).Into(list); err != nil {
		return nil, err
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	var out []lookup.QuotaUse
	for _, q := range list.Items {
		hard := q.Status.Hard
		if len(hard) == 0 {
			// The quota controller has not filled the status yet.
			hard = q.Spec.Hard
		}
		var names []corev1.ResourceName
		for r := range hard {
			if quotaRank(r) >= 0 {
				names = append(names, r)
			}
		}
		sort.Slice(names, func(i, j int) bool {
			ri, rj := quotaRank(names[i]), quotaRank(names[j])
			if ri != rj {
				return ri < rj
			}
			return names[i] < names[j]
		})
		for _, r := range names {
			u := lookup.QuotaUse{Quota: q.Name, Resource: string(r), Hard: quantityString(hard[r])}
			if used, ok := q.Status.Used[r]; ok {
				u.Used = quantityString(used)
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// quotaRank orders the resources a Job touches as the wizard shows them,
// and is -1 for the rest (services, configmaps, storage, ...).
func quotaRank(r corev1.ResourceName) int {
	s := string(r)
	switch {
	case s == "count/jobs.batch":
		return 0
	case s == "pods" || s == "count/pods":
		return 1
	case s == "cpu" || s == "memory" || s == "ephemeral-storage":
		return 2
	case strings.HasPrefix(s, "requests.") && s != "requests.storage":
		return 2
	case strings.HasPrefix(s, "limits."):
		return 3
	}
	return -1
}

func quantityString(q resource.Quantity) string { return q.String() }

// LimitDefaults merges the container defaults of the LimitRanges of
// namespace. The LimitRanger admission plugin applies the ranges in list
// order and never overwrites, so the first range to set a resource wins.
func (c *Client) LimitDefaults(ctx context.Context, namespace string) (requests, limits corev1.ResourceList, err error) {
	list := &corev1.LimitRangeList{}
	if err := c.Core.Get().Namespace(namespace).Resource("limitranges").
		VersionedParams(&metav1.ListOptions{Limit: pageSize}, ParameterCodec).Do(ctx).Into(list); err != nil {
		return nil, nil, err
	}
	for _, lr := range list.Items {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			requests = mergeMissing(requests, item.DefaultRequest)
			limits = mergeMissing(limits, item.Default)
		}
	}
	return requests, limits, nil
}

func mergeMissing(dst, src corev1.ResourceList) corev1.ResourceList {
	for k, v := range src {
		if dst == nil {
			dst = corev1.ResourceList{}
		}
		if _, ok := dst[k]; !ok {
			dst[k] = v.DeepCopy()
		}
	}
	return dst
}

// Quota implements lookup.Lookup.
func (l *Lookups) Quota(ctx context.Context, namespace string) ([]lookup.QuotaUse, error) {
	return l.c.Quota(ctx, namespace)
}

// LimitDefaults implements lookup.Lookup.
func (l *Lookups) LimitDefaults(ctx context.Context, namespace string) (requests, limits corev1.ResourceList, err error) {
	return l.c.LimitDefaults(ctx, namespace)
}
