package e2e

// Helpers of the reliability tests (reliability_*_test.go): a proxy in
// front of the real API server that can hold a request or its answer (the
// faults a slow admission chain, a stalled load balancer or a dropped
// connection cause), and records what went over the wire; a way to start
// the plugin and signal it; and the FIGURE lines `make reliability` sums up.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// proxyRule is what the proxy does with the requests it matches.
type proxyRule struct {
	match func(r *http.Request) bool
	// before runs before the request goes on (another writer acting at
	// just that moment).
	before func(r *http.Request)
	// drop keeps the request from the server: it is never forwarded, and
	// the client waits until it gives up.
	drop bool
	// hold delays the server's answer after the server acted on the
	// request; a negative hold keeps it until the client gives up.
	hold time.Duration
	// times bounds how many requests the rule takes; 0 is no bound.
	times int
	// reached is closed when the rule first takes effect: the request
	// dropped, or the server's answer in hand and held.
	reached chan struct{}

	taken int
}

// exchange is one request through the proxy, as recorded.
type exchange struct {
	Method, URI, Accept, UserAgent string
	Code                           int
	Body                           []byte // the answer, unless a watch or a dropped request
}

// apiProxy is a TLS proxy to the shared cluster's API server.
type apiProxy struct {
	t          *testing.T
	srv        *httptest.Server
	Kubeconfig string // the admin's credentials, with the proxy as server

	mu        sync.Mutex
	rules     []*proxyRule
	exchanges []exchange
}

// startProxy starts a proxy for one test, stopped at its end.
func startProxy(t *testing.T) *apiProxy {
	t.Helper()
	upstream, err := url.Parse(cluster.Server())
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(cluster.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	p := &apiProxy{t: t}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			r.Out.Host = upstream.Host
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: false},
		// Watches stream: pass each event on as it comes.
		FlushInterval:  -1,
		ModifyResponse: p.answer,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// The client gave up (a held answer), or the server is away.
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule := p.rule(r)
		if rule != nil && rule.before != nil {
			rule.before(r)
		}
		if rule != nil && rule.drop {
			// Read the body: only then does the server watch the connection
			// and end the request's context when the client gives up.
			_, _ = io.Copy(io.Discard, r.Body)
			p.record(exchange{Method: r.Method, URI: r.URL.RequestURI(), Accept: r.Header.Get("Accept"), UserAgent: r.UserAgent()})
			closeOnce(rule.reached)
			<-r.Context().Done()
			return
		}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ruleKey{}, rule)))
	}))
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)

	token := adminToken(t)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["proxied"] = &clientcmdapi.Cluster{Server: p.srv.URL,
		CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["proxied"] = &clientcmdapi.Context{Cluster: "proxied", AuthInfo: "admin", Namespace: "default"}
	cfg.CurrentContext = "proxied"
	p.Kubeconfig = filepath.Join(t.TempDir(), "proxied.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, p.Kubeconfig); err != nil {
		t.Fatal(err)
	}
	return p
}

type ruleKey struct{}

// add installs a rule; the first rule that matches a request (and has
// turns left) takes it.
func (p *apiProxy) add(r *proxyRule) *proxyRule {
	if r.reached == nil {
		r.reached = make(chan struct{})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
	return r
}

func (p *apiProxy) rule(r *http.Request) *proxyRule {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rule := range p.rules {
		if (rule.times == 0 || rule.taken < rule.times) && rule.match(r) {
			rule.taken++
			return rule
		}
	}
	return nil
}

// answer records the server's answer and holds it as the request's rule
// says.
func (p *apiProxy) answer(resp *http.Response) error {
	req := resp.Request
	ex := exchange{Method: req.Method, URI: req.URL.RequestURI(), Accept: req.Header.Get("Accept"), UserAgent: req.UserAgent(), Code: resp.StatusCode}
	if req.URL.Query().Get("watch") != "true" {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		ex.Body = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	p.record(ex)
	rule, _ := req.Context().Value(ruleKey{}).(*proxyRule)
	if rule == nil || rule.hold == 0 {
		return nil
	}
	closeOnce(rule.reached)
	var timeout <-chan time.Time
	if rule.hold > 0 {
		timeout = time.After(rule.hold)
	}
	select {
	case <-timeout:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	}
}

func (p *apiProxy) record(ex exchange) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exchanges = append(p.exchanges, ex)
}

// seen returns the exchanges recorded so far that match filter.
func (p *apiProxy) seen(filter func(exchange) bool) []exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []exchange
	for _, ex := range p.exchanges {
		if filter == nil || filter(ex) {
			out = append(out, ex)
		}
	}
	return out
}

