package lookup

import (
	"reflect"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func quotaJob(parallelism, completions int32, req, lim corev1.ResourceList) *batchv1.Job {
	job := &batchv1.Job{Spec: batchv1.JobSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "main", Image: "x", Resources: corev1.ResourceRequirements{Requests: req, Limits: lim},
		}}}},
	}}
	if parallelism > 0 {
		job.Spec.Parallelism = &parallelism
	}
	if completions > 0 {
		job.Spec.Completions = &completions
	}
	return job
}

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func TestQuotaWarnings(t *testing.T) {
	use := func(r, used, hard string) QuotaUse {
		return QuotaUse{Quota: "compute", Resource: r, Used: used, Hard: hard}
	}
	tests := map[string]struct {
		job    *batchv1.Job
		uses   []QuotaUse
		defReq corev1.ResourceList
		want   []string // one substring per warning, in order
	}{
		"fits": {
			job:  quotaJob(2, 0, rl("cpu", "500m", "memory", "128Mi"), rl("cpu", "1")),
			uses: []QuotaUse{use("count/jobs.batch", "1", "10"), use("pods", "2", "10"), use("requests.cpu", "1", "4"), use("limits.cpu", "1", "4")},
		},
		"requests times parallelism over what is left": {
			job:  quotaJob(4, 0, rl("cpu", "500m"), nil),
			uses: []QuotaUse{use("requests.cpu", "2500m", "4")},
			want: []string{`the Job's 4 pods at once ask requests.cpu 2 (500m each) but ResourceQuota "compute" has 1500m left (2500m of 4 used)`},
		},
		"completions cap the pods at once": {
			job:  quotaJob(10, 2, rl("cpu", "1"), nil),
			uses: []QuotaUse{use("requests.cpu", "0", "2"), use("pods", "8", "10")},
		},
		"plain cpu is requests.cpu, and a limit stands in for a missing request": {
			job:  quotaJob(1, 0, nil, rl("memory", "2Gi")),
			uses: []QuotaUse{use("memory", "7Gi", "8Gi")},
			want: []string{"ask memory 2Gi (2Gi each)", "has 1Gi left"},
		},
		"no jobs left": {
			job:  quotaJob(1, 0, nil, nil),
			uses: []QuotaUse{use("count/jobs.batch", "5", "5")},
			want: []string{`ResourceQuota "compute" allows 5 Jobs and 5 exist: the server will refuse this one`},
		},
		"pods over": {
			job:  quotaJob(3, 0, nil, nil),
			uses: []QuotaUse{use("pods", "9", "10")},
			want: []string{`the Job runs 3 pods at once but ResourceQuota "compute" has room for 1 more pods (9 of 10 used)`},
		},
		"quota on cpu needs a request": {
			job:  quotaJob(1, 0, nil, nil),
			uses: []QuotaUse{use("requests.cpu", "0", "4"), use("limits.memory", "0", "4Gi")},
			want: []string{"tracks requests.cpu, so the server refuses pods whose containers set no cpu request; give one, e.g. --request cpu=500m",
				"tracks limits.memory", "--limit memory=256Mi"},
		},
		"LimitRange default request counts": {
			job:    quotaJob(2, 0, nil, nil),
			uses:   []QuotaUse{use("requests.cpu", "3", "4")},
			defReq: rl("cpu", "1"),
			want:   []string{"ask requests.cpu 2 (1 each)"},
		},
		"extended resources": {
			job:  quotaJob(2, 0, rl("nvidia.com/gpu", "1"), rl("nvidia.com/gpu", "1")),
			uses: []QuotaUse{use("requests.nvidia.com/gpu", "3", "4")},
			want: []string{"ask requests.nvidia.com/gpu 2"},
		},
		"not counted yet": {
			job:  quotaJob(1, 0, nil, nil),
			uses: []QuotaUse{use("count/jobs.batch", "", "1")},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := QuotaWarnings(tc.job, tc.uses, tc.defReq, nil)
			joined := strings.Join(got, "\n")
			rest := joined
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("warnings lack %q (in order):\n%s", w, joined)
					continue
				}
				rest = rest[i+len(w):]
			}
			if len(tc.want) == 0 && len(got) > 0 {
				t.Errorf("want no warnings, got:\n%s", joined)
			}
		})
	}
}

func TestPodResourcesInitContainers(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	pod := &corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "setup", Resources: corev1.ResourceRequirements{Requests: rl("cpu", "2")}},
			{Name: "sidecar", RestartPolicy: &always, Resources: corev1.ResourceRequirements{Requests: rl("cpu", "100m")}},
		},
		Containers: []corev1.Container{
			{Name: "a", Resources: corev1.ResourceRequirements{Requests: rl("cpu", "500m")}},
			{Name: "b", Resources: corev1.ResourceRequirements{Requests: rl("cpu", "500m")}},
		},
	}
	req, _ := podResources(pod, nil, nil)
	if got := req[corev1.ResourceCPU]; got.Cmp(resource.MustParse("2")) != 0 {
		t.Errorf("pod cpu request %s, want 2 (the init container is the largest)", got.String())
	}
	pod.InitContainers[0].Resources.Requests = rl("cpu", "1")
	req, _ = podResources(pod, nil, nil)
	if got := req[corev1.ResourceCPU]; got.Cmp(resource.MustParse("1100m")) != 0 {
		t.Errorf("pod cpu request %s, want 1100m (two containers and the sidecar)", got.String())
	}
}

func TestQuotaSummary(t *testing.T) {
	got := QuotaSummary([]QuotaUse{
		{Quota: "compute", Resource: "count/jobs.batch", Used: "2", Hard: "10"},
		{Quota: "compute", Resource: "requests.cpu", Used: "500m", Hard: "4"},
		{Quota: "gpu", Resource: "requests.nvidia.com/gpu", Hard: "2"},
	})
	want := []string{"compute: count/jobs.batch 2/10, requests.cpu 500m/4", "gpu: requests.nvidia.com/gpu ?/2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("QuotaSummary = %q, want %q", got, want)
	}
}
