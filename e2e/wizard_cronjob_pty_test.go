package e2e

// The wizard's CronJob path (定时任务) on a real terminal against the real
// control plane, whose cronjob-controller starts the Jobs and whose test
// kubelet completes their pods.

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// cronWizard is the plugin run on a pseudo-terminal.
type cronWizard struct {
	t      *testing.T
	c      *expect.Console
	screen vt10x.Terminal
	cmd    *exec.Cmd
	stdout *testutil.LockedBuffer
}

func startCronWizard(ctx context.Context, t *testing.T, env []string, args ...string) *cronWizard {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	screen := vt10x.New(vt10x.WithWriter(pts), vt10x.WithSize(120, 60))
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cmd := exec.CommandContext(ctx, followBinary(t), append([]string{"--kubeconfig=" + cluster.AdminKubeconfig}, args...)...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "LC_ALL=", "XDG_STATE_HOME="+t.TempDir()), env...)
	w := &cronWizard{t: t, c: c, screen: screen, cmd: cmd, stdout: &testutil.LockedBuffer{}}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), w.stdout, c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *cronWizard) fail(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf(format+"\nscreen:\n%s", append(args, expect.StripTrailingEmptyLines(w.screen.String()))...)
}

func (w *cronWizard) send(keys string) {
	w.t.Helper()
	if _, err := w.c.Send(keys); err != nil {
		w.t.Fatal(err)
	}
}

// answer waits for a question and types the keys.
func (w *cronWizard) answer(question, keys string) {
	w.t.Helper()
	if _, err := w.c.ExpectString("? " + question); err != nil {
		w.fail("waiting for %q: %v", question, err)
	}
	testutil.Settle(w.c)
	w.send(keys)
}

// waitScreen waits until the screen matches re.
func (w *cronWizard) waitScreen(re *regexp.Regexp, d time.Duration) string {
	w.t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if m := re.FindString(w.screen.String()); m != "" {
			return m
		}
		testutil.Settle(w.c)
	}
	w.fail("the screen never showed %s", re)
	return ""
}

// lastQuestion is the newest question line on the screen.
func (w *cronWizard) lastQuestion() string {
	lines := strings.Split(w.screen.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.HasPrefix(l, "? ") {
			return l
		}
	}
	return ""
}

// enterUntil answers every question with Enter (its default) until the
// question starting with stop is asked, which is left unanswered: the
// steps after the schedule are the Job's, whose questions other work adds.
func (w *cronWizard) enterUntil(stop string) {
	w.t.Helper()
	for asked := 0; ; asked++ {
		if _, err := w.c.ExpectString("? "); err != nil {
			w.fail("after %d questions: %v", asked, err)
		}
		testutil.Settle(w.c)
		if strings.HasPrefix(w.lastQuestion(), "? "+stop) {
			return
		}
		if asked > 60 {
			w.fail("more than 60 questions before %q", stop)
		}
		w.send("\r")
	}
}

func (w *cronWizard) exit(d time.Duration) error {
	w.t.Helper()
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		w.c.Tty().Close()
		w.c.ExpectEOF()
		return err
	case <-time.After(d):
		w.fail("the wizard did not end in %v", d)
	}
	return nil
}

// TestWizardCronJobCreateWaitPTY: the wizard's CronJob path in English with
// --wait: CronJob at step 1, a custom "* * * * *" typed with its next runs
// shown under it, Create; the cronjob-controller starts the first Job
// within a minute and the wizard's run follows it to Complete.
func TestWizardCronJobCreateWaitPTY(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 4*time.Minute)
	ns := cluster.Namespace(t)
	w := startCronWizard(ctx, t, []string{"LANG=en_US.UTF-8", "TZ=Etc/UTC"}, "-n", ns, "--image=busybox:1.36", quick,
		"--wait", "--timeout=3m", "--", "sh", "-c", "echo tick")
	w.answer("Run once (Job) or on a schedule (CronJob)?", "\x1b[B\r")
	w.answer("Name", "tick\r")
	w.enterUntil("How often does it run?")
	w.send("Custom\r")
	w.answer("Schedule (minute hour day-of-month month day-of-week)", "\x15* * * * *")
	// Three runs a minute apart, before Enter.
	w.waitScreen(regexp.MustCompile(`(?s)→ \d{4}-\d\d-\d\d \d\d:\d\d UTC.*→ .*→ `), 10*time.Second)
	w.send("\r")
	w.answer("Time zone of the schedule", "\r")
	w.enterUntil("What now?")
	if !regexp.MustCompile(`Schedule\s+\* \* \* \* \*`).MatchString(w.screen.String()) {
		w.fail("the review lacks the schedule")
	}
	w.send("\r") // Create, the first choice with a cluster
	w.waitScreen(regexp.MustCompile(`The same without prompts:`), 3*time.Minute)
	if err := w.exit(30 * time.Second); err != nil {
		w.fail("exit: %v\nstdout: %s", err, w.stdout.String())
	}
	screen := w.screen.String()
	for _, s := range []string{"waiting for cronjob.batch/tick to start a Job", "cronjob.batch/tick started job.batch/tick-"} {
		if !strings.Contains(screen, s) {
			w.fail("the screen lacks %q", s)
		}
	}
	if got := strings.TrimSpace(w.stdout.String()); !strings.HasPrefix(got, "cronjob.batch/tick created") {
		t.Errorf("stdout: %q", got)
	}
	cj, err := cluster.Clientset().BatchV1().CronJobs(ns).Get(ctx, "tick", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cj.Spec.Schedule != "* * * * *" || cj.Spec.TimeZone != nil || cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image != "busybox:1.36" {
		t.Errorf("CronJob %+v", cj.Spec)
	}
	flat := strings.ReplaceAll(screen, "\n", "")
	if !strings.Contains(flat, "'--schedule=* * * * *'") || !strings.Contains(flat, "--wait") {
		t.Errorf("equivalent command on the screen:\n%s", screen)
	}
	jobs, err := cluster.Clientset().BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(jobs.Items) == 0 {
		t.Fatalf("no Job of the CronJob: %v", err)
	}
}