var closeMu sync.Mutex

func closeOnce(c chan struct{}) {
	closeMu.Lock()
	defer closeMu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

// jobPost matches the real (not dry-run) creates of Jobs in ns.
func jobPost(ns string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/apis/batch/v1/namespaces/"+ns+"/jobs" && r.URL.Query().Get("dryRun") == ""
	}
}

// adminToken is the bearer token of the shared cluster's admin.
func adminToken(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(cluster.AdminKubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.AuthInfos {
		if a.Token != "" {
			return a.Token
		}
	}
	t.Fatal("no token in the admin kubeconfig")
	return ""
}

// relCmd is the plugin as clusterRunDrafts runs it (no terminal, drafts in
// a folder of the test), but started by the caller, who may signal it.
func relCmd(ctx context.Context, t *testing.T, kubeconfig string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	if kubeconfig == "" {
		kubeconfig = cluster.AdminKubeconfig
	}
	state := t.TempDir()
	cmd := exec.CommandContext(ctx, followBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "XDG_STATE_HOME="+state, "NO_COLOR=1")
	return cmd, filepath.Join(state, "kubectl-job-wizard")
}

// waitReached waits for a proxy rule to take effect.
func waitReached(t *testing.T, r *proxyRule, d time.Duration) {
	t.Helper()
	select {
	case <-r.reached:
	case <-time.After(d):
		t.Fatalf("the proxy rule did not take effect within %v", d)
	}
}

// oneDraft returns the one draft in dir and its text, and checks that
// only its owner may read it.
func oneDraft(t *testing.T, dir string) (string, string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 1 {
		t.Fatalf("drafts in %s: %v, want one", dir, files)
	}
	wantMode(t, dir, 0o700)
	wantMode(t, files[0], 0o600)
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return files[0], string(data)
}

func wantMode(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), mode)
	}
}

// noDrafts checks that a run kept no draft (it did what it was asked).
func noDrafts(t *testing.T, dir string) {
	t.Helper()
	if files, _ := filepath.Glob(filepath.Join(dir, "*.yaml")); len(files) != 0 {
		t.Errorf("drafts kept: %v", files)
	}
}

// figure reports one figure of `make reliability` (hack/reliability.sh):
// a "FIGURE NAME VALUE" line in the test's log, and in the file
// $RELIABILITY_FIGURES when it is set.
func figure(t *testing.T, name, value string) {
	t.Helper()
	line := fmt.Sprintf("FIGURE %s %s", name, value)
	t.Log(line)
	if path := os.Getenv("RELIABILITY_FIGURES"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		fmt.Fprintln(f, line)
	}
}

// outcome reports, when the test ends, whether it passed, as a figure of
// its kind ("fault", "interrupt"): hack/reliability.sh counts them.
func outcome(t *testing.T, kind, name string) {
	t.Cleanup(func() {
		result := "survived"
		if t.Failed() {
			result = "FAILED"
		}
		figure(t, kind, name+" "+result)
	})
}

// wantNot checks that none of the texts appear in s.
func wantNot(t *testing.T, what, s string, texts ...string) {
	t.Helper()
	for _, x := range texts {
		if x != "" && strings.Contains(s, x) {
			t.Errorf("%s contains %q:\n%s", what, x, s)
		}
	}
}
