package e2e

// End-to-end tests of --report, the failure coach and --save against the
// real control plane, the real Job controller (and its TTL controller) and
// the test kubelet.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"github.com/kballard/go-shellquote"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

func TestReportJUnitIndexedFailures(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	dir := t.TempDir()
	xmlPath, jsonPath := filepath.Join(dir, "report.xml"), filepath.Join(dir, "report.json")
	r := followRun(ctx, t, "idx", "-n", ns, "--image=busybox:1.36", "--completion-mode=Indexed", "--completions=4", "--parallelism=4",
		"--backoff-limit-per-index=0", quick, "--annotation="+testcluster.AnnotationExitCodes+"=1=7,3=9",
		"--annotation="+testcluster.AnnotationLog+"=starting\nno such table",
		"--report=junit="+xmlPath, "--report", "json="+jsonPath)
	wantExit(t, r, 1)

	suites, err := junit.IngestFile(xmlPath)
	if err != nil {
		data, _ := os.ReadFile(xmlPath)
		t.Fatalf("go-junit cannot read the report: %v\n%s\n%s", err, data, r)
	}
	if len(suites) != 1 || suites[0].Name != "idx" {
		t.Fatalf("suites %+v, want one named idx", suites)
	}
	s := suites[0]
	if len(s.Tests) != 4 || s.Totals.Failed != 2 || s.Totals.Passed != 2 {
		t.Fatalf("%d tests, %d failed, %d passed; want 4, 2, 2: %+v", len(s.Tests), s.Totals.Failed, s.Totals.Passed, s.Tests)
	}
	codes := map[string]string{"index 1": "7", "index 3": "9"}
	var failed []string
	for _, tc := range s.Tests {
		if tc.Status != junit.StatusFailed {
			if tc.Status != junit.StatusPassed {
				t.Errorf("%s: %s, want passed", tc.Name, tc.Status)
			}
			continue
		}
		failed = append(failed, tc.Name)
		want := "container idx exited with code " + codes[tc.Name] + " (Error)"
		jerr, ok := tc.Error.(junit.Error)
		if tc.Message != want || !ok || jerr.Message != want || jerr.Type != "Error" ||
			!strings.Contains(jerr.Body, "exit code: "+codes[tc.Name]) || !strings.Contains(jerr.Body, "starting\nno such table") {
			t.Errorf("%s: message %q, error %#v; want %q with the exit code and the log", tc.Name, tc.Message, tc.Error, want)
		}
	}
	sort.Strings(failed)
	if strings.Join(failed, ",") != "index 1,index 3" {
		t.Errorf("failed cases %v, want index 1 and index 3 (the Job's failed indexes)", failed)
	}
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "idx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.FailedIndexes == nil || *job.Status.FailedIndexes != "1,3" {
		t.Errorf("the Job's failed indexes are %v, want 1,3", job.Status.FailedIndexes)
	}

	var rep struct {
		Job, Outcome string
		Failures     int
		Cases        []struct {
			Name     string
			Index    *int
			Result   string
			ExitCode *int32
			Log      []string
		}
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Job != "idx" || rep.Outcome != "Failed" || rep.Failures != 2 || len(rep.Cases) != 4 || rep.Cases[3].ExitCode == nil || *rep.Cases[3].ExitCode != 9 ||
		strings.Join(rep.Cases[1].Log, "|") != "starting|no such table" {
		t.Errorf("JSON report: %s", data)
	}
	for _, p := range []string{xmlPath, jsonPath} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v, want mode 0644", p, st.Mode(), err)
		}
	}
}

// rerunOf is the coach's rerun command from the output, as arguments of
// the plugin.
func rerunOf(t *testing.T, stderr string) []string {
	t.Helper()
	_, after, ok := strings.Cut(stderr, "run it again with them:\n")
	if !ok {
		t.Fatalf("no rerun command in:\n%s", stderr)
	}
	line, _, _ := strings.Cut(after, "\n")
	words, err := shellquote.Split(strings.TrimSpace(line))
	if err != nil || len(words) < 3 || words[0] != "kubectl" || words[1] != "job-wizard" {
		t.Fatalf("rerun command %q: %v", line, err)
	}
	return words[2:]
}

