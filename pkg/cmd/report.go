package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/report"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// addReportFlags registers --report and --save, of create and follow.
func addReportFlags(fs *pflag.FlagSet, reports *[]string, save *string) {
	fs.StringArrayVar(reports, "report", nil, "Write a test report when the follow ends, however it ends: junit=FILE or json=FILE (repeatable); one test case per completion index (Indexed) or per pod")
	fs.StringVar(save, "save", "", "Keep the final Job, its pods, events and every container log in this new (or empty) folder, even when the Job is deleted right after (TTL 0)")
}

// completeReports checks --report and --save before anything is sent: a
// bad format, a folder that does not exist, a --save folder in use.
func (s *WaitSettings) completeReports() error {
	for _, v := range s.Reports {
		t, err := report.ParseTarget(v)
		if err == nil {
			err = report.CheckTarget(t)
		}
		if err != nil {
			return inputErrorf("--report %s: %v (e.g. --report junit=report.xml)", jobspec.QuoteValue(v), err)
		}
	}
	if s.Save != "" {
		if err := report.CheckSaveDir(s.Save); err != nil {
			return inputErrorf("--save %s: %v (e.g. --save artifacts/run-1)", jobspec.QuoteValue(s.Save), err)
		}
	}
	return nil
}

// targets are the --report values, which completeReports checked.
func (s WaitSettings) targets() []report.Target {
	var out []report.Target
	for _, v := range s.Reports {
		if t, err := report.ParseTarget(v); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// reportArgs are --report again, for the command that follows the Job
// again (--save is left out: its folder is in use now).
func (s WaitSettings) reportArgs() string {
	out := ""
	for _, v := range s.Reports {
		out += " --report=" + jobspec.ShellQuote(v)
	}
	return out
}

// followGC makes the garbage collector keep the heap within a quarter more
// than what is live, unless the user set GOGC. A follow keeps every pod of
// the Job (a stripped pod, 1-2 KB) for the whole wait while each pod update
// it decodes is garbage at once: with Go's default (GOGC=100) the heap
// grows to twice what is kept. The scale bench (make bench) measured the
// peak RSS growing by 4.3 KiB per pod at 100 and 2.8 KiB at 25 (about 68
// against 54 MiB at 10,000 pods), for about a quarter more CPU (1.05 ->
// 1.36 ms per pod).
func followGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
}

// runFollow follows a Job with everything --wait does around it: the
// record the report and the coach read, the saved folder, and, when the
// follow ends however it ends, the report files, GitHub annotations and
// the coach's advice.
func runFollow(ctx context.Context, src follow.Source, ns, name string, s WaitSettings, errOut io.Writer,
	o follow.Options, run func(follow.Options) (*follow.Result, error)) (r *follow.Result, err, unsaved error) {
	followGC()
	rec := report.NewRecorder(ctx, src, ns)
	var saver *report.Saver
	if s.Save != "" {
		saver = report.NewSaver(ctx, src, ns, s.Save)
	}
	o.WholePods = s.Save != ""
	o.OnPod = func(p *corev1.Pod) {
		rec.OnPod(p)
		if saver != nil {
			saver.OnPod(p)
		}
	}
	r, err = run(o)
	res := r
	if err != nil {
		res = &follow.Result{Outcome: "Error", Job: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}, Message: err.Error()}
	}
	grace := 5 * time.Second
	if res.Outcome == follow.Interrupted {
		// Main's watchdog ends the process soon after an interrupt.
		grace = time.Second
	}
	in := rec.Finish(res, grace)
	var events []corev1.Event
	if saver != nil || res.Outcome != follow.Complete {
		events = jobEvents(ctx, src, res.Job)
	}
	var problems []error
	if saver != nil {
		if serr := saver.Finish(res.Job, events, grace); serr != nil {
			problems = append(problems, serr)
		}
	}
	rep := report.Build(in)
	if targets := s.targets(); len(targets) > 0 {
		if werr := rep.Write(targets); werr != nil {
			problems = append(problems, werr)
		}
	}
	if report.InGitHubActions() {
		rep.Annotate(errOut)
	}
	switch res.Outcome {
	case follow.Failed, follow.Stuck, follow.TimedOut:
		ci := report.CoachInput{Input: in, Events: events}
		if saver != nil && res.Job.UID != "" {
			ci.SavedJob = s.Save + "/job.yaml"
		}
		report.PrintCoach(errOut, ci, report.Coach(ci))
	}
	for _, p := range problems {
		fmt.Fprintln(errOut, "error: "+termtext.Escape(p.Error()))
	}
	if len(problems) > 0 {
		unsaved = problems[0]
	}
	return r, err, unsaved
}

// jobEvents are the Job's events (FailedCreate, SuccessfulCreate …), read
// once at the end; nothing when they cannot be read.
func jobEvents(ctx context.Context, src follow.Source, job *batchv1.Job) []corev1.Event {
	if job == nil || job.UID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	list, err := src.ListEvents(ctx, job.Namespace, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.uid", string(job.UID)).String(),
	})
	if err != nil {
		return nil
	}
	return list.Items
}
