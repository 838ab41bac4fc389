package wizard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 1: a Job or a CronJob (任务 / 定时任务), and the CronJob's schedule ----
//
// KubeSphere's CronJob form asks its schedule and the CronJob's own
// settings in "Basic information", then the same steps as a Job's; so here
// the schedule is part of step 1 and the walk keeps its six steps. Every
// answer goes through the flag's applier (jobspec.ApplySchedule,
// ApplyTimeZone, …), so the wizard refuses what --schedule refuses, with
// the same words.

// askKind asks whether the Spec is a Job or a CronJob. The answer from the
// flags (--schedule) or a manifest (-f --kind cronjob) is the default; a
// CronJob's settings set aside by answering Job come back when CronJob is
// answered again.
func (w *Wizard) askKind(s *jobspec.Spec) error {
	def := 0
	if s.IsCronJob() {
		def = 1
	}
	i, err := w.p.Select(Select{Message: w.T("Run once (Job) or on a schedule (CronJob)?"), Default: def, Options: []Option{
		{Label: w.T("Job"), Description: w.T("runs once")},
		{Label: w.T("CronJob"), Description: w.T("runs on a schedule: every hour, day, week or a cron expression")},
	}})
	if err != nil {
		return err
	}
	switch {
	case i == 0 && s.CronJob != nil:
		w.cronStash, s.CronJob = s.CronJob, nil
	case i == 1 && s.CronJob == nil:
		s.CronJob = w.cronStash
		if s.CronJob == nil {
			s.CronJob = &jobspec.CronJobSettings{}
		}
	}
	return nil
}

// Schedule presets, in the order they are offered.
const (
	presetHourly = iota
	presetDaily
	presetWeekly
	presetCustom
)

// The schedules the presets write, read back so that a schedule from the
// flags or a draft opens on its preset; compiled on first use, not at
// every start of the plugin.
var (
	hourlyRE = lazy.Regexp(`^([0-9]|[1-5][0-9]) \* \* \* \*$`)
	dailyRE  = lazy.Regexp(`^([0-9]|[1-5][0-9]) ([0-9]|1[0-9]|2[0-3]) \* \* \*$`)
	weeklyRE = lazy.Regexp(`^([0-9]|[1-5][0-9]) ([0-9]|1[0-9]|2[0-3]) \* \* ([0-6])$`)
)

// weekdays are offered Monday first, as a calendar in China (and ISO 8601)
// has them; the cron number of Sunday is 0.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (w *Wizard) weekdayName(d time.Weekday) string {
	return [...]string{w.T("Sunday"), w.T("Monday"), w.T("Tuesday"), w.T("Wednesday"), w.T("Thursday"), w.T("Friday"), w.T("Saturday")}[d]
}

