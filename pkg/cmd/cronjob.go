package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// now is the clock the next runs are counted from; tests set it.
var now = time.Now

// submitCronJob is submit for a Spec with a schedule: print it (client dry
// run) or send it, with its next runs on stderr for a dry run, then, with
// --wait, wait for its first Job and follow that.
func (o *CreateOptions) submitCronJob(ctx context.Context, cj *batchv1.CronJob) error {
	if err := jobspec.SetLastApplied(cj, o.SaveConfig); err != nil {
		return fmt.Errorf("--save-config: %w", err)
	}
	if o.dryRun == DryRunClient {
		sayNextRuns(o.Streams.ErrOut, cj)
		return printJob(o.Streams.Out, cj, o.printSpec(o.Output), "created (dry run)")
	}
	c, created, op, err := o.sendCronJob(ctx, cj)
	if err != nil {
		return err
	}
	if o.dryRun == DryRunServer {
		sayNextRuns(o.Streams.ErrOut, created)
	}
	if err := printJob(o.Streams.Out, created, o.printSpec(o.Output), op); err != nil {
		return err
	}
	if o.dryRun != DryRunNone {
		return nil
	}
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted, but cronjob.batch/%s was %s before it took effect and runs on its schedule; follow its next Job with: kubectl job-wizard follow cronjob/%s -n %s",
			created.Name, op, created.Name, created.Namespace)}
	}
	if !o.Wait {
		return nil
	}
	return FollowCronJob(ctx, c, created, o.Streams, WaitSettings{Timeout: o.Timeout, StuckTimeout: o.StuckTimeout, Logs: o.Logs})
}

// sendCronJob creates the CronJob, or replaces the one of its name with
// --replace. A failure is explained and the CronJob kept as a draft.
func (o *CreateOptions) sendCronJob(ctx context.Context, cj *batchv1.CronJob) (*cluster.Client, *batchv1.CronJob, string, error) {
	c, ns, err := o.client()
	if err != nil {
		return nil, nil, "", o.keepDraft(cj, err)
	}
	if cj.Namespace == "" {
		cj.Namespace = ns
	}
	if !o.SkipPodSecurityCheck {
		if err := checkPodSecurity(ctx, c, cj.Namespace, "the Jobs of this CronJob", &cj.Spec.JobTemplate.Spec.Template); err != nil {
			return nil, nil, "", err
		}
	}
	notify := func(msg string) { fmt.Fprintln(o.Streams.ErrOut, msg) }
	opts := cluster.CreateOptions{DryRunServer: o.dryRun == DryRunServer, FieldManager: o.FieldManager, FieldValidation: o.fieldValidation, Notify: notify}
	var created *batchv1.CronJob
	op := "created"
	if o.Replace {
		var res *cluster.ReplaceCronJobResult
		if res, err = c.ReplaceCronJob(ctx, cj, opts, notify); err == nil {
			created = res.CronJob
			if res.Replaced {
				op = "replaced"
			}
		}
	} else {
		created, err = c.CreateCronJob(ctx, cj, opts)
	}
	if err != nil {
		name := cj.Name
		if name == "" {
			name = cj.GenerateName + "*"
		}
		subject := cluster.Subject{Verb: "create", Resource: "cronjob.batch", Name: name, Namespace: cj.Namespace}
		if errors.Is(err, context.Canceled) && !errors.As(err, new(*cluster.ReplaceIncompleteError)) && !errors.As(err, new(*cluster.AnswerLostError)) {
			err = fmt.Errorf("interrupted before %s was sent, or before its answer came: see kubectl get cronjob -n %s", jobRef(subject), cj.Namespace)
		} else {
			err = cluster.Explain(err, c.Endpoint, subject)
		}
		return nil, nil, "", o.keepDraft(cj, err)
	}
	if o.dryRun == DryRunServer {
		op += " (server dry run)"
	}
	return c, created, op, nil
}

// sayNextRuns writes the CronJob's next three runs, in its zone and in
// local time, as docs/CLI.md promises for a dry run.
func sayNextRuns(w io.Writer, cj *batchv1.CronJob) {
	c := &jobspec.CronJobSettings{Schedule: cj.Spec.Schedule, TimeZone: cj.Spec.TimeZone}
	lines, err := jobspec.DescribeNextRuns(c, now(), time.Local)
	if err != nil {
		return // Validate has said why
	}
	zone := "no --time-zone: in the cronjob controller's zone, shown here in local time"
	if c.TimeZone != nil {
		zone = *c.TimeZone
	}
	fmt.Fprintf(w, "next runs of %q (%s):\n", cj.Spec.Schedule, zone)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// FollowCronJob is --wait for a CronJob: it waits for the CronJob's first
// Job (one it controls that has not finished: the running one of an
// existing CronJob, else the next it starts) and follows that Job as
// --wait follows a Job. --timeout bounds the whole, the wait for the Job
// included.
func FollowCronJob(ctx context.Context, c *cluster.Client, cj *batchv1.CronJob, streams genericiooptions.IOStreams, s WaitSettings) error {
	start := time.Now()
	wctx, cancel := ctx, context.CancelFunc(func() {})
	if s.Timeout > 0 {
		wctx, cancel = context.WithTimeout(ctx, s.Timeout)
	}
	defer cancel()
	ref := "cronjob.batch/" + cj.Name
	again := fmt.Sprintf("kubectl job-wizard follow cronjob/%s -n %s", cj.Name, cj.Namespace)
	fmt.Fprintf(streams.ErrOut, "waiting for %s to start a Job (schedule %q)\n", ref, cj.Spec.Schedule)
	job, err := c.FirstJob(wctx, cj)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted while waiting for %s to start a Job; the CronJob stays and runs on its schedule; follow it again with: %s", ref, again)}
	case errors.Is(err, context.DeadlineExceeded):
		return &ExitError{Code: ExitTimeout, Err: fmt.Errorf("--timeout %v ran out before %s started a Job; the CronJob stays; follow it again with: %s", s.Timeout, ref, again)}
	default:
		return cluster.Explain(err, c.Endpoint, cluster.Subject{Verb: "watch", Resource: "job.batch", Namespace: cj.Namespace})
	}
	fmt.Fprintf(streams.ErrOut, "%s started job.batch/%s\n", ref, job.Name)
	if s.Timeout > 0 {
		s.Timeout = max(s.Timeout-time.Since(start), time.Millisecond)
	}
	return FollowJob(ctx, c, job, streams, s)
}
