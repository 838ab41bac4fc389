// Package draft keeps Jobs that were not sent: the answers of an
// interrupted wizard, or a Job the cluster refused. A draft is a plain Job
// manifest, so `kubectl job-wizard -f DRAFT -i` resumes from it.
package draft

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// appDir is the folder under the XDG state directory.
const appDir = "kubectl-job-wizard"

// Dir is where drafts are kept: $XDG_STATE_HOME/kubectl-job-wizard, or
// ~/.local/state/kubectl-job-wizard as the XDG base directory spec says when
// the variable is unset or not absolute.
func Dir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, appDir), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no place for drafts: set XDG_STATE_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".local", "state", appDir), nil
}

// now is replaced by tests that need a fixed file name.
var now = time.Now

// Save writes job as a YAML manifest into Dir and returns its path. reason
// (why it was kept, e.g. "interrupted at step 3") goes into a comment at the
// top. The directory is 0700 and the file 0600: a draft may hold environment
// values a person typed, which other users of the machine must not read.
func Save(job Object, reason string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return SaveIn(dir, job, reason)
}

// SaveIn is Save into a given directory.
func SaveIn(dir string, job Object, reason string) (string, error) {
	data, err := manifest.YAML(job)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the drafts folder: %w", err)
	}
	// MkdirAll leaves an existing folder's mode alone; tighten ours in case it
	// was made by hand or with a loose umask.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("securing the drafts folder: %w", err)
	}
	stamp := now().UTC().Format("20060102-150405")
	base := fileName(job) + "-" + stamp
	header := "# kubectl job-wizard draft"
	if r := termtext.Plain(reason); r != "" {
		header += ": " + r
	}
	for i := 0; i < 100; i++ {
		name := base + ".yaml"
		if i > 0 {
			name = fmt.Sprintf("%s-%d.yaml", base, i+1)
		}
		path := filepath.Join(dir, name)
		resume := "kubectl job-wizard -f " + path + " -i"
		if _, ok := job.(*batchv1.CronJob); ok {
			resume = "kubectl job-wizard -f " + path + " --kind cronjob -i"
		}
		content := header + "\n# resume with: " + resume + "\n" + string(data)
		// O_EXCL: two drafts saved in the same second never overwrite each other.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("saving the draft: %w", err)
		}
		if _, err := f.WriteString(content); err != nil {
			f.Close()
			return "", fmt.Errorf("saving the draft: %w", err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("saving the draft: %w", err)
		}
		return path, nil
	}
	return "", fmt.Errorf("saving the draft: too many drafts named %s in %s", base, dir)
}

// Object is what a draft keeps: a *batchv1.Job or a *batchv1.CronJob.
type Object interface {
	runtime.Object
	metav1.Object
}

// fileName is a safe file name part for the Job: its name, its generateName
// prefix, or "job"; anything but [a-z0-9-] is dropped because a draft is
// saved before the name is checked.
func fileName(job Object) string {
	n := job.GetName()
	if n == "" {
		n = strings.TrimSuffix(job.GetGenerateName(), "-")
	}
	var b strings.Builder
	for _, r := range strings.ToLower(n) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
		if b.Len() >= 63 {
			break
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "job"
}
