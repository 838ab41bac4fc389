// Package follow follows a Job to its end, as --wait and `kubectl job-wizard
// follow` do: it watches the Job and its pods (never polls), shows progress
// (a live bar on a terminal, one plain line per change elsewhere), streams
// container logs with --logs, calls out pods that are stuck, and reports why
// a failed Job failed.
package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// Options configure one follow.
type Options struct {
	// Timeout bounds the whole wait; 0 waits as long as it takes.
	Timeout time.Duration
	// StuckTimeout ends the wait when a pod has been stuck (see stuck) this
	// long; 0 never ends it, though the reason is still shown.
	StuckTimeout time.Duration
	// Logs streams every container's log to Out.
	Logs bool
	// MaxLogRequests bounds the log streams open at once with Logs; the
	// other containers wait for a free one. 0 is DefaultMaxLogRequests.
	MaxLogRequests int

	// Out gets container logs; ErrOut progress, events and the failure
	// report.
	Out, ErrOut io.Writer
	// OutTerminal and ErrTerminal say whether Out and ErrOut are terminals:
	// a live bar and escaped, colored output there, plain lines elsewhere.
	// DetectTerminals fills them in.
	OutTerminal, ErrTerminal bool
	// Color colors the log prefixes, one color per pod, on a terminal.
	Color bool

	// Again is the command that follows the Job again, told when the wait
	// ends with the Job still running (Ctrl-C, --timeout, a stuck pod).
	Again string

	// OnPod, when set, sees every state of every pod of the Job as the
	// watch delivers it, whole: --report, --save and the failure coach
	// (pkg/report) keep their own record from it, so pods deleted right
	// after (a TTL of 0) are still reported. It runs on the follow's one
	// goroutine and must not block.
	OnPod func(*corev1.Pod)
	// WholePods keeps every field of the pods for OnPod (--save writes
	// them); otherwise OnPod and Result.Pods see pods stripped to what the
	// follow and the reports read (stripPod), a kilobyte or two each.
	WholePods bool

	// now is the clock; tests set it.
	now func() time.Time
	// everyChange prints a plain progress line at every change, not at
	// the pace of progressEvery: the unit tests read the lines to know
	// what the follow has seen.
	everyChange bool
}

