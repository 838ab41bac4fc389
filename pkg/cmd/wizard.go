package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/editor"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/wizard"
)

// printer is the message catalog in the language of --lang or the locale.
func (o *CreateOptions) printer() (*i18n.Printer, error) {
	lang, err := i18n.Detect(o.Lang, os.Getenv)
	if err != nil {
		return nil, inputErr(err)
	}
	return i18n.New(lang), nil
}

// runWizard walks the six steps on the terminal and then does what the
// review chose, through the same submit and print as the flags path.
func (o *CreateOptions) runWizard(ctx context.Context) error {
	t, err := o.printer()
	if err != nil {
		return err
	}
	in, inOK := o.Streams.In.(*os.File)
	term, termOK := o.Streams.ErrOut.(*os.File)
	if !inOK || !termOK || !isTerminal(in) || !isTerminal(term) {
		return inputErrorf("the wizard needs a terminal on stdin and stderr; give NAME and --image (and other flags) instead, or use -f FILE")
	}
	if o.From != "" {
		if err := o.resolveFrom(ctx); err != nil {
			return err
		}
	}
	color := colorOn(term)
	cfg := wizard.Config{
		Prompter:  wizard.NewSurveyPrompter(in, term, t, color),
		Out:       term,
		Printer:   t,
		Color:     color,
		SaveDraft: func(obj draft.Object, reason string) (string, error) { return draft.Save(obj, reason) },
		Edit: func(job *batchv1.Job) (*batchv1.Job, error) {
			edited, err := o.newEditor(t).Edit(job)
			if errors.Is(err, editor.ErrEmpty) {
				return nil, errors.New(t.T("The file was emptied, so the edit is undone."))
			}
			return edited, err
		},
		EditCronJob: func(cj *batchv1.CronJob) (*batchv1.CronJob, error) {
			edited, err := o.newEditor(t).EditCronJob(cj)
			if errors.Is(err, editor.ErrEmpty) {
				return nil, errors.New(t.T("The file was emptied, so the edit is undone."))
			}
			return edited, err
		},
		LocalZone:            localZone(os.Getenv, os.Readlink),
		CreateArgs:           o.modeArgs(),
		SkipPodSecurityCheck: o.SkipPodSecurityCheck,
		PrintArgs:            []string{"--dry-run=client", "-o", o.printOutput()},
	}
	if o.Output != "" && o.Output != "yaml" {
		cfg.PrintLabel = t.T("Print (-o %s)", o.Output)
	}
	cfg.OfferFollow = !o.Wait && o.dryRun == DryRunNone
	cfg.FollowArgs = o.followArgs()
	if o.dryRun == DryRunClient {
		cfg.NoCluster = t.T("--dry-run=client sends nothing to a cluster")
	} else {
		// An unreachable server takes the preflight's timeout to tell; say
		// why nothing is asked yet.
		fmt.Fprintln(term, t.T("Connecting to the cluster…"))
		pf := o.preflight(ctx)
		switch {
		case pf.Err != nil:
			cfg.NoCluster = firstLine(pf.Err.Error())
		case pf.Denied != "":
			cfg.NoCluster = firstLine(pf.Denied)
			fallthrough
		default:
			if pf.Lookup != nil {
				cfg.Lookup = pf.Lookup
			}
			cfg.Namespace = pf.Namespace
		}
	}

	w := wizard.New(cfg)
	res, err := w.Run(ctx, o.spec)
	if errors.Is(err, wizard.ErrInterrupted) || errors.Is(err, wizard.ErrCancelled) {
		// The wizard has said what happened and where the draft is.
		return &ExitError{Code: ExitInterrupted, Err: &silentError{code: ExitInterrupted}}
	}
	if err != nil {
		return err
	}
	if res.CronJob != nil {
		err = o.finishCronJob(ctx, res)
		w.PrintCommand(res)
		return err
	}
	job := res.Job
	if o.Edit && (res.Action == wizard.ActionCreate || res.Action == wizard.ActionPrint) {
		if job, err = o.editJob(ctx, job); err != nil {
			return err
		}
	}
	switch res.Action {
	case wizard.ActionCreate:
		o.Wait = o.Wait || res.Follow
		err = o.submit(ctx, job)
	case wizard.ActionPrint:
		err = printJob(o.Streams.Out, job, o.printSpec(o.printOutput()), "created (dry run)")
	}
	w.PrintCommand(res)
	return err
}