// askSchedule asks the CronJob's schedule, its time zone and, when the
// person wants them, its other settings; then shows the next three runs.
func (w *Wizard) askSchedule(s *jobspec.Spec) error {
	fmt.Fprintln(w.out)
	w.say(w.style(bold, w.T("Schedule")))
	w.say(w.style(dim, w.T("When the CronJob starts a Job; each Job is the one the next steps describe.")))

	cur := s.CronJob.Schedule
	preset := presetDaily
	var m []string
	switch {
	case cur == "":
	case hourlyRE().MatchString(cur):
		preset, m = presetHourly, hourlyRE().FindStringSubmatch(cur)
	case dailyRE().MatchString(cur):
		preset, m = presetDaily, dailyRE().FindStringSubmatch(cur)
	case weeklyRE().MatchString(cur):
		preset, m = presetWeekly, weeklyRE().FindStringSubmatch(cur)
	default:
		preset = presetCustom
	}
	i, err := w.p.Select(Select{Message: w.T("How often does it run?"), Default: preset, Options: []Option{
		{Label: w.T("Every hour"), Description: w.T("at a minute past each hour")},
		{Label: w.T("Every day"), Description: w.T("at a time of day")},
		{Label: w.T("Every week"), Description: w.T("on a day of the week, at a time of day")},
		{Label: w.T("Custom"), Description: w.T("a cron expression, or @hourly, @daily, @every 90m …")},
	}})
	if err != nil {
		return err
	}
	if i != preset {
		m = nil
	}
	// The clock of a daily or weekly schedule from the flags, else 03:00.
	clockDef := "03:00"
	if len(m) >= 3 {
		h, _ := strconv.Atoi(m[2])
		mm, _ := strconv.Atoi(m[1])
		clockDef = fmt.Sprintf("%02d:%02d", h, mm)
	}

	var sched string
	switch i {
	case presetHourly:
		def := "0"
		if len(m) >= 2 {
			def = m[1]
		}
		toSchedule := func(a string) string { return a + " * * * *" }
		a, err := w.liveInput(s, w.T("Minute past the hour (0-59)"), def,
			w.T("The Job starts every hour at this minute; 0 is on the hour, 30 at half past."), toSchedule,
			func(a string) error { return w.explainRule(judgeAdded(s, toSchedule(a), jobspec.ApplySchedule)) })
		if err != nil {
			return err
		}
		sched = toSchedule(a)
	case presetDaily, presetWeekly:
		day := ""
		if i == presetWeekly {
			d := time.Monday
			if len(m) >= 4 {
				n, _ := strconv.Atoi(m[3])
				d = time.Weekday(n)
			}
			opts := make([]Option, len(weekdays))
			def := 0
			for j, wd := range weekdays {
				opts[j] = Option{Label: w.weekdayName(wd)}
				if wd == d {
					def = j
				}
			}
			k, err := w.p.Select(Select{Message: w.T("On which day?"), Options: opts, Default: def})
			if err != nil {
				return err
			}
			day = strconv.Itoa(int(weekdays[k]))
		}
		toSchedule := func(a string) string {
			h, mm, err := parseClock(a)
			if err != nil {
				return ""
			}
			dow := "*"
			if day != "" {
				dow = day
			}
			return fmt.Sprintf("%d %d * * %s", mm, h, dow)
		}
		a, err := w.liveInput(s, w.T("At what time (HH:MM, 24-hour clock)?"), clockDef,
			w.T("The time of day in the schedule's time zone, asked next; e.g. 03:00 or 18:30."), toSchedule,
			func(a string) error {
				if _, _, err := parseClock(a); err != nil {
					return errors.New(w.T("%s: a time of day is HH:MM on a 24-hour clock, e.g. 03:00 or 18:30", jobspec.QuoteValue(a)))
				}
				return w.explainRule(judgeAdded(s, toSchedule(a), jobspec.ApplySchedule))
			})
		if err != nil {
			return err
		}
		sched = toSchedule(a)
	default:
		def := cur
		if def == "" {
			def = "0 3 * * *"
		}
		a, err := w.liveInput(s, w.T("Schedule (minute hour day-of-month month day-of-week)"), def,
			w.T("Five cron fields, e.g. \"*/15 * * * *\" every 15 minutes, \"0 9 * * 1-5\" at 09:00 on weekdays; or @hourly, @daily, @weekly, @monthly, @yearly, @every 90m."),
			func(a string) string { return a },
			func(a string) error { return w.explain(judgeAdded(s, a, jobspec.ApplySchedule), true) })
		if err != nil {
			return err
		}
		sched = a
	}
	if _, err := jobspec.ApplySchedule(s, sched); err != nil {
		return err
	}
	if err := w.askTimeZone(s); err != nil {
		return err
	}
	w.note(w.T("Next runs:"))
	for _, line := range w.nextRuns(s.CronJob) {
		w.note("  " + line)
	}

	c := s.CronJob
	advanced := c.ConcurrencyPolicy != "" || c.StartingDeadlineSeconds != nil || c.SuccessfulJobsHistoryLimit != nil ||
		c.FailedJobsHistoryLimit != nil || c.Suspend != nil
	more, err := w.p.Confirm(Confirm{Message: w.T("Advanced schedule settings (overlapping runs, starting deadline, Jobs kept, suspend)?"), Default: advanced})
	if err != nil || !more {
		return err
	}
	return w.scheduleAdvanced(s)
}

// parseClock reads HH:MM (or H:MM) on a 24-hour clock.
func parseClock(a string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(a, ":")
	bad := errors.New("not HH:MM")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, bad
	}
	if h, err = strconv.Atoi(hs); err != nil || h < 0 || h > 23 {
		return 0, 0, bad
	}
	if m, err = strconv.Atoi(ms); err != nil || m < 0 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

// liveInput asks a part of the schedule and shows, as the person types, the
// next runs of the schedule toSchedule makes of the answer so far.
func (w *Wizard) liveInput(s *jobspec.Spec, msg, def, help string, toSchedule func(string) string, validate func(string) error) (string, error) {
	q := Input{Message: msg, Default: def, Help: help,
		Validate: func(a string) error { return validate(strings.TrimSpace(a)) },
		Live: func(a string) []string {
			c := s.CronJob.DeepCopy()
			c.Schedule = toSchedule(strings.TrimSpace(a))
			if _, err := jobspec.ParseSchedule(c.Schedule); err != nil {
				return []string{w.T("(not a schedule yet)")}
			}
			lines := w.nextRuns(c)
			for i := range lines {
				lines[i] = "→ " + lines[i]
			}
			return lines
		}}
	a, err := w.p.Input(q)
	return strings.TrimSpace(a), err
}

