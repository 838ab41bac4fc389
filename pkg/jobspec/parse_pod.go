package jobspec

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// Parsers for the flags of docs/CLI.md "Security and the rest of the pod",
// each with its Format inverse so Args can render what they parse.

// ParseID parses a user or group id (--run-as-user, --run-as-group,
// --fs-group): the API takes 0 to 2147483647.
func ParseID(flag, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > 2147483647 {
		return 0, flagErr(flag, s, "must be a numeric id from 0 to 2147483647", "1000")
	}
	return n, nil
}

// ParseSeccompProfile parses --seccomp-profile RuntimeDefault, Unconfined or
// Localhost:PATH (PATH relative to the kubelet's seccomp folder).
func ParseSeccompProfile(s string) (*corev1.SeccompProfile, error) {
	const flag, example = "--seccomp-profile", "RuntimeDefault"
	kind, path, hasPath := strings.Cut(s, ":")
	switch corev1.SeccompProfileType(kind) {
	case corev1.SeccompProfileTypeRuntimeDefault, corev1.SeccompProfileTypeUnconfined:
		if hasPath {
			return nil, flagErr(flag, s, kind+" takes no path; only Localhost:PATH does", example)
		}
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileType(kind)}, nil
	case corev1.SeccompProfileTypeLocalhost:
		if path == "" || strings.HasPrefix(path, "/") || hasDotDot(path) {
			return nil, flagErr(flag, s, "Localhost needs a relative path to a profile under the kubelet's seccomp folder, without '..'", "Localhost:profiles/audit.json")
		}
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: &path}, nil
	}
	return nil, flagErr(flag, s, "must be RuntimeDefault, Unconfined or Localhost:PATH", example)
}

// FormatSeccompProfile is the inverse of ParseSeccompProfile.
func FormatSeccompProfile(p *corev1.SeccompProfile) (string, bool) {
	switch {
	case p == nil:
		return "", false
	case p.Type == corev1.SeccompProfileTypeLocalhost && p.LocalhostProfile != nil:
		return "Localhost:" + *p.LocalhostProfile, true
	case p.LocalhostProfile == nil && (p.Type == corev1.SeccompProfileTypeRuntimeDefault || p.Type == corev1.SeccompProfileTypeUnconfined):
		return string(p.Type), true
	}
	return "", false
}

// ParseCapabilities parses --cap-add or --cap-drop: one capability name or
// a comma separated list, without the CAP_ prefix (NET_BIND_SERVICE), as
// the container runtimes take them; ALL means every capability.
func ParseCapabilities(flag, s string) ([]corev1.Capability, error) {
	example := "NET_BIND_SERVICE"
	if flag == "--cap-drop" {
		example = "ALL"
	}
	var out []corev1.Capability
	for _, name := range strings.Split(s, ",") {
		if name == "" || strings.IndexFunc(name, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
		}) >= 0 {
			return nil, flagErr(flag, s, "must be capability names such as NET_ADMIN or ALL, comma separated (letters, digits and '_')", example)
		}
		if strings.HasPrefix(strings.ToUpper(name), "CAP_") {
			return nil, flagErr(flag, s, "capabilities are named without the CAP_ prefix", strings.TrimPrefix(strings.ToUpper(name), "CAP_"))
		}
		out = append(out, corev1.Capability(name))
	}
	return out, nil
}

