package editor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
)

func job() *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: "pi"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "pi", Image: "perl:5.28.0"}},
		}}},
	}
}

// script is a fake editor: the n-th time it runs it runs steps[n-1] (sh)
// with the file as $1, and it copies what it was shown into seen-N.
func script(t *testing.T, steps ...string) (editor string, dir string) {
	t.Helper()
	dir = t.TempDir()
	var b strings.Builder
	b.WriteString("#!/bin/sh\nset -e\nn=$(cat " + dir + "/count 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > " + dir + "/count\ncp \"$1\" " + dir + "/seen-$n\ncase $n in\n")
	for i, s := range steps {
		b.WriteString(string(rune('1'+i)) + ") " + s + " ;;\n")
	}
	b.WriteString("esac\n")
	path := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(path, []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func newEditor(t *testing.T, editor, format string) *Editor {
	return &Editor{
		Format: format, In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{},
		Getenv:  func(k string) string { return map[string]string{"EDITOR": editor}[k] },
		Printer: i18n.New(i18n.English), Dir: t.TempDir(),
	}
}

func seen(t *testing.T, dir string, n int) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "seen-"+string(rune('0'+n))))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestUnchangedReturnsTheJob(t *testing.T) {
	ed, _ := script(t, "true")
	got, err := newEditor(t, ed, "yaml").Edit(job())
	if err != nil || got.Name != "pi" {
		t.Fatalf("%v %+v", err, got)
	}
}

func TestEditIsReturned(t *testing.T) {
	ed, dir := script(t, `sed -i 's/image: perl:5.28.0/image: perl:5.40/' "$1"`)
	got, err := newEditor(t, ed, "yaml").Edit(job())
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Template.Spec.Containers[0].Image != "perl:5.40" {
		t.Errorf("image %q", got.Spec.Template.Spec.Containers[0].Image)
	}
	shown := seen(t, dir, 1)
	if !strings.HasPrefix(shown, "# Edit the Job below") || !strings.Contains(shown, "name: pi") {
		t.Errorf("the file shown:\n%s", shown)
	}
}

func TestInvalidEditReopensWithTheErrorOnTop(t *testing.T) {
	ed, dir := script(t,
		`sed -i 's/restartPolicy: Never/restartPolicy: Always/' "$1"`,
		`sed -i 's/restartPolicy: Always/restartPolicy: OnFailure/' "$1"`)
	got, err := newEditor(t, ed, "yaml").Edit(job())
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("restart policy %q", got.Spec.Template.Spec.RestartPolicy)
	}
	second := seen(t, dir, 2)
	if !strings.Contains(second, "# The saved manifest has problems; fix them and save again:") ||
		!strings.Contains(second, "#   --restart-policy (spec.template.spec.restartPolicy) \"Always\": must be Never or OnFailure") {
		t.Errorf("the reopened file:\n%s", second)
	}
	// The person's own text is what reopens, not the original.
	if !strings.Contains(second, "restartPolicy: Always") {
		t.Errorf("the edit was lost on reopening:\n%s", second)
	}
}

func TestSameInvalidTextTwiceGivesUp(t *testing.T) {
	ed, _ := script(t, `sed -i 's/^kind: Job/kind: Jobb/' "$1"`, "true")
	_, err := newEditor(t, ed, "yaml").Edit(job())
	if err == nil || !strings.Contains(err.Error(), "saved unchanged, so it is cancelled; your text is kept in") {
		t.Fatalf("err = %v", err)
	}
	kept := strings.TrimSpace(strings.SplitN(strings.SplitN(err.Error(), "kept in ", 2)[1], ":", 2)[0])
	data, rerr := os.ReadFile(kept)
	if rerr != nil || !strings.Contains(string(data), "kind: Jobb") {
		t.Errorf("the kept file %s: %v", kept, rerr)
	}
	st, _ := os.Stat(kept)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("kept file mode %v", st.Mode())
	}
}

func TestEmptyFileCancels(t *testing.T) {
	ed, _ := script(t, `: > "$1"`)
	if _, err := newEditor(t, ed, "yaml").Edit(job()); !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v", err)
	}
}

func TestJSON(t *testing.T) {
	ed, dir := script(t, `sed -i 's/"perl:5.28.0"/"perl:5.40"/' "$1"`)
	got, err := newEditor(t, ed, "json").Edit(job())
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Template.Spec.Containers[0].Image != "perl:5.40" {
		t.Errorf("image %q", got.Spec.Template.Spec.Containers[0].Image)
	}
	if shown := seen(t, dir, 1); !strings.Contains(shown, `"apiVersion": "batch/v1"`) {
		t.Errorf("not JSON:\n%s", shown)
	}
}

func TestEditorFailureAndCommandLine(t *testing.T) {
	if _, err := newEditor(t, "false", "yaml").Edit(job()); err == nil || !strings.Contains(err.Error(), "the editor false failed") {
		t.Errorf("err = %v", err)
	}
	e := &Editor{Getenv: func(k string) string { return map[string]string{"KUBE_EDITOR": "code --wait", "EDITOR": "nano"}[k] }}
	if got := strings.Join(e.command("/tmp/f.yaml"), " "); got != `sh -c code --wait "$1" sh /tmp/f.yaml` {
		t.Errorf("KUBE_EDITOR with arguments: %s", got)
	}
	e.Getenv = func(k string) string { return map[string]string{"EDITOR": "nano"}[k] }
	if got := strings.Join(e.command("/tmp/f.yaml"), " "); got != "nano /tmp/f.yaml" {
		t.Errorf("EDITOR: %s", got)
	}
	e.Getenv = func(string) string { return "" }
	if got := e.command("/tmp/f.yaml")[0]; got != "vi" {
		t.Errorf("default editor: %s", got)
	}
}
