package jobspec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	// The tz database inside the binary, as kube-apiserver has it, so that
	// --time-zone is judged alike on a machine without /usr/share/zoneinfo
	// (Windows, distroless images); see ParseTimeZone.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
)

// CronJobSettings is what a CronJob adds to the Job of the six steps: its
// schedule and the CronJob's own fields. A Spec whose CronJob is nil is a
// Job; with settings, the Spec's name, labels and annotations are the
// CronJob's, and its jobTemplate.spec is exactly the spec Build gives.
type CronJobSettings struct {
	Schedule                   string
	TimeZone                   *string
	ConcurrencyPolicy          batchv1.ConcurrencyPolicy
	StartingDeadlineSeconds    *int64
	SuccessfulJobsHistoryLimit *int32
	FailedJobsHistoryLimit     *int32
	// Suspend is the CronJob's own (--suspend-schedule): no new Jobs are
	// started. The Spec's Suspend stays the Job's.
	Suspend *bool
	// JobTemplateMeta is the jobTemplate's own metadata (labels and
	// annotations of every Job the CronJob starts), as a manifest had it.
	// No flag sets it: the label flags label the CronJob and the pods.
	JobTemplateMeta metav1.ObjectMeta
}

// DeepCopy returns settings that share nothing with c.
func (c *CronJobSettings) DeepCopy() *CronJobSettings {
	if c == nil {
		return nil
	}
	out := *c
	out.TimeZone = copyPtr(c.TimeZone)
	out.StartingDeadlineSeconds = copyPtr(c.StartingDeadlineSeconds)
	out.SuccessfulJobsHistoryLimit = copyPtr(c.SuccessfulJobsHistoryLimit)
	out.FailedJobsHistoryLimit = copyPtr(c.FailedJobsHistoryLimit)
	out.Suspend = copyPtr(c.Suspend)
	c.JobTemplateMeta.DeepCopyInto(&out.JobTemplateMeta)
	return &out
}

// IsCronJob reports whether the Spec describes a CronJob.
func (s *Spec) IsCronJob() bool { return s != nil && s.CronJob != nil }

// BuildCronJob turns the Spec into a CronJob whose jobTemplate.spec is
// exactly the spec of the Job Build gives, and whose metadata is that Job's
// (the NAME, labels and annotations are the CronJob's). It needs s.CronJob.
func (s *Spec) BuildCronJob() *batchv1.CronJob {
	job := s.Build()
	c := s.CronJob
	if c == nil {
		c = &CronJobSettings{}
	}
	cj := &batchv1.CronJob{ObjectMeta: job.ObjectMeta}
	cj.APIVersion, cj.Kind = batchv1.SchemeGroupVersion.String(), "CronJob"
	cj.Spec = batchv1.CronJobSpec{
		Schedule:                   c.Schedule,
		TimeZone:                   copyPtr(c.TimeZone),
		ConcurrencyPolicy:          c.ConcurrencyPolicy,
		StartingDeadlineSeconds:    copyPtr(c.StartingDeadlineSeconds),
		SuccessfulJobsHistoryLimit: copyPtr(c.SuccessfulJobsHistoryLimit),
		FailedJobsHistoryLimit:     copyPtr(c.FailedJobsHistoryLimit),
		Suspend:                    copyPtr(c.Suspend),
		JobTemplate:                batchv1.JobTemplateSpec{Spec: job.Spec},
	}
	c.JobTemplateMeta.DeepCopyInto(&cj.Spec.JobTemplate.ObjectMeta)
	// Kueue reads its labels on each Job the CronJob starts, that is from
	// the jobTemplate's metadata (Kueue's "Run a CronJob"): on the CronJob
	// alone they would leave every Job suspended forever. They stay on the
	// CronJob too, so that FromCronJob reads them back and
	// `kubectl get cronjob -l` finds it.
	tm := &cj.Spec.JobTemplate.ObjectMeta
	if s.Queue != "" {
		tm.Labels = setKey(tm.Labels, QueueLabel, s.Queue)
	}
	if s.WorkloadPriorityClass != "" {
		tm.Labels = setKey(tm.Labels, WorkloadPriorityClassLabel, s.WorkloadPriorityClass)
	}
	return cj
}

// BuildObject is the object the Spec describes: a *batchv1.CronJob when it
// has a schedule, else a *batchv1.Job.
func (s *Spec) BuildObject() runtime.Object {
	if s.IsCronJob() {
		return s.BuildCronJob()
	}
	return s.Build()
}

