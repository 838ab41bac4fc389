// Command follow prints the API requests a `--wait` makes per minute of
// waiting, for a 100-completion Job followed for about one and about two
// minutes (and once with --logs, whose log streams are one request per
// container), against a control plane it starts (internal/testcluster).
//
//	go run ./hack/bench/follow [-plugin bin/kubectl-job_wizard]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/hack/bench/followbench"
	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

func main() {
	plugin := flag.String("plugin", "bin/kubectl-job_wizard", "the plugin binary")
	completions := flag.Int("completions", 100, "completions of the Job")
	flag.Parse()
	if err := run(*plugin, *completions); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(plugin string, completions int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c, err := testcluster.Start(ctx, testcluster.Options{})
	if err != nil {
		return err
	}
	defer c.Stop()
	var results []followbench.Result
	for i, s := range []followbench.Scenario{
		{Completions: completions, Parallelism: 20, RunSeconds: 8},
		{Completions: completions, Parallelism: 10, RunSeconds: 8},
		{Completions: completions, Parallelism: 20, RunSeconds: 8, Logs: true},
	} {
		r, err := followbench.Wait(ctx, c, plugin, s, fmt.Sprintf("job%d", i))
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: waited %v for %d completions, %d requests\n", r.Waited.Round(time.Second), s.Completions, r.Total())
		results = append(results, r)
	}
	followbench.Print(os.Stdout, results)
	return nil
}
