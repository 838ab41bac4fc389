package jobspec

import (
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
)

// Each parser turns one flag syntax of docs/CLI.md into an API value. They check
// the syntax only; rules that need the whole Job (uniqueness, cross-field
// conditions) live in Validate, so the wizard and manifests get them too.

// ParseCount parses a non-negative count such as --backoff-limit.
func ParseCount(flag, s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n < 0 {
		return 0, flagErr(flag, s, "must be a whole number from 0 to 2147483647", "4")
	}
	return int32(n), nil
}

// ParseSeconds parses a duration given as whole seconds ("20") or as a Go
// duration ("20s", "5m", "1h30m") into seconds.
func ParseSeconds(flag, s string) (int64, error) {
	s = strings.TrimSpace(s)
	const rule = "must be seconds (20) or a duration (20s, 5m, 1h30m) of whole seconds"
	if s == "" {
		return 0, flagErr(flag, s, rule, "5m")
	}
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, flagErr(flag, s, rule+", at most 9223372036854775807", "5m")
		}
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, flagErr(flag, s, rule, "5m")
	}
	if d < 0 {
		return 0, flagErr(flag, s, "must not be negative", "5m")
	}
	if d%time.Second != 0 {
		return 0, flagErr(flag, s, rule+": Kubernetes counts whole seconds", "90s")
	}
	return int64(d / time.Second), nil
}

// ParseSeconds32 is ParseSeconds for fields the API keeps as int32.
func ParseSeconds32(flag, s string) (int32, error) {
	n, err := ParseSeconds(flag, s)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt32 {
		return 0, flagErr(flag, s, "must be at most 2147483647 seconds (about 68 years)", "24h")
	}
	return int32(n), nil
}

