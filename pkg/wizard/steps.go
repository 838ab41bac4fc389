package wizard

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 1: basic information ----

func (w *Wizard) stepBasic(s *jobspec.Spec) error {
	if err := w.askKind(s); err != nil {
		return err
	}
	if err := w.askName(s, false); err != nil {
		return err
	}
	if err := w.askNamespace(s); err != nil {
		return err
	}
	alias, err := w.input(w.T("Alias (optional, any language)"), s.Alias, "", func(a string) error {
		return w.explain(judgeAdded(s, clearable(a), jobspec.ApplyAlias), false)
	})
	if err != nil {
		return err
	}
	if _, err := jobspec.ApplyAlias(s, clearable(alias)); err != nil {
		return err
	}
	desc, err := w.input(w.T("Description (optional)"), s.Description, "", func(a string) error {
		return w.explain(judgeAdded(s, clearable(a), jobspec.ApplyDescription), false)
	})
	if err != nil {
		return err
	}
	if _, err = jobspec.ApplyDescription(s, clearable(desc)); err != nil || !s.IsCronJob() {
		return err
	}
	return w.askSchedule(s)
}

func clearable(a string) string {
	v, _ := optional(a)
	return v
}

// setName sets a name answer: one ending in '-' is a generateName prefix,
// as CI wants to run the same command again.
func setName(c *jobspec.Spec, a string) {
	switch {
	case a == "":
		c.Name, c.GenerateName = "", ""
	case strings.HasSuffix(a, "-"):
		c.Name, c.GenerateName = "", a
	default:
		c.Name, c.GenerateName = a, ""
	}
}

// askName asks the Job's name. At step 1 it may stay empty, and is then
// asked again right after the image with a name made of it; required is
// that second time.
func (w *Wizard) askName(s *jobspec.Spec, required bool) error {
	def := s.Name
	if def == "" {
		def = s.GenerateName
	}
	if def == "" && len(s.Containers) > 0 && s.Containers[0].Image != "" {
		def = suggestName(s.Containers[0].Image)
	}
	help := w.T("Lower case letters, digits and '-', at most 63 characters. End it with '-' to let the server add a random suffix (generateName).")
	msg := w.T("Name")
	if !required && def == "" {
		help += " " + w.T("Leave it empty to name the Job after its image.")
		msg = w.T("Name (Enter: after the image)")
	}
	a, err := w.input(msg, def, help, func(a string) error {
		if a == "" && !required {
			return nil
		}
		return w.explain(judge(s, func(c *jobspec.Spec) error { setName(c, a); return nil },
			"metadata.name", "metadata.generateName"), false)
	})
	if err != nil {
		return err
	}
	setName(s, a)
	return nil
}

func (w *Wizard) askNamespace(s *jobspec.Spec) error {
	validate := func(a string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { c.Namespace = clearable(a); return nil }, "metadata.namespace"), false)
	}
	var names []string
	if w.cfg.Lookup != nil {
		ctx, cancel := w.lookupCtx()
		list, err := w.cfg.Lookup.Namespaces(ctx)
		cancel()
		if err != nil {
			w.lookupFailed(w.T("namespaces"), err)
		}
		names = list
	}
	def := s.Namespace
	if def == "" {
		def = w.cfg.Namespace
	}
	msg := w.T("Namespace")
	if len(names) == 0 {
		msg = w.T("Namespace (optional)")
	}
	a, err := w.chooseName(msg, def, names, nil, false, validate)
	if err != nil {
		return err
	}
	a = clearable(a)
	// The connection's own namespace is left unnamed, so the manifest stays
	// portable and the command line short.
	if s.Namespace == "" && a == w.cfg.Namespace {
		a = ""
	}
	s.Namespace = a
	return nil
}

// ---- Step 2: job settings ----

// countQuestion asks a count such as --backoff-limit. apiDefault is what
// the API server uses when the field is unset; choosing it for an unset
// field leaves the field unset (the Job is the same either way).
func (w *Wizard) countQuestion(s *jobspec.Spec, msg, help string, apply jobspec.Applier, field, apiDefault string, get func(*jobspec.Spec) **int32) error {
	cur := *get(s)
	def := apiDefault
	if cur != nil {
		def = strconv.Itoa(int(*cur))
	}
	set := func(c *jobspec.Spec, a string) error {
		v, ok := optional(a)
		if !ok || (cur == nil && v == apiDefault) {
			*get(c) = nil
			return nil
		}
		_, err := apply(c, v)
		return err
	}
	a, err := w.input(msg, def, help, func(a string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { return set(c, a) }, field), true)
	})
	if err != nil {
		return err
	}
	return set(s, a)
}

