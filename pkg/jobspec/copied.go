package jobspec

import (
	"sort"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// CreateIDLabel holds the id of the create that made a Job (see
// pkg/cluster's lost-answer search); it names that create alone, so a copy
// never carries it.
const CreateIDLabel = "kubectl-job-wizard/create-id"

// InstantiateAnnotation marks a Job started by hand from a CronJob, as
// `kubectl create job --from=cronjob/NAME` does.
const InstantiateAnnotation = "cronjob.kubernetes.io/instantiate"

// LastAppliedAnnotation is where `kubectl apply` (and --save-config) keeps
// the configuration it last applied.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// controllerLabels are what the API server stamps on a Job's pod template
// (and, by defaulting, on a Job without labels of its own) for the Job's
// name and uid, new and legacy spellings. Unless the selector is manual the
// server requires each to equal the new Job's name or uid, so a copy's
// values can only be refused; it writes them again for the new Job.
var controllerLabels = []string{
	batchv1.ControllerUidLabel, batchv1.JobNameLabel, "controller-uid", "job-name",
}

// serverAnnotations belong to the original object alone: kubectl apply's
// record of it, and the Job controller's tracking mark of old servers.
var serverAnnotations = []string{LastAppliedAnnotation, "batch.kubernetes.io/job-tracking"}

// CleanCopied drops from job, in place, what a server wrote into it, so
// that a Job read from a cluster (`kubectl get job -o yaml`, --from
// job/NAME) can be created again: its identity (uid, resourceVersion,
// generation, creationTimestamp, managedFields, owners, finalizers), its
// status, the generated selector and the controller's labels, and the
// last-applied annotation. It returns what it dropped, as field paths, for
// -v=1; a Job written by hand comes back unchanged and the list is empty.
//
// -f and --from job/NAME (and a CronJob's path) share this one function, so
// a Job copied either way comes out the same.
func CleanCopied(job *batchv1.Job) []string {
	var dropped []string
	drop := func(path string, set bool) {
		if set {
			dropped = append(dropped, path)
		}
	}
	m := &job.ObjectMeta
	drop("metadata.uid", m.UID != "")
	drop("metadata.resourceVersion", m.ResourceVersion != "")
	drop("metadata.generation", m.Generation != 0)
	drop("metadata.creationTimestamp", !m.CreationTimestamp.IsZero())
	drop("metadata.deletionTimestamp", m.DeletionTimestamp != nil)
	drop("metadata.deletionGracePeriodSeconds", m.DeletionGracePeriodSeconds != nil)
	drop("metadata.managedFields", len(m.ManagedFields) > 0)
	drop("metadata.ownerReferences", len(m.OwnerReferences) > 0)
	drop("metadata.finalizers", len(m.Finalizers) > 0)
	//lint:ignore SA1019 an old server may still fill it, and a new Job must not carry it
	drop("metadata.selfLink", m.SelfLink != "")
	m.UID, m.ResourceVersion, m.Generation = "", "", 0
	m.CreationTimestamp = metav1.Time{}
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = nil, nil
	m.ManagedFields, m.OwnerReferences, m.Finalizers = nil, nil, nil
	//lint:ignore SA1019 see above
	m.SelfLink = ""

	// A generated selector (or a manual one naming some Job's uid) selects
	// the original's pods; the server makes the new Job its own.
	if sel := job.Spec.Selector; sel != nil && (!ptr.Deref(job.Spec.ManualSelector, false) || selectsUID(sel)) {
		dropped = append(dropped, "spec.selector")
		if job.Spec.ManualSelector != nil {
			dropped = append(dropped, "spec.manualSelector")
		}
		job.Spec.Selector, job.Spec.ManualSelector = nil, nil
	}
	if !ptr.Deref(job.Spec.ManualSelector, false) {
		dropped = append(dropped, dropKeys("metadata.labels", &job.Labels, controllerLabels)...)
		dropped = append(dropped, dropKeys("spec.template.metadata.labels", &job.Spec.Template.Labels, controllerLabels)...)
	}
	dropped = append(dropped, dropKeys("metadata.labels", &job.Labels, []string{CreateIDLabel})...)
	dropped = append(dropped, dropKeys("metadata.annotations", &job.Annotations, serverAnnotations)...)
	drop("spec.template.metadata.creationTimestamp", !job.Spec.Template.CreationTimestamp.IsZero())
	job.Spec.Template.CreationTimestamp = metav1.Time{}
	drop("status", !isZeroStatus(&job.Status))
	job.Status = batchv1.JobStatus{}
	return dropped
}

func selectsUID(sel *metav1.LabelSelector) bool {
	for _, k := range []string{batchv1.ControllerUidLabel, "controller-uid"} {
		if _, ok := sel.MatchLabels[k]; ok {
			return true
		}
		for _, e := range sel.MatchExpressions {
			if e.Key == k {
				return true
			}
		}
	}
	return false
}

// dropKeys deletes keys from *m, returning each as path[key]; a map left
// empty becomes nil, as a Job written by hand would have it.
func dropKeys(path string, m *map[string]string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := (*m)[k]; ok {
			delete(*m, k)
			out = append(out, path+"["+k+"]")
		}
	}
	sort.Strings(out)
	if len(*m) == 0 && len(out) > 0 {
		*m = nil
	}
	return out
}

func isZeroStatus(s *batchv1.JobStatus) bool {
	return s.StartTime == nil && s.CompletionTime == nil && len(s.Conditions) == 0 && s.Active == 0 &&
		s.Succeeded == 0 && s.Failed == 0 && s.Terminating == nil && s.Ready == nil && s.CompletedIndexes == "" &&
		s.FailedIndexes == nil && s.UncountedTerminatedPods == nil
}

// ManualRun is the Job `kubectl create job --from=cronjob/NAME` makes of a
// CronJob: its job template, the instantiate annotation (unless the
// template sets it), and an ownerReference to the CronJob so that its
// history limits and a cascading delete cover the run. As kubectl, the
// reference is a controller one without blockOwnerDeletion, which would
// need the right to update cronjobs/finalizers. What a server wrote into
// the template is cleaned as for any copy; the name is generated from the
// CronJob's until the caller sets one.
func ManualRun(cj *batchv1.CronJob) (*batchv1.Job, []string) {
	job := JobFromCronJob(cj)
	dropped := CleanCopied(job)
	if _, ok := job.Annotations[InstantiateAnnotation]; !ok {
		if job.Annotations == nil {
			job.Annotations = map[string]string{}
		}
		job.Annotations[InstantiateAnnotation] = "manual"
	}
	job.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: batchv1.SchemeGroupVersion.String(),
		Kind:       "CronJob",
		Name:       cj.Name,
		UID:        cj.UID,
		Controller: ptr.To(true),
	}}
	return job, dropped
}
