package cmd

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// repoRoot makes the test run from the repository root, where the golden
// command lines' relative paths (-f testdata/...) point.
func repoRoot(t *testing.T) {
	t.Helper()
	t.Chdir(filepath.Join("..", ".."))
}

// run runs the plugin in-process and returns stdout, stderr and the status.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code := Main(args, streams)
	return out.String(), errOut.String(), code
}

type goldenCase struct {
	name string
	args []string
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/*.args")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	sort.Strings(files)
	var cases []goldenCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// One argument per line, so no shell quoting stands between the
		// file and the argv it means.
		args := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		cases = append(cases, goldenCase{name: strings.TrimSuffix(filepath.Base(f), ".args"), args: args})
	}
	return cases
}

// cliArgs adds the client dry run and, unless the case picks its own, -o yaml.
func (c goldenCase) cliArgs() []string {
	args := append([]string{}, c.args...)
	dash := len(args)
	for i, a := range args {
		if a == "--" {
			dash = i
			break
		}
	}
	extra := []string{"--dry-run=client"}
	if !contains(args[:dash], "-o") {
		extra = append(extra, "-o", "yaml")
	}
	return append(append(append([]string{}, args[:dash]...), extra...), args[dash:]...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestGolden(t *testing.T) {
	repoRoot(t)
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", c.cliArgs()...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "golden", c.name+".out")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./pkg/cmd -run TestGolden -update)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, out, want)
			}
			for _, bad := range []string{"\nstatus:", "creationTimestamp", "resources: {}"} {
				if strings.Contains(out, bad) {
					t.Errorf("output carries %q", bad)
				}
			}
		})
	}
}

func decodeJob(t *testing.T, data []byte) *batchv1.Job {
	t.Helper()
	job := &batchv1.Job{}
	if err := yaml.UnmarshalStrict(data, job); err != nil {
		t.Fatalf("decoding: %v\n%s", err, data)
	}
	return job
}

// TestGoldenImportRoundTrip: -f of each golden output gives it back exactly.
func TestGoldenImportRoundTrip(t *testing.T) {
	repoRoot(t)
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "golden", c.name+".out")
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			format := "yaml"
			if bytes.HasPrefix(want, []byte("{")) {
				format = "json"
			}
			args := []string{"-f", "-", "--dry-run=client", "-o", format}
			if bytes.Contains(want, []byte("kind: CronJob\n")) || bytes.Contains(want, []byte(`"kind": "CronJob"`)) {
				args = append(args, "--kind", "cronjob")
			}
			out, errOut, code := run(t, string(want), args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if out != string(want) {
				t.Errorf("-f of %s does not give it back:\n--- got\n%s\n--- want\n%s", golden, out, want)
			}
		})
	}
}

// TestGoldenArgsRoundTrip: Spec → Args → parse → Spec builds the same Job
// for every golden command line; flag-only cases need no file.
func TestGoldenArgsRoundTrip(t *testing.T) {
	repoRoot(t)
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := completeSpec(t, c.cliArgs())
			args, complete := jobspec.Args(s)
			usesFile := contains(c.args, "-f") || strings.Contains(strings.Join(c.args, " "), "--example")
			if !complete && !usesFile {
				t.Fatalf("Args of a flags-only command line says it needs a file: %q", args)
			}
			if !complete {
				return
			}
			again, err := jobspec.ParseArgs(args)
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", args, err)
			}
			if !apiequality.Semantic.DeepEqual(again.BuildObject(), s.BuildObject()) {
				t.Errorf("Args %q rebuild a different Job or CronJob", args)
			}
		})
	}
}

// completeSpec runs the command's Complete and Validate on args and returns
// the Spec they resolved.
func completeSpec(t *testing.T, args []string) *jobspec.Spec {
	t.Helper()
	var spec *jobspec.Spec
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	root := newRootCommand(streams, func(o *CreateOptions) error { spec = o.spec; return nil })
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return spec
}