// FormatSeconds renders seconds the way a person would type them: whole
// minutes and hours as a duration ("5m", "1h30m"), anything else as seconds.
func FormatSeconds(n int64) string {
	// Past time.Duration's range (about 292 years) a duration would not
	// parse back, so such values stay seconds.
	if n <= 0 || n%60 != 0 || n > int64(math.MaxInt64/time.Second) {
		return strconv.FormatInt(n, 10)
	}
	h, m := n/3600, (n%3600)/60
	out := ""
	if h > 0 {
		out = strconv.FormatInt(h, 10) + "h"
	}
	if m > 0 {
		out += strconv.FormatInt(m, 10) + "m"
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseCompletionMode parses --completion-mode.
func ParseCompletionMode(s string) (batchv1.CompletionMode, error) {
	switch batchv1.CompletionMode(s) {
	case batchv1.NonIndexedCompletion, batchv1.IndexedCompletion:
		return batchv1.CompletionMode(s), nil
	}
	return "", flagErr("--completion-mode", s, "must be NonIndexed or Indexed", "Indexed")
}

// ParsePodReplacementPolicy parses --pod-replacement-policy.
func ParsePodReplacementPolicy(s string) (batchv1.PodReplacementPolicy, error) {
	switch batchv1.PodReplacementPolicy(s) {
	case batchv1.TerminatingOrFailed, batchv1.Failed:
		return batchv1.PodReplacementPolicy(s), nil
	}
	return "", flagErr("--pod-replacement-policy", s, "must be TerminatingOrFailed or Failed", "Failed")
}

// ParseRestartPolicy parses --restart-policy: a Job's pods may only be
// restarted Never (a new pod per failure) or OnFailure (in place).
func ParseRestartPolicy(s string) (corev1.RestartPolicy, error) {
	switch corev1.RestartPolicy(s) {
	case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
		return corev1.RestartPolicy(s), nil
	}
	return "", flagErr("--restart-policy", s, "must be Never or OnFailure (a Job's pods cannot restart Always)", "OnFailure")
}

// ParseImagePullPolicy parses --image-pull-policy.
func ParseImagePullPolicy(s string) (corev1.PullPolicy, error) {
	switch corev1.PullPolicy(s) {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		return corev1.PullPolicy(s), nil
	}
	return "", flagErr("--image-pull-policy", s, "must be Always, IfNotPresent or Never", "IfNotPresent")
}

var podFailureActions = []batchv1.PodFailurePolicyAction{
	batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionFailIndex,
	batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount,
}

// ParsePodFailureRule parses --pod-failure-policy:
// ACTION:exit-codes=1,2,42[,container=NAME], ACTION:exit-codes!=0,1 or
// ACTION:condition=DisruptionTarget[,Other].
func ParsePodFailureRule(s string) (batchv1.PodFailurePolicyRule, error) {
	const flag, example = "--pod-failure-policy", "FailJob:exit-codes=42"
	var rule batchv1.PodFailurePolicyRule
	action, rest, ok := strings.Cut(s, ":")
	if !ok {
		return rule, flagErr(flag, s, "must be ACTION:exit-codes=CODES or ACTION:condition=TYPE", example)
	}
	for _, a := range podFailureActions {
		if string(a) == action {
			rule.Action = a
		}
	}
	if rule.Action == "" {
		return rule, flagErr(flag, s, fmt.Sprintf("action %s must be FailJob, FailIndex, Ignore or Count", QuoteValue(action)), example)
	}
	switch {
	case strings.HasPrefix(rest, "exit-codes="), strings.HasPrefix(rest, "exit-codes!="):
		req := &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn}
		body := strings.TrimPrefix(rest, "exit-codes=")
		if strings.HasPrefix(rest, "exit-codes!=") {
			req.Operator = batchv1.PodFailurePolicyOnExitCodesOpNotIn
			body = strings.TrimPrefix(rest, "exit-codes!=")
		}
		seen := map[int32]bool{}
		for _, tok := range strings.Split(body, ",") {
			if name, ok := strings.CutPrefix(tok, "container="); ok {
				if name == "" || req.ContainerName != nil {
					return rule, flagErr(flag, s, "container= takes one container name", "FailJob:exit-codes=42,container=main")
				}
				req.ContainerName = &name
				continue
			}
			if req.ContainerName != nil {
				return rule, flagErr(flag, s, "container= must come after the exit codes", "FailJob:exit-codes=42,container=main")
			}
			n, err := strconv.ParseInt(tok, 10, 32)
			if err != nil {
				return rule, flagErr(flag, s, fmt.Sprintf("exit code %s must be a whole number", QuoteValue(tok)), example)
			}
			if seen[int32(n)] {
				return rule, flagErr(flag, s, fmt.Sprintf("exit code %d is listed twice", n), example)
			}
			seen[int32(n)] = true
			req.Values = append(req.Values, int32(n))
		}
		// The API wants the codes in increasing order; the order means nothing.
		sort.Slice(req.Values, func(i, j int) bool { return req.Values[i] < req.Values[j] })
		rule.OnExitCodes = req
	case strings.HasPrefix(rest, "condition="):
		for _, t := range strings.Split(strings.TrimPrefix(rest, "condition="), ",") {
			if t == "" {
				return rule, flagErr(flag, s, "condition= needs a pod condition type", "Ignore:condition=DisruptionTarget")
			}
			rule.OnPodConditions = append(rule.OnPodConditions, batchv1.PodFailurePolicyOnPodConditionsPattern{
				Type: corev1.PodConditionType(t), Status: corev1.ConditionTrue,
			})
		}
	default:
		return rule, flagErr(flag, s, "after the action comes exit-codes=, exit-codes!= or condition=", example)
	}
	return rule, nil
}

// FormatPodFailureRule is the inverse of ParsePodFailureRule; ok is false
// when the rule uses something the flag syntax cannot say.
func FormatPodFailureRule(r batchv1.PodFailurePolicyRule) (string, bool) {
	switch {
	case r.OnExitCodes != nil && len(r.OnPodConditions) == 0:
		op := "="
		if r.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpNotIn {
			op = "!="
		} else if r.OnExitCodes.Operator != batchv1.PodFailurePolicyOnExitCodesOpIn {
			return "", false
		}
		codes := make([]string, len(r.OnExitCodes.Values))
		for i, v := range r.OnExitCodes.Values {
			codes[i] = strconv.Itoa(int(v))
		}
		out := fmt.Sprintf("%s:exit-codes%s%s", r.Action, op, strings.Join(codes, ","))
		if r.OnExitCodes.ContainerName != nil {
			out += ",container=" + *r.OnExitCodes.ContainerName
		}
		return out, len(codes) > 0
	case r.OnExitCodes == nil && len(r.OnPodConditions) > 0:
		types := make([]string, len(r.OnPodConditions))
		for i, c := range r.OnPodConditions {
			if c.Status != corev1.ConditionTrue {
				return "", false
			}
			types[i] = string(c.Type)
		}
		return fmt.Sprintf("%s:condition=%s", r.Action, strings.Join(types, ",")), true
	}
	return "", false
}

// ParseSuccessRule parses --success-policy: indexes=0,2-5, count=N or both.
func ParseSuccessRule(s string) (batchv1.SuccessPolicyRule, error) {
	const flag, example = "--success-policy", "indexes=0-9,count=3"
	var rule batchv1.SuccessPolicyRule
	var indexes []string
	inIndexes := false
	for _, tok := range strings.Split(s, ",") {
		switch {
		case strings.HasPrefix(tok, "indexes="):
			if rule.SucceededIndexes != nil || indexes != nil {
				return rule, flagErr(flag, s, "indexes= is given twice", example)
			}
			inIndexes = true
			indexes = append(indexes, strings.TrimPrefix(tok, "indexes="))
		case strings.HasPrefix(tok, "count="):
			if rule.SucceededCount != nil {
				return rule, flagErr(flag, s, "count= is given twice", example)
			}
			inIndexes = false
			n, err := strconv.ParseInt(strings.TrimPrefix(tok, "count="), 10, 32)
			if err != nil || n < 1 {
				return rule, flagErr(flag, s, "count must be a whole number of at least 1", example)
			}
			c := int32(n)
			rule.SucceededCount = &c
		case inIndexes:
			indexes = append(indexes, tok)
		default:
			return rule, flagErr(flag, s, "must be indexes=LIST, count=N, or both", example)
		}
	}
	if indexes != nil {
		for _, ix := range indexes {
			if !validIndexRange(ix) {
				return rule, flagErr(flag, s, fmt.Sprintf("index %s must be a number or a range such as 2-5", QuoteValue(ix)), example)
			}
		}
		joined := strings.Join(indexes, ",")
		rule.SucceededIndexes = &joined
	}
	if rule.SucceededIndexes == nil && rule.SucceededCount == nil {
		return rule, flagErr(flag, s, "must be indexes=LIST, count=N, or both", example)
	}
	return rule, nil
}

func validIndexRange(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isDigits(lo) || len(lo) > 9 {
		return false
	}
	if !isRange {
		return true
	}
	if !isDigits(hi) || len(hi) > 9 {
		return false
	}
	a, _ := strconv.Atoi(lo)
	b, _ := strconv.Atoi(hi)
	return a < b
}

// FormatSuccessRule is the inverse of ParseSuccessRule.
func FormatSuccessRule(r batchv1.SuccessPolicyRule) string {
	var parts []string
	if r.SucceededIndexes != nil {
		parts = append(parts, "indexes="+*r.SucceededIndexes)
	}
	if r.SucceededCount != nil {
		parts = append(parts, "count="+strconv.Itoa(int(*r.SucceededCount)))
	}
	return strings.Join(parts, ",")
}

// ParsePort parses --port [NAME:]PORT[/TCP|UDP|SCTP].
func ParsePort(s string) (corev1.ContainerPort, error) {
	const flag, example = "--port", "http:8080/TCP"
	var p corev1.ContainerPort
	rest := s
	if name, after, ok := strings.Cut(rest, ":"); ok {
		if name == "" {
			return p, flagErr(flag, s, "a port name before ':' must not be empty", example)
		}
		p.Name, rest = name, after
	}
	num, proto, hasProto := strings.Cut(rest, "/")
	p.Protocol = corev1.ProtocolTCP
	if hasProto {
		switch corev1.Protocol(strings.ToUpper(proto)) {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
			p.Protocol = corev1.Protocol(strings.ToUpper(proto))
		default:
			return p, flagErr(flag, s, fmt.Sprintf("protocol %s must be TCP, UDP or SCTP", QuoteValue(proto)), example)
		}
	}
	n, err := strconv.ParseInt(num, 10, 32)
	if err != nil {
		return p, flagErr(flag, s, "must be [NAME:]PORT[/PROTOCOL] with PORT a number from 1 to 65535", example)
	}
	p.ContainerPort = int32(n)
	return p, nil
}

// FormatPort is the inverse of ParsePort.
func FormatPort(p corev1.ContainerPort) string {
	out := strconv.Itoa(int(p.ContainerPort))
	if p.Name != "" {
		out = p.Name + ":" + out
	}
	if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
		out += "/" + string(p.Protocol)
	}
	return out
}

