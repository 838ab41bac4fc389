package strategicpatch_test

import (
	"encoding/json"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	upstream "k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/jobwizard/kubectl-job-wizard/internal/third_party/strategicpatch"
)

// TestSameAsUpstream holds the copy to k8s.io/apimachinery's package: the
// same merged Job, or the same error, for patches of every strategy a Job's
// fields have (merge by key, replace, retainKeys, delete, the directives).
func TestSameAsUpstream(t *testing.T) {
	job := &batchv1.Job{}
	job.APIVersion, job.Kind, job.Name = "batch/v1", "Job", "pi"
	job.Labels = map[string]string{"app": "pi", "team": "a"}
	job.Finalizers = []string{"a", "b"}
	job.Spec.Template.Spec = corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyNever,
		Containers: []corev1.Container{{
			Name: "pi", Image: "perl:5.28.0", Command: []string{"perl", "-e", "1"},
			Env:          []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
			Ports:        []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
			VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
		}, {Name: "side", Image: "busybox"}},
		Volumes:     []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		Tolerations: []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}},
	}
	orig, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	patches := map[string]string{
		"empty":               `{}`,
		"label":               `{"metadata":{"labels":{"team":"b","new":"x"}}}`,
		"delete label":        `{"metadata":{"labels":{"team":null}}}`,
		"merge container":     `{"spec":{"template":{"spec":{"containers":[{"name":"pi","image":"perl:5.30"}]}}}}`,
		"add container":       `{"spec":{"template":{"spec":{"containers":[{"name":"new","image":"x"}]}}}}`,
		"merge env by name":   `{"spec":{"template":{"spec":{"containers":[{"name":"pi","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}}}`,
		"delete container":    `{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}`,
		"replace list":        `{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"y"}],"$patch":"replace"}}}}`,
		"replace map":         `{"spec":{"template":{"spec":{"$patch":"replace","containers":[{"name":"z","image":"z"}]}}}}`,
		"replace command":     `{"spec":{"template":{"spec":{"containers":[{"name":"pi","command":["sh"]}]}}}}`,
		"port by number":      `{"spec":{"template":{"spec":{"containers":[{"name":"pi","ports":[{"containerPort":80,"name":"http"},{"containerPort":81}]}]}}}}`,
		"volume retainKeys":   `{"spec":{"template":{"spec":{"volumes":[{"name":"data","emptyDir":null,"hostPath":{"path":"/x"},"$retainKeys":["name","hostPath"]}]}}}}`,
		"set element order":   `{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"pi"}],"containers":[{"name":"pi","image":"p"}]}}}}`,
		"delete from list":    `{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}`,
		"tolerations replace": `{"spec":{"template":{"spec":{"tolerations":[{"key":"other","operator":"Exists"}]}}}}`,
		"fields of the spec":  `{"spec":{"backoffLimit":3,"parallelism":2,"ttlSecondsAfterFinished":60,"activeDeadlineSeconds":9007199254740993}}`,
		"pod security":        `{"spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"pi","securityContext":{"capabilities":{"drop":["ALL"]}}}]}}}}`,
		"unknown field":       `{"spec":{"nope":{"a":[1,2]}}}`,
		"bad directive":       `{"spec":{"template":{"spec":{"containers":[{"name":"pi","$patch":"bogus"}]}}}}`,
		"no merge key":        `{"spec":{"template":{"spec":{"containers":[{"image":"nameless"}]}}}}`,
		"list for a map":      `{"spec":{"template":[1]}}`,
		"map for a list":      `{"spec":{"template":{"spec":{"containers":{"name":"pi"}}}}}`,
		"null spec":           `{"spec":null}`,
		"not json":            `{"spec":`,
		"top-level list":      `[1,2]`,
	}
	for name, patch := range patches {
		t.Run(name, func(t *testing.T) {
			want, wantErr := upstream.StrategicMergePatch(orig, []byte(patch), batchv1.Job{})
			got, gotErr := strategicpatch.StrategicMergePatch(orig, []byte(patch), batchv1.Job{})
			if string(got) != string(want) || errText(gotErr) != errText(wantErr) {
				t.Errorf("copy:     %s (%v)\nupstream: %s (%v)", got, gotErr, want, wantErr)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
