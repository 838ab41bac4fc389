package cluster

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// InstantiateAnnotation marks a Job started by hand from a CronJob, as
// `kubectl create job --from=cronjob/NAME` does.
const InstantiateAnnotation = "cronjob.kubernetes.io/instantiate"

// SourceJob reads the --from object (kind "cronjob" or "job") and returns
// the new Job it starts, ready for jobspec.FromJob: from a CronJob its job
// template with the instantiate annotation, from a Job a copy without
// what the server and the Job controller set on the original. Either way
// the name is generated from the source's (SOURCE-) until a NAME is given.
func (c *Client) SourceJob(ctx context.Context, namespace, kind, name string) (*batchv1.Job, error) {
	switch kind {
	case "cronjob":
		cj, err := c.GetCronJob(ctx, namespace, name)
		if err != nil {
			return nil, err
		}
		return JobFromCronJob(cj), nil
	case "job":
		job, err := c.GetJob(ctx, namespace, name)
		if err != nil {
			return nil, err
		}
		return CopyJob(job), nil
	}
	return nil, fmt.Errorf("--from: unknown kind %q", kind)
}

// JobFromCronJob is the Job a CronJob's template starts by hand.
func JobFromCronJob(cj *batchv1.CronJob) *batchv1.Job {
	job := jobspec.JobFromCronJob(cj)
	if job.Annotations == nil {
		job.Annotations = map[string]string{}
	}
	job.Annotations[InstantiateAnnotation] = "manual"
	cleanCopy(job)
	return job
}

// CopyJob is a new Job like job: its status, identity (uid,
// resourceVersion, managedFields, owners), selector and the labels the Job
// controller added (controller-uid, job-name) are dropped, because the
// server refuses or rewrites them on a new Job.
func CopyJob(job *batchv1.Job) *batchv1.Job {
	out := job.DeepCopy()
	out.GenerateName = job.Name + "-"
	out.Name = ""
	cleanCopy(out)
	return out
}

// controllerLabels are what the Job controller stamps on a Job and its
// pod template, old and new spellings.
var controllerLabels = []string{
	batchv1.ControllerUidLabel, batchv1.JobNameLabel,
	"controller-uid", "job-name",
}

// serverAnnotations belong to the original object alone.
var serverAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"batch.kubernetes.io/job-tracking",
}

func cleanCopy(job *batchv1.Job) {
	job.TypeMeta = metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"}
	m := &job.ObjectMeta
	m.UID, m.ResourceVersion, m.Generation = "", "", 0
	m.CreationTimestamp = metav1.Time{}
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = nil, nil
	m.ManagedFields, m.OwnerReferences, m.Finalizers = nil, nil, nil
	//lint:ignore SA1019 an old server may still fill it, and a new Job must not carry it
	m.SelfLink = ""
	for _, k := range controllerLabels {
		delete(job.Labels, k)
		delete(job.Spec.Template.Labels, k)
	}
	// The create id names the create that made the original, not this one.
	delete(job.Labels, CreateIDLabel)
	for _, k := range serverAnnotations {
		delete(job.Annotations, k)
	}
	if len(job.Labels) == 0 {
		job.Labels = nil
	}
	if len(job.Annotations) == 0 {
		job.Annotations = nil
	}
	if len(job.Spec.Template.Labels) == 0 {
		job.Spec.Template.Labels = nil
	}
	// The server makes a new selector (and labels) for the new Job's UID;
	// a manual selector of the old one would match the old Job's pods.
	job.Spec.Selector, job.Spec.ManualSelector = nil, nil
	job.Spec.Template.CreationTimestamp = metav1.Time{}
	job.Status = batchv1.JobStatus{}
}