// ParseNodeAffinityExpr parses --node-affinity EXPR: label-selector syntax
// (`disktype in (ssd,nvme)`, `gpu`, `!spot`, `zone=a`, `cores>4`), every
// requirement of which must hold, into node selector requirements.
// apimachinery's own selector parser reads it, so the syntax and the key
// and value rules are the ones kubectl -l uses.
func ParseNodeAffinityExpr(flag, s string) ([]corev1.NodeSelectorRequirement, error) {
	example := `"disktype in (ssd,nvme)"`
	if flag == "--node-affinity-preferred" {
		example = `"50:disktype in (ssd)"`
	}
	if strings.TrimSpace(s) == "" {
		return nil, flagErr(flag, s, "needs a label expression such as disktype in (ssd,nvme), gpu or !spot", example)
	}
	sel, err := labels.Parse(s)
	if err != nil {
		return nil, flagErr(flag, s, "is not a label expression: "+firstClause(err.Error()), example)
	}
	reqs, _ := sel.Requirements()
	out := make([]corev1.NodeSelectorRequirement, 0, len(reqs))
	for _, r := range reqs {
		nr := corev1.NodeSelectorRequirement{Key: r.Key(), Values: r.Values().List()}
		switch r.Operator() {
		case selection.In, selection.Equals, selection.DoubleEquals:
			nr.Operator = corev1.NodeSelectorOpIn
		case selection.NotIn, selection.NotEquals:
			nr.Operator = corev1.NodeSelectorOpNotIn
		case selection.Exists:
			nr.Operator, nr.Values = corev1.NodeSelectorOpExists, nil
		case selection.DoesNotExist:
			nr.Operator, nr.Values = corev1.NodeSelectorOpDoesNotExist, nil
		case selection.GreaterThan:
			nr.Operator = corev1.NodeSelectorOpGt
		case selection.LessThan:
			nr.Operator = corev1.NodeSelectorOpLt
		default:
			return nil, flagErr(flag, s, fmt.Sprintf("operator %q has no node affinity meaning", r.Operator()), example)
		}
		out = append(out, nr)
	}
	if len(out) == 0 {
		return nil, flagErr(flag, s, "needs a label expression such as disktype in (ssd,nvme), gpu or !spot", example)
	}
	return out, nil
}

// firstClause keeps a parser's message to its first line.
func firstClause(msg string) string {
	msg, _, _ = strings.Cut(msg, "\n")
	return msg
}

// FormatNodeSelectorRequirement renders one requirement as --node-affinity
// writes it; ok is false for what label-selector syntax cannot say.
func FormatNodeSelectorRequirement(r corev1.NodeSelectorRequirement) (string, bool) {
	vals := append([]string(nil), r.Values...)
	sorted := sort.StringsAreSorted(vals)
	sort.Strings(vals)
	var out string
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		out = r.Key + " in (" + strings.Join(vals, ",") + ")"
	case corev1.NodeSelectorOpNotIn:
		out = r.Key + " notin (" + strings.Join(vals, ",") + ")"
	case corev1.NodeSelectorOpExists:
		return r.Key, len(vals) == 0
	case corev1.NodeSelectorOpDoesNotExist:
		return "!" + r.Key, len(vals) == 0
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		op := ">"
		if r.Operator == corev1.NodeSelectorOpLt {
			op = "<"
		}
		return r.Key + op + strings.Join(vals, ","), len(vals) == 1
	default:
		return "", false
	}
	// The parser gives values sorted and without repeats; other orders are
	// the manifest's, and only -f keeps them.
	return out, len(vals) > 0 && sorted && !hasRepeats(vals)
}

func hasRepeats(sorted []string) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}

// ParsePreferredAffinity parses --node-affinity-preferred WEIGHT:EXPR.
func ParsePreferredAffinity(s string) (corev1.PreferredSchedulingTerm, error) {
	const flag, example = "--node-affinity-preferred", `"50:disktype in (ssd)"`
	var t corev1.PreferredSchedulingTerm
	w, expr, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(w)
	if !ok || err != nil || n < 1 || n > 100 {
		return t, flagErr(flag, s, "must be WEIGHT:EXPR with WEIGHT from 1 to 100", example)
	}
	reqs, err := ParseNodeAffinityExpr(flag, expr)
	if err != nil {
		err.(*FieldError).Value = s
		return t, err
	}
	t.Weight = int32(n)
	t.Preference.MatchExpressions = reqs
	return t, nil
}

// ParseFileMode parses an octal file mode such as 0755 or 644 (mode= of a
// ConfigMap or Secret volume): the API takes 0 to 0777.
func ParseFileMode(flag, s, example string) (int32, error) {
	n, err := strconv.ParseInt(s, 8, 32)
	if err != nil || n < 0 || n > 0o777 {
		return 0, flagErr(flag, s, "mode must be octal from 0000 to 0777", example)
	}
	return int32(n), nil
}

