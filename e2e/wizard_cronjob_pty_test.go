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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// cronWizard is the plugin on a pseudo-terminal (testutil.Walk): the
// questions this walk does not name get Enter, so the Job's steps may gain
// questions without breaking it.
type cronWizard struct {
	*testutil.Walk
	ctx context.Context
}

func startCronWizard(ctx context.Context, t *testing.T, env []string, args ...string) *cronWizard {
	t.Helper()
	cmd := exec.CommandContext(ctx, followBinary(t), append([]string{"--kubeconfig=" + cluster.AdminKubeconfig}, args...)...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "LC_ALL=", "XDG_STATE_HOME="+t.TempDir()), env...)
	return &cronWizard{Walk: testutil.StartWalk(t, cmd), ctx: ctx}
}

// answer gives Enter to every question until the one starting with
// question, and types the keys there.
func (w *cronWizard) answer(question, keys string) {
	w.T.Helper()
	w.enterUntil(question)
	w.Send(keys)
}

// enterUntil gives Enter to every question until the one starting with
// stop, which is left unanswered.
func (w *cronWizard) enterUntil(stop string) {
	w.T.Helper()
	for asked := 0; ; asked++ {
		line, _, ok := w.Next(w.ctx)
		if !ok {
			w.Fail("the wizard ended before %q", stop)
		}
		if strings.HasPrefix(line, "? "+stop) {
			return
		}
		if asked > 80 {
			w.Fail("more than 80 questions before %q", stop)
		}
		w.Send("\r")
	}
}

// waitScreen waits until the screen matches re.
func (w *cronWizard) waitScreen(re *regexp.Regexp, d time.Duration) string {
	w.T.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if m := re.FindString(w.Screen.String()); m != "" {
			return m
		}
		testutil.Settle(w.C)
	}
	w.Fail("the screen never showed %s", re)
	return ""
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
	w.Send("Custom\r")
	w.answer("Schedule (minute hour day-of-month month day-of-week)", "\x15* * * * *")
	// Three runs a minute apart, before Enter.
	w.waitScreen(regexp.MustCompile(`(?s)→ \d{4}-\d\d-\d\d \d\d:\d\d UTC.*→ .*→ `), 10*time.Second)
	w.Send("\r")
	w.answer("Time zone of the schedule", "\r")
	w.enterUntil("What now?")
	if !regexp.MustCompile(`Schedule\s+\* \* \* \* \*`).MatchString(w.Screen.String()) {
		w.Fail("the review lacks the schedule")
	}
	w.Send("\r") // Create, the first choice with a cluster
	w.waitScreen(regexp.MustCompile(`The same without prompts:`), 3*time.Minute)
	if err := w.Exit(w.ctx); err != nil {
		w.Fail("exit: %v\nstdout: %s", err, w.Stdout.String())
	}
	screen := w.Text()
	for _, s := range []string{"waiting for cronjob.batch/tick to start a Job", "cronjob.batch/tick started job.batch/tick-"} {
		if !strings.Contains(screen, s) {
			w.Fail("the screen lacks %q", s)
		}
	}
	if got := strings.TrimSpace(w.Stdout.String()); !strings.HasPrefix(got, "cronjob.batch/tick created") {
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
	w.Send("\x1b[B\r") // 每天 → 每周
	w.answer("星期几?", "\x1b[B\x1b[B\x1b[B\x1b[B\r")
	w.answer("几点运行", "23:45")
	w.waitScreen(regexp.MustCompile(`→ \d{4}-\d\d-\d\d 23:45 \S+ \(星期五\)`), 10*time.Second)
	w.Send("\r")
	w.answer("定时计划的时区", "\x1b[B")
	w.waitScreen(regexp.MustCompile(`> Asia/Shanghai`), 10*time.Second)
	w.Send("\r")
	w.answer("定时任务高级设置", "y\r")
	w.answer("上一次运行尚未结束时又到了运行时间", "Forbid\r")
	w.answer("最大启动延后时间", "10m\r")
	w.answer("成功任务保留数量", "5\r")
	w.answer("失败任务保留数量", "\r")
	w.answer("以暂停状态创建定时任务", "\r")
	w.enterUntil("下一步做什么?")
	for _, s := range []string{"定时任务 (按计划运行)", "45 23 * * 5", "接下来的运行", "星期五"} {
		if !strings.Contains(w.Screen.String(), s) {
			w.Fail("the review lacks %q", s)
		}
	}
	w.Send("\r") // 创建
	w.answer("等待定时任务的第一个任务", "\r")
	w.waitScreen(regexp.MustCompile(`不经提问完成同样操作的命令:`), 30*time.Second)
	if err := w.Exit(w.ctx); err != nil {
		w.Fail("exit: %v\nstdout: %s", err, w.Stdout.String())
	}
	if got := strings.TrimSpace(w.Stdout.String()); got != "cronjob.batch/backup created" {
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
	flat := strings.ReplaceAll(w.Screen.String(), "\n", "")
	for _, f := range []string{"'--schedule=45 23 * * 5'", "--time-zone=Asia/Shanghai", "--concurrency-policy=Forbid", "--starting-deadline=10m", "--successful-jobs-history=5"} {
		if !strings.Contains(flat, f) {
			t.Errorf("equivalent command lacks %s:\n%s", f, w.Screen.String())
		}
	}
}
