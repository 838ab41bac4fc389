package jobspec

import (
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// The appliers of docs/CLI.md "Security and the rest of the pod": one per
// flag, each laying one value of its flag over a Spec (or the main
// container) and returning the path of the field it set. The flags and the
// wizard both go through them.

const podField = "spec.template.spec"

// boolApplier is the applier of a true/false flag of the pod.
func boolApplier(flag, field string, set func(*Spec, bool)) func(*Spec, string) (string, error) {
	return func(s *Spec, v string) (string, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return field, flagErr(flag, v, "must be true or false", flag+"=true")
		}
		set(s, b)
		return field, nil
	}
}

// boolContainerApplier is boolApplier for a field of the main container.
func boolContainerApplier(flag, field string, set func(*corev1.SecurityContext, bool)) func(*corev1.Container, string) (string, error) {
	return func(c *corev1.Container, v string) (string, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return field, flagErr(flag, v, "must be true or false", flag+"=true")
		}
		set(mainSecurity(c), b)
		return field, nil
	}
}

// idApplier is the applier of a numeric id of the pod's securityContext.
func idApplier(flag, field string, dst func(*corev1.PodSecurityContext) **int64) func(*Spec, string) (string, error) {
	return func(s *Spec, v string) (string, error) {
		n, err := ParseID(flag, v)
		if err == nil {
			*dst(s.podSecurity()) = &n
		}
		return podField + ".securityContext." + field, err
	}
}

// nameApplier is the applier of a flag that names an object or a host;
// Validate holds it to the API's name rules.
func nameApplier(flag, field, example string, set func(*Spec, string)) func(*Spec, string) (string, error) {
	return func(s *Spec, v string) (string, error) {
		if v == "" {
			return field, flagErr(flag, v, "must not be empty", example)
		}
		set(s, v)
		return field, nil
	}
}

// The appliers of the pod's securityContext and the security profile.
var (
	ApplyRunAsUser    = idApplier("--run-as-user", "runAsUser", func(p *corev1.PodSecurityContext) **int64 { return &p.RunAsUser })
	ApplyRunAsGroup   = idApplier("--run-as-group", "runAsGroup", func(p *corev1.PodSecurityContext) **int64 { return &p.RunAsGroup })
	ApplyFSGroup      = idApplier("--fs-group", "fsGroup", func(p *corev1.PodSecurityContext) **int64 { return &p.FSGroup })
	ApplyRunAsNonRoot = boolApplier("--run-as-non-root", podField+".securityContext.runAsNonRoot",
		func(s *Spec, b bool) { s.podSecurity().RunAsNonRoot = &b })
)

// ApplySecurityProfile applies --security-profile.
func ApplySecurityProfileFlag(s *Spec, v string) (string, error) {
	p, err := ParseSecurityProfile(v)
	if err == nil {
		s.SecurityProfile = p
	}
	return podField + ".securityContext", err
}

// ApplySeccompProfile applies --seccomp-profile (the pod's).
func ApplySeccompProfile(s *Spec, v string) (string, error) {
	p, err := ParseSeccompProfile(v)
	if err == nil {
		s.podSecurity().SeccompProfile = p
	}
	return podField + ".securityContext.seccompProfile", err
}

// The appliers of the main container's securityContext.
var (
	ApplyReadOnlyRootFilesystem = boolContainerApplier("--read-only-root-filesystem", "securityContext.readOnlyRootFilesystem",
		func(sc *corev1.SecurityContext, b bool) { sc.ReadOnlyRootFilesystem = &b })
	ApplyAllowPrivilegeEscalation = boolContainerApplier("--allow-privilege-escalation", "securityContext.allowPrivilegeEscalation",
		func(sc *corev1.SecurityContext, b bool) { sc.AllowPrivilegeEscalation = &b })
	ApplyPrivileged = boolContainerApplier("--privileged", "securityContext.privileged",
		func(sc *corev1.SecurityContext, b bool) { sc.Privileged = &b })
)

// capApplier is the applier of --cap-add or --cap-drop: each capability
// is added to the list once.
func capApplier(flag string, list func(*corev1.Capabilities) *[]corev1.Capability) func(*corev1.Container, string) (string, error) {
	return func(c *corev1.Container, v string) (string, error) {
		caps, err := ParseCapabilities(flag, v)
		if err != nil {
			return "securityContext.capabilities", err
		}
		sc := mainSecurity(c)
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		l := list(sc.Capabilities)
		for _, cp := range caps {
			if !slices.Contains(*l, cp) {
				*l = append(*l, cp)
			}
		}
		return "securityContext.capabilities", nil
	}
}

