package wizard

import (
	"os"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

const (
	qKind      = "Run once (Job) or on a schedule (CronJob)?"
	qHowOften  = "How often does it run?"
	qMinute    = "Minute past the hour (0-59)"
	qClock     = "At what time (HH:MM, 24-hour clock)?"
	qDay       = "On which day?"
	qCron      = "Schedule (minute hour day-of-month month day-of-week)"
	qZone      = "Time zone of the schedule"
	qZoneName  = "Time zone (IANA name, e.g. Asia/Shanghai, Europe/Berlin)"
	qCronAdv   = "Advanced schedule settings (overlapping runs, starting deadline, Jobs kept, suspend)?"
	qOverlap   = "When a run is due while the last one still runs"
	qStartDL   = "Starting deadline (optional: 90s, 10m, 1h)"
	qKeepOK    = "Succeeded Jobs to keep"
	qKeepFail  = "Failed Jobs to keep"
	qCronPause = "Create the schedule suspended (no Job starts until it is resumed)?"
)

// fixed clock and zones: Wednesday 2026-12-02 13:20 UTC, this computer in
// Asia/Shanghai (UTC+8).
func withClock(c *Config) {
	c.Now = func() time.Time { return time.Date(2026, 12, 2, 13, 20, 0, 0, time.UTC) }
	c.Local, _ = time.LoadLocation("Asia/Shanghai")
	c.LocalZone = "Asia/Shanghai"
}

// cronWalk answers a CronJob walk: the image and the given answers, Print
// at the review.
func cronWalk(t *testing.T, spec *jobspec.Spec, answers map[string][]any, opts ...opt) *run {
	t.Helper()
	a := map[string][]any{qKind: {"CronJob"}, qName: {"nightly"}, qImage: {"busybox:1.36"}, "What now?": {"Print YAML"}}
	if spec != nil && spec.IsCronJob() {
		delete(a, qKind) // the default is CronJob
	}
	if spec != nil && spec.Name != "" {
		delete(a, qName)
	}
	for k, v := range answers {
		a[k] = v
	}
	return walk(t, spec, a, append([]opt{withClock}, opts...)...)
}

func TestCronJobPresets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers map[string][]any
		want    string
	}{
		{"hourly at :15", map[string][]any{qHowOften: {"Every hour"}, qMinute: {"15"}}, "15 * * * *"},
		{"hourly default", map[string][]any{qHowOften: {"Every hour"}}, "0 * * * *"},
		{"daily default 03:00", nil, "0 3 * * *"},
		{"daily at 18:30", map[string][]any{qClock: {"18:30"}}, "30 18 * * *"},
		{"weekly friday 9:05", map[string][]any{qHowOften: {"Every week"}, qDay: {"Friday"}, qClock: {"9:05"}}, "5 9 * * 5"},
		{"weekly sunday", map[string][]any{qHowOften: {"Every week"}, qDay: {"Sunday"}}, "0 3 * * 0"},
		{"custom", map[string][]any{qHowOften: {"Custom"}, qCron: {"*/15 9-17 * * 1-5"}}, "*/15 9-17 * * 1-5"},
		{"custom macro", map[string][]any{qHowOften: {"Custom"}, qCron: {"@every 90m"}}, "@every 90m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cronWalk(t, nil, tc.answers)
			if r.err != nil {
				t.Fatal(r.err)
			}
			cj := r.res.CronJob
			if cj == nil || r.res.Job != nil {
				t.Fatalf("result: Job %v, CronJob %v", r.res.Job, cj)
			}
			if cj.Spec.Schedule != tc.want || cj.Spec.TimeZone != nil {
				t.Errorf("schedule %q zone %v, want %q and none", cj.Spec.Schedule, cj.Spec.TimeZone, tc.want)
			}
			if !strings.Contains(r.res.Command, jobspec.ShellQuote("--schedule="+tc.want)) {
				t.Errorf("command %s lacks the schedule", r.res.Command)
			}
		})
	}
}

