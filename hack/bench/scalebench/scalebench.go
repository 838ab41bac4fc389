// Package scalebench follows one Job of many pods, run by kwok's fake node
// (internal/testkwok) on a real control plane (internal/testcluster), with
// the plugin (`kubectl job-wizard follow`) and with `kubectl wait
// --for=condition=complete` side by side: both start together on the same
// Job, without a terminal, and each one's CPU (user+sys), peak RSS, lines
// printed, API requests (from the audit log, by userAgent) and delay from the
// Job's completionTime to its exit are measured. hack/bench/scale prints the
// figures, ratios and per-pod costs against the targets; e2e/kwok checks the
// correctness of a bounded run (exit status, counts, lines, requests), never
// its times.
package scalebench

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkwok"
)

// Scenario is one Job.
type Scenario struct {
	Completions, Parallelism int
}

// Side is one follower's run.
type Side struct {
	Name     string   // "kubectl job-wizard follow", "kubectl wait"
	Args     []string // the command line, for the record
	ExitCode int
	User     time.Duration
	Sys      time.Duration
	MaxRSS   int64 // KiB
	Output   string
	Lines    int
	Exited   time.Time
	Requests map[string]int // "list pods", "watch jobs", "get /api" ...
	// Resumed counts the watches of what was watched already: each went on
	// after the API server had ended the one before (they are in Requests
	// too). They follow the server's load and the wait's length, not the
	// pods.
	Resumed int
}

// CPU is user + sys.
func (s Side) CPU() time.Duration { return s.User + s.Sys }

// Total is the number of API requests.
func (s Side) Total() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// Constant is the requests other than resumed watches: what the follow
// itself asks, which must not grow with the pods.
func (s Side) Constant() int { return s.Total() - s.Resumed }

// Kinds is the requests by kind, sorted, e.g. "list pods 1".
func (s Side) Kinds() string {
	var kinds []string
	for k, n := range s.Requests {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ")
}

// Result is one Job followed by both.
type Result struct {
	Scenario
	Namespace, Job string
	// Start and Completion are the Job's status.startTime and
	// status.completionTime (whole seconds: that is how the API serialises
	// them). Seen is when the bench's own watch saw the Complete condition,
	// a finer mark of the same moment.
	Start, Completion, Seen time.Time
	Succeeded               int32
	Plugin, Kubectl         Side
	// ForcedCloses is how often the API server closed the plugin's pod
	// watch as too slow to take its events ("Forcing pods watcher close
	// due to unresponsiveness" in its log at -v=1), and ForcedClosesAll
	// how often it did so to any watcher (the controller manager's and
	// kwok's too): on a busy machine it is the server that falls behind.
	ForcedCloses, ForcedClosesAll int
}

// Delay is how long after the Job's completionTime s exited. completionTime
// is in whole seconds, so this may be up to 1 s more than the truth.
func (r Result) Delay(s Side) time.Duration { return s.Exited.Sub(r.Completion) }

// DelaySeen is how long after the bench's watch saw the Job complete s
// exited (both on this machine's clock, sub-second).
func (r Result) DelaySeen(s Side) time.Duration { return s.Exited.Sub(r.Seen) }

// Ran is how long the Job ran: completionTime - startTime.
func (r Result) Ran() time.Duration { return r.Completion.Sub(r.Start) }

// Run creates a Job of s in a namespace of its own, its pods bound to k's
// node, and follows it with plugin and kubectl side by side until both
// exit. Each gets an empty HOME so neither has a discovery cache: each
// side's requests are what a fresh CI runner would make.
func Run(ctx context.Context, c *testcluster.Cluster, k *testkwok.Kwok, plugin, kubectl string, s Scenario, name string) (Result, error) {
	ns := "scale-" + name
	r := Result{Scenario: s, Namespace: ns, Job: name}
	cs := c.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return r, err
	}
	if _, err := testcluster.WaitFor(ctx, cs.CoreV1().ServiceAccounts(ns), "default", func(*corev1.ServiceAccount) bool { return true }); err != nil {
		return r, err
	}
	home, err := os.MkdirTemp("", "scalebench-home")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(home)
	// The Job is created by the bench (its own userAgent), so that both
	// sides only follow: the same requests for the same work.
	created, err := cs.BatchV1().Jobs(ns).Create(ctx, job(name, s, k.NodeName), metav1.CreateOptions{})
	if err != nil {
		return r, err
	}
	mark, err := c.AuditMark()
	if err != nil {
		return r, err
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "KUBECONFIG=" + c.AdminKubeconfig, "NO_COLOR="}
	sides := []*Side{
		{Name: "kubectl job-wizard follow", Args: []string{plugin, "follow", "job/" + name, "-n", ns}},
		// kubectl wait's --timeout defaults to 30s.
		{Name: "kubectl wait", Args: []string{kubectl, "wait", "--for=condition=complete", "job/" + name, "-n", ns, "--timeout=2h"}},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(sides))
	for i, side := range sides {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = side.run(ctx, env)
		}()
	}
	// The bench's own watch marks the moment of completion.
	done, err := testcluster.WaitFor(ctx, cs.BatchV1().Jobs(ns), name, func(j *batchv1.Job) bool {
		return testcluster.JobHasCondition(batchv1.JobComplete)(j) || testcluster.JobHasCondition(batchv1.JobFailed)(j)
	})
	r.Seen = time.Now()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return r, err
		}
	}
	if err != nil {
		return r, fmt.Errorf("job %s/%s did not end: %w", ns, name, err)
	}
	if done.Status.StartTime != nil {
		r.Start = done.Status.StartTime.Time
	}
	if done.Status.CompletionTime != nil {
		r.Completion = done.Status.CompletionTime.Time
	}
	r.Succeeded = done.Status.Succeeded
	// A watch is logged when it ends, just after its client exits. Read
	// once after a pause rather than polling: by now the log holds every
	// pod's requests (tens of MB at 10,000 pods).
	select {
	case <-ctx.Done():
		return r, ctx.Err()
	case <-time.After(2 * time.Second):
	}
	events, err := c.AuditEventsSince(mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl")
	})
	if err != nil {
		return r, err
	}
	for _, side := range sides {
		side.Requests = map[string]int{}
	}
	watched := map[*Side]map[string]bool{}
	for _, e := range events {
		side := sides[1]
		if testcluster.ByUserAgentPrefix("kubectl-job-wizard/")(e) {
			side = sides[0]
		} else if !testcluster.ByUserAgentPrefix("kubectl/")(e) {
			continue
		}
		kind := requestKind(e)
		if w := watcher(e); w != "" {
			if watched[side] == nil {
				watched[side] = map[string]bool{}
			}
			if watched[side][w] {
				kind += " (resumed)"
				side.Resumed++
			}
			watched[side][w] = true
		}
		side.Requests[kind]++
	}
	r.Plugin, r.Kubectl = *sides[0], *sides[1]
	r.ForcedCloses, r.ForcedClosesAll, err = forcedCloses(c, string(created.UID))
	return r, err
}