// durationQuestion asks an optional duration such as --active-deadline.
func (w *Wizard) durationQuestion(s *jobspec.Spec, msg, help, field string, get func(*jobspec.Spec) string, clear func(*jobspec.Spec), apply jobspec.Applier) error {
	set := func(c *jobspec.Spec, a string) error {
		v, ok := optional(a)
		if !ok {
			clear(c)
			return nil
		}
		_, err := apply(c, v)
		return err
	}
	a, err := w.input(msg, get(s), help, func(a string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { return set(c, a) }, field), true)
	})
	if err != nil {
		return err
	}
	return set(s, a)
}

func (w *Wizard) stepJob(s *jobspec.Spec) error {
	if err := w.countQuestion(s, w.T("Backoff limit (retries before the Job fails)"),
		w.T("Back Off Limit: how many failed pods are retried before the Job is marked failed; 5 means at most 5 retries."),
		jobspec.ApplyBackoffLimit, "spec.backoffLimit", "6", func(c *jobspec.Spec) **int32 { return &c.BackoffLimit }); err != nil {
		return err
	}
	if err := w.countQuestion(s, w.T("Completions (pods that must succeed)"),
		w.T("Completions: the Job is complete when this many pods have succeeded; 10 means 10 pods must succeed."),
		jobspec.ApplyCompletions, "spec.completions", "1", func(c *jobspec.Spec) **int32 { return &c.Completions }); err != nil {
		return err
	}
	if err := w.countQuestion(s, w.T("Parallelism (pods running at once)"),
		w.T("Parallelism: how many pods run at the same time; 5 means 5 pods in parallel."),
		jobspec.ApplyParallelism, "spec.parallelism", "1", func(c *jobspec.Spec) **int32 { return &c.Parallelism }); err != nil {
		return err
	}
	if err := w.durationQuestion(s, w.T("Active deadline (optional: 20, 90s, 10m, 1h30m)"),
		w.T("Active Deadline Seconds: the time the Job may run; after it the Job is stopped and failed. It wins over the backoff limit."),
		"spec.activeDeadlineSeconds",
		func(c *jobspec.Spec) string { return formatSecondsPtr(c.ActiveDeadlineSeconds) },
		func(c *jobspec.Spec) { c.ActiveDeadlineSeconds = nil }, jobspec.ApplyActiveDeadline); err != nil {
		return err
	}
	if err := w.askKueue(s); err != nil {
		return err
	}

	advanced := s.TTLSecondsAfterFinished != nil || s.CompletionMode != "" || s.BackoffLimitPerIndex != nil ||
		s.MaxFailedIndexes != nil || (s.Suspend != nil && s.Queue == "") || s.PodReplacementPolicy != "" || len(s.PodFailureRules) > 0 || len(s.SuccessRules) > 0
	more, err := w.p.Confirm(Confirm{Message: w.T("Advanced job settings (TTL, completion mode, suspend, failure and success policies)?"), Default: advanced})
	if err != nil || !more {
		return err
	}
	return w.jobAdvanced(s)
}

func formatSecondsPtr(p *int64) string {
	if p == nil {
		return ""
	}
	return jobspec.FormatSeconds(*p)
}

