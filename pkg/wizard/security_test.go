package wizard

import (
	"context"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// The fakeLookup of the other tests knows no Pod Security level and no
// PriorityClass, as a cluster that may not be read.
func (f *fakeLookup) PodSecurity(context.Context, string) (lookup.PodSecurity, bool) {
	return lookup.PodSecurity{}, false
}
func (f *fakeLookup) PriorityClasses(context.Context) ([]lookup.PriorityClass, error) {
	return nil, errForbidden
}

type forbidden struct{}

func (forbidden) Error() string { return "priorityclasses.scheduling.k8s.io is forbidden" }

var errForbidden error = forbidden{}

// hardLookup is a cluster whose namespaces enforce a Pod Security level
// and which lists PriorityClasses.
type hardLookup struct {
	*fakeLookup
	levels  map[string]string // namespace → enforced level
	classes []lookup.PriorityClass
	gets    int
}

func (h *hardLookup) PodSecurity(_ context.Context, ns string) (lookup.PodSecurity, bool) {
	h.gets++
	l, ok := h.levels[ns]
	if !ok {
		return lookup.PodSecurity{}, false
	}
	return lookup.PodSecurity{Level: l, Version: "latest"}, true
}
func (h *hardLookup) PriorityClasses(context.Context) ([]lookup.PriorityClass, error) {
	return h.classes, nil
}

const (
	qSecurity      = "Meet the Pod Security restricted level?"
	qAddSidecar    = "Add a sidecar (runs beside the containers until they end, e.g. a proxy)?"
	qAddSidecar2   = "Add another sidecar?"
	qPriority      = "Priority class (optional; Enter for none)"
	qPodAnnotation = "Pod annotation key=value (optional; Enter to finish)"
	fixLabel       = "Apply the restricted profile"
)

// TestHardenedPodWithoutCluster: the new answers of step 3 and 5 go
// through the flags' appliers, and the equivalent command carries every
// one (walk checks that it rebuilds the same Job).
func TestHardenedPodWithoutCluster(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qAddSidecar:    {true},
		qAddSidecar2:   {false},
		qImage:         {"busybox:1.36", "envoyproxy/envoy:v1.31"},
		qContainerName: {"", "report", "proxy"},
		qPriority:      {"High_Priority", "high-priority"},
		qSecurity:      {true},
		qPodAnnotation: {"bad annotation", "sidecar.istio.io/inject=false", ""},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qContainerName, "another container")
	wantRejected(t, r, qPriority, "DNS-1123 subdomain")
	wantRejected(t, r, qPodAnnotation, "KEY=VALUE")
	pod := job.Spec.Template.Spec
	if len(pod.InitContainers) != 1 || pod.InitContainers[0].Name != "proxy" || !isSidecar(pod.InitContainers[0]) {
		t.Errorf("sidecar: %+v", pod.InitContainers)
	}
	if pod.PriorityClassName != "high-priority" || job.Spec.Template.Annotations["sidecar.istio.io/inject"] != "false" {
		t.Errorf("pod: %+v, annotations %v", pod, job.Spec.Template.Annotations)
	}
	if sc := pod.SecurityContext; sc == nil || !*sc.RunAsNonRoot || *pod.InitContainers[0].SecurityContext.AllowPrivilegeEscalation {
		t.Errorf("the profile did not reach every container: %+v", pod)
	}
	for _, want := range []string{"--sidecar=proxy=envoyproxy/envoy:v1.31", "--priority-class=high-priority",
		"--security-profile=restricted", "--pod-annotation=sidecar.istio.io/inject=false"} {
		if !strings.Contains(r.res.Command, want) {
			t.Errorf("the command lacks %s: %s", want, r.res.Command)
		}
	}
	out := r.out.String()
	for _, want := range []string{"runAsNonRoot: true (pod)", "capabilities: drop ALL (every container)",
		"Sidecar proxy", "Security profile", "restricted", "Pod security", "runAsNonRoot=true, seccompProfile=RuntimeDefault",
		"allowPrivilegeEscalation=false, drop ALL", "Priority class", "Pod annotation"} {
		if !strings.Contains(out, want) {
			t.Errorf("the walk does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "enforces Pod Security") {
		t.Errorf("without a cluster the wizard knows no level:\n%s", out)
	}
}

// TestSecurityDefaultsToTheNamespaceLevel: where the namespace enforces
// restricted or baseline the question defaults to yes (Enter); elsewhere,
// and where the level cannot be read, to no, and nothing is said.
func TestSecurityDefaultsToTheNamespaceLevel(t *testing.T) {
	for _, tc := range []struct {
		level   string // "" is a namespace that cannot be read
		profile bool
	}{{"restricted", true}, {"baseline", true}, {"privileged", false}, {"", false}} {
		l := &hardLookup{fakeLookup: &fakeLookup{}, levels: map[string]string{}}
		if tc.level != "" {
			l.levels["hard"] = tc.level
		}
		r := walk(t, nil, base(map[string][]any{qNamespace: {"hard"}, qWhatNow: {"Create"}}), withLookup(l))
		job := mustWalk(t, r)
		got := job.Spec.Template.Spec.SecurityContext != nil
		if got != tc.profile || (r.res.Spec.SecurityProfile == jobspec.ProfileRestricted) != tc.profile {
			t.Errorf("level %q: profile %v, want %v", tc.level, got, tc.profile)
		}
		said := strings.Contains(r.out.String(), "enforces Pod Security")
		if said != (tc.level == "restricted" || tc.level == "baseline") {
			t.Errorf("level %q: said %v:\n%s", tc.level, said, r.out.String())
		}
		// One read of the namespace serves the question and the review.
		if l.gets != 1 {
			t.Errorf("level %q: %d reads of the namespace", tc.level, l.gets)
		}
	}
}

// TestReviewOffersTheProfileFix: declined at step 3 in a namespace
// enforcing restricted, the review says what would be refused, does not
// offer Create, and offers the fix in one answer; after it Create is back.
func TestReviewOffersTheProfileFix(t *testing.T) {
	l := &hardLookup{fakeLookup: &fakeLookup{}, levels: map[string]string{"hard": "restricted"}}
	r := walk(t, nil, base(map[string][]any{
		qNamespace: {"hard"},
		qSecurity:  {false},
		qWhatNow:   {fixLabel, "Create"},
	}), withLookup(l))
	job := mustWalk(t, r)
	if r.res.Action != ActionCreate || r.res.Spec.SecurityProfile != jobspec.ProfileRestricted || !*job.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Fatalf("after the fix: %v %+v", r.res.Action, job.Spec.Template.Spec)
	}
	out := r.out.String()
	for _, want := range []string{`Namespace hard enforces Pod Security "restricted:latest", which would refuse every pod of this Job:`,
		"allowPrivilegeEscalation != false", "fix with --security-profile restricted"} {
		if !strings.Contains(out, want) {
			t.Errorf("the review does not say %q:\n%s", want, out)
		}
	}
	if !strings.Contains(r.res.Command, "--security-profile=restricted") {
		t.Errorf("command %s", r.res.Command)
	}
	// The first review offered the fix first and no Create.
	if opts := r.fake.seen[qWhatNow]; slices.Contains(opts, "Create") == false {
		t.Errorf("the last review does not offer Create: %q", opts)
	}
}

// TestReviewWithoutAFixOffersNoCreate: a privileged container cannot be
// fixed by the profile: the review names the flag to change and offers no
// Create, unless --skip-pod-security-check was given.
func TestReviewWithoutAFixOffersNoCreate(t *testing.T) {
	for _, skip := range []bool{false, true} {
		l := &hardLookup{fakeLookup: &fakeLookup{}, levels: map[string]string{"hard": "baseline"}}
		spec := fromArgs(t, "report --image busybox:1.36 --privileged -n hard")
		answers := map[string][]any{qSecurity: {true}, qWhatNow: {"Print YAML"}}
		r := walk(t, spec, answers, withLookup(l), func(c *Config) { c.SkipPodSecurityCheck = skip })
		mustWalk(t, r)
		// Yes contradicts --privileged: told and asked again (the default
		// then is no).
		if !strings.Contains(r.out.String(), "contradicts another value you gave") {
			t.Errorf("the contradiction is not told:\n%s", r.out.String())
		}
		opts := r.fake.seen[qWhatNow]
		if slices.Contains(opts, fixLabel) || slices.Contains(opts, "Create") != skip {
			t.Errorf("skip %v: review options %q", skip, opts)
		}
		if !strings.Contains(r.out.String(), "leave out --privileged") {
			t.Errorf("the review does not name the flag:\n%s", r.out.String())
		}
	}
}

// TestPriorityClassesFromTheCluster: the cluster's PriorityClasses are
// offered with their value; (none) leaves it unset.
func TestPriorityClassesFromTheCluster(t *testing.T) {
	l := &hardLookup{fakeLookup: &fakeLookup{}, classes: []lookup.PriorityClass{
		{Name: "batch-low", Value: "100"}, {Name: "standard", Value: "1000", GlobalDefault: true}}}
	r := walk(t, nil, base(map[string][]any{qPriority: {"batch-low"}}), withLookup(l))
	job := mustWalk(t, r)
	if job.Spec.Template.Spec.PriorityClassName != "batch-low" {
		t.Errorf("priority class %q", job.Spec.Template.Spec.PriorityClassName)
	}
	if got := r.fake.seen[qPriority]; !slices.Equal(got, []string{"(none)", "batch-low", "standard", "Another name…"}) {
		t.Errorf("options %q", got)
	}
	// Forbidden: free text, and nothing is said.
	r = walk(t, nil, base(map[string][]any{qPriority: {"urgent"}}), withLookup(&fakeLookup{}))
	if job := mustWalk(t, r); job.Spec.Template.Spec.PriorityClassName != "urgent" || strings.Contains(r.out.String(), "priority classes") {
		t.Errorf("free text: %q\n%s", job.Spec.Template.Spec.PriorityClassName, r.out.String())
	}
}

// TestHardenedPodFromManifestKeeps: a manifest's sidecar, pod annotations,
// priority class and profile-free securityContext are the defaults, and
// Enter keeps them.
func TestHardenedPodFromManifestKeeps(t *testing.T) {
	spec := fromArgs(t, "report --image busybox:1.36 --sidecar proxy=envoy:1 --pod-annotation a.io/x=1 --priority-class high --security-profile restricted --run-as-user 1000")
	r := walk(t, spec, map[string][]any{qWhatNow: {"Print YAML"}})
	job := mustWalk(t, r)
	pod := job.Spec.Template.Spec
	if len(pod.InitContainers) != 1 || pod.PriorityClassName != "high" || job.Spec.Template.Annotations["a.io/x"] != "1" ||
		*pod.SecurityContext.RunAsUser != 1000 || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("Enter changed the Job: %+v", job.Spec.Template)
	}
	if !strings.Contains(r.out.String(), "Sidecar 1") {
		t.Errorf("the sidecar is not called one:\n%s", r.out.String())
	}
}