// finishCronJob does what the review chose for a CronJob, as the flags
// path does with one (the review has shown its next runs already).
func (o *CreateOptions) finishCronJob(ctx context.Context, res *wizard.Result) error {
	cj := res.CronJob
	if o.Edit && (res.Action == wizard.ActionCreate || res.Action == wizard.ActionPrint) {
		edited, err := o.editCronJob(ctx, cj)
		if err != nil {
			return err
		}
		cj = edited
	}
	switch res.Action {
	case wizard.ActionCreate:
		o.Wait = o.Wait || res.Follow
		return o.submitCronJob(ctx, cj)
	case wizard.ActionPrint:
		return printJob(o.Streams.Out, cj, o.printSpec(o.printOutput()), "created (dry run)")
	}
	return nil
}

// localZone is this machine's IANA time zone name, which the wizard offers
// for a CronJob: $TZ when it names one, else the zoneinfo file that
// /etc/localtime links to; empty when neither says (Go's time.Local is
// called "Local", which the API server refuses).
func localZone(getenv func(string) string, readlink func(string) (string, error)) string {
	valid := func(z string) string {
		if _, err := jobspec.ParseTimeZone(z); err != nil {
			return ""
		}
		return z
	}
	if tz, ok := strings.CutPrefix(getenv("TZ"), ":"); ok || tz != "" {
		return valid(tz)
	}
	target, err := readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	if _, zone, ok := strings.Cut(target, "zoneinfo/"); ok {
		return valid(zone)
	}
	return ""
}

// printOutput is the -o of "Print YAML": the one given, else yaml.
func (o *CreateOptions) printOutput() string {
	if o.Output == "" {
		return "yaml"
	}
	return o.Output
}

// modeArgs are the flags given on the command line that are not the Job's
// own (those the wizard asked): --wait, -o, --context, ... The equivalent
// command of a Create carries them, so it does what this run did.
func (o *CreateOptions) modeArgs() []string {
	skip := map[string]bool{"namespace": true, "filename": true, "from": true, "example": true,
		"interactive": true, "lang": true, "edit": true, "edit-format": true}
	if !o.Wait {
		// The follow offer adds them with --wait (followArgs).
		skip["report"], skip["save"] = true, true
	}
	for _, n := range jobspec.SpecFlagNames() {
		skip[n] = true
	}
	var args []string
	if o.flags == nil {
		return nil
	}
	o.flags.Visit(func(f *pflag.Flag) {
		if skip[f.Name] {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		if f.Value.Type() == "bool" && f.Value.String() == "true" {
			args = append(args, "--"+f.Name)
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	return args
}

// followArgs are --report and --save as the equivalent command writes
// them, for the wizard's follow offer.
func (o *CreateOptions) followArgs() []string {
	var out []string
	for _, v := range o.Reports {
		out = append(out, "--report="+v)
	}
	if o.Save != "" {
		out = append(out, "--save="+o.Save)
	}
	return out
}

// colorOn decides colors as the terminal and NO_COLOR say.
func colorOn(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(f)
}

// newEditor is the $EDITOR loop of --edit and the wizard's Edit choice. A
// full-screen editor needs a terminal for its output, which stdout is not
// when the manifest is redirected; stderr then serves.
func (o *CreateOptions) newEditor(t *i18n.Printer) *editor.Editor {
	var out io.Writer = o.Streams.Out
	if !isTerminal(o.Streams.Out) && isTerminal(o.Streams.ErrOut) {
		out = o.Streams.ErrOut
	}
	return &editor.Editor{Format: o.EditFormat, In: o.Streams.In, Out: out, Err: o.Streams.ErrOut, Printer: t}
}

// editCronJob is --edit of a CronJob.
func (o *CreateOptions) editCronJob(ctx context.Context, cj *batchv1.CronJob) (*batchv1.CronJob, error) {
	t, err := o.printer()
	if err != nil {
		return nil, err
	}
	edited, err := o.newEditor(t).EditCronJob(cj)
	return edited, o.editErr(t, err)
}

// editErr words an editor's failure: an emptied file or an edit that
// stays invalid is bad input (exit 2).
func (o *CreateOptions) editErr(t *i18n.Printer, err error) error {
	switch {
	case errors.Is(err, editor.ErrEmpty):
		return inputErr(fmt.Errorf("--edit: %s", t.T("the manifest was emptied, so nothing was sent")))
	case err != nil:
		var ie *jobspec.InputError
		if errors.As(err, &ie) {
			return inputErr(fmt.Errorf("--edit: %w", err))
		}
		return err
	}
	return nil
}

// editJob is --edit: the Job opens in $EDITOR before it is sent.
func (o *CreateOptions) editJob(ctx context.Context, job *batchv1.Job) (*batchv1.Job, error) {
	t, err := o.printer()
	if err != nil {
		return nil, err
	}
	edited, err := o.newEditor(t).Edit(job)
	if err != nil {
		return nil, o.editErr(t, err)
	}
	return edited, nil
}
