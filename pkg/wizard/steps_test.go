package wizard

import (
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Message texts the tests answer by.
const (
	qName          = "Name (Enter: after the image)"
	qNameAgain     = "Name"
	qNamespace     = "Namespace (optional)"
	qAlias         = "Alias (optional, any language)"
	qDescription   = "Description (optional)"
	qBackoff       = "Backoff limit (retries before the Job fails)"
	qCompletions   = "Completions (pods that must succeed)"
	qParallelism   = "Parallelism (pods running at once)"
	qDeadline      = "Active deadline (optional: 20, 90s, 10m, 1h30m)"
	qJobAdvanced   = "Advanced job settings (TTL, completion mode, suspend, failure and success policies)?"
	qTTL           = "Delete the Job this long after it finishes (optional: 1h, 1d is 24h)"
	qMode          = "Completion mode"
	qPerIndex      = "Backoff limit per index (optional)"
	qMaxFailed     = "Max failed indexes (optional)"
	qSuspend       = "Create it suspended (no pods start until it is resumed)?"
	qAddRule       = "Add a pod failure rule?"
	qAddRule2      = "Add another pod failure rule?"
	qRuleWhen      = "When does the rule apply?"
	qExitCodes     = "Exit codes (comma separated, e.g. 1,2,42)"
	qReplacement   = "When may a replacement pod start?"
	qSuccessRule   = "Success rule: indexes=0,2-5, count=N or both (Enter to finish)"
	qRestart       = "Restart policy"
	qImage         = "Image"
	qContainerName = "Container name"
	qRequests      = "Requests (minimum: cpu=100m,memory=128Mi; Enter for none)"
	qLimits        = "Limits (maximum: cpu=1,memory=1Gi; Enter for none)"
	qCommand       = "Command (as on a shell line; Enter keeps the image's entrypoint)"
	qArgs          = "Arguments (optional)"
	qPort          = "Port: [NAME:]PORT[/UDP], e.g. 8080 or metrics:9090 (Enter to finish)"
	qAddEnv        = "Add an environment variable?"
	qAddEnv2       = "Add another environment variable?"
	qEnvValue      = "NAME=VALUE"
	qVarName       = "Variable name"
	qKey           = "Key"
	qPrefix        = "Prefix for the variable names (optional, e.g. APP_)"
	qPullPolicy    = "Image pull policy"
	qPullSecrets   = "Image pull secrets (comma separated, optional)"
	qAddContainer  = "Add another container?"
	qAddInit       = "Add an init container (runs to completion before the containers start)?"
	qServiceAcct   = "Service account (optional; Enter for the namespace's default)"
	qAddVolume     = "Add a volume?"
	qAddVolume2    = "Add another volume?"
	qClaim         = "Persistent volume claim"
	qVolumeName    = "Volume name"
	qMountPath     = "Mount path in the container (absolute, e.g. /data)"
	qReadOnly      = "Read-only?"
	qSubPath       = "Sub path in the volume (optional)"
	qLabel         = "Label key=value, e.g. app=report (Enter to finish)"
	qAnnotation    = "Annotation key=value (optional; Enter to finish)"
	qWhere         = "Where may the pods run?"
	qNode          = "Node"
	qNodeLabel     = "Node label key=value, e.g. disktype=ssd (Enter to finish)"
	qTolerate      = "Tolerations (let the pods run on tainted nodes)?"
	qToleration    = "Toleration KEY[=VALUE]:EFFECT, e.g. dedicated=batch:NoSchedule (Enter to finish)"
	qWhatNow       = "What now?"
)

func advanced(name string) string { return "Advanced options for container " + name }

// base is the answers that get a walk to a valid Job (name, image),
// ending in Print YAML; tests add theirs to it.
func base(extra map[string][]any) map[string][]any {
	a := map[string][]any{
		qName:    {"report"},
		qImage:   {"busybox:1.36"},
		qWhatNow: {"Print YAML"},
	}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

// wantRejected checks that a question rejected answers with these reasons,
// in order.
func wantRejected(t *testing.T, r *run, question string, reasons ...string) {
	t.Helper()
	got := r.fake.rejected[question]
	if len(got) != len(reasons) {
		t.Errorf("%q rejected %d answers %q; want %d (%q)", question, len(got), got, len(reasons), reasons)
		return
	}
	for i, want := range reasons {
		if !strings.Contains(got[i], want) {
			t.Errorf("%q rejection %d = %q; want it to say %q", question, i, got[i], want)
		}
	}
}

func mustWalk(t *testing.T, r *run) *batchv1.Job {
	t.Helper()
	if r.err != nil {
		t.Fatalf("walk: %v\n%s", r.err, r.out)
	}
	return r.res.Job
}

func TestStepBasicValidatesAndReasks(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qName:        {"Bad_Name", strings.Repeat("a", 64), "nightly-report-"},
		qNamespace:   {"Not A Namespace", "batch"},
		qAlias:       {strings.Repeat("月", 64), "月度报表"},
		qDescription: {"beep\x07", "Builds the monthly report"},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qName, `"Bad_Name": must be a DNS-1123 label`, "must be no more than 63 characters")
	wantRejected(t, r, qNamespace, "must be a DNS-1123 label")
	wantRejected(t, r, qAlias, "must be at most 63 characters, not 64")
	wantRejected(t, r, qDescription, "must not contain control characters")
	if job.GenerateName != "nightly-report-" || job.Name != "" {
		t.Errorf("a name ending in '-' is a generateName: %q %q", job.Name, job.GenerateName)
	}
	if job.Namespace != "batch" || job.Annotations["kubesphere.io/alias-name"] != "月度报表" ||
		job.Annotations["kubesphere.io/description"] != "Builds the monthly report" {
		t.Errorf("metadata: %+v", job.ObjectMeta)
	}
	// The container is "main" with a generated name, as with --generate-name.
	if c := job.Spec.Template.Spec.Containers[0]; c.Name != "main" {
		t.Errorf("container name %q", c.Name)
	}
	// An escape typed by the person is never echoed raw.
	if strings.Contains(r.out.String(), "\x07") {
		t.Error("a control character reached the terminal")
	}
}

func TestNameSuggestedFromImageWhenLeftEmpty(t *testing.T) {
	r := walk(t, nil, map[string][]any{
		qName:    {""},
		qImage:   {"registry.example.com/team/Report_Gen:1.4"},
		qWhatNow: {"Print YAML"},
	})
	job := mustWalk(t, r)
	if job.Name != "report-gen" || job.Spec.Template.Spec.Containers[0].Name != "report-gen" {
		t.Errorf("name %q, container %q; want both report-gen", job.Name, job.Spec.Template.Spec.Containers[0].Name)
	}
	// The second name question came right after the image.
	var i, j int
	for k, q := range r.fake.asked {
		if q == qImage {
			i = k
		}
		if q == qNameAgain {
			j = k
		}
	}
	if j != i+1 {
		t.Errorf("the name was not asked right after the image: %q", r.fake.asked)
	}
}

func TestStepJobSettings(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qBackoff:     {"-1", "many", "3"},
		qCompletions: {"5"},
		qParallelism: {"99999999999", "2"},
		qDeadline:    {"1.5s", "soon", "90s"},
		qJobAdvanced: {true},
		qTTL:         {"-5m", "1h"},
		qMode:        {"Indexed"},
		qPerIndex:    {"1"},
		qMaxFailed:   {"9", "2"},
		qSuspend:     {true},
		qAddRule:     {"FailJob"},
		qRuleWhen:    {"The exit code is one of…", "The pod was disrupted (DisruptionTarget)"},
		qExitCodes:   {"0", "1,x", "42,1"},
		qAddRule2:    {"Ignore", "No more rules"},
		qReplacement: {"TerminatingOrFailed", "Failed"},
		qSuccessRule: {"indexes=0-9", "count=0", "indexes=0-2,count=2", ""},
		// OnFailure cannot go with a pod failure policy: asked again.
		qRestart: {"OnFailure", "Never"},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qBackoff, `"-1": must be a whole number`, `"many": must be a whole number from 0 to 2147483647 (e.g. 4)`)
	wantRejected(t, r, qParallelism, "must be a whole number")
	wantRejected(t, r, qDeadline, "of whole seconds", "must be seconds (20) or a duration")
	wantRejected(t, r, qTTL, "must not be negative")
	wantRejected(t, r, qMaxFailed, "must not exceed --completions (5)")
	wantRejected(t, r, qExitCodes, "exit code 0 means success", `exit code "x" must be a whole number`)
	wantRejected(t, r, qSuccessRule, "index 9 is not below --completions (5)", "count must be a whole number of at least 1")
	if !strings.Contains(r.out.String(), "must be Failed when --pod-failure-policy is set") {
		t.Errorf("the replacement policy's reason is not shown:\n%s", r.out)
	}
	if !strings.Contains(r.out.String(), "needs --restart-policy Never") {
		t.Errorf("the restart policy's reason is not shown:\n%s", r.out)
	}
	js := job.Spec
	i32 := func(p *int32) int32 { return *p }
	if i32(js.BackoffLimit) != 3 || i32(js.Completions) != 5 || i32(js.Parallelism) != 2 || *js.ActiveDeadlineSeconds != 90 ||
		*js.TTLSecondsAfterFinished != 3600 || *js.CompletionMode != batchv1.IndexedCompletion || i32(js.BackoffLimitPerIndex) != 1 ||
		i32(js.MaxFailedIndexes) != 2 || !*js.Suspend || *js.PodReplacementPolicy != batchv1.Failed {
		t.Errorf("job spec: %+v", js)
	}
	if n := len(js.PodFailurePolicy.Rules); n != 2 {
		t.Fatalf("%d pod failure rules", n)
	}
	if r0 := js.PodFailurePolicy.Rules[0]; r0.Action != batchv1.PodFailurePolicyActionFailJob || !apiequality.Semantic.DeepEqual(r0.OnExitCodes.Values, []int32{1, 42}) {
		t.Errorf("rule 0: %+v", r0)
	}
	if r1 := js.PodFailurePolicy.Rules[1]; r1.Action != batchv1.PodFailurePolicyActionIgnore || r1.OnPodConditions[0].Type != "DisruptionTarget" {
		t.Errorf("rule 1: %+v", r1)
	}
	if sr := js.SuccessPolicy.Rules; len(sr) != 1 || *sr[0].SucceededIndexes != "0-2" || *sr[0].SucceededCount != 2 {
		t.Errorf("success rules: %+v", sr)
	}
	// FailIndex is offered once a per-index backoff limit is set.
	if !slices.Contains(r.fake.seen[qAddRule], "FailIndex") {
		t.Errorf("FailIndex not offered: %q", r.fake.seen[qAddRule])
	}
}

