//go:build !windows

package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// enterToTheEnd answers every question left with Enter until the
// equivalent command is on the screen.
func (r *ptyRun) enterToTheEnd() {
	r.t.Helper()
	for asked := 0; !strings.Contains(r.screen.String(), "The same without prompts:") && !strings.Contains(r.screen.String(), zhSame); asked++ {
		if _, err := r.c.Expect(expect.String("? "), expect.WithTimeout(5*time.Second)); err != nil {
			if strings.Contains(r.screen.String(), "The same without prompts:") || strings.Contains(r.screen.String(), zhSame) {
				return
			}
			r.t.Fatalf("after %d questions: %v\nscreen:\n%s", asked, err, expect.StripTrailingEmptyLines(r.screen.String()))
		}
		if asked > 60 {
			r.t.Fatalf("more than 60 questions:\n%s", r.screen.String())
		}
		testutil.Settle(r.c)
		if _, err := r.c.Send("\r"); err != nil {
			r.t.Fatal(err)
		}
	}
}

// zhSame is "The same without prompts:" in Chinese.
const zhSame = "不经提问完成同样操作的命令:"

// waitScreen waits until the screen matches re (text already read from
// the terminal is on the screen, so ExpectString cannot be used twice).
func (r *ptyRun) waitScreen(re *regexp.Regexp) string {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindString(r.screen.String()); m != "" {
			return m
		}
		testutil.Settle(r.c)
	}
	r.t.Fatalf("the screen never showed %s:\n%s", re, expect.StripTrailingEmptyLines(r.screen.String()))
	return ""
}

// sameCronJob holds the printed command to its promise for a CronJob: run
// without prompts, it builds the CronJob the walk printed.
func sameCronJob(t *testing.T, command, printedYAML string) *jobspec.Spec {
	t.Helper()
	// "-o yaml" may wrap at its space on the screen.
	obj, err := testutil.ObjectOfCommand(strings.Replace(command, " -oyaml", " -o yaml", 1))
	if err != nil {
		t.Fatal(err)
	}
	printed, _, err := jobspec.ImportCronJob("stdout", []byte(printedYAML))
	if err != nil {
		t.Fatalf("the printed YAML does not import as a CronJob: %v\n%s", err, printedYAML)
	}
	if !apiequality.Semantic.DeepEqual(obj, printed.BuildCronJob()) {
		t.Errorf("the command %q builds another CronJob than the printed one:\n%s", command, printedYAML)
	}
	return printed
}

// TestWizardCronJobPTY: -i with --schedule starts the wizard on CronJob;
// a custom schedule typed key by key shows its next runs under the
// question before Enter; the review shows them; Print gives the CronJob
// and the equivalent command rebuilds it.
func TestWizardCronJobPTY(t *testing.T) {
	t.Setenv("TZ", "Etc/UTC") // not offered beside UTC
	r := startPTY(t, "-i", "nightly", "--image=busybox:1.36", "--schedule", "0 3 * * *", "--dry-run=client", "-o", "yaml")
	r.answer("Run once (Job) or on a schedule (CronJob)?", "")
	r.waitScreen(regexp.MustCompile(`> CronJob`))
	if _, err := r.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Name", "Namespace", "Alias", "Description"} {
		r.answer(q, "\r")
	}
	// The flags' schedule opens on its preset.
	r.answer("How often does it run?", "")
	r.waitScreen(regexp.MustCompile(`> Every day`))
	if _, err := r.c.Send("Custom\r"); err != nil {
		t.Fatal(err)
	}
	r.answer("Schedule (minute hour day-of-month month day-of-week)", "*/20 *")
	r.waitScreen(regexp.MustCompile(`\(not a schedule yet\)`))
	if _, err := r.c.Send(" * * *"); err != nil {
		t.Fatal(err)
	}
	// Three runs, 20 minutes apart, before Enter.
	live := r.waitScreen(regexp.MustCompile(`(?s)→ \d{4}-\d\d-\d\d \d\d:[024]0 \S+ \(\w+\).*→ .*→ [^\n]*`))
	if strings.Count(live, "→") != 3 {
		t.Errorf("live lines: %q", live)
	}
	if _, err := r.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	r.answer("Time zone of the schedule", "UTC\r")
	r.enterToTheEnd()
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d\n%s", code, r.screen.String())
	}
	screen := expect.StripTrailingEmptyLines(r.screen.String())
	if strings.Contains(screen, "→") {
		t.Errorf("the live lines stayed on the screen:\n%s", screen)
	}
	if !regexp.MustCompile(`Next runs\s+\d{4}-\d\d-\d\d \d\d:[024]0 UTC \(\w+\)`).MatchString(screen) {
		t.Errorf("the review lacks the next runs:\n%s", screen)
	}
	cmd := commandOnScreen(t, screen)
	for _, f := range []string{"'--schedule=*/20 * * * *'", "--time-zone=UTC"} {
		if !strings.Contains(cmd, f) {
			t.Errorf("command %s lacks %s", cmd, f)
		}
	}
	printed := sameCronJob(t, cmd, r.stdout.String())
	if c := printed.CronJob; c.Schedule != "*/20 * * * *" || c.TimeZone == nil || *c.TimeZone != "UTC" {
		t.Errorf("printed CronJob: %+v", c)
	}
}