// ParseKeyValue parses KEY=VALUE for -e/--env, --label, --annotation and
// --node-selector. The value may be empty and may contain '='.
func ParseKeyValue(flag, s, example string) (string, string, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return "", "", flagErr(flag, s, "must be KEY=VALUE", example)
	}
	return k, v, nil
}

// ParseEnvFile parses a dotenv file: NAME=VALUE lines, blank lines and '#'
// comments, an optional "export " prefix, and values in matching single or
// double quotes.
func ParseEnvFile(file string, data []byte) ([]corev1.EnvVar, error) {
	var out []corev1.EnvVar
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, &FieldError{Flag: "--env-file", Value: line,
				Rule: fmt.Sprintf("line %d of %s must be NAME=VALUE", i+1, file), Example: "LOG_LEVEL=debug"}
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out = append(out, corev1.EnvVar{Name: strings.TrimSpace(k), Value: v})
	}
	return out, nil
}

// ParseEnvFrom parses --env-from configmap:NAME[:PREFIX] or secret:NAME[:PREFIX].
func ParseEnvFrom(s string) (corev1.EnvFromSource, error) {
	const flag, example = "--env-from", "configmap:app-config"
	var e corev1.EnvFromSource
	parts := strings.SplitN(s, ":", 4)
	if len(parts) < 2 || parts[1] == "" {
		return e, flagErr(flag, s, "must be configmap:NAME[:PREFIX][:optional] or secret:NAME[:PREFIX][:optional]", example)
	}
	var optional *bool
	switch {
	case len(parts) == 4 && parts[3] != "optional":
		return e, flagErr(flag, s, fmt.Sprintf("%q after the prefix must be optional", parts[3]), "configmap:app-config:APP_:optional")
	case len(parts) == 4, len(parts) == 3 && parts[2] == "optional":
		t := true
		optional = &t
		if len(parts) == 4 {
			e.Prefix = parts[2]
		}
	case len(parts) == 3:
		e.Prefix = parts[2]
	}
	ref := corev1.LocalObjectReference{Name: parts[1]}
	switch parts[0] {
	case "configmap", "cm":
		e.ConfigMapRef = &corev1.ConfigMapEnvSource{LocalObjectReference: ref, Optional: optional}
	case "secret":
		e.SecretRef = &corev1.SecretEnvSource{LocalObjectReference: ref, Optional: optional}
	default:
		return e, flagErr(flag, s, fmt.Sprintf("source %s must be configmap or secret", QuoteValue(parts[0])), example)
	}
	return e, nil
}

