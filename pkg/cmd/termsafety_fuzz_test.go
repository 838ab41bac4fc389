package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spf13/pflag"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
	"github.com/jobwizard/kubectl-job-wizard/pkg/wizard"
)

// shownRaw fails when text, as written to a terminal, holds anything
// termtext's rule escapes (a C0 or C1 control, an escape sequence's ESC,
// a bidi control, U+2028/9, invalid UTF-8) on any of its lines.
func shownRaw(t *testing.T, where, text string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if termtext.Escape(line) != line {
			t.Fatalf("%s writes %q raw", where, line)
		}
	}
}

// fuzzFlags are the flags that take a value and act offline: the ones that
// read or write files (-f, --env-file, --save, --report, -o's template
// files, --cache-dir, the kubeconfig's) or reach a server are left out, so
// a fuzz input never names /dev/zero or a host.
func fuzzFlags() []string {
	skip := map[string]bool{"filename": true, "env-file": true, "from": true, "dry-run": true, "output": true,
		"template": true, "report": true, "save": true, "cache-dir": true, "validate": true}
	var names []string
	NewRootCommand(genericiooptions.NewTestIOStreamsDiscard()).Flags().VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() == "bool" || skip[f.Name] || f.Annotations["kubeconfig"] != nil {
			return
		}
		names = append(names, f.Name)
	})
	return names
}

// FuzzTerminalSafety: no output path writes a raw control, escape sequence
// or bidi control taken from input. One input s goes (1) into a flag,
// chosen by which, and the name: the refusal or the dry run's line; (2)
// into a manifest's fields read with -f: the field errors; (3) into the
// wizard, as the manifest it starts from and as every typed answer: its
// screens, every question, option and rejection it shows, its review and
// the draft it keeps (whose comments carry s as the reason too).
func FuzzTerminalSafety(f *testing.F) {
	f.Setenv("KUBECONFIG", filepath.Join(f.TempDir(), "none"))
	f.Setenv("XDG_STATE_HOME", f.TempDir())
	flags := fuzzFlags()
	kubeconfigFlags := map[string]bool{}
	for _, name := range []string{"kubeconfig", "client-certificate", "client-key", "token", "as", "as-uid", "as-group",
		"username", "password", "server", "certificate-authority", "tls-server-name", "proxy-url", "cluster", "user", "context", "request-timeout"} {
		kubeconfigFlags[name] = true
	}
	flags = slices.DeleteFunc(flags, func(n string) bool { return kubeconfigFlags[n] })
	for _, s := range []string{"pi", "\x1b[31mred\x1b[0m", "a\u202eb", "x\x9b2J", "\xff\xfe", "l\u2028m", "k=v\x07", "\t\r\n", "--", "=", "500m\x00"} {
		for i := 0; i < len(flags); i += 7 {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, s string) {
		if len(s) > 4096 {
			return
		}
		// (1) a flag's value and the Job's name.
		flag := flags[int(which)%len(flags)]
		for _, args := range [][]string{
			{"pi", "--image=busybox:1.36", "--dry-run=client", "--" + flag + "=" + s},
			{s, "--image=busybox:1.36", "--dry-run=client"},
			{"pi", "--kind=cronjob", "--schedule=" + s, "--image=" + s, "--dry-run=client"},
		} {
			out, errOut, _ := run(t, "", args...)
			shownRaw(t, "--"+flag, out+errOut)
		}

		// (2) a manifest's fields.
		manifest, _ := json.Marshal(map[string]any{
			"apiVersion": "batch/v1", "kind": "Job",
			"metadata": map[string]any{"name": s, "namespace": s, "labels": map[string]string{s: s}, "annotations": map[string]string{"a": s}},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"restartPolicy": s, "serviceAccountName": s, "nodeSelector": map[string]string{s: "x"},
				"containers": []any{map[string]any{"name": s, "image": s, "env": []any{map[string]any{"name": s, "value": s}},
					"resources": map[string]any{"requests": map[string]any{"cpu": s}},
					"ports":     []any{map[string]any{"containerPort": 80, "name": s}}}},
				"volumes": []any{map[string]any{"name": s, "configMap": map[string]any{"name": s}}},
			}}},
		})
		for _, args := range [][]string{{"-f", "-", "--dry-run=client"}, {"-f", "-", "-n", "other", "--dry-run=client"}} {
			out, errOut, _ := run(t, string(manifest), args...)
			shownRaw(t, "-f", out+errOut)
		}

		// (3) the wizard, from that manifest, typing s at every question.
		spec, err := jobspec.Import("-f job.json", manifest)
		if err != nil {
			spec = &jobspec.Spec{}
		}
		dir := t.TempDir()
		var screen bytes.Buffer
		p := &hostilePrompter{t: t, answer: s}
		w := wizard.New(wizard.Config{
			Prompter: p, Out: &screen, NoCluster: "no kubeconfig " + s,
			PrintArgs: []string{"--dry-run=client", "-o", "yaml"},
			SaveDraft: func(job draft.Object, reason string) (string, error) {
				return draft.SaveIn(dir, job, reason+" "+s)
			},
		})
		_, err = w.Run(context.Background(), spec)
		shownRaw(t, "the wizard", screen.String())
		if err != nil {
			shownRaw(t, "the wizard's error", err.Error())
		}
		drafts, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, d := range drafts {
			data, _ := os.ReadFile(d)
			for _, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(line, "#") {
					shownRaw(t, "a draft's comment", line)
				}
			}
		}
	})
}

