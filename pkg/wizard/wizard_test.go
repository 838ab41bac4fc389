package wizard

import (
	"strings"
	"testing"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

const piCommand = `perl -Mbignum=bpi -wle 'print bpi(2000)'`

// quickStart is the README's quick start: only the name, the image and the
// command are typed; every other answer is Enter or a pick.
func quickStart() map[string][]any {
	return map[string][]any{
		"Name (Enter: after the image)":     {"pi"},
		"Image":                             {"perl:5.28.0"},
		"Advanced options for container pi": {[]string{"Command and arguments"}},
		"Command (as on a shell line; Enter keeps the image's entrypoint)": {piCommand},
		"What now?": {"Print YAML"},
	}
}

func TestQuickStart(t *testing.T) {
	r := walk(t, nil, quickStart())
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Action != ActionPrint {
		t.Fatalf("action = %v, want print", r.res.Action)
	}
	want := fromArgs(t, "pi --image=perl:5.28.0 -- "+piCommand).Build()
	if !apiequality.Semantic.DeepEqual(r.res.Job, want) {
		t.Errorf("job = %+v\nwant %+v", r.res.Job, want)
	}
	wantCmd := "kubectl job-wizard pi --image=perl:5.28.0 --dry-run=client -o yaml -- perl -Mbignum=bpi -wle 'print bpi(2000)'"
	if r.res.Command != wantCmd {
		t.Errorf("command = %s\nwant      %s", r.res.Command, wantCmd)
	}
	out := r.out.String()
	for _, want := range []string{"Step 1/6: Basic information", "Step 2/6: Job settings", "Step 6/6: Node selector",
		"Without a cluster (no kubeconfig), the wizard will only print or save the Job.", "Review", wantCmd} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// No Create without a cluster.
	for _, l := range r.fake.seen["What now?"] {
		if l == "Create" {
			t.Errorf("Create offered with no cluster: %q", r.fake.seen["What now?"])
		}
	}
}
