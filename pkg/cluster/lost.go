package cluster

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// A create whose answer never comes (the request timed out, the connection
// broke, the user interrupted) may still have created the Job. Saying
// "failed" then invites a second run that makes a second Job, so the tool
// looks for the Job before it says anything, and never sends the POST
// again. To recognise its own Job, also under a generated name, each real
// create carries a label with a random id of that one create.

// CreateIDLabel is the label that holds the id of the create that made a
// Job. It is on the Job only (not its pods), and copies made with --from
// drop it.
const CreateIDLabel = jobspec.CreateIDLabel

// DefaultInterruptGrace is how long a request already on its way may still
// take after an interrupt (Ctrl-C, SIGTERM): long enough for a server that
// works to answer, so the tool can say what happened rather than guess,
// and short enough for CI runners, which kill a job some seconds after
// their SIGTERM. A second signal ends the command at once (see cmd.Main).
// A Client's InterruptGrace changes it for that client (tests shorten it).
const DefaultInterruptGrace = 5 * time.Second

// lostCheckTimeout bounds the look for a Job whose create went unanswered.
// After an interrupt the look must be quick: cmd.Main ends the process 3s
// after DefaultInterruptGrace whatever the command is doing, and the answer and
// the draft must come before that.
const (
	lostCheckTimeout            = 15 * time.Second
	interruptedCheckTimeout     = 2 * time.Second
	interruptedRecheckDelayCeil = 500 * time.Millisecond
)

// defaultLostRecheckDelay separates the two looks for a Job not found at
// first: a create the server was still writing when the connection broke
// would show by then. A Client's lostRecheckDelay changes it (tests).
const defaultLostRecheckDelay = time.Second

// interruptGrace is c.InterruptGrace, or DefaultInterruptGrace when unset.
func (c *Client) interruptGrace() time.Duration {
	if c.InterruptGrace > 0 {
		return c.InterruptGrace
	}
	return DefaultInterruptGrace
}

// withCreateID returns a copy of job labelled with a new create id.
func withCreateID(job *batchv1.Job) *batchv1.Job {
	out := job.DeepCopy()
	addCreateID(&out.ObjectMeta)
	return out
}

// withCronJobCreateID is withCreateID for a CronJob: the label is on the
// CronJob only, not on the Jobs it starts.
func withCronJobCreateID(cj *batchv1.CronJob) *batchv1.CronJob {
	out := cj.DeepCopy()
	addCreateID(&out.ObjectMeta)
	return out
}

func addCreateID(m *metav1.ObjectMeta) {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	m.Labels[CreateIDLabel] = hex.EncodeToString(b)
}

// AnswerLostError is a create that the server did not answer, after the
// tool looked for the Job: it was not there (CheckErr nil), or the look
// failed too and nobody knows (CheckErr set). A Job that was found is no
// error: Create returns it.
type AnswerLostError struct {
	Err      error // why the answer was lost
	CheckErr error // why looking for the Job failed, if it did
	// Name or GenerateName, Namespace and the create id identify the Job
	// looked for, for the message.
	Name, GenerateName, Namespace, CreateID string
	// CronJob says the object was a CronJob, not a Job.
	CronJob bool
}

// kind, resource and ref name the object looked for in messages.
func (e *AnswerLostError) kind() string {
	if e.CronJob {
		return "CronJob"
	}
	return "Job"
}

func (e *AnswerLostError) resource() string {
	if e.CronJob {
		return "cronjobs"
	}
	return "jobs"
}

func (e *AnswerLostError) Error() string {
	if e.CheckErr != nil {
		return fmt.Sprintf("%v; whether the %s was created is unknown: looking for it failed: %v", e.Err, e.kind(), e.CheckErr)
	}
	return fmt.Sprintf("%v; the %s was not created", e.Err, e.kind())
}
func (e *AnswerLostError) Unwrap() error { return e.Err }

// Unknown reports whether it is unknown if the Job was created.
func (e *AnswerLostError) Unknown() bool { return e.CheckErr != nil }

