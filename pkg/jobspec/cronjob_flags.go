package jobspec

import (
	"strconv"

	"github.com/spf13/pflag"
)

// addCronJobFlags registers the CronJob flags (fields of Flags, strings until
// Apply like the others).
func (f *Flags) addCronJobFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Schedule, "schedule", "", `Make a CronJob that runs the Job on this schedule: five cron fields or a macro, e.g. "0 3 * * *" or @hourly (spec.schedule)`)
	fs.StringVar(&f.TimeZone, "time-zone", "", "With --schedule: the IANA time zone of the schedule, e.g. Asia/Shanghai (spec.timeZone; default: the cronjob controller's zone)")
	fs.StringVar(&f.ConcurrencyPolicy, "concurrency-policy", "", "With --schedule: Allow, Forbid or Replace, when a run is due while the last still runs (spec.concurrencyPolicy)")
	fs.StringVar(&f.StartingDeadline, "starting-deadline", "", "With --schedule: a run that cannot start this long after its time is skipped, as seconds or a duration (spec.startingDeadlineSeconds)")
	fs.StringVar(&f.SuccessfulJobsHistory, "successful-jobs-history", "", "With --schedule: finished Jobs to keep (spec.successfulJobsHistoryLimit; server default 3)")
	fs.StringVar(&f.FailedJobsHistory, "failed-jobs-history", "", "With --schedule: failed Jobs to keep (spec.failedJobsHistoryLimit; server default 1)")
	fs.BoolVar(&f.SuspendSchedule, "suspend-schedule", false, "With --schedule: create the CronJob suspended, starting no Jobs until resumed (spec.suspend; --suspend is the Job's)")
}

// applyCronJob applies the CronJob flags that were set, --schedule first:
// it makes a Job a CronJob, and the others need one.
func (f *Flags) applyCronJob(r applying[*Spec]) {
	r.one("schedule", f.Schedule, ApplySchedule)
	r.one("time-zone", f.TimeZone, ApplyTimeZone)
	r.one("concurrency-policy", f.ConcurrencyPolicy, ApplyConcurrencyPolicy)
	r.one("starting-deadline", f.StartingDeadline, ApplyStartingDeadline)
	r.one("successful-jobs-history", f.SuccessfulJobsHistory, ApplySuccessfulJobsHistory)
	r.one("failed-jobs-history", f.FailedJobsHistory, ApplyFailedJobsHistory)
	r.one("suspend-schedule", strconv.FormatBool(f.SuspendSchedule), ApplySuspendSchedule)
}

// ApplySchedule applies --schedule: it makes the Spec a CronJob (keeping
// the settings of one) on the schedule, checked as the API server does.
func ApplySchedule(s *Spec, v string) (string, error) {
	if s.CronJob == nil {
		s.CronJob = &CronJobSettings{}
	}
	s.CronJob.Schedule = v
	_, err := ParseSchedule(v)
	return "spec.schedule", err
}

// cronJobApplier is the applier of a CronJob flag other than --schedule:
// on a Job, which has no such field, the value is refused.
func cronJobApplier(flag, field string, set func(c *CronJobSettings, v string) error) Applier {
	return func(s *Spec, v string) (string, error) {
		if s.CronJob == nil {
			return field, &FieldError{Flag: flag, Value: v, Rule: `is a CronJob's field and needs --schedule (a Job runs once, with no schedule), e.g. --schedule "0 3 * * *"`}
		}
		return field, set(s.CronJob, v)
	}
}

// The CronJob's own flags.
var (
	ApplyTimeZone = cronJobApplier("--time-zone", "spec.timeZone", func(c *CronJobSettings, v string) error {
		if _, err := ParseTimeZone(v); err != nil {
			return err
		}
		c.TimeZone = &v
		return nil
	})
	ApplyConcurrencyPolicy = cronJobApplier("--concurrency-policy", "spec.concurrencyPolicy", func(c *CronJobSettings, v string) error {
		p, err := ParseConcurrencyPolicy(v)
		if err == nil {
			c.ConcurrencyPolicy = p
		}
		return err
	})
	ApplyStartingDeadline = cronJobApplier("--starting-deadline", "spec.startingDeadlineSeconds", func(c *CronJobSettings, v string) error {
		n, err := ParseSeconds("--starting-deadline", v)
		if err == nil {
			c.StartingDeadlineSeconds = &n
		}
		return err
	})
	ApplySuccessfulJobsHistory = cronJobApplier("--successful-jobs-history", "spec.successfulJobsHistoryLimit", func(c *CronJobSettings, v string) error {
		n, err := ParseCount("--successful-jobs-history", v)
		if err == nil {
			c.SuccessfulJobsHistoryLimit = &n
		}
		return err
	})
	ApplyFailedJobsHistory = cronJobApplier("--failed-jobs-history", "spec.failedJobsHistoryLimit", func(c *CronJobSettings, v string) error {
		n, err := ParseCount("--failed-jobs-history", v)
		if err == nil {
			c.FailedJobsHistoryLimit = &n
		}
		return err
	})
	ApplySuspendSchedule = cronJobApplier("--suspend-schedule", "spec.suspend", func(c *CronJobSettings, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return flagErr("--suspend-schedule", v, "must be true or false", "true")
		}
		c.Suspend = &b
		return nil
	})
)

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
