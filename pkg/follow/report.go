package follow

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
)

const (
	// reportLogLines is how much of each failed container's log the
	// failure report shows.
	reportLogLines = 20
	// reportLogPods bounds the logs fetched for the report, so an Indexed
	// Job with a thousand failed indexes does not print a thousand logs.
	reportLogPods = 10
)

// report prints why the Job failed beyond its condition: which pods failed
// with which exit codes, and the end of each failed container's log. The
// condition itself is the command's last line (Result.Err).
func (f *follower) report(ctx context.Context) {
	var failed []*podRecord
	for _, rec := range f.pods {
		if rec.pod.Status.Phase == corev1.PodFailed || len(failures(rec.pod)) > 0 {
			failed = append(failed, rec)
		}
	}
	sort.Slice(failed, func(i, j int) bool {
		a, b := failed[i].pod.CreationTimestamp, failed[j].pod.CreationTimestamp
		return a.Before(&b) || a.Equal(&b) && failed[i].pod.Name < failed[j].pod.Name
	})
	if len(failed) == 0 {
		f.out.block([]string{fmt.Sprintf("no pod of job/%s failed", f.name)})
		return
	}
	lines := []string{fmt.Sprintf("failed pods of job/%s:", f.name)}
	for _, rec := range failed {
		lines = append(lines, fmt.Sprintf("  %s%s: %s", rec.pod.Name, indexNote(rec.pod), describeFailure(rec.pod)))
	}
	f.out.block(lines)

	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for i, rec := range failed {
		if i == reportLogPods {
			f.out.block([]string{fmt.Sprintf("(logs of %d more failed pods not shown: kubectl logs -n %s POD)", len(failed)-i, f.ns)})
			break
		}
		for _, fl := range failures(rec.pod) {
			f.out.block(f.tail(ctx, rec, fl))
		}
	}
}

// tail is the heading and the last lines of a failed container's log.
func (f *follower) tail(ctx context.Context, rec *podRecord, fl containerFailure) []string {
	which := ""
	if fl.Previous {
		which = " (its last run)"
	}
	head := fmt.Sprintf("last %d lines of %s/%s%s:", reportLogLines, rec.pod.Name, fl.Container, which)
	if rec.gone {
		return []string{head, "  (the pod was deleted, and its log with it)"}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	lines, err := ReadTail(rctx, f.src, f.ns, rec.pod.Name, fl.Container, fl.Previous, reportLogLines)
	if err != nil {
		return []string{head, "  (cannot read the log: " + err.Error() + ")"}
	}
	if len(lines) == 0 {
		return []string{head, "  (empty)"}
	}
	out := []string{head}
	for _, l := range lines {
		out = append(out, "  "+l)
	}
	return out
}
