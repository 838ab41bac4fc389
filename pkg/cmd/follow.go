package cmd

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// WaitSettings are the follow-through flags: --timeout, --logs,
// --stuck-timeout and --max-log-requests.
type WaitSettings struct {
	Timeout        time.Duration
	StuckTimeout   time.Duration
	Logs           bool
	MaxLogRequests int
	// Reports are the --report values, Save the --save folder.
	Reports []string
	Save    string
}

// checkMaxLogRequests is the rule of --max-log-requests.
func checkMaxLogRequests(n int) error {
	if n < 1 {
		return inputErrorf("--max-log-requests %d: must be at least 1, e.g. --max-log-requests=%d", n, follow.DefaultMaxLogRequests)
	}
	return nil
}

// DefaultStuckTimeout is --stuck-timeout's default.
const DefaultStuckTimeout = 5 * time.Minute

// FollowJob follows a Job the plugin has just created until it ends, with
// progress on streams.ErrOut and --logs on streams.Out, and returns what
// the command should end with: nil when the Job is Complete, else an
// ExitError with docs/CLI.md's status (1 failed or deleted, 3 --timeout or
// --stuck-timeout, 130 interrupted) whose message is the last line to show.
// The create command calls it for --wait and the wizard after Create.
func FollowJob(ctx context.Context, c *cluster.Client, job *batchv1.Job, streams genericiooptions.IOStreams, s WaitSettings) error {
	src := follow.NewRESTSource(c)
	r, err, unsaved := runFollow(ctx, src, job.Namespace, job.Name, s, streams.ErrOut, s.options(streams, job.Namespace, job.Name),
		func(o follow.Options) (*follow.Result, error) { return follow.Run(ctx, src, job, o) })
	if err != nil {
		return explainFollow(err, c, job.Namespace, job.Name)
	}
	return resultErr(r, unsaved)
}

// explainFollow words a request the follow could not make as the create
// command words its own (see cluster.Explain).
func explainFollow(err error, c *cluster.Client, namespace, name string) error {
	var we *follow.WatchError
	if errors.As(err, &we) {
		resource := "job.batch"
		if we.Resource == "pods" {
			resource = "pods"
		}
		return cluster.Explain(we.Err, c.Endpoint, cluster.Subject{Verb: "watch", Resource: resource, Namespace: namespace})
	}
	return cluster.Explain(err, c.Endpoint, cluster.Subject{Verb: "get", Resource: "job.batch", Name: name, Namespace: namespace})
}

func (s WaitSettings) options(streams genericiooptions.IOStreams, namespace, name string) follow.Options {
	o := follow.Options{
		Timeout:        s.Timeout,
		StuckTimeout:   s.StuckTimeout,
		Logs:           s.Logs,
		MaxLogRequests: s.MaxLogRequests,
		Out:            streams.Out,
		ErrOut:         streams.ErrOut,
		Again:          "kubectl job-wizard follow " + name + " -n " + namespace,
	}
	if s.Logs {
		o.Again += " --logs"
	}
	o.Again += s.reportArgs()
	o.DetectTerminals()
	return o
}

// resultErr maps how a follow ended to the exit status of docs/CLI.md;
// unsaved is a report or --save folder that could not be written, which
// fails a Complete Job's step too: CI must not pass without its evidence.
func resultErr(r *follow.Result, unsaved error) error {
	err := r.Err()
	switch r.Outcome {
	case follow.Complete:
		if unsaved != nil {
			return &ExitError{Code: ExitFailed, Err: unsaved}
		}
		return nil
	case follow.TimedOut, follow.Stuck:
		return &ExitError{Code: ExitTimeout, Err: err}
	case follow.Interrupted:
		return &ExitError{Code: ExitInterrupted, Err: err}
	}
	return &ExitError{Code: ExitFailed, Err: err}
}

// follow is --wait: the create path calls it with the Job the server
// returned.
func (o *CreateOptions) follow(ctx context.Context, created *batchv1.Job) error {
	c, _, err := o.client()
	if err != nil {
		return err
	}
	return FollowJob(ctx, c, created, o.Streams, o.waitSettings())
}

// FollowOptions is `kubectl job-wizard follow NAME`.
type FollowOptions struct {
	Streams genericiooptions.IOStreams
	Conn    cluster.ConnectionFlags
	Wait    WaitSettings
	Name    string
	// CronJob is set for follow cronjob/NAME: the CronJob's Job is followed.
	CronJob bool
}