// DetectTerminals sets OutTerminal, ErrTerminal and Color from the writers
// and the environment (NO_COLOR, TERM=dumb).
func (o *Options) DetectTerminals() {
	o.OutTerminal = IsTerminal(o.Out)
	o.ErrTerminal = IsTerminal(o.ErrOut)
	o.Color = o.OutTerminal && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// Outcome is how a follow ended.
type Outcome string

const (
	Complete    Outcome = "Complete"
	Failed      Outcome = "Failed"
	Deleted     Outcome = "Deleted"     // the Job was deleted while followed
	TimedOut    Outcome = "TimedOut"    // Options.Timeout ran out
	Stuck       Outcome = "Stuck"       // a pod was stuck for Options.StuckTimeout
	Interrupted Outcome = "Interrupted" // the caller's context ended (Ctrl-C)
)

// Result tells how the follow ended and why.
type Result struct {
	Outcome Outcome
	// Job is the last state of the Job seen.
	Job *batchv1.Job
	// Reason and Message: of the Failed (or FailureTarget) condition; of
	// the stuck pod (ImagePullBackOff ...).
	Reason, Message string
	// Pod is the stuck pod; empty when the Job's pods cannot be created
	// (Reason FailedCreate) or Kueue cannot admit the Job (Reason
	// Inadmissible, Workload set).
	Pod string
	// Workload is the Kueue Workload that stayed inadmissible.
	Workload string
	// Pods are the Job's pods as last seen, deleted ones included, oldest
	// first.
	Pods []PodState
	// Elapsed is how long the follow took.
	Elapsed time.Duration

	again   string
	timeout time.Duration
	stuckAt time.Duration
}

// Err is nil for a Complete Job and otherwise one line saying what
// happened, for the last line of the command's output.
func (r *Result) Err() error {
	name := "job/" + r.Job.Name
	switch r.Outcome {
	case Complete:
		return nil
	case Failed:
		msg := name + " failed"
		if r.Reason != "" {
			msg += ": " + r.Reason
		}
		if r.Message != "" {
			msg += ": " + r.Message
		}
		return errors.New(termtext.OneLine(msg))
	case Deleted:
		return fmt.Errorf("%s was deleted while waiting for it", name)
	case TimedOut:
		return fmt.Errorf("timed out after %s waiting for %s, which keeps running; follow it again with: %s", r.timeout, name, r.again)
	case Stuck:
		if r.Workload != "" {
			return errors.New(termtext.OneLine(fmt.Sprintf("job/%s has been inadmissible in Kueue for %s: %s; %s is left suspended in its queue (see kubectl describe workload %s -n %s)",
				r.Job.Name, r.stuckAt, r.Message, name, r.Workload, r.Job.Namespace)))
		}
		if r.Pod == "" {
			return errors.New(termtext.OneLine(fmt.Sprintf("job/%s has not been able to create its pods for %s: %s; %s is left as it is (see kubectl describe %s -n %s)",
				r.Job.Name, r.stuckAt, r.Message, name, name, r.Job.Namespace)))
		}
		return errors.New(termtext.OneLine(fmt.Sprintf("pod %s has been stuck for %s: %s: %s; %s is left as it is (see kubectl describe pod %s -n %s)",
			r.Pod, r.stuckAt, r.Reason, r.Message, name, r.Pod, r.Job.Namespace)))
	case Interrupted:
		return fmt.Errorf("interrupted; %s keeps running; follow it again with: %s", name, r.again)
	}
	return fmt.Errorf("%s: %s", name, r.Outcome)
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && isTerminalFd(f.Fd())
}

// RunName follows the Job called name, as `kubectl job-wizard follow` does.
// The first read is retried while the server cannot be reached, within
// Options.Timeout; a Job that does not exist is an error.
func RunName(ctx context.Context, src Source, namespace, name string, o Options) (*Result, error) {
	getCtx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		getCtx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	var job *batchv1.Job
	var lastErr error
	warned := false
	backoff := wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 1 << 30, Cap: 30 * time.Second}
	err := wait.ExponentialBackoffWithContext(getCtx, backoff, func(ctx context.Context) (bool, error) {
		j, err := src.GetJob(ctx, namespace, name)
		if err == nil {
			job = j
			return true, nil
		}
		if !retriable(err) {
			return false, err
		}
		lastErr = err
		if !warned && o.ErrOut != nil {
			fmt.Fprintln(o.ErrOut, termtext.OneLine("cannot reach the API server ("+err.Error()+"); retrying"))
			warned = true
		}
		return false, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return &Result{Outcome: Interrupted, Job: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}, again: o.Again}, nil
		}
		if getCtx.Err() != nil {
			return &Result{Outcome: TimedOut, Job: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}, again: o.Again, timeout: o.Timeout}, nil
		}
		if lastErr != nil && errors.Is(err, context.DeadlineExceeded) {
			err = lastErr
		}
		return nil, err
	}
	return Run(ctx, src, job, o)
}

// retriable tells errors of an unreachable or overloaded server, which go
// away by waiting, from answers such as NotFound or Forbidden, which do not.
func retriable(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
			apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || apierrors.IsUnexpectedServerError(err)
	}
	return true // connection refused, reset, TLS handshake timeout ...
}

var errTimedOut = errors.New("--timeout ran out")

// WatchError is a watch the server refused, such as a user without the
// right to watch pods: waiting cannot mend it, so the follow ends with it.
type WatchError struct {
	Resource  string // jobs or pods
	Namespace string
	Err       error
}

func (e *WatchError) Error() string {
	return fmt.Sprintf("cannot watch %s in namespace %s: %v", e.Resource, e.Namespace, e.Err)
}
func (e *WatchError) Unwrap() error { return e.Err }

// event is one thing the watches saw, handed to the single goroutine that
// owns the follow's state.
type event struct {
	kind eventKind
	job  *batchv1.Job
	pod  *corev1.Pod
	wl   *cluster.KueueWorkload
	uid  types.UID // the pod an image is pulled for
	err  error
	// msg and at: a FailedCreate event's message and its last time.
	msg string
	at  time.Time
}

type eventKind int

const (
	jobChanged eventKind = iota
	jobGone
	jobSynced
	podChanged
	podGone
	pullStarted
	createFailed
	connLost
	connBack
	fatal
	workloadChanged
	workloadsOff // Kueue's Workloads cannot be read; the follow goes on without
)