// TestHardenedPodInChinese: the new questions and the review's Pod
// Security lines are asked and said in Chinese.
func TestHardenedPodInChinese(t *testing.T) {
	l := &hardLookup{fakeLookup: &fakeLookup{}, levels: map[string]string{"hard": "restricted"}}
	zh := i18n.New(i18n.Chinese)
	r := walk(t, nil, map[string][]any{
		zh.T("Name (Enter: after the image)"):           {"report"},
		zh.T("Namespace (optional)"):                    {"hard"},
		zh.T("Image"):                                   {"busybox:1.36"},
		zh.T("Meet the Pod Security restricted level?"): {false},
		zh.T("What now?"):                               {zh.T("Apply the restricted profile"), zh.T("Print YAML")},
	}, withLookup(l), withLang(i18n.Chinese))
	job := mustWalk(t, r)
	if job.Spec.Template.Spec.SecurityContext == nil {
		t.Error("the fix was not applied")
	}
	for _, q := range []string{"Meet the Pod Security restricted level?", "Add a sidecar (runs beside the containers until they end, e.g. a proxy)?",
		"Priority class (optional; Enter for none)", "Pod annotation key=value (optional; Enter to finish)"} {
		if !slices.Contains(r.fake.asked, zh.T(q)) || zh.T(q) == q {
			t.Errorf("not asked in Chinese: %q", q)
		}
	}
	if out := r.out.String(); !strings.Contains(out, zh.T("The restricted level (--security-profile restricted) sets, where you set nothing else:")) {
		t.Errorf("the settings are not shown in Chinese:\n%s", out)
	}
	_ = corev1.ContainerRestartPolicyAlways
}

