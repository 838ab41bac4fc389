package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// QueuePreflight checks, before a queued Job is created, what would leave
// it suspended forever: a cluster without Kueue (the label alone admits
// nothing), a LocalQueue that does not exist, a ClusterQueue that does not
// exist or is inactive, or one with no flavor for a resource the pods
// request or too little quota ever to fit them; and a WorkloadPriorityClass
// the Job names that does not exist (see priorityClassPreflight). Such a
// Job is refused as bad input (a *jobspec.FieldError at --queue or
// --workload-priority-class: exit 2, nothing sent). Where the caller may
// not read a queue or class, the check it could not make is a warning and
// the Job goes on. Other errors (an unreachable server) are returned as
// they are. A Job without Kueue's labels needs no request.
func (c *Client) QueuePreflight(ctx context.Context, job *batchv1.Job) (warnings []string, err error) {
	queue := job.Labels[jobspec.QueueLabel]
	class := job.Labels[jobspec.WorkloadPriorityClassLabel]
	if queue == "" {
		if class == "" {
			return nil, nil
		}
		return c.priorityClassPreflight(ctx, class, false)
	}
	warnings, err = c.localQueuePreflight(ctx, job, queue)
	if err != nil || class == "" {
		return warnings, err
	}
	more, err := c.priorityClassPreflight(ctx, class, true)
	return append(warnings, more...), err
}

// localQueuePreflight is QueuePreflight's check of the LocalQueue and its
// ClusterQueue.
func (c *Client) localQueuePreflight(ctx context.Context, job *batchv1.Job, queue string) (warnings []string, err error) {
	refuse := func(format string, a ...any) error {
		return &jobspec.FieldError{Flag: "--queue", Field: "metadata.labels[" + jobspec.QueueLabel + "]", Value: queue,
			Rule: fmt.Sprintf(format, a...)}
	}
	forbidden := func(what string, err error) []string { return append(warnings, cannotCheck(what, err)) }
	forever := "so the Job would stay suspended forever"

	if _, err := c.KueueVersion(ctx); err != nil {
		switch {
		case errors.Is(err, ErrNoKueue):
			return nil, refuse("the cluster does not serve Kueue (API group %s), %s: the queue label alone admits nothing; install Kueue, or create the Job without --queue", KueueGroup, forever)
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
			return forbidden("whether the cluster serves Kueue", err), nil
		}
		return nil, err
	}

	ns := job.Namespace
	lq, err := c.LocalQueue(ctx, ns, queue)
	switch {
	case apierrors.IsNotFound(err):
		msg := fmt.Sprintf("there is no LocalQueue %q in namespace %q, %s", queue, ns, forever)
		if qs, lerr := c.LocalQueues(ctx, ns); lerr == nil {
			var names []string
			for _, q := range qs {
				names = append(names, q.Metadata.Name)
			}
			sort.Strings(names)
			if len(names) > 0 {
				msg += "; its LocalQueues are " + listOf(names)
			} else {
				msg += "; it has no LocalQueues"
			}
		}
		return nil, refuse("%s (kubectl get localqueues -n %s)", msg, ns)
	case apierrors.IsForbidden(err):
		return forbidden(fmt.Sprintf("LocalQueue %q in namespace %q", queue, ns), err), nil
	case err != nil:
		return nil, err
	}
	if lq.Spec.StopPolicy != "" && lq.Spec.StopPolicy != "None" {
		return nil, refuse("LocalQueue %q is stopped (stopPolicy %s), %s until it is started again", queue, lq.Spec.StopPolicy, forever)
	}

	cqName := lq.Spec.ClusterQueue
	cq, err := c.ClusterQueue(ctx, cqName)
	switch {
	case apierrors.IsNotFound(err):
		return nil, refuse("its ClusterQueue %q (spec.clusterQueue of LocalQueue %q) does not exist, %s (kubectl get clusterqueues)", cqName, queue, forever)
	case apierrors.IsForbidden(err):
		// ClusterQueues are cluster-scoped and often hidden from the
		// teams that use them; the LocalQueue still tells whether its
		// ClusterQueue is there and active.
		if cond := findCondition(lq.Status.Conditions, "Active"); cond != nil && cond.Status == metav1.ConditionFalse {
			return nil, refuse("LocalQueue %q is not active (%s: %s), %s", queue, cond.Reason, cond.Message, forever)
		}
		return forbidden(fmt.Sprintf("ClusterQueue %q of LocalQueue %q", cqName, queue), err), nil
	case err != nil:
		return nil, err
	}
	if cond := findCondition(cq.Status.Conditions, "Active"); cond != nil && cond.Status == metav1.ConditionFalse {
		return nil, refuse("its ClusterQueue %q is not active (%s: %s), %s", cqName, cond.Reason, cond.Message, forever)
	}
	if problem := quotaProblem(cq, job); problem != "" {
		return nil, refuse("%s, %s", problem, forever)
	}
	return nil, nil
}