type follower struct {
	// ctx is the follow's own context (requests made from its loop).
	ctx     context.Context
	src     Source
	o       Options
	ns      string
	name    string
	uid     types.UID
	job     *batchv1.Job
	jobSeen bool
	pods    map[types.UID]*podRecord
	counts  podCounts
	// intern shares the strings all the stripped pods repeat.
	intern interner
	// stuck are the records of pods in a stuck spell now.
	stuck map[types.UID]*podRecord
	// pulling are the pods a kubelet began to pull an image for.
	pulling map[types.UID]bool
	colors  int

	// createShown are the FailedCreate troubles told (createFailureKey);
	// createSince is when the current spell of pods refused at creation
	// began (zero: none), createMsg its last message; newestPod is the
	// latest creation time of a pod, which ends an older spell.
	createShown map[string]bool
	createSince time.Time
	createMsg   string
	createAt    time.Time
	newestPod   time.Time

	events chan event
	out    *output
	logs   *logStreamer
	start  time.Time

	// kq is the Job's Kueue Workload, when the Job is in a queue.
	kq kueueFollow

	suspendShown  bool
	deletingShown bool
	targetShown   bool
	offline       bool
	result        *Result
}

// quietContext keeps client-go's own complaints (a watch that broke, a
// relist), which it logs as errors, off the screen, where they would run
// through the progress bar: the follow reports connection trouble itself.
// Only the informers' context gets it, and only at the default verbosity,
// so -v=6 and -v=8 still show every request.
func quietContext(ctx context.Context) context.Context {
	if klog.V(2).Enabled() {
		return ctx
	}
	return klog.NewContext(ctx, logr.New(errorless{klog.FromContext(ctx).GetSink()}))
}

// errorless passes on what client-go logs at a verbosity asked for and
// drops its errors and level-0 notes.
type errorless struct{ logr.LogSink }

func (s errorless) Enabled(level int) bool { return level > 0 && s.LogSink.Enabled(level) }
func (s errorless) Info(level int, msg string, kv ...any) {
	if level > 0 {
		s.LogSink.Info(level, msg, kv...)
	}
}
func (errorless) Error(error, string, ...any)         {}
func (s errorless) WithValues(kv ...any) logr.LogSink { return errorless{s.LogSink.WithValues(kv...)} }
func (s errorless) WithName(name string) logr.LogSink { return errorless{s.LogSink.WithName(name)} }
func (s errorless) Init(info logr.RuntimeInfo)        { s.LogSink.Init(info) }