func TestStepPodContainersEnvPorts(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qImage:          {"busybox:1.36", "envoy:1.30", "busybox:1.36"},
		qContainerName:  {"Main", "app", "sidecar"},
		qRequests:       {"cpu=lots", "cpu=2,memory=128Mi"},
		qLimits:         {"cpu=1", "cpu=4,memory=0"},
		advanced("app"): {[]string{"Command and arguments", "Ports", "Environment variables", "Image pull policy and pull secrets"}},
		qCommand:        {`sh -c 'echo "hi`, `sh -c 'echo $GREETING; sleep 1'`},
		qArgs:           {"--verbose 'two words'"},
		qPort:           {"70000", "http:8080", "8080", "dns:53/UDP", ""},
		qAddEnv:         {"A value (NAME=VALUE)"},
		qEnvValue:       {"NOEQUALS", "名字=x", "GREETING=hello  world", "NAME=x"},
		qAddEnv2: {"One key of a Secret", "All keys of a ConfigMap", "A field of the pod (name, namespace, IP, …)",
			"A resource of the container (limits.cpu, …)", "A value (NAME=VALUE)", "No more variables"},
		"Secret":                      {"db"},
		qKey:                          {"password"},
		qVarName:                      {"密码", "DB_PASSWORD", "", ""},
		"ConfigMap":                   {"app-config"},
		qPrefix:                       {"前缀_", "APP_"},
		"Pod field":                   {"metadata.name"},
		"Resource":                    {"limits.cpu"},
		qPullPolicy:                   {"Always"},
		qPullSecrets:                  {"harbor creds", "harbor-creds"},
		qAddContainer:                 {true, false},
		advanced("sidecar"):           {[]string{}},
		qAddInit:                      {true},
		"Add another init container?": {false},
		qServiceAcct:                  {"Bad_SA", "batch-runner"},
	}))
	job := mustWalk(t, r)
	wantRejected(t, r, qRequests, "not a quantity")
	wantRejected(t, r, qLimits, "the request is above the limit cpu=1")
	wantRejected(t, r, qCommand, "the quotes do not match")
	wantRejected(t, r, qPort, "port must be from 1 to 65535", "is given twice; each port and protocol once")
	wantRejected(t, r, qEnvValue, `"NOEQUALS": must be KEY=VALUE`, "environment variable names")
	wantRejected(t, r, qVarName, "environment variable names")
	wantRejected(t, r, qPrefix, "the prefix must start a valid variable name")
	wantRejected(t, r, qPullSecrets, "must be a DNS-1123 subdomain")
	wantRejected(t, r, qServiceAcct, "must be a DNS-1123 subdomain")
	wantRejected(t, r, qContainerName, "must be a DNS-1123 label")

	pod := job.Spec.Template.Spec
	if len(pod.Containers) != 2 || len(pod.InitContainers) != 1 {
		t.Fatalf("containers %d, init %d", len(pod.Containers), len(pod.InitContainers))
	}
	c := pod.Containers[0]
	if c.Name != "app" || c.Image != "busybox:1.36" || strings.Join(c.Command, "|") != "sh|-c|echo $GREETING; sleep 1" ||
		strings.Join(c.Args, "|") != "--verbose|two words" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("container: %+v", c)
	}
	if !c.Resources.Requests.Cpu().Equal(resource.MustParse("2")) || !c.Resources.Limits.Cpu().Equal(resource.MustParse("4")) {
		t.Errorf("resources: %+v", c.Resources)
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		t.Errorf("memory=0 must mean no limit: %+v", c.Resources.Limits)
	}
	if len(c.Ports) != 2 || c.Ports[0].Name != "http" || c.Ports[1].Protocol != corev1.ProtocolUDP {
		t.Errorf("ports: %+v", c.Ports)
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	// Plain values come before references, as the flags add them.
	if strings.Join(names, ",") != "GREETING,NAME,DB_PASSWORD,METADATA_NAME,LIMITS_CPU" {
		t.Errorf("env order: %v", names)
	}
	if c.Env[0].Value != "hello  world" {
		t.Errorf("an env value keeps its spaces: %q", c.Env[0].Value)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef.Name != "app-config" || c.EnvFrom[0].Prefix != "APP_" {
		t.Errorf("envFrom: %+v", c.EnvFrom)
	}
	if pod.ServiceAccountName != "batch-runner" || len(pod.ImagePullSecrets) != 1 || pod.ImagePullSecrets[0].Name != "harbor-creds" {
		t.Errorf("pod: sa %q, secrets %+v", pod.ServiceAccountName, pod.ImagePullSecrets)
	}
	// A second container is beyond the flags: the command is -f of a file.
	if !strings.Contains(r.res.Command, " -f ") {
		t.Errorf("command of a two-container Job: %s", r.res.Command)
	}
}
