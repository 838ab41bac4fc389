package jobspec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// One applier per flag. Each lays one value of its flag, in the flag's
// syntax, over a Spec (or, for a container's flag, over one container)
// exactly as the flag does, and returns the path of the field it set.
// Flags.Apply calls them for the values given on the command line and the
// wizard calls the same ones for each answer, judging the answer on that
// field alone: so the wizard accepts exactly what the flags accept, by
// construction. A new flag gets its applier here; see docs/DEVELOPING.md.

// Applier is the applier of a flag of the Job or its pod.
type Applier func(s *Spec, value string) (field string, err error)

// ContainerApplier is the applier of a container's flag: the command line
// applies it to the main container, the wizard to the container it asks
// about. field is relative to the container ("env[2]", "image").
type ContainerApplier func(c *corev1.Container, value string) (field string, err error)

// MainContainerField is the path of the container the flags describe.
const MainContainerField = "spec.template.spec.containers[0]"

// ---- Step 1 ----

// ApplyAlias applies --alias.
func ApplyAlias(s *Spec, v string) (string, error) {
	s.Alias = v
	return "metadata.annotations[" + AliasAnnotation + "]", nil
}

// ApplyDescription applies --description.
func ApplyDescription(s *Spec, v string) (string, error) {
	s.Description = v
	return "metadata.annotations[" + DescriptionAnnotation + "]", nil
}

// ---- Step 2 ----

// countApplier is the applier of a count flag such as --backoff-limit.
func countApplier(flag, field string, dst func(*Spec) **int32) Applier {
	return func(s *Spec, v string) (string, error) {
		n, err := ParseCount(flag, v)
		if err != nil {
			return field, err
		}
		*dst(s) = &n
		return field, nil
	}
}

// The count flags.
var (
	ApplyBackoffLimit = countApplier("--backoff-limit", "spec.backoffLimit",
		func(s *Spec) **int32 { return &s.BackoffLimit })
	ApplyCompletions = countApplier("--completions", "spec.completions",
		func(s *Spec) **int32 { return &s.Completions })
	ApplyParallelism = countApplier("--parallelism", "spec.parallelism",
		func(s *Spec) **int32 { return &s.Parallelism })
	ApplyBackoffLimitPerIndex = countApplier("--backoff-limit-per-index", "spec.backoffLimitPerIndex",
		func(s *Spec) **int32 { return &s.BackoffLimitPerIndex })
	ApplyMaxFailedIndexes = countApplier("--max-failed-indexes", "spec.maxFailedIndexes",
		func(s *Spec) **int32 { return &s.MaxFailedIndexes })
)

// ApplyActiveDeadline applies --active-deadline.
func ApplyActiveDeadline(s *Spec, v string) (string, error) {
	const field = "spec.activeDeadlineSeconds"
	n, err := ParseSeconds("--active-deadline", v)
	if err != nil {
		return field, err
	}
	s.ActiveDeadlineSeconds = &n
	return field, nil
}

// ApplyTTLAfterFinished applies --ttl-after-finished.
func ApplyTTLAfterFinished(s *Spec, v string) (string, error) {
	const field = "spec.ttlSecondsAfterFinished"
	n, err := ParseSeconds32("--ttl-after-finished", v)
	if err != nil {
		return field, err
	}
	s.TTLSecondsAfterFinished = &n
	return field, nil
}

// ApplyCompletionMode applies --completion-mode.
func ApplyCompletionMode(s *Spec, v string) (string, error) {
	m, err := ParseCompletionMode(v)
	if err == nil {
		s.CompletionMode = m
	}
	return "spec.completionMode", err
}

// ApplySuspend applies --suspend=true|false.
func ApplySuspend(s *Spec, v string) (string, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return "spec.suspend", flagErr("--suspend", v, "must be true or false", "true")
	}
	s.Suspend = &b
	return "spec.suspend", nil
}

