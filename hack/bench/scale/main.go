// Command scale follows Jobs of many completions, run by kwok's fake node on
// a local control plane, with `kubectl job-wizard follow` and `kubectl wait
// --for=condition=complete` side by side in one run (hack/bench/scalebench),
// and prints each one's CPU, peak RSS, requests, lines and delay after the
// Job's completionTime, the ratios, the per-pod costs and whether each
// target of the follow holds. Each size gets a control plane of its own, so
// a Job never shares the API server with the pods of the one before.
//
//	go run ./hack/bench/scale [-sizes 1000,10000] [-plugin bin/kubectl-job_wizard]
//
// The sizes default to $SCALE_SIZES, else 1000,10000. A 1,000-completion Job
// takes about 100 s on 2 cores, 10,000 about 20 minutes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/jobwizard/kubectl-job-wizard/hack/bench/scalebench"
	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/internal/testkwok"
)

// Targets of the follow at scale.
const (
	targetCPUPerPod   = 2 * time.Millisecond
	targetLinear      = 1.5 // CPU per pod, largest size over smallest: linear within the noise
	targetRSSMiB      = 60.0
	targetRSSAt       = 10000
	targetLines       = 100
	targetLinesAt     = 3000 // "a 3,000-completion Job that runs for minutes"
	targetExitDelay   = 2 * time.Second
	parallelismFactor = 10
)

