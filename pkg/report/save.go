package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
)

// saveStreams bounds the log streams --save holds open at once.
const saveStreams = 16

// CheckSaveDir refuses a --save folder that exists and is not empty (two
// runs must not mix) or is not a folder, and makes a new one. It is called
// before anything is sent.
func CheckSaveDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("exists and is not empty (%d entries); give a new or empty folder, so two runs do not mix", len(entries))
	case err == nil:
		return nil
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot be made: %v", unwrapPath(err))
		}
		return nil
	}
	if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
		return fmt.Errorf("is a file, not a folder")
	}
	return fmt.Errorf("cannot be read: %v", unwrapPath(err))
}

// Saver is --save: it keeps the last state of every pod (OnPod) and copies
// every container run's log into DIR while the run goes on, streaming it
// from the moment the run starts, so a pod deleted at once (a TTL of 0,
// the Job controller's cleanup) loses nothing. Finish writes the Job, the
// pods and the events beside the logs.
//
// The layout (docs/REPORT.md): job.yaml, events.yaml, pods/POD/pod.yaml,
// pods/POD/CONTAINER.log (the first run) and pods/POD/CONTAINER.N.log (the
// run after the Nth restart in place, restartPolicy OnFailure).
type Saver struct {
	dir string
	src follow.Source
	ns  string
	// ctx outlives the command's, so Ctrl-C still leaves a full folder.
	ctx    context.Context
	cancel context.CancelFunc

	wg  sync.WaitGroup
	sem chan struct{}

	mu   sync.Mutex
	pods map[types.UID]*corev1.Pod
	runs map[runKey]*capture
}

// runKey is one run of one container.
type runKey struct {
	uid       types.UID
	pod       string
	container string
	run       int32
}

type capture struct {
	busy bool // a read is under way
	ok   bool
	err  error
	// tries are the reads that failed.
	tries int
}

// NewSaver saves into dir, which CheckSaveDir made.
func NewSaver(ctx context.Context, src follow.Source, namespace, dir string) *Saver {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &Saver{dir: dir, src: src, ns: namespace, ctx: ctx, cancel: cancel, sem: make(chan struct{}, saveStreams),
		pods: map[types.UID]*corev1.Pod{}, runs: map[runKey]*capture{}}
}

// OnPod is follow.Options.OnPod: it keeps the pod and starts copying the
// log of each container run that started (following it) or ended.
func (s *Saver) OnPod(p *corev1.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pods[p.UID] = p
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			key := runKey{p.UID, p.Name, cs.Name, cs.RestartCount}
			switch {
			case cs.State.Running != nil:
				s.start(key, true, false)
			case cs.State.Terminated != nil && cs.State.Terminated.ContainerID != "":
				s.start(key, false, false)
			}
			if t := cs.LastTerminationState.Terminated; t != nil && t.ContainerID != "" && cs.RestartCount > 0 {
				prev := key
				prev.run = cs.RestartCount - 1
				s.start(prev, false, true)
			}
		}
	}
}

// start reads a run's log unless it is being read or was read; a read that
// failed is tried again (at most three times) when news of the run comes.
// The caller holds mu.
func (s *Saver) start(key runKey, follow, previous bool) {
	c := s.runs[key]
	if c == nil {
		c = &capture{}
		s.runs[key] = c
	}
	if c.busy || c.ok || c.tries >= 3 {
		return
	}
	c.busy = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.copyLog(key, follow, previous)
		s.mu.Lock()
		defer s.mu.Unlock()
		c.busy = false
		if err != nil {
			c.err = err
			c.tries++
			return
		}
		c.ok, c.err = true, nil
	}()
}

func (s *Saver) copyLog(key runKey, follow, previous bool) error {
	select {
	case s.sem <- struct{}{}:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	defer func() { <-s.sem }()
	rc, err := s.src.PodLogs(s.ctx, s.ns, key.pod, &corev1.PodLogOptions{Container: key.container, Follow: follow, Previous: previous})
	if err != nil {
		return err
	}
	defer rc.Close()
	dir := filepath.Join(s.dir, "pods", fileName(key.pod))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := fileName(key.container)
	if key.run > 0 {
		name += "." + strconv.Itoa(int(key.run))
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && s.ctx.Err() != nil {
		// Cut off at the end of the follow: what came is kept.
		return nil
	}
	return err
}

// fileName keeps a name from the cluster a single path element.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_" + s
	}
	return s
}

// Finish waits up to grace for the logs under way (a container still
// running when the follow ended keeps what it wrote so far), then writes
// the Job, the pods and the events. It returns what could not be saved.
func (s *Saver) Finish(job *batchv1.Job, events []corev1.Event, grace time.Duration) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.cancel()
		<-done
	}
	s.cancel()

	var problems []string
	write := func(path string, obj any) {
		data, err := yaml.Marshal(obj)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(path), 0o755)
		}
		if err == nil {
			err = WriteFile(path, data)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
		}
	}
	if job != nil {
		j := job.DeepCopy()
		j.APIVersion, j.Kind = "batch/v1", "Job"
		write(filepath.Join(s.dir, "job.yaml"), j)
	}
	list := corev1.EventList{}
	list.APIVersion, list.Kind = "v1", "List"
	list.Items = append(list.Items, events...)
	write(filepath.Join(s.dir, "events.yaml"), &list)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pods {
		pod := p.DeepCopy()
		pod.APIVersion, pod.Kind = "v1", "Pod"
		write(filepath.Join(s.dir, "pods", fileName(p.Name), "pod.yaml"), pod)
	}
	var keys []runKey
	for k, c := range s.runs {
		if !c.ok && c.err != nil {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].pod < keys[j].pod || keys[i].pod == keys[j].pod && keys[i].container < keys[j].container
	})
	for _, k := range keys {
		problems = append(problems, fmt.Sprintf("log of %s/%s (run %d): %v", k.pod, k.container, k.run, s.runs[k].err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("--save %s: not saved: %s", s.dir, strings.Join(problems, "; "))
	}
	return nil
}