// explain says what was lost and what is known, in words to act on.
func (e *AnswerLostError) explain(ep Endpoint, s Subject) string {
	var cause string
	switch {
	case errors.Is(e.Err, context.Canceled):
		cause = fmt.Sprintf("interrupted before the API server at %s answered the %s of %s", ep.Server, s.Verb, s.object())
	case isTimeout(e.Err):
		cause = fmt.Sprintf("the API server at %s did not answer the %s of %s in time (%s)", ep.Server, s.Verb, s.object(), innermost(e.Err))
	default:
		if msg := explain(e.Err, ep, s); msg != "" && isAPIStatus(e.Err) {
			cause = msg
		} else {
			cause = fmt.Sprintf("the connection to the API server at %s broke before it answered the %s of %s (%s)", ep.Server, s.Verb, s.object(), innermost(e.Err))
		}
	}
	if e.CheckErr == nil {
		return cause + "; it was not created: the server has no " + e.kind() + " from this run (looked for " + e.selector() + ")"
	}
	return cause + fmt.Sprintf("; whether it was created is unknown, as looking for it failed too (%s): "+
		"before sending it again, look with: kubectl get %s -n %s -l %s=%s", innermost(e.CheckErr), e.resource(), e.Namespace, CreateIDLabel, e.CreateID)
}

func (e *AnswerLostError) selector() string {
	if e.Name != "" {
		return fmt.Sprintf("%s.batch/%s with label %s=%s", strings.ToLower(e.kind()), e.Name, CreateIDLabel, e.CreateID)
	}
	return fmt.Sprintf("a %s with label %s=%s", e.kind(), CreateIDLabel, e.CreateID)
}

// ReplaceIncompleteError is a --replace that deleted the old Job but did
// not create the new one: the user must be told exactly that.
type ReplaceIncompleteError struct {
	Name, Namespace string
	// Deleting is set when the old Job was still being deleted (the wait
	// was interrupted or ran out); its deletion goes on in the cluster.
	Deleting bool
	Err      error
}

func (e *ReplaceIncompleteError) Error() string {
	return fmt.Sprintf("job.batch/%s: the old Job was deleted but the new one was not created: %v", e.Name, e.Err)
}
func (e *ReplaceIncompleteError) Unwrap() error { return e.Err }

func (e *ReplaceIncompleteError) explain(ep Endpoint, s Subject) string {
	var what string
	switch {
	case e.Deleting && errors.Is(e.Err, context.Canceled):
		return fmt.Sprintf("interrupted while the old job.batch/%s was being deleted: its deletion goes on in the cluster, and the new Job was NOT created", e.Name)
	case e.Deleting:
		what = fmt.Sprintf("the old job.batch/%s is being deleted, and the new Job was NOT created", e.Name)
	default:
		what = fmt.Sprintf("the old job.batch/%s was deleted, and the new Job was NOT created", e.Name)
	}
	reason := e.Err.Error()
	var ex *Error
	if !errors.As(e.Err, &ex) {
		if msg := Explain(e.Err, ep, s); msg != nil {
			reason = msg.Error()
		}
	}
	return what + ": " + reason
}

// graceful returns a context for work that must not be cut short by an
// interrupt of ctx: it ends grace after ctx does (or when stop is called).
// notice, when not nil, is told once when ctx ends first.
func graceful(ctx context.Context, grace time.Duration, notice func()) (gctx context.Context, stop func()) {
	gctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	unhook := context.AfterFunc(ctx, func() {
		if notice != nil {
			notice()
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel(context.Cause(ctx))
		case <-gctx.Done():
		}
	})
	return gctx, func() {
		unhook()
		cancel(nil)
	}
}

// answerLost reports whether err leaves open that the server got the
// request and acted on it. Failures before anything was sent (a refused
// connection, an unknown host, a certificate not trusted) and answers of
// the server other than timeouts and internal errors are certain.
func answerLost(err error) bool {
	if err == nil {
		return false
	}
	if isAPIStatus(err) {
		st := apiStatusOf(err)
		switch st.Reason {
		case metav1.StatusReasonTimeout, metav1.StatusReasonServerTimeout, metav1.StatusReasonInternalError:
			return true
		}
		return st.Code == 504
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	var dnsErr *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &dnsErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "getting credentials:") {
		return false
	}
	return true
}

func isAPIStatus(err error) bool {
	_, ok := err.(apierrors.APIStatus)
	if ok {
		return true
	}
	var se *apierrors.StatusError
	return errors.As(err, &se)
}

