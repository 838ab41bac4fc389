package e2e

// Shell completion as the shell asks for it: `kubectl __complete
// job-wizard …` makes the real kubectl run the kubectl_complete-job_wizard
// shim from PATH, which runs `kubectl job-wizard __complete …`, which reads
// the real control plane. Names come back live, from objects each test
// creates in its own namespace.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
)

// completions is kubectl's answer to a completion: the values (without
// their descriptions) and the directive of its last line.
type completions struct {
	values    []string
	directive string
	raw       kubectlResult
}

// complete asks kubectl to complete `kubectl job-wizard args...`; the last
// arg is the word being completed ("" for a new one).
func complete(ctx context.Context, t *testing.T, args ...string) completions {
	t.Helper()
	r := kubectlWithPlugin(ctx, t, append([]string{"__complete", "job-wizard"}, args...)...)
	if r.code != 0 {
		t.Fatalf("kubectl __complete job-wizard %q: %s", args, r)
	}
	c := completions{raw: r}
	for _, line := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		if strings.HasPrefix(line, ":") {
			c.directive = line
			continue
		}
		if line != "" {
			value, _, _ := strings.Cut(line, "\t")
			c.values = append(c.values, value)
		}
	}
	return c
}

// check checks that every want is offered and nothing of
// unwanted is.
func (c completions) check(t *testing.T, what string, want, unwanted []string, directive string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(c.values, w) {
			t.Errorf("%s: %q not offered; got %q\n%s", what, w, c.values, c.raw)
		}
	}
	for _, u := range unwanted {
		if slices.Contains(c.values, u) {
			t.Errorf("%s: %q offered; got %q", what, u, c.values)
		}
	}
	if directive != "" && c.directive != directive {
		t.Errorf("%s: directive %s, want %s", what, c.directive, directive)
	}
}

// Directives of cobra's protocol, as kubectl prints them.
const (
	dirNoFiles        = ":4" // ShellCompDirectiveNoFileComp
	dirNoFilesNoSpace = ":6" // ... | ShellCompDirectiveNoSpace
)

// completionObjects creates what the completions of a namespace name.
func completionObjects(ctx context.Context, t *testing.T) string {
	t.Helper()
	ns := cluster.Namespace(t)
	cs := cluster.Clientset()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"}}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets(ns).Create(ctx, &v1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "harbor-cred"},
		Type:       v1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{v1.DockerConfigJsonKey: []byte(`{"auths":{}}`)},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets(ns).Create(ctx, &v1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		StringData: map[string]string{"username": "app", "password": "s3cret"},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().ConfigMaps(ns).Create(ctx, &v1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "settings"},
		Data:       map[string]string{"LOG_LEVEL": "debug", "app.yaml": "a: 1"},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &v1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data-claim"},
		Spec: v1.PersistentVolumeClaimSpec{
			AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}, metav1.CreateOptions{}))
	template := v1.PodTemplateSpec{Spec: v1.PodSpec{
		RestartPolicy: v1.RestartPolicyNever,
		Containers:    []v1.Container{{Name: "main", Image: "busybox:1.36"}},
	}}
	must(cs.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly-report"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: new(true),
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template}}},
	}, metav1.CreateOptions{}))
	// Suspended: a Job whose name is all the test needs, without pods.
	must(cs.BatchV1().Jobs(ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "migrate-1"},
		Spec:       batchv1.JobSpec{Suspend: new(true), Template: template},
	}, metav1.CreateOptions{}))
	return ns
}

func TestCompletionFromCluster(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 3*time.Minute)
	ns := completionObjects(ctx, t)
	node := testcluster.DefaultNodeName

	for _, tc := range []struct {
		name           string
		args           []string
		want, unwanted []string
		directive      string
	}{
		{"namespaces", []string{"-n", ""}, []string{ns, "default", "kube-system"}, nil, dirNoFiles},
		{"namespaces by prefix", []string{"-n", ns[:len(ns)-2]}, []string{ns}, []string{"default"}, dirNoFiles},
		{"service accounts", []string{"-n", ns, "--service-account", ""}, []string{"builder", "default"}, nil, dirNoFiles},
		{"image pull secrets are registry credentials only", []string{"-n", ns, "--image-pull-secret", ""}, []string{"harbor-cred"}, []string{"db"}, dirNoFiles},
		{"--from kinds", []string{"-n", ns, "--from", ""}, []string{"cronjob/", "job/"}, nil, dirNoFilesNoSpace},
		{"--from cronjobs", []string{"-n", ns, "--from", "cronjob/"}, []string{"cronjob/nightly-report"}, []string{"job/migrate-1"}, dirNoFiles},
		{"--from jobs", []string{"-n", ns, "--from", "job/"}, []string{"job/migrate-1"}, []string{"cronjob/nightly-report"}, dirNoFiles},
		{"--from keeps the kind as typed", []string{"-n", ns, "--from", "cj/night"}, []string{"cj/nightly-report"}, nil, dirNoFiles},
		{"--env-from kinds", []string{"-n", ns, "--env-from", ""}, []string{"configmap:", "secret:"}, nil, dirNoFilesNoSpace},
		{"--env-from configmaps", []string{"-n", ns, "--env-from", "configmap:"}, []string{"configmap:settings"}, []string{"configmap:db"}, dirNoFiles},
		{"--env-from secrets", []string{"-n", ns, "--env-from", "secret:"}, []string{"secret:db", "secret:harbor-cred"}, nil, dirNoFiles},
		{"--env-value-from secret keys", []string{"-n", ns, "--env-value-from", "PASS=secret:db:"}, []string{"PASS=secret:db:password", "PASS=secret:db:username"}, nil, dirNoFiles},
		{"--volume kinds", []string{"-n", ns, "--volume", "data="}, []string{"data=pvc:", "data=configmap:", "data=secret:", "data=emptydir"}, nil, dirNoFilesNoSpace},
		{"--volume claims", []string{"-n", ns, "--volume", "data=pvc:"}, []string{"data=pvc:data-claim"}, nil, dirNoFiles},
		{"--volume configmaps", []string{"-n", ns, "--volume", "cfg=configmap:"}, []string{"cfg=configmap:settings"}, nil, dirNoFiles},
		{"--volume secrets", []string{"-n", ns, "--volume", "creds=secret:d"}, []string{"creds=secret:db"}, []string{"creds=secret:harbor-cred"}, dirNoFiles},
		{"nodes", []string{"--node", ""}, []string{node}, nil, dirNoFiles},
		{"node label keys", []string{"--node-selector", ""}, []string{"kubernetes.io/hostname=", "disktype="}, nil, dirNoFilesNoSpace},
		{"node label values", []string{"--node-selector", "kubernetes.io/hostname="}, []string{"kubernetes.io/hostname=" + node}, nil, dirNoFiles},
		{"contexts from the kubeconfig", []string{"--context", ""}, []string{"testcluster"}, nil, dirNoFiles},
		{"follow: the Jobs of -n", []string{"follow", "-n", ns, ""}, []string{"migrate-1"}, []string{"nightly-report"}, dirNoFiles},
		// The namespace of the kubeconfig's context (default) when -n is absent.
		{"namespace of the context", []string{"--service-account", ""}, []string{"default"}, []string{"builder"}, dirNoFiles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := complete(ctx, t, tc.args...)
			c.check(t, strings.Join(tc.args, " "), tc.want, tc.unwanted, tc.directive)
		})
	}
}

