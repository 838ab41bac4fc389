package wizard

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	psapi "k8s.io/pod-security-admission/api"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// The hardened pod of step 3 and 5: sidecars, the priority class, the
// security question and pod annotations; and the review's Pod Security
// check. Every answer goes through its flag's applier
// (--sidecar, --priority-class, --security-profile, --pod-annotation).

// nsSecurity is what the wizard knows of a namespace's Pod Security.
type nsSecurity struct {
	known bool
	name  string // "restricted:latest", as the API server names it
	level psapi.LevelVersion
}

// enforces reports whether the namespace refuses pods of some kind.
func (n nsSecurity) enforces() bool {
	return n.known && n.level.Level != psapi.LevelPrivileged
}

// podSecurity is the level the Job's namespace enforces, read once per
// namespace with the GET the create's check makes. Not known (no cluster,
// no right to read the namespace, labels the plugin cannot parse): the
// wizard says nothing, as the create's check does.
func (w *Wizard) podSecurity(s *jobspec.Spec) nsSecurity {
	if w.cfg.Lookup == nil || w.cfg.NoCluster != "" {
		return nsSecurity{}
	}
	ns := w.namespace(s)
	if w.security == nil {
		w.security = map[string]nsSecurity{}
	}
	if cached, ok := w.security[ns]; ok {
		return cached
	}
	ctx, cancel := w.lookupCtx()
	p, ok := w.cfg.Lookup.PodSecurity(ctx, ns)
	cancel()
	var out nsSecurity
	if ok {
		if level, err := jobspec.ParsePodSecurityLevel(p.Level, p.Version); err == nil {
			out = nsSecurity{known: true, name: level.String(), level: level}
		}
	}
	w.security[ns] = out
	return out
}

// securityQuestion asks whether the pods meet the restricted level, with
// the settings that implies; yes is --security-profile restricted. It
// defaults to yes where the namespace enforces restricted or baseline,
// whose pods would be refused otherwise.
func (w *Wizard) securityQuestion(s *jobspec.Spec) error {
	sec := w.podSecurity(s)
	def := s.SecurityProfile == jobspec.ProfileRestricted || sec.enforces()
	if sec.enforces() {
		w.note(w.T("Namespace %s enforces Pod Security %q: pods that do not meet it are refused.", safe(w.namespace(s)), sec.name))
	}
	w.note(w.T("The restricted level (--security-profile restricted) sets, where you set nothing else:"))
	for _, line := range jobspec.RestrictedSettings {
		w.note("  " + w.t.Text(line))
	}
	for {
		yes, err := w.p.Confirm(Confirm{Message: w.T("Meet the Pod Security restricted level?"), Default: def,
			Help: w.T("The Pod Security Standards level hardened and multi-tenant clusters enforce; a value you gave is never changed.")})
		if err != nil {
			return err
		}
		if !yes {
			if s.SecurityProfile == jobspec.ProfileRestricted {
				s.SecurityProfile = ""
			}
			return nil
		}
		if err := w.explain(judge(s, func(c *jobspec.Spec) error {
			_, err := jobspec.ApplySecurityProfileFlag(c, string(jobspec.ProfileRestricted))
			return err
		}, "spec.template.spec"), false); err != nil {
			// A value given earlier (--privileged, ...) contradicts it.
			w.warn("✘ " + err.Error())
			def = false
			continue
		}
		_, err = jobspec.ApplySecurityProfileFlag(s, string(jobspec.ProfileRestricted))
		return err
	}
}

