package wizard

import (
	"fmt"
	"strings"
	"testing"
)

// interrupt, as an answer, is Ctrl-C (or Esc) at that question.
type interrupt struct{}

// fakePrompter answers by message text. Each message has a queue of
// answers, used in turn each time it is asked; a question with none left
// gets Enter (its default), as a person pressing Enter would. It records
// every question and every answer rejected by a validator.
type fakePrompter struct {
	t        *testing.T
	answers  map[string][]any
	asked    []string
	rejected map[string][]string
	// seen are the options each Select/MultiSelect offered, by message.
	seen map[string][]string
}

func newFake(t *testing.T, answers map[string][]any) *fakePrompter {
	if answers == nil {
		answers = map[string][]any{}
	}
	return &fakePrompter{t: t, answers: answers, rejected: map[string][]string{}, seen: map[string][]string{}}
}

// next pops the next answer for msg; ok is false for Enter.
func (f *fakePrompter) next(msg string) (any, bool) {
	f.t.Helper()
	f.asked = append(f.asked, msg)
	if len(f.asked) > 2000 {
		f.t.Fatalf("more than 2000 questions; the wizard loops. Last: %q", msg)
	}
	q := f.answers[msg]
	if len(q) == 0 {
		return nil, false
	}
	f.answers[msg] = q[1:]
	return q[0], true
}

// unused lists answers never asked for, which means a test's script does
// not match the questions the wizard asks.
func (f *fakePrompter) unused() []string {
	var out []string
	for msg, q := range f.answers {
		if len(q) > 0 {
			out = append(out, fmt.Sprintf("%q (%d left)", msg, len(q)))
		}
	}
	return out
}

func (f *fakePrompter) Input(q Input) (string, error) {
	f.t.Helper()
	for {
		a, ok := f.next(q.Message)
		if _, stop := a.(interrupt); stop {
			return "", ErrInterrupted
		}
		s := q.Default
		if ok {
			str, isStr := a.(string)
			if !isStr {
				f.t.Fatalf("answer to input %q must be a string, got %T", q.Message, a)
			}
			if str != "" {
				s = str
			}
		}
		if q.Validate != nil {
			if err := q.Validate(s); err != nil {
				f.rejected[q.Message] = append(f.rejected[q.Message], err.Error())
				if !ok {
					f.t.Fatalf("the default %q of %q is rejected: %v", q.Default, q.Message, err)
				}
				continue
			}
		}
		return s, nil
	}
}

func (f *fakePrompter) index(msg string, opts []Option, label string) int {
	f.t.Helper()
	for i, o := range opts {
		if o.Label == label {
			return i
		}
	}
	f.t.Fatalf("question %q has no option %q; options: %q", msg, label, labels(opts))
	return -1
}

func (f *fakePrompter) Select(q Select) (int, error) {
	f.t.Helper()
	f.seen[q.Message] = labels(q.Options)
	a, ok := f.next(q.Message)
	if !ok {
		return q.Default, nil
	}
	switch v := a.(type) {
	case interrupt:
		return 0, ErrInterrupted
	case string:
		return f.index(q.Message, q.Options, v), nil
	case int:
		return v, nil
	}
	f.t.Fatalf("answer to select %q must be a label or an index, got %T", q.Message, a)
	return 0, nil
}

func (f *fakePrompter) MultiSelect(q MultiSelect) ([]int, error) {
	f.t.Helper()
	f.seen[q.Message] = labels(q.Options)
	a, ok := f.next(q.Message)
	if !ok {
		return append([]int(nil), q.Defaults...), nil
	}
	switch v := a.(type) {
	case interrupt:
		return nil, ErrInterrupted
	case []string:
		var out []int
		for _, l := range v {
			out = append(out, f.index(q.Message, q.Options, l))
		}
		return out, nil
	}
	f.t.Fatalf("answer to multi-select %q must be []string, got %T", q.Message, a)
	return nil, nil
}

func (f *fakePrompter) Confirm(q Confirm) (bool, error) {
	f.t.Helper()
	a, ok := f.next(q.Message)
	if !ok {
		return q.Default, nil
	}
	switch v := a.(type) {
	case interrupt:
		return false, ErrInterrupted
	case bool:
		return v, nil
	case string:
		return strings.HasPrefix(strings.ToLower(v), "y"), nil
	}
	f.t.Fatalf("answer to confirm %q must be a bool, got %T", q.Message, a)
	return false, nil
}