// TestCronJobReviewOffersTheProfileFix: a CronJob's pods are judged too;
// the fix reaches its jobTemplate, and the command carries it.
func TestCronJobReviewOffersTheProfileFix(t *testing.T) {
	l := &hardLookup{fakeLookup: &fakeLookup{}, levels: map[string]string{"hard": "restricted"}}
	spec := fromArgs(t, "report --image busybox:1.36 --schedule @hourly -n hard")
	r := walk(t, spec, map[string][]any{qSecurity: {false}, qWhatNow: {fixLabel, "Create"}}, withLookup(l))
	if r.err != nil {
		t.Fatalf("walk: %v\n%s", r.err, r.out)
	}
	if r.res.CronJob == nil {
		t.Fatalf("no CronJob: %+v", r.res)
	}
	if sc := r.res.CronJob.Spec.JobTemplate.Spec.Template.Spec.SecurityContext; sc == nil || !*sc.RunAsNonRoot {
		t.Errorf("the fix did not reach the jobTemplate: %+v", r.res.CronJob.Spec.JobTemplate.Spec.Template.Spec)
	}
	if !strings.Contains(r.out.String(), "would refuse every pod of this CronJob's Jobs") || !strings.Contains(r.res.Command, "--security-profile=restricted") {
		t.Errorf("review:\n%s\ncommand %s", r.out.String(), r.res.Command)
	}
}
