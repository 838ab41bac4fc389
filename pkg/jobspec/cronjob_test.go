package jobspec

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/diff"
)

var cronBase = []string{"backup", "--image", "busybox:1.36", "--schedule", "0 3 * * *"}

func TestParseSchedule(t *testing.T) {
	good := []string{"* * * * *", "0 3 * * *", "*/15 9-17 * * 1-5", "0 0 1 1 *", "0 12 * JAN,FEB MON",
		"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually", "@every 1h30m",
		"*/61 * * * *", "0 0 30 2 *"} // the last two parse, as the server lets them (once an hour; never)
	for _, s := range good {
		if _, err := ParseSchedule(s); err != nil {
			t.Errorf("ParseSchedule(%q): %v", s, err)
		}
	}
	bad := map[string]string{
		"":                        "needs a schedule",
		"61 * * * *":              "above maximum (59)",
		"* * * *":                 "expected exactly 5 fields",
		"* * * * * *":             "expected exactly 5 fields",
		"CRON_TZ=UTC * * * * *":   "cannot use TZ or CRON_TZ",
		"TZ=Asia/Tokyo 0 3 * * *": "cannot use TZ or CRON_TZ",
		"@fortnightly":            "unrecognized descriptor",
		"0 3 * * MOON":            "failed to parse",
	}
	for in, want := range bad {
		_, err := ParseSchedule(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSchedule(%q) = %v, want %q", in, err, want)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "--schedule (spec.schedule)") || !strings.Contains(msg, `(e.g. --schedule "0 3 * * *")`) || strings.Contains(msg, "\n") {
			t.Errorf("ParseSchedule(%q): the message must be one line naming the flag and an example: %s", in, msg)
		}
	}
}

func TestParseTimeZone(t *testing.T) {
	for _, z := range []string{"UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT+8", "Europe/Berlin"} {
		if _, err := ParseTimeZone(z); err != nil {
			t.Errorf("ParseTimeZone(%q): %v", z, err)
		}
	}
	for z, want := range map[string]string{
		"":                          "IANA",
		"Local":                     "not Local",
		"local":                     "not Local",
		"Europe/Pariss":             "not in the tz database",
		"../../etc/passwd":          "unknown time zone",
		"Asia/VeryLongCityNameHere": "unknown time zone",
		"-Foo":                      "unknown time zone",
	} {
		_, err := ParseTimeZone(z)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTimeZone(%q) = %v, want %q", z, err, want)
		}
	}
}

func TestValidateCronJob(t *testing.T) {
	good := map[string][]string{
		"minimal":   {},
		"all":       {"--time-zone", "Asia/Shanghai", "--concurrency-policy", "Forbid", "--starting-deadline", "10m", "--successful-jobs-history", "0", "--failed-jobs-history", "5", "--suspend-schedule"},
		"deadline0": {"--starting-deadline", "0"},
		"macro":     {"--schedule", "@weekly"},
		"job flags": {"--backoff-limit", "2", "--suspend", "--ttl-after-finished", "1h"},
	}
	for name, extra := range good {
		s, err := ParseArgs(append(append([]string{}, cronBase...), extra...))
		if err != nil {
			t.Errorf("%s: ParseArgs: %v", name, err)
			continue
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", name, err)
		}
	}
	badParse := map[string]struct {
		args []string
		want string
	}{
		"schedule":         {[]string{"--schedule", "61 * * * *"}, "--schedule (spec.schedule) \"61 * * * *\": end of range (61) above maximum (59)"},
		"tz in schedule":   {[]string{"--schedule", "CRON_TZ=UTC 0 3 * * *"}, "cannot use TZ"},
		"zone":             {[]string{"--time-zone", "Mars/Olympus"}, "--time-zone (spec.timeZone) \"Mars/Olympus\""},
		"policy":           {[]string{"--concurrency-policy", "forbid"}, "--concurrency-policy \"forbid\": must be Allow, Forbid"},
		"negative history": {[]string{"--successful-jobs-history", "-1"}, "--successful-jobs-history \"-1\""},
		"failed history":   {[]string{"--failed-jobs-history", "x"}, "--failed-jobs-history \"x\""},
		"deadline":         {[]string{"--starting-deadline", "-5s"}, "--starting-deadline \"-5s\""},
		"zone on job":      {[]string{"--schedule=", "--time-zone", "UTC"}, "needs a schedule"},
	}
	for name, c := range badParse {
		_, err := ParseArgs(append(append([]string{}, cronBase...), c.args...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ParseArgs = %v, want %q", name, err, c.want)
		}
	}
	// CronJob fields on a Job are refused: a Job has none.
	_, err := ParseArgs([]string{"job", "--image", "x", "--time-zone", "UTC", "--suspend-schedule"})
	if err == nil || !strings.Contains(err.Error(), "--time-zone \"UTC\": is a CronJob's field and needs --schedule") || !strings.Contains(err.Error(), "--suspend-schedule") {
		t.Errorf("CronJob flags on a Job: %v", err)
	}

	long := strings.Repeat("a", 53)
	s, err := ParseArgs([]string{long, "--image", "x", "--schedule", "@daily"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "at most 52 characters") {
		t.Errorf("a 53-character CronJob name: %v", err)
	}
	s, _ = ParseArgs([]string{"--generate-name", strings.Repeat("b", 48), "--image", "x", "--schedule", "@daily"})
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "prefix at most 47") {
		t.Errorf("a 48-character CronJob prefix: %v", err)
	}
	// The Job's problems are named under the jobTemplate.
	s, _ = ParseArgs(append(append([]string{}, cronBase...), "--completion-mode", "Indexed"))
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "spec.jobTemplate.spec.completions") {
		t.Errorf("an Indexed jobTemplate without completions: %v", err)
	}
}

