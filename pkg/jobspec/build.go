package jobspec

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Build turns the Spec into a Job. It starts from a copy of Base, so every
// field no step models (affinity, probes, hostNetwork, ...) comes through,
// and sets each modeled field from the Spec, absent or present. Build does not
// validate; call Validate first.
func (s *Spec) Build() *batchv1.Job {
	job := &batchv1.Job{}
	if s.Base != nil {
		job = s.Base.DeepCopy()
	}
	job.TypeMeta.APIVersion = batchv1.SchemeGroupVersion.String()
	job.TypeMeta.Kind = "Job"

	job.Name, job.GenerateName, job.Namespace = s.Name, s.GenerateName, s.Namespace
	job.Labels = copyMap(s.Labels)
	job.Annotations = copyMap(s.Annotations)
	if s.Alias != "" {
		job.Annotations = setKey(job.Annotations, AliasAnnotation, s.Alias)
	}
	if s.Description != "" {
		job.Annotations = setKey(job.Annotations, DescriptionAnnotation, s.Description)
	}
	if s.Queue != "" {
		job.Labels = setKey(job.Labels, QueueLabel, s.Queue)
	}
	if s.WorkloadPriorityClass != "" {
		job.Labels = setKey(job.Labels, WorkloadPriorityClassLabel, s.WorkloadPriorityClass)
	}

	js := &job.Spec
	js.BackoffLimit = copyPtr(s.BackoffLimit)
	js.Completions = copyPtr(s.Completions)
	js.Parallelism = copyPtr(s.Parallelism)
	js.ActiveDeadlineSeconds = copyPtr(s.ActiveDeadlineSeconds)
	js.TTLSecondsAfterFinished = copyPtr(s.TTLSecondsAfterFinished)
	js.BackoffLimitPerIndex = copyPtr(s.BackoffLimitPerIndex)
	js.MaxFailedIndexes = copyPtr(s.MaxFailedIndexes)
	js.Suspend = copyPtr(s.Suspend)
	if s.queued() {
		// Kueue admits a Job by resuming it; one that starts unsuspended
		// is not queued (without Kueue's webhook, nothing suspends it).
		queued := true
		js.Suspend = &queued
	}
	js.CompletionMode = nil
	if s.CompletionMode != "" {
		m := s.CompletionMode
		js.CompletionMode = &m
	}
	js.PodReplacementPolicy = nil
	if s.PodReplacementPolicy != "" {
		p := s.PodReplacementPolicy
		js.PodReplacementPolicy = &p
	}
	js.PodFailurePolicy = nil
	if len(s.PodFailureRules) > 0 {
		js.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: deepCopySlice(s.PodFailureRules)}
	}
	js.SuccessPolicy = nil
	if len(s.SuccessRules) > 0 {
		js.SuccessPolicy = &batchv1.SuccessPolicy{Rules: deepCopySlice(s.SuccessRules)}
	}

	tpl := &js.Template
	tpl.Labels = copyMap(s.PodLabels)
	pod := &tpl.Spec
	pod.RestartPolicy = s.RestartPolicy
	if pod.RestartPolicy == "" {
		pod.RestartPolicy = corev1.RestartPolicyNever
	}
	pod.Containers = deepCopySlice(s.Containers)
	pod.InitContainers = deepCopySlice(s.InitContainers)
	for i := range pod.Containers {
		if pod.Containers[i].Name == "" && i == 0 {
			pod.Containers[i].Name = s.DefaultContainerName()
		}
	}
	pod.ServiceAccountName = s.ServiceAccount
	// The deprecated serviceAccount field mirrors serviceAccountName; a
	// manifest that carries it keeps it, following a changed account.
	if s.Base != nil && pod.DeprecatedServiceAccount != "" && pod.DeprecatedServiceAccount == s.Base.Spec.Template.Spec.ServiceAccountName {
		pod.DeprecatedServiceAccount = s.ServiceAccount
	}
	pod.ImagePullSecrets = nil
	for _, n := range s.ImagePullSecrets {
		pod.ImagePullSecrets = append(pod.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
	}
	pod.Volumes = deepCopySlice(s.Volumes)
	pod.NodeSelector = copyMap(s.NodeSelector)
	pod.Tolerations = deepCopySlice(s.Tolerations)
	s.buildPod(tpl)
	if s.Overrides != "" {
		// A bad patch is Validate's to report; Build stays total, so the
		// Job is the one without it.
		if patched, err := s.applyOverrides(job); err == nil {
			job = patched
		}
	}
	return job
}
