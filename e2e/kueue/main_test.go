// Package kueue tests kubectl job-wizard against the real Kueue manager
// (internal/testkueue) on a real control plane, both started once for the
// package by TestMain. `make test-kueue` runs it.
package kueue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

var (
	cluster *testcluster.Cluster
	kq      *testkueue.Kueue
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("JOBWIZARD_E2E") == "0" {
		fmt.Println("e2e/kueue: JOBWIZARD_E2E=0, skipping (no control plane started)")
		return 0
	}
	// Generous: a fresh machine builds the control plane and Kueue first.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	c, err := testcluster.Start(ctx, testcluster.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/kueue: FAIL: cannot start the test cluster: %v\n", err)
		return 1
	}
	code := 1
	defer func() {
		if code != 0 {
			c.KeepDir()
			fmt.Fprintf(os.Stderr, "e2e/kueue: tests failed; logs (kueue/kueue.log, audit.log) kept in %s\n", c.Dir)
		}
		if kq != nil {
			_ = kq.Stop()
		}
		_ = c.Stop()
	}()
	k, err := testkueue.Start(ctx, c, testkueue.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/kueue: FAIL: cannot start Kueue: %v\n", err)
		return 1
	}
	cluster, kq = c, k
	code = m.Run()
	if code == 0 && !k.Running() {
		fmt.Fprintf(os.Stderr, "e2e/kueue: FAIL: the Kueue manager exited during the tests:\n%s\n", k.LogTail(30))
		code = 1
	}
	return code
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// pluginBinary builds the plugin once per test binary, into a folder of
// its own so that it never races with ./e2e's build.
func pluginBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		binPath = filepath.Join(root, ".cache", "e2e-kueue", "kubectl-job_wizard")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/kubectl-job_wizard")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// result is one finished run of the plugin.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// syncBuffer is a bytes.Buffer a test may read while the process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// running is a plugin process a test reads while it runs.
type running struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
}

// start runs the plugin with args as the cluster's admin, without a
// terminal, drafts in a folder of the test.
func start(ctx context.Context, t *testing.T, args ...string) *running {
	t.Helper()
	cmd := exec.CommandContext(ctx, pluginBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cluster.AdminKubeconfig, "XDG_STATE_HOME="+t.TempDir(), "NO_COLOR=1")
	r := &running{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *running) wait(t *testing.T) result {
	t.Helper()
	err := r.cmd.Wait()
	res := result{stdout: r.stdout.String(), stderr: r.stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	default:
		t.Fatalf("%v: %v", r.cmd.Args, err)
	}
	return res
}

// waitOutput waits until the plugin's output holds want.
func (r *running) waitOutput(ctx context.Context, t *testing.T, want string) {
	t.Helper()
	for !strings.Contains(r.stdout.String()+r.stderr.String(), want) {
		select {
		case <-ctx.Done():
			t.Fatalf("output never held %q:\n--- stdout:\n%s--- stderr:\n%s", want, r.stdout, r.stderr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func run(ctx context.Context, t *testing.T, args ...string) result {
	t.Helper()
	return start(ctx, t, args...).wait(t)
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// queues makes a ResourceFlavor, a ClusterQueue of that quota and a
// LocalQueue "lq" in a new namespace, all named after the test, and returns
// the namespace.
func queues(ctx context.Context, t *testing.T, cq testkueue.ClusterQueue) (ns string) {
	t.Helper()
	ns = cluster.Namespace(t)
	if cq.Name == "" {
		cq.Name = ns
	}
	if cq.Flavor == "" {
		cq.Flavor = ns
	}
	if err := kq.ResourceFlavor(ctx, cq.Flavor); err != nil {
		t.Fatal(err)
	}
	if err := kq.ClusterQueue(ctx, cq); err != nil {
		t.Fatal(err)
	}
	if err := kq.LocalQueue(ctx, ns, "lq", cq.Name, true); err != nil {
		t.Fatal(err)
	}
	return ns
}
