package draft

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

func testJob(name string) *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "pi", Image: "perl:5.28.0", Env: []corev1.EnvVar{{Name: "TOKEN", Value: "s3cret"}}}},
		}}},
	}
}

func TestSaveUsesXDGStateHomeWithPrivateModes(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	now = func() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) }
	defer func() { now = time.Now }()

	job := testJob("pi")
	path, err := Save(job, "interrupted at\nstep 3\x1b[31m")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(state, "kubectl-job-wizard", "pi-20250304-050607.yaml")
	if path != want {
		t.Fatalf("path = %s, want %s", path, want)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v, want 0700", dst.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	head := strings.SplitN(string(data), "\n", 3)
	if head[0] != "# kubectl job-wizard draft: interrupted at step 3 [31m" {
		t.Errorf("header = %q; the reason must stay on one comment line without escapes", head[0])
	}
	if strings.Contains(string(data), "creationTimestamp") || strings.Contains(string(data), "status") {
		t.Errorf("draft carries server-only fields:\n%s", data)
	}
	// A draft is a manifest -f takes back, giving the same Job.
	spec, err := jobspec.Import("-f "+path, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Build(); !apiequality.Semantic.DeepEqual(got, job) {
		t.Errorf("re-imported draft differs:\n got %+v\nwant %+v", got, job)
	}

	// Same Job, same second: a second file, never an overwrite.
	path2, err := Save(job, "")
	if err != nil {
		t.Fatal(err)
	}
	if path2 == path || !strings.HasSuffix(path2, "pi-20250304-050607-2.yaml") {
		t.Errorf("second draft path = %s", path2)
	}
}

func TestDirFallsBackToHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored")
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".local", "state", "kubectl-job-wizard"); d != want {
		t.Errorf("Dir = %s, want %s", d, want)
	}
}

func TestFileNameOfUncheckedNames(t *testing.T) {
	for name, tc := range map[string]struct {
		job  *batchv1.Job
		want string
	}{
		"name":          {&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi"}}, "pi"},
		"generate name": {&batchv1.Job{ObjectMeta: metav1.ObjectMeta{GenerateName: "nightly-"}}, "nightly"},
		"none":          {&batchv1.Job{}, "job"},
		"path tricks":   {&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "../../etc/Pass wd"}}, "etcpasswd"},
	} {
		if got := fileName(tc.job); got != tc.want {
			t.Errorf("%s: fileName = %q, want %q", name, got, tc.want)
		}
	}
}
