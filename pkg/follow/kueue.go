package follow

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

// queueLabel is the label by which a Job joins a Kueue LocalQueue.
const queueLabel = "kueue.x-k8s.io/queue-name"

// Kueue's Workload conditions and reasons (v1beta1 and v1beta2 alike).
const (
	wlQuotaReserved = "QuotaReserved"
	wlAdmitted      = "Admitted"
	wlEvicted       = "Evicted"
	wlPreempted     = "Preempted"
	wlFinished      = "Finished"
	// wlInadmissible is QuotaReserved's reason when the Workload cannot be
	// admitted as things stand, whatever else finishes: its LocalQueue or
	// ClusterQueue is missing, inactive or stopped. Waiting for quota is
	// reason Pending instead, which is what a queue is for.
	wlInadmissible = "Inadmissible"
)

// kueueFollow is what the follow knows of its Job's Workload.
type kueueFollow struct {
	// watching: the Workloads are watched (Kueue is served and they may be
	// read); the Job's own suspension tells the rest otherwise.
	watching bool
	queue    string
	wl       *cluster.KueueWorkload
	// state replaces the summary's "Suspended" while Kueue holds the Job:
	// Queued, Inadmissible, Preempted, Evicted, Admitted.
	state string
	// told are the lines already shown, by key, so each change is told
	// once however often the watch delivers the Workload.
	told map[string]bool
	// admittedShown: the Workload's admission was told, so the Job's own
	// unsuspension need not be.
	admittedShown bool
	// inadmissibleSince starts a spell of an inadmissible Workload (zero:
	// none), which --stuck-timeout ends.
	inadmissibleSince time.Time
	inadmissibleMsg   string
	// noPosition: the visibility API did not answer once; it is not asked
	// again.
	noPosition bool
}

// startWorkloads watches the Workloads of the Job's namespace that carry
// the Job's UID label (Kueue sets it on the Workload it makes for a Job):
// one list and one watch, whatever the number of pods.
func (f *follower) startWorkloads(ctx context.Context, wg *sync.WaitGroup, job *batchv1.Job) {
	f.kq.told = map[string]bool{}
	f.kq.queue = job.Labels[queueLabel]
	ws, ok := f.src.(WorkloadSource)
	if f.kq.queue == "" || !ok {
		return
	}
	f.kq.watching = true
	// Until its Workload is read, a Job in a queue is queued.
	f.kq.state = "Queued"
	selector := cluster.WorkloadJobUIDLabel + "=" + string(f.uid)
	f.startInformer(ctx, wg, "workloads", &unstructured.Unstructured{},
		func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.LabelSelector = selector
			return ws.ListWorkloads(ctx, f.ns, opts)
		},
		func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selector
			return ws.WatchWorkloads(ctx, f.ns, opts)
		},
		workloadChanged, -1, -1)
}

// workloadsUnavailable tells the errors for which the follow goes on
// without Workloads: Kueue is not served (any more), or they may not be
// read.
func workloadsUnavailable(err error) bool {
	return errors.Is(err, cluster.ErrNoKueue) || apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)
}

// workloadOf is the Workload of a watched object when it is the Job's: its
// controller is the Job, or it has the Job's UID label.
func (f *follower) workloadOf(u *unstructured.Unstructured) *cluster.KueueWorkload {
	wl := &cluster.KueueWorkload{}
	if err := cluster.FromUnstructured(u, wl); err != nil {
		return nil
	}
	if wl.Metadata.Labels[cluster.WorkloadJobUIDLabel] == string(f.uid) {
		return wl
	}
	for _, ref := range wl.Metadata.OwnerReferences {
		if ref.UID == f.uid && ref.Controller != nil && *ref.Controller {
			return wl
		}
	}
	return nil
}

// stripWorkload keeps what the follow reads of a Workload: its pod sets
// (whole pod templates) are dropped.
func stripWorkload(u *unstructured.Unstructured) *unstructured.Unstructured {
	u.SetManagedFields(nil)
	unstructured.RemoveNestedField(u.Object, "spec", "podSets")
	unstructured.RemoveNestedField(u.Object, "status", "resourceRequests")
	return u
}

