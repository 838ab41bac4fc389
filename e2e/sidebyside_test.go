package e2e

// Side by side with the real `kubectl create job --dry-run=client` (kubectl
// v1.32 on this machine): every command line of kubectl's own
// create_job_test.go and many more, run by both. They must build the same
// Job (compared as Jobs: kubectl prints empty fields the plugin leaves
// out) or both refuse, except where a difference is listed with its reason.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type sideCase struct {
	args []string
	// differs, when set, is why the plugin deliberately differs.
	differs string
}

const (
	refusesName  = "the plugin refuses a name the API server would refuse (kubectl's client dry run prints it)"
	extendsFrom  = "an extension of docs/CLI.md: --from takes a new command and --image, which kubectl refuses"
	noNameNeeded = "an extension: with --from and no NAME the Job gets generateName SOURCE- (kubectl requires a NAME)"
)

func sideBySideCases(ns string) []sideCase {
	y := []string{"--dry-run=client", "-o", "yaml"}
	c := func(differs string, args ...string) sideCase { return sideCase{args: args, differs: differs} }
	// The dry-run flags go first: after -- everything is the command.
	with := func(args ...string) []string { return append(append([]string{}, y...), args...) }
	cases := []sideCase{
		// kubectl's create_job_test.go: TestCreateJobValidation.
		c("", y...), // empty flags
		c(extendsFrom, with("x", "--image=my-image", "--from=cronjob/nightly", "-n", ns)...), // both image and from
		c(extendsFrom, with("x", "--from=cronjob/nightly", "-n", ns, "--", "test", "command")...),
		// TestCreateJob.
		c("", with("test-job", "--image=busybox")...),
		c("", with("test-job", "--image=busybox", "--", "date")...),
		// TestCreateJobFromCronJob.
		c("", with("test-job", "--from=cronjob/nightly", "-n", ns)...),
		c("", with("test-job", "--from=cronjobs/nightly", "-n", ns)...),
		c("", with("test-job", "--from=cj/nightly", "-n", ns)...),
		c("", with("test-job", "--from=cronjob/absent", "-n", ns)...),
		c("", with("test-job", "--from=nightly", "-n", ns)...),
		c(noNameNeeded, with("--from=cronjob/nightly", "-n", ns)...),
		// Commands.
		c("", with("pi", "--image=perl:5.28.0", "--", "perl", "-Mbignum=bpi", "-wle", "print bpi(2000)")...),
		c("", with("sh", "--image=busybox", "--", "sh", "-c", "echo one\necho two\n")...),
		c("", with("q", "--image=busybox", "--", "echo", "it's \"quoted\"", "$HOME", "`x`")...),
		c("", with("e", "--image=busybox", "--", "")...),
		c("", with("u", "--image=busybox", "--", "écho", "日本語")...),
		c("", with("dash", "--image=busybox", "--", "--help")...),
		c("", with("long", "--image=busybox", "--", strings.Repeat("a", 5000))...),
		// Images.
		c("", with("i", "--image=registry.example.com:5000/team/app:1.4")...),
		c("", with("i", "--image=busybox@sha256:"+strings.Repeat("a", 64))...),
		c("", with("i", "--image=localhost/app")...),
		c("", with("i", "--image=")...),
		// Names.
		c("", with("a", "--image=busybox")...),
		c("", with(strings.Repeat("a", 63), "--image=busybox")...),
		c(refusesName, with(strings.Repeat("a", 64), "--image=busybox")...),
		c(refusesName, with("Upper", "--image=busybox")...),
		c(refusesName, with("under_score", "--image=busybox")...),
		c(refusesName, with("dot.ted", "--image=busybox")...),
		c("", with("-lead", "--image=busybox")...), // a flag to both
		c(refusesName, with("trail-", "--image=busybox")...),
		c("", with("a1-b2", "--image=busybox")...),
		c("", with("9lives", "--image=busybox")...),
		c("", with("--image=busybox")...), // no name
		c("", with("a", "b", "--image=busybox")...),
		// Namespaces.
		c("", with("n", "--image=busybox", "-n", "team-a")...),
		c("", with("n", "--image=busybox", "--namespace=team-a")...),
		c(refusesName, with("n", "--image=busybox", "-n", "Team_A")...),
		// Dry-run forms.
		c("", "d", "--image=busybox", "--dry-run=client", "-o", "yaml"),
		c("", "d", "--image=busybox", "--dry-run", "-o", "yaml"),
		c("", "d", "--image=busybox", "--dry-run=true", "-o", "yaml"),
		c("", "d", "--image=busybox", "--dry-run=maybe", "-o", "yaml"),
		// Output forms.
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "json"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "name"),
		c("", "o", "--image=busybox", "--dry-run=client"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath={.metadata.name}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath={.spec.template.spec.containers[0].image}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath", "--template={.kind}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath-as-json={.spec.template.spec.containers[0].name}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template={{.metadata.name}}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template", "--template={{.metadata.name}}"),
		c("", "o", "--image=busybox", "--dry-run=client", "--template={{.kind}}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "template={{.apiVersion}}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template={{.nope}}"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template={{.nope.x}}", "--allow-missing-template-keys=false"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "go-template={{"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "jsonpath={.["),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "wide"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "xml"),
		c("", "o", "--image=busybox", "--dry-run=client", "-o", "yaml", "--show-managed-fields"),
		// kubectl's own flags.
		c("", with("s", "--image=busybox", "--save-config")...),
		c("", with("s", "--image=busybox", "--save-config", "-n", "team-a", "--", "sh", "-c", "echo <a> & b")...),
		c("", with("s", "--image=busybox", "--save-config=false")...),
		c("", with("s", "--save-config", "--from=cronjob/nightly", "-n", ns)...),
		c("", with("v", "--image=busybox", "--validate=true")...),
		c("", with("v", "--image=busybox", "--validate=false")...),
		c("", with("v", "--image=busybox", "--validate=strict")...),
		c("", with("v", "--image=busybox", "--validate=warn")...),
		c("", with("v", "--image=busybox", "--validate=ignore")...),
		c("", with("v", "--image=busybox", "--validate")...),
		c("", with("v", "--image=busybox", "--validate=sometimes")...),
		c("", with("f", "--image=busybox", "--field-manager=ci")...),
		c("", with("f", "--image=busybox", "--cache-dir=/tmp/kube-cache")...),
		c("", with("f", "--image=busybox", "--show-managed-fields")...),
		c("", with("f", "--image=busybox", "--allow-missing-template-keys=false")...),
		// Flags kubectl lacks are refused by kubectl; not compared here.
		c("", with("u", "--image=busybox", "--no-such-flag")...),
		c("", with("u", "--image")...),
	}
	return cases
}

