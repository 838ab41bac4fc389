package testcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// binaries are the control-plane programs hack/controlplane/build.sh makes.
var binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager"}

// repoRoot finds the checkout, so `go test` works from any package
// directory. It looks upwards from the working directory first because
// runtime.Caller only gives module paths under -trimpath.
func repoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, "hack", "controlplane", "build.sh")); err == nil {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("cannot find hack/controlplane/build.sh above the working directory")
}

// ensureBinaries returns the directory holding the control-plane binaries.
// build.sh runs on every start when the checkout is found: it returns at
// once when its stamp matches, and it rebuilds when the module files
// changed, so a stale etcd or kube-apiserver is never used. Without a
// checkout, existing binaries in binDir are used as they are.
func ensureBinaries(binDir string, progress io.Writer) (string, error) {
	root, rootErr := repoRoot()
	if binDir == "" {
		binDir = os.Getenv("CONTROLPLANE_BIN")
	}
	if binDir == "" {
		if rootErr != nil {
			return "", rootErr
		}
		binDir = filepath.Join(root, "bin", "controlplane")
	}
	binDir, err := filepath.Abs(binDir)
	if err != nil {
		return "", err
	}
	if rootErr == nil {
		script := filepath.Join(root, "hack", "controlplane", "build.sh")
		missing := !haveBinaries(binDir)
		if missing {
			// go test kills a test binary at -timeout plus one minute even
			// in TestMain (11m by default), which a cold build can exceed.
			fmt.Fprintf(progress, "testcluster: control-plane binaries missing in %s; building them with %s "+
				"(about 10 minutes on a cold Go cache; run that script before go test, or use go test -timeout 30m)\n", binDir, script)
		}
		cmd := exec.Command(script)
		cmd.Env = append(os.Environ(), "CONTROLPLANE_BIN="+binDir)
		out := &quietWriter{w: progress}
		cmd.Stdout, cmd.Stderr = out, out
		if !missing {
			// Quiet unless it has to rebuild or fails.
			out.quietUntil = "controlplane: building"
		}
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s: %w\n%s", script, err, out.held)
		}
	}
	if !haveBinaries(binDir) {
		return "", fmt.Errorf("control-plane binaries %v not found in %s; run hack/controlplane/build.sh", binaries, binDir)
	}
	return binDir, nil
}

func haveBinaries(dir string) bool {
	for _, b := range binaries {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// quietWriter forwards build output, holding it back while quietUntil is
// set and has not appeared yet (kept in held for error messages).
type quietWriter struct {
	w          io.Writer
	quietUntil string
	held       []byte
}

func (p *quietWriter) Write(b []byte) (int, error) {
	if p.quietUntil != "" {
		p.held = append(p.held, b...)
		if !bytes.Contains(p.held, []byte(p.quietUntil)) {
			return len(b), nil
		}
		p.quietUntil = ""
		_, err := p.w.Write(p.held)
		return len(b), err
	}
	return p.w.Write(b)
}
