package testcluster

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"time"
)

// Process is a program a test harness runs beside the control plane (kwok,
// a controller), started like the control plane's own: in a process group
// of its own and killed with the test binary even if that panics or times
// out, so nothing outlives a test run.
type Process struct{ p *process }

// StartProcess starts binary with args, its output appended to logPath;
// env is added to the test binary's environment.
func StartProcess(name, binary string, args []string, logPath string, env []string) (*Process, error) {
	p, err := startProcess(name, binary, args, logPath, env)
	if err != nil {
		return nil, err
	}
	return &Process{p: p}, nil
}

// Stop sends SIGTERM to the process group, SIGKILL after grace, and waits
// for the process to be gone. It is safe to call more than once.
func (p *Process) Stop(grace time.Duration) { p.p.stop(grace) }

// Exited reports whether the process has stopped.
func (p *Process) Exited() bool { return p.p.exited() }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.p.done }

// ExitError says why the process ended, with the last lines of its output.
func (p *Process) ExitError() error { return p.p.exitError() }

// LogTail returns the last lines of the process's output.
func (p *Process) LogTail(lines int) string { return p.p.logTail(lines) }

// RepoRoot is the checkout's top folder (where hack/ is), found from the
// working directory or this source file, for harnesses that build their
// binaries with a hack script as ensureBinaries does.
func RepoRoot() (string, error) { return repoRoot() }

// FreePort returns a port nobody listens on now (another process may take
// it before the caller binds it, so starts retry on "address in use").
func FreePort() (int, error) { return freePort() }

// ServingCert returns a PEM certificate and key for a server on 127.0.0.1
// and localhost, signed by the cluster's CA (CAFile).
func (c *Cluster) ServingCert(commonName string) (certPEM, keyPEM []byte, err error) {
	return c.ca.issue(commonName, nil, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, x509.ExtKeyUsageServerAuth)
}

// WaitHTTP polls url until it answers 200, the process dies or timeout;
// the error holds the process's last output.
func WaitHTTP(ctx context.Context, p *Process, timeout time.Duration, client *http.Client, url string) error {
	return waitHTTP(ctx, p.p, timeout, client, url)
}