func TestBuildCronJobTemplateIsTheJob(t *testing.T) {
	s, err := ParseArgs(append(append([]string{}, cronBase...), "-l", "app=backup", "--annotation", "team=ops", "--alias", "备份",
		"--backoff-limit", "1", "--time-zone", "Europe/Berlin", "--concurrency-policy", "Forbid", "--starting-deadline", "300",
		"--successful-jobs-history", "2", "--failed-jobs-history", "4", "--suspend-schedule", "--", "sh", "-c", "backup"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	cj := s.BuildCronJob()
	job := s.Build()
	if !apiequality.Semantic.DeepEqual(cj.Spec.JobTemplate.Spec, job.Spec) {
		t.Errorf("jobTemplate.spec is not Build's spec:\n%s", diff.Diff(job.Spec, cj.Spec.JobTemplate.Spec))
	}
	if cj.Name != "backup" || cj.Labels["app"] != "backup" || cj.Annotations["team"] != "ops" || cj.Annotations[AliasAnnotation] != "备份" {
		t.Errorf("the CronJob's metadata: %+v", cj.ObjectMeta)
	}
	if cj.Spec.JobTemplate.Spec.Template.Labels["app"] != "backup" {
		t.Errorf("--label must reach the pods: %v", cj.Spec.JobTemplate.Spec.Template.Labels)
	}
	want := batchv1.CronJobSpec{Schedule: "0 3 * * *", TimeZone: ptrTo("Europe/Berlin"), ConcurrencyPolicy: batchv1.ForbidConcurrent,
		StartingDeadlineSeconds: ptrTo[int64](300), SuccessfulJobsHistoryLimit: ptrTo[int32](2), FailedJobsHistoryLimit: ptrTo[int32](4),
		Suspend: ptrTo(true), JobTemplate: cj.Spec.JobTemplate}
	if !apiequality.Semantic.DeepEqual(cj.Spec, want) {
		t.Errorf("CronJob spec:\n%s", diff.Diff(want, cj.Spec))
	}
	if cj.APIVersion != "batch/v1" || cj.Kind != "CronJob" {
		t.Errorf("TypeMeta %v", cj.TypeMeta)
	}
	// Spec → Args → Spec builds the same CronJob, and a copy is a copy.
	args, again := argsAgain(t, s)
	if !apiequality.Semantic.DeepEqual(again.BuildCronJob(), cj) {
		t.Errorf("Args %q rebuild a different CronJob", args)
	}
	cp := s.DeepCopy()
	*cp.CronJob.TimeZone = "UTC"
	if *s.CronJob.TimeZone != "Europe/Berlin" {
		t.Error("DeepCopy shares the time zone")
	}
}

func TestImportCronJobKeepsEveryField(t *testing.T) {
	manifest := `apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-backup
  namespace: ops
  labels: {app: db}
spec:
  schedule: "30 2 * * *"
  timeZone: Asia/Shanghai
  startingDeadlineSeconds: 600
  concurrencyPolicy: Forbid
  jobTemplate:
    metadata:
      labels: {kind: backup}
      annotations: {owner: dba}
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: dump
            image: postgres:16
            args: [pg_dump, -f, /backup/db.sql]
status:
  lastScheduleTime: "2026-01-01T02:30:00Z"
`
	want, err := DecodeCronJob("m.yaml", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	want.APIVersion, want.Kind = "batch/v1", "CronJob"
	want.Status = batchv1.CronJobStatus{}
	s, dropped, err := ImportCronJob("m.yaml", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(dropped, ",") != "status" {
		t.Errorf("dropped %q, want the status alone", dropped)
	}
	if got := s.BuildCronJob(); !apiequality.Semantic.DeepEqual(got, want) {
		t.Errorf("the CronJob does not build back:\n%s", diff.Diff(want, got))
	}
	if _, complete := Args(s); complete {
		t.Error("jobTemplate metadata has no flag; Args must say the command is incomplete")
	}
	// The default -f of a CronJob still takes its jobTemplate as a Job.
	j, err := Import("m.yaml", []byte(manifest))
	if err != nil || j.IsCronJob() || j.GenerateName != "db-backup-" {
		t.Errorf("Import of a CronJob: %v %+v", err, j)
	}
}

func TestNextRuns(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 15, 0, 0, time.UTC)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	c := &CronJobSettings{Schedule: "0 3 * * *", TimeZone: ptrTo("Asia/Shanghai")}
	lines, err := DescribeNextRuns(c, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2026-12-03 03:00 CST (Thu), local 2026-12-02 19:00 UTC (Wed)",
		"2026-12-04 03:00 CST (Fri), local 2026-12-03 19:00 UTC (Thu)",
		"2026-12-05 03:00 CST (Sat), local 2026-12-04 19:00 UTC (Fri)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// Without a zone, the runs are in local time and said once.
	lines, _ = DescribeNextRuns(&CronJobSettings{Schedule: "@hourly"}, now, shanghai)
	if lines[0] != "2026-12-02 19:00 CST (Wed)" {
		t.Errorf("no zone: %q", lines)
	}
	lines, _ = DescribeNextRuns(&CronJobSettings{Schedule: "0 0 30 2 *"}, now, time.UTC)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "never") {
		t.Errorf("a schedule that never fires: %q", lines)
	}
}

func ptrTo[T any](v T) *T { return &v }

// argsAgain is the Spec that the command line Args renders for s parses
// back to, as a user who runs that command gets it; the test ends when the
// line is not complete or does not parse.
func argsAgain(t *testing.T, s *Spec) ([]string, *Spec) {
	t.Helper()
	args, complete := Args(s)
	if !complete {
		t.Fatalf("Args %q not complete", args)
	}
	again, err := ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	return args, again
}
