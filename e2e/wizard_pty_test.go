package e2e

// The wizard on a real terminal against the real control plane: its choices
// come from the cluster (namespaces, ConfigMaps, Secrets' key names, service
// accounts) and Create sends the Job.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

func TestWizardChoicesFromTheClusterAndCreate(t *testing.T) {
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app-config"},
		Data: map[string]string{"app.yaml": "a: 1", "log.yaml": "level: debug"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		StringData: map[string]string{"password": "s3cret-value", "user": "app"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "runner"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	screen := vt10x.New(vt10x.WithWriter(pts), vt10x.WithSize(120, 60))
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	state := t.TempDir()
	cmd := exec.CommandContext(ctx, followBinary(t), "--kubeconfig="+cluster.AdminKubeconfig, "-n", ns)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "LANG=en_US.UTF-8", "LC_ALL=", "XDG_STATE_HOME="+state)
	stdout := &testutil.LockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), stdout, c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nscreen:\n%s", append(args, expect.StripTrailingEmptyLines(screen.String()))...)
	}
	answer := func(question, keys string) {
		t.Helper()
		if _, err := c.ExpectString("? " + question); err != nil {
			fail("waiting for %q: %v", question, err)
		}
		testutil.Settle(c)
		if _, err := c.Send(keys); err != nil {
			t.Fatal(err)
		}
	}
	answer("Run once (Job) or on a schedule (CronJob)?", "\r")
	answer("Name", "wiz\r")
	// The namespace is a pick from the cluster's list, on -n's.
	answer("Namespace", "\r")
	for _, q := range []string{"Alias", "Description", "Backoff limit", "Completions", "Parallelism", "Active deadline",
		"Advanced job settings", "Restart policy"} {
		answer(q, "\r")
	}
	answer("Image", "busybox:1.36\r")
	for _, q := range []string{"Container name", "Requests", "Limits"} {
		answer(q, "\r")
	}
	// Down to "Environment variables", pick it.
	answer("Advanced options for container wiz", "\x1b[B\x1b[B \r")
	// Typing filters a list; Enter takes the first match.
	answer("Add an environment variable?", "One key of a Secret\r")
	answer("Secret", "db\r")
	answer("Key", "password\r")
	answer("Variable name", "DB_PASSWORD\r")
	answer("Add another environment variable?", "\r")
	answer("Add another container?", "\r")
	answer("Add an init container", "\r")
	answer("Add a sidecar", "\r")
	answer("Service account", "runner\r")
	answer("Priority class", "\r")
	answer("Meet the Pod Security restricted level", "\r")
	answer("Add a volume?", "ConfigMap\r")
	answer("ConfigMap", "app-config\r")
	answer("Which keys become files?", "\r")
	answer("Volume name", "\r")
	answer("Mount path in the container", "/etc/app\r")
	answer("Read-only?", "\r")
	answer("Sub path", "\r")
	for _, q := range []string{"Add another volume?", "Label key=value", "Annotation", "Pod annotation", "Where may the pods run?", "Tolerations"} {
		answer(q, "\r")
	}
	answer("What now?", "Create\r")
	// Following is offered, Enter says yes: the test kubelet runs the pod
	// and the wizard's run ends when the Job is Complete.
	answer("Follow the Job until it ends?", "\r")
	if _, err := c.ExpectString("The same without prompts:"); err != nil {
		fail("no equivalent command: %v", err)
	}
	werr := cmd.Wait()
	c.Tty().Close()
	c.ExpectEOF()
	if werr != nil {
		fail("exit: %v\nstdout: %s", werr, stdout.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != "job.batch/wiz created" {
		t.Errorf("stdout: %q", got)
	}
	text := expect.StripTrailingEmptyLines(screen.String())
	if strings.Contains(text, "s3cret-value") {
		t.Error("a Secret's value reached the screen")
	}

	job, err := cs.BatchV1().Jobs(ns).Get(ctx, "wiz", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod := job.Spec.Template.Spec
	c0 := pod.Containers[0]
	if pod.ServiceAccountName != "runner" || c0.Image != "busybox:1.36" || len(c0.Env) != 1 ||
		c0.Env[0].ValueFrom.SecretKeyRef.Name != "db" || c0.Env[0].ValueFrom.SecretKeyRef.Key != "password" ||
		pod.Volumes[0].ConfigMap.Name != "app-config" || c0.VolumeMounts[0].MountPath != "/etc/app" || !c0.VolumeMounts[0].ReadOnly {
		t.Errorf("created Job: %+v", pod)
	}
	// The command printed would create the same Job again.
	if flat := strings.ReplaceAll(text, "\n", ""); !strings.Contains(flat, "--env-value-from=DB_PASSWORD=secret:db:password") || !strings.Contains(flat, "--wait") {
		t.Errorf("command on screen:\n%s", text)
	}
	if files, _ := filepath.Glob(filepath.Join(state, "kubectl-job-wizard", "*")); len(files) != 0 {
		t.Errorf("a successful create left drafts: %v", files)
	}
}
