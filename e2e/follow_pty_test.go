package e2e

// The follow-through on a terminal: the plugin's stdout and stderr are a
// pseudo-terminal, as when a person runs it.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// openPTY opens a pseudo-terminal of cols columns. Reading master gives
// what the program wrote to tty.
func openPTY(t *testing.T, cols uint16) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: cols}); err != nil {
		t.Fatal(err)
	}
	// Raw output: the terminal must not turn \n into \r\n, so the test sees
	// exactly what the plugin wrote.
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Oflag &^= unix.OPOST
	if err := unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// runOnTerminal runs the plugin with stdout and stderr on one terminal and
// returns all it wrote there, and its exit status.
func runOnTerminal(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx := followCtx(t, time.Minute)
	master, tty := openPTY(t, ptyColumns)
	cmd := followCmd(ctx, t, args...)
	// CI may run with TERM=dumb, which turns colors off.
	cmd.Env = append(append(cmd.Env, "TERM=xterm-256color"), env...)
	cmd.Stdout, cmd.Stderr = tty, tty
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _ = io.Copy(&screen, master) // ends with EIO once the tty is closed
	}()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	tty.Close()
	<-read
	code := 0
	if err != nil {
		code = cmd.ProcessState.ExitCode()
	}
	return screen.String(), code
}

// ptyColumns is the width of the test terminal: wide enough for the whole
// bar text of a short Job name, as on most desktops.
const ptyColumns = 120

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestFollowProgressOnTerminal(t *testing.T) {
	t.Parallel()
	ns := cluster.Namespace(t)
	// A log line that tries to retitle the window and clear the screen.
	hostile := "tea\x1b]0;pwned\x07\x1b[2Jtime"
	screen, code := runOnTerminal(t, []string{"NO_COLOR="}, "tty", "-n", ns, "--image=busybox:1.36", "--completions=4", "--parallelism=2",
		"--annotation="+testcluster.AnnotationRunSeconds+"=1.2", "--annotation="+testcluster.AnnotationLog+"="+hostile, "--logs", "--", "true")
	t.Logf("the terminal got:\n%q", screen)
	if code != 0 {
		t.Fatalf("exit %d\n%q", code, screen)
	}
	// The live bar: redrawn in place with carriage returns, by the library.
	if !strings.Contains(screen, "\r") || !strings.Contains(screen, "█") || !regexp.MustCompile(`\(\d/4\)`).MatchString(screen) {
		t.Errorf("no progress bar drawn:\n%q", screen)
	}
	if !regexp.MustCompile(`\(\d/4\) \[\d+s\] job/tty Running: active 2, ready \d, failed 0 \(6 retries left\); \d`).MatchString(screen) {
		t.Errorf("the bar does not say the Job is running:\n%q", screen)
	}
	// The log line arrives escaped: no escape sequence from the cluster.
	if !strings.Contains(screen, `tea\x1b]0;pwned\x07\x1b[2Jtime`) {
		t.Errorf("the hostile log line is not shown escaped:\n%q", screen)
	}
	// Only the plugin's own color codes may remain (NO_COLOR is empty, so
	// colors are on).
	rest := sgr.ReplaceAllString(screen, "")
	if strings.Contains(rest, "\x1b") {
		t.Errorf("an escape sequence other than colors reached the terminal:\n%q", screen)
	}
	if !sgr.MatchString(screen) {
		t.Errorf("log prefixes are not colored on a terminal:\n%q", screen)
	}
	// The last state stays readable as a plain line.
	if !strings.Contains(screen, "job/tty Complete: 4/4 succeeded, 0 active, 0 ready, 0 failed (6 of 6 retries left); pods: 4 Completed [") {
		t.Errorf("no final state line:\n%q", screen)
	}
	// Every drawing of the bar fits the terminal: a bar that
	// wrapped could not be redrawn in place and would smear.
	for _, line := range strings.Split(screen, "\n") {
		for _, drawn := range strings.Split(line, "\r") {
			if !strings.Contains(drawn, "% |") {
				continue // a plain line, which may wrap
			}
			if w := len([]rune(drawn)); w > ptyColumns {
				t.Errorf("the bar took %d columns on a %d-column terminal: %q", w, ptyColumns, drawn)
			}
		}
	}
}

func TestFollowNoColorOnTerminal(t *testing.T) {
	t.Parallel()
	ns := cluster.Namespace(t)
	screen, code := runOnTerminal(t, []string{"NO_COLOR=1"}, "mono", "-n", ns, "--image=busybox:1.36", quick, "--logs", "--", "true")
	if code != 0 {
		t.Fatalf("exit %d\n%q", code, screen)
	}
	if strings.Contains(screen, "\x1b") {
		t.Errorf("NO_COLOR=1, yet escape sequences were written:\n%q", screen)
	}
	if !strings.Contains(screen, "/mono] hello from mono-") {
		t.Errorf("no log line:\n%q", screen)
	}
}
