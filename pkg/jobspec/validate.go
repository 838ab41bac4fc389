package jobspec

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
)

// Validate checks the Job the Spec builds against what the API server would
// refuse, and reports every problem at once. Each names the flag that sets
// the field (when one does), the field path, the value, the rule and a good
// example. The wizard asks again with the same rules, one answer at a time.
func (s *Spec) Validate() error {
	if s.Overrides == "" {
		return s.validate().OrNil()
	}
	plain := *s
	plain.Overrides = ""
	if _, err := s.applyOverrides(plain.Build()); err != nil {
		return err
	}
	// The overridden Job is checked by the same rules; a problem the flags
	// alone do not have came from --overrides, and says so.
	before := map[string]bool{}
	for _, e := range plain.validate() {
		before[e.Error()] = true
	}
	errs := s.validate()
	for i, e := range errs {
		if !before[e.Error()] {
			moved := *e
			moved.Rule = "set by --overrides: " + e.Rule
			if e.Flag != "" {
				moved.Rule += " (the field of " + e.Flag + ")"
			}
			moved.Flag, moved.Example = "--overrides", overridesExample
			errs[i] = &moved
		}
	}
	return errs.OrNil()
}

func (s *Spec) validate() Errors {
	v := &validator{}
	job := s.Build()
	v.meta(s, job)
	v.jobSpec(job)
	v.podSpec(s, &job.Spec.Template.Spec)
	v.podSettings(&job.Spec.Template)
	v.errs = append(v.errs, profileErrors(s.SecurityProfile, &job.Spec.Template)...)
	jobLabels := job.Labels
	if s.Queue != "" || s.WorkloadPriorityClass != "" {
		// Their own flags report them, once.
		v.errs.collect(s.validateKueue())
		jobLabels = copyMap(job.Labels)
		if s.Queue != "" {
			delete(jobLabels, QueueLabel)
		}
		if s.WorkloadPriorityClass != "" {
			delete(jobLabels, WorkloadPriorityClassLabel)
		}
	}
	v.labels("--label", "metadata.labels", jobLabels)
	// The flags put the same labels on the Job and its pods; report a bad
	// one once, and only the pod template's own ones again.
	podOnly := map[string]string{}
	for k, val := range job.Spec.Template.Labels {
		if jv, ok := job.Labels[k]; !ok || jv != val {
			podOnly[k] = val
		}
	}
	v.labels("--label", "spec.template.metadata.labels", podOnly)
	v.annotationMap("--annotation", "metadata.annotations", job.Annotations)
	if s.IsCronJob() {
		// The Job's fields sit under the CronJob's jobTemplate.
		for _, e := range v.errs {
			e.Field = CronJobFieldPath(e.Field)
		}
		v.cronJob(s, job)
	}
	return v.errs
}

type validator struct{ errs Errors }

func (v *validator) add(flag, field, value, rule, example string) {
	v.errs = append(v.errs, &FieldError{Flag: flag, Field: field, Value: value, Rule: rule, Example: example})
}

func (v *validator) meta(s *Spec, job *batchv1.Job) {
	switch {
	case job.Name == "" && job.GenerateName == "":
		v.add("", "metadata.name", "", "the Job needs a name: give NAME, --name or --generate-name", "")
	case job.Name != "":
		if msgs := validation.IsDNS1123Label(job.Name); len(msgs) > 0 {
			v.add("NAME", "metadata.name", job.Name, dnsLabelRule(msgs), "pi")
		}
	default:
		// The server appends 5 random characters to the prefix, and the
		// result becomes the job-name label, so it must stay a label.
		if msgs := validation.IsDNS1123Label(strings.TrimSuffix(job.GenerateName, "-") + "-abcde"); len(msgs) > 0 || len(job.GenerateName) > validation.DNS1123LabelMaxLength-5 {
			v.add("--generate-name", "metadata.generateName", job.GenerateName,
				"must be lower case letters, digits and '-', start with a letter or digit, and be at most 58 characters", "nightly-report-")
		}
	}
	if job.Namespace != "" {
		if msgs := validation.IsDNS1123Label(job.Namespace); len(msgs) > 0 {
			v.add("--namespace", "metadata.namespace", job.Namespace, dnsLabelRule(msgs), "default")
		}
	}
	v.text("--alias", "metadata.annotations["+AliasAnnotation+"]", s.Alias, MaxAliasLength, "月度报表")
	v.text("--description", "metadata.annotations["+DescriptionAnnotation+"]", s.Description, MaxDescriptionLength, "Builds the monthly report")
}

