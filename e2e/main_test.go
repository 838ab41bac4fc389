// Package e2e tests kubectl job-wizard against a real control plane started
// once for the whole package by TestMain (see internal/testcluster).
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// cluster is shared by every test of the package. Tests isolate themselves
// with cluster.Namespace(t) rather than starting clusters of their own;
// only those that stop the API server do (restartCluster), so that this
// one is never restarted.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("JOBWIZARD_E2E") == "0" {
		fmt.Println("e2e: JOBWIZARD_E2E=0, skipping all end-to-end tests (no control plane started)")
		return 0
	}
	// Generous: on a fresh machine this includes building the control plane
	// (about 10 minutes on 2 cores). go test's -timeout only starts in m.Run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := testcluster.Start(ctx, testcluster.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: cannot start the test cluster: %v\n", err)
		fmt.Fprintln(os.Stderr, "e2e: set JOBWIZARD_E2E=0 to skip the end-to-end tests")
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: cluster %s ready in %.1fs (files in %s)\n", c.Server(), time.Since(start).Seconds(), c.Dir)
	cluster = c
	// Deferred calls do not run after os.Exit, hence runTests; a test that
	// panics skips this too, but the processes die with the test binary.
	code := 0
	defer func() {
		if code != 0 {
			c.KeepDir()
			fmt.Fprintf(os.Stderr, "e2e: tests failed; control-plane logs and audit log kept in %s\n", c.Dir)
		}
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stopping the test cluster: %v\n", err)
		}
	}()
	code = m.Run()
	return code
}