// TestCronJobZoneAndNextRuns: the next three runs are shown after the
// schedule and in the review, in the zone and in local time.
func TestCronJobZoneAndNextRuns(t *testing.T) {
	r := cronWalk(t, nil, map[string][]any{qClock: {"02:30"}, qZone: {"Another zone…"}, qZoneName: {"Mars/Olympus", "Europe/Berlin"}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	cj := r.res.CronJob
	if cj.Spec.Schedule != "30 2 * * *" || cj.Spec.TimeZone == nil || *cj.Spec.TimeZone != "Europe/Berlin" {
		t.Fatalf("spec %+v", cj.Spec)
	}
	// The zone is refused by --time-zone's own rule.
	_, want := jobspec.ApplyTimeZone(&jobspec.Spec{CronJob: &jobspec.CronJobSettings{}}, "Mars/Olympus")
	if got := r.fake.rejected[qZoneName]; len(got) != 1 || !strings.Contains(got[0], want.(*jobspec.FieldError).Rule) {
		t.Errorf("rejected %q, want the rule of %v", got, want)
	}
	out := r.out.String()
	for _, s := range []string{
		"2026-12-03 02:30 CET (Thursday), local 2026-12-03 09:30 CST (Thursday)",
		"2026-12-04 02:30 CET (Friday), local 2026-12-04 09:30 CST (Friday)",
		"2026-12-05 02:30 CET (Saturday)",
		"Kind", "CronJob (on a schedule)", "Europe/Berlin", "--time-zone=Europe/Berlin",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if n := strings.Count(out, "2026-12-03 02:30 CET"); n != 2 {
		t.Errorf("the first run is shown %d times, want after the schedule and in the review:\n%s", n, out)
	}
}

// TestCronJobLocalZoneChoice: this computer's zone is offered by name.
func TestCronJobLocalZoneChoice(t *testing.T) {
	r := cronWalk(t, nil, map[string][]any{qZone: {"Asia/Shanghai"}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if z := r.res.CronJob.Spec.TimeZone; z == nil || *z != "Asia/Shanghai" {
		t.Fatalf("zone %v", z)
	}
	if got := r.fake.seen[qZone]; len(got) != 4 || got[0] != "None" || got[2] != "UTC" {
		t.Errorf("zone options %q", got)
	}
}

// TestCronJobBadScheduleSameAsFlag: a custom schedule is refused with
// --schedule's rule, asked again, and the good one is taken.
func TestCronJobBadScheduleSameAsFlag(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.English, i18n.Chinese} {
		t.Run(string(lang), func(t *testing.T) {
			p := i18n.New(lang)
			answers := map[string][]any{qHowOften: {p.T("Custom")}, qCron: {"61 * * * *", "CRON_TZ=UTC 0 3 * * *", "0 4 * * *"}, qMinute: nil}
			tr := func(m map[string][]any) map[string][]any {
				out := map[string][]any{}
				for k, v := range m {
					out[p.T(k)] = v
				}
				return out
			}
			base := map[string][]any{qKind: {p.T("CronJob")}, qName: {"nightly"}, qImage: {"busybox:1.36"}, "What now?": {p.T("Print YAML")}}
			for k, v := range answers {
				base[k] = v
			}
			r := walk(t, nil, tr(base), withClock, withLang(lang))
			if r.err != nil {
				t.Fatal(r.err)
			}
			if s := r.res.CronJob.Spec.Schedule; s != "0 4 * * *" {
				t.Fatalf("schedule %q", s)
			}
			got := r.fake.rejected[p.T(qCron)]
			if len(got) != 2 {
				t.Fatalf("rejected %q", got)
			}
			for i, bad := range []string{"61 * * * *", "CRON_TZ=UTC 0 3 * * *"} {
				_, err := jobspec.ApplySchedule(&jobspec.Spec{}, bad)
				fe := err.(*jobspec.FieldError)
				want := jobspec.QuoteValue(bad) + ": " + p.Text(fe.Rule)
				if !strings.HasPrefix(got[i], want) || !strings.Contains(got[i], jobspec.ScheduleExample) {
					t.Errorf("rejected %q\nwant      %q …%s", got[i], want, jobspec.ScheduleExample)
				}
			}
		})
	}
}

// TestCronJobBadClockAndMinute: the guided questions refuse what is not a
// time or a minute, and take the next answer.
func TestCronJobBadClockAndMinute(t *testing.T) {
	r := cronWalk(t, nil, map[string][]any{qClock: {"25:00", "7", "07:45"}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if s := r.res.CronJob.Spec.Schedule; s != "45 7 * * *" {
		t.Fatalf("schedule %q", s)
	}
	if got := r.fake.rejected[qClock]; len(got) != 2 || !strings.Contains(got[0], "HH:MM") {
		t.Errorf("rejected %q", got)
	}
	r = cronWalk(t, nil, map[string][]any{qHowOften: {"Every hour"}, qMinute: {"60", "59"}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.fake.rejected[qMinute]; len(got) != 1 || !strings.Contains(got[0], "above maximum (59)") {
		t.Errorf("rejected %q", got)
	}
}

// TestCronJobAdvancedSettings: the CronJob's own fields, each through its
// flag's applier, in the command.
func TestCronJobAdvancedSettings(t *testing.T) {
	r := cronWalk(t, nil, map[string][]any{qCronAdv: {true}, qOverlap: {"Forbid"}, qStartDL: {"-5", "10m"},
		qKeepOK: {"5"}, qKeepFail: {"0"}, qCronPause: {true}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	s := r.res.CronJob.Spec
	if s.ConcurrencyPolicy != batchv1.ForbidConcurrent || *s.StartingDeadlineSeconds != 600 || *s.SuccessfulJobsHistoryLimit != 5 ||
		*s.FailedJobsHistoryLimit != 0 || !*s.Suspend {
		t.Fatalf("spec %+v", s)
	}
	for _, f := range []string{"--concurrency-policy=Forbid", "--starting-deadline=10m", "--successful-jobs-history=5", "--failed-jobs-history=0", "--suspend-schedule=true"} {
		if !strings.Contains(r.res.Command, f) {
			t.Errorf("command %s lacks %s", r.res.Command, f)
		}
	}
	if len(r.fake.rejected[qStartDL]) != 1 {
		t.Errorf("rejected %q", r.fake.rejected[qStartDL])
	}
}

// TestCronJobFromFlags: --schedule and friends make CronJob the default of
// step 1 and open the schedule on its preset; Enter keeps everything.
func TestCronJobFromFlags(t *testing.T) {
	for _, line := range []string{
		`nightly --image=busybox:1.36 --schedule "0 3 * * 1" --time-zone Asia/Shanghai`,
		`nightly --image=busybox:1.36 --schedule "20 * * * *" --time-zone UTC --concurrency-policy Replace`,
		`nightly --image=busybox:1.36 --schedule "@weekly" --time-zone America/New_York --successful-jobs-history 1`,
		`nightly --image=busybox:1.36 --schedule "5 4 * * *"`,
	} {
		t.Run(line, func(t *testing.T) {
			spec := fromArgs(t, line)
			want := spec.BuildCronJob()
			r := cronWalk(t, spec, nil)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if got := r.res.CronJob; !apiequality.Semantic.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got.Spec, want.Spec)
			}
		})
	}
}

// TestCronJobBackToJob: answering Job drops the schedule (the result is a
// Job); answering CronJob again brings it back.
func TestCronJobBackToJob(t *testing.T) {
	spec := fromArgs(t, `nightly --image=busybox:1.36 --schedule "0 3 * * *"`)
	r := cronWalk(t, spec, map[string][]any{qKind: {"Job"}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Job == nil || r.res.CronJob != nil || strings.Contains(r.res.Command, "--schedule") {
		t.Fatalf("result %+v, command %s", r.res, r.res.Command)
	}
}

// TestCronJobInterruptKeepsCronJobDraft: Ctrl-C keeps the CronJob, and the
// resume line reads it back as one.
func TestCronJobInterruptKeepsCronJobDraft(t *testing.T) {
	r := cronWalk(t, nil, map[string][]any{qClock: {"04:10"}, qBackoff: {interrupt{}}})
	if r.err == nil {
		t.Fatal("no error")
	}
	files := draftFiles(t, r.drafts)
	if len(files) != 1 {
		t.Fatalf("drafts %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	spec, _, err := jobspec.ImportCronJob(files[0], data)
	if err != nil {
		t.Fatal(err)
	}
	if spec.CronJob.Schedule != "10 4 * * *" {
		t.Errorf("draft schedule %q", spec.CronJob.Schedule)
	}
	if !strings.Contains(r.out.String(), "--kind cronjob -i") {
		t.Errorf("resume line:\n%s", r.out.String())
	}
}

// TestCronJobLiveNextRuns: the Input of a schedule carries the live next
// runs of the answer typed so far.
func TestCronJobLiveNextRuns(t *testing.T) {
	var live func(string) []string
	rec := &liveRecorder{fakePrompter: newFake(t, map[string][]any{qKind: {"CronJob"}, qName: {"n"}, qImage: {"busybox"}, qHowOften: {"Custom"},
		"What now?": {"Print YAML"}}), msg: qCron, live: &live}
	w := New(Config{Prompter: rec, Out: &strings.Builder{}, NoCluster: "none"})
	withClock(&w.cfg)
	if _, err := w.Run(t.Context(), &jobspec.Spec{}); err != nil {
		t.Fatal(err)
	}
	if live == nil {
		t.Fatal("the schedule's Input has no Live")
	}
	if got := live("0 3 * * *"); len(got) != 3 || got[0] != "→ 2026-12-03 03:00 CST (Thursday) (this computer's time; the controller's zone decides)" {
		t.Errorf("live %q", got)
	}
	if got := live("0 3 * *"); len(got) != 1 || got[0] != "(not a schedule yet)" {
		t.Errorf("live of a partial answer %q", got)
	}
}

type liveRecorder struct {
	*fakePrompter
	msg  string
	live *func(string) []string
}

func (l *liveRecorder) Input(q Input) (string, error) {
	if q.Message == l.msg {
		*l.live = q.Live
	}
	return l.fakePrompter.Input(q)
}