// askTimeZone asks the schedule's zone: none (the cronjob controller's own
// zone, which the client cannot know), this machine's zone, UTC, or any
// IANA name, each through jobspec.ApplyTimeZone.
func (w *Wizard) askTimeZone(s *jobspec.Spec) error {
	opts := []Option{{Label: w.T("None"), Description: w.T("the cronjob controller's own zone")}}
	zones := []string{""}
	if z := w.cfg.LocalZone; z != "" && !alwaysUTC(z) {
		opts = append(opts, Option{Label: safe(z), Description: w.T("this computer's zone")})
		zones = append(zones, z)
	}
	opts = append(opts, Option{Label: "UTC"})
	zones = append(zones, "UTC")
	other := len(opts)
	opts = append(opts, Option{Label: w.T("Another zone…"), Description: w.T("an IANA name such as Asia/Shanghai")})

	cur, def := "", 0
	if s.CronJob.TimeZone != nil {
		cur, def = *s.CronJob.TimeZone, other
		for i, z := range zones {
			if z == cur {
				def = i
			}
		}
	}
	i, err := w.p.Select(Select{Message: w.T("Time zone of the schedule"), Options: opts, Default: def,
		Help: w.T("Without one, the schedule is read in the zone of the cluster's cronjob controller.")})
	if err != nil {
		return err
	}
	zone := ""
	if i == other {
		zone, err = w.input(w.T("Time zone (IANA name, e.g. Asia/Shanghai, Europe/Berlin)"), cur, "", func(a string) error {
			return w.explain(judgeAdded(s, a, jobspec.ApplyTimeZone), true)
		})
		if err != nil {
			return err
		}
	} else {
		zone = zones[i]
	}
	if zone == "" {
		s.CronJob.TimeZone = nil
		return nil
	}
	_, err = jobspec.ApplyTimeZone(s, zone)
	return err
}

// alwaysUTC reports whether a zone keeps UTC's time all year (Etc/UTC,
// Zulu, …): offered beside UTC it would be the same choice twice.
func alwaysUTC(zone string) bool {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return false
	}
	for _, m := range []time.Month{time.January, time.July} {
		if _, off := time.Date(2026, m, 1, 0, 0, 0, 0, loc).Zone(); off != 0 {
			return false
		}
	}
	return true
}

// scheduleAdvanced asks the CronJob's other fields, as KubeSphere's
// "advanced settings" of a CronJob do.
func (w *Wizard) scheduleAdvanced(s *jobspec.Spec) error {
	policies := []batchv1.ConcurrencyPolicy{"", batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent}
	def := 0
	for i, p := range policies {
		if p == s.CronJob.ConcurrencyPolicy {
			def = i
		}
	}
	if s.CronJob.ConcurrencyPolicy == batchv1.AllowConcurrent {
		def = 0
	}
	i, err := w.p.Select(Select{Message: w.T("When a run is due while the last one still runs"), Default: def, Options: []Option{
		{Label: "Allow", Description: w.T("start it anyway (the default)")},
		{Label: "Forbid", Description: w.T("skip the new run")},
		{Label: "Replace", Description: w.T("stop the running Job for the new one")},
	}})
	if err != nil {
		return err
	}
	switch {
	case i > 0:
		if _, err := jobspec.ApplyConcurrencyPolicy(s, string(policies[i])); err != nil {
			return err
		}
	case s.CronJob.ConcurrencyPolicy != batchv1.AllowConcurrent:
		// Allow is the API's default: an unset policy stays unset.
		s.CronJob.ConcurrencyPolicy = ""
	}
	if err := w.durationQuestion(s, w.T("Starting deadline (optional: 90s, 10m, 1h)"),
		w.T("startingDeadlineSeconds: a run that cannot start this long after its time (the controller was down, say) is skipped."),
		"spec.startingDeadlineSeconds",
		func(c *jobspec.Spec) string { return formatSecondsPtr(c.CronJob.StartingDeadlineSeconds) },
		func(c *jobspec.Spec) { c.CronJob.StartingDeadlineSeconds = nil }, jobspec.ApplyStartingDeadline); err != nil {
		return err
	}
	if err := w.countQuestion(s, w.T("Succeeded Jobs to keep"),
		w.T("successfulJobsHistoryLimit: older finished Jobs (and their pods) are deleted."),
		jobspec.ApplySuccessfulJobsHistory, "spec.successfulJobsHistoryLimit", "3",
		func(c *jobspec.Spec) **int32 { return &c.CronJob.SuccessfulJobsHistoryLimit }); err != nil {
		return err
	}
	if err := w.countQuestion(s, w.T("Failed Jobs to keep"),
		w.T("failedJobsHistoryLimit: older failed Jobs (and their pods) are deleted."),
		jobspec.ApplyFailedJobsHistory, "spec.failedJobsHistoryLimit", "1",
		func(c *jobspec.Spec) **int32 { return &c.CronJob.FailedJobsHistoryLimit }); err != nil {
		return err
	}
	suspended := s.CronJob.Suspend != nil && *s.CronJob.Suspend
	yes, err := w.p.Confirm(Confirm{Message: w.T("Create the schedule suspended (no Job starts until it is resumed)?"), Default: suspended})
	if err != nil {
		return err
	}
	if yes || s.CronJob.Suspend != nil {
		_, err = jobspec.ApplySuspendSchedule(s, strconv.FormatBool(yes))
	}
	return err
}