// ApplyQueue applies --queue: the Kueue LocalQueue the Job waits in, which
// makes the Job suspended until Kueue admits it (see Spec.Queue). An empty
// value takes a manifest's queue away.
func ApplyQueue(s *Spec, v string) (string, error) {
	const field = "metadata.labels[" + QueueLabel + "]"
	if v != "" {
		if err := ValidateQueue(v); err != nil {
			return field, err
		}
	}
	s.Queue = v
	return field, nil
}

// ApplyWorkloadPriorityClass applies --workload-priority-class: Kueue's
// priority of the Job among the Workloads of its ClusterQueue. An empty
// value takes a manifest's class away.
func ApplyWorkloadPriorityClass(s *Spec, v string) (string, error) {
	const field = "metadata.labels[" + WorkloadPriorityClassLabel + "]"
	if v != "" {
		if err := ValidateWorkloadPriorityClass(v); err != nil {
			return field, err
		}
	}
	s.WorkloadPriorityClass = v
	return field, nil
}

// ApplyPodReplacementPolicy applies --pod-replacement-policy.
func ApplyPodReplacementPolicy(s *Spec, v string) (string, error) {
	p, err := ParsePodReplacementPolicy(v)
	if err == nil {
		s.PodReplacementPolicy = p
	}
	return "spec.podReplacementPolicy", err
}

// ApplyPodFailureRule applies one --pod-failure-policy: it adds a rule
// after the others. Rules are ordered and the first match wins, so the
// command line replaces the manifest's list (Flags.Apply clears it first).
func ApplyPodFailureRule(s *Spec, v string) (string, error) {
	r, err := ParsePodFailureRule(v)
	if err != nil {
		return "spec.podFailurePolicy.rules", err
	}
	s.PodFailureRules = append(s.PodFailureRules, r)
	return fmt.Sprintf("spec.podFailurePolicy.rules[%d]", len(s.PodFailureRules)-1), nil
}

// ApplySuccessRule applies one --success-policy, after the others.
func ApplySuccessRule(s *Spec, v string) (string, error) {
	r, err := ParseSuccessRule(v)
	if err != nil {
		return "spec.successPolicy.rules", err
	}
	s.SuccessRules = append(s.SuccessRules, r)
	return fmt.Sprintf("spec.successPolicy.rules[%d]", len(s.SuccessRules)-1), nil
}

// ---- Step 3 ----

// ApplyRestartPolicy applies --restart-policy.
func ApplyRestartPolicy(s *Spec, v string) (string, error) {
	p, err := ParseRestartPolicy(v)
	if err == nil {
		s.RestartPolicy = p
	}
	return "spec.template.spec.restartPolicy", err
}

// ApplyImagePullSecret applies one --image-pull-secret; a secret the Spec
// names already is not named twice.
func ApplyImagePullSecret(s *Spec, v string) (string, error) {
	if !slices.Contains(s.ImagePullSecrets, v) {
		s.ImagePullSecrets = append(s.ImagePullSecrets, v)
	}
	return "spec.template.spec.imagePullSecrets", nil
}

// ApplyServiceAccount applies --service-account.
func ApplyServiceAccount(s *Spec, v string) (string, error) {
	s.ServiceAccount = v
	return "spec.template.spec.serviceAccountName", nil
}

// ApplyImage applies --image.
func ApplyImage(c *corev1.Container, v string) (string, error) {
	c.Image = v
	return "image", nil
}

// ApplyContainerName applies --container-name.
func ApplyContainerName(c *corev1.Container, v string) (string, error) {
	c.Name = v
	return "name", nil
}

// ApplyPort applies one --port. It replaces a port of the first manifest
// ports of c (those a manifest gave) with the same number and protocol or
// the same name, else adds it: a flag overrides the manifest's entry, while
// the same port given twice stays twice and Validate reports it. The
// wizard passes 0: an answer adds a port.
func ApplyPort(c *corev1.Container, v string, manifest int) (string, error) {
	p, err := ParsePort(v)
	if err != nil {
		return "ports", err
	}
	var i int
	c.Ports, i = upsert(c.Ports, manifest, p, func(a, b corev1.ContainerPort) bool {
		return a.ContainerPort == b.ContainerPort && a.Protocol == b.Protocol || a.Name != "" && a.Name == b.Name
	})
	return fmt.Sprintf("ports[%d]", i), nil
}

