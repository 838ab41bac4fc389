// Package kwok tests the follow-through on Jobs of hundreds of pods: a real
// control plane (internal/testcluster, without its test kubelet) and kwok's
// fake node (internal/testkwok) that runs every pod given its nodeName. The
// sizes are bounded so that `make test` stays quick; the big ones and every
// figure of time are in `make bench` (hack/bench/scale).
package kwok

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkwok"
)

var (
	cluster *testcluster.Cluster
	node    *testkwok.Kwok
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("JOBWIZARD_E2E") == "0" {
		fmt.Println("e2e/kwok: JOBWIZARD_E2E=0, skipping (no control plane started)")
		return 0
	}
	// Generous: on a fresh machine this includes building the control plane
	// and kwok. go test's -timeout only starts in m.Run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	// No test kubelet: kwok runs the pods, and only those on its node.
	c, err := testcluster.Start(ctx, testcluster.Options{DisableKubelet: true})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/kwok: FAIL: cannot start the test cluster: %v\n", err)
		return 1
	}
	code := 1
	defer func() {
		if code != 0 {
			c.KeepDir()
			fmt.Fprintf(os.Stderr, "e2e/kwok: failed; control-plane, kwok and audit logs kept in %s\n", c.Dir)
		}
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e/kwok: stopping the test cluster: %v\n", err)
		}
	}()
	k, err := testkwok.Start(ctx, c, testkwok.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/kwok: FAIL: cannot start kwok: %v\n", err)
		return 1
	}
	defer k.Stop()
	cluster, node = c, k
	code = m.Run()
	return code
}
