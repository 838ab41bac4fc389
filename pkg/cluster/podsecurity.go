package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
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
//
// A level read is kept for the client's life (one command): the wizard's
// question, its review and the create's check then cost one GET between
// them. A failed read is not kept, so the next asker tries again.
func (c *Client) NamespacePodSecurity(ctx context.Context, namespace string) (PodSecurity, bool) {
	if p, ok := c.podSecurity.get(namespace); ok {
		return p, true
	}
	ns := &corev1.Namespace{}
	err := c.Core.Get().Resource("namespaces").Name(namespace).
		VersionedParams(&metav1.GetOptions{}, ParameterCodec).Do(ctx).Into(ns)
	if err != nil {
		return PodSecurity{}, false
	}
	p, ok := podSecurityOf(ns.Name, ns.Labels)
	if ok {
		c.podSecurity.put(namespace, p)
	}
	return p, ok
}

// podSecurityCache is the levels a client has read, by namespace.
type podSecurityCache struct {
	mu     sync.Mutex
	levels map[string]PodSecurity
}

func (k *podSecurityCache) get(namespace string) (PodSecurity, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p, ok := k.levels[namespace]
	return p, ok
}

func (k *podSecurityCache) put(namespace string, p PodSecurity) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.levels == nil {
		k.levels = map[string]PodSecurity{}
	}
	k.levels[namespace] = p
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
type PodSecurityViolation = jobspec.PodSecurityViolation

// CheckPodSecurity evaluates a pod template against the level, as the
// PodSecurity admission plugin will when the Job controller creates its
// pods (jobspec.CheckPodSecurity, the evaluator the API server uses).
func CheckPodSecurity(level psapi.LevelVersion, tpl *corev1.PodTemplateSpec) ([]PodSecurityViolation, error) {
	return jobspec.CheckPodSecurity(level, tpl)
}

// FormatPodSecurityViolations is the refusal of a create: one line per
// failed check, naming the flags that fix it, then how to send it anyway.
// what names the pods' owner: "this Job", "the Jobs of this CronJob".
func FormatPodSecurityViolations(p PodSecurity, what string, vs []PodSecurityViolation) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString("\n")
		}
		check := v.Reason
		if v.Detail != "" {
			check += " (" + v.Detail + ")"
		}
		fmt.Fprintf(&b, "namespace %s enforces Pod Security %q, which would refuse every pod of %s: %s: fix with %s", p.Namespace, p.String(), what, check, v.Fix)
	}
	b.WriteString("\nnothing was sent; to send it anyway (the namespace may exempt these pods), add --skip-pod-security-check")
	return b.String()
}