// FormatEnvFrom is the inverse of ParseEnvFrom.
func FormatEnvFrom(e corev1.EnvFromSource) (string, bool) {
	var kind, name string
	var optional *bool
	switch {
	case e.ConfigMapRef != nil && e.SecretRef == nil:
		kind, name, optional = "configmap", e.ConfigMapRef.Name, e.ConfigMapRef.Optional
	case e.SecretRef != nil && e.ConfigMapRef == nil:
		kind, name, optional = "secret", e.SecretRef.Name, e.SecretRef.Optional
	default:
		return "", false
	}
	// optional: false is the default said out loud, which no flag says; a
	// bare prefix "optional" would read back as the option.
	if optional != nil && !*optional || optional == nil && e.Prefix == "optional" || strings.Contains(name+e.Prefix, ":") {
		return "", false
	}
	out := kind + ":" + name
	if e.Prefix != "" {
		out += ":" + e.Prefix
	}
	return out + optionalSuffix(optional), true
}

// ParseEnvValueFrom parses --env-value-from NAME=configmap:CM:KEY,
// NAME=secret:S:KEY, NAME=field:PATH or NAME=resource:RESOURCE.
func ParseEnvValueFrom(s string) (corev1.EnvVar, error) {
	const flag, example = "--env-value-from", "DB_PASSWORD=secret:db:password"
	const rule = "must be NAME=configmap:CM:KEY, NAME=secret:SECRET:KEY, NAME=field:PATH or NAME=resource:RESOURCE"
	name, src, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return corev1.EnvVar{}, flagErr(flag, s, rule, example)
	}
	ev := corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{}}
	kind, rest, _ := strings.Cut(src, ":")
	switch kind {
	case "configmap", "cm", "secret":
		obj, key, ok := strings.Cut(rest, ":")
		if !ok || obj == "" || key == "" {
			return ev, flagErr(flag, s, rule, example)
		}
		var optional *bool
		if k, opt, ok := strings.Cut(key, ":"); ok {
			if opt != "optional" || k == "" {
				return ev, flagErr(flag, s, fmt.Sprintf("%q after the key must be optional", opt), "DB_PASSWORD=secret:db:password:optional")
			}
			t := true
			key, optional = k, &t
		}
		if kind == "secret" {
			ev.ValueFrom.SecretKeyRef = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: obj}, Key: key, Optional: optional}
		} else {
			ev.ValueFrom.ConfigMapKeyRef = &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: obj}, Key: key, Optional: optional}
		}
	case "field":
		if rest == "" {
			return ev, flagErr(flag, s, "field: needs a pod field path", "POD_NAME=field:metadata.name")
		}
		ev.ValueFrom.FieldRef = &corev1.ObjectFieldSelector{FieldPath: rest}
	case "resource":
		if rest == "" {
			return ev, flagErr(flag, s, "resource: needs a resource such as limits.cpu", "CPU_LIMIT=resource:limits.cpu")
		}
		ev.ValueFrom.ResourceFieldRef = &corev1.ResourceFieldSelector{Resource: rest}
	default:
		return ev, flagErr(flag, s, rule, example)
	}
	return ev, nil
}

