package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func testJob(indexed bool, completions int32) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "etl", Namespace: "ci", UID: "job-uid", CreationTimestamp: metav1.NewTime(t0)}}
	j.Spec.Completions = &completions
	if indexed {
		m := batchv1.IndexedCompletion
		j.Spec.CompletionMode = &m
	}
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "main", Image: "busybox:1.36"}}
	st := metav1.NewTime(t0)
	j.Status.StartTime = &st
	return j
}

// pod is a pod of the Job; index < 0 means none; exit < 0 means running.
func pod(name string, index int, exit int32, reason string, startSec, endSec int) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(name), Annotations: map[string]string{},
		CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(startSec) * time.Second))}}
	if index >= 0 {
		p.Annotations[batchv1.JobCompletionIndexAnnotation] = itoa(index)
	}
	start := metav1.NewTime(t0.Add(time.Duration(startSec) * time.Second))
	p.Status.StartTime = &start
	cs := corev1.ContainerStatus{Name: "main"}
	switch {
	case exit < 0:
		p.Status.Phase = corev1.PodRunning
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: start}
	default:
		p.Status.Phase = corev1.PodSucceeded
		if exit != 0 {
			p.Status.Phase = corev1.PodFailed
		}
		cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: exit, Reason: reason, ContainerID: "containerd://" + name,
			StartedAt: start, FinishedAt: metav1.NewTime(t0.Add(time.Duration(endSec) * time.Second))}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	return p
}

func itoa(i int) string { return string(rune('0' + i)) }

func byName(r *Report) map[string]Case {
	out := map[string]Case{}
	for _, c := range r.Cases {
		out[c.Name] = c
	}
	return out
}

