package wizard

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestStepVolumes(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qAddVolume:                              {"Persistent volume (an existing PVC)"},
		qClaim:                                  {"Bad Claim", "data-claim"},
		qVolumeName:                             {"Data", "", "", "", "", ""},
		qAddVolume2:                             {"Temporary volume (emptyDir)", "ConfigMap", "Secret", "Host path", "No more volumes"},
		"Where does the temporary volume live?": {"In memory (tmpfs; counts against the memory limit)"},
		"Size limit (optional, e.g. 1Gi)":       {"-1Gi", "1Gi"},
		"ConfigMap":                             {"app-config"},
		"Which keys become files?":              {"Chosen keys, at chosen paths", "All keys, each a file named after it"},
		"Keys and paths: KEY=PATH,… (e.g. app.yaml=conf/app.yaml)": {"app.yaml=/abs/path", "app.yaml=conf/app.yaml"},
		"Secret": {"db"},
		"Path on the node (absolute, e.g. /var/log)": {"var/log", "/var/log"},
		qMountPath: {"data", "/data", "/data", "/scratch", "/etc/app", "/etc/db", "/host/log"},
		qReadOnly:  {false, false, true, true, true},
		qSubPath:   {"../up", "reports", "", "", "", ""},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qClaim, "claim name")
	wantRejected(t, r, qVolumeName, "volume name must be a DNS-1123 label")
	wantRejected(t, r, "Size limit (optional, e.g. 1Gi)", "must be a positive quantity")
	wantRejected(t, r, "Keys and paths: KEY=PATH,… (e.g. app.yaml=conf/app.yaml)", "an item path must be relative")
	wantRejected(t, r, "Path on the node (absolute, e.g. /var/log)", "a host path must be absolute")
	wantRejected(t, r, qMountPath, "the mount path must be absolute", "two mounts share this path")
	wantRejected(t, r, qSubPath, "the subpath must be relative and must not contain '..'")

	pod := job.Spec.Template.Spec
	if len(pod.Volumes) != 5 {
		t.Fatalf("volumes: %+v", pod.Volumes)
	}
	v := pod.Volumes
	if v[0].Name != "data-claim" || v[0].PersistentVolumeClaim.ClaimName != "data-claim" {
		t.Errorf("pvc: %+v", v[0])
	}
	if v[1].Name != "scratch" || v[1].EmptyDir.Medium != corev1.StorageMediumMemory || !v[1].EmptyDir.SizeLimit.Equal(resource.MustParse("1Gi")) {
		t.Errorf("emptyDir: %+v", v[1])
	}
	if v[2].ConfigMap.Name != "app-config" || len(v[2].ConfigMap.Items) != 1 || v[2].ConfigMap.Items[0].Path != "conf/app.yaml" {
		t.Errorf("configmap: %+v", v[2])
	}
	if v[3].Secret.SecretName != "db" || len(v[3].Secret.Items) != 0 {
		t.Errorf("secret: %+v", v[3])
	}
	if v[4].HostPath.Path != "/var/log" || v[4].Name != "log" {
		t.Errorf("hostPath: %+v", v[4])
	}
	m := pod.Containers[0].VolumeMounts
	if len(m) != 5 || m[0].MountPath != "/data" || m[0].SubPath != "reports" || m[0].ReadOnly || !m[2].ReadOnly || m[4].MountPath != "/host/log" {
		t.Errorf("mounts: %+v", m)
	}
	// One container and five flag-shaped volumes: the command says it all.
	if strings.Contains(r.res.Command, " -f ") || !strings.Contains(r.res.Command, "--volume=scratch=emptydir:medium=Memory,size=1Gi") {
		t.Errorf("command: %s", r.res.Command)
	}
}

func TestStepLabelsAndNodes(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qLabel:      {"no-equals", "app=has space", "app=report", "tier=batch", ""},
		qAnnotation: {"=x", "team=data", ""},
		qWhere:      {"Nodes with these labels"},
		qNodeLabel:  {"bad key=ssd", "disktype=ssd", "zone=", ""},
		qTolerate:   {true},
		qToleration: {"dedicated=batch", "dedicated=batch:Sometimes", "dedicated=batch:NoSchedule", "gpu:NoExecute", ""},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qLabel, `"no-equals": must be KEY=VALUE`, "value a valid label must be")
	wantRejected(t, r, qAnnotation, "must be KEY=VALUE")
	wantRejected(t, r, qNodeLabel, "key name part must consist")
	wantRejected(t, r, qToleration, "must be KEY[=VALUE]:EFFECT", `effect "Sometimes" must be NoSchedule`)
	if job.Labels["app"] != "report" || job.Labels["tier"] != "batch" || job.Spec.Template.Labels["app"] != "report" {
		t.Errorf("labels: job %v pod %v", job.Labels, job.Spec.Template.Labels)
	}
	if job.Annotations["team"] != "data" {
		t.Errorf("annotations: %v", job.Annotations)
	}
	pod := job.Spec.Template.Spec
	if len(pod.NodeSelector) != 2 || pod.NodeSelector["disktype"] != "ssd" || pod.NodeSelector["zone"] != "" {
		t.Errorf("node selector: %v", pod.NodeSelector)
	}
	if len(pod.Tolerations) != 2 || pod.Tolerations[1].Operator != corev1.TolerationOpExists {
		t.Errorf("tolerations: %+v", pod.Tolerations)
	}
}

func TestStepNodesOneNode(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qWhere: {"One node, by name"},
		qNode:  {"", "worker-1"},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qNode, "must name a node")
	if got := job.Spec.Template.Spec.NodeSelector; len(got) != 1 || got[corev1.LabelHostname] != "worker-1" {
		t.Errorf("node selector: %v", got)
	}
	if !strings.Contains(r.res.Command, "--node=worker-1") {
		t.Errorf("command: %s", r.res.Command)
	}
}