func apiStatusOf(err error) metav1.Status {
	if s, ok := err.(apierrors.APIStatus); ok {
		return s.Status()
	}
	var se *apierrors.StatusError
	if errors.As(err, &se) {
		return se.Status()
	}
	return metav1.Status{}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// findCreated looks for the Job of a create whose answer was lost: by name
// (and its create id, since a Job of that name may be someone else's), or
// by the create id alone for a generated name. It asks twice, a moment
// apart, before it concludes the Job is not there. It runs on a context of
// its own: the caller's may be the interrupted one.
func (c *Client) findCreated(parent context.Context, job *batchv1.Job, cause error) (*batchv1.Job, error) {
	id := job.Labels[CreateIDLabel]
	lost := &AnswerLostError{Err: cause, Name: job.Name, GenerateName: job.GenerateName, Namespace: job.Namespace, CreateID: id}
	return findLost(c, parent, lost, func(ctx context.Context) (*batchv1.Job, error) {
		return c.lookForCreate(ctx, job.Namespace, job.Name, id)
	})
}

// findCreatedCronJob is findCreated for a CronJob.
func (c *Client) findCreatedCronJob(parent context.Context, cj *batchv1.CronJob, cause error) (*batchv1.CronJob, error) {
	id := cj.Labels[CreateIDLabel]
	lost := &AnswerLostError{Err: cause, Name: cj.Name, GenerateName: cj.GenerateName, Namespace: cj.Namespace, CreateID: id, CronJob: true}
	return findLost(c, parent, lost, func(ctx context.Context) (*batchv1.CronJob, error) {
		return c.lookForCronJobCreate(ctx, cj.Namespace, cj.Name, id)
	})
}

// findLost asks look twice, a moment apart, for the object of a create
// whose answer was lost, on a context of its own; lost is the error when
// it is not found, with CheckErr set when looking failed.
func findLost[T any](c *Client, parent context.Context, lost *AnswerLostError, look func(context.Context) (*T, error)) (*T, error) {
	timeout, recheck := lostCheckTimeout, defaultLostRecheckDelay
	if c.lostRecheckDelay > 0 {
		recheck = c.lostRecheckDelay
	}
	if parent.Err() != nil {
		timeout, recheck = interruptedCheckTimeout, min(recheck, interruptedRecheckDelayCeil)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	for n := 0; n < 2; n++ {
		if n > 0 {
			select {
			case <-time.After(recheck):
			case <-ctx.Done():
				lost.CheckErr = ctx.Err()
				return nil, lost
			}
		}
		found, err := look(ctx)
		if err != nil {
			lost.CheckErr = err
			return nil, lost
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, lost
}

// lookForCreate returns the Job that the create of id made, or nil.
func (c *Client) lookForCreate(ctx context.Context, namespace, name, id string) (*batchv1.Job, error) {
	if name != "" {
		got, err := c.GetJob(ctx, namespace, name)
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if got.Labels[CreateIDLabel] != id {
			return nil, nil // someone else's Job of that name
		}
		return got, nil
	}
	list := &batchv1.JobList{}
	err := c.Batch.Get().Namespace(namespace).Resource("jobs").
		VersionedParams(&metav1.ListOptions{LabelSelector: CreateIDLabel + "=" + id}, ParameterCodec).
		Do(ctx).Into(list)
	if err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, nil
	}
	// One POST makes at most one Job.
	out := list.Items[0].DeepCopy()
	out.SetGroupVersionKind(jobKind)
	return out, nil
}

// lookForCronJobCreate is lookForCreate for a CronJob.
func (c *Client) lookForCronJobCreate(ctx context.Context, namespace, name, id string) (*batchv1.CronJob, error) {
	if name != "" {
		got, err := c.GetCronJob(ctx, namespace, name)
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if got.Labels[CreateIDLabel] != id {
			return nil, nil // someone else's CronJob of that name
		}
		return got, nil
	}
	list := &batchv1.CronJobList{}
	err := c.Batch.Get().Namespace(namespace).Resource("cronjobs").
		VersionedParams(&metav1.ListOptions{LabelSelector: CreateIDLabel + "=" + id}, ParameterCodec).
		Do(ctx).Into(list)
	if err != nil || len(list.Items) == 0 {
		return nil, err
	}
	out := list.Items[0].DeepCopy()
	out.SetGroupVersionKind(cronJobKind)
	return out, nil
}