func TestBuildEachEnding(t *testing.T) {
	logs := map[LogKey]Tail{{Pod: "etl-1-a", Container: "main"}: {Lines: []string{"connecting", "panic: no db"}}}
	type want struct {
		result, reason, message string
		exit                    int32 // -1: none
		retries                 int
	}
	tests := map[string]struct {
		in    Input
		tests int
		want  map[string]want
	}{
		"Complete, indexed, a retried index passes": {
			in: func() Input {
				j := testJob(true, 2)
				j.Status.CompletedIndexes = "0-1"
				return Input{Job: j, Outcome: "Complete", End: t0.Add(20 * time.Second), Pods: []*corev1.Pod{
					pod("etl-0-a", 0, 0, "Completed", 0, 3),
					pod("etl-1-a", 1, 2, "Error", 0, 2),
					pod("etl-1-b", 1, 0, "Completed", 12, 15),
				}}
			}(),
			tests: 2,
			want: map[string]want{
				"index 0": {result: Passed, exit: 0},
				"index 1": {result: Passed, exit: 0, retries: 1},
			},
		},
		"Failed, indexed, failed indexes": {
			in: func() Input {
				j := testJob(true, 3)
				j.Status.CompletedIndexes = "0,2"
				j.Status.FailedIndexes = new("1")
				return Input{Job: j, Outcome: "Failed", Reason: "FailedIndexes", Message: "Job has failed indexes", End: t0.Add(20 * time.Second), Logs: logs,
					Pods: []*corev1.Pod{pod("etl-0-a", 0, 0, "Completed", 0, 3), pod("etl-1-a", 1, 7, "Error", 0, 2), pod("etl-2-a", 2, 0, "Completed", 0, 3)}}
			}(),
			tests: 3,
			want: map[string]want{
				"index 0": {result: Passed, exit: 0},
				"index 1": {result: Failed, reason: "Error", message: "container main exited with code 7 (Error)", exit: 7},
				"index 2": {result: Passed, exit: 0},
			},
		},
		"Failed, backoff limit, pods not yet run are skipped": {
			in: Input{Job: testJob(true, 3), Outcome: "Failed", Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit",
				End: t0.Add(20 * time.Second), Pods: []*corev1.Pod{pod("etl-0-a", 0, 1, "Error", 0, 1), pod("etl-1-a", 1, -1, "", 0, 0)}},
			tests: 3,
			want: map[string]want{
				"index 0": {result: Failed, reason: "Error", exit: 1},
				"index 1": {result: Failed, reason: "BackoffLimitExceeded", message: "stopped when the Job failed", exit: -1},
				"index 2": {result: Skipped, message: "not run: the Job failed first", exit: -1},
			},
		},
		"TimedOut, non-indexed: running pods are errors": {
			in: Input{Job: testJob(false, 2), Outcome: "TimedOut", End: t0.Add(30 * time.Second),
				Pods: []*corev1.Pod{pod("etl-a", -1, 0, "Completed", 0, 2), pod("etl-b", -1, -1, "", 1, 0)}},
			tests: 2,
			want: map[string]want{
				"etl-a": {result: Passed, exit: 0},
				"etl-b": {result: Error, reason: "TimedOut", message: "running when the follow ended (TimedOut)", exit: -1},
			},
		},
		"Stuck: the stuck pod fails with its reason": {
			in: func() Input {
				p := pod("etl-a", -1, -1, "", 0, 0)
				p.Status.Phase = corev1.PodPending
				p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "nope"`}}
				return Input{Job: testJob(false, 1), Outcome: "Stuck", StuckPod: "etl-a", Reason: "ImagePullBackOff", End: t0.Add(time.Minute), Pods: []*corev1.Pod{p}}
			}(),
			tests: 1,
			want: map[string]want{
				"etl-a": {result: Failed, reason: "ImagePullBackOff", message: `container main: Back-off pulling image "nope"`, exit: -1},
			},
		},
		"Interrupted before any pod: the Job is the case": {
			in:    Input{Job: testJob(false, 1), Outcome: "Interrupted", End: t0.Add(time.Second)},
			tests: 1,
			want: map[string]want{
				"job/etl": {result: Error, reason: "Interrupted", message: "the follow ended with the Job Interrupted", exit: -1},
			},
		},
		"Deleted while running": {
			in:    Input{Job: testJob(false, 1), Outcome: "Deleted", End: t0.Add(5 * time.Second), Pods: []*corev1.Pod{pod("etl-a", -1, -1, "", 0, 0)}},
			tests: 1,
			want: map[string]want{
				"etl-a": {result: Error, reason: "Deleted", exit: -1},
			},
		},
		"Failed with no pod (refused by Pod Security)": {
			in: Input{Job: testJob(false, 1), Outcome: "Failed", Reason: "DeadlineExceeded", Message: "Job was active longer than specified deadline",
				End: t0.Add(5 * time.Second)},
			tests: 1,
			want: map[string]want{
				"job/etl": {result: Failed, reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", exit: -1},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := Build(tc.in)
			if r.Tests != tc.tests || len(r.Cases) != tc.tests {
				t.Fatalf("%d tests (%d cases), want %d: %+v", r.Tests, len(r.Cases), tc.tests, r.Cases)
			}
			got := byName(r)
			for n, w := range tc.want {
				c, ok := got[n]
				if !ok {
					t.Fatalf("no case %q in %+v", n, r.Cases)
				}
				if c.Result != w.result || c.Reason != w.reason || !strings.Contains(c.Message, w.message) || c.Retries != w.retries {
					t.Errorf("%s: %s %q %q retries %d; want %s %q %q retries %d", n, c.Result, c.Reason, c.Message, c.Retries, w.result, w.reason, w.message, w.retries)
				}
				switch {
				case w.exit < 0 && c.ExitCode != nil:
					t.Errorf("%s: exit code %d, want none", n, *c.ExitCode)
				case w.exit >= 0 && (c.ExitCode == nil || *c.ExitCode != w.exit):
					t.Errorf("%s: exit code %v, want %d", n, c.ExitCode, w.exit)
				}
			}
			if r.Outcome != tc.in.Outcome || r.Job != "etl" || r.Namespace != "ci" {
				t.Errorf("report %s %s/%s", r.Outcome, r.Namespace, r.Job)
			}
		})
	}
}

func TestFailureCarriesLogAndDuration(t *testing.T) {
	j := testJob(true, 2)
	j.Status.FailedIndexes = new("1")
	j.Status.CompletedIndexes = "0"
	lines := make([]string, LogLines)
	for i := range lines {
		lines[i] = "line " + itoa(i%10)
	}
	in := Input{Job: j, Outcome: "Failed", End: t0.Add(time.Minute),
		Pods: []*corev1.Pod{pod("etl-0-a", 0, 0, "Completed", 0, 3), pod("etl-1-a", 1, 3, "Error", 0, 2), pod("etl-1-b", 1, 3, "Error", 10, 14)},
		Logs: map[LogKey]Tail{{Pod: "etl-1-b", Container: "main"}: {Lines: lines}}}
	r := Build(in)
	c := byName(r)["index 1"]
	if len(c.Log) != LogLines || c.Retries != 1 || c.DurationSeconds != 14 || c.Container != "main" {
		t.Errorf("log %d lines, retries %d, duration %v, container %q; want %d, 1, 14, main", len(c.Log), c.Retries, c.DurationSeconds, c.Container, LogLines)
	}
	if strings.Join(c.Pods, ",") != "etl-1-a,etl-1-b" {
		t.Errorf("pods %v", c.Pods)
	}
	if r.Failures != 1 || r.Tests != 2 {
		t.Errorf("failures %d tests %d", r.Failures, r.Tests)
	}
}

func TestJUnitAndJSONHoldTheSameContent(t *testing.T) {
	j := testJob(true, 2)
	j.Status.FailedIndexes = new("1")
	j.Status.CompletedIndexes = "0"
	in := Input{Job: j, Outcome: "Failed", Reason: "FailedIndexes", End: t0.Add(time.Minute),
		Pods: []*corev1.Pod{pod("etl-0-a", 0, 0, "Completed", 0, 3), pod("etl-1-a", 1, 3, "Error", 0, 2)},
		Logs: map[LogKey]Tail{{Pod: "etl-1-a", Container: "main"}: {Lines: []string{"a <b> & \x1b[31mred", "last"}}}}
	r := Build(in)
	data, err := r.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the JUnit does not parse: %v\n%s", err, data)
	}
	s := doc.Suites[0]
	if s.Name != "etl" || s.Tests != 2 || s.Failures != 1 || len(s.Cases) != 2 {
		t.Fatalf("suite %q tests %d failures %d cases %d", s.Name, s.Tests, s.Failures, len(s.Cases))
	}
	f := s.Cases[1].Failure
	if f == nil || f.Message != "container main exited with code 3 (Error)" || f.Type != "Error" ||
		!strings.Contains(f.Text, "exit code: 3") || !strings.Contains(f.Text, "a <b> & \uFFFD[31mred\nlast") {
		t.Errorf("failure %+v", f)
	}
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Cases[1].Message != f.Message || *back.Cases[1].ExitCode != 3 || back.Cases[1].Log[1] != "last" || *back.Cases[1].Index != 1 {
		t.Errorf("JSON case %+v", back.Cases[1])
	}
	for _, field := range []string{`"job"`, `"namespace"`, `"outcome"`, `"indexed"`, `"cases"`, `"result"`, `"exitCode"`, `"retries"`, `"durationSeconds"`, `"log"`} {
		if !bytes.Contains(js, []byte(field)) {
			t.Errorf("JSON lacks %s", field)
		}
	}
}

func TestWriteIsAtomicAnd0644(t *testing.T) {
	dir := t.TempDir()
	r := Build(Input{Job: testJob(false, 1), Outcome: "Complete", End: t0, Pods: []*corev1.Pod{pod("etl-a", -1, 0, "Completed", 0, 1)}})
	targets := []Target{{"junit", filepath.Join(dir, "r.xml")}, {"json", filepath.Join(dir, "r.json")}}
	if err := os.WriteFile(targets[0].Path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Write(targets); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the folder, want the 2 reports and no temporary file", len(entries))
	}
	for _, tg := range targets {
		st, err := os.Stat(tg.Path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", tg.Path, st.Mode().Perm())
		}
	}
	if err := r.Write([]Target{{"json", filepath.Join(dir, "missing", "r.json")}}); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

func TestParseTarget(t *testing.T) {
	for v, ok := range map[string]bool{"junit=r.xml": true, "json=out/r.json": true, "JUnit=r.xml": true, "xml=r.xml": false, "junit": false, "junit=": false} {
		if _, err := ParseTarget(v); (err == nil) != ok {
			t.Errorf("ParseTarget(%q): %v", v, err)
		}
	}
}

func TestAnnotateEscapes(t *testing.T) {
	r := &Report{Job: "etl", Cases: []Case{
		{Name: "index 1", Result: Failed, Reason: "Error", Message: "100% broken: a, b", ExitCode: new(int32(3)), Log: []string{"one\r", "two::error::x"}},
		{Name: "index 2", Result: Passed},
	}}
	var b bytes.Buffer
	r.Annotate(&b)
	want := "::error title=job/etl index 1 failed::Error: 100%25 broken: a, b (exit code 3)%0Aone%0Atwo::error::x\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	if got := escapeProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("escapeProperty: %q", got)
	}
}

func TestCheckSaveDir(t *testing.T) {
	dir := t.TempDir()
	if err := CheckSaveDir(filepath.Join(dir, "new", "run")); err != nil {
		t.Errorf("a new folder: %v", err)
	}
	if err := CheckSaveDir(dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a folder in use: %v", err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	if err := CheckSaveDir(file); err == nil {
		t.Error("a file was taken as a folder")
	}
}

// coachJob is a failed Job of testJob with what the coach reads.
func coachCase(t *testing.T, in CoachInput) []Advice {
	t.Helper()
	advice := Coach(in)
	for _, a := range advice {
		var args []string
		for _, f := range a.Flags {
			args = append(args, f.String())
		}
		// Every suggestion is a flag jobspec parses, and lays over the
		// failed Job as the rerun's --from does.
		if _, err := jobspec.ParseArgs(append([]string{"x", "--image=busybox"}, args...)); err != nil {
			t.Errorf("suggestion %v does not parse: %v", args, err)
		}
	}
	return advice
}

func TestCoach(t *testing.T) {
	oom := func() CoachInput {
		j := testJob(false, 1)
		j.Spec.Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}
		return CoachInput{Input: Input{Job: j, Outcome: "Failed", Reason: "BackoffLimitExceeded", Pods: []*corev1.Pod{pod("etl-a", -1, 137, "OOMKilled", 0, 1)}}}
	}
	same := func(restart corev1.RestartPolicy) CoachInput {
		j := testJob(false, 1)
		j.Spec.Template.Spec.RestartPolicy = restart
		return CoachInput{Input: Input{Job: j, Outcome: "Failed", Reason: "BackoffLimitExceeded",
			Pods: []*corev1.Pod{pod("etl-a", -1, 3, "Error", 0, 1), pod("etl-b", -1, 3, "Error", 10, 11), pod("etl-c", -1, 3, "Error", 30, 31)}}}
	}
	deadline := func() CoachInput {
		j := testJob(false, 1)
		j.Spec.ActiveDeadlineSeconds = new(int64(30))
		return CoachInput{Input: Input{Job: j, Outcome: "Failed", Reason: "DeadlineExceeded"}}
	}
	onFailure := func() CoachInput {
		j := testJob(false, 1)
		j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		p := pod("etl-a", -1, 1, "Error", 0, 5)
		p.Status.ContainerStatuses[0].RestartCount = 3
		return CoachInput{Input: Input{Job: j, Outcome: "Failed", Reason: "BackoffLimitExceeded", Pods: []*corev1.Pod{p}}}
	}
	pull := func(msg string) CoachInput {
		p := pod("etl-a", -1, -1, "", 0, 0)
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: msg}}
		return CoachInput{Input: Input{Job: testJob(false, 1), Outcome: "Stuck", Pods: []*corev1.Pod{p}}}
	}
	refused := func(msg string) CoachInput {
		return CoachInput{Input: Input{Job: testJob(false, 1), Outcome: "TimedOut"},
			Events: []corev1.Event{{Reason: "FailedCreate", Message: msg}}}
	}
	tests := map[string]struct {
		in    CoachInput
		flags string
	}{
		"OOMKilled doubles the limit":   {oom(), "--limit=memory=128Mi"},
		"same exit code fails fast":     {same(corev1.RestartPolicyNever), "--pod-failure-policy=FailJob:exit-codes=3"},
		"deadline doubled":              {deadline(), "--active-deadline=1m0s"},
		"OnFailure loses logs: Never":   {onFailure(), "--restart-policy=Never"},
		"pull refused: a pull secret":   {pull(`failed to authorize: 401 Unauthorized`), "--image-pull-secret=SECRET"},
		"pull not found: the image":     {pull(`failed to pull and unpack image "busybox:nope": not found`), "--image=IMAGE"},
		"Pod Security restricted":       {refused(`Error creating: pods "etl-x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false`), "--security-profile=restricted"},
		"quota exceeded: what is left":  {refused(`Error creating: pods "etl-x" is forbidden: exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=500m, limited: requests.cpu=1`), "--request=cpu=500m"},
		"quota needs limits":            {refused(`Error creating: pods "etl-x" is forbidden: failed quota: q: must specify limits.cpu,limits.memory`), "--limit=cpu=500m,memory=512Mi"},
		"a Complete Job gets no advice": {CoachInput{Input: Input{Job: testJob(false, 1), Outcome: "Complete"}}, ""},
		"different exit codes: none of it": {func() CoachInput {
			in := same(corev1.RestartPolicyNever)
			in.Pods[1] = pod("etl-b", -1, 4, "Error", 10, 11)
			return in
		}(), ""},
	}
	if !knownFlag("security-profile") {
		// Until the flag is built, the advice is words alone.
		tc := tests["Pod Security restricted"]
		tc.flags = ""
		tests["Pod Security restricted"] = tc
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, f := range Flags(coachCase(t, tc.in)) {
				got = append(got, f.String())
			}
			if strings.Join(got, " ") != tc.flags {
				t.Errorf("flags %q, want %q", strings.Join(got, " "), tc.flags)
			}
		})
	}
	in := same(corev1.RestartPolicyOnFailure)
	in.Pods = in.Pods[:2]
	in.Job.Spec.PodReplacementPolicy = new(batchv1.TerminatingOrFailed)
	rerun := Rerun(in, Coach(in))
	if rerun != "kubectl job-wizard etl -n ci --from job/etl --replace --wait --pod-failure-policy=FailJob:exit-codes=3 --restart-policy=Never --pod-replacement-policy=Failed" {
		t.Errorf("rerun %q", rerun)
	}
}
