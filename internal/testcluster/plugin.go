package testcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	pluginMu     sync.Mutex
	pluginBuilds = map[string]*pluginBuild{}
)

type pluginBuild struct {
	once sync.Once
	path string
	err  error
}

// PluginBinary is the plugin binary an end-to-end test drives: built from
// this checkout once per test binary into <repo>/.cache/<cache> (ignored),
// so that a test never drives a stale bin/ left by an older build (go's
// cache makes the build cheap when nothing changed). Each test package
// names a cache folder of its own, so that their builds never race.
// $JOBWIZARD_BIN, when set, is the binary instead.
func PluginBinary(t testing.TB, cache string) string {
	t.Helper()
	pluginMu.Lock()
	b := pluginBuilds[cache]
	if b == nil {
		b = &pluginBuild{}
		pluginBuilds[cache] = b
	}
	pluginMu.Unlock()
	b.once.Do(func() {
		if p := os.Getenv("JOBWIZARD_BIN"); p != "" {
			b.path = p
			return
		}
		root, err := repoRoot()
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(root, ".cache", cache, "kubectl-job_wizard")
		cmd := exec.Command("go", "build", "-o", b.path, "./cmd/kubectl-job_wizard")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
