package jobspec

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The API server's rules for the fields of docs/CLI.md "Security and the
// rest of the pod", each naming its flag.

func (v *validator) podSettings(tpl *corev1.PodTemplateSpec) {
	const f = "spec.template.spec"
	pod := &tpl.Spec
	v.annotationMap("--pod-annotation", "spec.template.metadata.annotations", tpl.Annotations)
	subdomain := func(flag, field, val, example string) {
		if val == "" {
			return
		}
		if msgs := validation.IsDNS1123Subdomain(val); len(msgs) > 0 {
			v.add(flag, field, val, "must be a DNS-1123 subdomain: "+apiMsg(msgs), example)
		}
	}
	label := func(flag, field, val, example string) {
		if val == "" {
			return
		}
		if msgs := validation.IsDNS1123Label(val); len(msgs) > 0 {
			v.add(flag, field, val, dnsLabelRule(msgs), example)
		}
	}
	subdomain("--priority-class", f+".priorityClassName", pod.PriorityClassName, "high-priority")
	if pod.RuntimeClassName != nil {
		if msgs := validation.IsDNS1123Subdomain(*pod.RuntimeClassName); len(msgs) > 0 {
			v.add("--runtime-class", f+".runtimeClassName", *pod.RuntimeClassName, "must be a DNS-1123 subdomain: "+apiMsg(msgs), "gvisor")
		}
	}
	subdomain("--scheduler-name", f+".schedulerName", pod.SchedulerName, "default-scheduler")
	subdomain("--node-name", f+".nodeName", pod.NodeName, "worker-1")
	label("--hostname", f+".hostname", pod.Hostname, "worker-0")
	label("--subdomain", f+".subdomain", pod.Subdomain, "workers")
	if p := pod.TerminationGracePeriodSeconds; p != nil && *p < 0 {
		v.add("--termination-grace-period", f+".terminationGracePeriodSeconds", strconv.FormatInt(*p, 10), "must not be negative", "30s")
	}
	switch pod.DNSPolicy {
	case "", corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault:
	case corev1.DNSNone:
		if pod.DNSConfig == nil || len(pod.DNSConfig.Nameservers) == 0 {
			v.add("--dns-policy", f+".dnsPolicy", string(pod.DNSPolicy), "None needs dnsConfig with at least one nameserver; give it with --overrides", "ClusterFirst")
		}
	default:
		v.add("--dns-policy", f+".dnsPolicy", string(pod.DNSPolicy), "must be ClusterFirst, ClusterFirstWithHostNet, Default or None", "ClusterFirst")
	}
	if pod.OS != nil && pod.OS.Name != corev1.Linux && pod.OS.Name != corev1.Windows {
		v.add("--os", f+".os.name", string(pod.OS.Name), "must be linux or windows", "linux")
	}
	gates := map[string]bool{}
	for i, g := range pod.SchedulingGates {
		field := fmt.Sprintf("%s.schedulingGates[%d].name", f, i)
		if msgs := validation.IsQualifiedName(g.Name); len(msgs) > 0 {
			v.add("--scheduling-gate", field, g.Name, "must be a qualified name: "+apiMsg(msgs), "example.com/quota-check")
		} else if gates[g.Name] {
			v.add("--scheduling-gate", field, g.Name, "is given twice; each gate once", "example.com/quota-check")
		}
		gates[g.Name] = true
	}
	for i, h := range pod.HostAliases {
		field := fmt.Sprintf("%s.hostAliases[%d]", f, i)
		text, _ := FormatHostAlias(h)
		if _, err := netip.ParseAddr(h.IP); err != nil {
			v.add("--host-alias", field+".ip", h.IP, "must be an IP address", "10.0.0.5=db.internal")
		}
		for _, n := range h.Hostnames {
			if msgs := validation.IsDNS1123Subdomain(n); len(msgs) > 0 {
				v.add("--host-alias", field+".hostnames", text, fmt.Sprintf("host name %s: must be a DNS-1123 subdomain: %s", QuoteValue(n), apiMsg(msgs)), "10.0.0.5=db.internal")
			}
		}
	}
	if sc := pod.SecurityContext; sc != nil {
		id := func(flag, field string, p *int64) {
			if p != nil && (*p < 0 || *p > 2147483647) {
				v.add(flag, f+".securityContext."+field, strconv.FormatInt(*p, 10), "must be a numeric id from 0 to 2147483647", "1000")
			}
		}
		id("--run-as-user", "runAsUser", sc.RunAsUser)
		id("--run-as-group", "runAsGroup", sc.RunAsGroup)
		id("--fs-group", "fsGroup", sc.FSGroup)
		v.seccomp("--seccomp-profile", f+".securityContext.seccompProfile", sc.SeccompProfile)
	}
	if a := pod.Affinity; a != nil && a.NodeAffinity != nil {
		na := a.NodeAffinity
		if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
			if len(r.NodeSelectorTerms) == 0 {
				v.add("--node-affinity", f+".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "", "needs at least one term", `"disktype in (ssd)"`)
			}
			for i, t := range r.NodeSelectorTerms {
				for j, req := range t.MatchExpressions {
					v.nodeRequirement("--node-affinity", fmt.Sprintf("%s.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[%d].matchExpressions[%d]", f, i, j), req)
				}
			}
		}
		for i, p := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			field := fmt.Sprintf("%s.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[%d]", f, i)
			if p.Weight < 1 || p.Weight > 100 {
				v.add("--node-affinity-preferred", field+".weight", strconv.Itoa(int(p.Weight)), "weight must be from 1 to 100", `"50:disktype in (ssd)"`)
			}
			for j, req := range p.Preference.MatchExpressions {
				v.nodeRequirement("--node-affinity-preferred", fmt.Sprintf("%s.preference.matchExpressions[%d]", field, j), req)
			}
		}
	}
}

