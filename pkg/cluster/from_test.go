package cluster

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestCopyJob(t *testing.T) {
	uid := "0b6f1f53-1a4e-4c5f-9b8a-6f8d1c0e2a11"
	controller := true
	src := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name: "report", Namespace: "team-a", UID: "0b6f1f53-1a4e-4c5f-9b8a-6f8d1c0e2a11", ResourceVersion: "812",
			Generation: 1, CreationTimestamp: metav1.Now(),
			Labels: map[string]string{"app": "report", batchv1.ControllerUidLabel: uid, batchv1.JobNameLabel: "report",
				"controller-uid": uid, "job-name": "report"},
			Annotations: map[string]string{"team": "data", "kubectl.kubernetes.io/last-applied-configuration": "{}",
				"batch.kubernetes.io/job-tracking": ""},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			OwnerReferences: []metav1.OwnerReference{{Kind: "CronJob", Name: "nightly", Controller: &controller}},
			Finalizers:      []string{"batch.kubernetes.io/job-tracking"},
		},
		Spec: batchv1.JobSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{batchv1.ControllerUidLabel: uid}},
			ManualSelector: &controller,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report", batchv1.ControllerUidLabel: uid,
					batchv1.JobNameLabel: "report", "controller-uid": uid, "job-name": "report"}},
				Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "main", Image: "report:1"}}},
			},
		},
		Status: batchv1.JobStatus{Succeeded: 1},
	}
	got, dropped := CopyJob(src)
	want := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "report-", Namespace: "team-a",
			Labels:      map[string]string{"app": "report"},
			Annotations: map[string]string{"team": "data"},
		},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}},
			Spec:       corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "main", Image: "report:1"}}},
		}},
	}
	if !apiequality.Semantic.DeepEqual(got, want) {
		t.Errorf("CopyJob:\n got %+v\nwant %+v", got, want)
	}
	if len(dropped) == 0 {
		t.Error("CopyJob said it dropped nothing")
	}
	if src.Name != "report" || src.Labels[batchv1.JobNameLabel] == "" {
		t.Error("CopyJob changed its argument")
	}
}

func TestJobFromCronJob(t *testing.T) {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "team-a", UID: "u1", ResourceVersion: "9"},
		Spec: batchv1.CronJobSpec{Schedule: "@daily", JobTemplate: batchv1.JobTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "nightly"}},
			Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyOnFailure, Containers: []corev1.Container{{Name: "main", Image: "n:1"}},
			}}},
		}},
	}
	got := JobFromCronJob(cj)
	if got.Name != "" || got.GenerateName != "nightly-" || got.Namespace != "team-a" {
		t.Errorf("name %q generateName %q namespace %q, want generateName nightly- in team-a", got.Name, got.GenerateName, got.Namespace)
	}
	if got.Annotations[InstantiateAnnotation] != "manual" || got.Labels["app"] != "nightly" {
		t.Errorf("annotations %v labels %v", got.Annotations, got.Labels)
	}
	if got.UID != "" || got.ResourceVersion != "" {
		t.Errorf("kept the CronJob's identity: %+v", got.ObjectMeta)
	}
	// As kubectl create job --from=cronjob/NAME: a controller reference
	// without blockOwnerDeletion.
	want := []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "u1", Controller: ptr.To(true)}}
	if !apiequality.Semantic.DeepEqual(got.OwnerReferences, want) {
		t.Errorf("ownerReferences %+v, want %+v", got.OwnerReferences, want)
	}
}
