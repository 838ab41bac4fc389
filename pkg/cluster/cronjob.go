package cluster

import (
	"context"
	"sort"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

var cronJobKind = batchv1.SchemeGroupVersion.WithKind("CronJob")

// CreateCronJob sends the CronJob: one POST, nothing before it, as Create
// sends a Job. A real create carries a create id (CreateIDLabel) and, when
// its answer is lost, the CronJob is looked for by that id: found, it is
// returned as created; else the error is an *AnswerLostError. An interrupt
// before the POST sends nothing; once it is on its way it gets the
// client's interrupt grace to be answered.
func (c *Client) CreateCronJob(ctx context.Context, cj *batchv1.CronJob, o CreateOptions) (*batchv1.CronJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !o.DryRunServer {
		cj = withCronJobCreateID(cj)
	}
	gctx, stop := graceful(ctx, c.interruptGrace(), func() {
		o.say("interrupted: waiting up to %v for the API server to answer the create of %s, so as to tell whether it was made (interrupt again to stop at once)",
			c.interruptGrace(), cronJobRef(cj))
	})
	defer stop()
	out, err := c.postCronJob(gctx, cj, o)
	if err == nil || o.DryRunServer || !answerLost(err) {
		return out, err
	}
	found, ferr := c.findCreatedCronJob(ctx, cj, err)
	if ferr == nil {
		o.say("the API server's answer to the create of %s was lost (%s), but the CronJob is there: created by this run", cronJobRef(found), innermost(err))
	}
	return found, ferr
}

func (c *Client) postCronJob(ctx context.Context, cj *batchv1.CronJob, o CreateOptions) (*batchv1.CronJob, error) {
	opts := metav1.CreateOptions{FieldManager: o.FieldManager, DryRun: o.dryRun(), FieldValidation: o.FieldValidation}
	out := &batchv1.CronJob{}
	err := c.Batch.Post().Namespace(cj.Namespace).Resource("cronjobs").
		VersionedParams(&opts, ParameterCodec).Body(cj).Do(ctx).Into(out)
	if err != nil {
		return nil, err
	}
	out.SetGroupVersionKind(cronJobKind)
	return out, nil
}

func cronJobRef(cj *batchv1.CronJob) string {
	if cj.Name != "" {
		return "cronjob.batch/" + cj.Name
	}
	return "cronjob.batch/" + cj.GenerateName + "*"
}

// ReplaceCronJobResult tells what ReplaceCronJob did besides creating.
type ReplaceCronJobResult struct {
	CronJob  *batchv1.CronJob
	Replaced bool
}

// ReplaceCronJob is Replace for a CronJob: a server dry run of the create
// first, so nothing is deleted for a CronJob the server would refuse; then,
// when the name is taken, a foreground delete, which has the garbage
// collector remove the CronJob's Jobs and their pods before the CronJob
// itself, a watch until it is gone (bounded by ReplaceWait), and the
// create. With a server dry run both steps are only checked.
func (c *Client) ReplaceCronJob(ctx context.Context, cj *batchv1.CronJob, o CreateOptions, progress func(string)) (*ReplaceCronJobResult, error) {
	if o.Notify == nil {
		o.Notify = progress
	}
	if cj.Name == "" {
		created, err := c.CreateCronJob(ctx, cj, o)
		return &ReplaceCronJobResult{CronJob: created}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	gctx, stop := graceful(ctx, c.interruptGrace(), func() {})
	defer stop()
	ref := cronJobRef(cj)
	_, err := c.postCronJob(gctx, cj, CreateOptions{DryRunServer: true, FieldManager: o.FieldManager, FieldValidation: o.FieldValidation})
	switch {
	case err == nil:
		created, err := c.postCronJob(gctx, cj, o)
		return &ReplaceCronJobResult{CronJob: created}, err
	case apierrors.IsAlreadyExists(err), isQuotaRefusal(err):
	default:
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // interrupted before anything changed
	}
	policy := metav1.DeletePropagationForeground
	old := &batchv1.CronJob{}
	err = c.Batch.Delete().Namespace(cj.Namespace).Resource("cronjobs").Name(cj.Name).
		Body(&metav1.DeleteOptions{PropagationPolicy: &policy, DryRun: o.dryRun()}).Do(gctx).Into(old)
	deleted := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, &opError{verb: "delete", err: err}
	}
	incomplete := func(err error, deleting bool) error {
		return &ReplaceIncompleteError{Name: cj.Name, Namespace: cj.Namespace, Deleting: deleting, Err: err}
	}
	if deleted && !o.DryRunServer {
		o.say("deleting %s, its Jobs and their pods, and waiting until they are gone", ref)
		wctx, cancel := context.WithTimeout(gctx, ReplaceWait)
		err := c.waitCronJobGone(wctx, old)
		cancel()
		if err != nil {
			return nil, incomplete(err, true)
		}
		o.say("%s deleted", ref)
	}
	created, err := c.postCronJob(gctx, cj, o)
	switch {
	case err == nil:
		return &ReplaceCronJobResult{CronJob: created, Replaced: deleted}, nil
	case apierrors.IsAlreadyExists(err) && o.DryRunServer && deleted:
		// The dry-run delete kept the old CronJob; everything else about
		// the new one passed (the server checks the name last).
		out := cj.DeepCopy()
		out.SetGroupVersionKind(cronJobKind)
		return &ReplaceCronJobResult{CronJob: out, Replaced: true}, nil
	case deleted:
		return nil, incomplete(err, false)
	}
	return nil, err
}

// waitCronJobGone watches the CronJob until the object of old's UID is
// deleted.
func (c *Client) waitCronJobGone(ctx context.Context, old *batchv1.CronJob) error {
	for {
		cur := &batchv1.CronJob{}
		err := c.Batch.Get().Namespace(old.Namespace).Resource("cronjobs").Name(old.Name).Do(ctx).Into(cur)
		if apierrors.IsNotFound(err) || err == nil && old.UID != "" && cur.UID != old.UID {
			return nil
		}
		if err != nil {
			return err
		}
		w, err := c.Batch.Get().Namespace(old.Namespace).Resource("cronjobs").
			VersionedParams(&metav1.ListOptions{Watch: true, ResourceVersion: cur.ResourceVersion,
				FieldSelector: fields.OneTermEqualSelector("metadata.name", old.Name).String()}, ParameterCodec).Watch(ctx)
		if err != nil {
			return err
		}
		gone, _, err := drainUntilDeleted(ctx, w, old.UID)
		w.Stop()
		if gone || err != nil {
			return err
		}
	}
}

// FirstJob waits for a Job of the CronJob (one it controls) that has not
// finished, and returns it: the newest such Job if there is one, else the
// next the controller starts. It lists once, then watches from that list:
// no polling.
func (c *Client) FirstJob(ctx context.Context, cj *batchv1.CronJob) (*batchv1.Job, error) {
	owned := func(j *batchv1.Job) bool {
		ref := metav1.GetControllerOf(j)
		return ref != nil && ref.Kind == "CronJob" && ref.UID == cj.UID
	}
	for {
		list := &batchv1.JobList{}
		if err := c.Batch.Get().Namespace(cj.Namespace).Resource("jobs").Do(ctx).Into(list); err != nil {
			return nil, err
		}
		var running []*batchv1.Job
		for i := range list.Items {
			if j := &list.Items[i]; owned(j) && !finished(j) {
				running = append(running, j)
			}
		}
		if len(running) > 0 {
			sort.Slice(running, func(a, b int) bool {
				return running[b].CreationTimestamp.Before(&running[a].CreationTimestamp)
			})
			running[0].SetGroupVersionKind(jobKind)
			return running[0], nil
		}
		w, err := c.Batch.Get().Namespace(cj.Namespace).Resource("jobs").
			VersionedParams(&metav1.ListOptions{Watch: true, ResourceVersion: list.ResourceVersion, AllowWatchBookmarks: true}, ParameterCodec).Watch(ctx)
		if err != nil {
			return nil, err
		}
		job, err := nextOwned(ctx, w, owned)
		w.Stop()
		if job != nil || err != nil {
			return job, err
		}
		// The watch ended or expired: list again.
	}
}

func nextOwned(ctx context.Context, w watch.Interface, owned func(*batchv1.Job) bool) (*batchv1.Job, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, nil
			}
			if ev.Type == watch.Error {
				if st := apierrors.FromObject(ev.Object); apierrors.IsGone(st) || apierrors.IsResourceExpired(st) {
					return nil, nil
				}
				return nil, apierrors.FromObject(ev.Object)
			}
			if j, ok := ev.Object.(*batchv1.Job); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) && owned(j) && !finished(j) {
				j.SetGroupVersionKind(jobKind)
				return j, nil
			}
		}
	}
}

func finished(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == "True" {
			return true
		}
	}
	return false
}
