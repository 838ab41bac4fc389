package follow

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// On a terminal the bar is drawn and redrawn in place, log lines scroll
// above it, and at the end the last state stays as a plain line.
func TestOutputTerminalBarAndLogs(t *testing.T) {
	for _, completions := range []int32{3, -1, 0} {
		var screen bytes.Buffer
		o := newOutput(&screen, &screen, true, true, true, time.Now)
		o.newBar(int(completions))
		s := summary{Name: "pi", State: "Running", Completions: completions, Active: 1, RetriesLeft: 6, BackoffLimit: 6, Pods: []phaseCount{{"Running", 1}}}
		o.status(s)
		o.logLine("[pi-a/main]", 0, "hello \x1b[2J")
		s.Succeeded, s.State, s.Active = 3, "Complete", 0
		o.status(s)
		o.tick()
		o.finish()
		got := screen.String()
		if !strings.Contains(got, "\r") {
			t.Errorf("completions %d: no bar drawn: %q", completions, got)
		}
		if !strings.Contains(got, "\x1b[36m[pi-a/main]\x1b[0m hello \\x1b[2J\n") {
			t.Errorf("completions %d: the log line is not colored and escaped: %q", completions, got)
		}
		if !strings.Contains(got, "\rjob/pi Complete: 3") {
			t.Errorf("completions %d: no final line: %q", completions, got)
		}
		if rest := strings.ReplaceAll(strings.ReplaceAll(got, "\x1b[36m", ""), "\x1b[0m", ""); strings.Contains(rest, "\x1b") {
			t.Errorf("completions %d: an escape sequence besides the prefix color: %q", completions, got)
		}
	}
}

// Without a terminal: one line per change, none for a change of time only.
func TestOutputPlainLines(t *testing.T) {
	var errOut, out bytes.Buffer
	now := time.Unix(0, 0)
	o := newOutput(&out, &errOut, false, false, false, func() time.Time { return now })
	s := summary{Name: "pi", State: "Pending", Completions: 1, RetriesLeft: 6, BackoffLimit: 6}
	o.status(s)
	now = now.Add(5 * time.Second)
	o.status(s)
	s.State = "Running"
	o.status(s)
	o.logLine("[pi-a/main]", 0, "raw \x1b[1m bytes")
	o.finish()
	want := "job/pi Pending: 0/1 succeeded, 0 active, 0 ready, 0 failed (6 of 6 retries left); pods: no pods yet [0s]\n" +
		"job/pi Running: 0/1 succeeded, 0 active, 0 ready, 0 failed (6 of 6 retries left); pods: no pods yet [5s]\n"
	if errOut.String() != want {
		t.Errorf("stderr:\n%q\nwant\n%q", errOut.String(), want)
	}
	// Logs written to a file or pipe are the container's bytes.
	if out.String() != "[pi-a/main] raw \x1b[1m bytes\n" {
		t.Errorf("stdout %q", out.String())
	}
}
