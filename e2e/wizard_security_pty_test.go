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
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// wizardTerm is one run of the wizard binary on a pseudo-terminal.
type wizardTerm struct {
	t      *testing.T
	c      *expect.Console
	screen vt10x.Terminal
	cmd    *exec.Cmd
	stdout *testutil.LockedBuffer
}

func startWizard(ctx context.Context, t *testing.T, args ...string) *wizardTerm {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	screen := vt10x.New(vt10x.WithWriter(pts), vt10x.WithSize(160, 80))
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cmd := exec.CommandContext(ctx, followBinary(t), append([]string{"--kubeconfig=" + cluster.AdminKubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "LANG=en_US.UTF-8", "LC_ALL=", "XDG_STATE_HOME="+t.TempDir())
	w := &wizardTerm{t: t, c: c, screen: screen, cmd: cmd, stdout: &testutil.LockedBuffer{}}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), w.stdout, c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *wizardTerm) fail(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf(format+"\nscreen:\n%s", append(args, expect.StripTrailingEmptyLines(w.screen.String()))...)
}

func (w *wizardTerm) expect(text string) {
	w.t.Helper()
	if _, err := w.c.ExpectString(text); err != nil {
		w.fail("waiting for %q: %v", text, err)
	}
}

func (w *wizardTerm) answer(question, keys string) {
	w.t.Helper()
	w.expect("? " + question)
	testutil.Settle(w.c)
	if _, err := w.c.Send(keys); err != nil {
		w.t.Fatal(err)
	}
}

// enter answers each question with Enter, its default.
func (w *wizardTerm) enter(questions ...string) {
	w.t.Helper()
	for _, q := range questions {
		w.answer(q, "\r")
	}
}

// wait ends the run and returns the screen.
func (w *wizardTerm) wait() string {
	w.t.Helper()
	werr := w.cmd.Wait()
	w.c.Tty().Close()
	w.c.ExpectEOF()
	if werr != nil {
		w.fail("exit: %v\nstdout: %s", werr, w.stdout.String())
	}
	return expect.StripTrailingEmptyLines(w.screen.String())
}

// walkToSecurity answers steps 1 to 3 up to the security question: name,
// image, a PriorityClass picked from the cluster's, Enter elsewhere.
func (w *wizardTerm) walkToSecurity(name, priorityClass string) {
	w.t.Helper()
	w.answer("Name", name+"\r")
	w.enter("Namespace", "Alias", "Description", "Backoff limit", "Completions", "Parallelism", "Active deadline",
		"Advanced job settings", "Restart policy")
	w.answer("Image", "busybox:1.36\r")
	w.enter("Container name", "Requests", "Limits")
	// The command is asked for: echo hi.
	w.answer("Advanced options for container "+name, " \r")
	w.answer("Command", "echo hi\r")
	w.enter("Arguments", "Add another container?", "Add an init container", "Add a sidecar", "Service account")
	// A pick from the cluster's list, with the values; typing filters it,
	// Enter takes the match.
	w.expect("? Priority class")
	w.expect("priority 100")
	testutil.Settle(w.c)
	if _, err := w.c.Send(priorityClass + "\r"); err != nil {
		w.t.Fatal(err)
	}
}

// walkToReview answers steps 4 to 6, with one pod annotation.
func (w *wizardTerm) walkToReview() {
	w.t.Helper()
	w.enter("Add a volume?", "Label key=value", "Annotations to keep", "Annotation key=value")
	w.answer("Pod annotation", "sidecar.istio.io/inject=false\r")
	w.enter("Pod annotation", "Where may the pods run?", "Tolerations")
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
	w := startWizard(ctx, t, "-n", ns, quick)
	w.walkToSecurity("hard", "batch-"+ns)
	w.expect(`Namespace ` + ns + ` enforces Pod Security "restricted:latest"`)
	w.expect("runAsNonRoot: true (pod)")
	// Yes is the default: Enter takes it.
	w.answer("Meet the Pod Security restricted level? [? for help] (Y/n)", "\r")
	w.walkToReview()
	w.expect("Security profile")
	w.answer("What now?", "Create\r")
	w.answer("Follow the Job until it ends?", "\r")
	w.expect("The same without prompts:")
	screen := w.wait()
	if got := strings.TrimSpace(w.stdout.String()); got != "job.batch/hard created" {
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
	w.walkToSecurity("fixme", "") // Enter: (none)
	w.answer("Meet the Pod Security restricted level?", "n\r")
	w.walkToReview()
	w.expect(`Namespace ` + ns + ` enforces Pod Security "restricted:latest", which would refuse every pod of this Job:`)
	w.expect("fix with --security-profile restricted")
	w.expect("? What now?")
	w.expect("Apply the restricted profile")
	testutil.Settle(w.c)
	if strings.Contains(w.screen.String(), "send it to the cluster") {
		w.fail("Create is offered for pods the namespace refuses")
	}
	if _, err := w.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	// The review again, with the profile and now with Create.
	w.expect("Security profile")
	w.answer("What now?", "Create\r")
	w.answer("Follow the Job until it ends?", "\r")
	w.expect("The same without prompts:")
	screen := w.wait()
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
