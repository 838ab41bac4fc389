package cluster

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// fakeKueueServer answers the few Kueue reads of the plugin from a table of
// paths (under /apis/kueue.x-k8s.io/v1beta2), and records every request.
// A path it lacks is 404; status sets another answer for a path.
type fakeKueueServer struct {
	noKueue bool
	objects map[string]any // path → JSON body
	status  map[string]int // path → HTTP status (403, 500, ...)

	mu   sync.Mutex
	seen []string
}

func (f *fakeKueueServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	const group = "/apis/kueue.x-k8s.io"
	path := r.URL.Path
	fail := func(code int, reason metav1.StatusReason) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Code: int32(code), Reason: reason, Message: strings.ToLower(string(reason)) + " " + path})
	}
	if code := f.status[strings.TrimPrefix(path, group+"/v1beta2")]; code != 0 {
		fail(code, map[int]metav1.StatusReason{403: metav1.StatusReasonForbidden}[code])
		return
	}
	switch {
	case path == group && !f.noKueue:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(metav1.APIGroup{TypeMeta: metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: "kueue.x-k8s.io",
			Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "kueue.x-k8s.io/v1beta2", Version: "v1beta2"}, {GroupVersion: "kueue.x-k8s.io/v1beta1", Version: "v1beta1"}},
			PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "kueue.x-k8s.io/v1beta2", Version: "v1beta2"}})
		return
	case strings.HasPrefix(path, group+"/v1beta2/") && !f.noKueue:
		if body, ok := f.objects[strings.TrimPrefix(path, group+"/v1beta2")]; ok {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
			return
		}
	}
	fail(http.StatusNotFound, metav1.StatusReasonNotFound)
}

func (f *fakeKueueServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func kueueObject(kind, name string, fields map[string]any) map[string]any {
	o := map[string]any{"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": kind, "metadata": map[string]any{"name": name}}
	for k, v := range fields {
		o[k] = v
	}
	return o
}

func kueueList(kind string, items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": kind + "List", "metadata": map[string]any{}, "items": list}
}

// teamKueue is a namespace "team" with LocalQueues "default" and "gpu",
// and two WorkloadPriorityClasses.
func teamKueue() *fakeKueueServer {
	lq := func(name, cq string, pending, admitted int, active string) map[string]any {
		return kueueObject("LocalQueue", name, map[string]any{"spec": map[string]any{"clusterQueue": cq},
			"status": map[string]any{"pendingWorkloads": pending, "admittedWorkloads": admitted,
				"conditions": []any{map[string]any{"type": "Active", "status": active, "reason": "Ready", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}}}})
	}
	wpc := func(name string, value int) map[string]any {
		return kueueObject("WorkloadPriorityClass", name, map[string]any{"value": value})
	}
	cq := kueueObject("ClusterQueue", "cq-a", map[string]any{"spec": map[string]any{"resourceGroups": []any{}}})
	return &fakeKueueServer{objects: map[string]any{
		"/namespaces/team/localqueues":         kueueList("LocalQueue", lq("gpu", "cq-gpu", 0, 1, "False"), lq("default", "cq-a", 3, 2, "True")),
		"/namespaces/team/localqueues/default": lq("default", "cq-a", 3, 2, "True"),
		"/clusterqueues/cq-a":                  cq,
		"/workloadpriorityclasses":             kueueList("WorkloadPriorityClass", wpc("low", 100), wpc("high", 1000)),
		"/workloadpriorityclasses/high":        wpc("high", 1000),
	}}
}

func fakeClient(t *testing.T, f *fakeKueueServer) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestKueueLookups(t *testing.T) {
	f := teamKueue()
	l := NewLookup(fakeClient(t, f))
	ctx := context.Background()
	for range 3 {
		if ok, err := l.KueueServed(ctx); !ok || err != nil {
			t.Fatalf("KueueServed = %v, %v", ok, err)
		}
	}
	queues, def, err := l.LocalQueues(ctx, "team")
	if err != nil {
		t.Fatal(err)
	}
	want := []lookup.LocalQueue{{Name: "default", ClusterQueue: "cq-a", Pending: 3, Admitted: 2, Active: true}, {Name: "gpu", ClusterQueue: "cq-gpu", Admitted: 1}}
	if !slices.Equal(queues, want) || def != "default" {
		t.Errorf("LocalQueues = %+v, %q; want %+v, default", queues, def, want)
	}
	classes, err := l.WorkloadPriorityClasses(ctx)
	if err != nil || len(classes) != 2 || classes[0].Name != "high" || classes[0].Value != 1000 || classes[1].Name != "low" {
		t.Errorf("WorkloadPriorityClasses = %+v, %v", classes, err)
	}
	// One discovery request for the process, however often it is asked.
	if got := f.requests(); !slices.Equal(got, []string{"GET /apis/kueue.x-k8s.io",
		"GET /apis/kueue.x-k8s.io/v1beta2/namespaces/team/localqueues", "GET /apis/kueue.x-k8s.io/v1beta2/workloadpriorityclasses"}) {
		t.Errorf("requests: %q", got)
	}
}

// Without Kueue the answer is no, for one request, and nothing else is
// asked; a failed discovery is an error, not a no.
func TestKueueServedWithoutKueue(t *testing.T) {
	f := &fakeKueueServer{noKueue: true}
	l := NewLookup(fakeClient(t, f))
	for range 2 {
		if ok, err := l.KueueServed(context.Background()); ok || err != nil {
			t.Fatalf("KueueServed = %v, %v", ok, err)
		}
	}
	if got := f.requests(); len(got) != 1 {
		t.Errorf("requests: %q", got)
	}
	l = NewLookup(fakeClient(t, &fakeKueueServer{status: map[string]int{"/apis/kueue.x-k8s.io": 500}}))
	if ok, err := l.KueueServed(context.Background()); ok || err == nil {
		t.Errorf("a failed discovery: KueueServed = %v, %v", ok, err)
	}
}

func queuedJob(labels map[string]string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Namespace: "team", Labels: labels}}
}