// FromCronJob makes a Spec of a CronJob that stays a CronJob: the Job part
// is its jobTemplate.spec under the CronJob's own metadata, kept as Base, so
// BuildCronJob gives the same CronJob back.
func FromCronJob(cj *batchv1.CronJob) *Spec {
	cj = cj.DeepCopy()
	job := &batchv1.Job{ObjectMeta: cj.ObjectMeta, Spec: cj.Spec.JobTemplate.Spec}
	job.APIVersion, job.Kind = batchv1.SchemeGroupVersion.String(), "Job"
	s := FromJob(job)
	cs := cj.Spec
	s.CronJob = &CronJobSettings{
		Schedule:                   cs.Schedule,
		TimeZone:                   cs.TimeZone,
		ConcurrencyPolicy:          cs.ConcurrencyPolicy,
		StartingDeadlineSeconds:    cs.StartingDeadlineSeconds,
		SuccessfulJobsHistoryLimit: cs.SuccessfulJobsHistoryLimit,
		FailedJobsHistoryLimit:     cs.FailedJobsHistoryLimit,
		Suspend:                    cs.Suspend,
		JobTemplateMeta:            cs.JobTemplate.ObjectMeta,
	}
	// Kueue's labels on the jobTemplate that BuildCronJob puts there from
	// the CronJob's own are not the manifest's to keep: they come back with
	// --queue and --workload-priority-class.
	tl := s.CronJob.JobTemplateMeta.Labels
	for label, v := range map[string]string{QueueLabel: s.Queue, WorkloadPriorityClassLabel: s.WorkloadPriorityClass} {
		if v != "" && tl[label] == v {
			delete(tl, label)
		}
	}
	if len(tl) == 0 {
		s.CronJob.JobTemplateMeta.Labels = nil
	}
	return s
}

// ScheduleExample is the example every schedule message gives.
const ScheduleExample = `"0 3 * * *"`

// scheduleRule says what a schedule may be, for every message about one.
const scheduleRule = "five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly or @every DURATION"

// ParseSchedule checks a schedule as the API server does on create: the
// CronJob controller's own parser (robfig/cron's ParseStandard), and no TZ
// in it (the server refuses "TZ" anywhere in a new CronJob's schedule; the
// zone goes in --time-zone).
func ParseSchedule(schedule string) (cron.Schedule, error) {
	bad := func(rule string) error {
		return &FieldError{Flag: "--schedule", Field: "spec.schedule", Value: schedule, Rule: rule, Example: ScheduleExample}
	}
	if strings.TrimSpace(schedule) == "" {
		return nil, bad("a CronJob needs a schedule: " + scheduleRule)
	}
	if strings.Contains(schedule, "TZ") {
		return nil, bad("cannot use TZ or CRON_TZ in the schedule, as the API server says; give the zone with --time-zone (e.g. --time-zone Asia/Shanghai)")
	}
	sched, err := cron.ParseStandard(schedule)
	if err != nil {
		return nil, bad(err.Error() + "; a schedule is " + scheduleRule)
	}
	return sched, nil
}

// validTimeZonePart is the API server's rule for each '/'-separated part
// of a time zone name (pkg/apis/batch/validation).
var validTimeZonePart = lazy.Regexp(`^[A-Za-z\.\-_0-9+]{1,14}$`)

// ParseTimeZone checks --time-zone as the API server does: an explicit
// IANA name (not Local), in the tz database. The binary carries its own copy
// of the database (time/tzdata), as kube-apiserver does, so the answer does
// not depend on the files of the machine it runs on.
func ParseTimeZone(zone string) (*time.Location, error) {
	bad := func(rule string) error {
		return &FieldError{Flag: "--time-zone", Field: "spec.timeZone", Value: zone, Rule: rule, Example: "Asia/Shanghai"}
	}
	if zone == "" {
		return nil, bad("must be an IANA time zone name; leave the flag out for the cronjob controller's own zone")
	}
	for _, part := range strings.Split(zone, "/") {
		if part == "." || part == ".." || strings.HasPrefix(part, "-") || !validTimeZonePart().MatchString(part) {
			return nil, bad("unknown time zone: an IANA name is parts of letters, digits, '.', '-', '_' and '+' (at most 14 each) joined by '/'")
		}
	}
	if strings.EqualFold(zone, "Local") {
		return nil, bad("must be an explicit IANA time zone, not Local (which would be the controller's)")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, bad("unknown time zone: not in the tz database (names are like Europe/Berlin, America/New_York, UTC)")
	}
	return loc, nil
}

// ParseConcurrencyPolicy parses --concurrency-policy.
func ParseConcurrencyPolicy(s string) (batchv1.ConcurrencyPolicy, error) {
	switch p := batchv1.ConcurrencyPolicy(s); p {
	case batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent:
		return p, nil
	}
	return "", flagErr("--concurrency-policy", s, "must be Allow, Forbid (skip a run while the last one runs) or Replace (stop it for the new one)", "Forbid")
}

// ConcurrencyPolicies are the values of --concurrency-policy, for
// completion and the wizard.
var ConcurrencyPolicies = []string{string(batchv1.AllowConcurrent), string(batchv1.ForbidConcurrent), string(batchv1.ReplaceConcurrent)}

