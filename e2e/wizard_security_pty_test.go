package e2e

// The wizard in a namespace enforcing Pod Security restricted, on a real
// terminal against the real control plane: the security question defaults
// to yes there, the Job is created and completes under the follow (the
// test kubelet runs its pod); declined, the review says what would be
// refused and offers the fix in one answer.

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// startWizard runs the wizard binary on a terminal against the cluster.
func startWizard(ctx context.Context, t *testing.T, args ...string) *testutil.Walk {
	t.Helper()
	cmd := exec.CommandContext(ctx, followBinary(t), append([]string{"--kubeconfig=" + cluster.AdminKubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES=", "XDG_STATE_HOME="+t.TempDir())
	return testutil.StartWalk(t, cmd)
}

// hardAnswers are a walk's answers by the start of their question, each
// used in turn; a question with none left, or none at all, gets Enter.
type hardAnswers map[string][]string

// walk answers every question to the end of the run; check, when set, sees
// each question first (with the lines below it) and may answer it itself
// by returning the keys.
func walk(ctx context.Context, w *testutil.Walk, answers hardAnswers, check func(q string, below []string) (string, bool)) {
	w.T.Helper()
	for {
		q, below, ok := w.Next(ctx)
		if !ok {
			return
		}
		if check != nil {
			if keys, ok := check(q, below); ok {
				w.Send(keys)
				continue
			}
		}
		keys := "\r"
		for start, queue := range answers {
			if strings.HasPrefix(q, "? "+start) && len(queue) > 0 {
				keys, answers[start] = queue[0], queue[1:]
				break
			}
		}
		w.Send(keys)
	}
}

// hardWalk is the walk of both tests: the name, the image and a command,
// a PriorityClass picked from the cluster's, a pod annotation, Create and
// the follow (Enter: yes); Enter elsewhere.
func hardWalk(name, priorityClass string) hardAnswers {
	return hardAnswers{
		"Name":                           {name + "\r"},
		"Image":                          {"busybox:1.36\r"},
		"Advanced options for container": {" \r"}, // Command and arguments
		"Command":                        {"echo hi\r"},
		"Priority class":                 {priorityClass + "\r"},
		"Pod annotation":                 {"sidecar.istio.io/inject=false\r"},
	}
}

func restrictedWithPriorityClass(ctx context.Context, t *testing.T) string {
	t.Helper()
	ns := cluster.Namespace(t)
	enforce(ctx, t, ns, "restricted")
	pcs := cluster.Clientset().SchedulingV1().PriorityClasses()
	name := "batch-" + ns
	if _, err := pcs.Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 100,
		Description: "low batch"}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pcs.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return ns
}

// TestWizardRestrictedNamespacePTY: the security question defaults to yes
// in a namespace enforcing restricted (Enter); the Job is created with the
// profile, the picked PriorityClass and the pod annotation, and completes.
func TestWizardRestrictedNamespacePTY(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := restrictedWithPriorityClass(ctx, t)
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	w := startWizard(ctx, t, "-n", ns, quick)
	sawQuestion, sawClasses := false, false
	walk(ctx, w, hardWalk("hard", "batch-"+ns), func(q string, below []string) (string, bool) {
		switch {
		case strings.HasPrefix(q, "? Priority class"):
			// A pick from the cluster's list, with the values.
			opts, _ := testutil.Options(below)
			sawClasses = slices.Contains(opts, "batch-"+ns+" - priority 100")
			if !sawClasses {
				w.Fail("priority class options %q", opts)
			}
		case strings.HasPrefix(q, "? Meet the Pod Security restricted level?"):
			// Yes is the default here: Enter takes it.
			sawQuestion = true
			if !strings.Contains(q, "(Y/n)") {
				w.Fail("the security question does not default to yes: %q", q)
			}
			return "\r", true
		case strings.HasPrefix(q, "? What now?"):
			return "Create\r", true
		}
		return "", false
	})
	if err := w.Exit(ctx); err != nil {
		w.Fail("exit: %v\nstdout: %s", err, w.Stdout)
	}
	screen := w.Text()
	if !sawQuestion || !sawClasses {
		w.Fail("the security question (%v) or the priority classes (%v) were not asked", sawQuestion, sawClasses)
	}
	for _, want := range []string{`Namespace ` + ns + ` enforces Pod Security "restricted:latest"`, "runAsNonRoot: true (pod)",
		"Security profile", "The same without prompts:"} {
		if !strings.Contains(screen, want) {
			w.Fail("the screen does not show %q", want)
		}
	}
	if got := strings.TrimSpace(w.Stdout.String()); got != "job.batch/hard created" {
		t.Errorf("stdout: %q", got)
	}
	if strings.Contains(screen, "would refuse every pod") {
		t.Errorf("the review found a refusal:\n%s", screen)
	}
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "hard", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod := job.Spec.Template.Spec
	if pod.SecurityContext == nil || !*pod.SecurityContext.RunAsNonRoot || *pod.Containers[0].SecurityContext.AllowPrivilegeEscalation ||
		pod.PriorityClassName != "batch-"+ns || job.Spec.Template.Annotations["sidecar.istio.io/inject"] != "false" {
		t.Errorf("created Job: %+v %v", pod, job.Spec.Template.Annotations)
	}
	if job.Status.Succeeded != 1 {
		t.Errorf("the Job did not complete: %+v", job.Status)
	}
	// The question, the review's check and the create's check share the
	// level the command read: one GET of the namespace (FIGURE).
	nsGets, err := cluster.AuditEventsSince(mark, func(e testcluster.AuditEvent) bool {
		return testcluster.ByUserAgentPrefix("kubectl-job-wizard/")(e) && e.Verb == "get" && e.Resource() == "namespaces" && e.ObjectRef.Name == ns
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE wizard_namespace_gets=%d", len(nsGets))
	if len(nsGets) != 1 {
		t.Errorf("%d GETs of namespace %s, want 1: %v", len(nsGets), ns, nsGets)
	}
	flat := strings.ReplaceAll(screen, "\n", "")
	for _, want := range []string{"--security-profile=restricted", "--priority-class=batch-" + ns, "--pod-annotation=sidecar.istio.io/inject=false", "--wait"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the command lacks %s:\n%s", want, screen)
		}
	}
}

// TestWizardReviewFixPTY: the profile declined in a namespace enforcing
// restricted, the review names what the namespace would refuse, offers no
// Create, and the fix is one answer (Enter, its first choice); then the
// Job is created and completes.
func TestWizardReviewFixPTY(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := restrictedWithPriorityClass(ctx, t)
	w := startWizard(ctx, t, "-n", ns, quick)
	reviews := 0
	answers := hardWalk("fixme", "") // Enter at the priority class: (none)
	answers["Meet the Pod Security restricted level?"] = []string{"n\r"}
	walk(ctx, w, answers, func(q string, below []string) (string, bool) {
		if !strings.HasPrefix(q, "? What now?") {
			return "", false
		}
		reviews++
		opts, current := testutil.Options(below)
		if reviews == 1 {
			// The fix is the first choice, and Create is not offered.
			if current != "Apply the restricted profile" || slices.ContainsFunc(opts, func(o string) bool { return strings.HasPrefix(o, "Create") }) {
				w.Fail("first review: options %q, on %q", opts, current)
			}
			return "\r", true
		}
		if !slices.ContainsFunc(opts, func(o string) bool { return strings.HasPrefix(o, "Create") }) {
			w.Fail("the review after the fix does not offer Create: %q", opts)
		}
		return "Create\r", true
	})
	if err := w.Exit(ctx); err != nil {
		w.Fail("exit: %v\nstdout: %s", err, w.Stdout)
	}
	screen := w.Text()
	if reviews != 2 {
		w.Fail("%d reviews, want 2", reviews)
	}
	for _, want := range []string{`Namespace ` + ns + ` enforces Pod Security "restricted:latest", which would refuse every pod of this Job:`,
		"fix with --security-profile restricted", "Security profile"} {
		if !strings.Contains(screen, want) {
			w.Fail("the screen does not show %q", want)
		}
	}
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "fixme", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sc := job.Spec.Template.Spec.SecurityContext; sc == nil || !*sc.RunAsNonRoot || job.Status.Succeeded != 1 {
		t.Errorf("created Job: %+v %+v", job.Spec.Template.Spec, job.Status)
	}
	if !strings.Contains(strings.ReplaceAll(screen, "\n", ""), "--security-profile=restricted") {
		t.Errorf("the command lacks the profile:\n%s", screen)
	}
}
