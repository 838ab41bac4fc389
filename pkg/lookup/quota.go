package lookup

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// The quota rules are pure functions of what Quota and LimitDefaults
// return, so that the wizard's review (which sees the cluster only through
// Lookup) and the tests against a real API server use the same ones.

// QuotaSummary renders the quota use as one line per ResourceQuota, for the
// wizard's first screen: `compute: count/jobs.batch 2/10, pods 3/20,
// requests.cpu 500m/4`. A use the quota controller has not counted yet
// shows as "?".
func QuotaSummary(uses []QuotaUse) []string {
	var lines []string
	var cur string
	var parts []string
	flush := func() {
		if len(parts) > 0 {
			lines = append(lines, cur+": "+strings.Join(parts, ", "))
		}
		parts = nil
	}
	for _, u := range uses {
		if u.Quota != cur {
			flush()
			cur = u.Quota
		}
		used := u.Used
		if used == "" {
			used = "?"
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", u.Resource, used, u.Hard))
	}
	flush()
	return lines
}

// QuotaWarnings compares what the Job will ask of the namespace with what
// its ResourceQuotas have left, for the wizard's review: the Job itself
// against count/jobs.batch, and its pods running at once (parallelism,
// capped by completions) times each pod's requests and limits against
// pods, requests.* and limits.*. defaultRequests and defaultLimits are the
// LimitRange defaults the server will fill into containers that set none.
// Nothing is sent; the result is empty when the Job fits.
func QuotaWarnings(job *batchv1.Job, uses []QuotaUse, defaultRequests, defaultLimits corev1.ResourceList) []string {
	pods := int64(1)
	if p := job.Spec.Parallelism; p != nil {
		pods = int64(*p)
	}
	if c := job.Spec.Completions; c != nil && int64(*c) < pods {
		pods = int64(*c)
	}
	requests, limits := podResources(&job.Spec.Template.Spec, defaultRequests, defaultLimits)
	var warnings []string
	for _, u := range uses {
		hard, err1 := resource.ParseQuantity(u.Hard)
		used, err2 := resource.ParseQuantity(u.Used)
		if err1 != nil || err2 != nil {
			continue // not counted yet: nothing to compare with
		}
		left := hard.DeepCopy()
		left.Sub(used)
		where := fmt.Sprintf("ResourceQuota %s", termtext.Quote(u.Quota))
		switch kind, name := quotaResource(u.Resource); kind {
		case "count":
			if left.Sign() <= 0 {
				warnings = append(warnings, fmt.Sprintf("%s allows %s Jobs and %s exist: the server will refuse this one", where, u.Hard, u.Used))
			}
		case "pods":
			if left.Value() < pods {
				warnings = append(warnings, fmt.Sprintf("the Job runs %d pods at once but %s has room for %d more pods (%s of %s used): the rest wait until others end",
					pods, where, max(left.Value(), 0), u.Used, u.Hard))
			}
		case "requests", "limits":
			list, flag := requests, "--request"
			if kind == "limits" {
				list, flag = limits, "--limit"
			}
			per, ok := list[corev1.ResourceName(name)]
			if !ok {
				if requiredByQuota(name) {
					warnings = append(warnings, fmt.Sprintf("%s tracks %s, so the server refuses pods whose containers set no %s %s; give one, e.g. %s %s=%s",
						where, u.Resource, name, strings.TrimSuffix(kind, "s"), flag, name, exampleQuantity(name)))
				}
				continue
			}
			need := per.MilliValue() * pods
			if need > left.MilliValue() {
				total := resource.NewMilliQuantity(need, per.Format)
				remaining := resource.NewMilliQuantity(max(left.MilliValue(), 0), hard.Format)
				warnings = append(warnings, fmt.Sprintf("the Job's %d pods at once ask %s %s (%s each) but %s has %s left (%s of %s used): pods past that wait",
					pods, u.Resource, total, per.String(), where, remaining, u.Used, u.Hard))
			}
		}
	}
	return warnings
}

// quotaResource splits a quota resource name into what it counts and the
// compute resource: "requests.cpu" and "cpu" are ("requests", "cpu").
func quotaResource(r string) (kind, name string) {
	switch {
	case r == "count/jobs.batch":
		return "count", ""
	case r == "pods" || r == "count/pods":
		return "pods", ""
	case r == "cpu" || r == "memory" || r == "ephemeral-storage":
		return "requests", r
	}
	if rest, ok := strings.CutPrefix(r, "requests."); ok {
		return "requests", rest
	}
	if rest, ok := strings.CutPrefix(r, "limits."); ok {
		return "limits", rest
	}
	return "", ""
}

// requiredByQuota is whether a quota on this resource makes the server
// refuse pods that do not set it (the quota admission checks these three).
func requiredByQuota(name string) bool {
	return name == "cpu" || name == "memory" || name == "ephemeral-storage"
}

func exampleQuantity(name string) string {
	switch name {
	case "cpu":
		return "500m"
	case "memory":
		return "256Mi"
	case "ephemeral-storage":
		return "1Gi"
	}
	return "1"
}

// podResources is what one pod asks, as the scheduler and quota count it:
// the sum over the containers (and restartable init containers, which run
// beside them), or the largest other init container if that is more. A
// container without a request gets its limit, else the LimitRange default.
func podResources(pod *corev1.PodSpec, defReq, defLim corev1.ResourceList) (requests, limits corev1.ResourceList) {
	effective := func(c *corev1.Container) (req, lim corev1.ResourceList) {
		req, lim = corev1.ResourceList{}, corev1.ResourceList{}
		for k, v := range c.Resources.Limits {
			lim[k] = v
		}
		for k, v := range defLim {
			if _, ok := lim[k]; !ok {
				lim[k] = v
			}
		}
		for k, v := range c.Resources.Requests {
			req[k] = v
		}
		// The API defaults a missing request to an explicit limit before
		// LimitRanger adds its defaults.
		for k, v := range c.Resources.Limits {
			if _, ok := req[k]; !ok {
				req[k] = v
			}
		}
		for k, v := range defReq {
			if _, ok := req[k]; !ok {
				req[k] = v
			}
		}
		return req, lim
	}
	requests, limits = corev1.ResourceList{}, corev1.ResourceList{}
	add := func(dst, src corev1.ResourceList) {
		for k, v := range src {
			q := dst[k]
			q.Add(v)
			dst[k] = q
		}
	}
	for i := range pod.Containers {
		r, l := effective(&pod.Containers[i])
		add(requests, r)
		add(limits, l)
	}
	initReq, initLim := corev1.ResourceList{}, corev1.ResourceList{}
	for i := range pod.InitContainers {
		c := &pod.InitContainers[i]
		r, l := effective(c)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(requests, r)
			add(limits, l)
			continue
		}
		maxInto(initReq, r)
		maxInto(initLim, l)
	}
	maxInto(requests, initReq)
	maxInto(limits, initLim)
	return requests, limits
}

func maxInto(dst, src corev1.ResourceList) {
	for k, v := range src {
		if cur, ok := dst[k]; !ok || v.Cmp(cur) > 0 {
			dst[k] = v
		}
	}
}