// isSidecar reports whether an init container is a native sidecar.
func isSidecar(c corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// sidecars adds native sidecars as --sidecar NAME=IMAGE does: an init
// container with restartPolicy Always, which runs beside the containers
// (a proxy, a log shipper) and is stopped when they end.
func (w *Wizard) sidecars(s *jobspec.Spec) error {
	for {
		msg := w.T("Add a sidecar (runs beside the containers until they end, e.g. a proxy)?")
		if slices.ContainsFunc(s.InitContainers, isSidecar) {
			msg = w.T("Add another sidecar?")
		}
		more, err := w.p.Confirm(Confirm{Message: msg,
			Help: w.T("A native sidecar: an init container with restartPolicy Always, as --sidecar NAME=IMAGE makes.")})
		if err != nil || !more {
			return err
		}
		if err := w.sidecar(s); err != nil {
			return err
		}
	}
}

func (w *Wizard) sidecar(s *jobspec.Spec) error {
	n := len(s.InitContainers)
	w.say(w.style(bold, "  "+w.T("Sidecar %d", n+1)))
	// The name is asked after the image, with one made of it.
	nameFor := func(image string) string {
		c := s.DeepCopy()
		c.InitContainers = append(c.InitContainers, corev1.Container{Image: image})
		return w.defaultContainerName(c, true, n)
	}
	img, err := w.input(w.T("Image"), "", w.T("The sidecar's image, e.g. envoyproxy/envoy:v1.31."), func(a string) error {
		return w.explain(judgeAdded(s, nameFor(a)+"="+a, jobspec.ApplySidecar), false)
	})
	if err != nil {
		return err
	}
	name, err := w.input(w.T("Container name"), nameFor(img), "", func(a string) error {
		if strings.Contains(a, "=") {
			return fmt.Errorf("%s", w.T("a sidecar's name has no '='"))
		}
		// A name already taken would replace that sidecar (as the flag
		// does); the wizard adds one, so it asks for another name.
		for _, cs := range [][]corev1.Container{s.Containers, s.InitContainers} {
			for _, c := range cs {
				if c.Name == a {
					return fmt.Errorf("%s", w.T("%s is the name of another container; each container needs its own", safe(a)))
				}
			}
		}
		return w.explain(judgeAdded(s, a+"="+img, jobspec.ApplySidecar), false)
	})
	if err != nil {
		return err
	}
	_, err = jobspec.ApplySidecar(s, name+"="+img)
	return err
}

// priorityClass asks the pods' PriorityClass: a pick from the cluster's,
// else (none, or no right to list them, which is said nothing of: tenants
// often may not) free text; Enter leaves it unset.
func (w *Wizard) priorityClass(s *jobspec.Spec) error {
	var names, descs []string
	if w.cfg.Lookup != nil && w.cfg.NoCluster == "" {
		ctx, cancel := w.lookupCtx()
		list, err := w.cfg.Lookup.PriorityClasses(ctx)
		cancel()
		if err == nil {
			for _, pc := range list {
				names = append(names, pc.Name)
				d := w.T("priority %s", pc.Value)
				if pc.GlobalDefault {
					d += ", " + w.T("the default of pods that name none")
				}
				descs = append(descs, d)
			}
		}
	}
	set := func(c *jobspec.Spec, a string) error {
		v, ok := optional(a)
		if !ok {
			c.PriorityClassName = ""
			return nil
		}
		_, err := jobspec.ApplyPriorityClass(c, v)
		return err
	}
	a, err := w.chooseName(w.T("Priority class (optional; Enter for none)"), s.PriorityClassName, names, descs, true, func(a string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { return set(c, a) }, "spec.template.spec.priorityClassName"), true)
	})
	if err != nil {
		return err
	}
	return set(s, a)
}

// podAnnotations asks the annotations of the pods alone (--pod-annotation),
// which tools that act on pods read: sidecar injection, safe-to-evict,
// metrics scraping.
func (w *Wizard) podAnnotations(s *jobspec.Spec) error {
	if err := w.keepKeys(w.T("Pod annotations to keep"), s.PodAnnotations); err != nil {
		return err
	}
	if len(s.PodAnnotations) == 0 {
		s.PodAnnotations = nil
	}
	return w.lineLoop(w.T("Pod annotation key=value (optional; Enter to finish)"),
		w.T("Annotations on the pods only, for tools that act on pods, e.g. sidecar.istio.io/inject=false or cluster-autoscaler.kubernetes.io/safe-to-evict=true."),
		jobspec.ApplyPodAnnotation, s)
}

