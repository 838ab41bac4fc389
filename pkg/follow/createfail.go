package follow

import (
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
)

// failedCreateReason is the reason of the Job controller's event when the
// API server refuses one of its pods (controller.FailedCreatePodReason).
const failedCreateReason = "FailedCreate"

var (
	// The pod's generated name differs at each try; the rest of the
	// message says what is wrong, and is told once.
	podNameInMessage = lazy.Regexp(`pods "[^"]*" is forbidden: `)
	podSecurityRule  = lazy.Regexp(`violates PodSecurity "([^"]+)": (.*)`)
	quotaExceeded    = lazy.Regexp(`exceeded quota: ([^,]+), requested: (.*), used: (.*), limited: (.*)`)
	quotaFailed      = lazy.Regexp(`failed quota: ([^:]+): (.*)`)
	webhookDenied    = lazy.Regexp(`admission webhook "([^"]+)" denied the request(?:: (.*))?`)
	webhookFailed    = lazy.Regexp(`failed calling webhook "([^"]+)": (.*)`)
	serviceAccount   = lazy.Regexp(`serviceaccount "([^"]+)" not found`)
)

// createFailureKey is what makes two FailedCreate messages the same
// trouble: the message without the name of the pod that was refused.
func createFailureKey(msg string) string {
	return podNameInMessage().ReplaceAllString(strings.TrimPrefix(msg, "Error creating: "), "")
}

// createFailureCause names, from a FailedCreate event's message, what
// refuses the Job's pods: the Pod Security level and what it forbids, the
// ResourceQuota and what it lacks, the admission webhook, the missing
// ServiceAccount; else the API server's own words.
func createFailureCause(msg, namespace string) string {
	rest := createFailureKey(msg)
	if m := podSecurityRule().FindStringSubmatch(rest); m != nil {
		return `Pod Security level "` + m[1] + `" of namespace ` + namespace + " forbids the pods: " + m[2]
	}
	if m := quotaExceeded().FindStringSubmatch(rest); m != nil {
		return `ResourceQuota "` + m[1] + `" is used up: the pod requests ` + m[2] + ", " + m[3] + " is used of a limit of " + m[4]
	}
	if m := quotaFailed().FindStringSubmatch(rest); m != nil {
		return `ResourceQuota "` + m[1] + `" refuses the pods: ` + m[2]
	}
	if m := webhookDenied().FindStringSubmatch(rest); m != nil {
		s := `admission webhook "` + m[1] + `" denies the pods`
		if m[2] != "" {
			s += ": " + m[2]
		}
		return s
	}
	if m := webhookFailed().FindStringSubmatch(rest); m != nil {
		return `admission webhook "` + m[1] + `" cannot be called: ` + m[2]
	}
	if m := serviceAccount().FindStringSubmatch(rest); m != nil {
		return `ServiceAccount "` + m[1] + `" does not exist in namespace ` + namespace
	}
	return rest
}