// now is the clock the next runs are counted from.
func (w *Wizard) now() time.Time {
	if w.cfg.Now != nil {
		return w.cfg.Now()
	}
	return time.Now()
}

func (w *Wizard) local() *time.Location {
	if w.cfg.Local != nil {
		return w.cfg.Local
	}
	return time.Local
}

// nextRuns are the next three runs of c, one a line, in the schedule's
// zone and (when that differs) local time, in the person's language: the
// times of jobspec.NextRuns, the schedule's own rule.
func (w *Wizard) nextRuns(c *jobspec.CronJobSettings) []string {
	runs, err := jobspec.NextRuns(c, w.now(), w.local(), 3)
	if err != nil {
		return nil
	}
	if len(runs) == 0 {
		return []string{w.T("never: no date matches the schedule")}
	}
	at := func(t time.Time) string {
		return t.Format("2006-01-02 15:04 MST") + " (" + w.weekdayName(t.Weekday()) + ")"
	}
	lines := make([]string, len(runs))
	for i, t := range runs {
		lines[i] = at(t)
		if c.TimeZone == nil {
			lines[i] = w.T("%s (this computer's time; the controller's zone decides)", at(t))
		} else if lt := t.In(w.local()); lt.Format("-0700 MST") != t.Format("-0700 MST") {
			lines[i] = w.T("%s, local %s", at(t), at(lt))
		}
	}
	return lines
}

// summarySchedule is the CronJob's part of the review.
func (w *Wizard) summarySchedule(s *jobspec.Spec, add func(label, value string)) {
	if !s.IsCronJob() {
		return
	}
	c := s.CronJob
	add(w.T("Kind"), w.T("CronJob (on a schedule)"))
	add(w.T("Schedule"), c.Schedule)
	if c.TimeZone != nil {
		add(w.T("Time zone"), *c.TimeZone)
	} else {
		add(w.T("Time zone"), w.T("none: the cronjob controller's zone"))
	}
	for i, line := range w.nextRuns(c) {
		label := " "
		if i == 0 {
			label = w.T("Next runs")
		}
		add(label, line)
	}
	add(w.T("Overlapping runs"), string(c.ConcurrencyPolicy))
	add(w.T("Starting deadline"), formatSecondsPtr(c.StartingDeadlineSeconds))
	i32 := func(p *int32) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(int(*p))
	}
	add(w.T("Succeeded Jobs kept"), i32(c.SuccessfulJobsHistoryLimit))
	add(w.T("Failed Jobs kept"), i32(c.FailedJobsHistoryLimit))
	if c.Suspend != nil && *c.Suspend {
		add(w.T("Schedule suspended"), w.T("yes"))
	}
}

// followCronJobOffer is the follow question after a CronJob's Create:
// following waits for its first Job, which is said, and is the default only
// when that Job is due soon (a person would not sit through a night).
func (w *Wizard) followCronJobOffer(s *jobspec.Spec) (string, bool) {
	runs, err := jobspec.NextRuns(s.CronJob, w.now(), w.local(), 1)
	if err != nil || len(runs) == 0 {
		return w.T("Wait for the CronJob's first Job and follow it until it ends?"), false
	}
	msg := w.T("Wait for the CronJob's first Job (due %s) and follow it until it ends?", runs[0].In(w.local()).Format("2006-01-02 15:04 MST"))
	if len(w.cfg.FollowArgs) > 0 {
		msg = w.T("Wait for the CronJob's first Job (due %s), follow it until it ends, and then write %s?",
			runs[0].In(w.local()).Format("2006-01-02 15:04 MST"), safe(strings.Join(w.cfg.FollowArgs, " ")))
	}
	return msg, runs[0].Sub(w.now()) <= 10*time.Minute
}
