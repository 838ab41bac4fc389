package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// askKueue runs a Kueue lookup where the cluster serves Kueue: one
// discovery request, and nothing more on a cluster without it (nothing is
// completed then, as --queue would be refused there).
func askKueue(cmd *cobra.Command, q func(ctx context.Context, k lookup.Kueue, ns string) ([]string, error)) []string {
	return askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
		k, ok := l.(lookup.Kueue)
		if !ok {
			return nil, nil
		}
		served, err := k.KueueServed(ctx)
		if err != nil || !served {
			return nil, err
		}
		return q(ctx, k, ns)
	})
}

// completeQueues completes --queue with the namespace's LocalQueues, each
// with its ClusterQueue and its pending and admitted Workloads.
func completeQueues(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askKueue(cmd, func(ctx context.Context, k lookup.Kueue, ns string) ([]string, error) {
		queues, def, err := k.LocalQueues(ctx, ns)
		out := make([]string, 0, len(queues))
		for _, q := range queues {
			desc := fmt.Sprintf("ClusterQueue %s, %d pending, %d admitted", q.ClusterQueue, q.Pending, q.Admitted)
			if !q.Active {
				desc += ", inactive"
			}
			if q.Name == def {
				desc += ", the namespace's default"
			}
			out = append(out, q.Name+"\t"+desc)
		}
		return out, err
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}

// completeWorkloadPriorityClasses completes --workload-priority-class with
// the WorkloadPriorityClasses and their values, highest first.
func completeWorkloadPriorityClasses(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askKueue(cmd, func(ctx context.Context, k lookup.Kueue, _ string) ([]string, error) {
		classes, err := k.WorkloadPriorityClasses(ctx)
		out := make([]string, 0, len(classes))
		for _, c := range classes {
			desc := fmt.Sprintf("value %d", c.Value)
			if c.Description != "" {
				desc += ", " + termtext.Plain(firstLine(c.Description))
			}
			out = append(out, c.Name+"\t"+desc)
		}
		return out, err
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}
