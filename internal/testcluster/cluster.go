// Package testcluster runs a real Kubernetes control plane (etcd,
// kube-apiserver, kube-controller-manager built by hack/controlplane/build.sh)
// plus an in-process test kubelet, for end-to-end tests on machines without
// Docker. A cluster starts in a few seconds once the binaries exist.
package testcluster

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Users every cluster has. AdminUser is in system:masters; DefaultUser has
// no RBAC rights at all, for Forbidden tests.
const (
	AdminUser   = "admin"
	DefaultUser = "jane"

	controllerManagerUser = "system:kube-controller-manager"
	kubeletUser           = "system:node:" + DefaultNodeName

	serviceClusterIPRange = "10.0.0.0/24"
	// KubernetesVersion is the version of the control plane build.sh builds.
	KubernetesVersion = "v1.37.2"
)

// controllers are the kube-controller-manager controllers the plugin's
// features need. Without serviceaccount-controller no namespace gets its
// default ServiceAccount and no pod can be created.
var controllers = []string{
	"job-controller",
	"cronjob-controller",
	"garbage-collector-controller",
	"ttl-after-finished-controller",
	"serviceaccount-controller",
	"resourcequota-controller",
}

// Options configures Start. The zero value is a complete cluster.
type Options struct {
	// BinDir holds etcd, kube-apiserver and kube-controller-manager.
	// Default: $CONTROLPLANE_BIN, else <repo>/bin/controlplane.
	BinDir string
	// Dir is where certificates, kubeconfigs, logs and etcd data go. It is
	// kept after Stop. Default: a new temporary directory removed by Stop
	// (set TESTCLUSTER_KEEP=1 to keep it for debugging).
	Dir string
	// Users are plain users to create besides DefaultUser, without rights.
	Users []string
	// DisableKubelet leaves the test kubelet off; see StartKubelet.
	DisableKubelet bool
	// Kubelet configures the test kubelet.
	Kubelet KubeletOptions
	// Progress receives messages about building binaries and start-up
	// times. Default os.Stderr.
	Progress io.Writer
	// APIServerArgs and ControllerManagerArgs are appended to the
	// processes' flags, e.g. "--feature-gates=...". Later flags win.
	APIServerArgs         []string
	ControllerManagerArgs []string
}

// Cluster is a running control plane. Its methods are safe for concurrent
// use by parallel tests.
type Cluster struct {
	// Dir holds certificates, kubeconfigs, the audit log and one log file
	// per process (etcd.log, kube-apiserver.log, ...).
	Dir string
	// AdminKubeconfig is a kubeconfig file for AdminUser (system:masters).
	AdminKubeconfig string
	// CAFile is the PEM CA that signed the API server's certificate.
	CAFile string

	opts        Options
	binDir      string
	keepDir     bool
	ca          *certAuthority
	server      string
	apiPort     int
	etcdURL     string
	tokens      map[string]string
	kubeconfigs map[string]string
	adminConfig *rest.Config
	clientset   *kubernetes.Clientset

	auditLogPath string

	mu        sync.Mutex
	etcd      *process
	apiserver *process
	kcm       *process
	kubelet   *Kubelet
	stopped   bool
}

