package wizard

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

const (
	qQueue     = "Kueue queue"
	qClass     = "Workload priority class"
	qQueueText = "Kueue LocalQueue (optional)"
	qDropQueue = "The cluster does not serve Kueue, so a queued Job would stay suspended forever. Drop the queue and the workload priority class?"
)

// fakeKueue is a cluster that may serve Kueue; it counts what it is asked.
type fakeKueue struct {
	fakeLookup
	served      bool
	servedErr   error
	queues      []lookup.LocalQueue
	defaultQ    string
	queuesErr   error
	classes     []lookup.WorkloadPriorityClass
	classesErr  error
	discoveries int
	kueueAsked  []string
}

func (f *fakeKueue) KueueServed(context.Context) (bool, error) {
	f.discoveries++
	return f.served, f.servedErr
}

func (f *fakeKueue) LocalQueues(_ context.Context, ns string) ([]lookup.LocalQueue, string, error) {
	f.kueueAsked = append(f.kueueAsked, "localqueues/"+ns)
	return f.queues, f.defaultQ, f.queuesErr
}

func (f *fakeKueue) WorkloadPriorityClasses(context.Context) ([]lookup.WorkloadPriorityClass, error) {
	f.kueueAsked = append(f.kueueAsked, "workloadpriorityclasses")
	return f.classes, f.classesErr
}

func withKueue() *fakeKueue {
	return &fakeKueue{served: true,
		queues: []lookup.LocalQueue{
			{Name: "default", ClusterQueue: "cq-a", Pending: 2, Admitted: 5, Active: true},
			{Name: "team-b", ClusterQueue: "cq-b"},
		},
		defaultQ: "default",
		classes:  []lookup.WorkloadPriorityClass{{Name: "high", Value: 1000, Description: "urgent"}, {Name: "low", Value: 100}},
	}
}

func asked(r *run, q string) bool { return slices.Contains(r.fake.asked, q) }

// named is base for a Spec that has its name already (flags, -f).
func named(extra map[string][]any) map[string][]any {
	a := base(extra)
	delete(a, qName)
	return a
}