// The capability flags.
var (
	ApplyCapAdd  = capApplier("--cap-add", func(c *corev1.Capabilities) *[]corev1.Capability { return &c.Add })
	ApplyCapDrop = capApplier("--cap-drop", func(c *corev1.Capabilities) *[]corev1.Capability { return &c.Drop })
)

// ApplyWorkingDir applies --working-dir.
func ApplyWorkingDir(c *corev1.Container, v string) (string, error) {
	if v == "" {
		return "workingDir", flagErr("--working-dir", v, "must be a path", "/work")
	}
	c.WorkingDir = v
	return "workingDir", nil
}

// ApplyTerminationMessagePolicy applies --termination-message-policy.
func ApplyTerminationMessagePolicy(c *corev1.Container, v string) (string, error) {
	p, err := ParseTerminationMessagePolicy(v)
	if err == nil {
		c.TerminationMessagePolicy = p
	}
	return "terminationMessagePolicy", err
}

// ApplyPodAnnotation applies one --pod-annotation KEY=VALUE.
func ApplyPodAnnotation(s *Spec, v string) (string, error) {
	k, val, err := ParseKeyValue("--pod-annotation", v, "sidecar.istio.io/inject=false")
	if err == nil {
		s.PodAnnotations = setKey(s.PodAnnotations, k, val)
	}
	return "spec.template.metadata.annotations", err
}

// The appliers of names and hosts.
var (
	ApplyPriorityClass = nameApplier("--priority-class", podField+".priorityClassName", "high-priority",
		func(s *Spec, v string) { s.PriorityClassName = v })
	ApplyRuntimeClass = nameApplier("--runtime-class", podField+".runtimeClassName", "gvisor",
		func(s *Spec, v string) { s.RuntimeClassName = &v })
	ApplySchedulerName = nameApplier("--scheduler-name", podField+".schedulerName", "default-scheduler",
		func(s *Spec, v string) { s.SchedulerName = v })
	ApplyHostname = nameApplier("--hostname", podField+".hostname", "worker-0",
		func(s *Spec, v string) { s.Hostname = v })
	ApplySubdomain = nameApplier("--subdomain", podField+".subdomain", "workers",
		func(s *Spec, v string) { s.Subdomain = v })
	ApplyNodeName = nameApplier("--node-name", podField+".nodeName", "worker-1",
		func(s *Spec, v string) { s.NodeName = v })
)

// The true/false flags of the pod.
var (
	ApplyAutomountServiceAccountToken = boolApplier("--automount-service-account-token", podField+".automountServiceAccountToken",
		func(s *Spec, b bool) { s.AutomountServiceAccountToken = &b })
	ApplyHostNetwork           = boolApplier("--host-network", podField+".hostNetwork", func(s *Spec, b bool) { s.HostNetwork = b })
	ApplyHostPID               = boolApplier("--host-pid", podField+".hostPID", func(s *Spec, b bool) { s.HostPID = b })
	ApplyHostIPC               = boolApplier("--host-ipc", podField+".hostIPC", func(s *Spec, b bool) { s.HostIPC = b })
	ApplyShareProcessNamespace = boolApplier("--share-process-namespace", podField+".shareProcessNamespace",
		func(s *Spec, b bool) { s.ShareProcessNamespace = &b })
	ApplyEnableServiceLinks = boolApplier("--enable-service-links", podField+".enableServiceLinks",
		func(s *Spec, b bool) { s.EnableServiceLinks = &b })
	ApplyHostUsers = boolApplier("--host-users", podField+".hostUsers", func(s *Spec, b bool) { s.HostUsers = &b })
)

// ApplyTerminationGracePeriod applies --termination-grace-period.
func ApplyTerminationGracePeriod(s *Spec, v string) (string, error) {
	const field = podField + ".terminationGracePeriodSeconds"
	n, err := ParseSeconds("--termination-grace-period", v)
	if err == nil {
		s.TerminationGracePeriodSeconds = &n
	}
	return field, err
}

// ApplyDNSPolicy applies --dns-policy.
func ApplyDNSPolicy(s *Spec, v string) (string, error) {
	p, err := ParseDNSPolicy(v)
	if err == nil {
		s.DNSPolicy = p
	}
	return podField + ".dnsPolicy", err
}