// Start starts etcd, kube-apiserver, kube-controller-manager and the test
// kubelet, and returns once the API server is ready and the controllers
// work (the default ServiceAccount exists). On error nothing is left
// running. Binaries are built first when missing (see ensureBinaries).
// Processes die with the test binary even if it panics or times out; call
// Stop (or use StartForTest) to stop them earlier and remove Dir.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	binDir, err := ensureBinaries(opts.BinDir, opts.Progress)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, binDir: binDir, tokens: map[string]string{}, kubeconfigs: map[string]string{}}
	if opts.Dir != "" {
		c.Dir, c.keepDir = opts.Dir, true
		if err := os.MkdirAll(c.Dir, 0o755); err != nil {
			return nil, err
		}
	} else {
		if c.Dir, err = os.MkdirTemp("", "testcluster-"); err != nil {
			return nil, err
		}
		c.keepDir = os.Getenv("TESTCLUSTER_KEEP") == "1"
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("testcluster (files in %s): %w", c.Dir, err)
			c.keepDir = true // the logs explain the failure
			_ = c.Stop()
		}
	}()

	start := time.Now()
	if err := c.writeFiles(); err != nil {
		return nil, err
	}
	if err := c.startEtcd(ctx); err != nil {
		return nil, err
	}
	etcdReady := time.Now()
	if err := c.startAPIServer(ctx, true); err != nil {
		return nil, err
	}
	apiReady := time.Now()
	if err := c.writeKubeconfigs(); err != nil {
		return nil, err
	}

	// The controller manager and the kubelet need only the API server, so
	// they start side by side.
	var wg sync.WaitGroup
	var kcmErr, kubeletErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		kcmErr = c.startControllerManager()
	}()
	if !opts.DisableKubelet {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kubeletErr = c.StartKubelet(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(kcmErr, kubeletErr); err != nil {
		return nil, err
	}
	if err := c.waitForServiceAccount(ctx, metav1.NamespaceDefault); err != nil {
		return nil, fmt.Errorf("kube-controller-manager did not create the default ServiceAccount: %w\n%s", err, c.kcm.logTail(20))
	}
	fmt.Fprintf(opts.Progress, "testcluster: ready in %.1fs (certificates and etcd %.1fs, kube-apiserver %.1fs, controllers and kubelet %.1fs)\n",
		time.Since(start).Seconds(), etcdReady.Sub(start).Seconds(), apiReady.Sub(etcdReady).Seconds(), time.Since(apiReady).Seconds())
	return c, nil
}

// StartForTest starts a cluster for one test and stops it in t.Cleanup.
func StartForTest(t testing.TB, opts Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *Cluster) path(name string) string { return filepath.Join(c.Dir, name) }

// writeFiles creates certificates, keys, the token file and the audit policy.
func (c *Cluster) writeFiles() error {
	ca, err := newCertAuthority()
	if err != nil {
		return err
	}
	c.ca = ca
	c.CAFile = c.path("ca.crt")
	if err := os.WriteFile(c.CAFile, ca.certPEM, 0o644); err != nil {
		return err
	}
	serving, servingKey, err := ca.issue("kube-apiserver", nil,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		[]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.0.0.1")},
		x509.ExtKeyUsageServerAuth)
	if err != nil {
		return err
	}
	kubeletClient, kubeletClientKey, err := ca.issue("kube-apiserver-kubelet-client", []string{"system:masters"}, nil, nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"apiserver.crt":                serving,
		"apiserver.key":                servingKey,
		"apiserver-kubelet-client.crt": kubeletClient,
		"apiserver-kubelet-client.key": kubeletClientKey,
		"audit-policy.yaml":            []byte(auditPolicy),
	}
	// Token authentication keeps users cheap: one CSV line each.
	var tokens strings.Builder
	add := func(user, groups string) {
		tok := randomToken()
		c.tokens[user] = tok
		fmt.Fprintf(&tokens, "%s,%s,%s,%q\n", tok, user, user, groups)
	}
	add(AdminUser, "system:masters")
	// Separate identities keep the audit log readable: requests of the
	// controllers and of the test kubelet are told apart by user.
	add(controllerManagerUser, "system:masters")
	add(kubeletUser, "system:nodes,system:masters")
	users := append([]string{DefaultUser}, c.opts.Users...)
	for _, u := range users {
		if _, dup := c.tokens[u]; dup {
			continue
		}
		add(u, "")
	}
	files["tokens.csv"] = []byte(tokens.String())
	for name, data := range files {
		if err := os.WriteFile(c.path(name), data, 0o600); err != nil {
			return err
		}
	}
	c.auditLogPath = c.path("audit.log")
	return writeServiceAccountKey(c.path("sa.key"))
}

// freePort asks the kernel for a free port. Another process may take it
// before the server binds it, so starts are retried on "address in use".
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func addressInUse(p *process) bool {
	return strings.Contains(p.logTail(40), "address already in use")
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		clientPort, err := freePort()
		if err != nil {
			return err
		}
		peerPort, err := freePort()
		if err != nil {
			return err
		}
		clientURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
		peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
		dataDir := c.path("etcd-data")
		_ = os.RemoveAll(dataDir)
		p, err := startProcess("etcd", filepath.Join(c.binDir, "etcd"), []string{
			"--name=testcluster",
			"--data-dir=" + dataDir,
			"--listen-client-urls=" + clientURL,
			"--advertise-client-urls=" + clientURL,
			"--listen-peer-urls=" + peerURL,
			"--initial-advertise-peer-urls=" + peerURL,
			"--initial-cluster=testcluster=" + peerURL,
			// Test data is thrown away; fsync only slows every write.
			"--unsafe-no-fsync",
			"--log-level=warn",
		}, c.path("etcd.log"), nil)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.etcd = p
		c.mu.Unlock()
		err = waitHTTP(ctx, p, 30*time.Second, http.DefaultClient, clientURL+"/health")
		if err == nil {
			c.etcdURL = clientURL
			return nil
		}
		lastErr = err
		p.stop(time.Second)
		if !addressInUse(p) {
			break
		}
	}
	return lastErr
}