// Run follows job, as the create command just got it back or as read by
// RunName, until it ends, the timeout or a stuck pod ends the wait, or ctx
// is done. The error is for what cannot be waited out, such as no right to
// watch Jobs; how the Job ended is in the Result.
func Run(ctx context.Context, src Source, job *batchv1.Job, o Options) (*Result, error) {
	if o.now == nil {
		o.now = time.Now
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.ErrOut == nil {
		o.ErrOut = io.Discard
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	waitCtx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeoutCause(ctx, o.Timeout, errTimedOut)
		defer cancel()
	}

	f := &follower{
		ctx: runCtx, src: src, o: o, ns: job.Namespace, name: job.Name, uid: job.UID, job: job,
		pods:        map[types.UID]*podRecord{},
		counts:      newPodCounts(),
		stuck:       map[types.UID]*podRecord{},
		pulling:     map[types.UID]bool{},
		createShown: map[string]bool{},
		events:      make(chan event, 256),
		start:       o.now(),
	}
	f.out = newOutput(o.Out, o.ErrOut, o.OutTerminal, o.ErrTerminal, o.Color, o.now)
	f.out.everyChange = o.everyChange
	if o.ErrTerminal {
		max := -1
		if job.Spec.Completions != nil {
			max = int(*job.Spec.Completions)
		}
		f.out.newBar(max)
	}
	if o.Logs {
		f.logs = newLogStreamer(runCtx, src, f.ns, f.out, o.MaxLogRequests)
	}
	f.out.event("waiting for job/%s in namespace %s to complete (Ctrl-C stops waiting; the Job keeps running)", f.name, f.ns)

	selector, err := podSelector(job)
	if err != nil {
		return nil, err
	}
	var informers sync.WaitGroup
	informCtx := quietContext(runCtx)
	f.startInformer(informCtx, &informers, "jobs", &batchv1.Job{},
		func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", f.name).String()
			return src.ListJobs(ctx, f.ns, opts)
		},
		func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", f.name).String()
			return src.WatchJobs(ctx, f.ns, opts)
		},
		jobChanged, jobGone, jobSynced)
	f.startInformer(informCtx, &informers, "pods", &corev1.Pod{},
		func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.LabelSelector = selector
			return src.ListPods(ctx, f.ns, opts)
		},
		func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selector
			return src.WatchPods(ctx, f.ns, opts)
		},
		podChanged, podGone, -1)
	// A kubelet reports ContainerCreating while it pulls an image and tells
	// the pull only in an event: one more watch, of Pulling events alone,
	// so the progress can say Pulling. Without the right to watch events the
	// progress says ContainerCreating, as kubectl does.
	pulling := fields.Set{"involvedObject.kind": "Pod", "reason": "Pulling"}.AsSelector().String()
	listPulling, watchPulling := f.eventsWhere(src, pulling)
	f.startInformer(informCtx, &informers, "events", &corev1.Event{}, listPulling, watchPulling, pullStarted, -1, -1)
	// Pods the API server refuses (Pod Security, a ResourceQuota, a
	// webhook, a missing ServiceAccount) are told only by the Job
	// controller's FailedCreate events on the Job.
	refused := fields.Set{"involvedObject.uid": string(f.uid), "reason": failedCreateReason}.AsSelector().String()
	listRefused, watchRefused := f.eventsWhere(src, refused)
	f.startInformer(informCtx, &informers, "events", &corev1.Event{}, listRefused, watchRefused, createFailed, -1, -1)
	f.startWorkloads(informCtx, &informers, job)
	defer func() {
		stop()
		informers.Wait()
	}()

	f.onJob(job, false)
	f.show()
	stuckTimer := time.NewTimer(time.Hour)
	defer stuckTimer.Stop()
	// The bar's clock moves each second; without a terminal the second
	// tells a change held back until its line is due (plainDue).
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for f.result == nil {
		f.armStuckTimer(stuckTimer)
		select {
		case ev := <-f.events:
			if err := f.handle(ev); err != nil {
				return nil, f.fail(err)
			}
			// Take what else has come before drawing, so a burst (the first
			// list of a hundred pods) is one update, not a hundred.
		more:
			for f.result == nil {
				select {
				case ev := <-f.events:
					if err := f.handle(ev); err != nil {
						return nil, f.fail(err)
					}
				default:
					break more
				}
			}
		case <-stuckTimer.C:
		case <-tick.C:
			if o.ErrTerminal {
				f.out.tick()
				continue
			}
		case <-waitCtx.Done():
			if ctx.Err() == nil && errors.Is(context.Cause(waitCtx), errTimedOut) {
				f.end(&Result{Outcome: TimedOut, timeout: o.Timeout})
			} else {
				f.end(&Result{Outcome: Interrupted})
			}
			continue
		}
		f.checkStuck()
		if f.result == nil {
			f.show()
		}
	}
	return f.finish(ctx), nil
}

// podSelector selects the Job's pods: by the Job's own selector, which the
// API server sets to the controller-uid label, so pods of an earlier Job of
// the same name are left out; else by the job-name label.
func podSelector(job *batchv1.Job) (string, error) {
	if job.Spec.Selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
		if err != nil {
			return "", fmt.Errorf("job/%s has a selector that does not parse: %w", job.Name, err)
		}
		if !sel.Empty() {
			return sel.String(), nil
		}
	}
	return batchv1.JobNameLabel + "=" + job.Name, nil
}

// eventsWhere are the list and watch of the namespace's events that the
// field selector selects, for an informer that needs only those.
func (f *follower) eventsWhere(src Source, selector string) (
	func(context.Context, metav1.ListOptions) (runtime.Object, error),
	func(context.Context, metav1.ListOptions) (watch.Interface, error)) {
	list := func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		opts.FieldSelector = selector
		return src.ListEvents(ctx, f.ns, opts)
	}
	watchFn := func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.FieldSelector = selector
		return src.WatchEvents(ctx, f.ns, opts)
	}
	return list, watchFn
}

