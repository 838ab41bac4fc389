// Package testkueue runs the real Kueue manager (v0.17.0, built by
// hack/kueue/build.sh) against a control plane of internal/testcluster, and
// makes the Kueue objects tests need (ResourceFlavor, ClusterQueue,
// LocalQueue, WorkloadPriorityClass) through the dynamic client.
//
// Everything the manager needs is made by Start on a fresh machine: the
// kueue-system namespace, the CRDs (applied and waited for until
// Established: the manager exits at once when its Workload index has no
// kind), a Configuration file, webhook serving certificates in a temporary
// folder, and the metrics certificate (see ensureMetricsCert). No webhook is
// registered with the API server, which could not reach it here (no Service
// networking): a Job that arrives suspended with the queue-name label is
// managed all the same, which is what the plugin sends.
package testkueue

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// Version is the Kueue release build.sh builds.
const Version = "v0.17.0"

// Group and APIVersion of the objects the helpers make (v1beta2 is what
// v0.17.0 stores and prefers).
const (
	Group      = "kueue.x-k8s.io"
	APIVersion = "v1beta2"
)

// MetricsCertDir is where the v0.17.0 manager reads its metrics serving
// certificate when internal cert management is off. It is fixed in
// cmd/kueue/main.go (no flag, no Configuration field), and internal cert
// management is no way out: it blocks start-up until it has injected its CA
// into conversion webhooks that the CRDs of config/components/crd/bases do
// not declare.
const MetricsCertDir = "/etc/kueue/metrics/certs"

// Options configures Start. The zero value is enough.
type Options struct {
	// BinDir holds the kueue binary and crds/. Default: $KUEUE_BIN, else
	// <repo>/bin/kueue (built by hack/kueue/build.sh when missing).
	BinDir string
	// FeatureGates is passed to --feature-gates after
	// VisibilityOnDemand=false (its API server wants certificates at the
	// fixed path /visibility).
	FeatureGates string
	// Progress receives build and start-up messages. Default os.Stderr.
	Progress io.Writer
}

// Kueue is a running Kueue manager. Its methods are safe for concurrent use.
type Kueue struct {
	// Dir holds the Configuration, the webhook certificates and kueue.log.
	Dir string
	// LogPath is the manager's output.
	LogPath string

	cluster *testcluster.Cluster
	dyn     dynamic.Interface
	proc    *testcluster.Process

	mu      sync.Mutex
	stopped bool
}

// GVR is the resource of a Kueue kind in APIVersion, e.g. "workloads".
func GVR(resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: Group, Version: APIVersion, Resource: resource}
}

// Start applies Kueue's CRDs to c and starts the manager. It returns once
// the manager answers its readiness probe. On error nothing is left
// running and the error holds the manager's last output.
func Start(ctx context.Context, c *testcluster.Cluster, opts Options) (_ *Kueue, err error) {
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	start := time.Now()
	binDir, err := ensureBinaries(opts.BinDir, opts.Progress)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return nil, err
	}
	k := &Kueue{Dir: filepath.Join(c.Dir, "kueue"), cluster: c, dyn: dyn}
	k.LogPath = filepath.Join(k.Dir, "kueue.log")
	if err := os.MkdirAll(filepath.Join(k.Dir, "webhook-certs"), 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.KeepDir() // the manager's log explains the failure
			err = fmt.Errorf("testkueue (files in %s): %w", k.Dir, err)
			_ = k.Stop()
		}
	}()
	if err := k.applyCRDs(ctx, filepath.Join(binDir, "crds")); err != nil {
		return nil, err
	}
	crdsReady := time.Now()
	if _, err := c.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kueue-system"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	if err := ensureMetricsCert(c, opts.Progress); err != nil {
		return nil, err
	}
	crt, key, err := c.ServingCert("kueue-webhook")
	if err != nil {
		return nil, err
	}
	for name, data := range map[string][]byte{"tls.crt": crt, "tls.key": key} {
		if err := os.WriteFile(filepath.Join(k.Dir, "webhook-certs", name), data, 0o600); err != nil {
			return nil, err
		}
	}
	gates := "VisibilityOnDemand=false"
	if opts.FeatureGates != "" {
		gates += "," + opts.FeatureGates
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		webhookPort, err := testcluster.FreePort()
		if err != nil {
			return nil, err
		}
		healthPort, err := testcluster.FreePort()
		if err != nil {
			return nil, err
		}
		cfgPath := filepath.Join(k.Dir, "config.yaml")
		if err := os.WriteFile(cfgPath, []byte(configuration(webhookPort, healthPort, filepath.Join(k.Dir, "webhook-certs"))), 0o644); err != nil {
			return nil, err
		}
		p, err := testcluster.StartProcess("kueue", filepath.Join(binDir, "kueue"), []string{
			"--config=" + cfgPath,
			"--kubeconfig=" + c.AdminKubeconfig,
			"--feature-gates=" + gates,
		}, k.LogPath, nil)
		if err != nil {
			return nil, err
		}
		k.mu.Lock()
		k.proc = p
		k.mu.Unlock()
		lastErr = testcluster.WaitHTTP(ctx, p, 90*time.Second, http.DefaultClient, fmt.Sprintf("http://127.0.0.1:%d/readyz", healthPort))
		if lastErr == nil {
			fmt.Fprintf(opts.Progress, "testkueue: Kueue %s ready in %.1fs (CRDs established %.1fs, manager %.1fs)\n",
				Version, time.Since(start).Seconds(), crdsReady.Sub(start).Seconds(), time.Since(crdsReady).Seconds())
			return k, nil
		}
		p.Stop(time.Second)
		if !strings.Contains(p.LogTail(40), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

// StartForTest starts Kueue on c for one test and stops it in t.Cleanup
// (which runs when the test fails too).
func StartForTest(t testing.TB, c *testcluster.Cluster, opts Options) *Kueue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	k, err := Start(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.KeepDir()
		}
		if err := k.Stop(); err != nil {
			t.Error(err)
		}
	})
	return k
}

