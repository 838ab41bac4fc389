package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// TestImportFidelity: -f of a real-world manifest followed by a client dry
// run gives back the same Job, and each flag changes only what it names.
func TestImportFidelity(t *testing.T) {
	repoRoot(t)
	files, _ := filepath.Glob("testdata/import/*")
	if len(files) < 10 {
		t.Fatalf("want at least 10 real-world manifests, have %d", len(files))
	}
	overrides := []struct {
		name   string
		args   []string
		change func(j *batchv1.Job)
	}{
		{"none", nil, func(*batchv1.Job) {}},
		{"backoff limit", []string{"--backoff-limit", "7"}, func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To[int32](7) }},
		{"image", []string{"--image", "example.com/other:2"}, func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "example.com/other:2" }},
		{"new env", []string{"-e", "FIDELITY=1"}, func(j *batchv1.Job) {
			c := &j.Spec.Template.Spec.Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: "FIDELITY", Value: "1"})
		}},
		{"label", []string{"-l", "fidelity=yes"}, func(j *batchv1.Job) {
			if j.Labels == nil {
				j.Labels = map[string]string{}
			}
			if j.Spec.Template.Labels == nil {
				j.Spec.Template.Labels = map[string]string{}
			}
			j.Labels["fidelity"], j.Spec.Template.Labels["fidelity"] = "yes", "yes"
		}},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range overrides {
			t.Run(filepath.Base(f)+"/"+o.name, func(t *testing.T) {
				want, err := jobspec.DecodeJob(f, data)
				if err != nil {
					t.Fatal(err)
				}
				o.change(want)
				args := append([]string{"-f", f, "--dry-run=client", "-o", "yaml"}, o.args...)
				out, errOut, code := run(t, "", args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				got := decodeJob(t, []byte(out))
				if !apiequality.Semantic.DeepEqual(got, want) {
					t.Errorf("%v changed the Job beyond the flag:\n%s", o.args, diff.Diff(want, got))
				}
			})
		}
	}
}

// TestImportCronJobFidelity: -f --kind cronjob of a real-world CronJob
// gives it back (without what a server wrote), and each flag changes only
// what it names: the Job's flags the jobTemplate, the label flags the
// CronJob and its pods, the CronJob's flags its own fields.
func TestImportCronJobFidelity(t *testing.T) {
	repoRoot(t)
	files, _ := filepath.Glob("testdata/import-cronjob/*")
	if len(files) < 4 {
		t.Fatalf("want at least 4 real-world CronJobs, have %d", len(files))
	}
	overrides := []struct {
		name   string
		args   []string
		change func(cj *batchv1.CronJob)
	}{
		{"none", nil, func(*batchv1.CronJob) {}},
		{"backoff limit", []string{"--backoff-limit", "7"}, func(cj *batchv1.CronJob) { cj.Spec.JobTemplate.Spec.BackoffLimit = ptr.To[int32](7) }},
		{"image", []string{"--image", "example.com/other:2"}, func(cj *batchv1.CronJob) {
			cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "example.com/other:2"
		}},
		{"new env", []string{"-e", "FIDELITY=1"}, func(cj *batchv1.CronJob) {
			c := &cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: "FIDELITY", Value: "1"})
		}},
		{"label", []string{"-l", "fidelity=yes"}, func(cj *batchv1.CronJob) {
			if cj.Labels == nil {
				cj.Labels = map[string]string{}
			}
			tpl := &cj.Spec.JobTemplate.Spec.Template
			if tpl.Labels == nil {
				tpl.Labels = map[string]string{}
			}
			cj.Labels["fidelity"], tpl.Labels["fidelity"] = "yes", "yes"
		}},
		{"schedule", []string{"--schedule", "@weekly"}, func(cj *batchv1.CronJob) { cj.Spec.Schedule = "@weekly" }},
		{"time zone", []string{"--time-zone", "Europe/Berlin"}, func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("Europe/Berlin") }},
		{"history", []string{"--successful-jobs-history", "1"}, func(cj *batchv1.CronJob) { cj.Spec.SuccessfulJobsHistoryLimit = ptr.To[int32](1) }},
		{"suspend schedule", []string{"--suspend-schedule=false"}, func(cj *batchv1.CronJob) { cj.Spec.Suspend = ptr.To(false) }},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range overrides {
			t.Run(filepath.Base(f)+"/"+o.name, func(t *testing.T) {
				want, err := jobspec.DecodeCronJob(f, data)
				if err != nil {
					t.Fatal(err)
				}
				jobspec.CleanCronJob(want)
				o.change(want)
				args := append([]string{"-f", f, "--kind", "cronjob", "--dry-run=client", "-o", "yaml"}, o.args...)
				out, errOut, code := run(t, "", args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				got := &batchv1.CronJob{}
				if err := yaml.UnmarshalStrict([]byte(out), got); err != nil {
					t.Fatalf("decoding: %v\n%s", err, out)
				}
				if !apiequality.Semantic.DeepEqual(got, want) {
					t.Errorf("%v changed the CronJob beyond the flag:\n%s", o.args, diff.Diff(want, got))
				}
				if !strings.Contains(errOut, "next runs of") {
					t.Errorf("a client dry run of a CronJob shows its next runs on stderr; got %q", errOut)
				}
			})
		}
	}
	// Without --kind, -f of a CronJob still takes its jobTemplate as a Job.
	out, errOut, code := run(t, "", "-f", files[0], "--dry-run=client", "-o", "yaml")
	if code != 0 || !strings.Contains(out, "kind: Job\n") {
		t.Errorf("-f of a CronJob without --kind: exit %d %s\n%s", code, errOut, out)
	}
}