// watcher names what a watch request watches: its path and selectors. A
// second watch of the same is one resumed after the first ended.
func watcher(e testcluster.AuditEvent) string {
	if e.Verb != "watch" {
		return ""
	}
	u, err := url.Parse(e.RequestURI)
	if err != nil {
		return e.RequestURI
	}
	q := u.Query()
	return u.Path + "?" + q.Get("labelSelector") + "&" + q.Get("fieldSelector")
}

// ServerArgs are the API server flags Run's figures need: -v=1 logs each
// watcher the server closes as unresponsive.
var ServerArgs = []string{"-v=1"}

func forcedCloses(c *testcluster.Cluster, jobUID string) (mine, all int, err error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, "kube-apiserver.log"))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "watcher close due to unresponsiveness") {
			continue
		}
		all++
		if strings.Contains(line, "Forcing pods watcher") && strings.Contains(line, "controller-uid="+jobUID) {
			mine++
		}
	}
	return mine, all, nil
}

func requestKind(e testcluster.AuditEvent) string {
	if e.ObjectRef == nil {
		// Discovery: /api, /apis, /version.
		uri, _, _ := strings.Cut(e.RequestURI, "?")
		return e.Verb + " " + uri
	}
	what := e.Verb + " " + e.Resource()
	if e.ObjectRef.Subresource != "" {
		what += "/" + e.ObjectRef.Subresource
	}
	return what
}

func (s *Side) run(ctx context.Context, env []string) error {
	cmd := exec.CommandContext(ctx, s.Args[0], s.Args[1:]...)
	cmd.Env = env
	// Stdout and stderr are pipes, not a terminal: the plain output a CI
	// log gets. One buffer keeps their order.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	s.Exited = time.Now()
	if cmd.ProcessState == nil {
		return fmt.Errorf("%s: %w", strings.Join(s.Args, " "), err)
	}
	s.ExitCode = cmd.ProcessState.ExitCode()
	s.User, s.Sys = cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss // KiB on Linux
	}
	s.Output = out.String()
	s.Lines = strings.Count(s.Output, "\n")
	if s.Output != "" && !strings.HasSuffix(s.Output, "\n") {
		s.Lines++
	}
	return nil
}

// job is a Job of s whose pods kwok runs on node and completes at once.
func job(name string, s Scenario, node string) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			Completions:  new(int32(s.Completions)),
			Parallelism:  new(int32(s.Parallelism)),
			BackoffLimit: new(int32(0)),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				NodeName:      node,
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "main", Image: "busybox:1.36", Command: []string{"true"}}},
			}},
		},
	}
}
