package manifest

import (
	"bytes"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"
)

func job() *batchv1.Job {
	deadline := int64(9007199254740993) // 2^53+1: a float64 would round it
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "pi"},
		Spec: batchv1.JobSpec{
			ActiveDeadlineSeconds: &deadline,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "pi", Image: "perl:5.34.0"}},
			}},
		},
	}
}

func cronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "pi"},
		Spec:       batchv1.CronJobSpec{Schedule: "*/5 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: job().Spec}},
	}
}

// TestSameAsKubectlPrinters: YAML and JSON write what kubectl's -o yaml and
// -o json printers write for the cleaned object, for a Job and a CronJob,
// without status, nulls, empty metadata of templates or empty resources.
func TestSameAsKubectlPrinters(t *testing.T) {
	unfinished := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{GenerateName: "draft-"}}
	for name, obj := range map[string]runtime.Object{"job": job(), "cronjob": cronJob(), "unfinished": unfinished} {
		t.Run(name, func(t *testing.T) {
			u, err := Object(obj)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				asJSON bool
				p      printers.ResourcePrinter
			}{{false, &printers.YAMLPrinter{}}, {true, &printers.JSONPrinter{}}} {
				var want bytes.Buffer
				if err := c.p.PrintObj(u, &want); err != nil {
					t.Fatal(err)
				}
				got, err := Render(obj, c.asJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("json=%v:\n--- got\n%s\n--- kubectl's printer\n%s", c.asJSON, got, want.Bytes())
				}
			}
			y, _ := YAML(obj)
			for _, bad := range []string{"status:", "creationTimestamp", "resources: {}", "null", "\n      metadata: {}", "\n    metadata: {}"} {
				if strings.Contains(string(y), bad) {
					t.Errorf("carries %q:\n%s", bad, y)
				}
			}
			if name != "unfinished" && !strings.Contains(string(y), "activeDeadlineSeconds: 9007199254740993\n") {
				t.Errorf("an int64 was not kept exact:\n%s", y)
			}
		})
	}
}