// text checks a free-text field: any language, but no control characters
// (they would drive a terminal that shows it) and a length in characters.
func (v *validator) text(flag, field, s string, max int, example string) {
	switch {
	case !utf8.ValidString(s):
		v.add(flag, field, s, "must be UTF-8 text", example)
	case utf8.RuneCountInString(s) > max:
		v.add(flag, field, s, fmt.Sprintf("must be at most %d characters, not %d", max, utf8.RuneCountInString(s)), example)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.add(flag, field, s, "must not contain control characters or terminal escapes", example)
	}
}

func dnsLabelRule(msgs []string) string {
	return "must be a DNS-1123 label: " + apiMsg(msgs)
}

// regexNote is the tail apimachinery adds to its messages: the examples and
// the regular expression, which our own example replaces more readably.
var regexNote = lazy.Regexp(` \(e\.g\. [^)]*regex used for validation is '[^']*'\)`)

// apiMsg joins apimachinery's validation messages into one short clause.
func apiMsg(msgs []string) string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = regexNote().ReplaceAllString(m, "")
	}
	return strings.Join(out, "; ")
}

func (v *validator) jobSpec(job *batchv1.Job) {
	js := &job.Spec
	nonNeg := func(flag, field string, p *int32) {
		if p != nil && *p < 0 {
			v.add(flag, field, strconv.Itoa(int(*p)), "must not be negative", "1")
		}
	}
	nonNeg("--backoff-limit", "spec.backoffLimit", js.BackoffLimit)
	nonNeg("--completions", "spec.completions", js.Completions)
	nonNeg("--parallelism", "spec.parallelism", js.Parallelism)
	nonNeg("--ttl-after-finished", "spec.ttlSecondsAfterFinished", js.TTLSecondsAfterFinished)
	nonNeg("--backoff-limit-per-index", "spec.backoffLimitPerIndex", js.BackoffLimitPerIndex)
	nonNeg("--max-failed-indexes", "spec.maxFailedIndexes", js.MaxFailedIndexes)
	if js.ActiveDeadlineSeconds != nil && *js.ActiveDeadlineSeconds <= 0 {
		v.add("--active-deadline", "spec.activeDeadlineSeconds", strconv.FormatInt(*js.ActiveDeadlineSeconds, 10), "must be at least 1 second", "10m")
	}
	indexed := js.CompletionMode != nil && *js.CompletionMode == batchv1.IndexedCompletion
	if js.CompletionMode != nil && *js.CompletionMode != batchv1.IndexedCompletion && *js.CompletionMode != batchv1.NonIndexedCompletion {
		v.add("--completion-mode", "spec.completionMode", string(*js.CompletionMode), "must be NonIndexed or Indexed", "Indexed")
	}
	if indexed {
		if js.Completions == nil {
			v.add("--completions", "spec.completions", "", "an Indexed Job needs --completions: one index per completion", "5")
		} else if *js.Completions > 100000 {
			v.add("--completions", "spec.completions", strconv.Itoa(int(*js.Completions)), "an Indexed Job may have at most 100000 completions", "1000")
		}
	}
	if js.BackoffLimitPerIndex != nil && !indexed {
		v.add("--backoff-limit-per-index", "spec.backoffLimitPerIndex", strconv.Itoa(int(*js.BackoffLimitPerIndex)), "needs --completion-mode Indexed", "1")
	}
	if js.MaxFailedIndexes != nil {
		switch {
		case js.BackoffLimitPerIndex == nil:
			v.add("--max-failed-indexes", "spec.maxFailedIndexes", strconv.Itoa(int(*js.MaxFailedIndexes)), "needs --backoff-limit-per-index", "2")
		case js.Completions != nil && *js.MaxFailedIndexes > *js.Completions:
			v.add("--max-failed-indexes", "spec.maxFailedIndexes", strconv.Itoa(int(*js.MaxFailedIndexes)),
				fmt.Sprintf("must not exceed --completions (%d)", *js.Completions), "1")
		}
	}
	if js.PodReplacementPolicy != nil && *js.PodReplacementPolicy != batchv1.TerminatingOrFailed && *js.PodReplacementPolicy != batchv1.Failed {
		v.add("--pod-replacement-policy", "spec.podReplacementPolicy", string(*js.PodReplacementPolicy), "must be TerminatingOrFailed or Failed", "Failed")
	}
	if js.PodFailurePolicy != nil {
		if rp := js.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever {
			v.add("--pod-failure-policy", "spec.podFailurePolicy", "", "needs --restart-policy Never, not "+string(rp)+": the policy judges failed pods, and OnFailure restarts them in place", "FailJob:exit-codes=42")
		}
		if js.PodReplacementPolicy != nil && *js.PodReplacementPolicy != batchv1.Failed {
			v.add("--pod-replacement-policy", "spec.podReplacementPolicy", string(*js.PodReplacementPolicy), "must be Failed when --pod-failure-policy is set", "Failed")
		}
		containers := map[string]bool{}
		for _, c := range append(append([]corev1.Container{}, js.Template.Spec.InitContainers...), js.Template.Spec.Containers...) {
			containers[c.Name] = true
		}
		for i, r := range js.PodFailurePolicy.Rules {
			field := fmt.Sprintf("spec.podFailurePolicy.rules[%d]", i)
			text, _ := FormatPodFailureRule(r)
			v.podFailureRule(field, text, r, js, containers)
		}
	}
	if js.SuccessPolicy != nil {
		if !indexed {
			v.add("--success-policy", "spec.successPolicy", "", "needs --completion-mode Indexed", "indexes=0-9,count=3")
		}
		for i, r := range js.SuccessPolicy.Rules {
			field := fmt.Sprintf("spec.successPolicy.rules[%d]", i)
			text := FormatSuccessRule(r)
			if r.SucceededIndexes == nil && r.SucceededCount == nil {
				v.add("--success-policy", field, text, "needs indexes=, count= or both", "count=3")
			}
			if r.SucceededIndexes != nil {
				for _, ix := range strings.Split(*r.SucceededIndexes, ",") {
					if !validIndexRange(ix) {
						v.add("--success-policy", field+".succeededIndexes", *r.SucceededIndexes, "must be indexes and ranges in increasing order such as 0,2-5", "indexes=0,2-5")
						break
					}
					if js.Completions != nil {
						_, hi, _ := strings.Cut(ix, "-")
						if hi == "" {
							hi = ix
						}
						if n, _ := strconv.Atoi(hi); n >= int(*js.Completions) {
							v.add("--success-policy", field+".succeededIndexes", *r.SucceededIndexes, fmt.Sprintf("index %d is not below --completions (%d)", n, *js.Completions), "indexes=0-2")
							break
						}
					}
				}
			}
			if r.SucceededCount != nil && js.Completions != nil && *r.SucceededCount > *js.Completions {
				v.add("--success-policy", field+".succeededCount", text, fmt.Sprintf("count must not exceed --completions (%d)", *js.Completions), "count=1")
			}
		}
	}
}

