package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// Target is one --report: a format and the file to write it to.
type Target struct {
	Format string // junit or json
	Path   string
}

// ParseTarget reads one --report value, FORMAT=FILE.
func ParseTarget(v string) (Target, error) {
	format, path, ok := strings.Cut(v, "=")
	format = strings.ToLower(strings.TrimSpace(format))
	switch {
	case !ok || path == "":
		return Target{}, fmt.Errorf("must be junit=FILE or json=FILE")
	case format != "junit" && format != "json":
		return Target{}, fmt.Errorf("the format %s is not junit or json", termtext.Quote(format))
	}
	return Target{Format: format, Path: path}, nil
}

// CheckTarget tells, before anything is sent, whether the report can be
// written where asked: the folder must exist, and the path must not be a
// folder.
func CheckTarget(t Target) error {
	if st, err := os.Stat(t.Path); err == nil && st.IsDir() {
		return fmt.Errorf("is a directory; give a file name")
	}
	dir := filepath.Dir(t.Path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("its folder %s cannot be used: %v", dir, unwrapPath(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("its folder %s is not a directory", dir)
	}
	return nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Write renders the report in each target's format and writes the files.
func (r *Report) Write(targets []Target) error {
	var errs []string
	for _, t := range targets {
		var data []byte
		var err error
		if t.Format == "json" {
			data, err = r.JSON()
		} else {
			data, err = r.JUnit()
		}
		if err == nil {
			err = WriteFile(t.Path, data)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("--report %s=%s: %v", t.Format, t.Path, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// WriteFile is the one way reports and saved files are written: to a
// temporary file beside path, then renamed over it, so a reader (a CI step
// that uploads it, a second run) never sees half a file. Files are 0644:
// a report is meant to be read by the CI system's other steps.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return unwrapPath(err)
	}
	name := tmp.Name()
	defer os.Remove(name) // after a rename, nothing is left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(name, path)
}
