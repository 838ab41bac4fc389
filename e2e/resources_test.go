package e2e

// The plugin's resource rules (jobspec's Validate) agree with the real API
// server: every requests/limits below is refused by both or by neither.

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

func TestResourceRulesAgreeWithTheAPIServer(t *testing.T) {
	t.Parallel()
	ctx := followCtx(t, time.Minute)
	ns := cluster.Namespace(t)
	l := func(kv ...string) v1.ResourceList {
		out := v1.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			out[v1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return out
	}
	cases := map[string]v1.ResourceRequirements{
		"cpu memory":                 {Requests: l("cpu", "100m", "memory", "128Mi")},
		"bogus":                      {Requests: l("bogus", "1")},
		"pods":                       {Requests: l("pods", "1")},
		"storage":                    {Limits: l("storage", "1Gi")},
		"ephemeral-storage":          {Limits: l("ephemeral-storage", "1Gi")},
		"requests.cpu":               {Limits: l("requests.cpu", "1")},
		"gpu limit":                  {Limits: l("nvidia.com/gpu", "1")},
		"gpu request only":           {Requests: l("nvidia.com/gpu", "1")},
		"gpu request below limit":    {Requests: l("nvidia.com/gpu", "1"), Limits: l("nvidia.com/gpu", "2")},
		"gpu fraction":               {Limits: l("nvidia.com/gpu", "500m")},
		"kubernetes.io native":       {Requests: l("example.kubernetes.io/thing", "500m")},
		"requests. prefixed":         {Limits: l("requests.example.com/x", "1")},
		"hugepages alone":            {Limits: l("hugepages-2Mi", "4Mi")},
		"hugepages with memory":      {Limits: l("hugepages-2Mi", "4Mi", "memory", "64Mi")},
		"hugepages with cpu request": {Limits: l("hugepages-2Mi", "4Mi"), Requests: l("cpu", "1")},
		"hugepages not whole pages":  {Limits: l("hugepages-2Mi", "3Mi", "memory", "64Mi")},
		"hugepages bad size":         {Limits: l("hugepages-big", "4Mi", "memory", "64Mi")},
		"hugepages request only":     {Requests: l("hugepages-2Mi", "4Mi", "memory", "64Mi")},
		"hugepages request ne limit": {Requests: l("hugepages-2Mi", "2Mi", "memory", "64Mi"), Limits: l("hugepages-2Mi", "4Mi")},
		"request above limit":        {Requests: l("cpu", "2"), Limits: l("cpu", "1")},
		"upper case":                 {Limits: l("CPU", "1")},
		"qualified bad domain":       {Limits: l("Example.com/x", "1")},
	}
	for name, r := range cases {
		job := &batchv1.Job{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: metav1.ObjectMeta{Name: "res", Namespace: ns},
			Spec: batchv1.JobSpec{Template: v1.PodTemplateSpec{Spec: v1.PodSpec{RestartPolicy: v1.RestartPolicyNever,
				Containers: []v1.Container{{Name: "main", Image: "busybox", Resources: r}}}}},
		}
		ours := jobspec.FromJob(job).Validate()
		_, theirs := cluster.Clientset().BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if (ours == nil) != (theirs == nil) {
			t.Errorf("%s: the plugin says %v, the API server says %v", name, ours, theirs)
		}
	}
}
