package follow

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

var workloadsGVR = schema.GroupVersionResource{Group: cluster.KueueGroup, Version: "v1beta2", Resource: "workloads"}

// kueueSource is fakeSource with Workloads from the fake dynamic client
// and a visibility API that answers positions[name] (or not at all).
type kueueSource struct {
	*fakeSource
	dyn *dynamicfake.FakeDynamicClient

	mu        sync.Mutex
	positions map[string]int32
	asked     int
}

func newKueueSource() *kueueSource {
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{workloadsGVR: "WorkloadList"})
	return &kueueSource{fakeSource: newFakeSource(), dyn: dyn}
}

func (s *kueueSource) ListWorkloads(ctx context.Context, ns string, o metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	return s.dyn.Resource(workloadsGVR).Namespace(ns).List(ctx, o)
}
func (s *kueueSource) WatchWorkloads(ctx context.Context, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return s.dyn.Resource(workloadsGVR).Namespace(ns).Watch(ctx, o)
}
func (s *kueueSource) PendingPosition(_ context.Context, _, _, wl string) (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	n, ok := s.positions[wl]
	return n, ok
}

// queuedJob is testJob as the plugin sends it with --queue lq.
func queuedJob() *batchv1.Job {
	j := testJob("pi")
	j.Labels = map[string]string{queueLabel: "lq"}
	j.Spec.Suspend = new(true)
	return j
}

// workload is the Workload Kueue makes for the test Job, with status as
// JSON; uid names the Job it belongs to.
func workload(t *testing.T, uid, status string) *unstructured.Unstructured {
	t.Helper()
	var st map[string]any
	if err := json.Unmarshal([]byte(status), &st); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "Workload",
		"metadata": map[string]any{"name": "job-pi-" + uid[len(uid)-1:], "namespace": ns,
			"labels": map[string]any{cluster.WorkloadJobUIDLabel: uid}},
		"spec":   map[string]any{"queueName": "lq", "podSets": []any{map[string]any{"name": "main", "count": int64(2)}}},
		"status": st,
	}}
}

func (s *kueueSource) putWorkload(t *testing.T, wl *unstructured.Unstructured) {
	t.Helper()
	ri := s.dyn.Resource(workloadsGVR).Namespace(ns)
	if _, err := ri.Get(context.Background(), wl.GetName(), metav1.GetOptions{}); apierrors.IsNotFound(err) {
		must(ri.Create(context.Background(), wl, metav1.CreateOptions{}))
		return
	}
	must(ri.Update(context.Background(), wl, metav1.UpdateOptions{}))
}

const (
	pendingQuota = `{"conditions":[{"type":"QuotaReserved","status":"False","reason":"Pending","message":"couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor default-flavor, 1 more needed","lastTransitionTime":"2026-01-01T00:00:00Z"}]}`
	admitted     = `{"conditions":[{"type":"QuotaReserved","status":"True","reason":"QuotaReserved","message":"Quota reserved in ClusterQueue cq","lastTransitionTime":"2026-01-01T00:01:00Z"},
		{"type":"Admitted","status":"True","reason":"Admitted","message":"The workload is admitted","lastTransitionTime":"2026-01-01T00:01:00Z"}],
		"admission":{"clusterQueue":"cq","podSetAssignments":[{"name":"main","flavors":{"cpu":"default-flavor","memory":"default-flavor"}}]}}`
	preempted = `{"conditions":[{"type":"QuotaReserved","status":"True","reason":"QuotaReserved","lastTransitionTime":"2026-01-01T00:01:00Z"},
		{"type":"Admitted","status":"True","reason":"Admitted","lastTransitionTime":"2026-01-01T00:01:00Z"},
		{"type":"Evicted","status":"True","reason":"Preempted","message":"Preempted to accommodate a workload (UID: u2, JobUID: j2) due to prioritization in the ClusterQueue","lastTransitionTime":"2026-01-01T00:02:00Z"},
		{"type":"Preempted","status":"True","reason":"InClusterQueue","message":"Preempted to accommodate a workload (UID: u2, JobUID: j2) due to prioritization in the ClusterQueue","lastTransitionTime":"2026-01-01T00:02:00Z"}],
		"admission":{"clusterQueue":"cq","podSetAssignments":[{"name":"main","flavors":{"cpu":"default-flavor"}}]}}`
	inadmissible = `{"conditions":[{"type":"QuotaReserved","status":"False","reason":"Inadmissible","message":"ClusterQueue nope doesn't exist","lastTransitionTime":"2026-01-01T00:00:00Z"}]}`
)