// FormatEnvValueFrom is the inverse of ParseEnvValueFrom.
func FormatEnvValueFrom(e corev1.EnvVar) (string, bool) {
	vf := e.ValueFrom
	switch {
	case vf == nil:
		return "", false
	case vf.ConfigMapKeyRef != nil && (vf.ConfigMapKeyRef.Optional == nil || *vf.ConfigMapKeyRef.Optional):
		return fmt.Sprintf("%s=configmap:%s:%s%s", e.Name, vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key, optionalSuffix(vf.ConfigMapKeyRef.Optional)), !strings.Contains(vf.ConfigMapKeyRef.Key, ":")
	case vf.SecretKeyRef != nil && (vf.SecretKeyRef.Optional == nil || *vf.SecretKeyRef.Optional):
		return fmt.Sprintf("%s=secret:%s:%s%s", e.Name, vf.SecretKeyRef.Name, vf.SecretKeyRef.Key, optionalSuffix(vf.SecretKeyRef.Optional)), !strings.Contains(vf.SecretKeyRef.Key, ":")
	case vf.FieldRef != nil && vf.FieldRef.APIVersion == "":
		return fmt.Sprintf("%s=field:%s", e.Name, vf.FieldRef.FieldPath), true
	case vf.ResourceFieldRef != nil && vf.ResourceFieldRef.ContainerName == "" && vf.ResourceFieldRef.Divisor.IsZero():
		return fmt.Sprintf("%s=resource:%s", e.Name, vf.ResourceFieldRef.Resource), true
	}
	return "", false
}

// optionalSuffix is ":optional" for a reference that may be missing.
func optionalSuffix(optional *bool) string {
	if optional != nil && *optional {
		return ":optional"
	}
	return ""
}

// ParseResources parses --request or --limit: cpu=100m,memory=128Mi,... A
// quantity of 0 means "no request (or limit) for that resource", as in the
// console, and is returned as a zero Quantity for the caller to remove.
func ParseResources(flag, s string) (corev1.ResourceList, error) {
	example := "cpu=100m,memory=128Mi"
	if flag == "--limit" {
		example = "cpu=1,memory=1Gi"
	}
	out := corev1.ResourceList{}
	for _, tok := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(tok, "=")
		if !ok || k == "" {
			return nil, flagErr(flag, s, "must be RESOURCE=QUANTITY[,RESOURCE=QUANTITY...]", example)
		}
		if _, dup := out[corev1.ResourceName(k)]; dup {
			return nil, flagErr(flag, s, fmt.Sprintf("%s is given twice", k), example)
		}
		q, err := parseQuantity(v)
		if err != nil {
			return nil, flagErr(flag, s, fmt.Sprintf("%s=%s: %v", k, v, err), example)
		}
		out[corev1.ResourceName(k)] = q
	}
	return out, nil
}

// parseQuantity parses a resource quantity within the range the API keeps
// exactly: beyond it a Quantity rounds (1000E prints as "1"), so what was
// typed would not be what is sent.
func parseQuantity(v string) (resource.Quantity, error) {
	if hugeExponent().MatchString(v) {
		return resource.Quantity{}, errExponent
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return q, fmt.Errorf("not a quantity such as 500m, 1, 128Mi or 2Gi")
	}
	if !quantityInRange(&q) {
		return resource.Quantity{}, errExponent
	}
	if q.Sign() < 0 {
		return q, fmt.Errorf("must not be negative")
	}
	if q.CmpInt64(math.MaxInt64/1000) > 0 {
		return q, fmt.Errorf("larger than any node could offer")
	}
	return q, nil
}

