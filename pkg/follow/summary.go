package follow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// defaultBackoffLimit is the API server's default of spec.backoffLimit.
const defaultBackoffLimit = 6

// summary is what the progress shows of a Job at one moment. It is built
// from the Job's own status counters, which the Job controller keeps exact,
// and from the pods' current states: so a dropped watch, a relist or a pod
// seen twice can never make a count wrong.
type summary struct {
	Name        string
	State       string // Pending, Running, Suspended, Failing, Complete, Failed
	Succeeded   int32
	Completions int32 // -1 when the Job has no completion count
	Active      int32
	Ready       int32
	Failed      int32
	// RetriesLeft is the backoff limit less the retries used; -1 when the
	// limit is per index (PerIndex) instead.
	RetriesLeft  int32
	BackoffLimit int32
	PerIndex     bool
	FailedIdx    string
	Pods         []phaseCount
}

type phaseCount struct {
	Status string
	N      int
}

func conditionTrue(job *batchv1.Job, typ batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range job.Status.Conditions {
		c := &job.Status.Conditions[i]
		if c.Type == typ && c.Status == corev1.ConditionTrue {
			return c
		}
	}
	return nil
}

// summarize sums up the Job from its status and the pods' counts.
func summarize(job *batchv1.Job, pods podCounts) summary {
	s := summary{
		Name:        job.Name,
		Succeeded:   job.Status.Succeeded,
		Completions: -1,
		Active:      job.Status.Active,
		Failed:      job.Status.Failed,
	}
	if job.Spec.Completions != nil {
		s.Completions = *job.Spec.Completions
	}
	if job.Status.Ready != nil {
		s.Ready = *job.Status.Ready
	}
	if job.Status.FailedIndexes != nil {
		s.FailedIdx = *job.Status.FailedIndexes
	}
	if job.Spec.BackoffLimitPerIndex != nil {
		s.PerIndex = true
		s.BackoffLimit = *job.Spec.BackoffLimitPerIndex
		s.RetriesLeft = -1
	} else {
		s.BackoffLimit = defaultBackoffLimit
		if job.Spec.BackoffLimit != nil {
			s.BackoffLimit = *job.Spec.BackoffLimit
		}
		// With restartPolicy OnFailure the Job controller counts container
		// restarts of running pods against the limit too.
		used := job.Status.Failed
		if job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
			used += pods.restarts
		}
		s.RetriesLeft = max(s.BackoffLimit-used, 0)
	}

	for st, n := range pods.statuses {
		s.Pods = append(s.Pods, phaseCount{st, n})
	}
	sort.Slice(s.Pods, func(i, j int) bool {
		return statusRank(s.Pods[i].Status) < statusRank(s.Pods[j].Status) || statusRank(s.Pods[i].Status) == statusRank(s.Pods[j].Status) && s.Pods[i].Status < s.Pods[j].Status
	})
	// Running from the first pod that runs on, as the console says: a Job
	// between two waves of pods is still running.
	running := job.Status.Succeeded+job.Status.Failed > 0 || pods.started > 0

	switch {
	case conditionTrue(job, batchv1.JobComplete) != nil:
		s.State = "Complete"
	case conditionTrue(job, batchv1.JobFailed) != nil:
		s.State = "Failed"
	case conditionTrue(job, batchv1.JobFailureTarget) != nil:
		s.State = "Failing"
	case job.Spec.Suspend != nil && *job.Spec.Suspend:
		s.State = "Suspended"
	case running:
		s.State = "Running"
	default:
		s.State = "Pending"
	}
	return s
}

// statusRank orders pod statuses along a pod's life, so the summary reads
// from what is starting to what is done.
func statusRank(st string) int {
	switch {
	case st == "Pending" || st == "Unschedulable":
		return 0
	case strings.HasPrefix(st, "Init:") || st == "ContainerCreating" || st == "PodInitializing" || st == "Pulling":
		return 1
	case st == "Running":
		return 3
	case st == "Terminating":
		return 4
	case st == "Completed":
		return 5
	case st == "Error" || st == "Failed" || strings.HasPrefix(st, "ExitCode:") || st == "OOMKilled" || st == "DeadlineExceeded":
		return 6
	}
	return 2 // waiting reasons such as ImagePullBackOff
}

// counts is "3/10 succeeded, 2 active, 2 ready, 1 failed (5 retries left)".
func (s summary) counts() string {
	var b strings.Builder
	if s.Completions >= 0 {
		fmt.Fprintf(&b, "%d/%d succeeded", s.Succeeded, s.Completions)
	} else {
		fmt.Fprintf(&b, "%d succeeded", s.Succeeded)
	}
	fmt.Fprintf(&b, ", %d active, %d ready, %d failed", s.Active, s.Ready, s.Failed)
	if s.PerIndex {
		fmt.Fprintf(&b, " (backoff limit %d per index", s.BackoffLimit)
		if s.FailedIdx != "" {
			b.WriteString("; failed indexes " + s.FailedIdx)
		}
		b.WriteString(")")
	} else {
		fmt.Fprintf(&b, " (%d of %d retries left)", s.RetriesLeft, s.BackoffLimit)
	}
	return b.String()
}

// short is the summary for the bar, which shows the succeeded count
// itself: "job/pi Running: active 2, ready 2, failed 1 (5 retries left);
// 2 Running, 1 ContainerCreating". What matters most comes first, as a
// narrow terminal cuts the end.
func (s summary) short() string {
	var b strings.Builder
	fmt.Fprintf(&b, "job/%s %s: active %d, ready %d, failed %d", s.Name, s.State, s.Active, s.Ready, s.Failed)
	if s.PerIndex {
		if s.FailedIdx != "" {
			b.WriteString(" (failed indexes " + s.FailedIdx + ")")
		}
	} else {
		fmt.Fprintf(&b, " (%d retries left)", s.RetriesLeft)
	}
	b.WriteString("; " + s.pods())
	return b.String()
}

// pods is "2 Running, 1 ContainerCreating", or "no pods yet".
func (s summary) pods() string {
	if len(s.Pods) == 0 {
		return "no pods yet"
	}
	parts := make([]string, len(s.Pods))
	for i, p := range s.Pods {
		parts[i] = strconv.Itoa(p.N) + " " + p.Status
	}
	return strings.Join(parts, ", ")
}

// line is the plain, one-line form of the summary; elapsed is appended by
// the caller so that two lines differing only in time compare equal.
func (s summary) line() string {
	return fmt.Sprintf("job/%s %s: %s; pods: %s", s.Name, s.State, s.counts(), s.pods())
}

// formatElapsed is a duration as people read it on a progress line: 42s,
// 3m05s, 1h02m.
func formatElapsed(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