func TestKueueQueueDefaultPreselectedAndPriorityClass(t *testing.T) {
	k := withKueue()
	r := walk(t, nil, base(map[string][]any{
		// No answer to qQueue: Enter takes the namespace's default LocalQueue.
		qClass:       {"high"},
		qJobAdvanced: {true},
	}), withLookup(k))
	job := mustWalk(t, r)
	if job.Labels[jobspec.QueueLabel] != "default" || job.Labels[jobspec.WorkloadPriorityClassLabel] != "high" {
		t.Errorf("labels: %v", job.Labels)
	}
	if job.Spec.Suspend == nil || !*job.Spec.Suspend {
		t.Error("a queued Job must be created suspended")
	}
	// The advanced settings do not ask to suspend a Job Kueue resumes.
	if asked(r, qSuspend) {
		t.Error("the suspend question was asked of a queued Job")
	}
	if got := r.fake.seen[qQueue]; !slices.Equal(got, []string{"No queue", "default", "team-b"}) {
		t.Errorf("queue options: %q", got)
	}
	if got := r.fake.seen[qClass]; !slices.Equal(got, []string{"None", "high", "low"}) {
		t.Errorf("class options: %q", got)
	}
	out := r.out.String()
	for _, want := range []string{"default (ClusterQueue cq-a)", "high (1000)", "yes, until Kueue admits it",
		"The Job is created suspended: Kueue starts it by resuming it once its ClusterQueue admits it."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(r.res.Command, "--queue=default") || !strings.Contains(r.res.Command, "--workload-priority-class=high") ||
		strings.Contains(r.res.Command, "--suspend") {
		t.Errorf("command: %s", r.res.Command)
	}
	if k.discoveries != 1 || !slices.Equal(k.kueueAsked, []string{"localqueues/", "workloadpriorityclasses"}) {
		t.Errorf("discoveries %d, asked %q", k.discoveries, k.kueueAsked)
	}
}

// The options carry each queue's ClusterQueue and counts.
func TestKueueQueueOptionsDescribeTheQueues(t *testing.T) {
	k := withKueue()
	fake := newFake(t, nil)
	w := New(Config{Prompter: fake, Out: &strings.Builder{}, Lookup: k})
	var got []Option
	w.p = recordSelect{Prompter: fake, on: qQueue, opts: &got}
	s := &jobspec.Spec{}
	if err := w.askKueue(s); err != nil {
		t.Fatal(err)
	}
	want := []string{"the Job starts at once, outside Kueue", "ClusterQueue cq-a, 2 pending, 5 admitted, the namespace's default",
		"ClusterQueue cq-b, 0 pending, 0 admitted, inactive"}
	var descs []string
	for _, o := range got {
		descs = append(descs, o.Description)
	}
	if !slices.Equal(descs, want) {
		t.Errorf("descriptions %q, want %q", descs, want)
	}
}

// recordSelect keeps the options of one Select.
type recordSelect struct {
	Prompter
	on   string
	opts *[]Option
}

func (r recordSelect) Select(q Select) (int, error) {
	if q.Message == r.on {
		*r.opts = q.Options
	}
	return r.Prompter.Select(q)
}

func TestKueueNoQueueAsksNoClass(t *testing.T) {
	k := withKueue()
	r := walk(t, nil, base(map[string][]any{qQueue: {"No queue"}}), withLookup(k))
	job := mustWalk(t, r)
	if _, ok := job.Labels[jobspec.QueueLabel]; ok || job.Spec.Suspend != nil {
		t.Errorf("labels %v, suspend %v", job.Labels, job.Spec.Suspend)
	}
	if asked(r, qClass) {
		t.Error("the priority class was asked without a queue")
	}
	if strings.Contains(r.res.Command, "--queue") {
		t.Errorf("command: %s", r.res.Command)
	}
}

// Without Kueue nothing is asked, and the discovery is the one request.
func TestKueueAbsentAsksNothing(t *testing.T) {
	k := &fakeKueue{}
	r := walk(t, nil, base(nil), withLookup(k))
	mustWalk(t, r)
	if asked(r, qQueue) || asked(r, qClass) || asked(r, qDropQueue) {
		t.Errorf("questions: %q", r.fake.asked)
	}
	if k.discoveries != 1 || len(k.kueueAsked) != 0 {
		t.Errorf("discoveries %d, asked %q", k.discoveries, k.kueueAsked)
	}
	// A Lookup that knows nothing of Kueue, or no cluster at all: the same.
	for _, o := range []opt{withLookup(&fakeLookup{}), func(*Config) {}} {
		r := walk(t, nil, base(nil), o)
		mustWalk(t, r)
		if asked(r, qQueue) {
			t.Errorf("questions: %q", r.fake.asked)
		}
	}
}

// A discovery that fails is said once and asks nothing.
func TestKueueDiscoveryFails(t *testing.T) {
	k := &fakeKueue{servedErr: errors.New("connection refused")}
	r := walk(t, nil, base(nil), withLookup(k))
	mustWalk(t, r)
	if asked(r, qQueue) {
		t.Errorf("questions: %q", r.fake.asked)
	}
	if !strings.Contains(r.out.String(), "Could not ask whether the cluster serves Kueue (connection refused); no queue is offered.") {
		t.Errorf("output:\n%s", r.out)
	}
}

// --queue on a cluster without Kueue: the wizard offers to drop it (the
// create would refuse it), and keeps it when told so.
func TestKueueAbsentOffersToDropTheFlagsQueue(t *testing.T) {
	for _, drop := range []bool{true, false} {
		spec := fromArgs(t, "--queue=team-a --workload-priority-class=high --image=busybox:1.36 report")
		r := walk(t, spec, named(map[string][]any{qDropQueue: {drop}}), withLookup(&fakeKueue{}))
		job := mustWalk(t, r)
		_, has := job.Labels[jobspec.QueueLabel]
		_, hasClass := job.Labels[jobspec.WorkloadPriorityClassLabel]
		if has == drop || hasClass == drop {
			t.Errorf("drop=%v: labels %v", drop, job.Labels)
		}
	}
}

// A queue the flags gave that the namespace lacks stays the default, said
// to be missing; the create's preflight refuses it with the reason.
func TestKueueFlagsQueueNotListed(t *testing.T) {
	k := withKueue()
	spec := fromArgs(t, "--queue=nope --workload-priority-class=gone --image=busybox:1.36 report")
	r := walk(t, spec, named(nil), withLookup(k))
	job := mustWalk(t, r)
	if job.Labels[jobspec.QueueLabel] != "nope" || job.Labels[jobspec.WorkloadPriorityClassLabel] != "gone" {
		t.Errorf("labels: %v", job.Labels)
	}
	if got := r.fake.seen[qQueue]; !slices.Equal(got, []string{"No queue", "default", "team-b", "nope"}) {
		t.Errorf("queue options: %q", got)
	}
	if got := r.fake.seen[qClass]; !slices.Equal(got, []string{"None", "high", "low", "gone"}) {
		t.Errorf("class options: %q", got)
	}
}

// Where the queues cannot be listed, the name is typed, and judged by
// --queue's rule.
func TestKueueQueuesForbiddenAsksText(t *testing.T) {
	k := withKueue()
	k.queuesErr = errors.New(`localqueues.kueue.x-k8s.io is forbidden`)
	k.classesErr = errors.New(`workloadpriorityclasses.kueue.x-k8s.io is forbidden`)
	r := walk(t, nil, base(map[string][]any{
		qQueueText:                           {"Team_A", "team-a"},
		"Workload priority class (optional)": {"high"},
	}), withLookup(k))
	job := mustWalk(t, r)
	wantRejected(t, r, qQueueText, `"Team_A": must name a Kueue object`)
	if job.Labels[jobspec.QueueLabel] != "team-a" || job.Labels[jobspec.WorkloadPriorityClassLabel] != "high" {
		t.Errorf("labels: %v", job.Labels)
	}
	for _, want := range []string{"Could not list LocalQueues", "Could not list WorkloadPriorityClasses"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
}

// A namespace without LocalQueues: said, not asked.
func TestKueueNamespaceWithoutQueues(t *testing.T) {
	k := &fakeKueue{served: true}
	r := walk(t, nil, base(nil), withLookup(k))
	mustWalk(t, r)
	if asked(r, qQueue) || !strings.Contains(r.out.String(), "has no Kueue LocalQueue; the Job runs without a queue.") {
		t.Errorf("questions %q\n%s", r.fake.asked, r.out)
	}
}

// queuedManifest is a Job in LocalQueue team-b with spec.suspend set.
func queuedManifest(suspend bool) string {
	return `apiVersion: batch/v1
kind: Job
metadata:
  name: report
  labels: {kueue.x-k8s.io/queue-name: team-b}
spec:
  suspend: ` + strconv.FormatBool(suspend) + `
  template:
    spec:
      restartPolicy: Never
      containers: [{name: report, image: busybox:1.36}]
`
}

// A manifest with the queue label and suspend: false is queued all the
// same; picking the queue makes the Spec say so, so the command (which may
// not say --suspend=false with --queue) builds the same Job.
func TestKueueManifestSuspendFalse(t *testing.T) {
	k := withKueue()
	spec := fromYAML(t, queuedManifest(false))
	r := walk(t, spec, named(nil), withLookup(k))
	job := mustWalk(t, r)
	if job.Labels[jobspec.QueueLabel] != "team-b" || !*job.Spec.Suspend || strings.Contains(r.res.Command, "--suspend") {
		t.Errorf("labels %v, suspend %v, command %s", job.Labels, *job.Spec.Suspend, r.res.Command)
	}
}

// Dropping a manifest's queue leaves spec.suspend as the manifest said, and
// says so: the advanced settings then ask.
func TestKueueDropManifestQueueKeepsSuspendVisible(t *testing.T) {
	k := withKueue()
	spec := fromYAML(t, queuedManifest(true))
	r := walk(t, spec, named(map[string][]any{qQueue: {"No queue"}, qSuspend: {false}}), withLookup(k))
	job := mustWalk(t, r)
	if _, ok := job.Labels[jobspec.QueueLabel]; ok || *job.Spec.Suspend {
		t.Errorf("labels %v, suspend %v", job.Labels, *job.Spec.Suspend)
	}
	if !strings.Contains(r.out.String(), "The Job is still created suspended (spec.suspend); the advanced settings can change that.") || !asked(r, qSuspend) {
		t.Errorf("questions %q\n%s", r.fake.asked, r.out)
	}
}

// The Kueue questions in Chinese.
func TestKueueQuestionsInChinese(t *testing.T) {
	k := withKueue()
	r := walk(t, nil, map[string][]any{
		"名称 (回车:按镜像命名)": {"report"},
		"Kueue 队列":      {"team-b"},
		"工作负载优先级类":      {"low"},
		"下一步做什么?":       {"打印 YAML"},
		"镜像":            {"busybox:1.36"},
	}, withLookup(k), withLang(i18n.Chinese))
	job := mustWalk(t, r)
	if job.Labels[jobspec.QueueLabel] != "team-b" || job.Labels[jobspec.WorkloadPriorityClassLabel] != "low" {
		t.Errorf("labels: %v\n%s", job.Labels, r.out)
	}
	if got := r.fake.seen["Kueue 队列"]; len(got) == 0 || got[0] != "不使用队列" {
		t.Errorf("options: %q", got)
	}
	if !strings.Contains(r.out.String(), "是,直到 Kueue 接纳它") {
		t.Errorf("review:\n%s", r.out)
	}
}
