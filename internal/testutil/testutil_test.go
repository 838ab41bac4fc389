package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The generated manifests are the bytes once committed under
// testdata/bad/manifests (commit dcb8bf5), whose sha256 these are.
func TestGeneratedHostileManifests(t *testing.T) {
	want := map[string]struct {
		size int
		sum  string
	}{
		"22-one-megabyte-name.yaml": {1048743, "0ead6dd2b5155dc4df59410eb512c52b2666e12c7c8517e98860dd85dad719d2"},
		"36-over-3MiB.yaml":         {3145899, "2c4a0054b6583508bbb6a3d0cb7e1cfa011c1dea15ba964af69d899008526581"},
	}
	if len(generatedHostileManifests) != len(want) {
		t.Errorf("%d generated manifests, want %d", len(generatedHostileManifests), len(want))
	}
	dir := filepath.Join("..", "..", "testdata", "bad", "manifests")
	files := HostileManifests(t, dir)
	var committed []string
	all, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range all {
		if _, gen := want[filepath.Base(f)]; !gen {
			committed = append(committed, f)
		}
	}
	if len(files) != len(committed)+len(want) {
		t.Errorf("%d manifests, want the %d committed and %d generated", len(files), len(committed), len(want))
	}
	for i, f := range files {
		if i > 0 && filepath.Base(files[i-1]) >= filepath.Base(f) {
			t.Errorf("%s comes after %s", f, files[i-1])
		}
		w, ok := want[filepath.Base(f)]
		if !ok {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if len(data) != w.size || hex.EncodeToString(sum[:]) != w.sum {
			t.Errorf("%s: %d bytes, sha256 %x; want %d bytes, %s", f, len(data), sum, w.size, w.sum)
		}
	}
}

// Only tests import testutil: the plugin's binary does not link it.
func TestOnlyTestsImportTestutil(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/internal/testutil") {
			t.Errorf("a command links %s", pkg)
		}
	}
}

func TestJobOfCommand(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "job.yaml")
	if err := os.WriteFile(manifest, []byte("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: m\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		command, name, image, arg, err string
	}{
		{command: "kubectl job-wizard pi --image=perl --dry-run=client -o yaml -- perl -e $'print 1\\n'", name: "pi", image: "perl", arg: "print 1\n"},
		{command: "kubectl job-wizard pi --image=perl --wait --report=r.xml --save=s -- -o", name: "pi", image: "perl", arg: "-o"},
		{command: "kubectl job-wizard pi --image=perl --dry-run=client -o json > job.json", name: "pi", image: "perl"},
		{command: "kubectl job-wizard -f " + manifest + " --wait", name: "m", image: "busybox"},
		{command: "kubectl run pi", err: "does not start with kubectl job-wizard"},
		{command: "kubectl job-wizard 'pi", err: "does not split as a shell line"},
		{command: "kubectl job-wizard pi --no-such-flag", err: "does not parse"},
		{command: "kubectl job-wizard -f /no/such/file", err: "the command's manifest"},
	} {
		job, err := JobOfCommand(tc.command)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.command, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.command, err)
			continue
		}
		c := job.Spec.Template.Spec.Containers[0]
		if job.Name != tc.name || c.Image != tc.image || tc.arg != "" && c.Command[len(c.Command)-1] != tc.arg {
			t.Errorf("%s: Job %s, container %+v", tc.command, job.Name, c)
		}
	}
}

func TestLockedBuffer(t *testing.T) {
	var b LockedBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			_, _ = b.Write([]byte("x"))
		}
	}()
	for range 100 {
		_ = b.String()
	}
	<-done
	if b.String() != strings.Repeat("x", 100) {
		t.Errorf("buffer %q", b.String())
	}
}