// cannotCheck is the warning of a check the caller has no right to make.
func cannotCheck(what string, err error) string {
	return fmt.Sprintf("cannot check %s (%s); creating the Job without that check", what, strings.SplitN(err.Error(), "\n", 2)[0])
}

// priorityClassPreflight checks that the WorkloadPriorityClass a Job names
// exists (one GET): Kueue makes no Workload for a Job whose class is
// missing (its reconciler fails to read the class and tries again), so a
// queued Job would stay suspended forever. A missing class is refused with
// the classes there are; one the caller may not read is a warning.
// Without Kueue the label does nothing at all, and is refused as --queue
// is. queued says whether the Job also names a queue, whose preflight made
// the discovery already.
func (c *Client) priorityClassPreflight(ctx context.Context, class string, queued bool) (warnings []string, err error) {
	refuse := func(format string, a ...any) error {
		return &jobspec.FieldError{Flag: "--workload-priority-class", Field: "metadata.labels[" + jobspec.WorkloadPriorityClassLabel + "]",
			Value: class, Rule: fmt.Sprintf(format, a...)}
	}
	if !queued {
		if _, err := c.KueueVersion(ctx); err != nil {
			switch {
			case errors.Is(err, ErrNoKueue):
				return nil, refuse("the cluster does not serve Kueue (API group %s), so the priority class label does nothing: install Kueue, or create the Job without --workload-priority-class", KueueGroup)
			case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
				return []string{cannotCheck("whether the cluster serves Kueue", err)}, nil
			}
			return nil, err
		}
	}
	_, err = c.WorkloadPriorityClass(ctx, class)
	switch {
	case err == nil:
		return nil, nil
	case apierrors.IsNotFound(err):
		msg := fmt.Sprintf("there is no WorkloadPriorityClass %q, and Kueue makes no Workload for a Job whose class is missing, so the Job would never be admitted", class)
		if queued {
			msg += " and would stay suspended forever"
		}
		if pcs, lerr := c.PriorityClassChoices(ctx); lerr == nil {
			var names []string
			for _, pc := range pcs {
				names = append(names, fmt.Sprintf("%s (%d)", pc.Name, pc.Value))
			}
			if len(names) > 0 {
				msg += "; the classes are " + listOf(names)
			} else {
				msg += "; the cluster has no WorkloadPriorityClasses"
			}
		}
		return nil, refuse("%s (kubectl get workloadpriorityclasses)", msg)
	case apierrors.IsForbidden(err):
		return []string{cannotCheck(fmt.Sprintf("WorkloadPriorityClass %q", class), err)}, nil
	}
	return nil, err
}

// WorkloadPriorityClass reads a WorkloadPriorityClass.
func (c *Client) WorkloadPriorityClass(ctx context.Context, name string) (*KueueWorkloadPriorityClass, error) {
	pc := &KueueWorkloadPriorityClass{}
	return pc, c.getKueue(ctx, "workloadpriorityclasses", "", name, pc)
}

