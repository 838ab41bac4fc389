package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// CreateOptions are the knobs of one create.
type CreateOptions struct {
	DryRunServer bool
	FieldManager string
	// FieldValidation is the server's fieldValidation (Strict, Warn,
	// Ignore) that --validate chooses; empty leaves the server's default.
	FieldValidation string
	// Notify, when not nil, hears what happens besides the create itself:
	// an interrupt that waits for the server's answer, an answer that was
	// lost and the Job found anyway.
	Notify func(string)
}

func (o CreateOptions) say(format string, a ...any) {
	if o.Notify != nil {
		o.Notify(fmt.Sprintf(format, a...))
	}
}

func (o CreateOptions) dryRun() []string {
	if o.DryRunServer {
		return []string{metav1.DryRunAll}
	}
	return nil
}

var jobKind = batchv1.SchemeGroupVersion.WithKind("Job")

// Create sends the Job: one POST, nothing before it, never a second one.
//
// A real create labels the Job with a new create id (CreateIDLabel). When
// the answer does not come (a timeout, a broken connection), Create looks
// for the Job by that id: found, it is returned as if the answer had come;
// not found (or not to be found), the error is an *AnswerLostError that
// says which. An interrupt of ctx before the POST is sent sends nothing
// and returns ctx's error; once it is on its way, the POST gets
// the client's interrupt grace to be answered, and the Job is looked for if it was not,
// so that the caller can tell the user whether the Job exists.
func (c *Client) Create(ctx context.Context, job *batchv1.Job, o CreateOptions) (*batchv1.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !o.DryRunServer {
		job = withCreateID(job)
	}
	gctx, stop := graceful(ctx, c.interruptGrace(), func() {
		o.say("interrupted: waiting up to %v for the API server to answer the create of %s, so as to tell whether it was made (interrupt again to stop at once)",
			c.interruptGrace(), jobRef(job))
	})
	defer stop()
	return c.create(ctx, gctx, job, o)
}

// create is one POST of a job already labelled by withCreateID, on gctx,
// then the look for the Job when the answer is lost. ctx is the caller's,
// for the look's values.
func (c *Client) create(ctx, gctx context.Context, job *batchv1.Job, o CreateOptions) (*batchv1.Job, error) {
	out, err := c.post(gctx, job, o)
	if err == nil || o.DryRunServer || !answerLost(err) {
		return out, err
	}
	found, ferr := c.findCreated(ctx, job, err)
	if ferr == nil {
		why := innermost(err)
		if isTimeout(err) {
			// client-go's deadline or net/http's Client.Timeout, by a hair.
			why = "no answer within the request timeout: " + why
		}
		o.say("the API server's answer to the create of %s was lost (%s), but the Job is there: created by this run", jobRef(found), why)
	}
	return found, ferr
}

// post is the POST of a create.
func (c *Client) post(ctx context.Context, job *batchv1.Job, o CreateOptions) (*batchv1.Job, error) {
	opts := metav1.CreateOptions{FieldManager: o.FieldManager, DryRun: o.dryRun(), FieldValidation: o.FieldValidation}
	out := &batchv1.Job{}
	err := c.Batch.Post().Namespace(job.Namespace).Resource("jobs").
		VersionedParams(&opts, ParameterCodec).Body(job).Do(ctx).Into(out)
	if err != nil {
		return nil, err
	}
	// The decoder drops apiVersion and kind, which -o yaml and the name
	// printer need.
	out.SetGroupVersionKind(jobKind)
	return out, nil
}

// jobRef is job.batch/NAME, or job.batch/PREFIX* for a generated name not
// known yet.
func jobRef(job *batchv1.Job) string {
	if job.Name != "" {
		return "job.batch/" + job.Name
	}
	return "job.batch/" + job.GenerateName + "*"
}

// GetJob reads one Job.
func (c *Client) GetJob(ctx context.Context, namespace, name string) (*batchv1.Job, error) {
	out := &batchv1.Job{}
	if err := c.Batch.Get().Namespace(namespace).Resource("jobs").Name(name).Do(ctx).Into(out); err != nil {
		return nil, err
	}
	out.SetGroupVersionKind(jobKind)
	return out, nil
}

