package jobspec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// FieldError is one problem with the user's input. It names where the value
// came from (a flag, a manifest field path, or both), the value, the rule it
// broke, and an example of a good value, so a person can fix it in one go.
type FieldError struct {
	Flag    string // "--port"; empty when no flag sets this field
	Field   string // "spec.template.spec.containers[0].ports[0].containerPort"
	Value   string
	Rule    string
	Example string // a good value for the flag (or field), without the flag name
}

func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.Flag != "" && e.Field != "":
		fmt.Fprintf(&b, "%s (%s)", e.Flag, e.Field)
	case e.Flag != "":
		b.WriteString(e.Flag)
	default:
		b.WriteString(e.Field)
	}
	switch {
	case e.Flag == "-f":
		// A path is only of use whole: cut, it names no file. A path is
		// bounded anyway (PATH_MAX), unlike a value.
		fmt.Fprintf(&b, " %s", termtext.QuoteWhole(e.Value))
	case e.Value != "" || e.Flag != "":
		fmt.Fprintf(&b, " %s", QuoteValue(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Rule)
	if e.Example != "" {
		if e.Flag != "" && e.Flag != "NAME" {
			fmt.Fprintf(&b, " (e.g. %s %s)", e.Flag, e.Example)
		} else {
			fmt.Fprintf(&b, " (e.g. %s)", e.Example)
		}
	}
	return b.String()
}

// QuoteValue quotes a user-supplied value for a message: termtext.Quote,
// so nothing typed or read from a file can drive the terminal, and long
// values are cut.
func QuoteValue(v string) string { return termtext.Quote(v) }

// Errors is every problem found at once, so one run shows all of them.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// collect adds err's problems to the list: a FieldError, all of an Errors,
// or any other error as a rule of its own.
func (es *Errors) collect(err error) {
	switch e := err.(type) {
	case nil:
	case *FieldError:
		*es = append(*es, e)
	case Errors:
		*es = append(*es, e...)
	default:
		*es = append(*es, &FieldError{Rule: err.Error()})
	}
}

// FieldErrors returns the problems err carries when it is a FieldError or
// an Errors (wrapped or not), so callers that show them one by one need not
// unwrap both kinds themselves.
func FieldErrors(err error) (Errors, bool) {
	var list Errors
	var fe *FieldError
	switch {
	case errors.As(err, &list):
		return list, true
	case errors.As(err, &fe):
		return Errors{fe}, true
	}
	return nil, false
}

// OrNil returns nil for an empty list, so callers can `return errs.OrNil()`
// without handing back a non-nil error interface holding nothing.
func (es Errors) OrNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// InputError marks an error as the user's input being wrong (exit status 2),
// as against the cluster refusing or failing (exit status 1).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// flagErr builds a FieldError for a flag value.
func flagErr(flag, value, rule, example string) *FieldError {
	return &FieldError{Flag: flag, Value: value, Rule: rule, Example: example}
}