// ApplyOS applies --os.
func ApplyOS(s *Spec, v string) (string, error) {
	o, err := ParseOS(v)
	if err == nil {
		s.OS = o
	}
	return podField + ".os", err
}

// ApplySchedulingGate applies one --scheduling-gate NAME; a gate is named once.
func ApplySchedulingGate(s *Spec, v string) (string, error) {
	const field = podField + ".schedulingGates"
	if v == "" {
		return field, flagErr("--scheduling-gate", v, "must name a gate", "example.com/quota-check")
	}
	if !slices.ContainsFunc(s.SchedulingGates, func(g corev1.PodSchedulingGate) bool { return g.Name == v }) {
		s.SchedulingGates = append(s.SchedulingGates, corev1.PodSchedulingGate{Name: v})
	}
	return field, nil
}

// ApplyHostAlias applies one --host-alias IP=HOST[,HOST...].
func ApplyHostAlias(s *Spec, v string) (string, error) {
	h, err := ParseHostAlias(v)
	if err != nil {
		return podField + ".hostAliases", err
	}
	s.HostAliases = append(s.HostAliases, h)
	return fmt.Sprintf("%s.hostAliases[%d]", podField, len(s.HostAliases)-1), nil
}

// nodeAffinity returns the Spec's node affinity, adding an empty one.
func (s *Spec) nodeAffinity() *corev1.NodeAffinity {
	if s.Affinity == nil {
		s.Affinity = &corev1.Affinity{}
	}
	if s.Affinity.NodeAffinity == nil {
		s.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	return s.Affinity.NodeAffinity
}

// ApplyNodeAffinity applies one --node-affinity EXPR: its requirements
// join those of the one required term, so every one must hold. (Terms are
// alternatives; a Job with several came from -f and keeps them.)
func ApplyNodeAffinity(s *Spec, v string) (string, error) {
	const field = podField + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
	reqs, err := ParseNodeAffinityExpr("--node-affinity", v)
	if err != nil {
		return field, err
	}
	na := s.nodeAffinity()
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	ns := na.RequiredDuringSchedulingIgnoredDuringExecution
	if len(ns.NodeSelectorTerms) == 0 {
		ns.NodeSelectorTerms = []corev1.NodeSelectorTerm{{}}
	}
	for i := range ns.NodeSelectorTerms {
		ns.NodeSelectorTerms[i].MatchExpressions = append(ns.NodeSelectorTerms[i].MatchExpressions, reqs...)
	}
	return field, nil
}

// ApplyNodeAffinityPreferred applies one --node-affinity-preferred WEIGHT:EXPR.
func ApplyNodeAffinityPreferred(s *Spec, v string) (string, error) {
	const field = podField + ".affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
	t, err := ParsePreferredAffinity(v)
	if err != nil {
		return field, err
	}
	na := s.nodeAffinity()
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution, t)
	return fmt.Sprintf("%s[%d]", field, len(na.PreferredDuringSchedulingIgnoredDuringExecution)-1), nil
}

// ApplySidecar applies one --sidecar NAME=IMAGE; a sidecar of the same
// name is replaced.
func ApplySidecar(s *Spec, v string) (string, error) {
	c, err := ParseSidecar(v)
	if err != nil {
		return podField + ".initContainers", err
	}
	for i := range s.InitContainers {
		if s.InitContainers[i].Name == c.Name {
			s.InitContainers[i].Image = c.Image
			s.InitContainers[i].RestartPolicy = c.RestartPolicy
			return fmt.Sprintf("%s.initContainers[%d]", podField, i), nil
		}
	}
	s.InitContainers = append(s.InitContainers, c)
	return fmt.Sprintf("%s.initContainers[%d]", podField, len(s.InitContainers)-1), nil
}

// ApplyOverrides applies --overrides; its type is --override-type's, so
// ApplyOverrideType comes first.
func ApplyOverrides(s *Spec, v string) (string, error) {
	typ := s.OverrideType
	if typ == "" {
		typ = OverrideMerge
	}
	if _, err := ParseOverrides(v, typ); err != nil {
		return "", err
	}
	s.Overrides = v
	return "", nil
}

// ApplyOverrideType applies --override-type.
func ApplyOverrideType(s *Spec, v string) (string, error) {
	t, err := ParseOverrideType(v)
	if err == nil {
		s.OverrideType = t
	}
	return "", err
}
