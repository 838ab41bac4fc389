package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// kubectl's own flags of `kubectl create job`, checked here without a
// cluster; e2e's TestKubectlSideBySide runs the real kubectl beside them.
func TestKubectlFlags(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	base := []string{"x", "--image=busybox", "--dry-run=client"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, when set
		words  []string
	}{
		// What kubectl prints for the same command line, byte for byte
		// (kubectl 1.33 and later; 1.32, built on an older apimachinery,
		// also writes "creationTimestamp":null).
		{"save-config", []string{"-o", "jsonpath={.metadata.annotations}", "--save-config"}, 0,
			`{"kubectl.kubernetes.io/last-applied-configuration":"{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"busybox\",\"resources\":{}}],\"restartPolicy\":\"Never\"}}},\"status\":{}}\n"}`, nil},
		{"go-template with --template", []string{"-o", "go-template", "--template={{.metadata.name}}"}, 0, "x", nil},
		{"--template alone is go-template", []string{"--template={{.spec.template.spec.containers}}"}, 0, "", []string{"busybox"}},
		{"jsonpath with --template", []string{"-o", "jsonpath", "--template={.kind}"}, 0, "Job", nil},
		{"missing key allowed", []string{"-o", "go-template={{.nope}}"}, 0, "<no value>", nil},
		{"missing key refused", []string{"-o", "go-template={{.nope.deeper}}", "--allow-missing-template-keys=false"}, 1, "", []string{"nope"}},
		{"go-template without a template", []string{"-o", "go-template"}, 2, "", []string{"-o", "template"}},
		{"validate forms", []string{"--validate=false", "--validate=warn", "--validate", "--show-managed-fields", "--cache-dir=/tmp/x", "-o", "name"}, 0, "job.batch/x\n", nil},
		{"validate bad", []string{"--validate=sometimes"}, 2, "", []string{"--validate", `"sometimes"`, "strict (or true), warn, ignore (or false)"}},
		{"dry-run true", []string{"--dry-run=true", "-o", "name"}, 0, "job.batch/x\n", nil},
		{"dry-run bad", []string{"--dry-run=maybe"}, 2, "", []string{"--dry-run", `"maybe"`, `"none", "server", or "client"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append(append([]string{}, base...), c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			if c.stdout != "" && out != c.stdout {
				t.Errorf("stdout\n %q\nwant\n %q", out, c.stdout)
			}
			for _, w := range c.words {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not say %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
}

// A Job copied from a cluster comes back as a new Job: what the server
// wrote is dropped (said at -v=1), and -n may not move it.
func TestFileOfACopiedJob(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	path := filepath.Join(t.TempDir(), "a-rather-long-directory-name-for-a-manifest", "copied-from-the-cluster.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	manifest := `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: team-a
  uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
  resourceVersion: "4242"
  labels: {batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11, batch.kubernetes.io/job-name: pi}
spec:
  selector: {matchLabels: {batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11}}
  template:
    metadata:
      labels: {app: pi, batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11, batch.kubernetes.io/job-name: pi}
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: busybox}]
status: {succeeded: 1}
`
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "", "-f", path, "--name=pi2", "--dry-run=client", "-o", "yaml", "-v=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	job, err := jobspec.DecodeJob("stdout", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if job.Name != "pi2" || job.Namespace != "team-a" || job.UID != "" || job.ResourceVersion != "" || job.Spec.Selector != nil ||
		len(job.Labels) != 0 || len(job.Spec.Template.Labels) != 1 || job.Status.Succeeded != 0 {
		t.Errorf("not cleaned:\n%s", out)
	}
	for _, w := range []string{"-f " + path + ": dropped what the server wrote", "metadata.uid", "spec.selector", "status"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("-v=1 does not say %q:\n%s", w, errOut)
		}
	}
	// klog's verbosity is the process's: set it back as a new run would have it.
	if _, errOut, _ := run(t, "", "-f", path, "--dry-run=client", "-v=0"); strings.Contains(errOut, "dropped") {
		t.Errorf("without -v it says: %s", errOut)
	}

	_, errOut, code = run(t, "", "-f", path, "-n", "team-b", "--dry-run=client")
	want := `the namespace from the provided object "team-a" does not match the namespace "team-b". You must pass '--namespace=team-a' to perform this operation.`
	if code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("-n team-b: exit %d, stderr %s\nwant exit 2 and %s", code, errOut, want)
	}
	if _, errOut, code = run(t, "", "-f", path, "-n", "team-a", "--dry-run=client"); code != 0 {
		t.Errorf("-n team-a: exit %d: %s", code, errOut)
	}
}
