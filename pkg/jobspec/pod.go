package jobspec

import (
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The PodSpec fields of docs/CLI.md "Security and the rest of the pod":
// how a Spec copies them, lays them on a pod and reads them back from one.
// The three stay side by side so that a new field is added in one place.

func (s *Spec) copyPodInto(out *Spec) {
	out.PodAnnotations = copyMap(s.PodAnnotations)
	if s.PodSecurity != nil {
		out.PodSecurity = s.PodSecurity.DeepCopy()
	}
	if s.Affinity != nil {
		out.Affinity = s.Affinity.DeepCopy()
	}
	out.RuntimeClassName = copyPtr(s.RuntimeClassName)
	out.TerminationGracePeriodSeconds = copyPtr(s.TerminationGracePeriodSeconds)
	out.AutomountServiceAccountToken = copyPtr(s.AutomountServiceAccountToken)
	out.ShareProcessNamespace = copyPtr(s.ShareProcessNamespace)
	out.EnableServiceLinks = copyPtr(s.EnableServiceLinks)
	out.HostUsers = copyPtr(s.HostUsers)
	out.OS = copyPtr(s.OS)
	out.SchedulingGates = deepCopySlice(s.SchedulingGates)
	out.HostAliases = deepCopySlice(s.HostAliases)
}

// buildPod sets the modeled pod fields on pod, absent or present, as Build
// does for the rest.
func (s *Spec) buildPod(tpl *corev1.PodTemplateSpec) {
	tpl.Annotations = copyMap(s.PodAnnotations)
	pod := &tpl.Spec
	pod.SecurityContext = nil
	if s.PodSecurity != nil {
		pod.SecurityContext = s.PodSecurity.DeepCopy()
	}
	pod.Affinity = nil
	if s.Affinity != nil {
		pod.Affinity = s.Affinity.DeepCopy()
	}
	pod.PriorityClassName = s.PriorityClassName
	pod.RuntimeClassName = copyPtr(s.RuntimeClassName)
	pod.SchedulerName = s.SchedulerName
	pod.TerminationGracePeriodSeconds = copyPtr(s.TerminationGracePeriodSeconds)
	pod.AutomountServiceAccountToken = copyPtr(s.AutomountServiceAccountToken)
	pod.HostNetwork, pod.HostPID, pod.HostIPC = s.HostNetwork, s.HostPID, s.HostIPC
	pod.ShareProcessNamespace = copyPtr(s.ShareProcessNamespace)
	pod.EnableServiceLinks = copyPtr(s.EnableServiceLinks)
	pod.HostUsers = copyPtr(s.HostUsers)
	pod.DNSPolicy = s.DNSPolicy
	pod.Hostname, pod.Subdomain, pod.NodeName = s.Hostname, s.Subdomain, s.NodeName
	pod.OS = copyPtr(s.OS)
	pod.SchedulingGates = deepCopySlice(s.SchedulingGates)
	pod.HostAliases = deepCopySlice(s.HostAliases)
	ApplySecurityProfile(pod, s.SecurityProfile)
}

// podFrom reads the modeled pod fields of an imported Job.
func (s *Spec) podFrom(tpl *corev1.PodTemplateSpec) {
	s.PodAnnotations = copyMap(tpl.Annotations)
	pod := &tpl.Spec
	if pod.SecurityContext != nil {
		s.PodSecurity = pod.SecurityContext.DeepCopy()
	}
	if pod.Affinity != nil {
		s.Affinity = pod.Affinity.DeepCopy()
	}
	s.PriorityClassName = pod.PriorityClassName
	s.RuntimeClassName = copyPtr(pod.RuntimeClassName)
	s.SchedulerName = pod.SchedulerName
	s.TerminationGracePeriodSeconds = copyPtr(pod.TerminationGracePeriodSeconds)
	s.AutomountServiceAccountToken = copyPtr(pod.AutomountServiceAccountToken)
	s.HostNetwork, s.HostPID, s.HostIPC = pod.HostNetwork, pod.HostPID, pod.HostIPC
	s.ShareProcessNamespace = copyPtr(pod.ShareProcessNamespace)
	s.EnableServiceLinks = copyPtr(pod.EnableServiceLinks)
	s.HostUsers = copyPtr(pod.HostUsers)
	s.DNSPolicy = pod.DNSPolicy
	s.Hostname, s.Subdomain, s.NodeName = pod.Hostname, pod.Subdomain, pod.NodeName
	s.OS = copyPtr(pod.OS)
	s.SchedulingGates = deepCopySlice(pod.SchedulingGates)
	s.HostAliases = deepCopySlice(pod.HostAliases)
}

// SecurityProfile is a Pod Security Standards level that --security-profile
// fills in.
type SecurityProfile string

const (
	ProfileRestricted SecurityProfile = "restricted"
	ProfileBaseline   SecurityProfile = "baseline"
)

// ParseSecurityProfile parses --security-profile.
func ParseSecurityProfile(s string) (SecurityProfile, error) {
	switch p := SecurityProfile(s); p {
	case ProfileRestricted, ProfileBaseline:
		return p, nil
	}
	return "", flagErr("--security-profile", s, "must be restricted or baseline (the Pod Security Standards levels; privileged needs no profile)", "restricted")
}

// RestrictedSettings says, for people, what the restricted profile fills in.
var RestrictedSettings = []string{
	"runAsNonRoot: true (pod)",
	"seccompProfile: RuntimeDefault (pod)",
	"allowPrivilegeEscalation: false (every container)",
	"capabilities: drop ALL (every container)",
}

// ApplySecurityProfile fills in on pod what the level requires, on every
// container and init container. It only fills what is unset: a value the
// user gave is never changed, so a value the level forbids stays for
// Validate (or the cluster's Pod Security check) to name. The baseline
// level requires nothing to be set, only forbids, so it fills nothing.
func ApplySecurityProfile(pod *corev1.PodSpec, p SecurityProfile) {
	if p != ProfileRestricted {
		return
	}
	if pod.SecurityContext == nil {
		pod.SecurityContext = &corev1.PodSecurityContext{}
	}
	psc := pod.SecurityContext
	if psc.RunAsNonRoot == nil {
		t := true
		psc.RunAsNonRoot = &t
	}
	if psc.SeccompProfile == nil {
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	for _, list := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for i := range list {
			c := &list[i]
			if c.SecurityContext == nil {
				c.SecurityContext = &corev1.SecurityContext{}
			}
			sc := c.SecurityContext
			// A privileged container (or one with CAP_SYS_ADMIN) always may
			// escalate, and the API server refuses it with false: filling
			// it in would blame a flag the user never gave. The level's
			// own rule (Validate) names the contradiction instead.
			mayEscalate := sc.Privileged != nil && *sc.Privileged ||
				sc.Capabilities != nil && slices.Contains(sc.Capabilities.Add, "SYS_ADMIN")
			if sc.AllowPrivilegeEscalation == nil && !mayEscalate {
				f := false
				sc.AllowPrivilegeEscalation = &f
			}
			if sc.Capabilities == nil {
				sc.Capabilities = &corev1.Capabilities{}
			}
			if !slices.Contains(sc.Capabilities.Drop, "ALL") {
				sc.Capabilities.Drop = append(sc.Capabilities.Drop, "ALL")
			}
		}
	}
}

// mainSecurity returns the main container's security context, adding an
// empty one, for the container security flags to set.
func mainSecurity(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

// podSecurity returns the pod's security context, adding an empty one.
func (s *Spec) podSecurity() *corev1.PodSecurityContext {
	if s.PodSecurity == nil {
		s.PodSecurity = &corev1.PodSecurityContext{}
	}
	return s.PodSecurity
}

// containerArgs renders the main container's flags of the rest of the pod.
func containerArgs(c *corev1.Container) []string {
	var a []string
	if c.WorkingDir != "" {
		a = append(a, "--working-dir", c.WorkingDir)
	}
	if c.TerminationMessagePolicy != "" {
		a = append(a, "--termination-message-policy", string(c.TerminationMessagePolicy))
	}
	sc := c.SecurityContext
	if sc == nil {
		return a
	}
	boolArg := func(flag string, p *bool) {
		if p != nil {
			a = append(a, flag+"="+strconv.FormatBool(*p))
		}
	}
	boolArg("--read-only-root-filesystem", sc.ReadOnlyRootFilesystem)
	boolArg("--allow-privilege-escalation", sc.AllowPrivilegeEscalation)
	boolArg("--privileged", sc.Privileged)
	if caps := sc.Capabilities; caps != nil {
		for _, cp := range caps.Drop {
			a = append(a, "--cap-drop", string(cp))
		}
		for _, cp := range caps.Add {
			a = append(a, "--cap-add", string(cp))
		}
	}
	return a
}

// podArgs renders the flags of the rest of the pod.
func podArgs(s *Spec) []string {
	var a []string
	str := func(flag, v string) {
		if v != "" {
			a = append(a, flag, v)
		}
	}
	boolArg := func(flag string, p *bool) {
		if p != nil {
			a = append(a, flag+"="+strconv.FormatBool(*p))
		}
	}
	id := func(flag string, p *int64) {
		if p != nil {
			a = append(a, flag, strconv.FormatInt(*p, 10))
		}
	}
	for _, c := range s.InitContainers {
		if t, ok := FormatSidecar(c); ok {
			a = append(a, "--sidecar", t)
		}
	}
	for _, k := range sortedKeys(s.PodAnnotations) {
		a = append(a, "--pod-annotation", k+"="+s.PodAnnotations[k])
	}
	str("--security-profile", string(s.SecurityProfile))
	if sc := s.PodSecurity; sc != nil {
		id("--run-as-user", sc.RunAsUser)
		id("--run-as-group", sc.RunAsGroup)
		boolArg("--run-as-non-root", sc.RunAsNonRoot)
		id("--fs-group", sc.FSGroup)
		if t, ok := FormatSeccompProfile(sc.SeccompProfile); ok {
			a = append(a, "--seccomp-profile", t)
		}
	}
	str("--priority-class", s.PriorityClassName)
	if s.RuntimeClassName != nil {
		str("--runtime-class", *s.RuntimeClassName)
	}
	str("--scheduler-name", s.SchedulerName)
	if p := s.TerminationGracePeriodSeconds; p != nil {
		a = append(a, "--termination-grace-period", FormatSeconds(*p))
	}
	boolArg("--automount-service-account-token", s.AutomountServiceAccountToken)
	for _, b := range []struct {
		flag string
		v    bool
	}{{"--host-network", s.HostNetwork}, {"--host-pid", s.HostPID}, {"--host-ipc", s.HostIPC}} {
		if b.v {
			a = append(a, b.flag)
		}
	}
	boolArg("--host-users", s.HostUsers)
	boolArg("--share-process-namespace", s.ShareProcessNamespace)
	boolArg("--enable-service-links", s.EnableServiceLinks)
	str("--dns-policy", string(s.DNSPolicy))
	str("--hostname", s.Hostname)
	str("--subdomain", s.Subdomain)
	for _, h := range s.HostAliases {
		if t, ok := FormatHostAlias(h); ok {
			a = append(a, "--host-alias", t)
		}
	}
	if s.OS != nil {
		str("--os", string(s.OS.Name))
	}
	str("--node-name", s.NodeName)
	if s.Affinity != nil && s.Affinity.NodeAffinity != nil {
		na := s.Affinity.NodeAffinity
		if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil && len(r.NodeSelectorTerms) == 1 {
			for _, req := range r.NodeSelectorTerms[0].MatchExpressions {
				if t, ok := FormatNodeSelectorRequirement(req); ok {
					a = append(a, "--node-affinity", t)
				}
			}
		}
		for _, p := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			var parts []string
			for _, req := range p.Preference.MatchExpressions {
				if t, ok := FormatNodeSelectorRequirement(req); ok {
					parts = append(parts, t)
				}
			}
			if len(parts) > 0 {
				a = append(a, "--node-affinity-preferred", strconv.Itoa(int(p.Weight))+":"+strings.Join(parts, ","))
			}
		}
	}
	for _, g := range s.SchedulingGates {
		a = append(a, "--scheduling-gate", g.Name)
	}
	return a
}
