package wizard

import (
	"strconv"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// kueueSeen is what the Kueue questions learned of the cluster, so the
// review can say which ClusterQueue a queue feeds and what a class is worth
// without asking again.
type kueueSeen struct {
	queues  map[string]lookup.LocalQueue
	classes map[string]lookup.WorkloadPriorityClass
}

// askKueue asks, when the cluster serves Kueue, which LocalQueue the Job
// waits in (the namespace's, with their ClusterQueue and counts; its
// default LocalQueue preselected) and with which WorkloadPriorityClass.
// A cluster without Kueue gets no question: the discovery behind
// KueueServed is one request per process, shared with the create's
// preflight. Answers go through --queue's and --workload-priority-class's
// appliers.
func (w *Wizard) askKueue(s *jobspec.Spec) error {
	k, ok := w.cfg.Lookup.(lookup.Kueue)
	if !ok || w.cfg.Lookup == nil {
		return nil
	}
	ctx, cancel := w.lookupCtx()
	served, err := k.KueueServed(ctx)
	cancel()
	if err != nil {
		w.warn(w.T("Could not ask whether the cluster serves Kueue (%s); no queue is offered.", safe(firstLine(err.Error()))))
		return nil
	}
	if !served {
		return w.dropQueueWithoutKueue(s)
	}
	had := s.Queue
	if err := w.askQueue(s, k); err != nil {
		return err
	}
	switch {
	case s.Queue != "":
		if s.Suspend != nil && !*s.Suspend {
			// A queued Job is created suspended whatever spec.suspend said
			// (--suspend=false is refused with --queue).
			if _, err := jobspec.ApplySuspend(s, "true"); err != nil {
				return err
			}
		}
		w.note(w.T("The Job is created suspended: Kueue starts it by resuming it once its ClusterQueue admits it."))
	case had != "" && s.Suspend != nil && *s.Suspend:
		w.note(w.T("The Job is still created suspended (spec.suspend); the advanced settings can change that."))
	}
	if s.Queue == "" && s.WorkloadPriorityClass == "" {
		// Kueue reads the class of the Jobs it queues only.
		return nil
	}
	return w.askWorkloadPriorityClass(s, k)
}

// dropQueueWithoutKueue offers to drop a queue the flags or the manifest
// gave, on a cluster that cannot admit it.
func (w *Wizard) dropQueueWithoutKueue(s *jobspec.Spec) error {
	if s.Queue == "" && s.WorkloadPriorityClass == "" {
		return nil
	}
	drop, err := w.p.Confirm(Confirm{Message: w.T("The cluster does not serve Kueue, so a queued Job would stay suspended forever. Drop the queue and the workload priority class?"), Default: true})
	if err != nil || !drop {
		return err
	}
	if _, err := jobspec.ApplyQueue(s, ""); err != nil {
		return err
	}
	_, err = jobspec.ApplyWorkloadPriorityClass(s, "")
	return err
}

// askQueue asks for the LocalQueue, or none.
func (w *Wizard) askQueue(s *jobspec.Spec, k lookup.Kueue) error {
	ns := w.namespace(s)
	ctx, cancel := w.lookupCtx()
	queues, defaultQueue, err := k.LocalQueues(ctx, ns)
	cancel()
	if err != nil {
		w.lookupFailed(w.T("LocalQueues"), err)
		return w.kueueText(s, w.T("Kueue LocalQueue (optional)"), s.Queue, jobspec.ApplyQueue)
	}
	if len(queues) == 0 && s.Queue == "" {
		w.note(w.T("Namespace %s has no Kueue LocalQueue; the Job runs without a queue.", safe(ns)))
		return nil
	}
	w.kueue.queues = map[string]lookup.LocalQueue{}
	var choices []kueueChoice
	preselect := s.Queue
	for _, q := range queues {
		w.kueue.queues[q.Name] = q
		desc := w.T("ClusterQueue %s, %d pending, %d admitted", safe(q.ClusterQueue), q.Pending, q.Admitted)
		if !q.Active {
			desc += ", " + w.T("inactive")
		}
		if q.Name == defaultQueue {
			desc += ", " + w.T("the namespace's default")
			if s.Queue == "" {
				preselect = q.Name
			}
		}
		choices = append(choices, kueueChoice{q.Name, desc})
	}
	return w.pickKueue(s, Select{Message: w.T("Kueue queue"),
		Help: w.T("Kueue admits the Job when the LocalQueue's ClusterQueue has quota for its pods (label kueue.x-k8s.io/queue-name).")},
		kueueChoice{w.T("No queue"), w.T("the Job starts at once, outside Kueue")}, choices,
		s.Queue, preselect, w.T("not a LocalQueue of namespace %s", safe(ns)), jobspec.ApplyQueue)
}

// kueueChoice is a name the cluster listed and what the option says of it.
type kueueChoice struct{ name, description string }

// pickKueue asks a Select of none, then the listed choices, with preselect
// chosen; current (from the flags or a manifest), when not listed, is
// offered last and preselected, described as unknown: Enter keeps it, and
// the create's preflight says what is wrong with it. The pick goes through
// apply, the flag's applier.
func (w *Wizard) pickKueue(s *jobspec.Spec, q Select, none kueueChoice, choices []kueueChoice, current, preselect, unknown string, apply jobspec.Applier) error {
	names := []string{""}
	q.Options = []Option{{Label: none.name, Description: none.description}}
	listed := false
	for _, c := range choices {
		listed = listed || c.name == current
		if c.name == preselect {
			q.Default = len(q.Options)
		}
		names = append(names, c.name)
		q.Options = append(q.Options, Option{Label: safe(c.name), Description: c.description})
	}
	if current != "" && !listed {
		q.Default = len(q.Options)
		names = append(names, current)
		q.Options = append(q.Options, Option{Label: safe(current), Description: unknown})
	}
	i, err := w.selectValid(q, func(i int) error { return w.explain(judgeAdded(s, names[i], apply), false) })
	if err != nil {
		return err
	}
	_, err = apply(s, names[i])
	return err
}

// askWorkloadPriorityClass asks for the WorkloadPriorityClass, or none.
func (w *Wizard) askWorkloadPriorityClass(s *jobspec.Spec, k lookup.Kueue) error {
	ctx, cancel := w.lookupCtx()
	classes, err := k.WorkloadPriorityClasses(ctx)
	cancel()
	if err != nil {
		w.lookupFailed(w.T("WorkloadPriorityClasses"), err)
		return w.kueueText(s, w.T("Workload priority class (optional)"), s.WorkloadPriorityClass, jobspec.ApplyWorkloadPriorityClass)
	}
	if len(classes) == 0 && s.WorkloadPriorityClass == "" {
		return nil
	}
	w.kueue.classes = map[string]lookup.WorkloadPriorityClass{}
	var choices []kueueChoice
	for _, c := range classes {
		w.kueue.classes[c.Name] = c
		desc := w.T("value %d", c.Value)
		if c.Description != "" {
			desc += ", " + safe(firstLine(c.Description))
		}
		choices = append(choices, kueueChoice{c.Name, desc})
	}
	return w.pickKueue(s, Select{Message: w.T("Workload priority class"),
		Help: w.T("Kueue admits higher values first and may preempt lower ones for them (label kueue.x-k8s.io/priority-class).")},
		kueueChoice{w.T("None"), w.T("Kueue's default priority")}, choices,
		s.WorkloadPriorityClass, s.WorkloadPriorityClass, w.T("no such WorkloadPriorityClass"), jobspec.ApplyWorkloadPriorityClass)
}

// kueueText asks for a Kueue name as free text, where the cluster would
// not list them.
func (w *Wizard) kueueText(s *jobspec.Spec, msg, def string, apply jobspec.Applier) error {
	a, err := w.input(msg, def, "", func(a string) error {
		return w.explain(judgeAdded(s, clearable(a), apply), true)
	})
	if err != nil {
		return err
	}
	_, err = apply(s, clearable(a))
	return err
}

// queueSummary is the review's line of the queue: its ClusterQueue when
// the walk listed it.
func (w *Wizard) queueSummary(s *jobspec.Spec) string {
	if s.Queue == "" {
		return ""
	}
	if q, ok := w.kueue.queues[s.Queue]; ok && q.ClusterQueue != "" {
		return w.T("%s (ClusterQueue %s)", s.Queue, q.ClusterQueue)
	}
	return s.Queue
}

// classSummary is the review's line of the priority class, with its value
// when the walk listed it.
func (w *Wizard) classSummary(s *jobspec.Spec) string {
	if c, ok := w.kueue.classes[s.WorkloadPriorityClass]; ok && s.WorkloadPriorityClass != "" {
		return s.WorkloadPriorityClass + " (" + strconv.Itoa(int(c.Value)) + ")"
	}
	return s.WorkloadPriorityClass
}