func (v *validator) podFailureRule(field, text string, r batchv1.PodFailurePolicyRule, js *batchv1.JobSpec, containers map[string]bool) {
	const flag = "--pod-failure-policy"
	switch r.Action {
	case batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount:
	case batchv1.PodFailurePolicyActionFailIndex:
		if js.BackoffLimitPerIndex == nil {
			v.add(flag, field+".action", text, "FailIndex needs --backoff-limit-per-index", "FailJob:exit-codes=42")
		}
	default:
		v.add(flag, field+".action", string(r.Action), "must be FailJob, FailIndex, Ignore or Count", "FailJob:exit-codes=42")
	}
	if (r.OnExitCodes == nil) == (len(r.OnPodConditions) == 0) {
		v.add(flag, field, text, "needs exactly one of exit-codes or condition", "Ignore:condition=DisruptionTarget")
		return
	}
	if ec := r.OnExitCodes; ec != nil {
		if len(ec.Values) == 0 || len(ec.Values) > 255 {
			v.add(flag, field+".onExitCodes.values", text, "needs from 1 to 255 exit codes", "FailJob:exit-codes=42")
		}
		for i, c := range ec.Values {
			if c == 0 && ec.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn {
				v.add(flag, field+".onExitCodes.values", text, "exit code 0 means success and cannot be matched with exit-codes=", "FailJob:exit-codes=42")
			}
			if i > 0 && c <= ec.Values[i-1] {
				v.add(flag, field+".onExitCodes.values", text, "exit codes must be in increasing order without repeats", "FailJob:exit-codes=1,2,42")
				break
			}
		}
		if ec.Operator != batchv1.PodFailurePolicyOnExitCodesOpIn && ec.Operator != batchv1.PodFailurePolicyOnExitCodesOpNotIn {
			v.add(flag, field+".onExitCodes.operator", string(ec.Operator), "must be In or NotIn", "FailJob:exit-codes!=0")
		}
		if ec.ContainerName != nil && !containers[*ec.ContainerName] {
			v.add(flag, field+".onExitCodes.containerName", *ec.ContainerName, "names no container of the Job", "FailJob:exit-codes=42,container=main")
		}
	}
}

