package testutil

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// hostileJob is the smallest valid Job of the hostile manifests; the big
// ones put their megabytes into its name or after it.
const hostileJob = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox:1.36\n"

// generatedHostileManifests are the manifests of the hostile corpus too big
// to keep in git (4 MiB together), by file name; they are written at test
// time, byte for byte what was committed once (TestGeneratedHostileManifests
// holds their sha256).
var generatedHostileManifests = map[string]func() string{
	// A name of 1 MiB: far over the 63 of a DNS label.
	"22-one-megabyte-name.yaml": func() string {
		return strings.Replace(hostileJob, "%s", strings.Repeat("a", 1<<20), 1)
	},
	// A valid Job followed by a 3 MiB comment: over the size -f reads.
	"36-over-3MiB.yaml": func() string {
		return strings.Replace(hostileJob, "%s", "j", 1) + "# " + strings.Repeat("x", 3<<20) + "\n"
	},
}

// HostileManifests is the hostile manifest corpus: the files committed in
// dir (testdata/bad/manifests) and the generated ones, written into a
// folder of the test, in the order of their file names (as a glob of one
// folder holding them all would list them).
func HostileManifests(t testing.TB, dir string) []string {
	t.Helper()
	committed, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range committed {
		// A copy left in an old checkout is the generated one's.
		if generatedHostileManifests[filepath.Base(f)] == nil {
			files = append(files, f)
		}
	}
	out := t.TempDir()
	for name, content := range generatedHostileManifests {
		path := filepath.Join(out, name)
		if err := os.WriteFile(path, []byte(content()), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	sort.SliceStable(files, func(i, j int) bool { return filepath.Base(files[i]) < filepath.Base(files[j]) })
	return files
}
