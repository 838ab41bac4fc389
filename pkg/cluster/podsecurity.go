package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// PodSecurity is the Pod Security Standards level a namespace enforces, as
// its pod-security.kubernetes.io/enforce and enforce-version labels say.
type PodSecurity struct {
	Namespace string
	Level     psapi.LevelVersion
}

// String is "restricted:latest", as the API server's refusals name it.
func (p PodSecurity) String() string { return p.Level.String() }

// Enforces reports whether the level refuses anything at all.
func (p PodSecurity) Enforces() bool {
	return p.Level.Level != psapi.LevelPrivileged && p.Level.Level != ""
}

// NamespacePodSecurity reads the level namespace enforces with one GET. ok
// is false when it cannot be known (no right to read the namespace, no
// such namespace, a server that does not answer): the create then goes on
// and the server has the last word, as without this check.
func (c *Client) NamespacePodSecurity(ctx context.Context, namespace string) (PodSecurity, bool) {
	ns := &corev1.Namespace{}
	err := c.Core.Get().Resource("namespaces").Name(namespace).
		VersionedParams(&metav1.GetOptions{}, ParameterCodec).Do(ctx).Into(ns)
	if err != nil {
		return PodSecurity{}, false
	}
	return podSecurityOf(ns.Name, ns.Labels)
}

// podSecurityOf reads the enforce labels as the admission plugin does; an
// unlabelled namespace is privileged (the plugin's default), and labels it
// cannot parse are the plugin's to judge, so they are not guessed at.
func podSecurityOf(namespace string, labels map[string]string) (PodSecurity, bool) {
	defaults := psapi.Policy{Enforce: psapi.LevelVersion{Level: psapi.LevelPrivileged, Version: psapi.LatestVersion()}}
	p, errs := psapi.PolicyToEvaluate(labels, defaults)
	if len(errs) > 0 {
		return PodSecurity{}, false
	}
	return PodSecurity{Namespace: namespace, Level: p.Enforce}, true
}

// PodSecurityViolation is one check of the level a pod template fails,
// in the API server's words, with the flags that fix it.
type PodSecurityViolation struct {
	Reason string // "allowPrivilegeEscalation != false"
	Detail string // `container "main" must set securityContext.allowPrivilegeEscalation=false`
	Fix    string // "--security-profile restricted (or --allow-privilege-escalation=false)"
}

// evaluator is the Pod Security evaluator the API server uses. It is made
// on first use, so a run that checks nothing (a client dry run) pays
// nothing beyond the package's registrations at start-up.
var evaluator = sync.OnceValues(func() (policy.Evaluator, error) {
	return policy.NewEvaluator(policy.DefaultChecks(), nil)
})

// CheckPodSecurity evaluates a pod template against the level, as the
// PodSecurity admission plugin will when the Job controller creates its
// pods, and returns what it would refuse.
func CheckPodSecurity(level psapi.LevelVersion, tpl *corev1.PodTemplateSpec) ([]PodSecurityViolation, error) {
	ev, err := evaluator()
	if err != nil {
		return nil, err
	}
	var out []PodSecurityViolation
	for _, r := range ev.EvaluatePod(level, &tpl.ObjectMeta, &tpl.Spec) {
		if r.Allowed {
			continue
		}
		out = append(out, PodSecurityViolation{Reason: r.ForbiddenReason, Detail: r.ForbiddenDetail, Fix: podSecurityFix(level.Level, r.ForbiddenReason, r.ForbiddenDetail)})
	}
	return out, nil
}

// podSecurityFix names the flags that fix a failed check. The reasons are
// the checks' own ForbiddenReason texts (k8s.io/pod-security-admission/policy).
func podSecurityFix(level psapi.Level, reason, detail string) string {
	profile := func(flag string) string {
		if level == psapi.LevelRestricted {
			return "--security-profile restricted (or " + flag + ")"
		}
		return flag
	}
	switch reason {
	case "allowPrivilegeEscalation != false":
		return profile("--allow-privilege-escalation=false")
	case "unrestricted capabilities":
		return profile("--cap-drop ALL")
	case "runAsNonRoot != true":
		return profile("--run-as-non-root")
	case "seccompProfile":
		if level == psapi.LevelRestricted && !strings.Contains(detail, "Unconfined") {
			return profile("--seccomp-profile RuntimeDefault")
		}
		return "--seccomp-profile RuntimeDefault instead of Unconfined"
	case "runAsUser=0":
		return "a --run-as-user other than 0, e.g. --run-as-user 1000"
	case "privileged":
		return "leave out --privileged"
	case "host namespaces":
		return "leave out --host-network, --host-pid and --host-ipc"
	case "hostPath volumes", "restricted volume types":
		return "a --volume of another kind than hostpath (pvc, emptydir, configmap, secret)"
	case "non-default capabilities":
		return "leave out the --cap-add of " + detail
	}
	return "change it with -f or --overrides"
}

// FormatPodSecurityViolations is the refusal of a create: one line per
// failed check, naming the flags that fix it, then how to send it anyway.
func FormatPodSecurityViolations(p PodSecurity, vs []PodSecurityViolation) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString("\n")
		}
		what := v.Reason
		if v.Detail != "" {
			what += " (" + v.Detail + ")"
		}
		fmt.Fprintf(&b, "namespace %s enforces Pod Security %q, which would refuse every pod of this Job: %s: fix with %s", p.Namespace, p.String(), what, v.Fix)
	}
	b.WriteString("\nnothing was sent; to send it anyway (the namespace may exempt these pods), add --skip-pod-security-check")
	return b.String()
}