func (v *validator) podSpec(s *Spec, pod *corev1.PodSpec) {
	const tpl = "spec.template.spec"
	if pod.RestartPolicy != corev1.RestartPolicyNever && pod.RestartPolicy != corev1.RestartPolicyOnFailure {
		v.add("--restart-policy", tpl+".restartPolicy", string(pod.RestartPolicy), "must be Never or OnFailure (a Job's pods cannot restart Always)", "Never")
	}
	if len(pod.Containers) == 0 {
		v.add("--image", tpl+".containers", "", "the Job needs a container: give --image", "perl:5.28.0")
	}
	names := map[string]string{}
	volumes := map[string]bool{}
	for i, vol := range pod.Volumes {
		v.volume(fmt.Sprintf("%s.volumes[%d]", tpl, i), vol, volumes)
	}
	mounted := map[string]bool{}
	for i := range pod.InitContainers {
		if rp := pod.InitContainers[i].RestartPolicy; rp != nil && *rp != corev1.ContainerRestartPolicyAlways {
			v.add("--sidecar", fmt.Sprintf("%s.initContainers[%d].restartPolicy", tpl, i), string(*rp), "an init container's restartPolicy may only be Always (a sidecar)", "proxy=envoyproxy/envoy:v1.31")
		}
		v.container(fmt.Sprintf("%s.initContainers[%d]", tpl, i), &pod.InitContainers[i], false, names, volumes, mounted)
	}
	for i := range pod.Containers {
		// An unnamed main container takes the Job's name: a bad Job name is
		// already reported, so do not report it twice.
		derived := i == 0 && len(s.Containers) > 0 && s.Containers[0].Name == ""
		if derived && len(validation.IsDNS1123Label(pod.Containers[0].Name)) > 0 {
			names[pod.Containers[0].Name] = "the Job's name"
			c := pod.Containers[0]
			c.Name = "derived"
			v.container(fmt.Sprintf("%s.containers[%d]", tpl, i), &c, true, names, volumes, mounted)
			continue
		}
		v.container(fmt.Sprintf("%s.containers[%d]", tpl, i), &pod.Containers[i], i == 0, names, volumes, mounted)
	}
	for i, vol := range pod.Volumes {
		if vol.Name != "" && !mounted[vol.Name] && !usedElsewhere(pod, vol.Name) {
			v.add("--volume", fmt.Sprintf("%s.volumes[%d]", tpl, i), vol.Name, "is declared but no container mounts it: add --mount PATH="+vol.Name, "/data="+vol.Name)
		}
	}
	if pod.ServiceAccountName != "" {
		if msgs := validation.IsDNS1123Subdomain(pod.ServiceAccountName); len(msgs) > 0 {
			v.add("--service-account", tpl+".serviceAccountName", pod.ServiceAccountName, "must be a DNS-1123 subdomain: "+apiMsg(msgs), "batch-runner")
		}
	}
	for i, r := range pod.ImagePullSecrets {
		if msgs := validation.IsDNS1123Subdomain(r.Name); len(msgs) > 0 {
			v.add("--image-pull-secret", fmt.Sprintf("%s.imagePullSecrets[%d].name", tpl, i), r.Name, "must be a DNS-1123 subdomain: "+apiMsg(msgs), "harbor-creds")
		}
	}
	v.labels("--node-selector", tpl+".nodeSelector", pod.NodeSelector)
	for i, t := range pod.Tolerations {
		v.toleration(fmt.Sprintf("%s.tolerations[%d]", tpl, i), t)
	}
}

// usedElsewhere reports whether a volume is used without a mount: as a
// device, or by an ephemeral container. Such volumes are not "unmounted".
func usedElsewhere(pod *corev1.PodSpec, name string) bool {
	for _, cs := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for _, c := range cs {
			for _, d := range c.VolumeDevices {
				if d.Name == name {
					return true
				}
			}
		}
	}
	return false
}