// setEnv adds or replaces (by name) a variable of c and returns its index.
// A new one goes last, as the flags add them; with beforeRefs a new plain
// value goes before the first reference instead (see ApplyEnvInOrder).
func setEnv(c *corev1.Container, e corev1.EnvVar, beforeRefs bool) int {
	for i := range c.Env {
		if c.Env[i].Name == e.Name {
			c.Env[i] = e
			return i
		}
	}
	if beforeRefs && e.ValueFrom == nil {
		for i := range c.Env {
			if c.Env[i].ValueFrom != nil {
				c.Env = slices.Insert(c.Env, i, e)
				return i
			}
		}
	}
	c.Env = append(c.Env, e)
	return len(c.Env) - 1
}

// ApplyEnv applies one -e/--env NAME=VALUE; a later value of a name wins.
func ApplyEnv(c *corev1.Container, v string) (string, error) { return applyEnv(c, v, false) }

// ApplyEnvInOrder is ApplyEnv for a container built answer by answer (the
// wizard): a new plain value goes before the first reference, where the
// equivalent command (every -e before any --env-value-from) puts it, so
// that command still rebuilds the same Job.
func ApplyEnvInOrder(c *corev1.Container, v string) (string, error) { return applyEnv(c, v, true) }

func applyEnv(c *corev1.Container, v string, beforeRefs bool) (string, error) {
	k, val, err := ParseKeyValue("--env", v, "LOG_LEVEL=debug")
	if err != nil {
		return "env", err
	}
	return fmt.Sprintf("env[%d]", setEnv(c, corev1.EnvVar{Name: k, Value: val}, beforeRefs)), nil
}

// ApplyEnvValueFrom applies one --env-value-from.
func ApplyEnvValueFrom(c *corev1.Container, v string) (string, error) {
	e, err := ParseEnvValueFrom(v)
	if err != nil {
		return "env", err
	}
	return fmt.Sprintf("env[%d]", setEnv(c, e, false)), nil
}

// ApplyEnvFrom applies one --env-from; the same source with the same
// prefix is not added twice.
func ApplyEnvFrom(c *corev1.Container, v string) (string, error) {
	e, err := ParseEnvFrom(v)
	if err != nil {
		return "envFrom", err
	}
	var i int
	c.EnvFrom, i = upsert(c.EnvFrom, len(c.EnvFrom), e, func(a, b corev1.EnvFromSource) bool {
		return a.Prefix == b.Prefix && (a.ConfigMapRef != nil && b.ConfigMapRef != nil && a.ConfigMapRef.Name == b.ConfigMapRef.Name ||
			a.SecretRef != nil && b.SecretRef != nil && a.SecretRef.Name == b.SecretRef.Name)
	})
	return fmt.Sprintf("envFrom[%d]", i), nil
}

// resourcesApplier is the applier of --request or --limit: each quantity is
// set over what c has, and a zero removes that resource, which is how the
// console says "no limit".
func resourcesApplier(flag string, list func(*corev1.Container) *corev1.ResourceList) ContainerApplier {
	return func(c *corev1.Container, v string) (string, error) {
		l, err := ParseResources(flag, v)
		if err != nil {
			return "resources", err
		}
		*list(c) = mergeResources(*list(c), l)
		return "resources", nil
	}
}

// The resource flags.
var (
	ApplyRequest = resourcesApplier("--request", func(c *corev1.Container) *corev1.ResourceList { return &c.Resources.Requests })
	ApplyLimit   = resourcesApplier("--limit", func(c *corev1.Container) *corev1.ResourceList { return &c.Resources.Limits })
)

// ApplyImagePullPolicy applies --image-pull-policy.
func ApplyImagePullPolicy(c *corev1.Container, v string) (string, error) {
	p, err := ParseImagePullPolicy(v)
	if err == nil {
		c.ImagePullPolicy = p
	}
	return "imagePullPolicy", err
}

