package jobspec

import (
	"strings"
	"testing"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

func TestQueueFlags(t *testing.T) {
	s, err := ParseArgs(append(append([]string{}, base...), "--queue", "team-a", "--workload-priority-class", "high", "-l", "app=x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	job := s.Build()
	if job.Labels[QueueLabel] != "team-a" || job.Labels[WorkloadPriorityClassLabel] != "high" || job.Labels["app"] != "x" {
		t.Errorf("labels %v", job.Labels)
	}
	if job.Spec.Suspend == nil || !*job.Spec.Suspend {
		t.Errorf("a queued Job must be created suspended, got %v", job.Spec.Suspend)
	}
	// Kueue reads the Job's labels; the pods need not carry them.
	if _, ok := job.Spec.Template.Labels[QueueLabel]; ok {
		t.Errorf("pod template carries the queue label: %v", job.Spec.Template.Labels)
	}
	args, complete := Args(s)
	if !complete || strings.Contains(strings.Join(args, " "), "--suspend") {
		t.Errorf("Args = %q (complete %v): --queue says suspend by itself", args, complete)
	}
}

// TestQueueRoundTripThroughManifest: -f of a queued Job gives its queue
// and class back as settings, and Args the flags that rebuild it.
func TestQueueRoundTripThroughManifest(t *testing.T) {
	s, _ := ParseArgs(append(append([]string{}, base...), "--queue", "team-a", "--workload-priority-class", "high"))
	data, err := yaml.Marshal(s.Build())
	if err != nil {
		t.Fatal(err)
	}
	imported, err := Import("job.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if imported.Queue != "team-a" || imported.WorkloadPriorityClass != "high" || len(imported.Labels) != 0 {
		t.Errorf("imported queue %q class %q labels %v", imported.Queue, imported.WorkloadPriorityClass, imported.Labels)
	}
	if !apiequality.Semantic.DeepEqual(imported.Build(), s.Build()) {
		t.Error("-f of a queued Job builds a different Job")
	}
	args, complete := Args(imported)
	again, err := ParseArgs(args)
	if err != nil || !complete || !apiequality.Semantic.DeepEqual(again.Build(), s.Build()) {
		t.Errorf("Args %q (complete %v, %v) do not rebuild the Job", args, complete, err)
	}
}

func TestQueueFlagsRefused(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"upper case":         {[]string{"--queue", "Team-A"}, "--queue"},
		"underscore":         {[]string{"--queue", "team_a"}, "--queue"},
		"too long":           {[]string{"--queue", strings.Repeat("q", 64)}, "at most 63"},
		"class upper":        {[]string{"--workload-priority-class", "High"}, "--workload-priority-class"},
		"queue but no start": {[]string{"--queue", "team-a", "--suspend=false"}, "--suspend \"false\": cannot be used with --queue"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseArgs(append(append([]string{}, base...), c.args...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	// A manifest's bad queue label is reported once, at --queue.
	s, _ := ParseArgs(base)
	s.Queue = "Bad_Queue"
	err := s.Validate()
	if err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), "--queue (metadata.labels[kueue.x-k8s.io/queue-name])") {
		t.Errorf("Validate = %v", err)
	}
}

func TestEmptyQueueTakesTheManifestsAway(t *testing.T) {
	s, _ := ParseArgs(append(append([]string{}, base...), "--queue", ""))
	if s.Queue != "" || s.Build().Labels[QueueLabel] != "" {
		t.Errorf("--queue \"\" kept a queue: %q", s.Queue)
	}
}
