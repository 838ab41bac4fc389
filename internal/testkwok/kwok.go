// Package testkwok runs kwok (sigs.k8s.io/kwok, built by hack/kwok/build.sh)
// with one fake node against a control plane of internal/testcluster, for
// tests and benches of Jobs with hundreds or thousands of pods. kwok plays
// the kubelet of that node with its "fast" stages: a pod bound to the node
// is Running and then Succeeded at once. There is no scheduler: a pod runs
// only when it is created with nodeName set to Kwok.NodeName (e.g. the
// plugin's --node-name). Pods on other nodes are left to the test kubelet.
package testkwok

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// DefaultNodeName is the fake node Start registers.
const DefaultNodeName = "kwok-node-0"

// nodeAnnotation selects the nodes kwok manages, so it never touches the
// test kubelet's node.
const nodeAnnotation = "kwok.x-k8s.io/node"

// Options configures Start. The zero value is one node for 10,000 pods.
type Options struct {
	// BinDir holds kwok and stages.yaml. Default: $KWOK_BIN, else
	// <repo>/bin/kwok (built there by hack/kwok/build.sh when missing).
	BinDir string
	// NodeName defaults to DefaultNodeName.
	NodeName string
	// MaxPods is the node's pod capacity (default 20,000). The Job
	// controller does not look at it and nothing schedules, but a node
	// that says it is full would be a lie a reader could trip over.
	MaxPods int
	// Progress receives build messages. Default os.Stderr.
	Progress io.Writer
}

// Kwok is a running kwok managing one fake node.
type Kwok struct {
	// NodeName is the node to give pods (nodeName) so that kwok runs them.
	NodeName string
	proc     *process
}

type process = testcluster.Process

// Start builds kwok when missing, registers the fake node and starts kwok
// with the cluster's admin kubeconfig. It returns once the node is Ready,
// i.e. kwok is managing it. kwok's output goes to kwok.log in c.Dir.
func Start(ctx context.Context, c *testcluster.Cluster, opts Options) (_ *Kwok, err error) {
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	if opts.NodeName == "" {
		opts.NodeName = DefaultNodeName
	}
	if opts.MaxPods == 0 {
		opts.MaxPods = 20000
	}
	binDir, err := ensureBinary(opts.BinDir, opts.Progress)
	if err != nil {
		return nil, err
	}
	if err := createNode(ctx, c, opts); err != nil {
		return nil, err
	}
	p, err := testcluster.StartProcess("kwok", filepath.Join(binDir, "kwok"), []string{
		"--kubeconfig=" + c.AdminKubeconfig,
		"--config=" + filepath.Join(binDir, "stages.yaml"),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + nodeAnnotation + "=fake",
		// Nothing here reads kwok's own server (metrics, logs); without an
		// address it listens on none, so parallel runs cannot collide.
		"--server-address=",
	}, filepath.Join(c.Dir, "kwok.log"), nil)
	if err != nil {
		return nil, err
	}
	k := &Kwok{NodeName: opts.NodeName, proc: p}
	defer func() {
		if err != nil {
			k.Stop()
		}
	}()
	if err := k.waitNodeReady(ctx, c); err != nil {
		return nil, err
	}
	return k, nil
}

// StartForTest is Start for one test, stopped in t.Cleanup.
func StartForTest(t testing.TB, c *testcluster.Cluster, opts Options) *Kwok {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	k, err := Start(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	return k
}

// Stop stops kwok. The node and its pods stay as they are.
func (k *Kwok) Stop() { k.proc.Stop(time.Second) }

func createNode(ctx context.Context, c *testcluster.Cluster, opts Options) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("1000"),
		corev1.ResourceMemory: resource.MustParse("4Ti"),
		corev1.ResourcePods:   *resource.NewQuantity(int64(opts.MaxPods), resource.DecimalSI),
	}
	_, err := c.Clientset().CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        opts.NodeName,
			Annotations: map[string]string{nodeAnnotation: "fake"},
			Labels: map[string]string{
				"kubernetes.io/hostname": opts.NodeName,
				"kubernetes.io/os":       "linux",
				"type":                   "kwok",
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create node %s: %w", opts.NodeName, err)
	}
	return nil
}

func (k *Kwok) waitNodeReady(ctx context.Context, c *testcluster.Cluster) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		n, err := c.Clientset().CoreV1().Nodes().Get(ctx, k.NodeName, metav1.GetOptions{})
		if err == nil {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kwok did not make node %s Ready: %v\n%s", k.NodeName, ctx.Err(), k.proc.LogTail(30))
		case <-k.proc.Done():
			return k.proc.ExitError()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ensureBinary runs hack/kwok/build.sh (it returns at once when its stamp
// matches) and returns the folder with kwok and stages.yaml.
func ensureBinary(binDir string, progress io.Writer) (string, error) {
	if binDir == "" {
		binDir = os.Getenv("KWOK_BIN")
	}
	root, rootErr := testcluster.RepoRoot()
	if binDir == "" {
		if rootErr != nil {
			return "", rootErr
		}
		binDir = filepath.Join(root, "bin", "kwok")
	}
	binDir, err := filepath.Abs(binDir)
	if err != nil {
		return "", err
	}
	if rootErr == nil {
		script := filepath.Join(root, "hack", "kwok", "build.sh")
		if !haveBinary(binDir) {
			// The script's own output comes only when it ends.
			fmt.Fprintf(progress, "testkwok: kwok missing in %s; building it with %s (about 2.5 minutes on a cold Go cache)\n", binDir, script)
		}
		cmd := exec.Command(script)
		cmd.Env = append(os.Environ(), "KWOK_BIN="+binDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s: %w\n%s", script, err, out)
		}
		// Quiet unless it built something.
		if !bytes.HasSuffix(out, []byte("is up to date\n")) {
			_, _ = progress.Write(out)
		}
	}
	if !haveBinary(binDir) {
		return "", fmt.Errorf("kwok and stages.yaml not found in %s; run hack/kwok/build.sh", binDir)
	}
	return binDir, nil
}

func haveBinary(dir string) bool {
	for _, f := range []string{"kwok", "stages.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}
