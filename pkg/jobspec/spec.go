// Package jobspec holds the one model of what a user asked for: the Job of the
// six console steps. Flags, manifests, examples and the wizard all fill a Spec;
// Validate checks it with one set of rules, Build turns it into a batch/v1 Job,
// and Args renders it back into the flag command line that rebuilds it.
//
// The package does no I/O and talks to no cluster, so everything here is a pure
// function that tests can hold to.
package jobspec

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Annotation keys the KubeSphere console uses for the alias and description
// of step 1; keeping them lets the console show what the CLI created.
const (
	AliasAnnotation       = "kubesphere.io/alias-name"
	DescriptionAnnotation = "kubesphere.io/description"
)

// Limits of step 1, as the console enforces them.
const (
	MaxAliasLength       = 63
	MaxDescriptionLength = 256
)

// Spec is everything of the six steps. Sub-objects use the API types
// themselves (corev1.Container, corev1.Volume, ...) so that whatever a manifest
// carries inside them (probes, securityContext, projected volumes) survives.
// Fields that no step models at all (affinity, hostNetwork, ...) survive in
// Base, which Build starts from.
type Spec struct {
	// Step 1: basic information.
	Name         string
	GenerateName string
	Namespace    string
	Alias        string
	Description  string

	// Step 2: job settings.
	BackoffLimit            *int32
	Completions             *int32
	Parallelism             *int32
	ActiveDeadlineSeconds   *int64
	TTLSecondsAfterFinished *int32
	CompletionMode          batchv1.CompletionMode
	BackoffLimitPerIndex    *int32
	MaxFailedIndexes        *int32
	Suspend                 *bool
	PodReplacementPolicy    batchv1.PodReplacementPolicy
	PodFailureRules         []batchv1.PodFailurePolicyRule
	SuccessRules            []batchv1.SuccessPolicyRule
	// Queue is the Kueue LocalQueue the Job waits in (the label
	// kueue.x-k8s.io/queue-name); a queued Job is built suspended, since
	// Kueue starts it by resuming it. WorkloadPriorityClass is Kueue's
	// priority for it (kueue.x-k8s.io/priority-class). Both are labels of
	// the Job kept apart from Labels, so that -f, Args and the wizard treat
	// them as the settings they are.
	Queue                 string
	WorkloadPriorityClass string

	// Step 3: pod template. Containers[0] is the one the container flags
	// (--image, --env, --mount, ...) describe; more come from the wizard or -f.
	RestartPolicy    corev1.RestartPolicy
	Containers       []corev1.Container
	InitContainers   []corev1.Container
	ServiceAccount   string
	ImagePullSecrets []string

	// Step 3, the rest of the pod (docs/CLI.md "Security and the rest of
	// the pod"): the PodSpec fields a flag sets. The main container's own
	// securityContext, workingDir and termination message live in
	// Containers[0]; sidecars are InitContainers with restartPolicy Always.
	PodAnnotations map[string]string
	// SecurityProfile is the Pod Security Standards level Build fills in
	// on every container (see ApplySecurityProfile); empty: none.
	SecurityProfile               SecurityProfile
	PodSecurity                   *corev1.PodSecurityContext
	Affinity                      *corev1.Affinity
	PriorityClassName             string
	RuntimeClassName              *string
	SchedulerName                 string
	TerminationGracePeriodSeconds *int64
	AutomountServiceAccountToken  *bool
	HostNetwork, HostPID, HostIPC bool
	ShareProcessNamespace         *bool
	EnableServiceLinks            *bool
	HostUsers                     *bool
	DNSPolicy                     corev1.DNSPolicy
	Hostname, Subdomain, NodeName string
	OS                            *corev1.PodOS
	SchedulingGates               []corev1.PodSchedulingGate
	HostAliases                   []corev1.HostAlias

	// Overrides is kubectl run's --overrides: a patch laid over the built
	// Job last, of OverrideType merge (default), strategic or json.
	Overrides    string
	OverrideType string

	// Step 4: volumes (their mounts live in each container's VolumeMounts).
	Volumes []corev1.Volume

	// Step 5: labels. Labels go on the Job and PodLabels on its pod template;
	// the flags and the wizard set both alike, but a manifest may differ.
	Labels      map[string]string
	PodLabels   map[string]string
	Annotations map[string]string

	// Step 6: node selector.
	NodeSelector map[string]string
	Tolerations  []corev1.Toleration

	// CronJob, when not nil, makes the Spec a CronJob of this Job: the
	// schedule and the CronJob's own fields (see BuildCronJob).
	CronJob *CronJobSettings

	// Base is the Job the Spec was imported from (a manifest, --from, an
	// example). Build lays the modeled fields over a copy of it.
	Base *batchv1.Job
}

// DefaultMainContainerName is the container name used with --generate-name,
// where the Job's final name is not known yet.
const DefaultMainContainerName = "main"

// MainContainer returns the container the container flags describe, adding
// an empty one when there is none yet.
func (s *Spec) MainContainer() *corev1.Container {
	if len(s.Containers) == 0 {
		s.Containers = append(s.Containers, corev1.Container{})
	}
	return &s.Containers[0]
}

// DefaultContainerName is the name an unnamed container gets: the Job's name,
// as `kubectl create job` does, or "main" when the name is generated.
func (s *Spec) DefaultContainerName() string {
	if s.Name != "" {
		return s.Name
	}
	return DefaultMainContainerName
}

// DeepCopy returns a Spec that shares nothing with s, so the wizard can offer
// "change a step" and drafts without aliasing.
func (s *Spec) DeepCopy() *Spec {
	if s == nil {
		return nil
	}
	// Round-tripping through a Job would lose the Labels/PodLabels split and the
	// empty-vs-nil distinctions, so copy field by field.
	out := *s
	out.BackoffLimit = copyPtr(s.BackoffLimit)
	out.Completions = copyPtr(s.Completions)
	out.Parallelism = copyPtr(s.Parallelism)
	out.ActiveDeadlineSeconds = copyPtr(s.ActiveDeadlineSeconds)
	out.TTLSecondsAfterFinished = copyPtr(s.TTLSecondsAfterFinished)
	out.BackoffLimitPerIndex = copyPtr(s.BackoffLimitPerIndex)
	out.MaxFailedIndexes = copyPtr(s.MaxFailedIndexes)
	out.Suspend = copyPtr(s.Suspend)
	out.PodFailureRules = deepCopySlice(s.PodFailureRules)
	out.SuccessRules = deepCopySlice(s.SuccessRules)
	out.Containers = deepCopySlice(s.Containers)
	out.InitContainers = deepCopySlice(s.InitContainers)
	out.ImagePullSecrets = append([]string(nil), s.ImagePullSecrets...)
	if s.ImagePullSecrets == nil {
		out.ImagePullSecrets = nil
	}
	out.Volumes = deepCopySlice(s.Volumes)
	out.Labels = copyMap(s.Labels)
	out.PodLabels = copyMap(s.PodLabels)
	out.Annotations = copyMap(s.Annotations)
	out.NodeSelector = copyMap(s.NodeSelector)
	out.Tolerations = deepCopySlice(s.Tolerations)
	out.CronJob = s.CronJob.DeepCopy()
	s.copyPodInto(&out)
	if s.Base != nil {
		out.Base = s.Base.DeepCopy()
	}
	return &out
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// deepCopySlice deep-copies a slice of API values, keeping nil as nil.
func deepCopySlice[T any, PT interface {
	*T
	DeepCopyInto(*T)
}](in []T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		PT(&in[i]).DeepCopyInto(&out[i])
	}
	return out
}