// startInformer runs a client-go informer over list and watch. The
// informer's reflector resumes a broken watch from the last resourceVersion
// it saw, lists again when that version has expired, and retries a server
// it cannot reach with backoff; its store tells what was added, changed or
// deleted meanwhile. The handlers only pass events on to Run's loop.
func (f *follower) startInformer(ctx context.Context, wg *sync.WaitGroup, what string, obj runtime.Object,
	list func(context.Context, metav1.ListOptions) (runtime.Object, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error),
	changed, gone, synced eventKind) {
	ctx, stop := context.WithCancel(ctx)
	optional := what == "events" || what == "workloads"
	report := func(err error) {
		switch {
		case ctx.Err() != nil:
		case err == nil:
			f.send(ctx, event{kind: connBack})
		case what == "workloads" && workloadsUnavailable(err):
			f.send(ctx, event{kind: workloadsOff})
			stop()
		case optional && (apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)):
			stop() // retrying would only ask again for what is refused
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
			f.send(ctx, event{kind: fatal, err: &WatchError{Resource: what, Namespace: f.ns, Err: err}})
		case apierrors.IsResourceExpired(err) || apierrors.IsGone(err):
			// The reflector lists again; nothing is lost.
		default:
			f.send(ctx, event{kind: connLost, err: err})
		}
	}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			out, err := list(ctx, opts)
			report(err)
			return out, err
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			w, err := watchFn(ctx, opts)
			report(err)
			return w, err
		},
	}
	var deliver func(o any, kind eventKind)
	deliver = func(o any, kind eventKind) {
		switch v := o.(type) {
		case *batchv1.Job:
			f.send(ctx, event{kind: kind, job: v})
		case *corev1.Pod:
			f.send(ctx, event{kind: kind, pod: v})
		case *unstructured.Unstructured:
			// The fake dynamic client of the tests ignores label
			// selectors in watches.
			if wl := f.workloadOf(v); wl != nil {
				f.send(ctx, event{kind: kind, wl: wl})
			}
		case *corev1.Event:
			// The fake clientset of the tests ignores field selectors, so
			// each informer checks what its selector asked for.
			switch {
			case kind == pullStarted && v.Reason == "Pulling" && v.InvolvedObject.Kind == "Pod":
				f.send(ctx, event{kind: kind, uid: v.InvolvedObject.UID})
			case kind == createFailed && v.Reason == failedCreateReason && v.InvolvedObject.UID == f.uid:
				at := v.LastTimestamp.Time
				if at.IsZero() {
					at = v.EventTime.Time
				}
				f.send(ctx, event{kind: kind, msg: v.Message, at: at})
			}
		case cache.DeletedFinalStateUnknown:
			deliver(v.Obj, kind)
		}
	}
	_, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.ToListWatcherWithWatchListSemantics(lw, f.src),
		ObjectType:    obj,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { deliver(o, changed) },
			UpdateFunc: func(_, o any) { deliver(o, changed) },
			DeleteFunc: func(o any) {
				if gone >= 0 {
					deliver(o, gone)
				}
			},
		},
		// --save keeps whole pods (its pod.yaml); otherwise the store
		// holds only what the follow and the reports read (stripPod).
		Transform: func(o any) (any, error) {
			if p, isPod := o.(*corev1.Pod); isPod && f.o.WholePods {
				p.ManagedFields = nil
				return p, nil
			}
			return stripObject(o, &f.intern)
		},
	})
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer stop()
		ctrl.RunWithContext(ctx)
	}()
	go func() {
		defer wg.Done()
		if cache.WaitForCacheSync(ctx.Done(), ctrl.HasSynced) && synced >= 0 {
			f.send(ctx, event{kind: synced})
		}
	}()
}

func (f *follower) send(ctx context.Context, ev event) {
	select {
	case f.events <- ev:
	case <-ctx.Done():
	}
}

