package cmd

import (
	"errors"
	"fmt"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// Exit statuses of docs/CLI.md, which CI scripts rely on.
const (
	ExitOK          = 0
	ExitFailed      = 1 // the Job failed, or the cluster refused it
	ExitBadInput    = 2 // bad flags or input; nothing was sent
	ExitTimeout     = 3 // --timeout or --stuck-timeout ran out
	ExitInterrupted = 130
)

// ExitError carries the exit status an error should end the command with.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// inputErr marks err as bad input (exit 2).
func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitBadInput, Err: err}
}

// inputErrorf is inputErr of a formatted message.
func inputErrorf(format string, a ...any) error {
	return inputErr(fmt.Errorf(format, a...))
}

// ExitCode maps an error to the exit status of docs/CLI.md.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var fe *jobspec.FieldError
	var fes jobspec.Errors
	var ie *jobspec.InputError
	if errors.As(err, &fe) || errors.As(err, &fes) || errors.As(err, &ie) {
		return ExitBadInput
	}
	return ExitFailed
}