// onWorkload tells what changed in the Workload: queued (with Kueue's
// reason, and the position where the visibility API answers), admitted
// (ClusterQueue and flavors), preempted or evicted (the reason), the
// MultiKueue worker cluster.
func (f *follower) onWorkload(ctx context.Context, wl *cluster.KueueWorkload) {
	k := &f.kq
	k.wl = wl
	conds := wl.Status.Conditions
	name := "job/" + f.name
	queue := k.queue
	if wl.Spec.QueueName != "" {
		queue = wl.Spec.QueueName
	}
	inadmissible := false
	evicted := trueCondition(conds, wlEvicted)
	switch reserved := meta.FindStatusCondition(conds, wlQuotaReserved); {
	case trueCondition(conds, wlFinished) != nil:
		k.state = ""
	case evicted != nil:
		what, state := "evicted", "Evicted"
		if evicted.Reason == "Preempted" {
			what, state = "preempted", "Preempted"
		}
		k.state = state
		why := evicted.Reason
		msg := evicted.Message
		if p := trueCondition(conds, wlPreempted); p != nil && p.Message != "" {
			why, msg = p.Reason, p.Message
		}
		f.tellOnce("evicted/"+evicted.LastTransitionTime.String()+"/"+evicted.Reason,
			"%s was %s by Kueue (%s: %s); Kueue puts it back in LocalQueue %s", name, what, why, msg, queue)
		// Requeued: QuotaReserved first repeats the eviction's reason, then
		// gives the queue's (Pending) like any queued Workload.
		if reserved != nil && reserved.Status == metav1.ConditionFalse && reserved.Reason == "Pending" {
			f.tellPending(ctx, wl, reserved, queue)
		}
	case trueCondition(conds, wlAdmitted) != nil && wl.Status.Admission != nil:
		k.state = "Admitted"
		k.admittedShown = true
		f.tellOnce("admitted/"+trueCondition(conds, wlAdmitted).LastTransitionTime.String(),
			"%s was admitted by Kueue to ClusterQueue %s%s", name, wl.Status.Admission.ClusterQueue, flavorsNote(wl))
	case reserved != nil && reserved.Status == metav1.ConditionTrue && wl.Status.Admission != nil:
		k.state = "Queued"
		f.tellOnce("reserved/"+reserved.LastTransitionTime.String()+"/"+checksNote(wl),
			"%s has quota in ClusterQueue %s%s; waiting for its admission checks%s", name, wl.Status.Admission.ClusterQueue, flavorsNote(wl), checksNote(wl))
	case reserved != nil && reserved.Reason == wlInadmissible:
		k.state = "Inadmissible"
		inadmissible = true
		if k.inadmissibleSince.IsZero() {
			k.inadmissibleSince = f.o.now()
		}
		k.inadmissibleMsg = reserved.Message
		limit := "--stuck-timeout is 0, so the wait goes on"
		if f.o.StuckTimeout > 0 {
			limit = fmt.Sprintf("the wait gives up in %s unless it changes", f.o.StuckTimeout)
		}
		f.tellOnce("inadmissible/"+reserved.Message, "%s cannot be admitted by Kueue: %s (%s)", name, reserved.Message, limit)
	case reserved != nil && reserved.Status == metav1.ConditionFalse:
		k.state = "Queued"
		f.tellPending(ctx, wl, reserved, queue)
	default:
		k.state = "Queued"
	}
	if !inadmissible {
		k.inadmissibleSince, k.inadmissibleMsg = time.Time{}, ""
	}
	// MultiKueue: the Job's status mirrors the worker's, and its pods are
	// there, not here.
	if c := wl.Status.ClusterName; c != nil && *c != "" {
		f.tellOnce("cluster/"+*c, "%s runs on the MultiKueue worker cluster %s (the Job here mirrors its status; its pods are there)", name, *c)
	} else if len(wl.Status.NominatedClusterNames) > 0 {
		names := append([]string(nil), wl.Status.NominatedClusterNames...)
		sort.Strings(names)
		f.tellOnce("nominated/"+strings.Join(names, ","), "%s is offered by MultiKueue to the worker clusters %s", name, strings.Join(names, ", "))
	}
}

// tellPending tells Kueue's reason for a Workload still waiting for quota,
// e.g. "couldn't assign flavors to pod set main: insufficient unused quota
// for cpu in flavor default, 1 more needed", with its position in the
// LocalQueue when the visibility API gives it.
func (f *follower) tellPending(ctx context.Context, wl *cluster.KueueWorkload, reserved *metav1.Condition, queue string) {
	key := "pending/" + reserved.Reason + "/" + reserved.Message
	if f.kq.told[key] {
		return
	}
	why := reserved.Message
	if why == "" {
		why = reserved.Reason
	}
	pos := ""
	if ws, ok := f.src.(WorkloadSource); ok && !f.kq.noPosition {
		// One GET per change of the reason; a cluster without the
		// visibility API (VisibilityOnDemand off) is asked once.
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if n, ok := ws.PendingPosition(pctx, f.ns, queue, wl.Metadata.Name); ok {
			pos = fmt.Sprintf(", position %d in LocalQueue %s", n, queue)
		} else {
			f.kq.noPosition = true
		}
		cancel()
	}
	f.tellOnce(key, "job/%s is queued in Kueue (LocalQueue %s%s): %s", f.name, queue, pos, why)
}

func (f *follower) tellOnce(key, format string, args ...any) {
	if f.kq.told[key] {
		return
	}
	f.kq.told[key] = true
	f.out.event(format, args...)
}

// flavorsNote is " (flavors: cpu=default, memory=default)", per pod set
// when there are several.
func flavorsNote(wl *cluster.KueueWorkload) string {
	if wl.Status.Admission == nil {
		return ""
	}
	var sets []string
	for _, ps := range wl.Status.Admission.PodSetAssignments {
		var fl []string
		for res, flavor := range ps.Flavors {
			fl = append(fl, res+"="+flavor)
		}
		if len(fl) == 0 {
			continue
		}
		sort.Strings(fl)
		s := strings.Join(fl, ", ")
		if len(wl.Status.Admission.PodSetAssignments) > 1 {
			s = ps.Name + ": " + s
		}
		sets = append(sets, s)
	}
	if len(sets) == 0 {
		return ""
	}
	return " (flavors: " + strings.Join(sets, "; ") + ")"
}

// checksNote is ": name (Pending: message), …" for the admission checks
// not yet Ready.
func checksNote(wl *cluster.KueueWorkload) string {
	var parts []string
	for _, c := range wl.Status.AdmissionChecks {
		if c.State == "Ready" {
			continue
		}
		s := c.Name + " (" + c.State
		if c.Message != "" {
			s += ": " + c.Message
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

func trueCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	if c := meta.FindStatusCondition(conds, typ); c != nil && c.Status == metav1.ConditionTrue {
		return c
	}
	return nil
}

// kueueState is the state the summary shows instead of "Suspended" while
// Kueue holds the Job suspended; "" when it does not.
func (f *follower) kueueState(s summary) summary {
	if s.State == "Suspended" && f.kq.state != "" {
		s.State = f.kq.state
	}
	return s
}
