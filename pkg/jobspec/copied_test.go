package jobspec

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// finishedJob is `kubectl get job pi -o yaml` of a finished Job, as a
// v1.37 API server answers it.
const finishedJob = `apiVersion: batch/v1
kind: Job
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","namespace":"team-a"}}
    team: data
  creationTimestamp: "2026-12-02T09:00:00Z"
  generation: 1
  labels:
    app: pi
    batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
    batch.kubernetes.io/job-name: pi
    controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
    job-name: pi
    kubectl-job-wizard/create-id: "0011223344556677"
  managedFields:
  - apiVersion: batch/v1
    fieldsType: FieldsV1
    fieldsV1: {"f:spec":{"f:backoffLimit":{}}}
    manager: kubectl-job-wizard
    operation: Update
    time: "2026-12-02T09:00:00Z"
  name: pi
  namespace: team-a
  resourceVersion: "4242"
  uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
spec:
  backoffLimit: 2
  completionMode: NonIndexed
  completions: 1
  manualSelector: false
  parallelism: 1
  podReplacementPolicy: TerminatingOrFailed
  selector:
    matchLabels:
      batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
  suspend: false
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: pi
        batch.kubernetes.io/controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
        batch.kubernetes.io/job-name: pi
        controller-uid: 6b1b1d2c-8d2e-4b0c-9d55-1c8f0f2b7a11
        job-name: pi
    spec:
      containers:
      - command: ["sh", "-c", "echo one\necho two\n"]
        image: busybox:1.36
        imagePullPolicy: IfNotPresent
        name: pi
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Never
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status:
  completionTime: "2026-12-02T09:00:05Z"
  conditions:
  - lastProbeTime: "2026-12-02T09:00:05Z"
    lastTransitionTime: "2026-12-02T09:00:05Z"
    status: "True"
    type: Complete
  ready: 0
  startTime: "2026-12-02T09:00:00Z"
  succeeded: 1
  terminating: 0
  uncountedTerminatedPods: {}
`

func TestCleanCopied(t *testing.T) {
	job, err := DecodeJob("pi.yaml", []byte(finishedJob))
	if err != nil {
		t.Fatal(err)
	}
	dropped := CleanCopied(job)
	want := []string{"metadata.uid", "metadata.resourceVersion", "metadata.generation", "metadata.creationTimestamp",
		"metadata.managedFields", "spec.selector", "spec.manualSelector",
		"metadata.labels[batch.kubernetes.io/controller-uid]", "metadata.labels[batch.kubernetes.io/job-name]",
		"metadata.labels[controller-uid]", "metadata.labels[job-name]",
		"spec.template.metadata.labels[batch.kubernetes.io/controller-uid]", "spec.template.metadata.labels[batch.kubernetes.io/job-name]",
		"spec.template.metadata.labels[controller-uid]", "spec.template.metadata.labels[job-name]",
		"metadata.labels[kubectl-job-wizard/create-id]", "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]",
		"status"}
	if !slices.Equal(dropped, want) {
		t.Errorf("dropped\n %q\nwant\n %q", dropped, want)
	}
	if job.UID != "" || job.ResourceVersion != "" || job.Spec.Selector != nil || job.Spec.ManualSelector != nil ||
		len(job.ManagedFields) != 0 || job.Status.Succeeded != 0 {
		t.Errorf("left server fields: %+v", job)
	}
	if !sameMap(job.Labels, map[string]string{"app": "pi"}) || !sameMap(job.Spec.Template.Labels, map[string]string{"app": "pi"}) ||
		!sameMap(job.Annotations, map[string]string{"team": "data"}) {
		t.Errorf("labels %v, template labels %v, annotations %v", job.Labels, job.Spec.Template.Labels, job.Annotations)
	}
	// What the user or the defaults wrote stays: the Job is the same Job.
	if *job.Spec.BackoffLimit != 2 || job.Spec.Template.Spec.Containers[0].Command[2] != "echo one\necho two\n" {
		t.Errorf("spec changed: %+v", job.Spec)
	}

	// Cleaning twice, or a Job written by hand, drops nothing.
	if again := CleanCopied(job); len(again) != 0 {
		t.Errorf("second clean dropped %q", again)
	}
}

func TestCleanCopiedKeepsAManualSelector(t *testing.T) {
	manual := true
	job := &batchv1.Job{}
	job.Spec.ManualSelector = &manual
	job.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "mine"}}
	job.Spec.Template.Labels = map[string]string{"app": "mine", "job-name": "mine"}
	want := job.DeepCopy()
	if dropped := CleanCopied(job); len(dropped) != 0 || !apiequality.Semantic.DeepEqual(job, want) {
		t.Errorf("dropped %q of a manual selector: %+v", dropped, job.Spec)
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFilePathShownWhole(t *testing.T) {
	path := "/home/someone/projects/a-rather-long-project-name/deploy/jobs/nightly-report-copied-from-prod.yaml"
	_, err := Import(path, []byte("kind: Pod\napiVersion: v1\n"))
	if err == nil || !strings.Contains(err.Error(), strconv.Quote(path)) {
		t.Errorf("error %v does not show %s whole", err, path)
	}
}

func TestExpandANSIQuotesReadsShellQuote(t *testing.T) {
	for _, w := range []string{"echo one\necho 'two'\n", "tab\there", "bell\x07", "back\\slash", "plain", "it's"} {
		got := ExpandANSIQuotes("sh -c " + ShellQuote(w))
		want := "sh -c '" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		if ShellQuote(w) == w {
			want = "sh -c " + w
		} else if !strings.HasPrefix(ShellQuote(w), "$'") {
			want = "sh -c " + ShellQuote(w)
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", w, got, want)
		}
	}
}