// ApplyMount applies one --mount; as ApplyPort, it replaces one of the
// first manifest mounts at the same path, else adds it.
func ApplyMount(c *corev1.Container, v string, manifest int) (string, error) {
	m, err := ParseMount(v)
	if err != nil {
		return "volumeMounts", err
	}
	var i int
	c.VolumeMounts, i = upsert(c.VolumeMounts, manifest, m, func(a, b corev1.VolumeMount) bool { return a.MountPath == b.MountPath })
	return fmt.Sprintf("volumeMounts[%d]", i), nil
}

// ---- Step 4 ----

// ApplyVolume applies one --volume; as ApplyPort, it replaces one of the
// first manifest volumes of the same name, else adds it.
func ApplyVolume(s *Spec, v string, manifest int) (string, error) {
	vol, err := ParseVolume(v)
	if err != nil {
		return "spec.template.spec.volumes", err
	}
	var i int
	s.Volumes, i = upsert(s.Volumes, manifest, vol, func(a, b corev1.Volume) bool { return a.Name == b.Name })
	return fmt.Sprintf("spec.template.spec.volumes[%d]", i), nil
}

// ---- Step 5 ----

// ApplyLabel applies one -l/--label: KEY=VALUE, or several comma
// separated, on the Job and its pods alike.
func ApplyLabel(s *Spec, v string) (string, error) {
	var errs Errors
	for _, kv := range strings.Split(v, ",") {
		k, val, err := ParseKeyValue("--label", kv, "app=report")
		if err != nil {
			errs.collect(err)
			continue
		}
		s.Labels = setKey(s.Labels, k, val)
		s.PodLabels = setKey(s.PodLabels, k, val)
	}
	return "metadata.labels", errs.OrNil()
}

// ApplyAnnotation applies one --annotation KEY=VALUE.
func ApplyAnnotation(s *Spec, v string) (string, error) {
	k, val, err := ParseKeyValue("--annotation", v, "team=data")
	if err == nil {
		s.Annotations = setKey(s.Annotations, k, val)
	}
	return "metadata.annotations", err
}

// ---- Step 6 ----

// ApplyNodeSelector applies one --node-selector KEY=VALUE.
func ApplyNodeSelector(s *Spec, v string) (string, error) {
	k, val, err := ParseKeyValue("--node-selector", v, "disktype=ssd")
	if err == nil {
		s.NodeSelector = setKey(s.NodeSelector, k, val)
	}
	return "spec.template.spec.nodeSelector", err
}

// ApplyNode applies --node: the node's hostname label in the selector.
func ApplyNode(s *Spec, v string) (string, error) {
	const field = "spec.template.spec.nodeSelector"
	if v == "" {
		return field, flagErr("--node", v, "must name a node", "worker-1")
	}
	s.NodeSelector = setKey(s.NodeSelector, corev1.LabelHostname, v)
	return field, nil
}

// ApplyToleration applies one --toleration; one that matches a toleration
// the Spec has replaces it.
func ApplyToleration(s *Spec, v string) (string, error) {
	t, err := ParseToleration(v)
	if err != nil {
		return "spec.template.spec.tolerations", err
	}
	var i int
	s.Tolerations, i = upsert(s.Tolerations, len(s.Tolerations), t, func(a, b corev1.Toleration) bool { return a.MatchToleration(&b) })
	return fmt.Sprintf("spec.template.spec.tolerations[%d]", i), nil
}

// upsert replaces the first of list[:n] that is the same as item, or
// appends item, and returns the list and item's index. n limits the search
// to what the manifest had (see ApplyPort).
func upsert[T any](list []T, n int, item T, same func(a, b T) bool) ([]T, int) {
	for i := range list[:n] {
		if same(list[i], item) {
			list[i] = item
			return list, i
		}
	}
	return append(list, item), len(list)
}

// setKey sets m[k] = v, making m when it is nil.
func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}
