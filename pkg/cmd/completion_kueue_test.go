package cmd

import (
	"context"
	"slices"
	"testing"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// kueueCluster is fakeCluster that may serve Kueue.
type kueueCluster struct {
	fakeCluster
	served bool
}

func (k kueueCluster) KueueServed(context.Context) (bool, error) {
	k.note("discovery")
	return k.served, nil
}

func (k kueueCluster) LocalQueues(_ context.Context, ns string) ([]lookup.LocalQueue, string, error) {
	k.note("localqueues " + ns)
	return []lookup.LocalQueue{{Name: "default", ClusterQueue: "cq-a", Pending: 2, Admitted: 5, Active: true},
		{Name: "gpu-" + ns, ClusterQueue: "cq-gpu"}}, "default", nil
}

func (k kueueCluster) WorkloadPriorityClasses(context.Context) ([]lookup.WorkloadPriorityClass, error) {
	k.note("workloadpriorityclasses")
	return []lookup.WorkloadPriorityClass{{Name: "high", Value: 1000, Description: "on call\tpages"}, {Name: "low", Value: 100}}, nil
}

func TestCompletionKueue(t *testing.T) {
	for name, tc := range map[string]struct {
		served bool
		args   []string
		want   []string
		asked  []string
	}{
		"queues of -n": {true, []string{"-n", "team-a", "--queue", ""},
			[]string{"default\tClusterQueue cq-a, 2 pending, 5 admitted, the namespace's default", "gpu-team-a\tClusterQueue cq-gpu, 0 pending, 0 admitted, inactive", ":4"},
			[]string{"discovery", "localqueues team-a"}},
		"queues by prefix": {true, []string{"--queue", "g"}, []string{"gpu-default\tClusterQueue cq-gpu, 0 pending, 0 admitted, inactive", ":4"}, nil},
		"classes, highest first": {true, []string{"--workload-priority-class", ""},
			[]string{"high\tvalue 1000, on call pages", "low\tvalue 100", ":4"}, []string{"discovery", "workloadpriorityclasses"}},
		"no Kueue: one discovery, nothing else": {false, []string{"--queue", ""}, []string{":4"}, []string{"discovery"}},
		"no Kueue, classes":                     {false, []string{"--workload-priority-class", ""}, []string{":4"}, []string{"discovery"}},
	} {
		t.Run(name, func(t *testing.T) {
			var asked []string
			fake := func(conn *cluster.ConnectionFlags) (clusterNames, string, error) {
				ns := conn.Overrides.Context.Namespace
				if ns == "" {
					ns = "default"
				}
				return kueueCluster{fakeCluster: fakeCluster{asked: &asked}, served: tc.served}, ns, nil
			}
			got := completeInProcess(t, fake, tc.args...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("__complete %q:\n got %q\nwant %q", tc.args, got, tc.want)
			}
			if tc.asked != nil && !slices.Equal(asked, tc.asked) {
				t.Errorf("asked %q, want %q", asked, tc.asked)
			}
		})
	}
	// A cluster whose lookups know nothing of Kueue completes nothing.
	var asked []string
	plain := func(*cluster.ConnectionFlags) (clusterNames, string, error) {
		return fakeCluster{asked: &asked}, "default", nil
	}
	if got := completeInProcess(t, plain, "--queue", ""); !slices.Equal(got, []string{":4"}) {
		t.Errorf("got %q", got)
	}
}