// TestWizardCronJobChineseCreatePTY: the same path in Chinese (定时任务):
// weekly on Friday at 23:45 in this computer's zone (Asia/Shanghai), the
// CronJob's own settings asked, Create; the follow offer for a run days
// away defaults to no.
func TestWizardCronJobChineseCreatePTY(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	w := startCronWizard(ctx, t, []string{"LANG=zh_CN.UTF-8", "TZ=Asia/Shanghai"}, "-n", ns, "--image=busybox:1.36")
	w.answer("运行一次 (任务) 还是按计划运行 (定时任务)?", "\x1b[B\r")
	w.answer("名称", "backup\r")
	w.enterUntil("多久运行一次?")
	w.send("\x1b[B\r") // 每天 → 每周
	w.answer("星期几?", "\x1b[B\x1b[B\x1b[B\x1b[B\r")
	w.answer("几点运行", "23:45")
	w.waitScreen(regexp.MustCompile(`→ \d{4}-\d\d-\d\d 23:45 \S+ \(星期五\)`), 10*time.Second)
	w.send("\r")
	w.answer("定时计划的时区", "\x1b[B")
	w.waitScreen(regexp.MustCompile(`> Asia/Shanghai`), 10*time.Second)
	w.send("\r")
	w.answer("定时任务高级设置", "y\r")
	w.answer("上一次运行尚未结束时又到了运行时间", "Forbid\r")
	w.answer("最大启动延后时间", "10m\r")
	w.answer("成功任务保留数量", "5\r")
	w.answer("失败任务保留数量", "\r")
	w.answer("以暂停状态创建定时任务", "\r")
	w.enterUntil("下一步做什么?")
	for _, s := range []string{"定时任务 (按计划运行)", "45 23 * * 5", "接下来的运行", "星期五"} {
		if !strings.Contains(w.screen.String(), s) {
			w.fail("the review lacks %q", s)
		}
	}
	w.send("\r") // 创建
	w.answer("等待定时任务的第一个任务", "\r")
	w.waitScreen(regexp.MustCompile(`不经提问完成同样操作的命令:`), 30*time.Second)
	if err := w.exit(30 * time.Second); err != nil {
		w.fail("exit: %v\nstdout: %s", err, w.stdout.String())
	}
	if got := strings.TrimSpace(w.stdout.String()); got != "cronjob.batch/backup created" {
		t.Errorf("stdout: %q", got)
	}
	cj, err := cluster.Clientset().BatchV1().CronJobs(ns).Get(ctx, "backup", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := cj.Spec
	if s.Schedule != "45 23 * * 5" || s.TimeZone == nil || *s.TimeZone != "Asia/Shanghai" || s.ConcurrencyPolicy != "Forbid" ||
		s.StartingDeadlineSeconds == nil || *s.StartingDeadlineSeconds != 600 || *s.SuccessfulJobsHistoryLimit != 5 {
		t.Errorf("CronJob %+v", s)
	}
	flat := strings.ReplaceAll(w.screen.String(), "\n", "")
	for _, f := range []string{"'--schedule=45 23 * * 5'", "--time-zone=Asia/Shanghai", "--concurrency-policy=Forbid", "--starting-deadline=10m", "--successful-jobs-history=5"} {
		if !strings.Contains(flat, f) {
			t.Errorf("equivalent command lacks %s:\n%s", f, w.screen.String())
		}
	}
}
