package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// client connects to the cluster the connection flags select. It sends
// nothing: the first request is the one that does the work. The client is
// kept for the command, so the wizard's lookups, the preflights, the create
// and --wait share what it learns once (Kueue's discovery).
func (o *CreateOptions) client() (*cluster.Client, string, error) {
	if o.conn != nil {
		return o.conn, o.connNS, nil
	}
	c, err := o.Conn.Client(o.Streams.ErrOut)
	if err != nil {
		return nil, "", cluster.Explain(err, cluster.Endpoint{}, cluster.Subject{Verb: "connect"})
	}
	ns, _, err := o.Conn.Namespace()
	if err != nil {
		return nil, "", err
	}
	o.conn, o.connNS = c, ns
	return c, ns, nil
}

// createInCluster creates the Job (or has the server dry-run it) and prints
// the result as kubectl does.
func (o *CreateOptions) createInCluster(ctx context.Context, job *batchv1.Job) error {
	created, op, err := o.send(ctx, job)
	if err != nil {
		return err
	}
	if o.Wait && o.dryRun == DryRunNone {
		// An interrupt that came during the create ends the follow at once,
		// with how to follow the Job again.
		return o.printAndFollow(ctx, created, op)
	}
	if err := printJob(o.Streams.Out, created, o.printSpec(o.Output), op); err != nil {
		return err
	}
	if ctx.Err() != nil && o.dryRun == DryRunNone {
		// The interrupt came while the server was making the Job: it is
		// there, and the user must not think otherwise.
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted, but job.batch/%s was %s before it took effect and runs on in the cluster; follow it with: kubectl job-wizard follow %s -n %s",
			created.Name, op, created.Name, created.Namespace)}
	}
	return nil
}

// send creates the Job, or replaces the Job of its name with --replace,
// and returns the Job as the server answered with the verb to print
// ("created", "replaced", "... (server dry run)"). A failure is explained
// (see cluster.Explain) and the Job is kept as a draft whose path the
// message gives, so nothing typed is lost. An interrupt lets a request
// already sent finish (see cluster.DefaultInterruptGrace), so that what is said
// is what happened: created, not created, or, rarely, unknown.
func (o *CreateOptions) send(ctx context.Context, job *batchv1.Job) (*batchv1.Job, string, error) {
	c, ns, err := o.client()
	if err != nil {
		return nil, "", o.keepDraft(job, err)
	}
	if job.Namespace == "" {
		job.Namespace = ns
	}
	if !o.SkipPodSecurityCheck {
		if err := checkPodSecurity(ctx, c, job.Namespace, "this Job", &job.Spec.Template); err != nil {
			return nil, "", err
		}
	}
	notify := func(msg string) { fmt.Fprintln(o.Streams.ErrOut, msg) }
	if err := o.queuePreflight(ctx, c, job); err != nil {
		return nil, "", o.keepDraft(job, err)
	}
	opts := cluster.CreateOptions{DryRunServer: o.dryRun == DryRunServer, FieldManager: o.FieldManager, FieldValidation: o.fieldValidation, Notify: notify}
	created, op := (*batchv1.Job)(nil), "created"
	if o.Replace {
		var res *cluster.ReplaceResult
		res, err = c.Replace(ctx, job, opts, notify)
		if err == nil {
			created = res.Job
			if res.Replaced {
				op = "replaced"
			}
		}
	} else {
		created, err = c.Create(ctx, job, opts)
	}
	if err != nil {
		subject := jobSubject("create", job)
		if errors.Is(err, context.Canceled) && !errors.As(err, new(*cluster.AnswerLostError)) && !errors.As(err, new(*cluster.ReplaceIncompleteError)) {
			// Stopped before anything was sent (or, for --replace, deleted).
			err = fmt.Errorf("interrupted before %s was sent: nothing was created or deleted", jobRef(subject))
		} else {
			err = cluster.Explain(err, c.Endpoint, subject)
		}
		return nil, "", o.keepDraft(job, err)
	}
	if o.dryRun == DryRunServer {
		op += " (server dry run)"
	}
	return created, op, nil
}

// jobRef is job.batch/NAME of a subject; a generated name is PREFIX*.
func jobRef(s cluster.Subject) string { return s.Resource + "/" + s.Name }

// jobSubject names the Job in messages; a generated name shows its prefix.
func jobSubject(verb string, job *batchv1.Job) cluster.Subject {
	name := job.Name
	if name == "" && job.GenerateName != "" {
		name = job.GenerateName + "*"
	}
	return cluster.Subject{Verb: verb, Resource: "job.batch", Name: name, Namespace: job.Namespace}
}

// keepDraft saves the Job that could not be created and adds where to the
// error, which keeps its exit status (1: the cluster refused it; 130 when
// interrupted, which Main decides).
func (o *CreateOptions) keepDraft(job draft.Object, cause error) error {
	kind := job.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		kind = "Job"
	}
	path, err := draft.Save(job, "not created: "+firstLine(cause.Error()))
	if err != nil {
		return fmt.Errorf("%w\n(the %s could not be kept as a draft either: %v)", cause, kind, err)
	}
	again := "kubectl job-wizard -f " + path
	if kind == "CronJob" {
		again += " --kind cronjob"
	}
	if o.Replace {
		// The old Job may still be there, or going: --replace waits for it.
		again += " --replace"
	}
	return &draftError{err: cause, path: path, again: again, kind: kind}
}