func (f *follower) handle(ev event) error {
	switch ev.kind {
	case jobChanged:
		if ev.job.Name == f.name {
			f.onJob(ev.job, true)
		}
	case jobGone:
		if ev.job.Name == f.name && ev.job.UID == f.uid {
			f.end(&Result{Outcome: Deleted})
		}
	case jobSynced:
		if !f.jobSeen {
			f.end(&Result{Outcome: Deleted})
		}
	case podChanged:
		f.onPod(ev.pod)
	case podGone:
		if rec := f.pods[ev.pod.UID]; rec != nil && !rec.gone {
			f.uncount(rec)
			rec.gone = true
			rec.stuckWhy = ""
			delete(f.stuck, ev.pod.UID)
			if f.logs != nil {
				f.logs.gone(ev.pod.UID)
			}
		}
	case pullStarted:
		if !f.pulling[ev.uid] {
			f.pulling[ev.uid] = true
			if rec := f.pods[ev.uid]; rec != nil && !rec.gone {
				f.uncount(rec)
				f.count(rec)
			}
		}
	case createFailed:
		f.onCreateFailed(ev.msg, ev.at)
	case workloadChanged:
		f.onWorkload(f.ctx, ev.wl)
	case workloadsOff:
		f.kq.watching, f.kq.state = false, ""
	case connLost:
		if !f.offline {
			f.offline = true
			f.out.event("lost the connection to the API server (%s); retrying", ev.err)
		}
	case connBack:
		if f.offline {
			f.offline = false
			f.out.event("connected to the API server again")
		}
	case fatal:
		return ev.err
	}
	return nil
}

func (f *follower) onJob(job *batchv1.Job, fromWatch bool) {
	if fromWatch {
		if job.UID != f.uid {
			// A new Job of the same name: the one followed is gone.
			f.end(&Result{Outcome: Deleted})
			return
		}
		f.jobSeen = true
	}
	f.job = job
	suspended := job.Spec.Suspend != nil && *job.Spec.Suspend
	queue := job.Labels["kueue.x-k8s.io/queue-name"]
	if suspended && !f.suspendShown && queue != "" && f.kq.wl != nil {
		// Suspended again (preempted, evicted): the Workload tells why.
	} else if suspended && !f.suspendShown && queue != "" {
		// Resuming it by hand would bypass the queue; Kueue resumes it
		// once its ClusterQueue has quota.
		f.out.event("job/%s is queued in Kueue's LocalQueue %s; waiting until Kueue admits it (kubectl get workloads -n %s)", f.name, queue, f.ns)
	} else if suspended && !f.suspendShown {
		f.out.event("job/%s is suspended; waiting until it is resumed (kubectl patch job %s -n %s --type=merge -p '{\"spec\":{\"suspend\":false}}')", f.name, f.name, f.ns)
	} else if !suspended && f.suspendShown && queue != "" {
		if !f.kq.admittedShown {
			f.out.event("job/%s was admitted by Kueue", f.name)
		}
	} else if !suspended && f.suspendShown {
		f.out.event("job/%s was resumed", f.name)
	}
	f.suspendShown = suspended
	if job.DeletionTimestamp != nil && !f.deletingShown {
		f.deletingShown = true
		f.out.event("job/%s is being deleted", f.name)
	}

	// SuccessCriteriaMet and FailureTarget settle the outcome, but the
	// counts are final only with Complete or Failed, once the remaining
	// pods are gone: the wait ends there, and tells the target meanwhile.
	switch c := firstTrue(job, batchv1.JobComplete, batchv1.JobFailed, batchv1.JobSuccessCriteriaMet, batchv1.JobFailureTarget); {
	case c == nil:
	case c.Type == batchv1.JobComplete:
		f.end(&Result{Outcome: Complete, Reason: c.Reason, Message: c.Message})
	case c.Type == batchv1.JobFailed:
		f.end(&Result{Outcome: Failed, Reason: c.Reason, Message: c.Message})
	case !f.targetShown && c.Type == batchv1.JobFailureTarget:
		f.targetShown = true
		f.out.event("job/%s is failing (%s: %s); waiting for its pods to stop", f.name, c.Reason, c.Message)
	case !f.targetShown && job.Status.Active > 0:
		f.targetShown = true
		f.out.event("job/%s met its success criteria (%s); waiting for its remaining pods to stop", f.name, c.Reason)
	}
}

// firstTrue returns the first of the condition types that is True on the
// Job, in the order given.
func firstTrue(job *batchv1.Job, types ...batchv1.JobConditionType) *batchv1.JobCondition {
	for _, t := range types {
		if c := conditionTrue(job, t); c != nil {
			return c
		}
	}
	return nil
}

