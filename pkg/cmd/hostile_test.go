package cmd

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

// hostileCase is one line of testdata/bad/cmdlines.jsonl.
type hostileCase struct {
	Name  string   `json:"name"`
	Args  []string `json:"args"`
	Names string   `json:"names"`
}

// expandHostile fills in the values a text file cannot hold comfortably.
func expandHostile(s string) string {
	s = strings.ReplaceAll(s, "${1MB}", strings.Repeat("a", 1<<20))
	s = strings.ReplaceAll(s, "${300KB}", strings.Repeat("b", 300<<10))
	return strings.ReplaceAll(s, "${BADUTF8}", "\xff\xfe")
}

func hostileCommandLines(t *testing.T) []hostileCase {
	t.Helper()
	f, err := os.Open("testdata/bad/cmdlines.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []hostileCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c hostileCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		for i := range c.Args {
			c.Args[i] = expandHostile(c.Args[i])
		}
		cases = append(cases, c)
	}
	return cases
}

// checkRefusal holds a refused run to the bad-input standard: exit 2,
// nothing on stdout, one line per problem, the flag or field named, no
// panic, and no raw control character reaching the terminal.
func checkRefusal(t *testing.T, names, out, errOut string, code int) {
	t.Helper()
	if code != ExitBadInput {
		t.Errorf("exit %d, want 2; stderr %q", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout is not empty: %.200q", out)
	}
	if !strings.HasPrefix(errOut, "error: ") {
		t.Errorf("stderr does not start with 'error: ': %.300q", errOut)
	}
	if names != "" && !strings.Contains(errOut, names) {
		t.Errorf("stderr does not name %s: %.300q", names, errOut)
	}
	for _, bad := range []string{"panic", "goroutine ", ".go:"} {
		if strings.Contains(errOut, bad) {
			t.Errorf("stderr shows %q: %.300q", bad, errOut)
		}
	}
	for _, r := range errOut {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			t.Errorf("stderr carries control character %q raw", r)
			break
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")[1:] {
		if !strings.HasPrefix(line, "  ") {
			t.Errorf("a problem spills over lines: %.200q", line)
		}
	}
	if len(errOut) > 4096 {
		t.Errorf("stderr is %d bytes long", len(errOut))
	}
}

func TestHostileCommandLines(t *testing.T) {
	repoRoot(t)
	kubeconfig, hits := recordingServer(t)
	cases := hostileCommandLines(t)
	if len(cases) < 80 {
		t.Fatalf("the corpus has %d command lines, want at least 80", len(cases))
	}
	var slowest time.Duration
	refused := 0
	for _, c := range cases {
		if t.Run(c.Name, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := run(t, "", append(c.Args, "--kubeconfig", kubeconfig)...)
			slowest = max(slowest, time.Since(start))
			checkRefusal(t, c.Names, out, errOut, code)
		}) {
			refused++
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("bad command lines sent %d requests", n)
	}
	t.Logf("%d bad command lines refused; slowest took %v", len(cases), slowest)
	// For make reliability (hack/reliability.sh).
	t.Logf("FIGURE bad-cmdlines-refused %d/%d", refused, len(cases))
	t.Logf("FIGURE bad-input-requests %d", hits.Load())
}

func TestHostileManifests(t *testing.T) {
	repoRoot(t)
	kubeconfig, hits := recordingServer(t)
	// The two of megabytes are written at test time (testutil).
	files := testutil.HostileManifests(t, filepath.Join("testdata", "bad", "manifests"))
	if len(files) < 30 {
		t.Fatalf("the corpus has %d manifests, want at least 30", len(files))
	}
	refused := 0
	for _, f := range files {
		if t.Run(filepath.Base(f), func(t *testing.T) {
			out, errOut, code := run(t, "", "-f", f, "--kubeconfig", kubeconfig)
			checkRefusal(t, "", out, errOut, code)
			// A manifest's problem names the file or the field it is in.
			if !strings.Contains(errOut, "-f") && !strings.Contains(errOut, "spec.") && !strings.Contains(errOut, "metadata.") {
				t.Errorf("stderr names neither -f nor a field: %.300q", errOut)
			}
		}) {
			refused++
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("bad manifests sent %d requests", n)
	}
	// For make reliability (hack/reliability.sh).
	t.Logf("FIGURE bad-manifests-refused %d/%d", refused, len(files))
	t.Logf("FIGURE bad-input-requests %d", hits.Load())
}