// errExponent is the refusal of a quantity whose decimal exponent is
// beyond ±999. Such a quantity parses at once, but comparing or printing it
// builds a number with that many digits and hangs (fuzzing found
// 0E600000000 and E070000000), so it is refused before anything else looks
// at it.
var errExponent = errors.New("its exponent is beyond ±999")

// hugeExponent finds quantity-like text with an exponent of six or more
// digits. apimachinery's parser itself takes time growing with the square
// of the exponent (1e-99999: 2 ms; 1e-600000000: hours), so such text is
// refused before it is parsed; smaller exponents are parsed and then held
// to ±999 by quantityInRange.
var hugeExponent = lazy.Regexp(`(^|[^A-Za-z0-9_.])[+-]?[0-9.]*[eE][+-]?0*[1-9][0-9]{5,}([^0-9]|$)`)

// quantityInRange reports whether q's exponent is within ±999; reading the
// scale is cheap even when the number itself would not be.
func quantityInRange(q *resource.Quantity) bool {
	scale := q.AsDec().Scale()
	return scale >= -999 && scale <= 999
}

// FormatResources is the inverse of ParseResources, in a stable order.
func FormatResources(l corev1.ResourceList) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		q := l[corev1.ResourceName(k)]
		parts[i] = k + "=" + q.String()
	}
	return strings.Join(parts, ",")
}

// ParseVolume parses --volume NAME=pvc:CLAIM, NAME=emptydir[:medium=Memory,size=1Gi],
// NAME=configmap:CM[:KEY=PATH,...], NAME=secret:SECRET[:KEY=PATH,...] or
// NAME=hostpath:/ABS/PATH.
func ParseVolume(s string) (corev1.Volume, error) {
	const flag, example = "--volume", "data=pvc:my-claim"
	const rule = "must be NAME=pvc:CLAIM, NAME=emptydir[:medium=Memory,size=1Gi], NAME=configmap:CM[:KEY=PATH,...], NAME=secret:SECRET[:KEY=PATH,...] or NAME=hostpath:/PATH"
	var v corev1.Volume
	name, src, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return v, flagErr(flag, s, rule, example)
	}
	v.Name = name
	kind, rest, hasRest := strings.Cut(src, ":")
	switch strings.ToLower(kind) {
	case "pvc":
		if rest == "" {
			return v, flagErr(flag, s, "pvc: needs the claim's name", example)
		}
		v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: rest}
	case "emptydir":
		ed := &corev1.EmptyDirVolumeSource{}
		if hasRest {
			for _, opt := range strings.Split(rest, ",") {
				k, val, _ := strings.Cut(opt, "=")
				switch k {
				case "medium":
					if val != string(corev1.StorageMediumMemory) && val != "" {
						return v, flagErr(flag, s, fmt.Sprintf("emptydir medium %s must be Memory (or empty for the node's disk)", QuoteValue(val)), "scratch=emptydir:medium=Memory")
					}
					ed.Medium = corev1.StorageMedium(val)
				case "size":
					q, err := parseQuantity(val)
					if err != nil || q.Sign() <= 0 {
						return v, flagErr(flag, s, fmt.Sprintf("emptydir size %s must be a positive quantity", QuoteValue(val)), "scratch=emptydir:size=1Gi")
					}
					ed.SizeLimit = &q
				default:
					return v, flagErr(flag, s, fmt.Sprintf("emptydir option %s must be medium=Memory or size=QUANTITY", QuoteValue(opt)), "scratch=emptydir:medium=Memory,size=1Gi")
				}
			}
		}
		v.EmptyDir = ed
	case "configmap", "cm", "secret":
		segs := strings.Split(rest, ":")
		obj := segs[0]
		if obj == "" {
			return v, flagErr(flag, s, kind+": needs the object's name", "config="+kind+":app-config")
		}
		var items []corev1.KeyToPath
		var mode *int32
		var optional *bool
		haveItems := false
		for _, seg := range segs[1:] {
			// A segment of options only (mode=0755, optional) is the
			// options; any other is the items, given once.
			if opts, ok := volumeOptions(seg); ok {
				for _, o := range opts {
					if o == "optional" {
						t := true
						optional = &t
						continue
					}
					m, err := ParseFileMode(flag, strings.TrimPrefix(o, "mode="), "scripts=configmap:scripts:mode=0755")
					if err != nil {
						err.(*FieldError).Value = s
						return v, err
					}
					mode = &m
				}
				continue
			}
			if haveItems || seg == "" {
				return v, flagErr(flag, s, "after the name come KEY=PATH items once, then mode=OCTAL and optional", "config="+kind+":app-config:app.yaml=conf/app.yaml:mode=0644:optional")
			}
			haveItems = true
			for _, it := range strings.Split(seg, ",") {
				k, p, ok := strings.Cut(it, "=")
				if !ok || k == "" || p == "" {
					return v, flagErr(flag, s, fmt.Sprintf("item %s must be KEY=PATH", QuoteValue(it)), "config="+kind+":app-config:app.yaml=conf/app.yaml")
				}
				items = append(items, corev1.KeyToPath{Key: k, Path: p})
			}
		}
		if kind == "secret" {
			v.Secret = &corev1.SecretVolumeSource{SecretName: obj, Items: items, DefaultMode: mode, Optional: optional}
		} else {
			v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: obj}, Items: items, DefaultMode: mode, Optional: optional}
		}
	case "hostpath":
		if rest == "" {
			return v, flagErr(flag, s, "hostpath: needs an absolute path", "logs=hostpath:/var/log")
		}
		v.HostPath = &corev1.HostPathVolumeSource{Path: rest}
	default:
		return v, flagErr(flag, s, rule, example)
	}
	return v, nil
}