func (w *Wizard) jobAdvanced(s *jobspec.Spec) error {
	if err := w.durationQuestion(s, w.T("Delete the Job this long after it finishes (optional: 1h, 1d is 24h)"),
		w.T("ttlSecondsAfterFinished: the Job and its pods are deleted this long after it completes or fails."),
		"spec.ttlSecondsAfterFinished",
		func(c *jobspec.Spec) string {
			if c.TTLSecondsAfterFinished == nil {
				return ""
			}
			return jobspec.FormatSeconds(int64(*c.TTLSecondsAfterFinished))
		},
		func(c *jobspec.Spec) { c.TTLSecondsAfterFinished = nil }, jobspec.ApplyTTLAfterFinished); err != nil {
		return err
	}

	// Completion mode.
	modes := []batchv1.CompletionMode{batchv1.NonIndexedCompletion, batchv1.IndexedCompletion}
	def := 0
	if s.CompletionMode == batchv1.IndexedCompletion {
		def = 1
	}
	i, err := w.p.Select(Select{Message: w.T("Completion mode"), Default: def, Options: []Option{
		{Label: "NonIndexed", Description: w.T("pods are interchangeable")},
		{Label: "Indexed", Description: w.T("each pod gets an index 0..completions-1 (JOB_COMPLETION_INDEX)")},
	}})
	if err != nil {
		return err
	}
	if !(s.CompletionMode == "" && i == 0) {
		if _, err := jobspec.ApplyCompletionMode(s, string(modes[i])); err != nil {
			return err
		}
	}
	indexed := s.CompletionMode == batchv1.IndexedCompletion
	if indexed && s.Completions == nil {
		// An Indexed Job has one index per completion, so it needs the number.
		a, err := w.input(w.T("Completions (an Indexed Job needs the number)"), "1", "", func(a string) error {
			return w.explain(judgeAdded(s, a, jobspec.ApplyCompletions), true)
		})
		if err != nil {
			return err
		}
		if _, err := jobspec.ApplyCompletions(s, a); err != nil {
			return err
		}
	}
	if !indexed {
		s.BackoffLimitPerIndex, s.MaxFailedIndexes, s.SuccessRules = nil, nil, nil
	}
	if indexed {
		if err := w.optionalCount(s, w.T("Backoff limit per index (optional)"), jobspec.ApplyBackoffLimitPerIndex, "spec.backoffLimitPerIndex",
			func(c *jobspec.Spec) **int32 { return &c.BackoffLimitPerIndex }); err != nil {
			return err
		}
		if s.BackoffLimitPerIndex != nil {
			if err := w.optionalCount(s, w.T("Max failed indexes (optional)"), jobspec.ApplyMaxFailedIndexes, "spec.maxFailedIndexes",
				func(c *jobspec.Spec) **int32 { return &c.MaxFailedIndexes }); err != nil {
				return err
			}
		} else {
			s.MaxFailedIndexes = nil
		}
	}

	// A queued Job is created suspended: Kueue resumes it (askKueue).
	if s.Queue == "" {
		suspend := s.Suspend != nil && *s.Suspend
		yes, err := w.p.Confirm(Confirm{Message: w.T("Create it suspended (no pods start until it is resumed)?"), Default: suspend})
		if err != nil {
			return err
		}
		if yes || s.Suspend != nil {
			if _, err := jobspec.ApplySuspend(s, strconv.FormatBool(yes)); err != nil {
				return err
			}
		}
	}

	if err := w.podFailureRules(s); err != nil {
		return err
	}
	if err := w.podReplacement(s); err != nil {
		return err
	}
	if indexed {
		return w.successRules(s)
	}
	return nil
}

func (w *Wizard) optionalCount(s *jobspec.Spec, msg string, apply jobspec.Applier, field string, get func(*jobspec.Spec) **int32) error {
	def := ""
	if p := *get(s); p != nil {
		def = strconv.Itoa(int(*p))
	}
	set := func(c *jobspec.Spec, a string) error {
		v, ok := optional(a)
		if !ok {
			*get(c) = nil
			return nil
		}
		_, err := apply(c, v)
		return err
	}
	a, err := w.input(msg, def, "", func(a string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { return set(c, a) }, field), true)
	})
	if err != nil {
		return err
	}
	return set(s, a)
}

func (w *Wizard) podFailureRules(s *jobspec.Spec) error {
	var err error
	s.PodFailureRules, err = keepItems(w, w.T("Pod failure rules to keep"), s.PodFailureRules, func(r batchv1.PodFailurePolicyRule) string {
		t, _ := jobspec.FormatPodFailureRule(r)
		return t
	}, nil)
	if err != nil {
		return err
	}
	for {
		actions := []string{"FailJob", "Ignore", "Count"}
		if s.BackoffLimitPerIndex != nil {
			actions = append(actions, "FailIndex")
		}
		opts := []Option{{Label: w.T("No more rules")}}
		desc := map[string]string{
			"FailJob":   w.T("fail the whole Job at once"),
			"Ignore":    w.T("do not count the failure against the backoff limit"),
			"Count":     w.T("count it against the backoff limit (the default)"),
			"FailIndex": w.T("fail this index only"),
		}
		for _, a := range actions {
			opts = append(opts, Option{Label: a, Description: desc[a]})
		}
		msg := w.T("Add a pod failure rule?")
		if len(s.PodFailureRules) > 0 {
			msg = w.T("Add another pod failure rule?")
		}
		i, err := w.p.Select(Select{Message: msg, Options: opts})
		if err != nil {
			return err
		}
		if i == 0 {
			return nil
		}
		if err := w.podFailureRule(s, actions[i-1]); err != nil {
			return err
		}
	}
}

