package kwok

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/hack/bench/scalebench"
	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// pluginBinary is the plugin (testcluster.PluginBinary), built into a
// cache folder of its own.
func pluginBinary(t *testing.T) string {
	t.Helper()
	return testcluster.PluginBinary(t, "e2e-kwok")
}

// A follow of 100 and of 300 pods, side by side with kubectl wait on the
// same Job (hack/bench/scalebench, as make bench runs it at 1,000 and
// 10,000): both end 0 once the Job is Complete, the plugin counts every
// pod, its output on a non-terminal stays within the rule's bound whatever
// the size, and its requests are the same for 300 pods as for 100. Times
// are the bench's business, not this test's.
func TestFollowManyPods(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not on PATH")
	}
	plugin := pluginBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var results []scalebench.Result
	for _, n := range []int{100, 300} {
		r, err := scalebench.Run(ctx, cluster, node, plugin, kubectl, scalebench.Scenario{Completions: n, Parallelism: n / 10}, fmt.Sprintf("many%d", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d pods: plugin %d lines, requests %s; kubectl wait requests %s", n, r.Plugin.Lines, r.Plugin.Kinds(), r.Kubectl.Kinds())
		for _, side := range []scalebench.Side{r.Plugin, r.Kubectl} {
			if side.ExitCode != 0 {
				t.Fatalf("%s: exit %d, want 0:\n%s", strings.Join(side.Args, " "), side.ExitCode, side.Output)
			}
		}
		if int(r.Succeeded) != n {
			t.Fatalf("job %s: %d succeeded, want %d", r.Job, r.Succeeded, n)
		}
		final := fmt.Sprintf("job/%s Complete: %d/%d succeeded", r.Job, n, n)
		if !strings.Contains(r.Plugin.Output, final) || !strings.Contains(r.Plugin.Output, fmt.Sprintf("pods: %d Completed", n)) {
			t.Errorf("%d pods: the output lacks %q and %q:\n%s", n, final, fmt.Sprintf("pods: %d Completed", n), r.Plugin.Output)
		}
		// The rule on a non-terminal: the "waiting for" line, one line per
		// state of the Job (Pending, Running, Complete), progress at most at
		// each tenth of the completions, and the final summary; nothing per
		// pod when no pod fails or is stuck.
		if bound := 1 + 3 + 10 + 1; r.Plugin.Lines > bound {
			t.Errorf("%d pods: %d lines, want at most %d:\n%s", n, r.Plugin.Lines, bound, r.Plugin.Output)
		}
		if strings.Contains(r.Plugin.Output, "\npod ") {
			t.Errorf("%d pods: a line about one pod although none failed:\n%s", n, r.Plugin.Output)
		}
		results = append(results, r)
	}
	// Resumed watches follow the API server's load (it ends watches it
	// finds too slow), not the pods; every other request is counted.
	a, b := results[0].Plugin, results[1].Plugin
	if a.Constant() != b.Constant() {
		t.Errorf("requests grow with the pods: %d for 100 pods (%s), %d for 300 (%s)", a.Constant(), a.Kinds(), b.Constant(), b.Kinds())
	}
}