// TestRunKueueQueuedThenAdmitted: while Kueue holds the Job the follow
// shows the Workload (queued with Kueue's reason, no position when the
// visibility API does not answer, then admitted with ClusterQueue and
// flavors) instead of "Suspended", then the usual progress to Complete.
func TestRunKueueQueuedThenAdmitted(t *testing.T) {
	src := newKueueSource()
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, queuedJob(), metav1.CreateOptions{}))
	// A Workload of another Job in the namespace is not this one's.
	src.putWorkload(t, workload(t, "other-uid-2", admitted))
	src.putWorkload(t, workload(t, string(jobUID), pendingQuota))
	r := startRun(t, src, job, Options{StuckTimeout: time.Minute})
	r.waitFor(t, "job/pi is queued in Kueue (LocalQueue lq): couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor default-flavor, 1 more needed")
	r.waitFor(t, "job/pi Queued: 0/2 succeeded")

	src.putWorkload(t, workload(t, string(jobUID), admitted))
	r.waitFor(t, "job/pi was admitted by Kueue to ClusterQueue cq (flavors: cpu=default-flavor, memory=default-flavor)")
	job = job.DeepCopy() // Run still reads the Job it was given
	job.Spec.Suspend = new(false)
	job = must(src.cs.BatchV1().Jobs(ns).Update(ctx, job, metav1.UpdateOptions{}))
	must(src.cs.CoreV1().Pods(ns).Create(ctx, testPod("pi-a", corev1.PodSucceeded, exited(0)), metav1.CreateOptions{}))
	done := withCondition(job, batchv1.JobComplete, "CompletionsReached", "")
	done.Status.Succeeded = 2
	must(src.cs.BatchV1().Jobs(ns).UpdateStatus(ctx, done, metav1.UpdateOptions{}))
	res := r.wait(t)
	if res.Outcome != Complete {
		t.Fatalf("outcome %s: %v", res.Outcome, res.Err())
	}
	got := r.stderr.String()
	for _, not := range []string{"job/pi was admitted by Kueue\n", "cq2", "Suspended", "position"} {
		if strings.Contains(got, not) {
			t.Errorf("stderr has %q:\n%s", not, got)
		}
	}
	if strings.Count(got, "is queued in Kueue (") != 1 || strings.Count(got, "was admitted by Kueue to") != 1 {
		t.Errorf("each state is told once:\n%s", got)
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.asked != 1 {
		t.Errorf("visibility API asked %d times, want once (it did not answer)", src.asked)
	}
}

// TestRunKueuePosition: where the visibility API answers, the queued line
// gives the position in the LocalQueue.
func TestRunKueuePosition(t *testing.T) {
	src := newKueueSource()
	src.positions = map[string]int32{"job-pi-1": 3}
	job := must(src.cs.BatchV1().Jobs(ns).Create(context.Background(), queuedJob(), metav1.CreateOptions{}))
	src.putWorkload(t, workload(t, string(jobUID), pendingQuota))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "job/pi is queued in Kueue (LocalQueue lq, position 3 in LocalQueue lq): couldn't assign flavors")
}