// waitHTTP polls url until it answers 200, the process dies or timeout.
func waitHTTP(ctx context.Context, p *process, timeout time.Duration, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var lastErr error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s: %s", url, resp.Status, body)
		}
		lastErr = err
		if p.exited() {
			return p.exitError()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %v; last output (%s):\n%s", p.name, lastErr, p.logPath, p.logTail(30))
		case <-p.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) apiServerArgs() []string {
	return append([]string{
		"--etcd-servers=" + c.etcdURL,
		"--secure-port=" + strconv.Itoa(c.apiPort),
		"--bind-address=127.0.0.1",
		// The endpoint reconciler refuses loopback addresses, and no pod
		// here talks to the "kubernetes" Service; skipping it also keeps
		// the result independent of the machine's network interfaces.
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + c.path("apiserver-certs"),
		"--tls-cert-file=" + c.path("apiserver.crt"),
		"--tls-private-key-file=" + c.path("apiserver.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.path("sa.key"),
		"--service-account-signing-key-file=" + c.path("sa.key"),
		"--token-auth-file=" + c.path("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		"--allow-privileged=true",
		"--audit-policy-file=" + c.path("audit-policy.yaml"),
		"--audit-log-path=" + c.auditLogPath,
		// Blocking: each event is written before the request handler
		// returns, so tests see a command's requests right after it exits.
		"--audit-log-mode=blocking",
		"--audit-log-format=json",
		// Logs: reach the test kubelet at the node's InternalIP and check
		// its certificate; see kubelet_logs.go.
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-certificate-authority=" + c.CAFile,
		"--kubelet-client-certificate=" + c.path("apiserver-kubelet-client.crt"),
		"--kubelet-client-key=" + c.path("apiserver-kubelet-client.key"),
		"--profiling=false",
	}, c.opts.APIServerArgs...)
}

// startAPIServer starts kube-apiserver and waits for /readyz. first picks a
// new port; restarts keep the port so clients and kubeconfigs stay valid.
func (c *Cluster) startAPIServer(ctx context.Context, first bool) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if first {
			port, err := freePort()
			if err != nil {
				return err
			}
			c.apiPort = port
			c.server = fmt.Sprintf("https://127.0.0.1:%d", port)
			c.AdminKubeconfig = c.path("admin.kubeconfig")
			c.adminConfig = c.restConfig(AdminUser, "testcluster")
			cs, err := kubernetes.NewForConfig(c.adminConfig)
			if err != nil {
				return err
			}
			c.clientset = cs
		}
		p, err := startProcess("kube-apiserver", filepath.Join(c.binDir, "kube-apiserver"), c.apiServerArgs(), c.path("kube-apiserver.log"), nil)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.apiserver = p
		c.mu.Unlock()
		tr, err := rest.TransportFor(c.adminConfig)
		if err != nil {
			return err
		}
		err = waitHTTP(ctx, p, 90*time.Second, &http.Client{Transport: tr, Timeout: 5 * time.Second}, c.server+"/readyz")
		if err == nil {
			return nil
		}
		lastErr = err
		p.stop(time.Second)
		if !first || !addressInUse(p) {
			break
		}
	}
	return lastErr
}