// hostilePrompter types its answer at every free-text question and takes
// the default elsewhere; an answer the wizard rejects is replaced by the
// default (Enter), then by plain ones, and when all are rejected, or after
// many questions, it presses Ctrl-C, which ends the walk with a draft. Everything the
// wizard gives it to draw is held to the rule, but an Input's Default:
// survey.go quotes a default that is not clean (shownDefault).
type hostilePrompter struct {
	t      *testing.T
	answer string
	asked  int
}

func (p *hostilePrompter) shown(texts ...string) error {
	p.t.Helper()
	for _, s := range texts {
		shownRaw(p.t, "a question", s)
	}
	if p.asked++; p.asked > 150 {
		return wizard.ErrInterrupted
	}
	return nil
}

func (p *hostilePrompter) options(opts []wizard.Option) {
	for _, o := range opts {
		shownRaw(p.t, "an option", o.Label+"\n"+o.Description)
	}
}

func (p *hostilePrompter) Input(q wizard.Input) (string, error) {
	if err := p.shown(q.Message, q.Help); err != nil {
		return "", err
	}
	// After the hostile answer and Enter: clear ("-"), a number, a name.
	for _, a := range []string{p.answer, q.Default, "-", "1", "x"} {
		if q.Validate == nil {
			return a, nil
		}
		err := q.Validate(a)
		if err == nil {
			return a, nil
		}
		shownRaw(p.t, "a rejection", err.Error())
	}
	return "", wizard.ErrInterrupted
}

func (p *hostilePrompter) Select(q wizard.Select) (int, error) {
	if err := p.shown(q.Message, q.Help); err != nil {
		return 0, err
	}
	p.options(q.Options)
	for i, o := range q.Options {
		// The review's way out: Cancel keeps a draft; Change a step and
		// Edit would only go round.
		if o.Label == "Cancel" {
			return i, nil
		}
	}
	return q.Default, nil
}

func (p *hostilePrompter) MultiSelect(q wizard.MultiSelect) ([]int, error) {
	if err := p.shown(q.Message, q.Help); err != nil {
		return nil, err
	}
	p.options(q.Options)
	return q.Defaults, nil
}

func (p *hostilePrompter) Confirm(q wizard.Confirm) (bool, error) {
	if err := p.shown(q.Message, q.Help); err != nil {
		return false, err
	}
	return q.Default, nil
}
