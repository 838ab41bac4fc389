package cmd

// The parsing side of flag value completion, against a fake cluster: which
// part of a compound value (NAME=pvc:CLAIM, configmap:NAME, KEY=VALUE) is
// completed, and with which directive. e2e/completion_test.go drives the
// same through kubectl and a real control plane.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// fakeCluster answers the lookups completion uses; the namespace it was
// asked about is part of each name, so tests see -n taking effect.
type fakeCluster struct {
	lookup.Lookup // unused methods panic
	asked         *[]string
}

func (f fakeCluster) note(what string) { *f.asked = append(*f.asked, what) }

func (f fakeCluster) Namespaces(context.Context) ([]string, error) {
	f.note("namespaces")
	return []string{"default", "team-a", "team-b"}, nil
}

func (f fakeCluster) ServiceAccounts(_ context.Context, ns string) ([]string, error) {
	f.note("serviceaccounts " + ns)
	return []string{"default", "builder-" + ns}, nil
}

func (f fakeCluster) ImagePullSecrets(_ context.Context, ns string) ([]string, error) {
	return []string{"harbor-" + ns}, nil
}

func (f fakeCluster) PVCs(_ context.Context, ns string) ([]lookup.PVC, error) {
	return []lookup.PVC{{Name: "data-" + ns, Phase: "Bound", Capacity: "10Gi", AccessModes: []string{"ReadWriteOnce"}}}, nil
}

func (f fakeCluster) ConfigMaps(_ context.Context, ns string) ([]lookup.KeyedObject, error) {
	return []lookup.KeyedObject{{Name: "settings", Keys: []string{"LOG_LEVEL", "app.yaml"}}}, nil
}

func (f fakeCluster) Secrets(_ context.Context, ns string) ([]lookup.KeyedObject, error) {
	return []lookup.KeyedObject{{Name: "db", Type: "Opaque", Keys: []string{"password", "username"}}}, nil
}

func (f fakeCluster) Nodes(context.Context) ([]lookup.Node, error) {
	return []lookup.Node{
		{Name: "node-1", Ready: true, Labels: map[string]string{"disktype": "ssd", "zone": "a"}},
		{Name: "node-2", Ready: false, Labels: map[string]string{"disktype": "hdd", "zone": "a"}},
	}, nil
}

func (f fakeCluster) CronJobNames(_ context.Context, ns string) ([]string, error) {
	return []string{"nightly-report", "hourly"}, nil
}

func (f fakeCluster) JobNames(_ context.Context, ns string) ([]string, error) {
	return []string{"migrate-1"}, nil
}

