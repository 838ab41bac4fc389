package jobspec

import (
	"reflect"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// fieldFlags is the flag of every field of batch/v1 JobSpec, the pod
// template's metadata, PodSpec, Container, and the five volume sources the
// console offers (k8s.io/api v0.37.x): 92 fields. "" means no flag of its
// own: the field is set through --overrides (or -f, or the wizard). The
// README's claim is this table's count; TestEveryFieldHasAFlagOrOverrides
// fails when k8s.io/api grows a field this table does not list.
var fieldFlags = map[string]map[string]string{
	"JobSpec": {
		"parallelism": "--parallelism", "completions": "--completions", "activeDeadlineSeconds": "--active-deadline",
		"podFailurePolicy": "--pod-failure-policy", "successPolicy": "--success-policy", "backoffLimit": "--backoff-limit",
		"backoffLimitPerIndex": "--backoff-limit-per-index", "maxFailedIndexes": "--max-failed-indexes",
		"selector": "", "manualSelector": "", "template": "--image",
		"ttlSecondsAfterFinished": "--ttl-after-finished", "completionMode": "--completion-mode", "suspend": "--suspend",
		"podReplacementPolicy": "--pod-replacement-policy", "managedBy": "", "scheduling": "",
	},
	"PodTemplateSpec.metadata": {"labels": "--label", "annotations": "--pod-annotation"},
	"PodSpec": {
		"volumes": "--volume", "initContainers": "--sidecar", "containers": "--image", "ephemeralContainers": "",
		"restartPolicy": "--restart-policy", "terminationGracePeriodSeconds": "--termination-grace-period",
		"activeDeadlineSeconds": "", "dnsPolicy": "--dns-policy", "nodeSelector": "--node-selector",
		"serviceAccountName": "--service-account", "serviceAccount": "", "automountServiceAccountToken": "--automount-service-account-token",
		"nodeName": "--node-name", "hostNetwork": "--host-network", "hostPID": "--host-pid", "hostIPC": "--host-ipc",
		"shareProcessNamespace": "--share-process-namespace", "securityContext": "--run-as-user", "imagePullSecrets": "--image-pull-secret",
		"hostname": "--hostname", "subdomain": "--subdomain", "affinity": "--node-affinity", "schedulerName": "--scheduler-name",
		"tolerations": "--toleration", "hostAliases": "--host-alias", "priorityClassName": "--priority-class", "priority": "",
		"dnsConfig": "", "readinessGates": "", "runtimeClassName": "--runtime-class", "enableServiceLinks": "--enable-service-links",
		"preemptionPolicy": "", "overhead": "", "topologySpreadConstraints": "", "setHostnameAsFQDN": "", "os": "--os",
		"hostUsers": "--host-users", "schedulingGates": "--scheduling-gate", "resourceClaims": "", "resources": "",
		"hostnameOverride": "", "schedulingGroup": "", "evictionResponders": "",
	},
	"Container": {
		"name": "--container-name", "image": "--image", "command": "--command", "args": "--arg", "workingDir": "--working-dir",
		"ports": "--port", "envFrom": "--env-from", "env": "--env", "resources": "--request", "resizePolicy": "",
		"restartPolicy": "", "restartPolicyRules": "", "volumeMounts": "--mount", "volumeDevices": "", "livenessProbe": "",
		"readinessProbe": "", "startupProbe": "", "lifecycle": "", "terminationMessagePath": "",
		"terminationMessagePolicy": "--termination-message-policy", "imagePullPolicy": "--image-pull-policy",
		"securityContext": "--read-only-root-filesystem", "stdin": "", "stdinOnce": "", "tty": "",
	},
	// The volume sources the console's step 4 offers; the other 25 kinds
	// (csi, nfs, projected, ephemeral, image, ...) come through --overrides.
	"VolumeSource": {"persistentVolumeClaim": "--volume", "emptyDir": "--volume", "configMap": "--volume", "secret": "--volume", "hostPath": "--volume"},
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func TestEveryFieldHasAFlagOrOverrides(t *testing.T) {
	flags := map[string]bool{"--overrides": true, "--container-name": true, "--command": true, "--arg": true}
	for _, n := range SpecFlagNames() {
		flags["--"+n] = true
	}
	for group, typ := range map[string]reflect.Type{
		"JobSpec": reflect.TypeOf(batchv1.JobSpec{}), "PodSpec": reflect.TypeOf(corev1.PodSpec{}), "Container": reflect.TypeOf(corev1.Container{}),
	} {
		for _, f := range jsonFields(typ) {
			flag, listed := fieldFlags[group][f]
			switch {
			case !listed:
				t.Errorf("%s.%s is new in k8s.io/api: give it a flag (or say it is --overrides only) in fieldFlags and the README", group, f)
			case strings.HasPrefix(flag, "--") && !flags[flag]:
				t.Errorf("%s.%s names %s, which is not a flag", group, f, flag)
			}
		}
	}
	vs := map[string]bool{}
	for _, f := range jsonFields(reflect.TypeOf(corev1.VolumeSource{})) {
		vs[f] = true
	}
	for f := range fieldFlags["VolumeSource"] {
		if !vs[f] {
			t.Errorf("VolumeSource.%s is gone from k8s.io/api", f)
		}
	}
	total, named := 0, 0
	for _, m := range fieldFlags {
		for _, flag := range m {
			total++
			if strings.HasPrefix(flag, "--") {
				named++
			}
		}
	}
	t.Logf("FIGURE fields %d", total)
	t.Logf("FIGURE fields-with-a-flag %d", named)
	if total != 92 {
		t.Errorf("%d fields listed; the README says 92", total)
	}
	if named < 60 {
		t.Errorf("%d of %d fields have a flag; at least 60 must", named, total)
	}
}

// TestOverridesReachAnyField sets fields no flag names through --overrides.
func TestOverridesReachAnyField(t *testing.T) {
	s, err := ParseArgs([]string{"job", "--image", "x", "--overrides",
		`{"spec":{"managedBy":"example.com/ctl","template":{"spec":{"dnsConfig":{"nameservers":["1.1.1.1"]},"dnsPolicy":"None","topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}],"containers":[{"name":"job","image":"x","tty":true,"livenessProbe":{"exec":{"command":["true"]}}}],"volumes":[{"name":"n","nfs":{"server":"s","path":"/p"}}]}}}}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "--overrides") {
		// The NFS volume is declared but not mounted: the same rule as --volume, named for --overrides.
		t.Fatalf("want the unmounted volume refused, naming --overrides: %v", err)
	}
	job := s.Build()
	pod := job.Spec.Template.Spec
	if *job.Spec.ManagedBy != "example.com/ctl" || pod.DNSConfig == nil || len(pod.TopologySpreadConstraints) != 1 || !pod.Containers[0].TTY || pod.Containers[0].LivenessProbe == nil || pod.Volumes[0].NFS == nil {
		t.Errorf("overrides did not reach every field: %+v", job.Spec)
	}
}