func (v *validator) seccomp(flag, field string, p *corev1.SeccompProfile) {
	if p == nil {
		return
	}
	text, _ := FormatSeccompProfile(p)
	switch p.Type {
	case corev1.SeccompProfileTypeLocalhost:
		if p.LocalhostProfile == nil || *p.LocalhostProfile == "" {
			v.add(flag, field+".localhostProfile", text, "Localhost needs a profile path", "Localhost:profiles/audit.json")
		}
	case corev1.SeccompProfileTypeRuntimeDefault, corev1.SeccompProfileTypeUnconfined:
		if p.LocalhostProfile != nil {
			v.add(flag, field+".localhostProfile", text, "only Localhost takes a profile path", "RuntimeDefault")
		}
	default:
		v.add(flag, field+".type", string(p.Type), "must be RuntimeDefault, Unconfined or Localhost", "RuntimeDefault")
	}
}

func (v *validator) nodeRequirement(flag, field string, r corev1.NodeSelectorRequirement) {
	text, _ := FormatNodeSelectorRequirement(r)
	if text == "" {
		text = r.Key
	}
	example := `"disktype in (ssd,nvme)"`
	if msgs := validation.IsQualifiedName(r.Key); len(msgs) > 0 {
		v.add(flag, field+".key", r.Key, "key "+apiMsg(msgs), example)
	}
	switch r.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(r.Values) == 0 {
			v.add(flag, field+".values", text, "in and notin need at least one value", example)
		}
		for _, val := range r.Values {
			if msgs := validation.IsValidLabelValue(val); len(msgs) > 0 {
				v.add(flag, field+".values", val, "value "+apiMsg(msgs), example)
			}
		}
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		if len(r.Values) > 0 {
			v.add(flag, field+".values", text, "an existence test takes no values", `"gpu"`)
		}
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(r.Values) != 1 {
			v.add(flag, field+".values", text, "> and < take one whole number", `"cores>4"`)
		} else if _, err := strconv.ParseInt(r.Values[0], 10, 64); err != nil {
			v.add(flag, field+".values", text, "> and < take one whole number", `"cores>4"`)
		}
	default:
		v.add(flag, field+".operator", string(r.Operator), "must be In, NotIn, Exists, DoesNotExist, Gt or Lt", example)
	}
}

// containerSecurity checks a container's security context; flag names the
// main container's flags and is empty for the others.
func (v *validator) containerSecurity(flag func(string) string, field string, c *corev1.Container) {
	switch c.TerminationMessagePolicy {
	case "", corev1.TerminationMessageReadFile, corev1.TerminationMessageFallbackToLogsOnError:
	default:
		v.add(flag("--termination-message-policy"), field+".terminationMessagePolicy", string(c.TerminationMessagePolicy), "must be File or FallbackToLogsOnError", "FallbackToLogsOnError")
	}
	sc := c.SecurityContext
	if sc == nil {
		return
	}
	field += ".securityContext"
	if sc.Privileged != nil && *sc.Privileged && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		v.add(flag("--allow-privilege-escalation"), field+".allowPrivilegeEscalation", "false", "a privileged container always may escalate: drop --privileged or --allow-privilege-escalation=false", "true")
	}
	if sc.Capabilities != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && slices.Contains(sc.Capabilities.Add, "SYS_ADMIN") {
		v.add(flag("--allow-privilege-escalation"), field+".allowPrivilegeEscalation", "false", "a container with CAP_SYS_ADMIN always may escalate: drop --cap-add SYS_ADMIN or --allow-privilege-escalation=false", "true")
	}
	v.seccomp(flag("--seccomp-profile"), field+".seccompProfile", sc.SeccompProfile)
	for _, id := range []struct {
		flag, name string
		p          *int64
	}{{"--run-as-user", "runAsUser", sc.RunAsUser}, {"--run-as-group", "runAsGroup", sc.RunAsGroup}} {
		if id.p != nil && (*id.p < 0 || *id.p > 2147483647) {
			v.add("", field+"."+id.name, strconv.FormatInt(*id.p, 10), "must be a numeric id from 0 to 2147483647", "1000")
		}
	}
}