// FormatFileMode renders a mode as ParseFileMode reads it.
func FormatFileMode(m int32) string { return fmt.Sprintf("%04o", m) }

// ParseSidecar parses --sidecar NAME=IMAGE: a native sidecar, an init
// container that keeps running beside the main one (restartPolicy Always).
func ParseSidecar(s string) (corev1.Container, error) {
	name, image, ok := strings.Cut(s, "=")
	if !ok || name == "" || image == "" {
		return corev1.Container{}, flagErr("--sidecar", s, "must be NAME=IMAGE", "proxy=envoyproxy/envoy:v1.31")
	}
	always := corev1.ContainerRestartPolicyAlways
	return corev1.Container{Name: name, Image: image, RestartPolicy: &always}, nil
}

// FormatSidecar is the inverse of ParseSidecar; ok is false for an init
// container that says more than a name and an image (or is a plain one).
func FormatSidecar(c corev1.Container) (string, bool) {
	always := corev1.ContainerRestartPolicyAlways
	bare := corev1.Container{Name: c.Name, Image: c.Image, RestartPolicy: &always}
	if c.RestartPolicy == nil || *c.RestartPolicy != always || !equalContainer(c, bare) || strings.Contains(c.Name, "=") {
		return "", false
	}
	return c.Name + "=" + c.Image, true
}

// ParseHostAlias parses --host-alias IP=HOST[,HOST...]: /etc/hosts lines.
func ParseHostAlias(s string) (corev1.HostAlias, error) {
	const flag, example = "--host-alias", "10.0.0.5=db.internal,db"
	ip, hosts, ok := strings.Cut(s, "=")
	if !ok || hosts == "" {
		return corev1.HostAlias{}, flagErr(flag, s, "must be IP=HOST[,HOST...]", example)
	}
	if _, err := netip.ParseAddr(ip); err != nil {
		return corev1.HostAlias{}, flagErr(flag, s, fmt.Sprintf("%s is not an IP address", QuoteValue(ip)), example)
	}
	return corev1.HostAlias{IP: ip, Hostnames: strings.Split(hosts, ",")}, nil
}

// FormatHostAlias is the inverse of ParseHostAlias.
func FormatHostAlias(h corev1.HostAlias) (string, bool) {
	for _, n := range h.Hostnames {
		if n == "" || strings.Contains(n, ",") {
			return "", false
		}
	}
	return h.IP + "=" + strings.Join(h.Hostnames, ","), len(h.Hostnames) > 0 && !strings.Contains(h.IP, "=")
}

// ParseDNSPolicy parses --dns-policy.
func ParseDNSPolicy(s string) (corev1.DNSPolicy, error) {
	switch p := corev1.DNSPolicy(s); p {
	case corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault, corev1.DNSNone:
		return p, nil
	}
	return "", flagErr("--dns-policy", s, "must be ClusterFirst, ClusterFirstWithHostNet, Default or None", "ClusterFirstWithHostNet")
}

// ParseOS parses --os.
func ParseOS(s string) (*corev1.PodOS, error) {
	switch n := corev1.OSName(s); n {
	case corev1.Linux, corev1.Windows:
		return &corev1.PodOS{Name: n}, nil
	}
	return nil, flagErr("--os", s, "must be linux or windows", "linux")
}

// ParseTerminationMessagePolicy parses --termination-message-policy.
func ParseTerminationMessagePolicy(s string) (corev1.TerminationMessagePolicy, error) {
	switch p := corev1.TerminationMessagePolicy(s); p {
	case corev1.TerminationMessageReadFile, corev1.TerminationMessageFallbackToLogsOnError:
		return p, nil
	}
	return "", flagErr("--termination-message-policy", s, "must be File or FallbackToLogsOnError", "FallbackToLogsOnError")
}

func equalContainer(a, b corev1.Container) bool { return apiequality.Semantic.DeepEqual(a, b) }
