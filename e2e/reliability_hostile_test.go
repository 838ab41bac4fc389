package e2e

// A sample of the hostile input corpus (testdata/bad, all of which
// pkg/cmd's TestHostile* run in-process against a recording server) run
// through the built binary with a real kubeconfig: each is refused with
// exit 2, and the real API server's audit log shows that not one request
// left the plugin.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testutil"
)

const (
	hostileSampleCommandLines = 10
	hostileSampleManifests    = 5
)

// hostileSample picks n evenly spaced items.
func hostileSample[T any](items []T, n int) []T {
	if len(items) <= n {
		return items
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, items[i*len(items)/n])
	}
	return out
}

type hostileLine struct {
	Name  string   `json:"name"`
	Args  []string `json:"args"`
	Names string   `json:"names"`
}

// hostileLines reads the corpus's command lines that can be passed to a
// process: the multi-megabyte ones exceed the kernel's limit on one
// argument (they run in-process in pkg/cmd), and a NUL cannot be passed.
func hostileLines(t *testing.T) []hostileLine {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "bad", "cmdlines.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hostileLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.Contains(line, "${1MB}") || strings.Contains(line, "${300KB}") {
			continue
		}
		var c hostileLine
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		ok := true
		for i, a := range c.Args {
			c.Args[i] = strings.ReplaceAll(a, "${BADUTF8}", "\xff\xfe")
			ok = ok && !strings.Contains(a, "\x00")
		}
		if ok {
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Not parallel: while it runs no other test sends requests, so any request
// with the plugin's user agent in the audit log would be one of these runs'.
func TestReliabilityHostileSampleSendsNothing(t *testing.T) {
	ctx := followCtx(t, 3*time.Minute)
	// Nothing is to be created, so no namespace of its own.
	ns := "default"
	lines := hostileSample(hostileLines(t), hostileSampleCommandLines)
	manifests := testutil.HostileManifests(t, filepath.Join("..", "testdata", "bad", "manifests"))
	manifests = hostileSample(manifests, hostileSampleManifests)
	if len(lines) != hostileSampleCommandLines || len(manifests) != hostileSampleManifests {
		t.Fatalf("sample of %d command lines and %d manifests, want %d and %d", len(lines), len(manifests), hostileSampleCommandLines, hostileSampleManifests)
	}

	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	refused, tried := 0, 0
	check := func(what string, names string, r followResult) {
		t.Helper()
		tried++
		ok := r.code == 2 && r.stdout == "" && strings.HasPrefix(r.stderr, "error: ") && strings.Contains(r.stderr, names) &&
			!strings.Contains(r.stderr, "panic") && controlChar.FindStringIndex(strings.ReplaceAll(r.stderr, "\t", "")) == nil
		if !ok {
			t.Errorf("%s: want exit 2, nothing on stdout, one escaped reason naming %q\n%s", what, names, r)
			return
		}
		refused++
	}
	for _, c := range lines {
		// -n first, as a user would type it; the corpus's own flags follow.
		check("command line "+c.Name, c.Names, clusterRun(ctx, t, "", append([]string{"-n", ns}, c.Args...)...))
	}
	for _, m := range manifests {
		check("manifest "+filepath.Base(m), "", clusterRun(ctx, t, "", "-n", ns, "-f", m))
	}
	events, err := cluster.WaitForAuditQuiet(ctx, mark, testcluster.ByUserAgentPrefix("kubectl-job-wizard/"), 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Errorf("bad input sent %d requests:\n%v", len(events), events)
	}
	t.Logf("%d of %d bad inputs refused through the binary with a real kubeconfig; %d requests reached the API server", refused, tried, len(events))
	figure(t, "bad-inputs-on-cluster", fmt.Sprintf("%d/%d", refused, tried))
	figure(t, "bad-input-requests", fmt.Sprint(len(events)))
}