// GetCronJob reads one CronJob.
func (c *Client) GetCronJob(ctx context.Context, namespace, name string) (*batchv1.CronJob, error) {
	out := &batchv1.CronJob{}
	if err := c.Batch.Get().Namespace(namespace).Resource("cronjobs").Name(name).Do(ctx).Into(out); err != nil {
		return nil, err
	}
	out.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("CronJob"))
	return out, nil
}

// ReplaceResult tells what Replace did besides creating.
type ReplaceResult struct {
	Job *batchv1.Job
	// Replaced is set when a Job of the name existed and was deleted.
	Replaced bool
}

// maxReplaceAttempts bounds the delete-and-create rounds when someone
// else (a second CI run, a controller) creates the name again in between.
const maxReplaceAttempts = 3

// Replace deletes the Job of job's name, if there is one, in the
// foreground, waits until it and its pods are gone, and creates job.
// progress, when not nil, hears what is being waited for. With a server
// dry run nothing is deleted or created; the server checks both steps.
//
// Nothing is deleted for a Job the server would refuse: a server dry run
// of the create comes first, and only its "already exists" (or a quota
// that the deletion may free) lets the delete go ahead. Once the old Job
// is deleted, a failure to create the new one is a
// *ReplaceIncompleteError, which says so. An interrupt before the delete
// changes nothing; after it, the replace goes on for the client's interrupt grace, so
// that a deletion that ends in time is followed by the create, and
// otherwise stops with a *ReplaceIncompleteError.
func (c *Client) Replace(ctx context.Context, job *batchv1.Job, o CreateOptions, progress func(string)) (*ReplaceResult, error) {
	if o.Notify == nil {
		o.Notify = progress
	}
	if job.Name == "" {
		// A generated name never collides: nothing to replace.
		created, err := c.Create(ctx, job, o)
		return &ReplaceResult{Job: created}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !o.DryRunServer {
		job = withCreateID(job)
	}
	var deleted *batchv1.Job // the old Job, once its deletion was accepted
	var deleting atomic.Bool // deleted != nil, for the interrupt's notice
	gctx, stop := graceful(ctx, c.interruptGrace(), func() {
		if deleting.Load() {
			o.say("interrupted: giving the replace of job.batch/%s up to %v more, to create the new Job if the old one goes by then (interrupt again to stop at once)",
				job.Name, c.interruptGrace())
		}
	})
	defer stop()
	incomplete := func(err error, deleting bool) error {
		return &ReplaceIncompleteError{Name: job.Name, Namespace: job.Namespace, Deleting: deleting, Err: err}
	}

	// exists is false when the dry run found no Job of the name: then the
	// create goes first, and a delete only follows if someone made one
	// meanwhile.
	exists := true
	if !o.DryRunServer {
		_, err := c.post(gctx, job, CreateOptions{DryRunServer: true, FieldManager: o.FieldManager, FieldValidation: o.FieldValidation})
		switch {
		case err == nil:
			exists = false
		case apierrors.IsAlreadyExists(err), isQuotaRefusal(err):
			// The name is taken, and everything else about the Job passed:
			// the server checks the name last, after validation and
			// admission. A full quota may be the old Job's, which goes.
		default:
			return nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < maxReplaceAttempts; attempt++ {
		if deleted == nil && ctx.Err() != nil {
			return nil, ctx.Err() // interrupted before anything changed
		}
		var old *batchv1.Job
		if exists {
			var err error
			old, err = c.deleteForeground(gctx, job.Namespace, job.Name, o)
			if err != nil {
				switch {
				case apierrors.IsConflict(err):
					// The Job changed under the delete; look again.
					lastErr = err
					continue
				case deleted != nil:
					return nil, incomplete(&opError{verb: "delete", err: err}, false)
				}
				return nil, &opError{verb: "delete", err: err}
			}
			if old != nil && !o.DryRunServer {
				deleted = old
				deleting.Store(true)
				o.say("deleting job.batch/%s and waiting until it and its pods are gone", job.Name)
				if err := c.waitDeleted(gctx, old); err != nil {
					return nil, incomplete(err, true)
				}
				o.say("job.batch/%s deleted", job.Name)
			}
		}
		exists = true
		created, err := c.create(ctx, gctx, job, o)
		switch {
		case err == nil:
			return &ReplaceResult{Job: created, Replaced: old != nil || deleted != nil}, nil
		case apierrors.IsAlreadyExists(err) && o.DryRunServer && old != nil:
			// The dry-run delete kept the old Job, so the dry-run create
			// meets it. The server checks the name last, after validation
			// and admission, so everything else about the Job passed.
			job = job.DeepCopy()
			job.SetGroupVersionKind(jobKind)
			return &ReplaceResult{Job: job, Replaced: true}, nil
		case apierrors.IsAlreadyExists(err):
			// Created again by someone else while we waited: go round.
			o.say("job.batch/%s was created again meanwhile; replacing it again", job.Name)
			lastErr = err
			continue
		}
		if deleted != nil {
			return nil, incomplete(err, false)
		}
		return nil, err
	}
	err := &Error{Err: lastErr, Message: fmt.Sprintf("job.batch/%s was created again by someone else each time it was deleted (%d tries); "+
		"see who else writes it with: kubectl get job %s -n %s -o yaml --show-managed-fields", job.Name, maxReplaceAttempts, job.Name, job.Namespace)}
	if deleted != nil {
		// The Job of the name now is someone else's, not ours.
		return nil, incomplete(err, false)
	}
	return nil, err
}

// isQuotaRefusal reports whether a ResourceQuota refused the request.
func isQuotaRefusal(err error) bool {
	if !apierrors.IsForbidden(err) {
		return false
	}
	msg := apiStatusOf(err).Message
	return reQuotaExceeded().MatchString(msg) || reQuotaFailed().MatchString(msg)
}

// ReplaceWait bounds the wait for the old Job to go. A pod stuck
// terminating (a lost node, a finalizer nobody removes) would otherwise
// hold a CI run forever.
const ReplaceWait = 5 * time.Minute

// waitDeleted waits until the old Job and its pods are gone, or says
// which is still there when ReplaceWait runs out.
func (c *Client) waitDeleted(ctx context.Context, old *batchv1.Job) error {
	wctx, cancel := context.WithTimeout(ctx, ReplaceWait)
	defer cancel()
	what := "it"
	err := c.waitJobGone(wctx, old)
	if err == nil {
		what = "its pods"
		err = c.waitPodsGone(wctx, old)
	}
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return &Error{Err: err, Message: fmt.Sprintf("job.batch/%s was deleted but %s did not go within %v: "+
			"a pod may be stuck terminating (an unreachable node, a finalizer); see kubectl get pods -l %s=%s",
			old.Name, what, ReplaceWait, batchv1.ControllerUidLabel, old.UID)}
	}
	return err
}

// opError marks an error of a step other than the create itself, so the
// explanation names the verb ("delete").
type opError struct {
	verb string
	err  error
}

func (e *opError) Error() string { return e.verb + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// deleteForeground deletes the Job so that the garbage collector removes
// its pods first; the Job goes last. It returns the Job as it was, or nil
// when there was none.
func (c *Client) deleteForeground(ctx context.Context, namespace, name string, o CreateOptions) (*batchv1.Job, error) {
	policy := metav1.DeletePropagationForeground
	opts := &metav1.DeleteOptions{PropagationPolicy: &policy, DryRun: o.dryRun()}
	// A foreground delete answers with the Job, now carrying its
	// deletionTimestamp; its resourceVersion is where the watch starts.
	out := &batchv1.Job{}
	err := c.Batch.Delete().Namespace(namespace).Resource("jobs").Name(name).Body(opts).Do(ctx).Into(out)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.Name == "" {
		// An answer of Status (the Job went at once): nothing to wait for.
		out.Name, out.Namespace = name, namespace
	}
	return out, nil
}

// waitJobGone watches the Job until the object of old's UID is deleted.
func (c *Client) waitJobGone(ctx context.Context, old *batchv1.Job) error {
	rv := old.ResourceVersion
	for {
		if rv == "" {
			cur, err := c.GetJob(ctx, old.Namespace, old.Name)
			if apierrors.IsNotFound(err) || err == nil && cur.UID != old.UID && old.UID != "" {
				return nil
			}
			if err != nil {
				return err
			}
			rv = cur.ResourceVersion
		}
		w, err := c.Batch.Get().Namespace(old.Namespace).Resource("jobs").
			VersionedParams(&metav1.ListOptions{
				Watch:           true,
				FieldSelector:   fields.OneTermEqualSelector("metadata.name", old.Name).String(),
				ResourceVersion: rv,
				// Bookmarks keep the resume point fresh on a long wait.
				AllowWatchBookmarks: true,
			}, ParameterCodec).Watch(ctx)
		if err != nil {
			if apierrors.IsGone(err) || apierrors.IsResourceExpired(err) {
				rv = ""
				continue
			}
			return err
		}
		gone, next, err := drainUntilDeleted(ctx, w, old.UID)
		w.Stop()
		if gone || err != nil {
			return err
		}
		rv = next
	}
}

// drainUntilDeleted reads watch events until the object of uid is deleted
// (or replaced by another of the same name), returning the last
// resourceVersion seen for a re-watch when the server ends the watch.
func drainUntilDeleted(ctx context.Context, w watch.Interface, uid types.UID) (gone bool, rv string, err error) {
	for {
		select {
		case <-ctx.Done():
			return false, rv, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false, rv, nil
			}
			if ev.Type == watch.Error {
				if st := apierrors.FromObject(ev.Object); apierrors.IsGone(st) || apierrors.IsResourceExpired(st) {
					return false, "", nil
				}
				return false, rv, apierrors.FromObject(ev.Object)
			}
			m, ok := ev.Object.(metav1.Object)
			if !ok {
				continue
			}
			rv = m.GetResourceVersion()
			if ev.Type == watch.Deleted && (uid == "" || m.GetUID() == uid) {
				return true, rv, nil
			}
			if ev.Type != watch.Bookmark && uid != "" && m.GetUID() != uid {
				// Someone else's Job of the same name: ours is gone.
				return true, rv, nil
			}
		}
	}
}

// waitPodsGone waits until no pod of the old Job is left. In the
// foreground the garbage collector removes them before the Job, so this is
// normally one empty list; it guards against pods that did not block
// their owner's deletion.
func (c *Client) waitPodsGone(ctx context.Context, old *batchv1.Job) error {
	if old.UID == "" {
		return nil
	}
	selector := batchv1.ControllerUidLabel + "=" + string(old.UID)
	for {
		names, rv, err := listNames(ctx, c.Core, old.Namespace, "pods", metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return &opError{verb: "list pods of the old Job", err: err}
		}
		if len(names) == 0 {
			return nil
		}
		w, err := c.Core.Get().Namespace(old.Namespace).Resource("pods").
			VersionedParams(&metav1.ListOptions{Watch: true, LabelSelector: selector, ResourceVersion: rv}, ParameterCodec).Watch(ctx)
		if err != nil {
			return err
		}
		left := map[string]bool{}
		for _, n := range names {
			left[n] = true
		}
		err = func() error {
			defer w.Stop()
			for len(left) > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case ev, ok := <-w.ResultChan():
					if !ok {
						return errWatchEnded
					}
					if pod, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Deleted {
						delete(left, pod.Name)
					}
				}
			}
			return nil
		}()
		if err == nil {
			return nil
		}
		if !errors.Is(err, errWatchEnded) {
			return err
		}
	}
}

var errWatchEnded = errors.New("watch ended")
