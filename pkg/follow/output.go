package follow

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rivo/uniseg"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// output serializes everything the follow writes: events and progress on
// errOut, container logs on out. On a terminal the live bar is wiped before
// any other line is written and drawn again after it, so lines scroll above
// the bar instead of through it.
type output struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
	outTTY bool
	errTTY bool
	color  bool
	now    func() time.Time
	start  time.Time

	bar      *progressbar.ProgressBar // nil without a terminal
	barShown bool
	barMax   int
	barWidth func() int
	lastDesc string
	lastLine string // the last plain status line, to print only changes
	lastSum  *summary
	// Of the last plain status line: when it was printed, the Job's state
	// and the succeeded count then (see plainDue).
	lastAt        time.Time
	lastState     string
	lastSucceeded int32
	everyChange   bool
}

// progressEvery is the least time between two plain progress lines that
// tell no new state of the Job (see plainDue).
const progressEvery = 10 * time.Second

const barCells = 16

func newOutput(out, errOut io.Writer, outTTY, errTTY, color bool, now func() time.Time) *output {
	o := &output{out: out, errOut: errOut, outTTY: outTTY, errTTY: errTTY, color: color, now: now, start: now()}
	if errTTY {
		o.barWidth = func() int {
			if f, ok := errOut.(interface{ Fd() uintptr }); ok {
				if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
					return w
				}
			}
			return 80
		}
	}
	return o
}

// newBar makes the bar for a Job of max completions (-1: unknown). The
// library draws it; the description at its end carries the counts.
func (o *output) newBar(max int) {
	if max == 0 {
		max = 1 // a Job of zero completions: the bar is full at once
	}
	o.barMax = max
	o.bar = progressbar.NewOptions(max,
		progressbar.OptionSetWriter(o.errOut),
		progressbar.OptionSetWidth(barCells),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		// The spinner of an unknown count would redraw from a goroutine of
		// its own, racing the log lines; redraws happen here, under mu.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetRenderBlankState(false),
		progressbar.OptionSetVisibility(true),
	)
}

// wipe takes the bar off the screen; the caller holds mu.
func (o *output) wipe() {
	if o.bar != nil && o.barShown {
		_ = o.bar.Clear()
		o.barShown = false
	}
}

// draw puts the bar back; the caller holds mu.
func (o *output) draw() {
	if o.bar == nil || o.lastSum == nil {
		return
	}
	desc := o.describe(*o.lastSum)
	o.lastDesc = desc
	o.bar.Describe(desc) // renders
	o.barShown = true
}

// describe fits the bar's text to the terminal, cutting from the end, where
// the least needed part (the pod states) is.
func (o *output) describe(s summary) string {
	desc := termtext.OneLine(s.short())
	// What the library draws before the description: " 100% |", the
	// cells, "| (10/10) [1h2m3s] ".
	fixed := 7 + barCells + 2 + len(fmt.Sprintf("(%d/%d) ", s.Completions, s.Completions)) + len(formatElapsed(o.now().Sub(o.start))) + 4
	room := o.barWidth() - fixed - 1
	if room < 10 {
		room = 10
	}
	if uniseg.StringWidth(desc) <= room {
		return desc
	}
	var b strings.Builder
	w := 0
	g := uniseg.NewGraphemes(desc)
	for g.Next() {
		cw := g.Width()
		if w+cw > room-1 {
			break
		}
		b.WriteString(g.Str())
		w += cw
	}
	return b.String() + "…"
}

// event writes a line about something that happened (a pod failed, the
// connection dropped), above the bar.
func (o *output) event(format string, a ...any) {
	line := termtext.OneLine(fmt.Sprintf(format, a...))
	o.mu.Lock()
	defer o.mu.Unlock()
	o.wipe()
	fmt.Fprintln(o.errOut, line)
	o.draw()
}

// block writes lines of a report (the failure report), each made printable.
func (o *output) block(lines []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.wipe()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(termtext.OneLine(l))
		b.WriteByte('\n')
	}
	io.WriteString(o.errOut, b.String())
	o.draw()
}