func TestKubectlSideBySide(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 5*time.Minute)
	ns := cluster.Namespace(t)
	suspend := true
	_, err := cluster.Clientset().BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: &suspend, JobTemplate: batchv1.JobTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}, Annotations: map[string]string{"team": "data"}},
			Spec: batchv1.JobSpec{BackoffLimit: new(int32(2)), Template: v1.PodTemplateSpec{Spec: v1.PodSpec{RestartPolicy: v1.RestartPolicyOnFailure,
				Containers: []v1.Container{{Name: "report", Image: "report:1.0", Command: []string{"/report"}}}}}},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same, differ := 0, 0
	cases := sideBySideCases(ns)
	for i, c := range cases {
		k := runKubectl(ctx, t, nil, nil, append([]string{"create", "job"}, c.args...)...)
		p := clusterRun(ctx, t, "", c.args...)
		agree, why := sameOutcome(k, p)
		line := fmt.Sprintf("#%d %q", i, c.args)
		switch {
		case agree && c.differs != "":
			t.Errorf("%s: listed as differing (%s) but both agree", line, c.differs)
		case !agree && c.differs == "":
			t.Errorf("%s: %s\nkubectl: %s\nplugin: %s", line, why, k, p)
		case agree:
			same++
		default:
			differ++
			t.Logf("%s differs as listed: %s", line, c.differs)
		}
	}
	t.Logf("FIGURE sidebyside_cases %d", len(cases))
	t.Logf("FIGURE sidebyside_same %d", same)
	t.Logf("FIGURE sidebyside_listed_differences %d", differ)
}

var klogHeader = regexp.MustCompile(`(?m)^[IWEF]\d{4} [\d:.]+ +\d+ [^\]]+\] `)

// sameOutcome says whether kubectl and the plugin did the same: both
// refused, or both printed the same Job (or the same text).
func sameOutcome(k kubectlResult, p followResult) (bool, string) {
	if (k.code == 0) != (p.code == 0) {
		return false, fmt.Sprintf("kubectl exit %d, plugin exit %d", k.code, p.code)
	}
	if k.code != 0 {
		return true, ""
	}
	// kubectl's warnings (deprecated --dry-run forms) are the plugin's.
	for _, w := range klogHeader.Split(k.stderr, -1) {
		if w = strings.TrimSpace(w); w != "" && !strings.Contains(p.stderr, w) {
			return false, fmt.Sprintf("the plugin does not warn %q", w)
		}
	}
	kj, kerr := decodeSideJob(k.stdout)
	pj, perr := decodeSideJob(p.stdout)
	if kerr != nil || perr != nil {
		if k.stdout != p.stdout {
			return false, "stdout differs"
		}
		return true, ""
	}
	if !apiequality.Semantic.DeepEqual(kj, pj) {
		return false, "the Jobs differ"
	}
	return true, ""
}

// decodeSideJob reads a printed Job; its last-applied annotation is read
// as the Job it holds, since kubectl 1.32 writes "creationTimestamp":null
// where later versions (and the plugin, on apimachinery 0.37) leave a
// zero time out, which is the same Job to kubectl apply.
func decodeSideJob(out string) (*batchv1.Job, error) {
	if !strings.Contains(out, "kind") || !strings.Contains(out, "Job") {
		return nil, fmt.Errorf("not a Job")
	}
	job := &batchv1.Job{}
	if err := yaml.UnmarshalStrict([]byte(out), job); err != nil {
		return nil, err
	}
	if job.Kind != "Job" {
		return nil, fmt.Errorf("not a Job")
	}
	if la, ok := job.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
		inner := &batchv1.Job{}
		if err := json.Unmarshal([]byte(la), inner); err != nil {
			return nil, err
		}
		b, _ := json.Marshal(inner)
		job.Annotations["kubectl.kubernetes.io/last-applied-configuration"] = string(b)
	}
	return job, nil
}