// NewFollowCommand is `kubectl job-wizard follow NAME`: --wait for a Job
// that already exists.
func NewFollowCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &FollowOptions{Streams: streams, Wait: WaitSettings{StuckTimeout: DefaultStuckTimeout, MaxLogRequests: follow.DefaultMaxLogRequests}}
	c := &cobra.Command{
		Use:   "follow NAME|job/NAME|cronjob/NAME",
		Short: "Follow an existing Job to its end: progress, logs, stuck pods and the exit status --wait gives",
		Long: `Follow a Job that already exists until it is Complete or Failed, as --wait does after creating one:
a live progress bar on a terminal (one plain line per change otherwise), pods that cannot pull their
image or be scheduled called out at once, and, when the Job fails, the reason, the failed pods with
their exit codes and the last lines of their logs.

Exit status: 0 Complete; 1 Failed, deleted, or not found; 2 bad flags; 3 --timeout or --stuck-timeout
ran out; 130 interrupted (the Job keeps running).`,
		Example: `  # Wait for a Job in CI and fail the step if it fails
  kubectl job-wizard follow migrate-x7k2p -n prod --timeout=15m

  # Watch it with the logs of every pod
  kubectl job-wizard follow pi --logs

  # A CronJob: its running Job, else the next one it starts
  kubectl job-wizard follow cronjob/nightly-backup --timeout=2h`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return inputErrorf("follow takes the name of one Job, e.g. kubectl job-wizard follow pi; got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			return o.Run(c.Context())
		},
	}
	fs := c.Flags()
	fs.DurationVar(&o.Wait.Timeout, "timeout", 0, "Bound on the wait, e.g. 15m (default: none); exit 3 when it runs out")
	fs.BoolVar(&o.Wait.Logs, "logs", false, "Stream the logs of every pod and container of the Job, prefixed [pod/container], until it ends")
	fs.DurationVar(&o.Wait.StuckTimeout, "stuck-timeout", o.Wait.StuckTimeout, "End as failed (exit 3) when a pod cannot pull its image, lacks its config, or cannot be scheduled, or the Job's pods are refused at creation (Pod Security, a ResourceQuota, a webhook, a missing ServiceAccount), or Kueue cannot admit the Job (its LocalQueue or ClusterQueue missing, inactive or stopped), for this long; 0 disables")
	fs.IntVar(&o.Wait.MaxLogRequests, "max-log-requests", o.Wait.MaxLogRequests, "With --logs: at most this many log streams at once (kubectl logs' default, as each holds an API server connection to a kubelet); the other containers wait, and a log whose container has ended comes whole")
	addReportFlags(fs, &o.Wait.Reports, &o.Wait.Save)
	o.Conn.AddTo(fs)
	fs.SortFlags = false
	return c
}

// Complete checks the name and flags; it reads no kubeconfig.
func (o *FollowOptions) Complete(args []string) error {
	name := args[0]
	if kind, rest, ok := strings.Cut(name, "/"); ok {
		switch strings.ToLower(kind) {
		case "job", "jobs", "jobs.batch", "job.batch":
			name = rest
		case "cronjob", "cronjobs", "cj", "cronjobs.batch", "cronjob.batch":
			name, o.CronJob = rest, true
		default:
			return inputErrorf("follow %s: follows Jobs and CronJobs only; give NAME, job/NAME or cronjob/NAME", jobspec.QuoteValue(args[0]))
		}
	}
	if name == "" {
		return inputErrorf("follow %s: the Job's name is empty", jobspec.QuoteValue(args[0]))
	}
	o.Name = name
	if o.Wait.Timeout < 0 {
		return inputErrorf("--timeout %s: must not be negative", o.Wait.Timeout)
	}
	if o.Wait.StuckTimeout < 0 {
		return inputErrorf("--stuck-timeout %s: must not be negative", o.Wait.StuckTimeout)
	}
	if err := checkMaxLogRequests(o.Wait.MaxLogRequests); err != nil {
		return err
	}
	return o.Wait.completeReports()
}

// Run follows the Job.
func (o *FollowOptions) Run(ctx context.Context) error {
	c, err := o.Conn.Client(o.Streams.ErrOut)
	if err != nil {
		return cluster.Explain(err, cluster.Endpoint{}, cluster.Subject{Verb: "connect"})
	}
	ns, _, err := o.Conn.Namespace()
	if err != nil {
		return err
	}
	if o.CronJob {
		// The CronJob's running Job, else the next one it starts, is
		// followed as a Job is.
		cj, err := c.GetCronJob(ctx, ns, o.Name)
		if err != nil {
			return cluster.Explain(err, c.Endpoint, cluster.Subject{Verb: "get", Resource: "cronjob.batch", Name: o.Name, Namespace: ns})
		}
		return FollowCronJob(ctx, c, cj, o.Streams, o.Wait)
	}
	src := follow.NewRESTSource(c)
	r, err, unsaved := runFollow(ctx, src, ns, o.Name, o.Wait, o.Streams.ErrOut, o.Wait.options(o.Streams, ns, o.Name),
		func(fo follow.Options) (*follow.Result, error) { return follow.RunName(ctx, src, ns, o.Name, fo) })
	if err != nil {
		return explainFollow(err, c, ns, o.Name)
	}
	return resultErr(r, unsaved)
}

// printAndFollow prints the created Job as the create command does without
// --wait, then follows it.
func (o *CreateOptions) printAndFollow(ctx context.Context, created *batchv1.Job, op string) error {
	if err := printJob(o.Streams.Out, created, o.printSpec(o.Output), op); err != nil {
		return err
	}
	return o.follow(ctx, created)
}
