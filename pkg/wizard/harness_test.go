package wizard

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kballard/go-shellquote"
	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
)

// run is one walk through the fake prompter.
type run struct {
	t      *testing.T
	fake   *fakePrompter
	out    *bytes.Buffer
	w      *Wizard
	drafts string
	res    *Result
	err    error
}

type opt func(*Config)

func withLookup(l lookup.Lookup) opt { return func(c *Config) { c.Lookup = l; c.NoCluster = "" } }
func withEdit(f func(*batchv1.Job) (*batchv1.Job, error)) opt {
	return func(c *Config) { c.Edit = f }
}
func withLang(l i18n.Lang) opt { return func(c *Config) { c.Printer = i18n.New(l) } }

// walk runs the whole wizard from spec with the answers; no cluster unless
// an option gives a lookup.
func walk(t *testing.T, spec *jobspec.Spec, answers map[string][]any, opts ...opt) *run {
	t.Helper()
	r := &run{t: t, fake: newFake(t, answers), out: &bytes.Buffer{}, drafts: t.TempDir()}
	cfg := Config{
		Prompter:  r.fake,
		Out:       r.out,
		NoCluster: "no kubeconfig",
		SaveDraft: func(job draft.Object, reason string) (string, error) {
			return draft.SaveIn(r.drafts, job, reason)
		},
		CreateArgs: []string{"--wait"},
		PrintArgs:  []string{"--dry-run=client", "-o", "yaml"},
	}
	for _, o := range opts {
		o(&cfg)
	}
	r.w = New(cfg)
	if spec == nil {
		spec = &jobspec.Spec{}
	}
	r.res, r.err = r.w.Run(context.Background(), spec)
	if left := r.fake.unused(); len(left) > 0 && r.err == nil {
		t.Errorf("answers never asked for: %s\nquestions asked: %q", strings.Join(left, ", "), r.fake.asked)
	}
	if r.res != nil && r.err == nil {
		r.w.PrintCommand(r.res)
		assertEquivalent(t, r.res)
	}
	return r
}

// assertEquivalent holds every walk to its promise: the command it printed,
// run without prompts, builds exactly the Job the walk ended with.
func assertEquivalent(t *testing.T, res *Result) {
	t.Helper()
	if res.Command == "" {
		t.Fatalf("no equivalent command after action %v", res.Action)
	}
	rebuilt, err := testutil.ObjectOfCommand(res.Command)
	if err != nil {
		t.Fatal(err)
	}
	var want runtime.Object = res.Job
	if res.CronJob != nil {
		want = res.CronJob
	}
	if !apiequality.Semantic.DeepEqual(rebuilt, want) {
		a, _ := manifest.YAML(rebuilt)
		b, _ := manifest.YAML(want)
		t.Fatalf("the command %q builds another Job:\n--- command\n%s\n--- walk\n%s", res.Command, a, b)
	}
}

// fromYAML imports a manifest as -f does.
func fromYAML(t *testing.T, y string) *jobspec.Spec {
	t.Helper()
	s, err := jobspec.Import("-f test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fromArgs fills a Spec as the flags do.
func fromArgs(t *testing.T, line string) *jobspec.Spec {
	t.Helper()
	words, err := shellquote.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jobspec.ParseArgs(words)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func draftFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	return m
}
