package jobspec

import (
	"strconv"

	"github.com/spf13/pflag"
)

// CronJobFlags holds the raw strings of the CronJob flags of docs/CLI.md
// ("CronJob"). Like Flags, they stay strings until Apply so each bad value
// gets our message, and only the flags a user set touch an imported Spec.
type CronJobFlags struct {
	Schedule, TimeZone, ConcurrencyPolicy, StartingDeadline string
	SuccessfulJobsHistory, FailedJobsHistory                string
	SuspendSchedule                                         bool
}

// cronJobFlagNames are the flags that only a CronJob has.
var cronJobFlagNames = []string{"schedule", "time-zone", "concurrency-policy", "starting-deadline",
	"successful-jobs-history", "failed-jobs-history", "suspend-schedule"}

// CronJobFlagNames lists the flags AddTo registers, for help grouping and
// tests.
func CronJobFlagNames() []string { return append([]string(nil), cronJobFlagNames...) }

// AddTo registers the CronJob flags.
func (f *CronJobFlags) AddTo(fs *pflag.FlagSet) {
	fs.StringVar(&f.Schedule, "schedule", "", `Make a CronJob that runs the Job on this schedule: five cron fields or a macro, e.g. "0 3 * * *" or @hourly (spec.schedule)`)
	fs.StringVar(&f.TimeZone, "time-zone", "", "With --schedule: the IANA time zone the schedule is in, e.g. Asia/Shanghai (spec.timeZone; default: the cronjob controller's zone)")
	fs.StringVar(&f.ConcurrencyPolicy, "concurrency-policy", "", "With --schedule: Allow, Forbid or Replace, when a run is due while the last still runs (spec.concurrencyPolicy)")
	fs.StringVar(&f.StartingDeadline, "starting-deadline", "", "With --schedule: a run that cannot start this long after its time is skipped, as seconds or a duration (spec.startingDeadlineSeconds)")
	fs.StringVar(&f.SuccessfulJobsHistory, "successful-jobs-history", "", "With --schedule: finished Jobs to keep (spec.successfulJobsHistoryLimit; server default 3)")
	fs.StringVar(&f.FailedJobsHistory, "failed-jobs-history", "", "With --schedule: failed Jobs to keep (spec.failedJobsHistoryLimit; server default 1)")
	fs.BoolVar(&f.SuspendSchedule, "suspend-schedule", false, "With --schedule: create the CronJob suspended, starting no Jobs until resumed (spec.suspend; --suspend is the Job's)")
}

// Apply lays the CronJob flags that were set on fs over s. --schedule makes
// a Job a CronJob; the other flags need a CronJob (a --schedule, or -f of
// a CronJob kept one), and are refused on a Job, which has no such field.
func (f *CronJobFlags) Apply(s *Spec, fs *pflag.FlagSet) error {
	var errs Errors
	add := errs.collect
	changed := func(name string) bool {
		fl := fs.Lookup(name)
		return fl != nil && fl.Changed
	}
	if changed("schedule") {
		if s.CronJob == nil {
			s.CronJob = &CronJobSettings{}
		}
		s.CronJob.Schedule = f.Schedule
		_, err := ParseSchedule(f.Schedule)
		add(err)
	}
	if s.CronJob == nil {
		for _, name := range cronJobFlagNames {
			if changed(name) {
				fl := fs.Lookup(name)
				add(flagErr("--"+name, fl.Value.String(), "is a CronJob's field and needs --schedule (a Job runs once, with no schedule)", `--schedule "0 3 * * *"`))
			}
		}
		return errs.OrNil()
	}
	c := s.CronJob
	if changed("time-zone") {
		_, err := ParseTimeZone(f.TimeZone)
		add(err)
		zone := f.TimeZone
		c.TimeZone = &zone
	}
	if changed("concurrency-policy") {
		p, err := ParseConcurrencyPolicy(f.ConcurrencyPolicy)
		add(err)
		c.ConcurrencyPolicy = p
	}
	if changed("starting-deadline") {
		n, err := ParseSeconds("--starting-deadline", f.StartingDeadline)
		add(err)
		if err == nil {
			c.StartingDeadlineSeconds = &n
		}
	}
	for _, h := range []struct {
		name, val string
		dst       **int32
	}{
		{"successful-jobs-history", f.SuccessfulJobsHistory, &c.SuccessfulJobsHistoryLimit},
		{"failed-jobs-history", f.FailedJobsHistory, &c.FailedJobsHistoryLimit},
	} {
		if !changed(h.name) {
			continue
		}
		n, err := ParseCount("--"+h.name, h.val)
		add(err)
		if err == nil {
			*h.dst = &n
		}
	}
	if changed("suspend-schedule") {
		v := f.SuspendSchedule
		c.Suspend = &v
	}
	return errs.OrNil()
}

// cronJobArgs renders the CronJob flags of s.CronJob (none for a Job).
func cronJobArgs(s *Spec) []string {
	c := s.CronJob
	if c == nil {
		return nil
	}
	a := []string{"--schedule", c.Schedule}
	if c.TimeZone != nil {
		a = append(a, "--time-zone", *c.TimeZone)
	}
	if c.ConcurrencyPolicy != "" {
		a = append(a, "--concurrency-policy", string(c.ConcurrencyPolicy))
	}
	if c.StartingDeadlineSeconds != nil {
		a = append(a, "--starting-deadline", FormatSeconds(*c.StartingDeadlineSeconds))
	}
	if c.SuccessfulJobsHistoryLimit != nil {
		a = append(a, "--successful-jobs-history", strconv.Itoa(int(*c.SuccessfulJobsHistoryLimit)))
	}
	if c.FailedJobsHistoryLimit != nil {
		a = append(a, "--failed-jobs-history", strconv.Itoa(int(*c.FailedJobsHistoryLimit)))
	}
	if c.Suspend != nil {
		a = append(a, "--suspend-schedule="+strconv.FormatBool(*c.Suspend))
	}
	return a
}