func TestCoachOOMKilledLimitFixesTheRerun(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "oom", "-n", ns, "--image=busybox:1.36", "--backoff-limit=0", quick, "--limit=memory=64Mi",
		"--annotation="+testcluster.AnnotationMemoryNeed+"=100Mi", "--wait")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, "OOMKilled at its memory limit of 64Mi", "--limit=memory=128Mi")
	args := rerunOf(t, r.stderr)
	if !strings.Contains(strings.Join(args, " "), "--from job/oom --replace --wait --limit=memory=128Mi") {
		t.Errorf("rerun %v", args)
	}
	again := followRun(ctx, t, args...)
	wantExit(t, again, 0)
	wantContains(t, "stderr", again.stderr, "job/oom Complete: 1/1 succeeded")
}

func TestCoachSameExitCodeFailsFastOnRerun(t *testing.T) {
	t.Parallel()
	// The Job controller waits 10s before the retry of the first run.
	ctx := followCtx(t, 3*time.Minute)
	ns := cluster.Namespace(t)
	r := followRun(ctx, t, "same", "-n", ns, "--image=busybox:1.36", "--backoff-limit=1", quick,
		"--annotation="+testcluster.AnnotationExitCode+"=3", "--wait")
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, "BackoffLimitExceeded", "all 2 runs of container same exited with code 3", "--pod-failure-policy=FailJob:exit-codes=3")
	if n := len(harnessJobPods(ctx, t, ns, "same")); n != 2 {
		t.Fatalf("%d pods in the first run, want 2", n)
	}
	args := rerunOf(t, r.stderr)
	again := followRun(ctx, t, args...)
	wantExit(t, again, 1)
	// As the coach said: the Job fails at the first exit 3, by its policy.
	wantContains(t, "stderr", again.stderr, "error: job/same failed: PodFailurePolicy: ")
	if n := len(harnessJobPods(ctx, t, ns, "same")); n != 1 {
		t.Errorf("%d pods in the rerun, want 1: the policy fails the Job without retries", n)
	}
	if again.took > 30*time.Second {
		t.Errorf("the rerun took %v; it should end at the first failure", again.took)
	}
}

func TestSaveKeepsEveryLogWithTTLZero(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	dir := filepath.Join(t.TempDir(), "evidence")
	r := followRun(ctx, t, "kept", "-n", ns, "--image=busybox:1.36", "--completions=3", "--parallelism=3", quick,
		"--ttl-after-finished=0", "--annotation="+testcluster.AnnotationLog+"=line one\nline two", "--save="+dir)
	wantExit(t, r, 0)
	// The TTL controller deletes the Job and its pods at once.
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "kept", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job/kept not deleted by its TTL of 0: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, f := range []string{"job.yaml", "events.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	pods, err := os.ReadDir(filepath.Join(dir, "pods"))
	if err != nil || len(pods) != 3 {
		t.Fatalf("%d pod folders (%v), want 3", len(pods), err)
	}
	for _, p := range pods {
		logData, err := os.ReadFile(filepath.Join(dir, "pods", p.Name(), "kept.log"))
		if err != nil || string(logData) != "line one\nline two\n" {
			t.Errorf("%s: log %q (%v)", p.Name(), logData, err)
		}
		manifest, err := os.ReadFile(filepath.Join(dir, "pods", p.Name(), "pod.yaml"))
		if err != nil || !strings.Contains(string(manifest), "phase: Succeeded") || !strings.Contains(string(manifest), "image: busybox:1.36") {
			t.Errorf("%s: manifest %v\n%s", p.Name(), err, manifest)
		}
	}

	// The same folder again is refused before anything is sent.
	again := followRun(ctx, t, "kept2", "-n", ns, "--image=busybox:1.36", quick, "--save="+dir)
	wantExit(t, again, 2)
	wantContains(t, "stderr", again.stderr, "--save", "is not empty")
	if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "kept2", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("job/kept2 was created: %v", err)
	}
}