func (v *validator) container(field string, c *corev1.Container, main bool, names map[string]string, volumes, mounted map[string]bool) {
	// Only the main container is set by the container flags; for the others
	// the field path alone says where the problem is.
	flag := func(f string) string {
		if main {
			return f
		}
		return ""
	}
	if msgs := validation.IsDNS1123Label(c.Name); len(msgs) > 0 {
		v.add(flag("--container-name"), field+".name", c.Name, dnsLabelRule(msgs), "main")
	} else if prev, dup := names[c.Name]; dup {
		v.add(flag("--container-name"), field+".name", c.Name, "is also the name of "+prev+"; container names must be unique", "worker")
	} else {
		names[c.Name] = field
	}
	if strings.TrimSpace(c.Image) == "" {
		v.add(flag("--image"), field+".image", c.Image, "a container needs an image", "perl:5.28.0")
	} else if strings.IndexFunc(c.Image, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		v.add(flag("--image"), field+".image", c.Image, "must not contain spaces or control characters", "perl:5.28.0")
	}
	switch c.ImagePullPolicy {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		v.add(flag("--image-pull-policy"), field+".imagePullPolicy", string(c.ImagePullPolicy), "must be Always, IfNotPresent or Never", "IfNotPresent")
	}
	ports := map[string]bool{}
	portNames := map[string]bool{}
	for i, p := range c.Ports {
		pf := fmt.Sprintf("%s.ports[%d]", field, i)
		if msgs := validation.IsValidPortNum(int(p.ContainerPort)); len(msgs) > 0 {
			v.add(flag("--port"), pf+".containerPort", FormatPort(p), "port must be from 1 to 65535", "8080")
		}
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		key := strconv.Itoa(int(p.ContainerPort)) + "/" + string(proto)
		if ports[key] {
			v.add(flag("--port"), pf, FormatPort(p), "is given twice; each port and protocol once", "8080")
		}
		ports[key] = true
		if p.Name != "" {
			if msgs := validation.IsValidPortName(p.Name); len(msgs) > 0 {
				v.add(flag("--port"), pf+".name", p.Name, "port name "+apiMsg(msgs), "http:8080")
			} else if portNames[p.Name] {
				v.add(flag("--port"), pf+".name", p.Name, "port names must be unique", "metrics:9090")
			}
			portNames[p.Name] = true
		}
	}
	for i, e := range c.Env {
		ef := fmt.Sprintf("%s.env[%d]", field, i)
		envFlag := "--env"
		if e.ValueFrom != nil {
			envFlag = "--env-value-from"
		}
		if msgs := validation.IsRelaxedEnvVarName(e.Name); len(msgs) > 0 {
			v.add(flag(envFlag), ef+".name", e.Name, "environment variable names "+apiMsg(msgs), "LOG_LEVEL=debug")
		}
		if vf := e.ValueFrom; vf != nil {
			v.keyRef(flag(envFlag), ef, vf)
		}
	}
	for i, e := range c.EnvFrom {
		ef := fmt.Sprintf("%s.envFrom[%d]", field, i)
		var name string
		switch {
		case e.ConfigMapRef != nil:
			name = e.ConfigMapRef.Name
		case e.SecretRef != nil:
			name = e.SecretRef.Name
		}
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			v.add(flag("--env-from"), ef, name, "must name a ConfigMap or Secret: "+apiMsg(msgs), "configmap:app-config")
		}
		if e.Prefix != "" {
			if msgs := validation.IsRelaxedEnvVarName(e.Prefix); len(msgs) > 0 {
				v.add(flag("--env-from"), ef+".prefix", e.Prefix, "the prefix must start a valid variable name: "+apiMsg(msgs), "configmap:app-config:APP_")
			}
		}
	}
	v.resources(flag, field+".resources", c.Resources)
	v.containerSecurity(flag, field, c)
	paths := map[string]bool{}
	for i, m := range c.VolumeMounts {
		mf := fmt.Sprintf("%s.volumeMounts[%d]", field, i)
		text, _ := FormatMount(m)
		if !volumes[m.Name] {
			v.add(flag("--mount"), mf+".name", text, fmt.Sprintf("volume %s is not declared: add --volume %s=...", QuoteValue(m.Name), m.Name), "/data=data")
		}
		mounted[m.Name] = true
		if !isAbsPath(m.MountPath) {
			v.add(flag("--mount"), mf+".mountPath", text, "the mount path must be absolute", "/data=data")
		} else if paths[path.Clean(m.MountPath)] {
			v.add(flag("--mount"), mf+".mountPath", text, "two mounts share this path; each mount path once", "/data=data")
		}
		paths[path.Clean(m.MountPath)] = true
		if m.SubPath != "" && (path.IsAbs(m.SubPath) || hasDotDot(m.SubPath)) {
			v.add(flag("--mount"), mf+".subPath", m.SubPath, "the subpath must be relative and must not contain '..'", "/etc/app=config:subpath=app")
		}
	}
}

