package e2e

// kubectl finds the plugin on PATH and runs it: the real kubectl of this
// machine (v1.32; $KUBECTL overrides) lists it, shows its help, runs its
// version command and creates a Job through it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The build information the plugin of these tests is stamped with, as
// make stamps it through -ldflags -X.
const (
	stampVersion = "v0.0.0-e2e"
	stampCommit  = "e2e0123"
	stampDate    = "2026-01-02T03:04:05Z"
)

// repoRoot is the checkout these tests belong to.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// kubectlBinary is the real kubectl, resolved before any test changes PATH.
var kubectlBinary = sync.OnceValues(func() (string, error) {
	if k := os.Getenv("KUBECTL"); k != "" {
		return k, nil
	}
	return exec.LookPath("kubectl")
})

// pluginPath is a directory holding the plugin, built from this checkout
// with a stamped version, and the completion shim from plugins/: what a
// user puts on PATH. Built once per test run, into the ignored .cache.
var pluginPath = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(repoRoot(), ".cache", "e2e-path")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	pkg := "github.com/jobwizard/kubectl-job-wizard/pkg/cmd"
	ldflags := fmt.Sprintf("-X %s.Version=%s -X %s.Commit=%s -X %s.BuildDate=%s", pkg, stampVersion, pkg, stampCommit, pkg, stampDate)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(dir, "kubectl-job_wizard"), "./cmd/kubectl-job_wizard")
	cmd.Dir, cmd.Env = repoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	shim, err := os.ReadFile(filepath.Join(repoRoot(), "plugins", "kubectl_complete-job_wizard"))
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "kubectl_complete-job_wizard"), shim, 0o755)
})

// kubectlResult is one finished run of kubectl.
type kubectlResult struct {
	stdout, stderr string
	code           int
}

func (r kubectlResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// runKubectl runs the real kubectl with pathDirs first on PATH (then the
// system's directories, so no plugin of the machine interferes) and
// KUBECONFIG set: plugins get no --kubeconfig flag, and kubectl runs no
// plugin after a global flag.
func runKubectl(ctx context.Context, t *testing.T, pathDirs []string, env []string, args ...string) kubectlResult {
	t.Helper()
	kubectl, err := kubectlBinary()
	if err != nil {
		t.Fatalf("kubectl: %v", err)
	}
	path := strings.Join(append(pathDirs, filepath.Dir(kubectl), "/usr/local/bin", "/usr/bin", "/bin"), string(os.PathListSeparator))
	cmd := exec.CommandContext(ctx, kubectl, args...)
	cmd.Env = append(os.Environ(), "PATH="+path, "KUBECONFIG="+cluster.AdminKubeconfig, "HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := kubectlResult{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// kubectlWithPlugin runs kubectl with the plugin of this checkout on PATH.
func kubectlWithPlugin(ctx context.Context, t *testing.T, args ...string) kubectlResult {
	t.Helper()
	dir, err := pluginPath()
	if err != nil {
		t.Fatal(err)
	}
	return runKubectl(ctx, t, []string{dir}, nil, args...)
}

// kubectlContext bounds the kubectl runs of a test. The plugin is built
// first: its build, shared by every test and a minute or more on a busy
// machine, is no part of one test's bound.
func kubectlContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	if _, err := pluginPath(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestKubectlPluginList(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	dir, err := pluginPath()
	if err != nil {
		t.Fatal(err)
	}
	r := kubectlWithPlugin(ctx, t, "plugin", "list")
	if r.code != 0 {
		t.Fatalf("kubectl plugin list: %s", r)
	}
	want := filepath.Join(dir, "kubectl-job_wizard")
	if !strings.Contains(r.stdout, want+"\n") {
		t.Errorf("kubectl plugin list does not list %s:\n%s", want, r)
	}
	// kubectl warns of a plugin it cannot run or that another shadows;
	// the shim, named kubectl_complete-…, is not a plugin at all.
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.Contains(line, "job_wizard") || strings.Contains(line, "job-wizard") {
			t.Errorf("kubectl plugin list warns: %s", line)
		}
	}
	if strings.Contains(r.stdout, "kubectl_complete") {
		t.Errorf("the completion shim is listed as a plugin:\n%s", r.stdout)
	}
}

func TestKubectlPluginHelp(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	r := kubectlWithPlugin(ctx, t, "job-wizard", "--help")
	if r.code != 0 {
		t.Fatalf("kubectl job-wizard --help: %s", r)
	}
	for _, want := range []string{
		"Usage:\n  kubectl job-wizard [NAME] [flags] [-- COMMAND [ARG...]]",
		"kubectl job-wizard [command]",
		// The three examples: quick start, CI, dry-run export.
		"# The quick start",
		"\n  kubectl job-wizard\n",
		"--dry-run=client -o yaml",
		"# A CI step",
		"--wait --timeout=15m",
		"# Export a Job",
		"> job.yaml",
		"Use \"kubectl job-wizard [command] --help\"",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	// Every usage line says what the user types: never the bare root name.
	for _, line := range strings.Split(r.stdout, "\n") {
		if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "job-wizard ") {
			t.Errorf("help line without kubectl: %q", line)
		}
	}
	r = kubectlWithPlugin(ctx, t, "job-wizard", "version", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "kubectl job-wizard version [flags]") {
		t.Errorf("kubectl job-wizard version --help: %s", r)
	}
}

func TestKubectlPluginVersion(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	// The client-go the plugin is built with is go.mod's (a test binary
	// carries no module list of its own to compare with).
	gomod, err := os.ReadFile(filepath.Join(repoRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/client-go (v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod requires no k8s.io/client-go")
	}
	clientGo := string(m[1])
	r := kubectlWithPlugin(ctx, t, "job-wizard", "version", "-o", "json")
	if r.code != 0 {
		t.Fatalf("kubectl job-wizard version -o json: %s", r)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("version -o json is not a JSON object: %v\n%s", err, r.stdout)
	}
	want := map[string]string{
		"version":         stampVersion,
		"commit":          stampCommit,
		"buildDate":       stampDate,
		"goVersion":       runtime.Version(),
		"clientGoVersion": clientGo,
		"platform":        runtime.GOOS + "/" + runtime.GOARCH,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("version -o json: %s is %q, want %q", k, got[k], v)
		}
	}

	r = kubectlWithPlugin(ctx, t, "job-wizard", "version")
	if r.code != 0 {
		t.Fatalf("kubectl job-wizard version: %s", r)
	}
	for _, v := range want {
		if !strings.Contains(r.stdout, v) {
			t.Errorf("version does not show %q:\n%s", v, r.stdout)
		}
	}
	if r := kubectlWithPlugin(ctx, t, "job-wizard", "version", "-o", "xml"); r.code != 2 {
		t.Errorf("version -o xml: want exit 2 (bad input): %s", r)
	}
}

// TestKubectlPluginCreatesJob runs a create through kubectl: kubectl hands
// the plugin its arguments and environment (KUBECONFIG), and the plugin
// reaches the cluster.
func TestKubectlPluginCreatesJob(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	r := kubectlWithPlugin(ctx, t, "job-wizard", "pi", "-n", ns, "--image=perl:5.28.0", "--", "perl", "-e", "print 1")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "job.batch/pi created" {
		t.Fatalf("kubectl job-wizard pi: %s", r)
	}
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "pi", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := job.Spec.Template.Spec.Containers; len(c) != 1 || c[0].Image != "perl:5.28.0" ||
		strings.Join(c[0].Command, " ") != "perl -e print 1" {
		t.Errorf("created containers %+v", c)
	}
}