// FormatVolume is the inverse of ParseVolume; ok is false for a volume the
// flag syntax cannot say (projected, CSI, modes, optional, ...).
func FormatVolume(v corev1.Volume) (string, bool) {
	items := func(its []corev1.KeyToPath) (string, bool) {
		parts := make([]string, len(its))
		for i, it := range its {
			if it.Mode != nil || strings.ContainsAny(it.Key, "=,:") || strings.ContainsAny(it.Path, "=,") {
				return "", false
			}
			parts[i] = it.Key + "=" + it.Path
		}
		if len(parts) == 0 {
			return "", true
		}
		if _, isOptions := volumeOptions(strings.Join(parts, ",")); isOptions {
			// Items keyed mode or optional would read back as options.
			return "", false
		}
		return ":" + strings.Join(parts, ","), true
	}
	vs := v.VolumeSource
	switch {
	case vs.PersistentVolumeClaim != nil && !vs.PersistentVolumeClaim.ReadOnly:
		return v.Name + "=pvc:" + vs.PersistentVolumeClaim.ClaimName, true
	case vs.EmptyDir != nil:
		var opts []string
		if vs.EmptyDir.Medium != "" {
			opts = append(opts, "medium="+string(vs.EmptyDir.Medium))
		}
		if vs.EmptyDir.SizeLimit != nil {
			opts = append(opts, "size="+vs.EmptyDir.SizeLimit.String())
		}
		if len(opts) == 0 {
			return v.Name + "=emptydir", true
		}
		return v.Name + "=emptydir:" + strings.Join(opts, ","), true
	case vs.ConfigMap != nil && (vs.ConfigMap.Optional == nil || *vs.ConfigMap.Optional):
		it, ok := items(vs.ConfigMap.Items)
		return v.Name + "=configmap:" + vs.ConfigMap.Name + it + formatVolumeOptions(vs.ConfigMap.DefaultMode, vs.ConfigMap.Optional), ok
	case vs.Secret != nil && (vs.Secret.Optional == nil || *vs.Secret.Optional):
		it, ok := items(vs.Secret.Items)
		return v.Name + "=secret:" + vs.Secret.SecretName + it + formatVolumeOptions(vs.Secret.DefaultMode, vs.Secret.Optional), ok
	case vs.HostPath != nil && vs.HostPath.Type == nil:
		return v.Name + "=hostpath:" + vs.HostPath.Path, true
	}
	return "", false
}

// volumeOptions splits a segment of ConfigMap/Secret volume options
// (mode=OCTAL, optional, comma separated); ok is false for anything else.
func volumeOptions(seg string) ([]string, bool) {
	if seg == "" {
		return nil, false
	}
	opts := strings.Split(seg, ",")
	for _, o := range opts {
		if o != "optional" && !strings.HasPrefix(o, "mode=") {
			return nil, false
		}
	}
	return opts, true
}

func formatVolumeOptions(mode *int32, optional *bool) string {
	out := ""
	if mode != nil {
		out += ":mode=" + FormatFileMode(*mode)
	}
	return out + optionalSuffix(optional)
}

