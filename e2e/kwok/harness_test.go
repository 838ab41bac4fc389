package kwok

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// The harness itself: a Job whose pods are bound to kwok's node completes
// with the real Job controller, and every pod ends Succeeded.
func TestKwokRunsJobToComplete(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := cluster.Namespace(t)
	job, err := cluster.Clientset().BatchV1().Jobs(ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec: batchv1.JobSpec{
			Completions: new(int32(20)),
			Parallelism: new(int32(10)),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				NodeName:      node.NodeName,
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "main", Image: "busybox:1.36", Command: []string{"true"}}},
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	job, err = testcluster.WaitFor(ctx, cluster.Clientset().BatchV1().Jobs(ns), job.Name, func(j *batchv1.Job) bool {
		for _, c := range j.Status.Conditions {
			if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("job did not complete: %v", err)
	}
	if job.Status.Succeeded != 20 {
		t.Errorf("succeeded %d, want 20", job.Status.Succeeded)
	}
	pods, err := cluster.Clientset().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: batchv1.JobNameLabel + "=smoke"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodSucceeded || p.Spec.NodeName != node.NodeName {
			t.Errorf("pod %s: phase %s on %q, want Succeeded on %s", p.Name, p.Status.Phase, p.Spec.NodeName, node.NodeName)
		}
	}
}
