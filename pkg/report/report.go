// Package report turns a followed Job into what a CI system reads: a test
// report (JUnit XML or JSON, one test case per completion index of an
// Indexed Job, else one per pod attempt), GitHub Actions annotations, the
// failure coach's advice, and a saved copy of the Job, its pods, events and
// logs (--save). The follow (pkg/follow) feeds it every pod state through
// Options.OnPod; the command writes the files when the follow ends, however
// it ends. The JSON's field names are a contract: docs/REPORT.md.
package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
)

// LogLines is how much of a failed container's log a test case carries.
const LogLines = 50

// Case results.
const (
	Passed  = "passed"
	Failed  = "failed"
	Error   = "error"   // did not finish: the follow ended first
	Skipped = "skipped" // never started
)

// Report is the JSON report and the model of the JUnit one.
type Report struct {
	// Job and Namespace name the Job; the JUnit suite is named Job.
	Job       string `json:"job"`
	Namespace string `json:"namespace"`
	// Outcome is how the follow ended: Complete, Failed, TimedOut, Stuck,
	// Interrupted, Deleted or Error (the follow itself failed).
	Outcome string `json:"outcome"`
	// Reason and Message are the Job's Failed condition's, or the stuck
	// pod's, or why the follow ended.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Indexed says the cases are completion indexes, not pod attempts.
	Indexed bool `json:"indexed"`
	// StartTime is when the Job started (else was created); RFC 3339.
	StartTime       *time.Time `json:"startTime,omitempty"`
	DurationSeconds float64    `json:"durationSeconds"`
	Tests           int        `json:"tests"`
	Failures        int        `json:"failures"`
	Errors          int        `json:"errors"`
	Skipped         int        `json:"skipped"`
	Cases           []Case     `json:"cases"`
}

// Case is one completion index, or one pod attempt.
type Case struct {
	// Name is "index 3" or the pod's name.
	Name string `json:"name"`
	// Index is the completion index (Indexed Jobs only).
	Index *int `json:"index,omitempty"`
	// Pods are the pods of the case, oldest first (one for a pod attempt).
	Pods   []string `json:"pods"`
	Result string   `json:"result"`
	// DurationSeconds is from the first start to the last end (or to the
	// end of the follow for a case still running).
	DurationSeconds float64 `json:"durationSeconds"`
	// ExitCode is the failed container's, or 0 for a pass; absent when no
	// container has ended.
	ExitCode *int32 `json:"exitCode,omitempty"`
	// Retries are the pods after the first (Indexed) plus the restarts of
	// containers in place (restartPolicy OnFailure).
	Retries int `json:"retries"`
	// Container is the container the failure is about.
	Container string `json:"container,omitempty"`
	// Reason is a short cause (Error, OOMKilled, DeadlineExceeded,
	// ImagePullBackOff, BackoffLimitExceeded …); Message the long one.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Log is the last LogLines lines of the failed container's log;
	// LogError says why there is none (the pod was deleted …).
	Log      []string `json:"log,omitempty"`
	LogError string   `json:"logError,omitempty"`
}

// Input is what the follow saw.
type Input struct {
	// Job is the last state of the Job seen; it may lack a status when the
	// follow ended before the Job was read.
	Job *batchv1.Job
	// Pods are every pod of the Job seen, deleted ones included, each in
	// its last state.
	Pods []*corev1.Pod
	// Outcome, Reason, Message and StuckPod are the follow's Result.
	Outcome, Reason, Message, StuckPod string
	// End is when the follow ended.
	End time.Time
	// Logs are the log tails of failed containers, by LogKey.
	Logs map[LogKey]Tail
}

// LogKey names one container run's log: the current run, or the previous
// one (restartPolicy OnFailure, the run before a restart).
type LogKey struct {
	Pod       string
	Container string
	Previous  bool
}

// Tail is the end of one log, or why it could not be had.
type Tail struct {
	Lines []string
	Err   string
}

// failure is what went wrong in one pod.
type failure struct {
	container string
	exitCode  *int32
	reason    string
	message   string
	previous  bool
}

// Build makes the report of a followed Job.
func Build(in Input) *Report {
	job := in.Job
	r := &Report{Job: job.Name, Namespace: job.Namespace, Outcome: in.Outcome, Reason: in.Reason, Message: in.Message}
	r.Indexed = job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
	start := job.CreationTimestamp.Time
	if job.Status.StartTime != nil {
		start = job.Status.StartTime.Time
	}
	if !start.IsZero() {
		t := start.UTC()
		r.StartTime = &t
		end := in.End
		if job.Status.CompletionTime != nil {
			end = job.Status.CompletionTime.Time
		}
		r.DurationSeconds = seconds(end.Sub(start))
	}
	pods := append([]*corev1.Pod(nil), in.Pods...)
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i].CreationTimestamp, pods[j].CreationTimestamp
		return a.Before(&b) || a.Equal(&b) && pods[i].Name < pods[j].Name
	})
	if r.Indexed {
		r.Cases = indexCases(in, pods)
	} else {
		for _, p := range pods {
			r.Cases = append(r.Cases, podCase(in, p))
		}
	}
	// A Job that did not complete is never a green report: with no case
	// that says why (no pod was ever created, say), the Job is one.
	if in.Outcome != "Complete" {
		bad := false
		for _, c := range r.Cases {
			bad = bad || c.Result == Failed || c.Result == Error
		}
		if !bad {
			r.Cases = append(r.Cases, jobCase(in))
		}
	}
	for _, c := range r.Cases {
		r.Tests++
		switch c.Result {
		case Failed:
			r.Failures++
		case Error:
			r.Errors++
		case Skipped:
			r.Skipped++
		}
	}
	return r
}

