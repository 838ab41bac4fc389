package testutil

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// Walk drives the wizard binary on a pseudo-terminal tall enough never to
// scroll, so every question keeps its row: the next question is the first
// "? " line below the last one answered. A walk answers the questions it
// knows by their start and gives Enter (the default) to the others, so it
// holds however many questions the other steps add.
type Walk struct {
	T      testing.TB
	C      *expect.Console
	Screen vt10x.Terminal
	Stdout *LockedBuffer
	row    int // the row of the last question answered
	done   chan error
}

// walkRows is more rows than any walk draws.
const walkRows = 1500

// StartWalk starts cmd (whose Env the caller sets) with the terminal as its
// stdin and stderr, and stdout kept apart.
func StartWalk(t testing.TB, cmd *exec.Cmd) *Walk {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	screen := vt10x.New(vt10x.WithWriter(pts), vt10x.WithSize(160, walkRows))
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w := &Walk{T: t, C: c, Screen: screen, Stdout: &LockedBuffer{}, row: -1, done: make(chan error, 1)}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), w.Stdout, c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.done <- cmd.Wait() }()
	return w
}

// Text is the screen without its empty end.
func (w *Walk) Text() string { return expect.StripTrailingEmptyLines(w.Screen.String()) }

// Fail ends the test with the screen.
func (w *Walk) Fail(format string, args ...any) {
	w.T.Helper()
	w.T.Fatalf(format+"\nscreen:\n%s", append(args, w.Text())...)
}

// Next waits for the next question and returns its line and the lines
// drawn below it (a Select's options); ok is false once the command ended.
func (w *Walk) Next(ctx context.Context) (question string, below []string, ok bool) {
	w.T.Helper()
	for {
		Settle(w.C)
		lines := strings.Split(w.Screen.String(), "\n")
		for i := w.row + 1; i < len(lines); i++ {
			if strings.HasPrefix(lines[i], "? ") {
				w.row = i
				return lines[i], lines[i+1:], true
			}
		}
		select {
		case err := <-w.done:
			w.done <- err
			return "", nil, false
		case <-ctx.Done():
			w.Fail("no next question: %v", ctx.Err())
		default:
		}
	}
}

// Send types keys.
func (w *Walk) Send(keys string) {
	w.T.Helper()
	if _, err := w.C.Send(keys); err != nil {
		w.T.Fatal(err)
	}
}

// Exit waits for the command to end, reads the rest of its output and
// returns how it ended.
func (w *Walk) Exit(ctx context.Context) error {
	w.T.Helper()
	select {
	case err := <-w.done:
		w.C.Tty().Close()
		w.C.ExpectEOF()
		return err
	case <-ctx.Done():
		w.Fail("the command did not end")
	}
	return nil
}

// Options reads a Select's options from the lines below its question and
// the one the cursor is on (its label, without the description).
func Options(below []string) (opts []string, current string) {
	for _, l := range below {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "? ") {
			break
		}
		if rest, ok := strings.CutPrefix(l, "> "); ok {
			l = rest
			current, _, _ = strings.Cut(l, " - ")
		}
		opts = append(opts, l)
	}
	return opts, current
}