// ParseMount parses --mount MOUNTPATH=NAME[:ro][:subpath=SUB].
func ParseMount(s string) (corev1.VolumeMount, error) {
	const flag, example = "--mount", "/data=data:ro"
	var m corev1.VolumeMount
	p, rest, ok := strings.Cut(s, "=")
	if !ok || p == "" || rest == "" {
		return m, flagErr(flag, s, "must be MOUNTPATH=VOLUME[:ro][:subpath=SUB]", example)
	}
	parts := strings.Split(rest, ":")
	m.MountPath, m.Name = p, parts[0]
	if m.Name == "" {
		return m, flagErr(flag, s, "must name the volume after '='", example)
	}
	for _, opt := range parts[1:] {
		switch {
		case opt == "ro":
			m.ReadOnly = true
		case opt == "rw":
			m.ReadOnly = false
		case strings.HasPrefix(opt, "subpath="):
			m.SubPath = strings.TrimPrefix(opt, "subpath=")
		default:
			return m, flagErr(flag, s, fmt.Sprintf("option %s must be ro or subpath=SUB", QuoteValue(opt)), "/etc/app=config:ro:subpath=app")
		}
	}
	return m, nil
}

// FormatMount is the inverse of ParseMount.
func FormatMount(m corev1.VolumeMount) (string, bool) {
	if m.MountPropagation != nil || m.SubPathExpr != "" || m.RecursiveReadOnly != nil || strings.Contains(m.MountPath, "=") || strings.Contains(m.SubPath, ":") {
		return "", false
	}
	out := m.MountPath + "=" + m.Name
	if m.ReadOnly {
		out += ":ro"
	}
	if m.SubPath != "" {
		out += ":subpath=" + m.SubPath
	}
	return out, true
}

var taintEffects = []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}

// ParseToleration parses --toleration KEY[=VALUE]:EFFECT[:SECONDS]. With a
// VALUE the operator is Equal, without one Exists; SECONDS (or a duration
// such as 5m) is how long a NoExecute taint is tolerated before eviction.
func ParseToleration(s string) (corev1.Toleration, error) {
	const flag, example = "--toleration", "dedicated=batch:NoSchedule"
	var t corev1.Toleration
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return t, flagErr(flag, s, "must be KEY[=VALUE]:EFFECT[:SECONDS]", example)
	}
	kv, effect := s[:i], s[i+1:]
	if j := strings.LastIndex(kv, ":"); j >= 0 && !isTaintEffect(effect) {
		secs, err := ParseSeconds(flag, effect)
		if err != nil {
			return t, flagErr(flag, s, "SECONDS after the effect must be seconds (300) or a duration (5m)", "node.kubernetes.io/unreachable:NoExecute:5m")
		}
		t.TolerationSeconds = &secs
		kv, effect = kv[:j], kv[j+1:]
	}
	for _, e := range taintEffects {
		if string(e) == effect {
			t.Effect = e
		}
	}
	if t.Effect == "" {
		return t, flagErr(flag, s, fmt.Sprintf("effect %s must be NoSchedule, PreferNoSchedule or NoExecute", QuoteValue(effect)), example)
	}
	if k, v, ok := strings.Cut(kv, "="); ok {
		t.Key, t.Value, t.Operator = k, v, corev1.TolerationOpEqual
	} else {
		t.Key, t.Operator = kv, corev1.TolerationOpExists
	}
	return t, nil
}

func isTaintEffect(s string) bool {
	for _, e := range taintEffects {
		if string(e) == s {
			return true
		}
	}
	return false
}

// FormatToleration is the inverse of ParseToleration.
func FormatToleration(t corev1.Toleration) (string, bool) {
	if t.Effect == "" || t.TolerationSeconds != nil && *t.TolerationSeconds < 0 {
		return "", false
	}
	secs := ""
	if t.TolerationSeconds != nil {
		secs = ":" + strconv.FormatInt(*t.TolerationSeconds, 10)
	}
	switch t.Operator {
	case corev1.TolerationOpEqual, "":
		return t.Key + "=" + t.Value + ":" + string(t.Effect) + secs, true
	case corev1.TolerationOpExists:
		return t.Key + ":" + string(t.Effect) + secs, t.Value == ""
	}
	return "", false
}

// isAbsPath reports whether p is absolute (begins with '/'), as the API wants
// for mount paths and host paths.
func isAbsPath(p string) bool { return path.IsAbs(p) }