func (f *follower) onPod(pod *corev1.Pod) {
	if ref := metav1.GetControllerOf(pod); ref == nil || ref.UID != f.uid {
		return
	}
	rec := f.pods[pod.UID]
	if rec == nil {
		rec = &podRecord{color: f.colors}
		f.colors++
		f.pods[pod.UID] = rec
		f.onNewPod(pod)
	}
	if !rec.gone {
		f.uncount(rec)
	}
	rec.pod = pod
	rec.gone = false
	if f.o.OnPod != nil {
		f.o.OnPod(pod)
	}
	f.count(rec)

	if pod.Status.Phase == corev1.PodFailed && !rec.shownFail {
		rec.shownFail = true
		f.out.event("pod %s%s failed: %s", pod.Name, indexNote(pod), describeFailure(pod))
	}
	reason, msg := stuck(pod)
	switch {
	case reason == "":
		rec.stuckWhy, rec.stuckKey = "", ""
		delete(f.stuck, pod.UID)
	default:
		if rec.stuckWhy == "" {
			rec.stuckSince = f.o.now()
			f.stuck[pod.UID] = rec
		}
		rec.stuckWhy, rec.stuckMsg = reason, msg
		// ErrImagePull and ImagePullBackOff take turns while the kubelet
		// retries; that is one trouble, told once.
		key := reason
		if reason == "ErrImagePull" || reason == "ImagePullBackOff" {
			key = "pull"
		}
		if key != rec.stuckKey {
			rec.stuckKey = key
			limit := "--stuck-timeout is 0, so the wait goes on"
			if f.o.StuckTimeout > 0 {
				limit = fmt.Sprintf("the wait gives up in %s unless it recovers", f.o.StuckTimeout)
			}
			f.out.event("pod %s%s is stuck: %s: %s (%s)", pod.Name, indexNote(pod), reason, msg, limit)
		}
	}
	if f.logs != nil {
		f.logs.update(pod, rec.color)
	}
}

func indexNote(pod *corev1.Pod) string {
	if idx := completionIndex(pod); idx != "" {
		return " (index " + idx + ")"
	}
	return ""
}

// describeFailure is "container main exited with code 1 (Error)", for every
// failed container, or the pod's own reason when no container says more.
func describeFailure(pod *corev1.Pod) string {
	var parts []string
	for _, fl := range failures(pod) {
		kind := "container"
		if fl.Init {
			kind = "init container"
		}
		s := fmt.Sprintf("%s %s exited with code %d", kind, fl.Container, fl.ExitCode)
		if fl.Reason != "" {
			s += " (" + fl.Reason + ")"
		}
		if fl.Previous {
			s += " in its last run"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		s := "phase " + string(pod.Status.Phase)
		if pod.Status.Reason != "" {
			s = pod.Status.Reason
		}
		if pod.Status.Message != "" {
			s += ": " + pod.Status.Message
		}
		return s
	}
	return strings.Join(parts, "; ")
}

func (f *follower) end(r *Result) {
	if f.result == nil {
		f.result = r
	}
}

// count adds the record's pod to the counts; uncount takes it out again.
func (f *follower) count(rec *podRecord) {
	st := podStatus(rec.pod)
	if f.pulling[rec.pod.UID] && (st == "ContainerCreating" || strings.HasPrefix(st, "Init:0/")) {
		st = "Pulling"
	}
	rec.status, rec.restarts, rec.started = st, podRestarts(rec.pod), rec.pod.Status.Phase != corev1.PodPending
	f.counts.add(rec.status, rec.restarts, rec.started, 1)
}

func (f *follower) uncount(rec *podRecord) {
	f.counts.add(rec.status, rec.restarts, rec.started, -1)
	rec.status, rec.restarts, rec.started = "", 0, false
}

func (f *follower) show() {
	f.out.status(f.kueueState(summarize(f.job, f.counts)))
}

// onCreateFailed tells a FailedCreate event's trouble once, and starts a
// spell of pods refused at creation unless a pod was created since.
func (f *follower) onCreateFailed(msg string, at time.Time) {
	key := createFailureKey(msg)
	cause := createFailureCause(msg, f.ns)
	if !f.createShown[key] {
		f.createShown[key] = true
		limit := "--stuck-timeout is 0, so the wait goes on"
		if f.o.StuckTimeout > 0 {
			limit = fmt.Sprintf("the wait gives up in %s unless a pod is created", f.o.StuckTimeout)
		}
		f.out.event("job/%s cannot create its pods: %s (%s)", f.name, cause, limit)
	}
	if !at.IsZero() && at.Before(f.newestPod) {
		return // a pod was created after this refusal
	}
	if f.createSince.IsZero() {
		f.createSince = f.o.now()
	}
	f.createMsg, f.createAt = cause, at
}

// onNewPod ends a spell of refused creations: pods can be created again.
func (f *follower) onNewPod(pod *corev1.Pod) {
	t := pod.CreationTimestamp.Time
	if t.After(f.newestPod) {
		f.newestPod = t
	}
	if !f.createSince.IsZero() && (f.createAt.IsZero() || t.After(f.createAt)) {
		f.createSince = time.Time{}
	}
}

// createStuck tells whether the Job's pods have been refused at creation
// with none of its pods running, so nothing can come of waiting.
func (f *follower) createStuck() bool {
	return !f.createSince.IsZero() && f.job.Status.Active == 0 && conditionTrue(f.job, batchv1.JobComplete) == nil
}

func (f *follower) armStuckTimer(t *time.Timer) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	d := time.Hour
	if f.o.StuckTimeout > 0 {
		for _, rec := range f.stuck {
			d = min(d, rec.stuckSince.Add(f.o.StuckTimeout).Sub(f.o.now()))
		}
		if f.createStuck() {
			d = min(d, f.createSince.Add(f.o.StuckTimeout).Sub(f.o.now()))
		}
		if !f.kq.inadmissibleSince.IsZero() {
			d = min(d, f.kq.inadmissibleSince.Add(f.o.StuckTimeout).Sub(f.o.now()))
		}
	}
	t.Reset(max(d, time.Millisecond))
}