func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Milliseconds()) / 1000
}

// podCase is one pod attempt.
func podCase(in Input, p *corev1.Pod) Case {
	c := Case{Name: p.Name, Pods: []string{p.Name}, Retries: restarts(p)}
	judge(in, &c, p)
	first, last := podTimes(p, in.End)
	c.DurationSeconds = seconds(last.Sub(first))
	return c
}

// indexCases are the completion indexes 0..completions-1 of an Indexed
// Job, judged by the Job's own completed and failed index lists where it
// has them, as the Job controller keeps them exact.
func indexCases(in Input, pods []*corev1.Pod) []Case {
	job := in.Job
	byIndex := map[int][]*corev1.Pod{}
	n := 0
	if job.Spec.Completions != nil {
		n = int(*job.Spec.Completions)
	}
	for _, p := range pods {
		i, err := strconv.Atoi(follow.CompletionIndex(p))
		if err != nil || i < 0 {
			continue
		}
		byIndex[i] = append(byIndex[i], p)
		n = max(n, i+1)
	}
	completed := parseIndexes(job.Status.CompletedIndexes)
	failedIdx := map[int]bool{}
	if job.Status.FailedIndexes != nil {
		failedIdx = parseIndexes(*job.Status.FailedIndexes)
	}
	var out []Case
	for i := 0; i < n; i++ {
		idx := i
		c := Case{Name: fmt.Sprintf("index %d", i), Index: &idx, Pods: []string{}}
		ps := byIndex[i]
		for _, p := range ps {
			c.Pods = append(c.Pods, p.Name)
			c.Retries += restarts(p)
		}
		if len(ps) > 1 {
			c.Retries += len(ps) - 1
		}
		switch {
		case len(ps) == 0 && completed[i]:
			c.Result = Passed
			c.ExitCode = new(int32)
		case len(ps) == 0 && failedIdx[i]:
			c.Result, c.Reason, c.Message = Failed, "Failed", "the index failed; its pods were not seen"
		case len(ps) == 0:
			notRun(in, &c)
		default:
			last := ps[len(ps)-1]
			// The last pod of an index that failed may be a replacement not
			// yet run; the failure is the last failed pod's.
			if failedIdx[i] {
				for j := len(ps) - 1; j >= 0; j-- {
					if ps[j].Status.Phase == corev1.PodFailed {
						last = ps[j]
						break
					}
				}
			}
			judge(in, &c, last)
			switch {
			case completed[i] && c.Result != Passed:
				c.Result, c.Reason, c.Message, c.Log, c.LogError = Passed, "", "", nil, ""
				c.ExitCode = new(int32)
			case failedIdx[i] && c.Result != Failed:
				c.Result = Failed
				if c.Reason == "" {
					c.Reason, c.Message = "Failed", "the Job counts the index as failed"
				}
			}
			first, _ := podTimes(ps[0], in.End)
			_, end := podTimes(last, in.End)
			c.DurationSeconds = seconds(end.Sub(first))
		}
		out = append(out, c)
	}
	return out
}

// notRun is a case no pod ever ran for.
func notRun(in Input, c *Case) {
	c.Result = Skipped
	switch in.Outcome {
	case "Complete":
		c.Message = "not run: the Job completed without it"
	case "Failed":
		c.Message = "not run: the Job failed first"
	default:
		c.Message = "not started when the follow ended (" + in.Outcome + ")"
	}
}

