// Package kueue tests kubectl job-wizard against the real Kueue manager
// (internal/testkueue) on a real control plane, both started once for the
// package by TestMain. `make test-kueue` runs it.
package kueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
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

// pluginBinary is the plugin, built into a cache folder of its own so that
// it never races with ./e2e's build.
func pluginBinary(t *testing.T) string {
	t.Helper()
	return testcluster.PluginBinary(t, "e2e-kueue")
}

// result is one finished run of the plugin.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// running is a plugin process a test reads while it runs.
type running struct {
	cmd            *exec.Cmd
	stdout, stderr *testutil.LockedBuffer
}

// start runs the plugin with args as the cluster's admin, without a
// terminal, drafts in a folder of the test.
func start(ctx context.Context, t *testing.T, args ...string) *running {
	t.Helper()
	cmd := exec.CommandContext(ctx, pluginBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cluster.AdminKubeconfig, "XDG_STATE_HOME="+t.TempDir(), "NO_COLOR=1")
	r := &running{cmd: cmd, stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}}
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
