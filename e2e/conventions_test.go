package e2e

// kubectl's conventions on the real control plane: a Job copied with
// `kubectl get job -o yaml` comes back with -f under another name, and
// --from cronjob/NAME owns the run to the CronJob as kubectl does.

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

func TestClusterRecreateCopiedJob(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	script := "echo one\necho two\n"
	r := clusterRun(ctx, t, "", "orig", "-n", ns, "--image=busybox:1.36", quick, "--label=app=orig", "--save-config", "--wait", "--timeout=90s", "--", "sh", "-c", script)
	wantExit(t, r, 0)

	yaml, err := harnessKubectl(ctx, t, cluster.AdminKubeconfig, "get", "job", "orig", "-n", ns, "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orig.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	orig, err := cs.BatchV1().Jobs(ns).Get(ctx, "orig", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// Without flags but the name, and with flags over it.
	r = clusterRun(ctx, t, "", "-f", path, "--name=copy", "-v=1")
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "dropped what the server wrote", "metadata.uid", "spec.selector", "status")
	r = clusterRun(ctx, t, "", "-f", path, "--name=copy2", "-e", "MODE=again", "--parallelism=2", "--completions=2", "--label=team=data", "--validate=strict")
	wantExit(t, r, 0)

	for _, name := range []string{"copy", "copy2"} {
		job, err := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if job.UID == orig.UID || job.Spec.Template.Labels[batchv1.ControllerUidLabel] != string(job.UID) ||
			job.Spec.Template.Labels[batchv1.JobNameLabel] != name || job.Labels["app"] != "orig" {
			t.Errorf("%s: labels %v template labels %v", name, job.Labels, job.Spec.Template.Labels)
		}
		if c := job.Spec.Template.Spec.Containers[0]; !slices.Equal(c.Command, []string{"sh", "-c", script}) || c.Image != "busybox:1.36" {
			t.Errorf("%s: container %+v", name, c)
		}
		if _, ok := job.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
			t.Errorf("%s kept the original's last-applied annotation", name)
		}
	}
	copy2, _ := cs.BatchV1().Jobs(ns).Get(ctx, "copy2", metav1.GetOptions{})
	if *copy2.Spec.Parallelism != 2 || copy2.Labels["team"] != "data" || len(copy2.Spec.Template.Spec.Containers[0].Env) != 1 {
		t.Errorf("copy2's flags not applied: %+v", copy2.Spec)
	}
	// The copy runs to the end as the original did.
	if _, err := testcluster.WaitFor(ctx, cs.BatchV1().Jobs(ns), "copy", func(j *batchv1.Job) bool { return j.Status.Succeeded == 1 }); err != nil {
		t.Errorf("copy did not complete: %v", err)
	}

	// -n against the manifest's namespace is refused, nothing sent.
	r = clusterRun(ctx, t, "", "-f", path, "--name=elsewhere", "-n", "default")
	wantExit(t, r, 2)
	wantContains(t, "stderr", r.stderr, `the namespace from the provided object "`+ns+`" does not match the namespace "default"`)
}

func TestClusterFromCronJobOwnerReference(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	suspend := true
	cj, err := cs.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: &suspend, JobTemplate: batchv1.JobTemplateSpec{
			Spec: batchv1.JobSpec{Template: v1.PodTemplateSpec{Spec: v1.PodSpec{RestartPolicy: v1.RestartPolicyNever,
				Containers: []v1.Container{{Name: "report", Image: "report:1.0"}}}}},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := clusterRun(ctx, t, "", "by-hand", "--from=cronjob/nightly", "-n", ns)
	wantExit(t, r, 0)
	// kubectl's own run of the same, for the reference it sets.
	if _, err := harnessKubectl(ctx, t, cluster.AdminKubeconfig, "create", "job", "by-kubectl", "--from=cronjob/nightly", "-n", ns); err != nil {
		t.Fatal(err)
	}
	ours, err := cs.BatchV1().Jobs(ns).Get(ctx, "by-hand", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := cs.BatchV1().Jobs(ns).Get(ctx, "by-kubectl", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: cj.UID, Controller: new(true)}}
	if !apiequality.Semantic.DeepEqual(ours.OwnerReferences, want) || !apiequality.Semantic.DeepEqual(ours.OwnerReferences, theirs.OwnerReferences) {
		t.Errorf("ownerReferences %+v, kubectl's %+v, want %+v", ours.OwnerReferences, theirs.OwnerReferences, want)
	}
	if ours.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" {
		t.Errorf("annotations %v", ours.Annotations)
	}

	// --from job/NAME sets none.
	r = clusterRun(ctx, t, "", "again", "--from=job/by-hand", "-n", ns)
	wantExit(t, r, 0)
	again, err := cs.BatchV1().Jobs(ns).Get(ctx, "again", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.OwnerReferences) != 0 {
		t.Errorf("--from job: ownerReferences %+v, want none", again.OwnerReferences)
	}
}