func (v *validator) keyRef(flag, field string, vf *corev1.EnvVarSource) {
	check := func(kind, name, key string) {
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			v.add(flag, field+".valueFrom", name, kind+" name "+apiMsg(msgs), "DB_PASSWORD=secret:db:password")
		}
		if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
			v.add(flag, field+".valueFrom", key, "key "+apiMsg(msgs), "DB_PASSWORD=secret:db:password")
		}
	}
	switch {
	case vf.ConfigMapKeyRef != nil:
		check("ConfigMap", vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key)
	case vf.SecretKeyRef != nil:
		check("Secret", vf.SecretKeyRef.Name, vf.SecretKeyRef.Key)
	case vf.ResourceFieldRef != nil:
		switch vf.ResourceFieldRef.Resource {
		case "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage":
		default:
			if !strings.HasPrefix(vf.ResourceFieldRef.Resource, "requests.hugepages-") && !strings.HasPrefix(vf.ResourceFieldRef.Resource, "limits.hugepages-") {
				v.add(flag, field+".valueFrom.resourceFieldRef", vf.ResourceFieldRef.Resource, "must be limits.cpu, limits.memory, limits.ephemeral-storage or the requests. forms", "CPU=resource:limits.cpu")
			}
		}
	}
}

// resources holds a container's requests and limits to the API server's
// rules (validateResourceRequirements with ValidateContainerResourceName
// in k8s.io/kubernetes pkg/apis/core/validation), so what it would refuse
// is refused here, naming the flag: a name must be a standard container
// resource (cpu, memory, ephemeral-storage, hugepages-SIZE) or qualified
// (nvidia.com/gpu); hugepages need cpu or memory beside them and whole
// pages; an extended resource is a whole number, and its request needs a
// limit equal to it.
func (v *validator) resources(flag func(string) string, field string, r corev1.ResourceRequirements) {
	cpuOrMemory, hugepages := false, ""
	for _, list := range []struct {
		flag, field, example string
		l                    corev1.ResourceList
	}{{"--limit", field + ".limits", "cpu=1,memory=1Gi", r.Limits}, {"--request", field + ".requests", "cpu=100m,memory=128Mi", r.Requests}} {
		for _, name := range sortedResourceNames(list.l) {
			q := list.l[name]
			path := list.field + "[" + string(name) + "]"
			value := string(name) + "=" + q.String()
			if rule := containerResourceNameRule(name); rule != "" {
				v.add(flag(list.flag), path, string(name), rule, list.example)
				continue
			}
			if q.Sign() < 0 {
				v.add(flag(list.flag), path, value, "must not be negative", list.example)
			}
			if isExtendedResource(name) && q.MilliValue()%1000 != 0 {
				v.add(flag(list.flag), path, value, "an extended resource must be a whole number", string(name)+"=1")
			}
			if isHugePages(name) {
				hugepages = value
				if !hugePagesDivisible(name, q) {
					v.add(flag(list.flag), path, value, fmt.Sprintf("must be a positive whole number of %s pages", strings.TrimPrefix(string(name), corev1.ResourceHugePagesPrefix)), "hugepages-2Mi=64Mi,memory=128Mi")
				}
			}
			if name == corev1.ResourceCPU || name == corev1.ResourceMemory {
				cpuOrMemory = true
			}
		}
	}
	for _, name := range sortedResourceNames(r.Requests) {
		req := r.Requests[name]
		if containerResourceNameRule(name) != "" {
			continue
		}
		lim, ok := r.Limits[name]
		path := field + ".requests[" + string(name) + "]"
		switch {
		case ok && req.Cmp(lim) != 0 && !overcommitAllowed(name):
			v.add(flag("--request"), path, string(name)+"="+req.String(),
				fmt.Sprintf("must equal the limit %s=%s: %s cannot be overcommitted", name, lim.String(), name), string(name)+"="+lim.String())
		case ok && req.Cmp(lim) > 0:
			v.add(flag("--request"), path, string(name)+"="+req.String(),
				fmt.Sprintf("the request is above the limit %s=%s; a request must not exceed its limit", name, lim.String()), string(name)+"="+lim.String())
		case !ok && !overcommitAllowed(name):
			v.add(flag("--request"), path, string(name)+"="+req.String(),
				fmt.Sprintf("%s cannot be overcommitted: give --limit %s=%s too", name, name, req.String()), "--limit "+string(name)+"="+req.String())
		}
	}
	if hugepages != "" && !cpuOrMemory {
		flagName := "--request"
		if len(r.Requests) == 0 {
			flagName = "--limit"
		}
		v.add(flag(flagName), field, hugepages, "hugepages need a cpu or memory request or limit beside them", "hugepages-2Mi=64Mi,memory=128Mi")
	}
}