func TestCompletionFixedLists(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	for _, tc := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"--restart-policy", ""}, []string{"Never", "OnFailure"}, dirNoFiles},
		{[]string{"--completion-mode", ""}, []string{"NonIndexed", "Indexed"}, dirNoFiles},
		{[]string{"--image-pull-policy", ""}, []string{"Always", "IfNotPresent", "Never"}, dirNoFiles},
		// --dry-run alone means client, so its value follows an '='; the
		// shell scripts put the values after "--dry-run=".
		{[]string{"--dry-run="}, []string{"none", "client", "server"}, dirNoFiles},
		{[]string{"-o", ""}, []string{"yaml", "json", "name", "jsonpath=", "go-template="}, dirNoFiles},
		{[]string{"-o", "jsonpath"}, []string{"jsonpath=", "jsonpath-file=", "jsonpath-as-json="}, dirNoFilesNoSpace},
		{[]string{"--example", ""}, []string{"pi"}, dirNoFiles},
		{[]string{"--pod-failure-policy", ""}, []string{"FailJob:", "Ignore:", "Count:", "FailIndex:"}, dirNoFilesNoSpace},
		{[]string{"--request", "cpu=100m,"}, []string{"cpu=100m,memory=", "cpu=100m,ephemeral-storage="}, dirNoFilesNoSpace},
		{[]string{"version", "-o", ""}, []string{"json", "yaml"}, dirNoFiles},
		// Subcommands, and no local files for the Job's NAME.
		{[]string{""}, []string{"version", "completion"}, dirNoFiles},
		{[]string{"--image", ""}, nil, dirNoFiles},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			c := complete(ctx, t, tc.args...)
			c.check(t, strings.Join(tc.args, " "), tc.want, nil, tc.directive)
		})
	}
}

// TestCompletionWithoutCluster: with no reachable cluster, completion of
// cluster names is empty and quick, and fixed lists still work.
func TestCompletionWithoutCluster(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	dir, err := pluginPath()
	if err != nil {
		t.Fatal(err)
	}
	missing := []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}
	start := time.Now()
	r := runKubectl(ctx, t, []string{dir}, missing, "__complete", "job-wizard", "--service-account", "")
	if r.code != 0 || strings.TrimSpace(r.stdout) != dirNoFiles {
		t.Errorf("without a kubeconfig: %s", r)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("completion without a cluster took %s", d)
	}
	r = runKubectl(ctx, t, []string{dir}, missing, "__complete", "job-wizard", "--restart-policy", "")
	if !strings.Contains(r.stdout, "OnFailure") {
		t.Errorf("fixed list without a kubeconfig: %s", r)
	}
}

// TestCompletionScripts: each shell's script is cobra's, registered for the
// binary, and bash's parses.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 2*time.Minute)
	for shell, want := range map[string]string{
		"bash":       "complete -o default -F __start_kubectl-job_wizard kubectl-job_wizard",
		"zsh":        "#compdef kubectl-job_wizard",
		"fish":       "complete -c kubectl-job_wizard",
		"powershell": "Register-ArgumentCompleter -CommandName 'kubectl-job_wizard'",
	} {
		r := kubectlWithPlugin(ctx, t, "job-wizard", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s lacks %q: exit %d, %d bytes, stderr %s", shell, want, r.code, len(r.stdout), r.stderr)
		}
		if shell == "bash" {
			check := exec.CommandContext(ctx, "bash", "-n")
			check.Stdin = strings.NewReader(r.stdout)
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("bash -n on the bash script: %v\n%s", err, out)
			}
		}
	}
	if r := kubectlWithPlugin(ctx, t, "job-wizard", "completion", "tcsh"); r.code != 2 {
		t.Errorf("completion tcsh: want exit 2: %s", r)
	}
	if _, err := os.Stat(filepath.Join(repoRoot(), "plugins", "kubectl_complete-job_wizard")); err != nil {
		t.Error(err)
	}
}
