package jobspec

import (
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// PodSecurityViolation is one check of a Pod Security level a pod template
// fails, in the API server's words, with the flags that fix it.
type PodSecurityViolation struct {
	Reason string // "allowPrivilegeEscalation != false"
	Detail string // `container "main" must set securityContext.allowPrivilegeEscalation=false`
	Fix    string // "--security-profile restricted (or --allow-privilege-escalation=false)"
}

// evaluator is the Pod Security evaluator the API server uses. It is made
// on first use, so a run that checks nothing pays nothing beyond the
// package's registrations at start-up.
var evaluator = sync.OnceValues(func() (policy.Evaluator, error) {
	return policy.NewEvaluator(policy.DefaultChecks(), nil)
})

// CheckPodSecurity evaluates a pod template against the level, as the
// PodSecurity admission plugin will when the Job controller creates its
// pods, and returns what it would refuse. It is pure: the create's check
// (after one GET of the namespace), the wizard's review and Validate's
// --security-profile rule all judge with it.
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

// ProfileFixes reports whether --security-profile restricted alone would
// make the Spec's pods meet level, with no value of the user's in the way:
// the one-answer fix the wizard's review offers.
func ProfileFixes(level psapi.LevelVersion, s *Spec) bool {
	c := s.DeepCopy()
	c.SecurityProfile = ProfileRestricted
	tpl := &c.Build().Spec.Template
	if len(profileErrors(ProfileRestricted, tpl)) > 0 {
		return false
	}
	vs, err := CheckPodSecurity(level, tpl)
	return err == nil && len(vs) == 0
}

// ParsePodSecurityLevel reads a level and version as a namespace's
// pod-security.kubernetes.io labels say them ("restricted", "v1.30" or
// "latest").
func ParsePodSecurityLevel(level, version string) (psapi.LevelVersion, error) {
	l, err := psapi.ParseLevel(level)
	if err != nil {
		return psapi.LevelVersion{}, err
	}
	if version == "" {
		version = "latest"
	}
	v, err := psapi.ParseVersion(version)
	if err != nil {
		return psapi.LevelVersion{}, err
	}
	return psapi.LevelVersion{Level: l, Version: v}, nil
}

// contradictingFlag names the flag (or input) that gave a value a level
// forbids, once --security-profile has filled in everything unset: the
// profile never overrides a value, so whatever is left was given.
func contradictingFlag(reason string) string {
	switch reason {
	case "allowPrivilegeEscalation != false":
		return "--allow-privilege-escalation=true"
	case "unrestricted capabilities", "non-default capabilities":
		return "--cap-add"
	case "runAsNonRoot != true":
		return "--run-as-non-root=false"
	case "seccompProfile":
		return "--seccomp-profile Unconfined"
	case "runAsUser=0":
		return "--run-as-user 0"
	case "privileged":
		return "--privileged"
	case "host namespaces":
		return "--host-network, --host-pid or --host-ipc"
	case "hostPath volumes", "restricted volume types":
		return "a hostpath --volume"
	}
	return "a value of -f or --overrides"
}

// profileContradiction is the rule of --security-profile given with a value
// the level forbids (--privileged, --cap-add SYS_ADMIN, ...). Such a Job is
// not refused by the API server everywhere (a namespace that enforces
// nothing accepts it), so the rule is about the user's own two values,
// which cannot both hold, and it says so.
const profileContradiction = "contradicts another value you gave, which that Pod Security level forbids (a namespace enforcing the level refuses every pod of such a Job; one that does not enforce it accepts the Job, so the contradiction is between your own two values)"

// profileErrors reports each check of the profile's level that the built
// pod template still fails: a value the user gave, which the profile does
// not override.
func profileErrors(p SecurityProfile, tpl *corev1.PodTemplateSpec) Errors {
	if p == "" {
		return nil
	}
	level := psapi.LevelVersion{Level: psapi.Level(p), Version: psapi.LatestVersion()}
	vs, err := CheckPodSecurity(level, tpl)
	if err != nil {
		return nil // the evaluator's own failure is not the user's input
	}
	var errs Errors
	for _, x := range vs {
		errs = append(errs, &FieldError{Flag: "--security-profile", Field: podField, Value: string(p),
			Rule: profileContradiction + ": " + contradictingFlag(x.Reason) + " (" + x.Reason + ": " + x.Detail + "); keep one of the two"})
	}
	return errs
}