// judge sets a case's result, exit code and failure from one pod.
func judge(in Input, c *Case, p *corev1.Pod) {
	f := podFailure(p)
	switch {
	case p.Status.Phase == corev1.PodSucceeded:
		c.Result = Passed
		c.ExitCode = new(int32)
		return
	case p.Status.Phase == corev1.PodFailed:
		c.Result = Failed
	case f != nil && f.exitCode != nil && !f.previous:
		// Failed container, pod not yet marked: as good as failed.
		c.Result = Failed
	default:
		// Still pending or running when the follow ended.
		c.Result = Error
		if in.Outcome == "Failed" {
			c.Result = Failed
		}
		w, wmsg := follow.StuckReason(p)
		if w != "" {
			// A pod that cannot start by itself is the failure, whatever
			// ended the follow.
			c.Result = Failed
		}
		switch {
		case w != "":
			c.Reason, c.Message = w, wmsg
		case in.Outcome == "Failed":
			c.Reason, c.Message = in.Reason, "stopped when the Job failed: "+in.Message
		default:
			c.Reason = in.Outcome
			c.Message = fmt.Sprintf("%s when the follow ended (%s)", strings.ToLower(string(phaseOf(p))), in.Outcome)
		}
		if f != nil {
			c.Container, c.ExitCode = f.container, f.exitCode
			c.Message += "; earlier run: " + f.describe()
			attachLog(in, c, p, f)
		}
		return
	}
	if f == nil {
		c.Reason = p.Status.Reason
		c.Message = p.Status.Message
		if c.Reason == "" {
			c.Reason = "Failed"
		}
		if c.Message == "" {
			c.Message = "pod failed with no container exit code"
		}
		if p.Status.Reason == "DeadlineExceeded" || in.Reason == "DeadlineExceeded" {
			c.Reason = "DeadlineExceeded"
		}
		return
	}
	c.Container, c.ExitCode, c.Reason = f.container, f.exitCode, f.reason
	c.Message = f.describe()
	if p.Status.Reason != "" && p.Status.Reason != f.reason {
		c.Message += "; pod: " + p.Status.Reason
		if p.Status.Message != "" {
			c.Message += ": " + p.Status.Message
		}
	}
	attachLog(in, c, p, f)
}

func attachLog(in Input, c *Case, p *corev1.Pod, f *failure) {
	t, ok := in.Logs[LogKey{Pod: p.Name, Container: f.container, Previous: f.previous}]
	switch {
	case !ok:
		c.LogError = "log not read"
	case t.Err != "":
		c.LogError = t.Err
	default:
		c.Log = t.Lines
	}
}

func (f *failure) describe() string {
	s := "container " + f.container
	if f.exitCode != nil {
		s += fmt.Sprintf(" exited with code %d", *f.exitCode)
	}
	if f.reason != "" {
		s += " (" + f.reason + ")"
	}
	if f.previous {
		s += " in its last run"
	}
	if f.message != "" {
		s += ": " + f.message
	}
	return s
}

func phaseOf(p *corev1.Pod) corev1.PodPhase {
	if p.Status.Phase == "" {
		return corev1.PodPending
	}
	return p.Status.Phase
}

// jobCase stands for the Job when no pod case tells why it did not
// complete.
func jobCase(in Input) Case {
	c := Case{Name: "job/" + in.Job.Name, Pods: []string{}, Reason: in.Reason, Message: in.Message}
	switch in.Outcome {
	case "Failed", "Stuck":
		c.Result = Failed
	default:
		c.Result = Error
	}
	if c.Reason == "" {
		c.Reason = in.Outcome
	}
	if c.Message == "" {
		c.Message = "the follow ended with the Job " + in.Outcome
	}
	return c
}

// podFailure is the first container (init containers first) whose current
// run failed, else the first whose last run did.
func podFailure(p *corev1.Pod) *failure {
	fs := follow.Failures(p)
	for _, prev := range []bool{false, true} {
		for _, f := range fs {
			if f.Previous == prev {
				return &failure{container: f.Container, exitCode: new(f.ExitCode), reason: f.Reason, message: f.Message, previous: f.Previous}
			}
		}
	}
	return nil
}

// FailedLogs are the logs a report wants of a pod: its failed container
// runs, current and previous.
func FailedLogs(p *corev1.Pod) []LogKey {
	var out []LogKey
	for _, f := range follow.Failures(p) {
		out = append(out, LogKey{Pod: p.Name, Container: f.Container, Previous: f.Previous})
	}
	return out
}

func restarts(p *corev1.Pod) int {
	n := 0
	for _, cs := range p.Status.ContainerStatuses {
		n += int(cs.RestartCount)
	}
	return n
}

// podTimes are when the pod started running and when it ended (its last
// container's end), or end for a pod that has not ended.
func podTimes(p *corev1.Pod, end time.Time) (first, last time.Time) {
	first = p.CreationTimestamp.Time
	if p.Status.StartTime != nil {
		first = p.Status.StartTime.Time
	}
	done := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	last = end
	if done {
		last = first
		for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
			for _, cs := range list {
				if t := cs.State.Terminated; t != nil && t.FinishedAt.After(last) {
					last = t.FinishedAt.Time
				}
			}
		}
		if last.Equal(first) && p.DeletionTimestamp != nil {
			last = p.DeletionTimestamp.Time
		}
	}
	if first.IsZero() {
		first = last
	}
	return first, last
}

// parseIndexes reads the Job status's index lists, "1,3-5,7".
func parseIndexes(s string) map[int]bool {
	out := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for i := a; i <= b && i-a < 1<<20; i++ {
			out[i] = true
		}
	}
	return out
}
