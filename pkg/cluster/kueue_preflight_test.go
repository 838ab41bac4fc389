package cluster

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func testClusterQueue(t *testing.T, cohort string) *KueueClusterQueue {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": "cq"},
		"spec": map[string]any{
			"cohortName": cohort,
			"resourceGroups": []any{map[string]any{
				"coveredResources": []any{"cpu", "memory"},
				"flavors": []any{map[string]any{"name": "default", "resources": []any{
					map[string]any{"name": "cpu", "nominalQuota": "2"},
					map[string]any{"name": "memory", "nominalQuota": "1Gi"},
				}}},
			}},
		},
	}}
	cq := &KueueClusterQueue{}
	if err := FromUnstructured(u, cq); err != nil {
		t.Fatal(err)
	}
	return cq
}

func TestQuotaProblem(t *testing.T) {
	job := func(parallelism int32, req corev1.ResourceList) *batchv1.Job {
		return &batchv1.Job{Spec: batchv1.JobSpec{Parallelism: &parallelism, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: req}}}}}}}
	}
	q := resource.MustParse
	cases := map[string]struct {
		job    *batchv1.Job
		cohort string
		want   string
	}{
		"fits":             {job(2, corev1.ResourceList{"cpu": q("1"), "memory": q("256Mi")}), "", ""},
		"no requests":      {job(5, nil), "", ""},
		"uncovered gpu":    {job(1, corev1.ResourceList{"nvidia.com/gpu": q("1")}), "", `has no flavor for nvidia.com/gpu, which the pods request (it covers cpu, memory)`},
		"too much in all":  {job(3, corev1.ResourceList{"cpu": q("1")}), "", `requests 3 of cpu in all (3 pods of 1) and its ClusterQueue "cq" has at most 2`},
		"cohort may lend":  {job(3, corev1.ResourceList{"cpu": q("1")}), "pool", ""},
		"limits count too": {&batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"memory": q("2Gi")}}}}}}}}, "", "at most 1Gi"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := quotaProblem(testClusterQueue(t, c.cohort), c.job)
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("quotaProblem = %q, want %q", got, c.want)
			}
		})
	}
}
