package e2e

// Load: many runs of the plugin at once against the real control plane,
// as a CI fleet does. Every run must end as it should, and the cluster
// must hold exactly the Jobs that were asked for: none lost, none twice.

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

const (
	parallelCreates = 50
	parallelWaits   = 20
)

func TestReliabilityLoadParallelCreates(t *testing.T) {
	t.Parallel()
	// Generous: 50 processes at once on a loaded two-core machine.
	ctx := followCtx(t, 5*time.Minute)
	ns := cluster.Namespace(t)
	label := "reliability/batch=" + ns
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}

	results := make([]followResult, parallelCreates)
	var wg sync.WaitGroup
	for i := range parallelCreates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// --suspend: the test is about creating, and 50 Jobs' pods
			// would only load the shared machine.
			results[i] = clusterRun(ctx, t, "", "--generate-name=load-", "-n", ns, "--image=busybox:1.36", "--suspend",
				"-l", label, "-o", "name")
		}()
	}
	wg.Wait()

	held := 0
	printed := map[string]int{}
	for i, r := range results {
		name := strings.TrimPrefix(strings.TrimSpace(r.stdout), "job.batch/")
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(name, "load-") || strings.Contains(name, "\n") {
			t.Errorf("run %d: %s", i, r)
			continue
		}
		held++
		printed[name]++
	}
	list, err := cluster.Clientset().BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{LabelSelector: label})
	if err != nil {
		t.Fatal(err)
	}
	onServer := map[string]bool{}
	for _, j := range list.Items {
		onServer[j.Name] = true
	}
	// Lost: a run asked for a Job that is not on the server (a failed run
	// counts too: its Job is missing). Doubled: a Job on the server that
	// no run printed, or printed twice.
	lost, doubled := parallelCreates, 0
	for name, n := range printed {
		if onServer[name] {
			lost--
		} else {
			t.Errorf("a run printed %s, which is not on the server", name)
		}
		if n > 1 {
			doubled += n - 1
			t.Errorf("%s printed by %d runs", name, n)
		}
	}
	for name := range onServer {
		if printed[name] == 0 {
			doubled++
			t.Errorf("%s is on the server but no run printed it", name)
		}
	}
	sends := creates(ctx, t, mark, ns)
	if len(sends) != parallelCreates {
		t.Errorf("%d creates sent, want exactly %d (one per run)", len(sends), parallelCreates)
	}
	if len(list.Items) != parallelCreates {
		t.Errorf("%d Jobs labelled %s, want %d", len(list.Items), label, parallelCreates)
	}
	var slowest time.Duration
	for _, r := range results {
		slowest = max(slowest, r.took)
	}
	t.Logf("%d runs at once: %d held, %d Jobs on the server, %d creates sent; slowest run %v",
		parallelCreates, held, len(list.Items), len(sends), slowest.Round(time.Millisecond))
	figure(t, "parallel-creates", fmt.Sprintf("%d/%d", held, parallelCreates))
	figure(t, "jobs-lost", fmt.Sprint(lost))
	// More creates sent than runs would be a create sent twice.
	figure(t, "jobs-doubled", fmt.Sprint(max(doubled, len(sends)-parallelCreates)))
}

func TestReliabilityLoadParallelWaits(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 6*time.Minute)
	ns := cluster.Namespace(t)

	type run struct {
		name string
		want int
		r    followResult
	}
	runs := make([]*run, parallelWaits)
	var wg sync.WaitGroup
	for i := range parallelWaits {
		// Two in five fail: exit code 1 and no retry.
		fail := i%5 == 1 || i%5 == 3
		rn := &run{name: fmt.Sprintf("wait-%02d", i)}
		args := []string{rn.name, "-n", ns, "--image=busybox:1.36", quick, "--wait", "--timeout=5m"}
		if fail {
			rn.want = 1
			args = append(args, "--backoff-limit=0", "--annotation="+testcluster.AnnotationExitCode+"=1")
		}
		runs[i] = rn
		wg.Add(1)
		go func() {
			defer wg.Done()
			rn.r = clusterRun(ctx, t, "", append(args, "--", "true")...)
		}()
	}
	wg.Wait()

	held := 0
	var wrong []string
	for _, rn := range runs {
		r := rn.r
		ok := r.code == rn.want && r.stdout == "job.batch/"+rn.name+" created\n"
		switch rn.want {
		case 0:
			ok = ok && strings.Contains(r.stderr, "job/"+rn.name+" Complete: 1/1 succeeded")
		case 1:
			ok = ok && strings.Contains(r.stderr, "error: job/"+rn.name+" failed: BackoffLimitExceeded")
		}
		if !ok {
			wrong = append(wrong, rn.name)
			t.Errorf("%s: want exit %d\n%s", rn.name, rn.want, r)
			continue
		}
		held++
	}
	sort.Strings(wrong)
	list, err := cluster.Clientset().BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != parallelWaits {
		t.Errorf("%d Jobs, want %d", len(list.Items), parallelWaits)
	}
	t.Logf("%d --wait runs at once: %d ended with the right status; wrong: %v", parallelWaits, held, wrong)
	figure(t, "parallel-waits", fmt.Sprintf("%d/%d", held, parallelWaits))
}
