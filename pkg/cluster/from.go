package cluster

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// InstantiateAnnotation marks a Job started by hand from a CronJob, as
// `kubectl create job --from=cronjob/NAME` does.
const InstantiateAnnotation = jobspec.InstantiateAnnotation

// SourceJob reads the --from object (kind "cronjob" or "job") and returns
// the new Job it starts, ready for jobspec.FromJob, and what of the
// source's server-written fields was dropped (for -v=1): from a CronJob
// the Job kubectl makes of it (jobspec.ManualRun: the template, the
// instantiate annotation, an ownerReference to the CronJob), from a Job a
// copy cleaned as -f cleans one (jobspec.CleanCopied), with no owner.
// Either way the name is generated from the source's (SOURCE-) until a
// NAME is given.
func (c *Client) SourceJob(ctx context.Context, namespace, kind, name string) (*batchv1.Job, []string, error) {
	switch kind {
	case "cronjob":
		cj, err := c.GetCronJob(ctx, namespace, name)
		if err != nil {
			return nil, nil, err
		}
		job, dropped := jobspec.ManualRun(cj)
		return job, dropped, nil
	case "job":
		job, err := c.GetJob(ctx, namespace, name)
		if err != nil {
			return nil, nil, err
		}
		out, dropped := CopyJob(job)
		return out, dropped, nil
	}
	return nil, nil, fmt.Errorf("--from: unknown kind %s", termtext.Quote(kind))
}

// JobFromCronJob is the Job a CronJob's template starts by hand.
func JobFromCronJob(cj *batchv1.CronJob) *batchv1.Job {
	job, _ := jobspec.ManualRun(cj)
	return job
}

// CopyJob is a new Job like job, named SOURCE-…, without what the server
// and the Job controller set on the original (jobspec.CleanCopied).
func CopyJob(job *batchv1.Job) (*batchv1.Job, []string) {
	out := job.DeepCopy()
	out.GenerateName = job.Name + "-"
	out.Name = ""
	dropped := jobspec.CleanCopied(out)
	out.APIVersion, out.Kind = batchv1.SchemeGroupVersion.String(), "Job"
	return out, dropped
}
