package kueue

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/jobwizard/kubectl-job-wizard/internal/testkueue"
)

// TestWorkloadPriorityClassPreflight: a class that does not exist is
// refused before anything is sent (exit 2, the flag, the value and the
// classes there are, the Job kept as a draft); one that exists gives the
// Workload its value.
func TestWorkloadPriorityClassPreflight(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 3*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	low := ns + "-low"
	if err := kq.WorkloadPriorityClass(ctx, low, 10); err != nil {
		t.Fatal(err)
	}

	for name, args := range map[string][]string{
		"queued":   {"--queue=lq"},
		"no queue": nil,
	} {
		r := run(ctx, t, append(append([]string{"missing", "-n", ns, "--image=busybox:1.36"}, args...), "--workload-priority-class=nope", "--", "true")...)
		if r.code != 2 {
			t.Fatalf("%s: want exit 2:\n%s", name, r)
		}
		for _, want := range []string{`--workload-priority-class (metadata.labels[kueue.x-k8s.io/priority-class]) "nope": there is no WorkloadPriorityClass "nope"`,
			low + " (10)", "kubectl get workloadpriorityclasses", "kept in"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, want, r)
			}
		}
		if name == "queued" && !strings.Contains(r.stderr, "would stay suspended forever") {
			t.Errorf("%s: stderr does not say why:\n%s", name, r)
		}
		if _, err := cluster.Clientset().BatchV1().Jobs(ns).Get(ctx, "missing", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s: the Job was created (get: %v)", name, err)
		}
	}

	r := run(ctx, t, "ranked", "-n", ns, "--image=busybox:1.36", "--queue=lq", "--workload-priority-class="+low, "--wait", "--timeout=2m", "--", "true")
	if r.code != 0 {
		t.Fatalf("an existing class: want exit 0:\n%s\nkueue:\n%s", r, kq.LogTail(20))
	}
	wls, err := kq.Workloads(ctx, ns)
	if err != nil || len(wls) != 1 {
		t.Fatalf("workloads: %v, %d", err, len(wls))
	}
	if p, _, _ := unstructured.NestedInt64(wls[0].Object, "spec", "priority"); p != 10 {
		t.Errorf("workload priority %d, want 10", p)
	}
}

// TestKueueMakesNoWorkloadForAMissingClass holds the preflight to what
// Kueue does: a Job sent past it (straight to the API server) with the
// queue label, suspended, naming a class that does not exist gets no
// Workload, so it would never be admitted; a Job sent after it to the same
// queue with no class is admitted meanwhile.
func TestKueueMakesNoWorkloadForAMissingClass(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 3*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	jobs := cluster.Clientset().BatchV1().Jobs(ns)
	job := func(name string, labels map[string]string) *batchv1.Job {
		return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: batchv1.JobSpec{
			Suspend: ptr.To(true),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "c", Image: "busybox:1.36", Command: []string{"true"}}}}}}}
	}
	missing := ns + "-missing"
	if _, err := jobs.Create(ctx, job("classless", map[string]string{"kueue.x-k8s.io/queue-name": "lq", "kueue.x-k8s.io/priority-class": missing}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Kueue tries, and says why it cannot.
	said := func() bool {
		for _, line := range strings.Split(kq.LogTail(2000), "\n") {
			if strings.Contains(line, missing) && strings.Contains(line, "not found") {
				t.Logf("Kueue: %.300s", line)
				return true
			}
		}
		return false
	}
	for !said() {
		select {
		case <-ctx.Done():
			t.Fatalf("Kueue never said the class is missing:\n%s", kq.LogTail(30))
		case <-time.After(200 * time.Millisecond):
		}
	}
	if _, err := jobs.Create(ctx, job("plain", map[string]string{"kueue.x-k8s.io/queue-name": "lq"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		wls, err := kq.Workloads(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		var owners []string
		admitted := false
		for i := range wls {
			for _, o := range wls[i].GetOwnerReferences() {
				owners = append(owners, o.Name)
			}
			admitted = admitted || testkueue.HasCondition(&wls[i], "Admitted", "True")
		}
		if slices.Contains(owners, "classless") {
			t.Fatalf("Kueue made a Workload for a Job whose class is missing: %v", owners)
		}
		if admitted {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the plain Job was never admitted:\n%s", kq.LogTail(30))
		case <-time.After(200 * time.Millisecond):
		}
	}
	j, err := jobs.Get(ctx, "classless", metav1.GetOptions{})
	if err != nil || j.Spec.Suspend == nil || !*j.Spec.Suspend {
		t.Errorf("the Job with the missing class is not suspended: %v %+v", err, j.Spec.Suspend)
	}
}

// TestCompletionFromTheRealKueue: `kubectl job-wizard <TAB>` as the shell
// asks kubectl, which runs the completion shim from PATH, which asks the
// plugin, which reads the real Kueue: the namespace's LocalQueues with
// their ClusterQueue and counts, and the WorkloadPriorityClasses with
// their values.
func TestCompletionFromTheRealKueue(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 2*time.Minute)
	ns := queues(ctx, t, testkueue.ClusterQueue{Quota: map[string]string{"cpu": "1", "memory": "1Gi"}})
	if err := kq.LocalQueue(ctx, ns, "default", ns, true); err != nil {
		t.Fatal(err)
	}
	class := ns + "-urgent"
	if err := kq.WorkloadPriorityClass(ctx, class, 5000); err != nil {
		t.Fatal(err)
	}
	got := kubectlComplete(ctx, t, "-n", ns, "--queue", "")
	want := []string{"default\tClusterQueue " + ns + ", 0 pending, 0 admitted, the namespace's default",
		"lq\tClusterQueue " + ns + ", 0 pending, 0 admitted", ":4"}
	if !slices.Equal(got, want) {
		t.Errorf("--queue:\n got %q\nwant %q", got, want)
	}
	got = kubectlComplete(ctx, t, "--workload-priority-class", ns)
	if want := []string{class + "\tvalue 5000", ":4"}; !slices.Equal(got, want) {
		t.Errorf("--workload-priority-class:\n got %q\nwant %q", got, want)
	}
}

// kubectlComplete runs `kubectl __complete job-wizard args...` with the
// plugin and its completion shim on PATH, and returns the answer's lines.
func kubectlComplete(ctx context.Context, t *testing.T, args ...string) []string {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skipf("no kubectl: %v", err)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	dir := t.TempDir()
	for name, target := range map[string]string{
		"kubectl-job_wizard":          pluginBinary(t),
		"kubectl_complete-job_wizard": filepath.Join(root, "plugins", "kubectl_complete-job_wizard"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, kubectl, append([]string{"__complete", "job-wizard"}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+filepath.Dir(kubectl)+":/usr/bin:/bin",
		"KUBECONFIG="+cluster.AdminKubeconfig, "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl __complete job-wizard %q: %v\n%s", args, err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}
