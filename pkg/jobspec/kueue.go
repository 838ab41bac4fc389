package jobspec

import (
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kueue (kueue.x-k8s.io) queues a Job that carries its queue label and
// arrives suspended, and starts it by unsuspending it once its ClusterQueue
// has quota. These are the labels Kueue reads on the Job (the values of
// sigs.k8s.io/kueue/pkg/controller/constants, which the plugin does not
// import).
const (
	QueueLabel                 = "kueue.x-k8s.io/queue-name"
	WorkloadPriorityClassLabel = "kueue.x-k8s.io/priority-class"
)

// ValidateQueue checks a LocalQueue name as --queue gives it. It is a label
// value on the Job, and it names a LocalQueue, whose name is a DNS-1123
// subdomain: any other value is one no queue can have, and the Job would
// wait suspended forever.
func ValidateQueue(name string) error {
	return validateQueueName("--queue", name, "team-a")
}

// ValidateWorkloadPriorityClass checks a WorkloadPriorityClass name (a
// cluster-scoped object, so a DNS-1123 subdomain) that also is a label
// value.
func ValidateWorkloadPriorityClass(name string) error {
	return validateQueueName("--workload-priority-class", name, "high")
}

const kueueNameRule = "must name a Kueue object (lower case letters, digits, '-' and '.', at most 63 characters)"

func validateQueueName(flag, name, example string) error {
	label := QueueLabel
	if flag == "--workload-priority-class" {
		label = WorkloadPriorityClassLabel
	}
	field := "metadata.labels[" + label + "]"
	msgs := validation.IsDNS1123Subdomain(name)
	msgs = append(msgs, validation.IsValidLabelValue(name)...)
	if len(msgs) == 0 {
		return nil
	}
	return &FieldError{Flag: flag, Field: field, Value: name,
		Rule: kueueNameRule + ": " + apiMsg(msgs[:1]), Example: example}
}

// queued says whether the Spec sends the Job to a Kueue queue, which
// means the Job is created suspended: Kueue's admission resumes it.
func (s *Spec) queued() bool { return s.Queue != "" }

// validateKueue checks the queue and the priority class names.
func (s *Spec) validateKueue() error {
	var errs Errors
	if s.Queue != "" {
		errs.collect(ValidateQueue(s.Queue))
	}
	if s.WorkloadPriorityClass != "" {
		errs.collect(ValidateWorkloadPriorityClass(s.WorkloadPriorityClass))
	}
	return errs.OrNil()
}
