package e2e

// End-to-end tests of CronJobs (docs/CLI.md "CronJob") on the real control
// plane, whose cronjob-controller starts the Jobs and whose test kubelet
// completes their pods.

import (
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCronJobWaitFollowsFirstJob: a CronJob of "* * * * *" is created, its
// first Job appears within a minute and is followed to Complete.
func TestCronJobWaitFollowsFirstJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 4*time.Minute)
	ns := cluster.Namespace(t)
	r := clusterRun(ctx, t, "", "every-minute", "-n", ns, "--image=busybox:1.36", quick, "--schedule", "* * * * *",
		"--wait", "--timeout=3m", "--", "sh", "-c", "echo tick")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/every-minute created")
	wantContains(t, "stderr", r.stderr, "waiting for cronjob.batch/every-minute to start a Job", "cronjob.batch/every-minute started job.batch/every-minute-")
	cj, err := cluster.Clientset().BatchV1().CronJobs(ns).Get(ctx, "every-minute", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cj.Spec.Schedule != "* * * * *" || cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image != "busybox:1.36" {
		t.Errorf("CronJob %+v", cj.Spec)
	}
}

// TestCronJobServerDryRunAndReplace: a server dry run creates nothing and
// shows the next runs; --replace deletes the CronJob of the name and
// creates the new one.
func TestCronJobServerDryRunAndReplace(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	cjs := cluster.Clientset().BatchV1().CronJobs(ns)

	r := clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.36", "--schedule", "0 3 * * *", "--time-zone", "Asia/Shanghai", "--dry-run=server")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/nightly created (server dry run)")
	wantContains(t, "stderr", r.stderr, `next runs of "0 3 * * *" (Asia/Shanghai)`, "03:00 CST")
	if _, err := cjs.Get(ctx, "nightly", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a server dry run left a CronJob: %v", err)
	}

	r = clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.36", "--schedule", "0 3 * * *", "--suspend-schedule")
	wantExit(t, r, 0)
	old, err := cjs.Get(ctx, "nightly", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r = clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.37", "--schedule", "@hourly", "--replace", "--dry-run=server")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/nightly replaced (server dry run)")
	r = clusterRun(ctx, t, "", "nightly", "-n", ns, "--image=busybox:1.37", "--schedule", "@hourly", "--replace")
	wantExit(t, r, 0)
	wantContains(t, "stdout", r.stdout, "cronjob.batch/nightly replaced")
	cur, err := cjs.Get(ctx, "nightly", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur.UID == old.UID || cur.Spec.Schedule != "@hourly" || cur.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image != "busybox:1.37" {
		t.Errorf("--replace left uid %s (old %s), schedule %q", cur.UID, old.UID, cur.Spec.Schedule)
	}
}

// TestCronJobBadInputSendsNothing: bad schedules, zones and limits exit 2
// with one line naming the flag, and nothing reaches the server.
func TestCronJobBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--schedule", "61 * * * *"}, `--schedule (spec.schedule) "61 * * * *"`},
		{[]string{"--schedule", "CRON_TZ=UTC 0 3 * * *"}, "cannot use TZ or CRON_TZ"},
		{[]string{"--schedule", "@daily", "--time-zone", "Mars/Olympus"}, `--time-zone (spec.timeZone) "Mars/Olympus"`},
		{[]string{"--schedule", "@daily", "--time-zone", "Local"}, "not Local"},
		{[]string{"--schedule", "@daily", "--successful-jobs-history", "-1"}, "--successful-jobs-history"},
		{[]string{"--schedule", "@daily", "--concurrency-policy", "Sometimes"}, "--concurrency-policy"},
		{[]string{"--time-zone", "UTC"}, "needs --schedule"},
	} {
		r := clusterRun(ctx, t, "", append([]string{"bad", "-n", ns, "--image=busybox:1.36"}, c.args...)...)
		wantExit(t, r, 2)
		wantContains(t, "stderr", r.stderr, c.want)
	}
	list, err := cluster.Clientset().BatchV1().CronJobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 || strings.Contains(list.String(), "bad") {
		t.Errorf("bad input made %d CronJobs", len(list.Items))
	}
}