// containerResourceNameRule is why the API server refuses name as a
// container's resource, or "" when it takes it.
func containerResourceNameRule(name corev1.ResourceName) string {
	n := string(name)
	if msgs := validation.IsQualifiedName(n); len(msgs) > 0 {
		return "resource name " + apiMsg(msgs)
	}
	if !strings.Contains(n, "/") {
		switch {
		case name == corev1.ResourceCPU || name == corev1.ResourceMemory || name == corev1.ResourceEphemeralStorage || isHugePages(name):
			return ""
		}
		return "must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-SIZE) or qualified by a domain, such as nvidia.com/gpu"
	}
	if isNativeResource(name) {
		return ""
	}
	if strings.HasPrefix(n, "requests.") || len(validation.IsQualifiedName("requests."+n)) > 0 {
		return "does not follow the extended resource name standard (DOMAIN/NAME, as nvidia.com/gpu, whose requests.DOMAIN/NAME quota name must also be qualified)"
	}
	return ""
}

// isNativeResource is the API's IsNativeResource: unqualified, or in the
// kubernetes.io domain.
func isNativeResource(name corev1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), corev1.ResourceDefaultNamespacePrefix)
}

func isExtendedResource(name corev1.ResourceName) bool {
	return !isNativeResource(name) && !strings.HasPrefix(string(name), "requests.") &&
		len(validation.IsQualifiedName("requests."+string(name))) == 0
}

func isHugePages(name corev1.ResourceName) bool {
	return strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

func overcommitAllowed(name corev1.ResourceName) bool {
	return isNativeResource(name) && !isHugePages(name)
}

// hugePagesDivisible is the API's IsHugePageResourceValueDivisible: the
// size after hugepages- parses as a whole positive quantity and the value
// is a whole number of such pages.
func hugePagesDivisible(name corev1.ResourceName, q resource.Quantity) bool {
	size, err := resource.ParseQuantity(strings.TrimPrefix(string(name), corev1.ResourceHugePagesPrefix))
	if err != nil || size.Sign() <= 0 || size.MilliValue()%1000 != 0 {
		return false
	}
	return q.Value()%size.Value() == 0
}

func sortedResourceNames(l corev1.ResourceList) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

func (v *validator) volume(field string, vol corev1.Volume, seen map[string]bool) {
	text, _ := FormatVolume(vol)
	if text == "" {
		text = vol.Name
	}
	if msgs := validation.IsDNS1123Label(vol.Name); len(msgs) > 0 {
		v.add("--volume", field+".name", vol.Name, "volume name "+dnsLabelRule(msgs), "data=pvc:my-claim")
	} else if seen[vol.Name] {
		v.add("--volume", field+".name", vol.Name, "two volumes share this name; each volume name once", "data=pvc:my-claim")
	}
	seen[vol.Name] = true
	subdomain := func(kind, name string) {
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			v.add("--volume", field, text, kind+" name "+apiMsg(msgs), "data=pvc:my-claim")
		}
	}
	items := func(its []corev1.KeyToPath) {
		for _, it := range its {
			if msgs := validation.IsConfigMapKey(it.Key); len(msgs) > 0 {
				v.add("--volume", field+".items", it.Key, "key "+apiMsg(msgs), "config=configmap:app:app.yaml=app.yaml")
			}
			if it.Path == "" || path.IsAbs(it.Path) || hasDotDot(it.Path) {
				v.add("--volume", field+".items", it.Path, "an item path must be relative and must not contain '..'", "config=configmap:app:app.yaml=conf/app.yaml")
			}
		}
	}
	mode := func(m *int32) {
		if m != nil && (*m < 0 || *m > 0o777) {
			v.add("--volume", field+".defaultMode", strconv.Itoa(int(*m)), "mode must be octal from 0000 to 0777", "scripts=configmap:scripts:mode=0755")
		}
	}
	switch vs := vol.VolumeSource; {
	case vs.PersistentVolumeClaim != nil:
		subdomain("claim", vs.PersistentVolumeClaim.ClaimName)
	case vs.ConfigMap != nil:
		subdomain("ConfigMap", vs.ConfigMap.Name)
		items(vs.ConfigMap.Items)
		mode(vs.ConfigMap.DefaultMode)
	case vs.Secret != nil:
		subdomain("Secret", vs.Secret.SecretName)
		items(vs.Secret.Items)
		mode(vs.Secret.DefaultMode)
	case vs.HostPath != nil:
		if !path.IsAbs(vs.HostPath.Path) {
			v.add("--volume", field+".hostPath.path", vs.HostPath.Path, "a host path must be absolute", "logs=hostpath:/var/log")
		}
	case vs.EmptyDir != nil:
		if m := vs.EmptyDir.Medium; m != "" && m != corev1.StorageMediumMemory && m != corev1.StorageMediumHugePages && !strings.HasPrefix(string(m), "HugePages-") {
			v.add("--volume", field+".emptyDir.medium", string(m), "medium must be Memory or empty", "scratch=emptydir:medium=Memory")
		}
		if q := vs.EmptyDir.SizeLimit; q != nil && q.Sign() <= 0 {
			v.add("--volume", field+".emptyDir.sizeLimit", q.String(), "size must be positive", "scratch=emptydir:size=1Gi")
		}
	}
}