// securityText shows a container's security settings as flags name them.
func securityText(sc *corev1.SecurityContext) string {
	if sc == nil {
		return ""
	}
	var parts []string
	b := func(name string, p *bool) {
		if p != nil {
			parts = append(parts, fmt.Sprintf("%s=%t", name, *p))
		}
	}
	b("privileged", sc.Privileged)
	b("allowPrivilegeEscalation", sc.AllowPrivilegeEscalation)
	b("readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem)
	b("runAsNonRoot", sc.RunAsNonRoot)
	if sc.RunAsUser != nil {
		parts = append(parts, fmt.Sprintf("runAsUser=%d", *sc.RunAsUser))
	}
	if c := sc.Capabilities; c != nil {
		for _, x := range c.Drop {
			parts = append(parts, "drop "+string(x))
		}
		for _, x := range c.Add {
			parts = append(parts, "add "+string(x))
		}
	}
	if t, ok := jobspec.FormatSeccompProfile(sc.SeccompProfile); ok {
		parts = append(parts, "seccompProfile="+t)
	}
	return strings.Join(parts, ", ")
}

// podSecurityText shows the pod's security settings.
func podSecurityText(sc *corev1.PodSecurityContext) string {
	if sc == nil {
		return ""
	}
	var parts []string
	id := func(name string, p *int64) {
		if p != nil {
			parts = append(parts, fmt.Sprintf("%s=%d", name, *p))
		}
	}
	if sc.RunAsNonRoot != nil {
		parts = append(parts, fmt.Sprintf("runAsNonRoot=%t", *sc.RunAsNonRoot))
	}
	id("runAsUser", sc.RunAsUser)
	id("runAsGroup", sc.RunAsGroup)
	id("fsGroup", sc.FSGroup)
	if t, ok := jobspec.FormatSeccompProfile(sc.SeccompProfile); ok {
		parts = append(parts, "seccompProfile="+t)
	}
	return strings.Join(parts, ", ")
}

// securitySummary adds the review's rows of the pod's security: the
// profile, and the settings the pods get (the profile's filled in).
func (w *Wizard) securitySummary(s *jobspec.Spec, add func(label, value string)) {
	add(w.T("Priority class"), s.PriorityClassName)
	if s.SecurityProfile != "" {
		add(w.T("Security profile"), string(s.SecurityProfile))
	}
	add(w.T("Pod security"), podSecurityText(s.Build().Spec.Template.Spec.SecurityContext))
}

// reviewPodSecurity judges the Job's pods against the level the namespace
// enforces, as the create will, and says what it would refuse. fixable is
// whether --security-profile restricted alone would make them pass.
func (w *Wizard) reviewPodSecurity(s *jobspec.Spec) (refused, fixable bool) {
	sec := w.podSecurity(s)
	if !sec.enforces() {
		return false, false
	}
	job := w.job(s)
	vs, err := jobspec.CheckPodSecurity(sec.level, &job.Spec.Template)
	if err != nil || len(vs) == 0 {
		return false, false
	}
	msg := w.T("Namespace %s enforces Pod Security %q, which would refuse every pod of this Job:", safe(w.namespace(s)), sec.name)
	if s.IsCronJob() {
		msg = w.T("Namespace %s enforces Pod Security %q, which would refuse every pod of this CronJob's Jobs:", safe(w.namespace(s)), sec.name)
	}
	w.say(w.style(yellow, msg))
	for _, v := range vs {
		what := v.Reason
		if v.Detail != "" {
			what += " (" + v.Detail + ")"
		}
		w.warn("✘ " + safe(what) + ": " + w.T("fix with %s", v.Fix))
	}
	spec := s
	if w.edited != nil {
		spec = jobspec.FromJob(w.edited)
	}
	return true, jobspec.ProfileFixes(sec.level, spec)
}