// TestRunKueuePreempted: a Workload evicted by preemption is told with
// Kueue's reason, and the Job, suspended again, shows Preempted.
func TestRunKueuePreempted(t *testing.T) {
	src := newKueueSource()
	ctx := context.Background()
	j := queuedJob()
	j.Spec.Suspend = new(false)
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}))
	src.putWorkload(t, workload(t, string(jobUID), admitted))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "was admitted by Kueue to ClusterQueue cq")
	src.putWorkload(t, workload(t, string(jobUID), preempted))
	// A copy: Run still reads the Job it was given.
	again := job.DeepCopy()
	again.Spec.Suspend = new(true)
	must(src.cs.BatchV1().Jobs(ns).Update(ctx, again, metav1.UpdateOptions{}))
	r.waitFor(t, "job/pi was preempted by Kueue (InClusterQueue: Preempted to accommodate a workload (UID: u2, JobUID: j2) due to prioritization in the ClusterQueue); Kueue puts it back in LocalQueue lq")
	r.waitFor(t, "job/pi Preempted: ")
}

// TestRunKueueInadmissibleStuck: a Workload Kueue calls inadmissible (its
// ClusterQueue does not exist) for --stuck-timeout ends the wait as stuck
// (exit 3) with the reason.
func TestRunKueueInadmissibleStuck(t *testing.T) {
	src := newKueueSource()
	job := must(src.cs.BatchV1().Jobs(ns).Create(context.Background(), queuedJob(), metav1.CreateOptions{}))
	src.putWorkload(t, workload(t, string(jobUID), inadmissible))
	r := startRun(t, src, job, Options{StuckTimeout: 200 * time.Millisecond})
	res := r.wait(t)
	if res.Outcome != Stuck || res.Workload != "job-pi-1" {
		t.Fatalf("outcome %s workload %q, want Stuck job-pi-1:\n%s", res.Outcome, res.Workload, r.stderr)
	}
	want := "job/pi has been inadmissible in Kueue for 200ms: ClusterQueue nope doesn't exist; job/pi is left suspended in its queue (see kubectl describe workload job-pi-1 -n ns1)"
	if err := res.Err(); err == nil || err.Error() != want {
		t.Errorf("Err() = %v\nwant     %s", err, want)
	}
	wantLines(t, r.stderr.String(), "job/pi cannot be admitted by Kueue: ClusterQueue nope doesn't exist (the wait gives up in 200ms unless it changes)", "job/pi Inadmissible: ")
}

// TestRunKueueMultiKueue: the worker cluster the Workload was dispatched
// to is named; before that, the nominated ones.
func TestRunKueueMultiKueue(t *testing.T) {
	src := newKueueSource()
	job := must(src.cs.BatchV1().Jobs(ns).Create(context.Background(), queuedJob(), metav1.CreateOptions{}))
	src.putWorkload(t, workload(t, string(jobUID), `{"nominatedClusterNames":["worker-b","worker-a"]}`))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "job/pi is offered by MultiKueue to the worker clusters worker-a, worker-b")
	var st map[string]any
	_ = json.Unmarshal([]byte(admitted), &st)
	st["clusterName"] = "worker-a"
	b, _ := json.Marshal(st)
	src.putWorkload(t, workload(t, string(jobUID), string(b)))
	r.waitFor(t, "job/pi runs on the MultiKueue worker cluster worker-a (the Job here mirrors its status; its pods are there)")
}

// TestRunKueueWorkloadsForbidden: without the right to read Workloads the
// follow goes on with what the Job says, as before.
func TestRunKueueWorkloadsForbidden(t *testing.T) {
	src := newKueueSource()
	src.dyn.PrependReactor("list", "workloads", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(workloadsGVR.GroupResource(), "", nil)
	})
	ctx := context.Background()
	job := must(src.cs.BatchV1().Jobs(ns).Create(ctx, queuedJob(), metav1.CreateOptions{}))
	r := startRun(t, src, job, Options{})
	r.waitFor(t, "job/pi is queued in Kueue's LocalQueue lq; waiting until Kueue admits it")
	r.waitFor(t, "job/pi Suspended: ")
	job = job.DeepCopy() // Run still reads the Job it was given
	job.Spec.Suspend = new(false)
	must(src.cs.BatchV1().Jobs(ns).Update(ctx, job, metav1.UpdateOptions{}))
	r.waitFor(t, "job/pi was admitted by Kueue\n")
}

func wantLines(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("stderr lacks %q:\n%s", w, got)
		}
	}
}
