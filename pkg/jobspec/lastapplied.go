package jobspec

import (
	"bytes"
	"encoding/json"

	batchv1 "k8s.io/api/batch/v1"
)

// SetLastApplied is kubectl's CreateOrUpdateAnnotation for a Job about to
// be created: with save (--save-config), or when the Job already carries
// the annotation, the annotation is set to the Job as it is sent, encoded
// as kubectl's encoder writes it (encoding/json with a final newline, the
// annotation itself left out), so that a later `kubectl apply` knows what
// it applied. Without either it leaves the Job alone.
func SetLastApplied(job *batchv1.Job, save bool) error {
	old, had := job.Annotations[LastAppliedAnnotation]
	if !save && !had {
		return nil
	}
	delete(job.Annotations, LastAppliedAnnotation)
	annotations := job.Annotations
	if len(job.Annotations) == 0 {
		// kubectl's accessor sets an empty map, which encodes as absent.
		job.Annotations = nil
	}
	var b bytes.Buffer
	err := json.NewEncoder(&b).Encode(job)
	if annotations == nil {
		annotations = map[string]string{}
	}
	job.Annotations = annotations
	if err != nil {
		if had {
			job.Annotations[LastAppliedAnnotation] = old
		}
		return err
	}
	job.Annotations[LastAppliedAnnotation] = b.String()
	return nil
}
