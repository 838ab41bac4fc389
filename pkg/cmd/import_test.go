package cmd

import (
	"os"
	"path/filepath"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/utils/ptr"

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
