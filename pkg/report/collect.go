package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
)

const (
	// maxTails bounds the logs a report reads: an Indexed Job with ten
	// thousand failed indexes costs a hundred requests, not ten thousand.
	maxTails = 100
	// tailRequests are the log reads at once.
	tailRequests = 4
)

// Recorder keeps every pod of a followed Job (Options.OnPod) and reads the
// end of each failed container's log as soon as the failure shows, before
// the Job controller or a TTL of 0 deletes the pod and its log with it.
type Recorder struct {
	src follow.Source
	ns  string
	// ctx outlives the command's: the report is written after Ctrl-C too.
	ctx    context.Context
	cancel context.CancelFunc

	wg  sync.WaitGroup
	sem chan struct{}

	mu    sync.Mutex
	pods  map[types.UID]*corev1.Pod
	tails map[LogKey]Tail
	asked map[LogKey]bool
}

// NewRecorder records the pods of a Job in namespace.
func NewRecorder(ctx context.Context, src follow.Source, namespace string) *Recorder {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &Recorder{src: src, ns: namespace, ctx: ctx, cancel: cancel, sem: make(chan struct{}, tailRequests),
		pods: map[types.UID]*corev1.Pod{}, tails: map[LogKey]Tail{}, asked: map[LogKey]bool{}}
}

// OnPod is follow.Options.OnPod: it keeps the pod's latest state and starts
// reading the logs of containers that just failed. It does not block.
func (r *Recorder) OnPod(p *corev1.Pod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pods[p.UID] = p
	for _, key := range FailedLogs(p) {
		if r.asked[key] {
			continue
		}
		r.asked[key] = true
		if len(r.asked) > maxTails {
			r.tails[key] = Tail{Err: fmt.Sprintf("not read: more than %d failed containers; --save keeps every log", maxTails)}
			continue
		}
		r.wg.Add(1)
		go r.read(key)
	}
}

func (r *Recorder) read(key LogKey) {
	defer r.wg.Done()
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return
	}
	defer func() { <-r.sem }()
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	lines, err := follow.ReadTail(ctx, r.src, r.ns, key.Pod, key.Container, key.Previous, LogLines)
	t := Tail{Lines: lines}
	switch {
	case apierrors.IsNotFound(err):
		t.Err = "the pod was deleted before its log was read"
	case err != nil:
		t.Err = "cannot read the log: " + err.Error()
	}
	r.mu.Lock()
	r.tails[key] = t
	r.mu.Unlock()
}

// Finish waits up to grace for the log reads under way, then gives up on
// the rest, and returns what was seen for Build.
func (r *Recorder) Finish(res *follow.Result, grace time.Duration) Input {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		r.cancel()
		<-done
	}
	r.cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	in := Input{Job: res.Job, Outcome: string(res.Outcome), Reason: res.Reason, Message: res.Message, StuckPod: res.Pod,
		End: time.Now(), Logs: map[LogKey]Tail{}}
	for _, p := range r.pods {
		in.Pods = append(in.Pods, p)
	}
	for k, t := range r.tails {
		in.Logs[k] = t
	}
	for k := range r.asked {
		if _, ok := in.Logs[k]; !ok {
			in.Logs[k] = Tail{Err: "not read in time"}
		}
	}
	return in
}
