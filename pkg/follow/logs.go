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

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// streamKey names one run of one container: a container restarted in place
// (restartPolicy OnFailure) is a new run with a log of its own.
type streamKey struct {
	pod       types.UID
	container string
	restart   int32
}

// DefaultMaxLogRequests is --max-log-requests' default: kubectl logs'
// own, so following a Job's logs costs the API server and the kubelets no
// more than the kubectl command people already run (each stream holds a
// connection from the API server to a kubelet open).
const DefaultMaxLogRequests = 5

// logStreamer follows the log of every container run of the Job's pods as
// it starts, each in its own goroutine, until the run ends; at most slots
// at once, the others queued in the order they started. A run whose turn
// comes after it ended is read whole at once.
type logStreamer struct {
	src   Source
	ns    string
	out   *output
	ctx   context.Context
	slots int

	stop func()
	wg   sync.WaitGroup

	mu       sync.Mutex
	started  map[streamKey]bool
	live     map[streamKey]bool // false once the run is over or its pod gone
	byPod    map[types.UID][]streamKey
	changed  chan struct{} // closed and replaced at every update
	open     int           // streams open or opening
	queue    []queuedRun   // runs waiting for a free stream
	told     bool          // the wait for a stream was told
	finished int           // runs read to their end, for drain
}

type queuedRun struct {
	pod   string
	key   streamKey
	color int
}

func newLogStreamer(ctx context.Context, src Source, ns string, out *output, slots int) *logStreamer {
	ctx, cancel := context.WithCancel(ctx)
	if slots <= 0 {
		slots = DefaultMaxLogRequests
	}
	return &logStreamer{src: src, ns: ns, out: out, ctx: ctx, stop: cancel, slots: slots,
		started: map[streamKey]bool{}, live: map[streamKey]bool{}, byPod: map[types.UID][]streamKey{}, changed: make(chan struct{})}
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
		if !l.started[key] {
			l.started[key] = true
			l.byPod[pod.UID] = append(l.byPod[pod.UID], key)
			l.queue = append(l.queue, queuedRun{pod.Name, key, color})
			if l.open >= l.slots && !l.told {
				l.told = true
				l.out.event("more containers than --max-log-requests=%d: the other logs wait for a free stream, and come whole once their container has ended", l.slots)
			}
			l.startQueued()
		}
		l.mu.Unlock()
	}
}

// startQueued opens streams for queued runs while slots are free; the
// caller holds mu.
func (l *logStreamer) startQueued() {
	for l.open < l.slots && len(l.queue) > 0 {
		run := l.queue[0]
		l.queue[0] = queuedRun{}
		l.queue = l.queue[1:]
		l.open++
		l.wg.Add(1)
		go l.follow(run.pod, run.key, run.color)
	}
}

// release frees the stream of a run read to its end for the next in line.
func (l *logStreamer) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	l.finished++
	if l.ctx.Err() != nil {
		l.queue = nil
	}
	l.startQueued()
}

// gone notes that a pod was deleted: its streams end at the next break.
func (l *logStreamer) gone(uid types.UID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range l.byPod[uid] {
		l.live[k] = false
	}
	l.notify()
}

func (l *logStreamer) isLive(key streamKey) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live[key]
}

// drain lets the streams reach the end of their logs and the queued runs
// be read, and cuts the rest off once grace passes with no run finished.
func (l *logStreamer) drain(grace time.Duration) {
	l.mu.Lock()
	for k := range l.live {
		l.live[k] = false
	}
	l.notify()
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	if grace <= 0 {
		l.stop()
	}
	poll := time.NewTicker(min(max(grace/10, time.Millisecond), 100*time.Millisecond))
	defer poll.Stop()
	lastFinished, lastAt := -1, time.Now()
	for {
		select {
		case <-done:
			l.stop()
			return
		case <-poll.C:
			l.mu.Lock()
			n := l.finished
			l.mu.Unlock()
			if n != lastFinished {
				lastFinished, lastAt = n, time.Now()
			} else if time.Since(lastAt) >= grace {
				l.stop()
			}
		}
	}
}

// follow streams one container run. The log is read with timestamps, which
// are cut off before printing: when the stream breaks while the container
// still runs (the API server restarted, say), it is opened again from the
// last timestamp seen and the lines already printed are skipped, so nothing
// is lost and nothing shown twice.
// logPrefix is the [pod/container] before each log line.
func logPrefix(pod, container string) string {
	return "[" + termtext.Escape(pod) + "/" + termtext.Escape(container) + "]"
}

func (l *logStreamer) follow(podName string, key streamKey, color int) {
	defer l.wg.Done()
	defer l.release()
	prefix := logPrefix(podName, key.container)
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
