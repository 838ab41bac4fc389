package jobspec

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCronJobQueueLabelsItsJobs: Kueue reads the queue and priority labels
// on the Jobs a CronJob starts, so --queue and --workload-priority-class
// with --schedule label the jobTemplate (and keep the Job suspended), and
// the CronJob reads back as the same Spec.
func TestCronJobQueueLabelsItsJobs(t *testing.T) {
	s, err := ParseArgs([]string{"nightly", "--image", "busybox", "--schedule", "0 3 * * *", "--queue", "lq", "--workload-priority-class", "high", "--", "echo", "hi"})
	if err != nil {
		t.Fatal(err)
	}
	cj := s.BuildCronJob()
	tl := cj.Spec.JobTemplate.Labels
	if tl[QueueLabel] != "lq" || tl[WorkloadPriorityClassLabel] != "high" {
		t.Fatalf("jobTemplate labels %v, want the queue and the priority class", tl)
	}
	if cj.Labels[QueueLabel] != "lq" {
		t.Errorf("CronJob labels %v, want the queue label kept", cj.Labels)
	}
	if sp := cj.Spec.JobTemplate.Spec.Suspend; sp == nil || !*sp {
		t.Errorf("jobTemplate.spec.suspend = %v, want true (Kueue admits a Job by resuming it)", sp)
	}
	again := FromCronJob(cj).BuildCronJob()
	if got, want := again.Spec.JobTemplate.Labels, tl; len(got) != len(want) || got[QueueLabel] != want[QueueLabel] || got[WorkloadPriorityClassLabel] != want[WorkloadPriorityClassLabel] {
		t.Errorf("round trip jobTemplate labels %v, want %v", got, want)
	}
	args, back := argsAgain(t, FromCronJob(cj))
	if got := back.BuildCronJob().Spec.JobTemplate.Labels[QueueLabel]; got != "lq" {
		t.Errorf("equivalent command %q: jobTemplate queue label %q", args, got)
	}
}

// TestCronJobTemplateQueueLabelKept: a manifest that labels only its
// jobTemplate (Kueue's own example) comes back unchanged.
func TestCronJobTemplateQueueLabelKept(t *testing.T) {
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "x"}}
	cj.Spec.Schedule = "* * * * *"
	cj.Spec.JobTemplate.Labels = map[string]string{QueueLabel: "lq"}
	cj.Spec.JobTemplate.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "busybox"}}
	got := FromCronJob(cj).BuildCronJob()
	if len(got.Labels) != 0 || got.Spec.JobTemplate.Labels[QueueLabel] != "lq" {
		t.Errorf("labels %v / jobTemplate %v, want none / the queue", got.Labels, got.Spec.JobTemplate.Labels)
	}
}
