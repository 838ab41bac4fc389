package cmd

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recordingServer stands in for an API server and counts what reaches it:
// bad input must reach nothing.
func recordingServer(t *testing.T) (kubeconfig string, hits *atomic.Int64) {
	t.Helper()
	hits = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "unexpected", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + srv.URL +
		"\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n"
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, hits
}

func TestBadInputExitsTwoAndSendsNothing(t *testing.T) {
	repoRoot(t)
	kubeconfig, hits := recordingServer(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := os.Mkdir(filepath.Join(dir, "used"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if f, err := os.Create(big); err == nil {
		_ = f.Truncate(50 << 20)
		f.Close()
	}
	bomb := "apiVersion: batch/v1\nkind: Job\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	cases := []struct {
		name  string
		args  []string
		words []string
	}{
		{"unknown flag", []string{"pi", "--image=x", "--colour"}, []string{"--colour"}},
		{"report format", []string{"pi", "--image=x", "--report=xml=r.xml"}, []string{"--report", "xml=r.xml", "junit or json"}},
		{"report folder missing", []string{"pi", "--image=x", "--report=junit=" + filepath.Join(dir, "no", "r.xml")}, []string{"--report", "folder"}},
		{"report on a dry run", []string{"pi", "--image=x", "--dry-run=client", "--report=junit=" + filepath.Join(dir, "r.xml")}, []string{"--report", "--dry-run=client"}},
		{"save into a folder in use", []string{"pi", "--image=x", "--save=" + filepath.Dir(write("used/x", ""))}, []string{"--save", "not empty"}},
		{"follow: save into a folder in use", []string{"follow", "pi", "--save=" + filepath.Join(dir, "used")}, []string{"--save", "not empty"}},
		{"bad count", []string{"pi", "--image=x", "--completions=-3"}, []string{"--completions", "-3"}},
		{"bad duration", []string{"pi", "--image=x", "--active-deadline=soon"}, []string{"--active-deadline", "soon"}},
		{"overflowing duration", []string{"pi", "--image=x", "--active-deadline=999999999999h"}, []string{"--active-deadline"}},
		{"bad port", []string{"pi", "--image=x", "--port=http"}, []string{"--port", "http"}},
		{"bad restart policy", []string{"pi", "--image=x", "--restart-policy=Always"}, []string{"--restart-policy", "Always"}},
		{"bad dry run", []string{"pi", "--image=x", "--dry-run=maybe"}, []string{"--dry-run", "maybe"}},
		{"bad output", []string{"pi", "--image=x", "-o", "xml"}, []string{"-o", "xml"}},
		{"two names", []string{"pi", "pie", "--image=x"}, []string{"NAME"}},
		{"no image, no terminal", []string{"pi"}, []string{"--image"}},
		{"no name, no terminal", []string{"--image=x"}, []string{"NAME", "--generate-name"}},
		{"interactive=false", []string{"--interactive=false"}, []string{"NAME", "--image", "--interactive=false"}},
		{"bad name", []string{"Pi!", "--image=x"}, []string{"NAME", "Pi!"}},
		{"escape in name", []string{"pi\x1b[31m", "--image=x"}, []string{"NAME", `\x1b`}},
		{"undeclared mount", []string{"pi", "--image=x", "--mount=/d=data"}, []string{"--mount", "data"}},
		{"command and dash", []string{"pi", "--image=x", "--command=sh", "--", "perl"}, []string{"--command"}},
		{"wait with client dry run", []string{"pi", "--image=x", "--dry-run=client", "--wait"}, []string{"--wait"}},
		{"two sources", []string{"pi", "--image=x", "--example=pi", "-f", "x.yaml"}, []string{"-f", "--example"}},
		{"unknown example", []string{"--example=tau"}, []string{"--example", "tau"}},
		{"bad from", []string{"--from=deployment/web"}, []string{"--from", "deployment/web"}},
		{"missing file", []string{"-f", "/nonexistent/job.yaml"}, []string{"-f", "/nonexistent/job.yaml"}},
		{"directory", []string{"-f", dir}, []string{"-f", "directory"}},
		{"not yaml", []string{"-f", write("bad.yaml", "{{{ not yaml")}, []string{"-f"}},
		{"a pod", []string{"-f", write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n")}, []string{"-f", "Pod", "batch/v1"}},
		{"wrong kind", []string{"-f", write("dep.yaml", "apiVersion: batch/v1\nkind: Deployment\n")}, []string{"-f", "Deployment"}},
		{"unknown field", []string{"-f", write("unk.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  complet: 3\n")}, []string{"-f", "unknown field", "complet"}},
		{"wrong type", []string{"-f", write("type.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  completions: three\n")}, []string{"-f", "completions"}},
		{"duplicate key", []string{"-f", write("dup.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  name: k\n")}, []string{"-f", "name"}},
		{"two documents", []string{"-f", write("two.yaml", "apiVersion: batch/v1\nkind: Job\n---\napiVersion: batch/v1\nkind: Job\n")}, []string{"-f", "2 documents"}},
		{"empty file", []string{"-f", write("empty.yaml", "# nothing\n")}, []string{"-f", "empty"}},
		{"cronjob without template", []string{"-f", write("cj.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '* * * * *'\n")}, []string{"-f", "job template"}},
		{"50 MB file", []string{"-f", big}, []string{"-f", "bytes"}},
		{"yaml bomb", []string{"-f", write("bomb.yaml", bomb)}, []string{"-f"}},
		{"non-utf8", []string{"-f", write("latin1.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: caf\xe9\n")}, []string{"-f", "UTF-8"}},
		{"bad manifest value", []string{"-f", write("port.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: x\n        ports:\n        - containerPort: 70000\n")}, []string{"containerPort", "70000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := run(t, "", append(tc.args, "--kubeconfig", kubeconfig)...)
			if code != ExitBadInput {
				t.Errorf("exit %d, want 2 (stderr %q)", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout is not empty: %q", out)
			}
			if !strings.HasPrefix(errOut, "error: ") {
				t.Errorf("stderr %q does not start with error:", errOut)
			}
			for _, w := range tc.words {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not name %q", errOut, w)
				}
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr shows a panic: %q", errOut)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("bad input sent %d requests to the server", n)
	}
}

// A client dry run needs no kubeconfig, no HOME and no cluster.
func TestClientDryRunNeedsNoCluster(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "does-not-exist"))
	out, errOut, code := run(t, "", "pi", "--image=perl:5.28.0", "--dry-run=client", "-o", "yaml", "--", "perl", "-e", "1")
	if code != 0 || !strings.Contains(out, "name: pi") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, _, code = run(t, "", "pi", "--image=perl:5.28.0", "--dry-run=client")
	if code != 0 || out != "job.batch/pi created (dry run)\n" {
		t.Errorf("without -o: exit %d, %q", code, out)
	}
}

func TestOutputFormats(t *testing.T) {
	for format, want := range map[string]string{
		"name": "job.batch/pi\n",
		"jsonpath={.spec.template.spec.containers[0].image}": "perl:5.28.0",
		"go-template={{.metadata.name}}":                     "pi",
		"json":                                               `"kind": "Job"`,
	} {
		out, errOut, code := run(t, "", "pi", "--image=perl:5.28.0", "--dry-run=client", "-o", format)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("-o %s: exit %d, %q, %s", format, code, out, errOut)
		}
	}
}

func TestSecretLookingEnvWarns(t *testing.T) {
	out, errOut, code := run(t, "", "pi", "--image=x", "-e", "DB_PASSWORD=hunter2", "-e", "GITHUB_TOKEN=ghp_x", "-e", "LOG=1", "--dry-run=client", "-o", "name")
	if code != 0 || out != "job.batch/pi\n" {
		t.Fatalf("exit %d, %q, %s", code, out, errOut)
	}
	for _, name := range []string{"DB_PASSWORD", "GITHUB_TOKEN"} {
		if !strings.Contains(errOut, "--env-value-from "+name+"=secret:") {
			t.Errorf("no warning for %s: %q", name, errOut)
		}
	}
	if strings.Contains(errOut, "LOG") || strings.Contains(errOut, "hunter2") || strings.Contains(errOut, "ghp_x") {
		t.Errorf("the warning repeats a value or warns for LOG: %q", errOut)
	}
}
