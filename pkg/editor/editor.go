// Package editor opens a Job in the person's editor ($KUBE_EDITOR, $EDITOR,
// else vi) as kubectl edit does: an invalid edit reopens with the problems
// on top, an empty file cancels, and saving the same invalid text twice
// gives up and keeps a copy of it.
package editor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// ErrEmpty is returned when the person emptied the file: they want nothing.
var ErrEmpty = errors.New("the edited manifest is empty")

// Editor edits Jobs in an external editor.
type Editor struct {
	// Format is "yaml" or "json".
	Format string
	// In, Out and Err are the editor's standard streams; Out must be a
	// terminal for a full-screen editor, so the command passes stderr when
	// stdout is redirected.
	In       io.Reader
	Out, Err io.Writer
	// Getenv reads KUBE_EDITOR and EDITOR; os.Getenv when nil.
	Getenv  func(string) string
	Printer *i18n.Printer
	// Dir holds the temporary file; the system's temp dir when empty.
	Dir string
}

// command is the editor's command line for file, as kubectl runs it: an
// editor setting with spaces ("code --wait") goes through the shell.
func (e *Editor) command(file string) []string {
	getenv := e.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	editor := ""
	for _, env := range []string{"KUBE_EDITOR", "EDITOR"} {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			editor = v
			break
		}
	}
	if editor == "" {
		editor = "vi"
	}
	if !strings.ContainsAny(editor, " \t'\"") {
		return []string{editor, file}
	}
	return []string{"sh", "-c", editor + ` "$1"`, "sh", file}
}

func (e *Editor) t(key string, args ...any) string {
	p := e.Printer
	if p == nil {
		p = i18n.New(i18n.English)
	}
	return p.T(key, args...)
}

// Edit opens job in the editor until the result is a valid Job, and
// returns it. Saving it unchanged returns it as it was.
func (e *Editor) Edit(job *batchv1.Job) (*batchv1.Job, error) {
	out, err := e.edit(job, func(data []byte) (draft.Object, error) { return decode(data) })
	if err != nil {
		return nil, err
	}
	return out.(*batchv1.Job), nil
}

// EditCronJob is Edit for a CronJob: the result must be a valid CronJob,
// judged as -f --kind cronjob judges one.
func (e *Editor) EditCronJob(cj *batchv1.CronJob) (*batchv1.CronJob, error) {
	out, err := e.edit(cj, func(data []byte) (draft.Object, error) { return decodeCronJob(data) })
	if err != nil {
		return nil, err
	}
	return out.(*batchv1.CronJob), nil
}

func (e *Editor) edit(job draft.Object, decode func([]byte) (draft.Object, error)) (draft.Object, error) {
	body, err := e.marshal(job)
	if err != nil {
		return nil, err
	}
	ext := ".yaml"
	if e.Format == "json" {
		ext = ".json"
	}
	f, err := os.CreateTemp(e.Dir, "kubectl-job-wizard-edit-*"+ext)
	if err != nil {
		return nil, fmt.Errorf("%s", e.t("cannot create the file to edit: %s", err.Error()))
	}
	file := f.Name()
	f.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(file)
		}
	}()

	var problems error
	var lastInvalid []byte
	for {
		content := append([]byte(e.header(problems)), body...)
		// CreateTemp made the file 0600; a Job may hold typed secrets.
		if err := os.WriteFile(file, content, 0o600); err != nil {
			return nil, err
		}
		if err := e.run(file); err != nil {
			return nil, err
		}
		edited, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		stripped := stripComments(edited)
		if len(bytes.TrimSpace(stripped)) == 0 {
			return nil, ErrEmpty
		}
		if problems == nil && bytes.Equal(stripped, stripComments(content)) {
			return job, nil
		}
		out, verr := decode(stripped)
		if verr == nil {
			return out, nil
		}
		if lastInvalid != nil && bytes.Equal(stripped, lastInvalid) {
			keep = true
			return nil, &jobspec.InputError{Err: fmt.Errorf("%s", e.t("the edit still has problems and was saved unchanged, so it is cancelled; your text is kept in %s: %s", file, verr.Error()))}
		}
		lastInvalid = stripped
		problems = verr
		body = stripped
	}
}

// marshal is the manifest the editor shows, in its format; the header
// with how to use the file is added around it, not in the renderer.
func (e *Editor) marshal(job draft.Object) ([]byte, error) {
	return manifest.Render(job, e.Format == "json")
}

// header is the comment block on top of the file: how to use it and, after
// an invalid save, what was wrong, one problem a line.
func (e *Editor) header(problems error) string {
	var b strings.Builder
	b.WriteString("# " + e.t("Edit the Job below, then save and close the editor to go on.") + "\n")
	b.WriteString("# " + e.t("Lines starting with '#' are ignored; an empty file cancels.") + "\n")
	if problems != nil {
		b.WriteString("#\n# " + e.t("The saved manifest has problems; fix them and save again:") + "\n")
		for _, line := range e.problemLines(problems) {
			b.WriteString("#   " + termtext.Plain(line) + "\n")
		}
	}
	b.WriteString("#\n")
	return b.String()
}

// problemLines tells each problem of the edit by its field, in the
// person's language; "-f" and the file's name would only confuse here.
func (e *Editor) problemLines(err error) []string {
	list, ok := jobspec.FieldErrors(err)
	if !ok {
		return strings.Split(err.Error(), "\n")
	}
	p := e.Printer
	if p == nil {
		p = i18n.New(i18n.English)
	}
	lines := make([]string, len(list))
	for i, fe := range list {
		if fe.Flag != "-f" || fe.Value != source {
			lines[i] = fe.Error()
			continue
		}
		lines[i] = p.Text(fe.Rule)
		if fe.Field != "" {
			lines[i] = fe.Field + ": " + lines[i]
		}
	}
	return lines
}

// source names the edited text where the decoder reports it.
const source = "edited manifest"

func (e *Editor) run(file string) error {
	argv := e.command(file)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.In, e.Out, e.Err
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s", e.t("the editor %s failed: %s; set KUBE_EDITOR or EDITOR to the editor to use", strings.Join(argv[:1], " "), err.Error()))
	}
	return nil
}

// stripComments drops the whole-line '#' comments of the header (also in
// JSON, which has none of its own).
func stripComments(data []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] == '#' {
			continue
		}
		out = append(out, line...)
	}
	return out
}

// decode reads the edited text as -f reads a manifest, and judges it with
// the same rules.
func decode(data []byte) (*batchv1.Job, error) {
	job, err := jobspec.DecodeJob(source, data)
	if err != nil {
		return nil, err
	}
	jobspec.CleanCopied(job)
	if err := jobspec.FromJob(job).Validate(); err != nil {
		return nil, err
	}
	return job, nil
}

// decodeCronJob is decode for a CronJob.
func decodeCronJob(data []byte) (*batchv1.CronJob, error) {
	s, _, err := jobspec.ImportCronJob(source, data)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s.BuildCronJob(), nil
}