// plainDue tells whether a plain progress line is due, so that a log
// (CI's) grows with the time the Job takes, not with its pods: a line
// whenever the Job's state (Pending, Running, Suspended, Failing, Complete,
// Failed) changes; otherwise at most one every progressEvery, and while
// pods succeed (with a completion count) only once the succeeded count has
// crossed another tenth of it, whichever comes later. Failures, stuck pods
// and events are lines of their own (event), always told.
func (o *output) plainDue(s summary, line string) bool {
	switch {
	case line == o.lastLine:
		return false
	case o.everyChange || o.lastLine == "" || s.State != o.lastState:
		return true
	case o.now().Sub(o.lastAt) < progressEvery:
		return false
	case s.Completions > 0 && s.Succeeded != o.lastSucceeded:
		tenth := func(n int32) int64 { return int64(n) * 10 / int64(s.Completions) }
		return tenth(s.Succeeded) > tenth(o.lastSucceeded)
	}
	return true
}

// plainLine writes a plain progress line; the caller holds mu.
func (o *output) plainLine(s summary, line string) {
	o.lastLine, o.lastAt, o.lastState, o.lastSucceeded = line, o.now(), s.State, s.Succeeded
	fmt.Fprintf(o.errOut, "%s [%s]\n", line, formatElapsed(o.now().Sub(o.start)))
}

// status shows the Job's state: on a terminal by updating the bar, else by
// a plain line when one is due (plainDue).
func (o *output) status(s summary) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lastSum = &s
	if o.bar == nil {
		if line := termtext.OneLine(s.line()); o.plainDue(s, line) {
			o.plainLine(s, line)
		}
		return
	}
	if s.Completions >= 0 && int(max(s.Completions, 1)) != o.barMax {
		o.bar.ChangeMax(int(max(s.Completions, 1)))
		o.barMax = int(max(s.Completions, 1))
	}
	// Set renders, and a finished bar (all succeeded) stops rendering, so
	// the description goes first.
	o.bar.Describe(o.describe(s))
	done := int(s.Succeeded)
	if s.Completions >= 0 {
		// More succeeded than completions (completions lowered while the
		// Job ran) would draw the bar past its end.
		done = min(done, o.barMax)
	}
	_ = o.bar.Set(done)
	o.barShown = true
}

// final shows the Job's last state: the bar's, or a plain line whenever
// it differs from the last one printed.
func (o *output) final(s summary) {
	if o.bar != nil {
		o.status(s)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lastSum = &s
	if line := termtext.OneLine(s.line()); line != o.lastLine {
		o.plainLine(s, line)
	}
}

// tick redraws the bar so its clock moves while nothing else does.
func (o *output) tick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bar != nil && o.lastSum != nil {
		o.bar.Describe(o.describe(*o.lastSum))
		o.barShown = true
	}
}

// finish takes the bar down for good and leaves the last state as a plain
// line, which stays readable in the scrollback.
func (o *output) finish() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bar == nil {
		return
	}
	o.wipe()
	_ = o.bar.Exit()
	o.bar = nil
	if o.lastSum != nil {
		if line := termtext.OneLine(o.lastSum.line()); line != o.lastLine {
			o.plainLine(*o.lastSum, line)
		}
	}
}

// logColors are the foreground colors that read on dark and light
// backgrounds alike; pods take them in turn.
var logColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// logLine writes one line of a container's log to out, after its
// [pod/container] prefix.
func (o *output) logLine(prefix string, color int, text string) {
	if o.outTTY {
		text = termtext.Escape(text)
	}
	var b strings.Builder
	if o.color && o.outTTY {
		b.WriteString("\x1b[" + logColors[color%len(logColors)] + "m" + prefix + "\x1b[0m ")
	} else {
		b.WriteString(prefix + " ")
	}
	b.WriteString(text)
	b.WriteByte('\n')
	o.mu.Lock()
	defer o.mu.Unlock()
	// The bar and the logs share a screen only when both are terminals.
	shared := o.outTTY && o.bar != nil
	if shared {
		o.wipe()
	}
	io.WriteString(o.out, b.String())
	if shared {
		o.draw()
	}
}

func isTerminalFd(fd uintptr) bool { return term.IsTerminal(int(fd)) }