// TestWizardCronJobChinesePTY: the same in Chinese (定时任务): weekly on
// Friday at 23:45 in this computer's zone ($TZ; time.Local was read when
// the test started, so the local times are not checked), picked by arrows.
func TestWizardCronJobChinesePTY(t *testing.T) {
	t.Setenv("TZ", "Asia/Shanghai")
	r := startPTY(t, "--lang=zh", "--image=busybox:1.36", "--dry-run=client", "-o", "yaml")
	r.answer("运行一次 (任务) 还是按计划运行 (定时任务)?", "\x1b[B")
	r.waitScreen(regexp.MustCompile(`> 定时任务 \(CronJob\)`))
	if _, err := r.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	r.answer("名称", "backup\r")
	for _, q := range []string{"项目", "别名", "描述"} {
		r.answer(q, "\r")
	}
	r.answer("多久运行一次?", "\x1b[B\r") // 每天 → 每周
	r.answer("星期几?", "\x1b[B\x1b[B\x1b[B\x1b[B\r")
	r.answer("几点运行", "23:45")
	r.waitScreen(regexp.MustCompile(`→ \d{4}-\d\d-\d\d 23:45 \S+ \(星期五\)`))
	if _, err := r.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	r.answer("定时计划的时区", "\x1b[B")
	r.waitScreen(regexp.MustCompile(`> Asia/Shanghai`))
	if _, err := r.c.Send("\r"); err != nil {
		t.Fatal(err)
	}
	r.expect("接下来的运行时间")
	r.enterToTheEnd()
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d\n%s", code, r.screen.String())
	}
	screen := expect.StripTrailingEmptyLines(r.screen.String())
	for _, s := range []string{"定时任务 (按计划运行)", "定时计划", "45 23 * * 5", "接下来的运行"} {
		if !strings.Contains(screen, s) {
			t.Errorf("screen lacks %q:\n%s", s, screen)
		}
	}
	printed := sameCronJob(t, commandOnScreen(t, strings.Replace(screen, zhSame, "The same without prompts:", 1)), r.stdout.String())
	if c := printed.CronJob; c.Schedule != "45 23 * * 5" || c.TimeZone == nil || *c.TimeZone != "Asia/Shanghai" || printed.Name != "backup" {
		t.Errorf("printed CronJob: %+v", c)
	}
}

// TestWizardCronJobDraftResumesPTY: a CronJob's draft, resumed as its
// resume line says (-f DRAFT --kind cronjob -i), is a CronJob again; Enter
// everywhere gives the same CronJob back.
func TestWizardCronJobDraftResumesPTY(t *testing.T) {
	manifest := `# interrupted at step 2 of 6
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "30 2 * * 1"
  timeZone: Europe/Berlin
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: nightly
            image: busybox:1.36
`
	path := filepath.Join(t.TempDir(), "nightly-draft.yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startPTY(t, "-f", path, "--kind", "cronjob", "-i", "--dry-run=client", "-o", "yaml")
	r.answer("Run once (Job) or on a schedule (CronJob)?", "")
	r.waitScreen(regexp.MustCompile(`> CronJob`))
	r.send("\r")
	r.enterToTheEnd()
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d\n%s", code, r.screen.String())
	}
	got, _, err := jobspec.ImportCronJob("stdout", []byte(r.stdout.String()))
	if err != nil {
		t.Fatalf("stdout is not a CronJob: %v\n%s", err, r.stdout.String())
	}
	want, _, err := jobspec.ImportCronJob(path, []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(got.BuildCronJob(), want.BuildCronJob()) {
		t.Errorf("resumed CronJob differs:\n%s", r.stdout.String())
	}
}

func (r *ptyRun) send(keys string) {
	r.t.Helper()
	if _, err := r.c.Send(keys); err != nil {
		r.t.Fatal(err)
	}
}