// draftError is a failed create whose Job (or CronJob) was kept as a draft.
type draftError struct {
	err   error
	path  string
	again string // the command that sends the draft
	kind  string
}

func (e *draftError) Error() string {
	return fmt.Sprintf("%s\nthe %s is kept in %s; to send it again: %s", e.err, e.kind, e.path, e.again)
}
func (e *draftError) Unwrap() error { return e.err }

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// resolveFrom fetches the --from object and lays the flags over it, as
// over a manifest of -f: every field no flag names is kept, and a NAME
// replaces the SOURCE- generated name.
func (o *CreateOptions) resolveFrom(ctx context.Context) error {
	subject := cluster.Subject{Verb: "read", Resource: o.fromKind + ".batch", Name: o.fromName}
	c, err := o.Conn.Client(o.Streams.ErrOut)
	if err != nil {
		return cluster.Explain(err, cluster.Endpoint{}, subject)
	}
	ns, _, err := o.Conn.Namespace()
	if err != nil {
		return err
	}
	subject.Namespace = ns
	job, dropped, err := c.SourceJob(ctx, ns, o.fromKind, o.fromName)
	if err != nil {
		return cluster.Explain(err, c.Endpoint, subject)
	}
	o.sayDropped("--from "+o.From, dropped)
	spec := jobspec.FromJob(job)
	if err := o.SpecFlags.Apply(spec, o.flags, o.readFile); err != nil {
		return inputErr(err)
	}
	if err := spec.Validate(); err != nil {
		return inputErr(err)
	}
	o.spec = spec
	return nil
}

// preflightTimeout bounds the access check, so a slow server delays the
// wizard's first question by seconds at most.
const preflightTimeout = 10 * time.Second

// Preflight is what the wizard learns of the cluster before it asks
// anything.
type Preflight struct {
	Client    *cluster.Client
	Lookup    *cluster.Lookups
	Namespace string
	// Denied, when not empty, says who may not create Jobs where; the
	// wizard then offers only to print or save the Job.
	Denied string
	// Err is why the cluster could not be asked (no kubeconfig, server
	// unreachable); the wizard then runs on free text alone.
	Err error
}

// preflight connects for the wizard and asks, with one
// SelfSubjectAccessReview, whether Jobs may be created in the namespace.
// It never fails the wizard: what went wrong is in the result.
func (o *CreateOptions) preflight(ctx context.Context) Preflight {
	c, ns, err := o.client()
	if err != nil {
		return Preflight{Err: err}
	}
	p := Preflight{Client: c, Lookup: cluster.NewLookup(c), Namespace: ns}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	access, err := c.CanCreateJobs(ctx, ns)
	if err != nil {
		p.Err = cluster.Explain(err, c.Endpoint, cluster.Subject{Verb: "check access to create", Resource: "jobs.batch", Namespace: ns})
		return p
	}
	if !access.Allowed {
		p.Denied = cluster.DeniedMessage(access, ns, c.Endpoint)
	}
	return p
}

// queuePreflight refuses a queued Job that Kueue could never admit (see
// cluster.QueuePreflight) before anything is created: exit 2, with the Job
// kept as a draft like any Job that was not created.
func (o *CreateOptions) queuePreflight(ctx context.Context, c *cluster.Client, job *batchv1.Job) error {
	warnings, err := c.QueuePreflight(ctx, job)
	for _, w := range warnings {
		fmt.Fprintln(o.Streams.ErrOut, "Warning: "+w)
	}
	var fe *jobspec.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return inputErr(err)
	}
	return cluster.Explain(err, c.Endpoint, cluster.Subject{Verb: "check the queue of", Resource: "job.batch", Name: job.Name, Namespace: job.Namespace})
}

// podSecurityTimeout bounds the read of the namespace's Pod Security level,
// so a slow server delays the create by seconds at most.
const podSecurityTimeout = 5 * time.Second

// checkPodSecurity refuses, before anything is sent, a Job (or a
// CronJob: what names its pods) whose every pod the namespace's enforced
// Pod Security level would refuse: the Job itself would be accepted (with
// a warning) and then never run a pod. What cannot be read (no right to
// get the namespace) says nothing: the server keeps the last word, as
// before.
func checkPodSecurity(ctx context.Context, c *cluster.Client, namespace, what string, tpl *corev1.PodTemplateSpec) error {
	ctx, cancel := context.WithTimeout(ctx, podSecurityTimeout)
	defer cancel()
	p, ok := c.NamespacePodSecurity(ctx, namespace)
	if !ok || !p.Enforces() {
		return nil
	}
	vs, err := cluster.CheckPodSecurity(p.Level, tpl)
	if err != nil || len(vs) == 0 {
		return nil
	}
	return inputErr(errors.New(cluster.FormatPodSecurityViolations(p, what, vs)))
}
