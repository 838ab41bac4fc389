package e2e

// Interrupts (SIGINT as Ctrl-C sends it, SIGTERM as CI runners send it) at
// each phase of a flags-only run: during the create, during --replace and
// during --wait. Each ends with exit 130 and the truth: a Job that exists
// is never reported as cancelled, a Job that does not exist is kept as a
// draft, and an old Job deleted by --replace without its successor is
// said to be so. (The wizard's prompting and review phases are tested
// through a pty in the wizard's own tests.)

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

var signals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}

func sigName(s syscall.Signal) string {
	if s == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}

// An interrupt while the create is on its way: the plugin waits a moment
// for the answer (or looks for the Job when it does not come) and says
// whether the Job exists.
func TestReliabilityInterruptDuringCreate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rule proxyRule
		made bool
		wait bool
	}{
		// The server made the Job; its answer comes within the grace.
		{name: "answer-comes", rule: proxyRule{hold: 2 * time.Second}, made: true},
		// The same with --wait: the follow does not start, and says how to.
		{name: "answer-comes-wait", rule: proxyRule{hold: 2 * time.Second}, made: true, wait: true},
		// The server made the Job; its answer never comes.
		{name: "answer-lost", rule: proxyRule{hold: -1}, made: true},
		// The create never reached the server.
		{name: "never-arrived", rule: proxyRule{drop: true}},
	}
	for _, sig := range signals {
		for _, tc := range cases {
			t.Run(sigName(sig)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				outcome(t, "interrupt", "create/"+tc.name+"/"+sigName(sig))
				ctx := followCtx(t, 2*time.Minute)
				ns := cluster.Namespace(t)
				p := startProxy(t)
				rule := tc.rule
				rule.match, rule.times = jobPost(ns), 1
				p.add(&rule)
				args := []string{"sig", "-n", ns, "--image=busybox:1.36", "--suspend"}
				if tc.wait {
					args = append(args, "--wait")
				}
				cmd, drafts := relCmd(ctx, t, p.Kubeconfig, args...)
				out := followStart(t, cmd)
				waitReached(t, &rule, time.Minute)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				r := followWait(t, cmd, out)
				t.Logf("the plugin's output:\n%s", r)
				wantExit(t, r, 130)
				wantPlain(t, "stderr", r.stderr)
				_, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "sig", metav1.GetOptions{})
				if !tc.made {
					if !apierrors.IsNotFound(err) {
						t.Errorf("job sig: %v, want NotFound", err)
					}
					if r.stdout != "" {
						t.Errorf("stdout %q, want nothing", r.stdout)
					}
					path, _ := oneDraft(t, drafts)
					wantContains(t, "stderr", r.stderr,
						`error: interrupted before the API server at `+p.srv.URL+` answered the create of job.batch "sig"; it was not created: the server has no Job from this run`,
						"the Job is kept in "+path)
					return
				}
				if err != nil {
					t.Fatalf("job sig: %v; the plugin said:\n%s", err, r)
				}
				if r.stdout != "job.batch/sig created\n" {
					t.Errorf("stdout %q, want the Job printed as created", r.stdout)
				}
				again := "follow it with: kubectl job-wizard follow sig -n " + ns
				if tc.wait {
					again = "interrupted; job/sig keeps running; follow it again with: kubectl job-wizard follow sig -n " + ns
				} else {
					wantContains(t, "stderr", r.stderr, "error: interrupted, but job.batch/sig was created before it took effect and runs on in the cluster")
				}
				wantContains(t, "stderr", r.stderr, "interrupted: waiting up to 5s for the API server to answer the create of job.batch/sig", again)
				if tc.rule.hold < 0 {
					wantContains(t, "stderr", r.stderr, "answer to the create of job.batch/sig was lost", "the Job is there: created by this run")
				}
				// Never "cancelled", never "not created" for a Job that is there.
				wantNot(t, "stderr", strings.ToLower(r.stderr), "cancel", "not created")
				noDrafts(t, drafts)
			})
		}
	}
}

// A second signal during the grace ends the command at once, by the
// signal's default action, as a user who presses Ctrl-C twice expects.
func TestReliabilityInterruptTwiceStopsAtOnce(t *testing.T) {
	t.Parallel()
	outcome(t, "interrupt", "create/second-signal")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	p := startProxy(t)
	rule := p.add(&proxyRule{match: jobPost(ns), drop: true})
	cmd, _ := relCmd(ctx, t, p.Kubeconfig, "twice", "-n", ns, "--image=busybox:1.36", "--suspend")
	out := followStart(t, cmd)
	waitReached(t, rule, time.Minute)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out.stderr, "interrupt again to stop at once", 30*time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := followWait(t, cmd, out)
	// Ended by the signal itself (a shell shows 130), not by the command
	// after its grace.
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("the second SIGINT did not end the command: %s", r)
	}
}

// holdFinalizer keeps a Job being deleted until the test lets it go, so
// an interrupt lands in --replace's wait for certain.
const holdFinalizer = "reliability.test/hold"

