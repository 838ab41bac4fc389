// Package followbench counts the API requests of `--wait`: the plugin
// creates a Job of many completions on a real control plane
// (internal/testcluster) and follows it to its end, and the audit log tells
// every request it made. A follow that watches makes a constant handful,
// however long the wait and however many pods; one that polled would make
// more the longer it waited. The figures are printed, never asserted.
package followbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// Scenario is one Job to wait for.
type Scenario struct {
	Completions, Parallelism int
	RunSeconds               float64 // how long each pod runs
	Logs                     bool    // --logs as well
}

// Result is one wait and the requests it made.
type Result struct {
	Scenario
	Waited   time.Duration
	Requests map[string]int // "watch jobs", "create jobs", "get pods/log" ...
}

// Total is the number of requests.
func (r Result) Total() int {
	n := 0
	for _, c := range r.Requests {
		n += c
	}
	return n
}

// PerMinute is the requests per minute of waiting.
func (r Result) PerMinute() float64 { return float64(r.Total()) / r.Waited.Minutes() }

// Wait runs `PLUGIN NAME --wait` for s in a namespace of its own and counts
// the requests the plugin made from the audit log.
func Wait(ctx context.Context, c *testcluster.Cluster, plugin string, s Scenario, name string) (Result, error) {
	ns := "bench-follow-" + name
	if _, err := c.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return Result{}, err
	}
	if _, err := testcluster.WaitFor(ctx, c.Clientset().CoreV1().ServiceAccounts(ns), "default", func(*corev1.ServiceAccount) bool { return true }); err != nil {
		return Result{}, err
	}
	mark, err := c.AuditMark()
	if err != nil {
		return Result{}, err
	}
	args := []string{name, "-n", ns, "--kubeconfig=" + c.AdminKubeconfig, "--image=busybox:1.36",
		fmt.Sprintf("--completions=%d", s.Completions), fmt.Sprintf("--parallelism=%d", s.Parallelism),
		fmt.Sprintf("--annotation=%s=%g", testcluster.AnnotationRunSeconds, s.RunSeconds), "--wait"}
	if s.Logs {
		args = append(args, "--logs")
	}
	cmd := exec.CommandContext(ctx, plugin, append(args, "--", "true")...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.AdminKubeconfig)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	r := Result{Scenario: s, Waited: time.Since(start), Requests: map[string]int{}}
	// A watch is logged when it ends, just after the plugin exits.
	events, err := c.WaitForAuditQuiet(ctx, mark, func(e testcluster.AuditEvent) bool {
		return testcluster.ByUserAgentPrefix("kubectl-job-wizard/")(e) && e.ObjectRef != nil && e.ObjectRef.Namespace == ns
	}, time.Second)
	if err != nil {
		return Result{}, err
	}
	for _, e := range events {
		what := e.Verb + " " + e.Resource()
		if e.ObjectRef.Subresource != "" {
			what += "/" + e.ObjectRef.Subresource
		}
		r.Requests[what]++
	}
	return r, nil
}

// Print writes the results as a table.
func Print(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "--wait of a Job, API requests by kubectl-job-wizard counted from the audit log")
	fmt.Fprintf(w, "%-11s %-11s %-5s %-6s %-8s %-8s %-10s %s\n", "completions", "parallelism", "run", "logs", "waited", "requests", "per minute", "by kind")
	for _, r := range rs {
		var kinds []string
		for k, n := range r.Requests {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(w, "%-11d %-11d %-5s %-6t %-8s %-8d %-10.1f %s\n", r.Completions, r.Parallelism, fmt.Sprintf("%gs", r.RunSeconds), r.Logs,
			r.Waited.Round(time.Second), r.Total(), r.PerMinute(), strings.Join(kinds, ", "))
	}
}