func (v *validator) labels(flag, field string, labels map[string]string) {
	for _, k := range sortedKeys(labels) {
		val := labels[k]
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			v.add(flag, field, k+"="+val, "key "+apiMsg(msgs), "app=report")
		}
		if msgs := validation.IsValidLabelValue(val); len(msgs) > 0 {
			v.add(flag, field+"["+k+"]", val, "value "+apiMsg(msgs), "app=report")
		}
	}
}

// maxAnnotationsBytes is the API's limit on all annotations of an object.
const maxAnnotationsBytes = 256 * 1024

func (v *validator) annotationMap(flag, field string, a map[string]string) {
	total := 0
	for _, k := range sortedKeys(a) {
		total += len(k) + len(a[k])
		if k == AliasAnnotation || k == DescriptionAnnotation {
			continue
		}
		if msgs := validation.IsQualifiedName(strings.ToLower(k)); len(msgs) > 0 {
			v.add(flag, field, k, "key "+apiMsg(msgs), "team=data")
		}
	}
	if total > maxAnnotationsBytes {
		v.add(flag, field, "", fmt.Sprintf("annotations take %d bytes; the API allows %d in all", total, maxAnnotationsBytes), "team=data")
	}
}

func (v *validator) toleration(field string, t corev1.Toleration) {
	text, _ := FormatToleration(t)
	if t.Key != "" {
		if msgs := validation.IsQualifiedName(t.Key); len(msgs) > 0 {
			v.add("--toleration", field+".key", t.Key, "key "+apiMsg(msgs), "dedicated=batch:NoSchedule")
		}
	}
	switch t.Operator {
	case corev1.TolerationOpExists:
		if t.Value != "" {
			v.add("--toleration", field+".value", text, "an Exists toleration has no value", "dedicated:NoSchedule")
		}
	case corev1.TolerationOpEqual, "":
		if t.Key == "" {
			v.add("--toleration", field+".key", text, "a toleration with a value needs a key", "dedicated=batch:NoSchedule")
		}
		if msgs := validation.IsValidLabelValue(t.Value); len(msgs) > 0 {
			v.add("--toleration", field+".value", t.Value, "value "+apiMsg(msgs), "dedicated=batch:NoSchedule")
		}
	default:
		v.add("--toleration", field+".operator", string(t.Operator), "must be Equal or Exists", "dedicated=batch:NoSchedule")
	}
	if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
		v.add("--toleration", field+".tolerationSeconds", text, "SECONDS only apply to the NoExecute effect", "node.kubernetes.io/unreachable:NoExecute:5m")
	}
	switch t.Effect {
	case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		v.add("--toleration", field+".effect", string(t.Effect), "must be NoSchedule, PreferNoSchedule or NoExecute", "dedicated=batch:NoSchedule")
	}
}

func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}