func (c *Cluster) startControllerManager() error {
	if err := c.writeKubeconfig(c.path("kube-controller-manager.kubeconfig"), controllerManagerUser); err != nil {
		return err
	}
	p, err := startProcess("kube-controller-manager", filepath.Join(c.binDir, "kube-controller-manager"), append([]string{
		"--kubeconfig=" + c.path("kube-controller-manager.kubeconfig"),
		"--controllers=" + strings.Join(controllers, ","),
		"--leader-elect=false",
		"--secure-port=0",
		"--use-service-account-credentials=false",
		"--service-account-private-key-file=" + c.path("sa.key"),
		"--root-ca-file=" + c.CAFile,
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		// The defaults (20 qps) throttle the Job controller when a test
		// creates many pods at once.
		"--kube-api-qps=100",
		"--kube-api-burst=200",
	}, c.opts.ControllerManagerArgs...), c.path("kube-controller-manager.log"), nil)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.kcm = p
	c.mu.Unlock()
	return nil
}

// StartKubelet starts the test kubelet if it is not running (Start does
// this unless Options.DisableKubelet).
func (c *Cluster) StartKubelet(ctx context.Context) error {
	c.mu.Lock()
	running := c.kubelet != nil
	c.mu.Unlock()
	if running {
		return nil
	}
	cfg := c.restConfig(kubeletUser, "testkubelet")
	cfg.QPS, cfg.Burst = 200, 400
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(c.path("testkubelet.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	k, err := startKubelet(ctx, cs, c.ca, c.opts.Kubelet, logFile)
	if err != nil {
		logFile.Close()
		return fmt.Errorf("test kubelet: %w", err)
	}
	c.mu.Lock()
	c.kubelet = k
	c.mu.Unlock()
	return nil
}

// StopKubelet stops the test kubelet: pods keep their last status and
// pending pods stay unscheduled until StartKubelet.
func (c *Cluster) StopKubelet() {
	c.mu.Lock()
	k := c.kubelet
	c.kubelet = nil
	c.mu.Unlock()
	if k != nil {
		k.stop()
	}
}

// Kubelet returns the running test kubelet, or nil.
func (c *Cluster) Kubelet() *Kubelet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kubelet
}

// StopAPIServer stops kube-apiserver, leaving etcd, the controllers and the
// kubelet running, for tests of how the plugin behaves when the server goes
// away. It sends SIGTERM but kills after a second: a graceful shutdown
// waits about 10s for open watches, and a crash is as good a fault.
func (c *Cluster) StopAPIServer() {
	c.mu.Lock()
	p := c.apiserver
	c.mu.Unlock()
	p.stop(time.Second)
}

// StartAPIServer starts kube-apiserver again on the same port with the same
// etcd, and waits until it is ready.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	p := c.apiserver
	c.mu.Unlock()
	if p != nil && !p.exited() {
		return errors.New("kube-apiserver is running")
	}
	return c.startAPIServer(ctx, false)
}

// Stop stops every process of the cluster and removes Dir (unless it was
// given in Options or TESTCLUSTER_KEEP=1). It is safe to call more than
// once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	c.stopped = true
	c.mu.Unlock()
	c.StopKubelet()
	c.mu.Lock()
	kcm, api, etcd, keep := c.kcm, c.apiserver, c.etcd, c.keepDir
	c.mu.Unlock()
	// Nothing of this cluster survives, so there is no point in waiting
	// for graceful shutdowns (kube-apiserver's takes about 10s).
	kcm.stop(500 * time.Millisecond)
	api.stop(500 * time.Millisecond)
	etcd.stop(500 * time.Millisecond)
	if keep {
		return nil
	}
	return os.RemoveAll(c.Dir)
}