func main() {
	sizesDefault := os.Getenv("SCALE_SIZES")
	if sizesDefault == "" {
		sizesDefault = "1000,10000"
	}
	sizes := flag.String("sizes", sizesDefault, "completions of each Job, comma-separated (default $SCALE_SIZES, else 1000,10000)")
	plugin := flag.String("plugin", "bin/kubectl-job_wizard", "the plugin binary")
	kubectl := flag.String("kubectl", "kubectl", "the kubectl binary")
	keepOutput := flag.String("output-dir", ".cache/bench/scale", "where each follower's output is kept")
	flag.Parse()
	var scenarios []scalebench.Scenario
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < parallelismFactor {
			fmt.Fprintf(os.Stderr, "bench: -sizes: %q is not a number of completions of at least %d (e.g. -sizes 1000,10000)\n", f, parallelismFactor)
			os.Exit(2)
		}
		scenarios = append(scenarios, scalebench.Scenario{Completions: n, Parallelism: n / parallelismFactor})
	}
	if err := run(*plugin, *kubectl, *keepOutput, scenarios); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(plugin, kubectl, outDir string, scenarios []scalebench.Scenario) error {
	kubectlPath, err := exec.LookPath(kubectl)
	if err != nil {
		return fmt.Errorf("kubectl is not on PATH: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	var results []scalebench.Result
	for _, s := range scenarios {
		r, err := runOne(plugin, kubectlPath, s)
		if err != nil {
			return err
		}
		for _, side := range []scalebench.Side{r.Plugin, r.Kubectl} {
			file := fmt.Sprintf("%s/%d-%s.txt", outDir, s.Completions, strings.ReplaceAll(side.Name, " ", "-"))
			if err := os.WriteFile(file, []byte(side.Output), 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "bench: %d completions ran %v; outputs in %s\n", s.Completions, r.Ran(), outDir)
		results = append(results, r)
	}
	print(os.Stdout, results)
	return nil
}

func runOne(plugin, kubectl string, s scalebench.Scenario) (scalebench.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	c, err := testcluster.Start(ctx, testcluster.Options{DisableKubelet: true, APIServerArgs: scalebench.ServerArgs})
	if err != nil {
		return scalebench.Result{}, err
	}
	defer c.Stop()
	k, err := testkwok.Start(ctx, c, testkwok.Options{})
	if err != nil {
		return scalebench.Result{}, err
	}
	defer k.Stop()
	fmt.Fprintf(os.Stderr, "bench: following a Job of %d completions (parallelism %d), load average %s\n", s.Completions, s.Parallelism, loadavg())
	r, err := scalebench.Run(ctx, c, k, plugin, kubectl, s, fmt.Sprintf("job%d", s.Completions))
	if err != nil {
		return r, err
	}
	for _, side := range []scalebench.Side{r.Plugin, r.Kubectl} {
		if side.ExitCode != 0 {
			return r, fmt.Errorf("%s exited %d:\n%s", strings.Join(side.Args, " "), side.ExitCode, side.Output)
		}
	}
	if int(r.Succeeded) != s.Completions {
		return r, fmt.Errorf("job %s: %d succeeded, want %d", r.Job, r.Succeeded, s.Completions)
	}
	return r, nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mib(kib int64) float64 { return float64(kib) / 1024 }

func verdict(ok bool) string {
	if ok {
		return "holds"
	}
	return "DOES NOT HOLD"
}

func print(w io.Writer, rs []scalebench.Result) {
	fmt.Fprintf(w, "Jobs followed side by side by kubectl job-wizard follow and kubectl wait --for=condition=complete\n")
	fmt.Fprintf(w, "(kwok fake node, local control plane, no terminal; load average now %s)\n", loadavg())
	fmt.Fprintf(w, "%-11s %-6s %-26s %9s %9s %10s %9s %6s %9s %11s %10s\n",
		"completions", "ran", "follower", "CPU s", "ms/pod", "peak MiB", "requests", "lines", "exit code", "after compl", "after seen")
	for _, r := range rs {
		for _, s := range []scalebench.Side{r.Plugin, r.Kubectl} {
			fmt.Fprintf(w, "%-11d %-6s %-26s %9.2f %9.3f %10.1f %9d %6d %9d %10.2fs %9.2fs\n",
				r.Completions, r.Ran().Round(time.Second), s.Name, s.CPU().Seconds(), ms(s.CPU())/float64(r.Completions),
				mib(s.MaxRSS), s.Total(), s.Lines, s.ExitCode, r.Delay(s).Seconds(), r.DelaySeen(s).Seconds())
		}
	}
	fmt.Fprintln(w, "\nratios, plugin / kubectl wait")
	for _, r := range rs {
		p, k := r.Plugin, r.Kubectl
		fmt.Fprintf(w, "  %6d completions: CPU %.1f×, peak RSS %.2f×, requests %d vs %d, lines %d vs %d\n",
			r.Completions, float64(p.CPU())/float64(max(k.CPU(), time.Millisecond)), float64(p.MaxRSS)/float64(max(k.MaxRSS, 1)),
			p.Total(), k.Total(), p.Lines, k.Lines)
	}
	fmt.Fprintln(w, "\nrequests by kind (a resumed watch goes on from its resourceVersion after the API server ended the one before)")
	for _, r := range rs {
		fmt.Fprintf(w, "  %6d plugin:  %s\n", r.Completions, r.Plugin.Kinds())
		fmt.Fprintf(w, "  %6d kubectl: %s\n", r.Completions, r.Kubectl.Kinds())
		fmt.Fprintf(w, "  %6d the API server closed the plugin's pod watch %d times as unresponsive, and %d watches of any client (kube-controller-manager's, kwok's)\n",
			r.Completions, r.ForcedCloses, r.ForcedClosesAll)
	}
	if len(rs) > 1 {
		a, b := rs[0], rs[len(rs)-1]
		pods := float64(b.Completions - a.Completions)
		fmt.Fprintf(w, "\ngrowth of the plugin from %d to %d completions: CPU %.3f ms per added pod, peak RSS %.2f KiB per added pod\n",
			a.Completions, b.Completions, ms(b.Plugin.CPU()-a.Plugin.CPU())/pods, float64(b.Plugin.MaxRSS-a.Plugin.MaxRSS)/pods)
	}
	targets(w, rs)
}

func targets(w io.Writer, rs []scalebench.Result) {
	fmt.Fprintln(w, "\ntargets of the plugin's follow")
	perPod := func(r scalebench.Result) time.Duration { return r.Plugin.CPU() / time.Duration(r.Completions) }
	for _, r := range rs {
		fmt.Fprintf(w, "  CPU <= %v per pod at %d: %.3f ms: %s\n", targetCPUPerPod, r.Completions, ms(perPod(r)), verdict(perPod(r) <= targetCPUPerPod))
	}
	if len(rs) > 1 {
		a, b := rs[0], rs[len(rs)-1]
		g := float64(perPod(b)) / float64(perPod(a))
		fmt.Fprintf(w, "  CPU linear in pods (per pod at %d / at %d <= %.1f): %.2f: %s\n", b.Completions, a.Completions, targetLinear, g, verdict(g <= targetLinear))
	} else {
		fmt.Fprintln(w, "  CPU linear in pods: not measured (one size)")
	}
	measuredRSS := false
	for _, r := range rs {
		if r.Completions >= targetRSSAt {
			measuredRSS = true
			fmt.Fprintf(w, "  peak RSS <= %.0f MiB at %d: %.1f MiB: %s\n", targetRSSMiB, r.Completions, mib(r.Plugin.MaxRSS), verdict(mib(r.Plugin.MaxRSS) <= targetRSSMiB))
		}
	}
	if !measuredRSS {
		fmt.Fprintf(w, "  peak RSS <= %.0f MiB at %d: not measured (largest size %d", targetRSSMiB, targetRSSAt, rs[len(rs)-1].Completions)
		if len(rs) > 1 {
			a, b := rs[0], rs[len(rs)-1]
			perPod := float64(b.Plugin.MaxRSS-a.Plugin.MaxRSS) / float64(b.Completions-a.Completions)
			fmt.Fprintf(w, "; extrapolated %.1f MiB", mib(b.Plugin.MaxRSS+int64(perPod*float64(targetRSSAt-b.Completions))))
		}
		fmt.Fprintln(w, ")")
	}
	for _, r := range rs {
		what := ""
		if r.Completions < targetLinesAt {
			what = fmt.Sprintf(" (the target is set for %d)", targetLinesAt)
		}
		fmt.Fprintf(w, "  <= %d lines at %d, ran %v%s: %d: %s\n", targetLines, r.Completions, r.Ran().Round(time.Second), what, r.Plugin.Lines, verdict(r.Plugin.Lines <= targetLines))
	}
	for _, r := range rs {
		d := r.Delay(r.Plugin)
		fmt.Fprintf(w, "  exit within %v of completionTime at %d: %.2fs (%.2fs after the bench's watch saw it): %s\n",
			targetExitDelay, r.Completions, d.Seconds(), r.DelaySeen(r.Plugin).Seconds(), verdict(d <= targetExitDelay))
	}
	if len(rs) > 1 {
		same := true
		for _, r := range rs[1:] {
			same = same && r.Plugin.Constant() == rs[0].Plugin.Constant()
		}
		var counts []string
		for _, r := range rs {
			counts = append(counts, fmt.Sprintf("%d at %d (+%d resumed watches)", r.Plugin.Constant(), r.Completions, r.Plugin.Resumed))
		}
		fmt.Fprintf(w, "  requests constant in pods, resumed watches aside: %s: %s\n", strings.Join(counts, ", "), verdict(same))
	} else {
		fmt.Fprintln(w, "  requests constant in pods: not measured (one size)")
	}
}
