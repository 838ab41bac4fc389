package wizard

import "errors"

// Prompter is all the wizard needs of a terminal. The survey implementation
// (survey.go) is the only code that knows the prompt library; tests answer
// through a fake by message text.
type Prompter interface {
	// Input asks for one line. Enter gives Default; each answer goes through
	// Validate (when set) and a rejected one is shown with the reason and
	// asked again, never returned.
	Input(q Input) (string, error)
	// Select asks for one of the options and returns its index.
	Select(q Select) (int, error)
	// MultiSelect asks for any number of the options and returns their
	// indexes in order.
	MultiSelect(q MultiSelect) ([]int, error)
	// Confirm asks a yes/no question.
	Confirm(q Confirm) (bool, error)
}

// ErrInterrupted is what a Prompter returns when the person presses Ctrl-C
// or Esc: the wizard stops, creates nothing and keeps a draft.
var ErrInterrupted = errors.New("interrupted")

// Input is a free-text question.
type Input struct {
	Message  string
	Default  string
	Help     string // shown on '?'
	Validate func(answer string) error
	// Live, when set, gives lines to show under the question for the
	// answer as typed so far, redrawn at each key (a schedule's next
	// runs); a Prompter that cannot redraw may ignore it.
	Live func(answer string) []string
}

// Option is one choice of a Select or MultiSelect.
type Option struct {
	Label       string
	Description string // a short explanation shown beside the label
}

// Select is a one-of-many question.
type Select struct {
	Message string
	Options []Option
	Default int
	Help    string
}

// MultiSelect is an any-of-many question.
type MultiSelect struct {
	Message  string
	Options  []Option
	Defaults []int
	Help     string
}

// Confirm is a yes/no question.
type Confirm struct {
	Message string
	Default bool
	Help    string
}

// stopping is a Prompter that asks nothing once the walk's context is done:
// a Ctrl-C that arrives between questions (while the terminal is not in
// survey's raw mode, say during a cluster lookup) is a signal, which
// cancels the context, and must end the walk as a Ctrl-C at a question does.
type stopping struct {
	p    Prompter
	done func() bool
}

func (s stopping) Input(q Input) (string, error) {
	if s.done() {
		return "", ErrInterrupted
	}
	return s.p.Input(q)
}

func (s stopping) Select(q Select) (int, error) {
	if s.done() {
		return 0, ErrInterrupted
	}
	return s.p.Select(q)
}

func (s stopping) MultiSelect(q MultiSelect) ([]int, error) {
	if s.done() {
		return nil, ErrInterrupted
	}
	return s.p.MultiSelect(q)
}

func (s stopping) Confirm(q Confirm) (bool, error) {
	if s.done() {
		return false, ErrInterrupted
	}
	return s.p.Confirm(q)
}
