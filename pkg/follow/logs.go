package follow

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// streamKey names one run of one container: a container restarted in place
// (restartPolicy OnFailure) is a new run with a log of its own.
type streamKey struct {
	pod       types.UID
	container string
	restart   int32
}

// logStreamer follows the log of every container run of the Job's pods as
// it starts, each in its own goroutine, until the run ends.
type logStreamer struct {
	src Source
	ns  string
	out *output
	ctx context.Context

	stop func()
	wg   sync.WaitGroup

	mu      sync.Mutex
	started map[streamKey]bool
	live    map[streamKey]bool // false once the run is over or its pod gone
	changed chan struct{}      // closed and replaced at every update
}

func newLogStreamer(ctx context.Context, src Source, ns string, out *output) *logStreamer {
	ctx, cancel := context.WithCancel(ctx)
	return &logStreamer{src: src, ns: ns, out: out, ctx: ctx, stop: cancel,
		started: map[streamKey]bool{}, live: map[streamKey]bool{}, changed: make(chan struct{})}
}

// notify wakes the streams waiting for news of their container; the
// caller holds mu.
func (l *logStreamer) notify() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// awaitEnd waits a little for the pod's status to tell that the run has
// ended, as a stream that reached its end suggests. It reports whether the
// run still seems live, so the stream should be opened again.
func (l *logStreamer) awaitEnd(key streamKey, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		l.mu.Lock()
		live, changed := l.live[key], l.changed
		l.mu.Unlock()
		if !live {
			return false
		}
		select {
		case <-changed:
		case <-t.C:
			return true
		case <-l.ctx.Done():
			return false
		}
	}
}

// update starts the streams of the pod's containers that started since the
// last update, and notes which runs ended.
func (l *logStreamer) update(pod *corev1.Pod, color int) {
	for _, run := range loggable(pod) {
		key := streamKey{pod.UID, run.Name, run.Restart}
		l.mu.Lock()
		if l.live[key] != !run.Done {
			l.live[key] = !run.Done
			l.notify()
		}
		start := !l.started[key]
		l.started[key] = true
		l.mu.Unlock()
		if start {
			l.wg.Add(1)
			go l.follow(pod.Name, key, color)
		}
	}
}

// gone notes that a pod was deleted: its streams end at the next break.
func (l *logStreamer) gone(uid types.UID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.live {
		if k.pod == uid {
			l.live[k] = false
		}
	}
	l.notify()
}

func (l *logStreamer) isLive(key streamKey) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live[key]
}

// drain waits up to grace for the streams to reach the end of their logs,
// then cuts the rest off.
func (l *logStreamer) drain(grace time.Duration) {
	l.mu.Lock()
	for k := range l.live {
		l.live[k] = false
	}
	l.notify()
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		l.stop()
		<-done
	}
	l.stop()
}

// follow streams one container run. The log is read with timestamps, which
// are cut off before printing: when the stream breaks while the container
// still runs (the API server restarted, say), it is opened again from the
// last timestamp seen and the lines already printed are skipped, so nothing
// is lost and nothing shown twice.
func (l *logStreamer) follow(podName string, key streamKey, color int) {
	defer l.wg.Done()
	prefix := "[" + Printable(podName) + "/" + Printable(key.container) + "]"
	var last time.Time
	atLast := 0 // lines printed with timestamp last
	delay := 250 * time.Millisecond
	for failures := 0; ; {
		opts := &corev1.PodLogOptions{Container: key.container, Follow: true, Timestamps: true}
		if !last.IsZero() {
			// sinceTime has whole seconds: lines of that second come again
			// and are skipped below.
			t := metav1.NewTime(last)
			opts.SinceTime = &t
		}
		rc, err := l.src.PodLogs(l.ctx, l.ns, podName, opts)
		if err == nil {
			skip := atLast
			err = eachLine(rc, func(line string) {
				ts, text := splitTimestamp(line)
				if !ts.IsZero() && !last.IsZero() {
					if ts.Before(last) {
						return
					}
					if ts.Equal(last) {
						if skip > 0 {
							skip--
							return
						}
						atLast++
						l.out.logLine(prefix, color, text)
						return
					}
				}
				if !ts.IsZero() {
					last, atLast, skip = ts, 1, 0
				}
				l.out.logLine(prefix, color, text)
			})
			rc.Close()
			// A stream ends with its container, and the pod's status says
			// so a moment later; only a stream that ended with the run
			// still going (the server went away) is opened again.
			if err == nil && !l.awaitEnd(key, 2*time.Second) {
				return
			}
			failures = 0
		}
		if l.ctx.Err() != nil || apierrors.IsNotFound(err) {
			return
		}
		if err != nil {
			failures++
			// A finished run whose log cannot be read (its node is gone,
			// say) is not worth more than a few tries.
			if !l.isLive(key) && failures > 3 {
				return
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-l.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// eachLine calls fn with every line of r, the last one also when it has no
// newline. It returns nil at the end of r.
func eachLine(r io.Reader, fn func(string)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			fn(strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// splitTimestamp cuts the RFC 3339 timestamp that timestamps=true puts
// before each line. A line without one is returned whole with a zero time.
func splitTimestamp(line string) (time.Time, string) {
	head, rest, found := strings.Cut(line, " ")
	ts, err := time.Parse(time.RFC3339Nano, head)
	if err != nil {
		return time.Time{}, line
	}
	if !found {
		rest = ""
	}
	return ts, rest
}