// completeInProcess runs `kubectl-job_wizard __complete args...` in this
// process over source and returns the output lines.
func completeInProcess(t *testing.T, source func(*cluster.ConnectionFlags) (clusterNames, string, error), args ...string) []string {
	t.Helper()
	saved := completionSource
	completionSource = source
	t.Cleanup(func() { completionSource = saved })
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	root := NewRootCommand(streams)
	root.SetArgs(append([]string{"__complete"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
}

func TestCompletion(t *testing.T) {
	var asked []string
	fake := func(conn *cluster.ConnectionFlags) (clusterNames, string, error) {
		ns := conn.Overrides.Context.Namespace
		if ns == "" {
			ns = "default"
		}
		return fakeCluster{asked: &asked}, ns, nil
	}
	for name, tc := range map[string]struct {
		args []string
		want []string // every line, descriptions and the directive included
	}{
		"namespaces by prefix": {[]string{"-n", "team"}, []string{"team-a", "team-b", ":4"}},
		"service accounts of -n": {[]string{"-n", "team-a", "--service-account", ""},
			[]string{"default", "builder-team-a", ":4"}},
		"service accounts of the context's namespace": {[]string{"--service-account", "b"}, []string{"builder-default", ":4"}},
		"pull secrets":      {[]string{"--image-pull-secret", ""}, []string{"harbor-default", ":4"}},
		"--from kinds":      {[]string{"--from", "c"}, []string{"cronjob/", ":6"}},
		"--from cronjobs":   {[]string{"--from", "cronjob/n"}, []string{"cronjob/nightly-report", ":4"}},
		"--from aliases":    {[]string{"--from", "jobs/"}, []string{"jobs/migrate-1", ":4"}},
		"--from bad kind":   {[]string{"--from", "pod/"}, []string{":4"}},
		"--env-from kinds":  {[]string{"--env-from", ""}, []string{"configmap:", "secret:", ":6"}},
		"--env-from names":  {[]string{"--env-from", "secret:"}, []string{"secret:db\t2 keys, Opaque", ":4"}},
		"--env-from prefix": {[]string{"--env-from", "secret:db:"}, []string{":4"}},
		"--env-value-from objects": {[]string{"--env-value-from", "LEVEL=configmap:"},
			[]string{"LEVEL=configmap:settings:\t2 keys", ":6"}},
		"--env-value-from keys": {[]string{"--env-value-from", "LEVEL=configmap:settings:L"},
			[]string{"LEVEL=configmap:settings:LOG_LEVEL", ":4"}},
		"--env-value-from fields": {[]string{"--env-value-from", "NODE=field:spec.n"},
			[]string{"NODE=field:spec.nodeName", ":4"}},
		"--volume needs a name first": {[]string{"--volume", "da"}, []string{":4"}},
		"--volume kinds":              {[]string{"--volume", "v=p"}, []string{"v=pvc:\tan existing PersistentVolumeClaim", ":6"}},
		"--volume claims": {[]string{"-n", "team-b", "--volume", "v=pvc:"},
			[]string{"v=pvc:data-team-b\tBound 10Gi ReadWriteOnce", ":4"}},
		"--volume items are the user's": {[]string{"--volume", "v=configmap:settings:"}, []string{":4"}},
		"nodes":                         {[]string{"--node", ""}, []string{"node-1\tReady", "node-2\tNotReady", ":4"}},
		"node label keys":               {[]string{"--node-selector", ""}, []string{"disktype=\t2 nodes", "zone=\t2 nodes", ":6"}},
		"node label values":             {[]string{"--node-selector", "disktype="}, []string{"disktype=hdd\t1 node", "disktype=ssd\t1 node", ":4"}},
		"concurrency policy":            {[]string{"--schedule", "@daily", "--concurrency-policy", "F"}, []string{"Forbid\tskip a run while the last one runs", ":4"}},
		"time zone":                     {[]string{"--schedule", "@daily", "--time-zone", "Asia/Shangh"}, []string{"Asia/Shanghai", ":4"}},
		"fixed list":                    {[]string{"--completion-mode", "I"}, []string{"Indexed\teach pod gets an index from 0 to --completions-1", ":4"}},
		"-o templates keep typing":      {[]string{"-o", "go"}, []string{"go-template=", "go-template-file=", ":6"}},
		"resources after a comma":       {[]string{"--limit", "cpu=1,m"}, []string{"cpu=1,memory=", ":6"}},
		"manifest files":                {[]string{"-f", ""}, []string{"yaml", "yml", "json", ":8"}},
		"free text":                     {[]string{"--image", ""}, []string{":4"}},
		"the command after NAME":        {[]string{"pi", "--", "per"}, []string{":0"}},
		"follow: the Jobs":              {[]string{"follow", "-n", "team-a", "m"}, []string{"migrate-1", ":4"}},
		"follow: job/NAME":              {[]string{"follow", "job/"}, []string{"job/migrate-1", ":4"}},
		"follow: one NAME only":         {[]string{"follow", "migrate-1", ""}, []string{":4"}},
		"follow: namespaces":            {[]string{"follow", "-n", "team-"}, []string{"team-a", "team-b", ":4"}},
	} {
		t.Run(name, func(t *testing.T) {
			got := completeInProcess(t, fake, tc.args...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("__complete %q:\n got %q\nwant %q", tc.args, got, tc.want)
			}
		})
	}
	if !slices.Contains(asked, "serviceaccounts team-a") {
		t.Errorf("-n did not reach the lookup: asked %q", asked)
	}
}

// TestCompletionClusterError: a cluster that cannot answer completes
// nothing, rather than failing the shell's completion.
func TestCompletionClusterError(t *testing.T) {
	broken := func(*cluster.ConnectionFlags) (clusterNames, string, error) {
		return nil, "", errors.New("no configuration has been provided")
	}
	got := completeInProcess(t, broken, "--service-account", "")
	if !slices.Equal(got, []string{":4"}) {
		t.Errorf("got %q", got)
	}
}

func TestCompletionCommand(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		streams, _, out, _ := genericiooptions.NewTestIOStreams()
		root := NewRootCommand(streams)
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(out.String(), "kubectl-job_wizard") {
			t.Errorf("completion %s does not register kubectl-job_wizard", shell)
		}
	}
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	root := NewRootCommand(streams)
	root.SetArgs([]string{"completion", "tcsh"})
	if err := root.Execute(); ExitCode(err) != ExitBadInput {
		t.Errorf("completion tcsh: %v (exit %d), want exit %d", err, ExitCode(err), ExitBadInput)
	}
}