// Stop stops the manager. It is safe to call more than once. The CRDs and
// objects stay: the cluster is thrown away after the tests.
func (k *Kueue) Stop() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped {
		return nil
	}
	k.stopped = true
	if k.proc != nil {
		k.proc.Stop(2 * time.Second)
	}
	return nil
}

// Running reports whether the manager still runs (it exits on fatal
// errors, e.g. an object it cannot decode).
func (k *Kueue) Running() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.proc != nil && !k.proc.Exited()
}

// LogTail returns the last lines of the manager's output.
func (k *Kueue) LogTail(lines int) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.proc == nil {
		return ""
	}
	return k.proc.LogTail(lines)
}

// Dynamic is a dynamic client for the cluster's admin.
func (k *Kueue) Dynamic() dynamic.Interface { return k.dyn }

// configuration is the manager's Configuration: no leader election, no
// internal certificates, webhooks served on loopback from certDir (nothing
// calls them), metrics off, only the batch/job integration.
func configuration(webhookPort, healthPort int, certDir string) string {
	return fmt.Sprintf(`apiVersion: config.kueue.x-k8s.io/v1beta2
kind: Configuration
namespace: kueue-system
leaderElection:
  leaderElect: false
internalCertManagement:
  enable: false
webhook:
  host: 127.0.0.1
  port: %d
  certDir: %q
metrics:
  bindAddress: "0"
health:
  healthProbeBindAddress: 127.0.0.1:%d
integrations:
  frameworks: ["batch/job"]
`, webhookPort, certDir, healthPort)
}

// applyCRDs applies the CRDs server-side with the real kubectl and waits
// until the API server serves them.
func (k *Kueue) applyCRDs(ctx context.Context, dir string) error {
	for _, args := range [][]string{
		{"apply", "--server-side", "--force-conflicts", "-f", dir},
		{"wait", "--for=condition=Established", "--timeout=60s", "-f", dir},
	} {
		cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", k.cluster.AdminKubeconfig}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// ensureMetricsCert puts a certificate at MetricsCertDir when none is there
// (the tests run as root). Metrics are off (bindAddress "0"), so the pair
// is only loaded, never served; one left by an earlier run is kept, so
// parallel test binaries do not race to replace it.
func ensureMetricsCert(c *testcluster.Cluster, progress io.Writer) error {
	crtPath, keyPath := filepath.Join(MetricsCertDir, "tls.crt"), filepath.Join(MetricsCertDir, "tls.key")
	if _, err := os.Stat(keyPath); err == nil {
		if _, err := os.Stat(crtPath); err == nil {
			return nil
		}
	}
	crt, key, err := c.ServingCert("kueue-metrics")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(MetricsCertDir), 0o755); err != nil {
		return fmt.Errorf("the Kueue manager reads its metrics certificate from the fixed path %s: %w", MetricsCertDir, err)
	}
	// Written to a folder beside it and renamed, so that a reader sees both
	// files or none.
	tmp, err := os.MkdirTemp(filepath.Dir(MetricsCertDir), ".certs-")
	if err != nil {
		return fmt.Errorf("the Kueue manager reads its metrics certificate from the fixed path %s: %w", MetricsCertDir, err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "tls.crt"), crt, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "tls.key"), key, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, MetricsCertDir); err != nil {
		if _, statErr := os.Stat(crtPath); statErr == nil {
			return nil // another test binary was first
		}
		return err
	}
	fmt.Fprintf(progress, "testkueue: wrote a self-signed metrics certificate to %s (the manager's fixed path)\n", MetricsCertDir)
	return nil
}

// ensureBinaries returns the folder with the manager and crds/, running
// hack/kueue/build.sh first when the checkout is found (it returns at once
// when its stamp matches).
func ensureBinaries(binDir string, progress io.Writer) (string, error) {
	root, rootErr := testcluster.RepoRoot()
	if binDir == "" {
		binDir = os.Getenv("KUEUE_BIN")
	}
	if binDir == "" {
		if rootErr != nil {
			return "", rootErr
		}
		binDir = filepath.Join(root, "bin", "kueue")
	}
	binDir, err := filepath.Abs(binDir)
	if err != nil {
		return "", err
	}
	have := func() bool {
		fi, err := os.Stat(filepath.Join(binDir, "kueue"))
		if err != nil || fi.Mode()&0o111 == 0 {
			return false
		}
		crds, _ := filepath.Glob(filepath.Join(binDir, "crds", "*.yaml"))
		return len(crds) > 0
	}
	if rootErr == nil {
		script := filepath.Join(root, "hack", "kueue", "build.sh")
		if !have() {
			fmt.Fprintf(progress, "testkueue: no Kueue manager in %s; building it with %s (minutes on a cold Go cache)\n", binDir, script)
		}
		cmd := exec.Command(script)
		cmd.Env = append(os.Environ(), "KUEUE_BIN="+binDir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s: %w\n%s", script, err, out.Bytes())
		}
	}
	if !have() {
		return "", fmt.Errorf("the Kueue manager or its CRDs are missing in %s; run hack/kueue/build.sh", binDir)
	}
	return binDir, nil
}
