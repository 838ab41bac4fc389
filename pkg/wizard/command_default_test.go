package wizard

import (
	"slices"
	"testing"
)

// After -f with a multi-line `sh -c` script, the Command question offers
// the script as $'…', which its parser cannot read; Enter keeps it all the
// same, unchanged.
func TestMultiLineCommandDefaultIsKept(t *testing.T) {
	s := fromYAML(t, `apiVersion: batch/v1
kind: Job
metadata: {name: script}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: [sh, -c, "echo one\necho 'two'\n"]
`)
	r := walk(t, s.DeepCopy(), map[string][]any{
		qWhatNow:      {"Change a step", "Print YAML"},
		"Which step?": {"Step 3/6: Pod template"},
	})
	job := mustWalk(t, r)
	if got := job.Spec.Template.Spec.Containers[0].Command; !slices.Equal(got, []string{"sh", "-c", "echo one\necho 'two'\n"}) {
		t.Errorf("command %q", got)
	}
	if !slices.Contains(r.fake.asked, qCommand) {
		t.Errorf("the Command question was not asked: %q", r.fake.asked)
	}
}
