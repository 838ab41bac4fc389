package wizard

import (
	"errors"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// clearWord is the answer that empties an optional value whose default is
// set; an empty answer keeps the default, as every prompt does.
const clearWord = "-"

// under reports whether the field path lies in prefix: the prefix itself,
// or a path that goes on with '.' or '[' (so containers[1] is not in
// containers[10]).
func under(field, prefix string) bool {
	if !strings.HasPrefix(field, prefix) {
		return false
	}
	rest := field[len(prefix):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// judge applies an answer to a copy of s and returns what the applier or
// jobspec.Validate says about the given fields: the flags' own rules,
// answer by answer. Problems elsewhere in the Spec (a later step not yet
// answered) are not this answer's fault and are left for the review.
func judge(s *jobspec.Spec, apply func(*jobspec.Spec) error, fields ...string) error {
	c := s.DeepCopy()
	if err := apply(c); err != nil {
		return err
	}
	return judged(c, fields...)
}

// judgeAdded adds an answer to a copy of s with add (a flag's applier, or
// one that calls it), which reports the field it filled, and judges that
// field alone.
func judgeAdded(s *jobspec.Spec, text string, add jobspec.Applier) error {
	c := s.DeepCopy()
	field, err := add(c, text)
	if err != nil {
		return err
	}
	return judged(c, field)
}

// judged is what jobspec.Validate says about fields of c, an answer
// already applied to a copy.
func judged(c *jobspec.Spec, fields ...string) error {
	var all jobspec.Errors
	if !errors.As(c.Validate(), &all) {
		return nil
	}
	var mine jobspec.Errors
	for _, e := range all {
		for _, f := range fields {
			// A CronJob's Validate puts the Job's fields under its
			// jobTemplate; the CronJob's own keep their paths.
			if under(e.Field, f) || c.IsCronJob() && under(e.Field, jobspec.CronJobFieldPath(f)) {
				mine = append(mine, e)
				break
			}
		}
	}
	return mine.OrNil()
}

// onContainer is an Applier of a container's flag for the container ctr
// picks, whose path is field.
func onContainer(ctr func(*jobspec.Spec) *corev1.Container, field string, apply jobspec.ContainerApplier) jobspec.Applier {
	return func(c *jobspec.Spec, v string) (string, error) {
		f, err := apply(ctr(c), v)
		return field + "." + f, err
	}
}

// explain renders a problem for the person, in their language: the value,
// the rule and, for questions in flag syntax, an example.
func (w *Wizard) explain(err error, example bool) error {
	return w.explainAs(err, example, true)
}

// explainRule is explain for a guided question, whose answer the wizard
// put into flag syntax: the value and the flag's example would show that
// syntax, not what was typed, so only the rule is told.
func (w *Wizard) explainRule(err error) error {
	return w.explainAs(err, false, false)
}

func (w *Wizard) explainAs(err error, example, value bool) error {
	if err == nil {
		return nil
	}
	list, ok := jobspec.FieldErrors(err)
	if !ok {
		return errors.New(safe(err.Error()))
	}
	lines := make([]string, 0, len(list))
	for _, e := range list {
		lines = append(lines, w.describe(e, example, value))
	}
	return errors.New(strings.Join(lines, "; "))
}

func (w *Wizard) describe(e *jobspec.FieldError, example, value bool) string {
	var b strings.Builder
	if value && e.Value != "" {
		b.WriteString(jobspec.QuoteValue(e.Value))
		b.WriteString(": ")
	}
	b.WriteString(safe(w.t.Text(e.Rule)))
	if example && e.Example != "" {
		b.WriteString(" ")
		b.WriteString(w.T("(e.g. %s)", safe(e.Example)))
	}
	return b.String()
}

// input asks a free-text question; validate gets the trimmed answer.
func (w *Wizard) input(msg, def, help string, validate func(string) error) (string, error) {
	q := Input{Message: msg, Default: def, Help: help}
	if validate != nil {
		q.Validate = func(a string) error { return validate(strings.TrimSpace(a)) }
	}
	a, err := w.p.Input(q)
	return strings.TrimSpace(a), err
}

// selectValid asks a Select until check accepts the choice, showing its
// reason each time: survey checks only typed answers.
func (w *Wizard) selectValid(q Select, check func(int) error) (int, error) {
	for {
		i, err := w.p.Select(q)
		if err != nil {
			return 0, err
		}
		if check == nil {
			return i, nil
		}
		if err := check(i); err != nil {
			w.warn("✘ " + err.Error())
			q.Default = i
			continue
		}
		return i, nil
	}
}

// keepItems asks which items of a non-empty list to keep (all are
// checked), so values from -f or an earlier walk can be dropped. It returns
// the kept items in their order (nil for none) and hands each dropped one
// to drop, when drop is set.
func keepItems[T any](w *Wizard, msg string, list []T, label func(T) string, drop func(T)) ([]T, error) {
	if len(list) == 0 {
		return list, nil
	}
	opts := make([]Option, len(list))
	all := make([]int, len(list))
	for i, x := range list {
		opts[i] = Option{Label: label(x)}
		all[i] = i
	}
	picked, err := w.p.MultiSelect(MultiSelect{Message: msg, Options: opts, Defaults: all})
	if err != nil {
		return list, err
	}
	var out []T
	for i, x := range list {
		if slices.Contains(picked, i) {
			out = append(out, x)
		} else if drop != nil {
			drop(x)
		}
	}
	return out, nil
}

// chooseName asks for the name of a cluster object: a pick from names when
// the cluster listed some, else (or on "another name") free text.
// descriptions, when set, go beside the names.
func (w *Wizard) chooseName(msg, def string, names, descriptions []string, optional bool, validate func(string) error) (string, error) {
	if len(names) == 0 {
		return w.input(msg, def, "", validate)
	}
	var opts []Option
	defIdx := 0
	if optional {
		opts = append(opts, Option{Label: w.T("(none)")})
	}
	for i, n := range names {
		o := Option{Label: safe(n)}
		if i < len(descriptions) {
			o.Description = safe(descriptions[i])
		}
		if n == def {
			defIdx = len(opts)
		}
		opts = append(opts, o)
	}
	other := len(opts)
	opts = append(opts, Option{Label: w.T("Another name…")})
	if def != "" && opts[defIdx].Label != safe(def) {
		// The default is not in the list (e.g. from -f): offer it typed.
		defIdx = other
	}
	for {
		i, err := w.p.Select(Select{Message: msg, Options: opts, Default: defIdx})
		if err != nil {
			return "", err
		}
		switch {
		case i == other:
			return w.input(msg, def, "", validate)
		case optional && i == 0:
			return "", nil
		}
		if optional {
			i--
		}
		n := names[i]
		if validate != nil {
			if err := validate(n); err != nil {
				w.warn("✘ " + err.Error())
				continue
			}
		}
		return n, nil
	}
}

// optional reads an optional answer: empty or "-" is no value.
func optional(a string) (string, bool) {
	if a == "" || a == clearWord {
		return "", false
	}
	return a, true
}
