// Command bench measures kubectl job-wizard side by side with its peer,
// `kubectl create job`, in one run: the same Job, a client dry run printed as
// YAML, alternating runs so both see the same machine noise. It prints the
// ratio of median wall times and each one's peak memory. These machines are
// noisy, so the figures are printed, never asserted in a test.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

// The targets of issue 11: a tenth of kubectl's time, 20 MiB.
const (
	targetRatio  = 0.1
	targetRSSMiB = 20.0
)

type sample struct {
	wall   time.Duration
	rssKiB int64
}

func runOnce(env []string, argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%v: %v\n%s", argv, err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss // KiB on Linux
	}
	return sample{wall: wall, rssKiB: rss}, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func main() {
	runs := flag.Int("runs", 40, "runs of each command")
	initRuns := flag.Int("init-runs", 20, "runs of the plugin under GODEBUG=inittrace=1 for the import costs")
	plugin := flag.String("plugin", "bin/kubectl-job_wizard", "the plugin binary")
	kubectl := flag.String("kubectl", "kubectl", "the kubectl binary")
	flag.Parse()

	kubectlPath, err := exec.LookPath(*kubectl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: kubectl is not on PATH:", err)
		os.Exit(1)
	}
	// Both run with an empty HOME and no kubeconfig: a client dry run needs
	// neither, and a cluster config would only add noise.
	home, _ := os.MkdirTemp("", "bench-home")
	defer os.RemoveAll(home)
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "KUBECONFIG=" + home + "/none"}
	command := []string{"--", "perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"}
	ours := append([]string{*plugin, "pi", "--image=perl:5.28.0", "--dry-run=client", "-o", "yaml"}, command...)
	peer := append([]string{kubectlPath, "create", "job", "pi", "--image=perl:5.28.0", "--dry-run=client", "-o", "yaml"}, command...)

	var ourWall, peerWall []time.Duration
	var ourRSS, peerRSS int64
	for i := 0; i < *runs; i++ {
		// Alternate which goes first so neither always meets a warm cache.
		order := [][]string{ours, peer}
		if i%2 == 1 {
			order = [][]string{peer, ours}
		}
		for _, argv := range order {
			s, err := runOnce(env, argv)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				os.Exit(1)
			}
			if argv[0] == *plugin {
				ourWall = append(ourWall, s.wall)
				ourRSS = max(ourRSS, s.rssKiB)
			} else {
				peerWall = append(peerWall, s.wall)
				peerRSS = max(peerRSS, s.rssKiB)
			}
		}
	}
	mo, mp := median(ourWall), median(peerWall)
	ratio := float64(mo) / float64(mp)
	ourMiB := float64(ourRSS) / 1024
	verdict := func(ok bool) string {
		if ok {
			return "within target"
		}
		return "OVER TARGET"
	}
	fmt.Printf("client dry run -o yaml of the quick-start Job, %d alternating runs each\n", *runs)
	fmt.Printf("  %-34s median %8.1f ms   peak RSS %6.1f MiB\n", "kubectl job-wizard", ms(mo), ourMiB)
	fmt.Printf("  %-34s median %8.1f ms   peak RSS %6.1f MiB\n", "kubectl create job (v1.32 peer)", ms(mp), float64(peerRSS)/1024)
	fmt.Printf("  wall-time ratio %.3f (target <= %.1f: %s)\n", ratio, targetRatio, verdict(ratio <= targetRatio))
	fmt.Printf("  peak RSS %.1f MiB (target <= %.0f MiB: %s)\n", ourMiB, targetRSSMiB, verdict(ourMiB <= targetRSSMiB))
	fmt.Println()
	if err := printImportCosts(env, ours, *initRuns, ""); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