// MaxCronJobNameLength is the API server's limit: the controller appends
// an 11-character suffix (-TIMESTAMP) to name each Job, which must stay a
// 63-character label.
const MaxCronJobNameLength = 52

// NextRuns returns the next n run times of the settings after now, in
// the CronJob's zone (or in local when it has none: the controller's own
// zone, which the client cannot know).
func NextRuns(c *CronJobSettings, now time.Time, local *time.Location, n int) ([]time.Time, error) {
	sched, err := ParseSchedule(c.Schedule)
	if err != nil {
		return nil, err
	}
	loc := local
	if c.TimeZone != nil {
		if loc, err = ParseTimeZone(*c.TimeZone); err != nil {
			return nil, err
		}
	}
	var out []time.Time
	t := now.In(loc)
	for i := 0; i < n; i++ {
		t = sched.Next(t)
		if t.IsZero() {
			break // a schedule that never fires, such as 0 0 30 2 *
		}
		out = append(out, t)
	}
	return out, nil
}

// DescribeNextRuns renders the next three runs, one a line: in the
// CronJob's zone and, when that is not local, in local time too. Without a
// time zone the controller's zone decides, which the lines say.
func DescribeNextRuns(c *CronJobSettings, now time.Time, local *time.Location) ([]string, error) {
	runs, err := NextRuns(c, now, local, 3)
	if err != nil {
		return nil, err
	}
	const layout = "2006-01-02 15:04 MST (Mon)"
	var lines []string
	for _, t := range runs {
		line := t.Format(layout)
		if lt := t.In(local); lt.Location().String() != t.Location().String() {
			line += ", local " + lt.Format(layout)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = append(lines, "never: no date matches the schedule")
	}
	return lines, nil
}

// cronJob adds the CronJob's own rules to what Validate checks of
// its jobTemplate.
func (v *validator) cronJob(s *Spec, job *batchv1.Job) {
	c := s.CronJob
	if _, err := ParseSchedule(c.Schedule); err != nil {
		v.errs.collect(err)
	}
	if c.TimeZone != nil {
		if _, err := ParseTimeZone(*c.TimeZone); err != nil {
			v.errs.collect(err)
		}
	}
	if c.ConcurrencyPolicy != "" {
		if _, err := ParseConcurrencyPolicy(string(c.ConcurrencyPolicy)); err != nil {
			fe := err.(*FieldError)
			fe.Field = "spec.concurrencyPolicy"
			v.errs.collect(fe)
		}
	}
	if p := c.StartingDeadlineSeconds; p != nil && *p < 0 {
		v.add("--starting-deadline", "spec.startingDeadlineSeconds", strconv.FormatInt(*p, 10), "must not be negative", "10m")
	}
	for _, h := range []struct {
		flag, field string
		p           *int32
	}{
		{"--successful-jobs-history", "spec.successfulJobsHistoryLimit", c.SuccessfulJobsHistoryLimit},
		{"--failed-jobs-history", "spec.failedJobsHistoryLimit", c.FailedJobsHistoryLimit},
	} {
		if h.p != nil && *h.p < 0 {
			v.add(h.flag, h.field, strconv.Itoa(int(*h.p)), "must not be negative", "3")
		}
	}
	// The server generates a name of the prefix and 5 characters before
	// it checks the 52.
	switch {
	case len(s.Name) > MaxCronJobNameLength:
		v.add("NAME", "metadata.name", s.Name, fmt.Sprintf("a CronJob's name must be at most %d characters, not %d: the controller names each Job NAME-TIMESTAMP", MaxCronJobNameLength, len(s.Name)), "nightly-backup")
	case s.Name == "" && len(s.GenerateName) > MaxCronJobNameLength-5:
		v.add("--generate-name", "metadata.generateName", s.GenerateName, fmt.Sprintf("a CronJob's generated name must be at most %d characters, so the prefix at most %d", MaxCronJobNameLength, MaxCronJobNameLength-5), "nightly-backup-")
	}
	if js := job.Spec; true {
		if js.Selector != nil {
			v.add("", "spec.jobTemplate.spec.selector", "", "must not be set: the server generates each Job's selector", "")
		}
		if js.ManualSelector != nil && *js.ManualSelector {
			v.add("", "spec.jobTemplate.spec.manualSelector", "true", "must not be true in a CronJob's jobTemplate", "")
		}
	}
}

// CronJobFieldPath moves a Job's field path under the CronJob's
// jobTemplate: spec.backoffLimit is spec.jobTemplate.spec.backoffLimit.
func CronJobFieldPath(field string) string {
	if rest, ok := strings.CutPrefix(field, "spec."); ok {
		return "spec.jobTemplate.spec." + rest
	}
	return field
}
