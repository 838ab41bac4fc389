package jobspec

import (
	"bytes"
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SetLastApplied is kubectl's CreateOrUpdateAnnotation for a Job about to
// be created: with save (--save-config), or when the Job already carries
// the annotation, the annotation is set to the Job as it is sent, encoded
// as kubectl's encoder writes it (encoding/json with a final newline, the
// annotation itself left out), so that a later `kubectl apply` knows what
// it applied. Without either it leaves the Job alone.
//
// job is a *batchv1.Job or a *batchv1.CronJob.
func SetLastApplied(job metav1.Object, save bool) error {
	annotations := job.GetAnnotations()
	old, had := annotations[LastAppliedAnnotation]
	if !save && !had {
		return nil
	}
	delete(annotations, LastAppliedAnnotation)
	if len(annotations) == 0 {
		// kubectl's accessor sets an empty map, which encodes as absent.
		job.SetAnnotations(nil)
	}
	var b bytes.Buffer
	err := json.NewEncoder(&b).Encode(job)
	if annotations == nil {
		annotations = map[string]string{}
	}
	job.SetAnnotations(annotations)
	if err != nil {
		if had {
			annotations[LastAppliedAnnotation] = old
		}
		return err
	}
	annotations[LastAppliedAnnotation] = b.String()
	return nil
}