// quotaProblem says why the ClusterQueue can never admit the Job's pods:
// a requested resource no resource group covers, or more of one than any
// flavor could ever give (nominal quota, plus the borrowing limit in a
// cohort; without a borrowing limit a cohort may lend any amount).
func quotaProblem(cq *KueueClusterQueue, job *batchv1.Job) string {
	perPod := podRequests(&job.Spec.Template.Spec)
	if len(perPod) == 0 {
		return ""
	}
	pods := int64(1)
	if p := job.Spec.Parallelism; p != nil {
		pods = int64(*p)
		if c := job.Spec.Completions; c != nil && *c < *p {
			pods = int64(*c)
		}
	}
	cohort := cq.Spec.CohortName != "" || cq.Spec.Cohort != ""
	covered := map[corev1.ResourceName]bool{}
	var coveredNames []string
	most := map[corev1.ResourceName]*resource.Quantity{}
	unbounded := map[corev1.ResourceName]bool{}
	for _, g := range cq.Spec.ResourceGroups {
		for _, r := range g.CoveredResources {
			if !covered[r] {
				covered[r] = true
				coveredNames = append(coveredNames, string(r))
			}
		}
		for _, fl := range g.Flavors {
			for _, r := range fl.Resources {
				q := r.NominalQuota.DeepCopy()
				if cohort {
					if r.BorrowingLimit == nil {
						unbounded[r.Name] = true
					} else {
						q.Add(*r.BorrowingLimit)
					}
				}
				if m := most[r.Name]; m == nil || q.Cmp(*m) > 0 {
					most[r.Name] = &q
				}
			}
		}
	}
	sort.Strings(coveredNames)
	var names []string
	for r := range perPod {
		names = append(names, string(r))
	}
	sort.Strings(names)
	for _, n := range names {
		r := corev1.ResourceName(n)
		if !covered[r] {
			covers := "no resources"
			if len(coveredNames) > 0 {
				covers = strings.Join(coveredNames, ", ")
			}
			return fmt.Sprintf("its ClusterQueue %q has no flavor for %s, which the pods request (it covers %s)", cq.Metadata.Name, r, covers)
		}
		if unbounded[r] || most[r] == nil {
			continue
		}
		each := perPod[r]
		total := each.DeepCopy()
		total.Mul(pods)
		if total.Cmp(*most[r]) > 0 {
			return fmt.Sprintf("the Job requests %s of %s in all (%d pods of %s) and its ClusterQueue %q has at most %s in any flavor",
				total.String(), r, pods, each.String(), cq.Metadata.Name, most[r].String())
		}
	}
	return ""
}

// podRequests are a pod's requests as Kueue counts them: each container's
// requests (its limits where it sets no request), the app containers and
// sidecars summed, and an init container's alone where it asks for more.
func podRequests(pod *corev1.PodSpec) corev1.ResourceList {
	containerRequests := func(c *corev1.Container) corev1.ResourceList {
		out := corev1.ResourceList{}
		for r, q := range c.Resources.Limits {
			out[r] = q.DeepCopy()
		}
		for r, q := range c.Resources.Requests {
			out[r] = q.DeepCopy()
		}
		return out
	}
	sum := corev1.ResourceList{}
	add := func(l corev1.ResourceList) {
		for r, q := range l {
			cur := sum[r]
			cur.Add(q)
			sum[r] = cur
		}
	}
	for i := range pod.Containers {
		add(containerRequests(&pod.Containers[i]))
	}
	sidecars := corev1.ResourceList{}
	for i := range pod.InitContainers {
		c := &pod.InitContainers[i]
		req := containerRequests(c)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(req)
			for r, q := range req {
				cur := sidecars[r]
				cur.Add(q)
				sidecars[r] = cur
			}
			continue
		}
		for r, q := range req {
			q.Add(sidecars[r])
			if cur, ok := sum[r]; !ok || q.Cmp(cur) > 0 {
				sum[r] = q
			}
		}
	}
	for r, q := range sum {
		if q.IsZero() {
			delete(sum, r)
		}
	}
	return sum
}
