// Command cluster prints the cluster figures of issue 4 against a local
// control plane it starts (internal/testcluster): a flags-only create
// beside `kubectl create job`, and the wizard's ConfigMap choice in a
// namespace of 5,000 ConfigMaps of 10 KiB beside a full list.
//
//	go run ./hack/bench/cluster [-runs 20] [-configmaps 5000]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/hack/bench/clusterbench"
	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

func main() {
	runs := flag.Int("runs", 20, "runs of each create command")
	listRuns := flag.Int("list-runs", 5, "runs of each way of listing ConfigMaps")
	configMaps := flag.Int("configmaps", 5000, "ConfigMaps in the choice's namespace")
	valueKiB := flag.Int("value-kib", 10, "size of each ConfigMap's value, KiB")
	plugin := flag.String("plugin", "bin/kubectl-job_wizard", "the plugin binary")
	kubectl := flag.String("kubectl", "kubectl", "the kubectl binary")
	flag.Parse()
	if err := run(*plugin, *kubectl, *runs, *listRuns, *configMaps, *valueKiB<<10); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(plugin, kubectl string, runs, listRuns, configMaps, valueBytes int) error {
	kubectlPath, err := exec.LookPath(kubectl)
	if err != nil {
		return fmt.Errorf("kubectl is not on PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	// No test kubelet: the created Jobs' pods would only add noise.
	c, err := testcluster.Start(ctx, testcluster.Options{DisableKubelet: true})
	if err != nil {
		return err
	}
	defer c.Stop()
	for _, ns := range []string{"bench-create", "bench-configmaps"} {
		if _, err := c.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	create, err := clusterbench.Create(ctx, c, plugin, kubectlPath, "bench-create", runs)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := clusterbench.FillConfigMaps(ctx, c, "bench-configmaps", configMaps, valueBytes); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: %d ConfigMaps created in %v\n", configMaps, time.Since(start).Round(time.Second))
	choice, err := clusterbench.ConfigMapChoice(ctx, c, "bench-configmaps", listRuns)
	if err != nil {
		return err
	}
	choice.ConfigMaps, choice.ValueBytes = configMaps, valueBytes
	clusterbench.Print(os.Stdout, create, choice)
	return nil
}