func releaseJob(ctx context.Context, t *testing.T, ns, name string) {
	t.Helper()
	jobs := cluster.Clientset().BatchV1().Jobs(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		j, err := jobs.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		j.Finalizers = slices.DeleteFunc(j.Finalizers, func(f string) bool { return f == holdFinalizer })
		_, err = jobs.Update(ctx, j, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("releasing job %s: %v", name, err)
	}
}

// An interrupt while --replace waits for the old Job to go. The replace
// goes on for a moment (cluster.DefaultInterruptGrace): if the old Job goes by
// then, the new one is created; if not, the plugin stops and says that the
// old Job is being deleted and the new one was not created, with the draft
// and the command that finishes the job.
func TestReliabilityInterruptDuringReplace(t *testing.T) {
	t.Parallel()
	for _, sig := range signals {
		for _, finishes := range []bool{true, false} {
			name := map[bool]string{true: "old-goes-in-time", false: "old-stays"}[finishes]
			t.Run(sigName(sig)+"/"+name, func(t *testing.T) {
				t.Parallel()
				outcome(t, "interrupt", "replace/"+name+"/"+sigName(sig))
				ctx := followCtx(t, 2*time.Minute)
				ns := cluster.Namespace(t)
				old := harnessJob("swap", nil)
				old.Spec.Suspend = new(true)
				old.Finalizers = []string{holdFinalizer}
				harnessCreateJob(ctx, t, ns, old)
				t.Cleanup(func() { releaseJob(context.Background(), t, ns, "swap") })

				cmd, drafts := relCmd(ctx, t, "", "swap", "-n", ns, "--image=busybox:1.37", "--suspend", "--replace")
				out := followStart(t, cmd)
				waitOutput(t, out.stderr, "deleting job.batch/swap and waiting until it and its pods are gone", time.Minute)
				// Once the garbage collector has done its part (the Job has no
				// pods), only the test's finalizer holds the Job: releasing it
				// then ends the deletion at once, however loaded the machine.
				if _, err := testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), "swap", func(j *batchv1.Job) bool {
					return slices.Equal(j.Finalizers, []string{holdFinalizer})
				}); err != nil {
					t.Fatal(err)
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if finishes {
					waitOutput(t, out.stderr, "interrupted: giving the replace of job.batch/swap up to 5s more", 30*time.Second)
					releaseJob(ctx, t, ns, "swap")
				}
				r := followWait(t, cmd, out)
				t.Logf("the plugin's output:\n%s", r)
				wantExit(t, r, 130)
				cur, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "swap", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				image := cur.Spec.Template.Spec.Containers[0].Image
				if finishes {
					if r.stdout != "job.batch/swap replaced\n" || image != "busybox:1.37" || cur.DeletionTimestamp != nil {
						t.Errorf("the replace did not finish: Job image %s\n%s", image, r)
					}
					wantContains(t, "stderr", r.stderr, "job.batch/swap deleted",
						"error: interrupted, but job.batch/swap was replaced before it took effect and runs on in the cluster")
					noDrafts(t, drafts)
					return
				}
				if r.stdout != "" || image != "busybox:1.36" || cur.DeletionTimestamp == nil {
					t.Errorf("want the old Job still going and nothing printed: image %s, deletion %v\n%s", image, cur.DeletionTimestamp, r)
				}
				path, text := oneDraft(t, drafts)
				wantContains(t, "draft", text, "image: busybox:1.37")
				wantContains(t, "stderr", r.stderr,
					"error: interrupted while the old job.batch/swap was being deleted: its deletion goes on in the cluster, and the new Job was NOT created",
					"the Job is kept in "+path+"; to send it again: kubectl job-wizard -f "+path+" --replace")
				// The command it gives finishes the replace.
				releaseJob(ctx, t, ns, "swap")
				r = clusterRun(ctx, t, "", "-f", path, "--replace")
				wantExit(t, r, 0)
				cur, err = cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "swap", metav1.GetOptions{})
				if err != nil || cur.Spec.Template.Spec.Containers[0].Image != "busybox:1.37" {
					t.Errorf("after sending the draft: %v, %v", cur, err)
				}
			})
		}
	}
}

// An interrupt during --wait: the Job keeps running, the message says how
// to follow it again.
func TestReliabilityInterruptDuringWait(t *testing.T) {
	t.Parallel()
	for _, sig := range signals {
		t.Run(sigName(sig), func(t *testing.T) {
			t.Parallel()
			outcome(t, "interrupt", "wait/"+sigName(sig))
			ctx := followCtx(t, 2*time.Minute)
			ns := cluster.Namespace(t)
			cmd, drafts := relCmd(ctx, t, "", "long", "-n", ns, "--image=busybox:1.36",
				"--annotation="+testcluster.AnnotationRunSeconds+"=600", "--wait", "--", "sleep", "600")
			out := followStart(t, cmd)
			waitOutput(t, out.stderr, "pods: 1 Running", time.Minute)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r := followWait(t, cmd, out)
			wantExit(t, r, 130)
			if r.stdout != "job.batch/long created\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			wantContains(t, "stderr", r.stderr, fmt.Sprintf("error: interrupted; job/long keeps running; follow it again with: kubectl job-wizard follow long -n %s", ns))
			noDrafts(t, drafts)
			job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "long", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if job.DeletionTimestamp != nil || job.Status.Active != 1 || slices.ContainsFunc(job.Status.Conditions, func(c batchv1.JobCondition) bool {
				return c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed
			}) {
				t.Errorf("the Job does not keep running: %+v", job.Status)
			}
		})
	}
}