func (f *follower) checkStuck() {
	if f.o.StuckTimeout <= 0 || f.result != nil {
		return
	}
	var worst *podRecord
	for _, rec := range f.stuck {
		if f.o.now().Sub(rec.stuckSince) < f.o.StuckTimeout {
			continue
		}
		if worst == nil || rec.stuckSince.Before(worst.stuckSince) {
			worst = rec
		}
	}
	if worst != nil {
		f.end(&Result{Outcome: Stuck, Pod: worst.pod.Name, Reason: worst.stuckWhy, Message: worst.stuckMsg, stuckAt: f.o.StuckTimeout})
		return
	}
	if f.createStuck() && f.o.now().Sub(f.createSince) >= f.o.StuckTimeout {
		f.end(&Result{Outcome: Stuck, Reason: failedCreateReason, Message: f.createMsg, stuckAt: f.o.StuckTimeout})
		return
	}
	if k := f.kq; !k.inadmissibleSince.IsZero() && f.o.now().Sub(k.inadmissibleSince) >= f.o.StuckTimeout {
		f.end(&Result{Outcome: Stuck, Reason: wlInadmissible, Message: k.inadmissibleMsg, Workload: k.wl.Metadata.Name, stuckAt: f.o.StuckTimeout})
	}
}

// fail ends the follow on an error that waiting cannot mend: the log
// streams get to their ends and are waited for, so none prints after the
// error does.
func (f *follower) fail(err error) error {
	if f.logs != nil {
		f.logs.drain(3 * time.Second)
	}
	f.out.finish()
	return err
}

// finish ends the display, lets the log streams reach their ends, and
// reports a failure.
func (f *follower) finish(ctx context.Context) *Result {
	r := f.result
	r.Job = f.job
	r.again = f.o.Again
	r.Elapsed = f.o.now().Sub(f.start)
	r.Pods = podStates(f.pods)
	if r.Outcome != Deleted && r.Outcome != Interrupted {
		f.out.final(f.kueueState(summarize(f.job, f.counts)))
	}
	if f.logs != nil {
		grace := 3 * time.Second
		if r.Outcome == Interrupted {
			grace = 0
		}
		f.logs.drain(grace)
	}
	f.out.finish()
	if r.Outcome == Failed && ctx.Err() == nil {
		f.report(ctx)
	}
	return r
}