// KeepDir makes Stop keep Dir, e.g. when tests failed and the process logs
// and the audit log explain why.
func (c *Cluster) KeepDir() {
	c.mu.Lock()
	c.keepDir = true
	c.mu.Unlock()
}

// Server is the API server's URL, e.g. https://127.0.0.1:41234.
func (c *Cluster) Server() string { return c.server }

// Clientset is a client for AdminUser.
func (c *Cluster) Clientset() *kubernetes.Clientset { return c.clientset }

// RESTConfig returns a new copy of AdminUser's client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.adminConfig) }

// UserRESTConfig returns a client configuration for one of the users of
// Options.Users, DefaultUser or AdminUser. It panics for unknown users.
func (c *Cluster) UserRESTConfig(user string) *rest.Config {
	if _, ok := c.tokens[user]; !ok {
		panic(fmt.Sprintf("testcluster: unknown user %q; add it to Options.Users", user))
	}
	return c.restConfig(user, "")
}

// UserKubeconfig returns the kubeconfig file of a user as for
// UserRESTConfig. It panics for unknown users.
func (c *Cluster) UserKubeconfig(user string) string {
	path, ok := c.kubeconfigs[user]
	if !ok {
		panic(fmt.Sprintf("testcluster: unknown user %q; add it to Options.Users", user))
	}
	return path
}

func (c *Cluster) restConfig(user, userAgent string) *rest.Config {
	return &rest.Config{
		Host:            c.server,
		BearerToken:     c.tokens[user],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.ca.certPEM},
		UserAgent:       userAgent,
		QPS:             100,
		Burst:           200,
	}
}

func (c *Cluster) writeKubeconfigs() error {
	for user := range c.tokens {
		if user == controllerManagerUser || user == kubeletUser {
			continue
		}
		path := c.path(user + ".kubeconfig")
		if err := c.writeKubeconfig(path, user); err != nil {
			return err
		}
		c.kubeconfigs[user] = path
	}
	return nil
}

// writeKubeconfig writes a kubeconfig with the CA inlined, so it works from
// any directory and with any client (kubectl, the plugin, client-go).
func (c *Cluster) writeKubeconfig(path, user string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["testcluster"] = &clientcmdapi.Cluster{Server: c.server, CertificateAuthorityData: c.ca.certPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: c.tokens[user]}
	cfg.Contexts["testcluster"] = &clientcmdapi.Context{Cluster: "testcluster", AuthInfo: user, Namespace: metav1.NamespaceDefault}
	cfg.CurrentContext = "testcluster"
	return clientcmd.WriteToFile(*cfg, path)
}

func (c *Cluster) waitForServiceAccount(ctx context.Context, ns string) error {
	// It takes milliseconds; a minute is for a loaded machine. After a
	// restart of the API server the controller manager's informers come
	// back only after a backoff that grows with each restart (over a minute
	// by the third), so tests that restart it use a cluster of their own.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := WaitFor(ctx, c.clientset.CoreV1().ServiceAccounts(ns), "default", func(*v1.ServiceAccount) bool { return true })
	if err != nil && c.kcm != nil && c.kcm.exited() {
		return c.kcm.exitError()
	}
	return err
}

// Namespace creates a namespace for one test, named after the test, and
// waits for its default ServiceAccount so pods can be created at once.
// Namespaces are not deleted: the namespace controller does not run (it
// would cost every test discovery work) and the cluster is thrown away.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns, err := c.clientset.CoreV1().Namespaces().Create(ctx, &v1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: namespacePrefix(t.Name())},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	if err := c.waitForServiceAccount(ctx, ns.Name); err != nil {
		t.Fatalf("namespace %s: default ServiceAccount: %v", ns.Name, err)
	}
	return ns.Name
}

func namespacePrefix(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" || s[0] < 'a' {
		s = "t" + s
	}
	return s + "-"
}