func TestWorkloadPriorityClassPreflight(t *testing.T) {
	q, pc := jobspec.QueueLabel, jobspec.WorkloadPriorityClassLabel
	cases := map[string]struct {
		server   func() *fakeKueueServer
		labels   map[string]string
		refused  []string // the rule says all of these; nil: not refused
		warning  string
		requests int
	}{
		"class exists, queued":    {teamKueue, map[string]string{q: "default", pc: "high"}, nil, "", 4},
		"class exists, no queue":  {teamKueue, map[string]string{pc: "high"}, nil, "", 2},
		"no labels, no request":   {teamKueue, nil, nil, "", 0},
		"missing class, queued":   {teamKueue, map[string]string{q: "default", pc: "urgent"}, []string{`--workload-priority-class (metadata.labels[kueue.x-k8s.io/priority-class]) "urgent": there is no WorkloadPriorityClass "urgent"`, "would stay suspended forever", "the classes are high (1000) and low (100)", "kubectl get workloadpriorityclasses"}, "", 5},
		"missing class, no queue": {teamKueue, map[string]string{pc: "urgent"}, []string{`there is no WorkloadPriorityClass "urgent"`, "would never be admitted;", "the classes are high (1000) and low (100)"}, "", 3},
		"missing class, no classes": {func() *fakeKueueServer {
			f := teamKueue()
			delete(f.objects, "/workloadpriorityclasses")
			f.objects["/workloadpriorityclasses"] = kueueList("WorkloadPriorityClass")
			return f
		}, map[string]string{pc: "urgent"}, []string{"the cluster has no WorkloadPriorityClasses"}, "", 3},
		"missing class, list forbidden": {func() *fakeKueueServer {
			f := teamKueue()
			f.status = map[string]int{"/workloadpriorityclasses": 403}
			return f
		},
			map[string]string{pc: "urgent"}, []string{`there is no WorkloadPriorityClass "urgent"`, "(kubectl get workloadpriorityclasses)"}, "", 3},
		"class forbidden": {func() *fakeKueueServer {
			f := teamKueue()
			f.status = map[string]int{"/workloadpriorityclasses/urgent": 403}
			return f
		},
			map[string]string{pc: "urgent"}, nil, `cannot check WorkloadPriorityClass "urgent" (forbidden`, 2},
		"no Kueue, class only": {func() *fakeKueueServer { return &fakeKueueServer{noKueue: true} }, map[string]string{pc: "high"},
			[]string{`--workload-priority-class (metadata.labels[kueue.x-k8s.io/priority-class]) "high": the cluster does not serve Kueue (API group kueue.x-k8s.io)`, "create the Job without --workload-priority-class"}, "", 1},
		"no Kueue, both: --queue's refusal": {func() *fakeKueueServer { return &fakeKueueServer{noKueue: true} }, map[string]string{q: "default", pc: "high"},
			[]string{`--queue (metadata.labels[kueue.x-k8s.io/queue-name]) "default": the cluster does not serve Kueue`}, "", 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := tc.server()
			warnings, err := fakeClient(t, f).QueuePreflight(context.Background(), queuedJob(tc.labels))
			if tc.refused == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.refused != nil {
				fe, ok := err.(*jobspec.FieldError)
				if !ok {
					t.Fatalf("want a *jobspec.FieldError, got %T %v", err, err)
				}
				for _, want := range tc.refused {
					if !strings.Contains(fe.Error(), want) {
						t.Errorf("refusal lacks %q:\n%s", want, fe)
					}
				}
			}
			if got := strings.Join(warnings, "\n"); tc.warning == "" && got != "" || !strings.Contains(got, tc.warning) {
				t.Errorf("warnings %q, want %q", got, tc.warning)
			}
			if got := f.requests(); len(got) != tc.requests {
				t.Errorf("%d requests, want %d: %q", len(got), tc.requests, got)
			}
		})
	}
}