func (w *Wizard) podFailureRule(s *jobspec.Spec, action string) error {
	n := len(s.PodFailureRules)
	field := fmt.Sprintf("spec.podFailurePolicy.rules[%d]", n)
	i, err := w.p.Select(Select{Message: w.T("When does the rule apply?"), Options: []Option{
		{Label: w.T("The exit code is one of…")},
		{Label: w.T("The exit code is none of…")},
		{Label: w.T("The pod was disrupted (DisruptionTarget)")},
	}})
	if err != nil {
		return err
	}
	// The rule is the n-th, however often it is tried.
	apply := func(c *jobspec.Spec, text string) error {
		c.PodFailureRules = c.PodFailureRules[:n:n]
		_, err := jobspec.ApplyPodFailureRule(c, text)
		return err
	}
	if i == 2 {
		return apply(s, action+":condition=DisruptionTarget")
	}
	op := "exit-codes="
	if i == 1 {
		op = "exit-codes!="
	}
	codes, err := w.input(w.T("Exit codes (comma separated, e.g. 1,2,42)"), "", "", func(a string) error {
		return w.explainRule(judge(s, func(c *jobspec.Spec) error { return apply(c, action+":"+op+a) }, field))
	})
	if err != nil {
		return err
	}
	rule := action + ":" + op + codes
	var names []string
	for _, c := range append(append([]corev1.Container{}, s.InitContainers...), s.Containers...) {
		if c.Name != "" {
			names = append(names, c.Name)
		}
	}
	ctr, err := w.chooseName(w.T("Only for the container (optional)"), "", names, nil, true, func(a string) error {
		if a == "" {
			return nil
		}
		return w.explainRule(judge(s, func(c *jobspec.Spec) error { return apply(c, rule+",container="+a) }, field))
	})
	if err != nil {
		return err
	}
	if ctr != "" {
		rule += ",container=" + ctr
	}
	return apply(s, rule)
}

func (w *Wizard) podReplacement(s *jobspec.Spec) error {
	policies := []batchv1.PodReplacementPolicy{"", batchv1.TerminatingOrFailed, batchv1.Failed}
	def := 0
	for i, p := range policies {
		if p == s.PodReplacementPolicy {
			def = i
		}
	}
	i, err := w.selectValid(Select{Message: w.T("When may a replacement pod start?"), Default: def, Options: []Option{
		{Label: w.T("Default"), Description: w.T("TerminatingOrFailed; Failed when there are pod failure rules")},
		{Label: "TerminatingOrFailed", Description: w.T("as soon as the old pod is terminating")},
		{Label: "Failed", Description: w.T("only once the old pod has fully failed")},
	}}, func(i int) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error {
			if i == 0 {
				c.PodReplacementPolicy = ""
				return nil
			}
			_, err := jobspec.ApplyPodReplacementPolicy(c, string(policies[i]))
			return err
		}, "spec.podReplacementPolicy"), false)
	})
	if err != nil {
		return err
	}
	if i == 0 {
		s.PodReplacementPolicy = ""
		return nil
	}
	_, err = jobspec.ApplyPodReplacementPolicy(s, string(policies[i]))
	return err
}

func (w *Wizard) successRules(s *jobspec.Spec) error {
	var err error
	if s.SuccessRules, err = keepItems(w, w.T("Success rules to keep"), s.SuccessRules, jobspec.FormatSuccessRule, nil); err != nil {
		return err
	}
	return w.lineLoop(w.T("Success rule: indexes=0,2-5, count=N or both (Enter to finish)"),
		w.T("The Job succeeds early once these indexes (or this many of them) have succeeded."),
		jobspec.ApplySuccessRule, s)
}

// lineLoop asks for one item per line until an empty answer: labels,
// tolerations, success rules. add applies an answer (in flag syntax, read
// by that flag's parser) and returns the field path it set, which the
// answer is judged on.
func (w *Wizard) lineLoop(msg, help string, add jobspec.Applier, s *jobspec.Spec) error {
	for {
		a, err := w.input(msg, "", help, func(a string) error {
			if a == "" {
				return nil
			}
			return w.explain(judgeAdded(s, a, add), true)
		})
		if err != nil {
			return err
		}
		if a == "" {
			return nil
		}
		if _, err := add(s, a); err != nil {
			return err
		}
	}
}
