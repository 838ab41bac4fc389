package jobspec

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

// wantErr checks that err names the flag and says the rule's key words.
func wantErr(t *testing.T, err error, flag string, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error naming %s, got none", flag)
	}
	msg := err.Error()
	if !strings.Contains(msg, flag) {
		t.Errorf("error %q does not name %s", msg, flag)
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error %q is not one line", msg)
	}
}

func TestParseCount(t *testing.T) {
	good := map[string]int32{"0": 0, "4": 4, " 12 ": 12, "2147483647": 2147483647}
	for in, want := range good {
		got, err := ParseCount("--completions", in)
		if err != nil || got != want {
			t.Errorf("ParseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "x", "2147483648", "1e3", "99999999999999999999"} {
		_, err := ParseCount("--completions", in)
		wantErr(t, err, "--completions", "whole number")
	}
}

func TestParseSeconds(t *testing.T) {
	good := map[string]int64{"20": 20, "0": 0, "20s": 20, "5m": 300, "1h30m": 5400, "90s": 90, "2h": 7200}
	for in, want := range good {
		got, err := ParseSeconds("--active-deadline", in)
		if err != nil || got != want {
			t.Errorf("ParseSeconds(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                     "seconds",
		"1.5s":                 "whole seconds",
		"500ms":                "whole seconds",
		"-5m":                  "negative",
		"abc":                  "duration",
		"5 minutes":            "duration",
		"99999999999999999999": "at most",
		"9999999999999999999h": "duration",
	}
	for in, word := range bad {
		_, err := ParseSeconds("--active-deadline", in)
		wantErr(t, err, "--active-deadline", word)
	}
	if _, err := ParseSeconds32("--ttl-after-finished", "2147483648"); err == nil {
		t.Error("ParseSeconds32 took a value over int32")
	}
	if n, err := ParseSeconds32("--ttl-after-finished", "1h"); err != nil || n != 3600 {
		t.Errorf("ParseSeconds32(1h) = %d, %v", n, err)
	}
}

func TestFormatSeconds(t *testing.T) {
	for n, want := range map[int64]string{20: "20", 60: "1m", 300: "5m", 5400: "1h30m", 7200: "2h", 90: "90", 0: "0", 3601: "3601"} {
		if got := FormatSeconds(n); got != want {
			t.Errorf("FormatSeconds(%d) = %q, want %q", n, got, want)
		}
		back, err := ParseSeconds("--x", FormatSeconds(n))
		if err != nil || back != n {
			t.Errorf("FormatSeconds(%d) does not parse back: %d, %v", n, back, err)
		}
	}
}

func TestParseEnums(t *testing.T) {
	if m, err := ParseCompletionMode("Indexed"); err != nil || m != batchv1.IndexedCompletion {
		t.Errorf("Indexed: %v %v", m, err)
	}
	_, err := ParseCompletionMode("indexed")
	wantErr(t, err, "--completion-mode", "NonIndexed or Indexed")
	if p, err := ParsePodReplacementPolicy("Failed"); err != nil || p != batchv1.Failed {
		t.Errorf("Failed: %v %v", p, err)
	}
	_, err = ParsePodReplacementPolicy("Always")
	wantErr(t, err, "--pod-replacement-policy", "TerminatingOrFailed")
	if p, err := ParseRestartPolicy("OnFailure"); err != nil || p != corev1.RestartPolicyOnFailure {
		t.Errorf("OnFailure: %v %v", p, err)
	}
	_, err = ParseRestartPolicy("Always")
	wantErr(t, err, "--restart-policy", "Never or OnFailure")
	if p, err := ParseImagePullPolicy("Always"); err != nil || p != corev1.PullAlways {
		t.Errorf("Always: %v %v", p, err)
	}
	_, err = ParseImagePullPolicy("always")
	wantErr(t, err, "--image-pull-policy", "IfNotPresent")
}

func TestParsePodFailureRule(t *testing.T) {
	main := "main"
	cases := map[string]batchv1.PodFailurePolicyRule{
		"FailJob:exit-codes=42": {Action: batchv1.PodFailurePolicyActionFailJob,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}},
		"Count:exit-codes=42,2,1": {Action: batchv1.PodFailurePolicyActionCount,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1, 2, 42}}},
		"Ignore:exit-codes!=0,1": {Action: batchv1.PodFailurePolicyActionIgnore,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpNotIn, Values: []int32{0, 1}}},
		"FailIndex:exit-codes=3,container=main": {Action: batchv1.PodFailurePolicyActionFailIndex,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{3}, ContainerName: &main}},
		"Ignore:condition=DisruptionTarget": {Action: batchv1.PodFailurePolicyActionIgnore,
			OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}},
	}
	for in, want := range cases {
		got, err := ParsePodFailureRule(in)
		if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
			t.Errorf("ParsePodFailureRule(%q) = %+v, %v", in, got, err)
			continue
		}
		text, ok := FormatPodFailureRule(got)
		again, err := ParsePodFailureRule(text)
		if !ok || err != nil || !apiequality.Semantic.DeepEqual(again, want) {
			t.Errorf("FormatPodFailureRule(%q) = %q does not parse back", in, text)
		}
	}
	bad := map[string]string{
		"FailJob":                          "ACTION:",
		"Explode:exit-codes=1":             "FailJob, FailIndex, Ignore or Count",
		"FailJob:codes=1":                  "exit-codes=",
		"FailJob:exit-codes=a":             "whole number",
		"FailJob:exit-codes=1,1":           "twice",
		"FailJob:exit-codes=1,container=":  "container",
		"FailJob:exit-codes=container=x,1": "after the exit codes",
		"Ignore:condition=":                "condition type",
	}
	for in, word := range bad {
		_, err := ParsePodFailureRule(in)
		wantErr(t, err, "--pod-failure-policy", word)
	}
}

func TestParseSuccessRule(t *testing.T) {
	cases := map[string]batchv1.SuccessPolicyRule{
		"indexes=0,2-5":       {SucceededIndexes: ptr.To("0,2-5")},
		"count=3":             {SucceededCount: ptr.To[int32](3)},
		"indexes=0-9,count=3": {SucceededIndexes: ptr.To("0-9"), SucceededCount: ptr.To[int32](3)},
	}
	for in, want := range cases {
		got, err := ParseSuccessRule(in)
		if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
			t.Errorf("ParseSuccessRule(%q) = %+v, %v", in, got, err)
		}
		if FormatSuccessRule(got) != in {
			t.Errorf("FormatSuccessRule(%q) = %q", in, FormatSuccessRule(got))
		}
	}
	bad := map[string]string{
		"":                    "indexes=LIST",
		"count=0":             "at least 1",
		"count=x":             "whole number",
		"indexes=5-2":         "range",
		"indexes=a":           "range",
		"indexes=1,indexes=2": "twice",
		"count=1,count=2":     "twice",
		"size=3":              "indexes=LIST",
	}
	for in, word := range bad {
		_, err := ParseSuccessRule(in)
		wantErr(t, err, "--success-policy", word)
	}
}

func TestParsePort(t *testing.T) {
	cases := map[string]corev1.ContainerPort{
		"8080":           {ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
		"http:8080":      {Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
		"dns:53/UDP":     {Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
		"53/udp":         {ContainerPort: 53, Protocol: corev1.ProtocolUDP},
		"sctp:9999/SCTP": {Name: "sctp", ContainerPort: 9999, Protocol: corev1.ProtocolSCTP},
	}
	for in, want := range cases {
		got, err := ParsePort(in)
		if err != nil || got != want {
			t.Errorf("ParsePort(%q) = %+v, %v", in, got, err)
		}
		back, _ := ParsePort(FormatPort(got))
		if back != want {
			t.Errorf("FormatPort(%q) = %q does not parse back", in, FormatPort(got))
		}
	}
	bad := map[string]string{"": "PORT", "http": "PORT", ":80": "name", "80/ICMP": "TCP, UDP or SCTP", "x:y:z": "PORT", "99999999999": "PORT"}
	for in, word := range bad {
		_, err := ParsePort(in)
		wantErr(t, err, "--port", word)
	}
}

func TestParseKeyValue(t *testing.T) {
	k, v, err := ParseKeyValue("--env", "A=b=c", "A=1")
	if err != nil || k != "A" || v != "b=c" {
		t.Errorf("A=b=c: %q %q %v", k, v, err)
	}
	k, v, err = ParseKeyValue("--env", "EMPTY=", "A=1")
	if err != nil || k != "EMPTY" || v != "" {
		t.Errorf("EMPTY=: %q %q %v", k, v, err)
	}
	for _, in := range []string{"", "A", "=1"} {
		_, _, err := ParseKeyValue("--label", in, "a=b")
		wantErr(t, err, "--label", "KEY=VALUE")
	}
}

func TestParseEnvFile(t *testing.T) {
	in := "# comment\n\nA=1\nexport B=two words\nC=\"quoted # not comment\"\nD='single'\r\nE=\n"
	got, err := ParseEnvFile("app.env", []byte(in))
	want := []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "two words"}, {Name: "C", Value: "quoted # not comment"}, {Name: "D", Value: "single"}, {Name: "E"}}
	if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
		t.Errorf("ParseEnvFile = %+v, %v", got, err)
	}
	_, err = ParseEnvFile("app.env", []byte("A=1\nnot a pair\n"))
	wantErr(t, err, "--env-file", "line 2 of app.env")
}

func TestParseEnvFrom(t *testing.T) {
	cases := map[string]corev1.EnvFromSource{
		"configmap:app":      {ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app"}}},
		"secret:db:DB_":      {Prefix: "DB_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}},
		"configmap:app:APP_": {Prefix: "APP_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app"}}},
	}
	for in, want := range cases {
		got, err := ParseEnvFrom(in)
		if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
			t.Errorf("ParseEnvFrom(%q) = %+v, %v", in, got, err)
		}
		if text, ok := FormatEnvFrom(got); !ok || text != in {
			t.Errorf("FormatEnvFrom(%q) = %q", in, text)
		}
	}
	bad := map[string]string{"": "configmap:NAME", "configmap": "configmap:NAME", "configmap:": "configmap:NAME", "vault:x": "configmap or secret"}
	for in, word := range bad {
		_, err := ParseEnvFrom(in)
		wantErr(t, err, "--env-from", word)
	}
}

func TestParseEnvValueFrom(t *testing.T) {
	for _, in := range []string{"PASS=secret:db:password", "CM=configmap:app:key.yaml", "POD=field:metadata.name", "CPU=resource:limits.cpu"} {
		got, err := ParseEnvValueFrom(in)
		if err != nil {
			t.Errorf("ParseEnvValueFrom(%q): %v", in, err)
			continue
		}
		if text, ok := FormatEnvValueFrom(got); !ok || text != in {
			t.Errorf("FormatEnvValueFrom(%q) = %q", in, text)
		}
	}
	bad := map[string]string{"PASS": "NAME=", "=secret:a:b": "NAME=", "P=secret:db": "NAME=secret", "P=secret::k": "NAME=secret",
		"P=field:": "pod field path", "P=resource:": "limits.cpu", "P=vault:x:y": "NAME=configmap"}
	for in, word := range bad {
		_, err := ParseEnvValueFrom(in)
		wantErr(t, err, "--env-value-from", word)
	}
}

func TestParseResources(t *testing.T) {
	got, err := ParseResources("--request", "cpu=100m,memory=128Mi,nvidia.com/gpu=1,ephemeral-storage=1Gi")
	if err != nil || len(got) != 4 {
		t.Fatalf("ParseResources = %v, %v", got, err)
	}
	if q := got[corev1.ResourceCPU]; q.Cmp(resource.MustParse("100m")) != 0 {
		t.Errorf("cpu = %s", q.String())
	}
	if FormatResources(got) != "cpu=100m,ephemeral-storage=1Gi,memory=128Mi,nvidia.com/gpu=1" {
		t.Errorf("FormatResources = %q", FormatResources(got))
	}
	zero, err := ParseResources("--limit", "cpu=0")
	if q := zero[corev1.ResourceCPU]; err != nil || !q.IsZero() {
		t.Errorf("cpu=0 = %v, %v", zero, err)
	}
	bad := map[string]string{"": "RESOURCE=QUANTITY", "cpu": "RESOURCE=QUANTITY", "cpu=lots": "quantity", "cpu=1,cpu=2": "twice", "memory=-1Gi": "negative", "=1": "RESOURCE=QUANTITY"}
	for in, word := range bad {
		_, err := ParseResources("--limit", in)
		wantErr(t, err, "--limit", word)
	}
}

func TestParseVolume(t *testing.T) {
	size := resource.MustParse("1Gi")
	cases := map[string]corev1.Volume{
		"data=pvc:claim": {Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}}},
		"tmp=emptydir":   {Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		"scratch=emptydir:medium=Memory,size=1Gi": {Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: &size}}},
		"cfg=configmap:app":                       {Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app"}}}},
		"cfg=configmap:app:a.yaml=conf/a.yaml,b=b": {Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "app"}, Items: []corev1.KeyToPath{{Key: "a.yaml", Path: "conf/a.yaml"}, {Key: "b", Path: "b"}}}}},
		"tls=secret:certs:tls.crt=tls.crt": {Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "certs", Items: []corev1.KeyToPath{{Key: "tls.crt", Path: "tls.crt"}}}}},
		"logs=hostpath:/var/log":           {Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}},
	}
	for in, want := range cases {
		got, err := ParseVolume(in)
		if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
			t.Errorf("ParseVolume(%q) = %+v, %v", in, got, err)
			continue
		}
		text, ok := FormatVolume(got)
		again, err := ParseVolume(text)
		if !ok || err != nil || !apiequality.Semantic.DeepEqual(again, want) {
			t.Errorf("FormatVolume(%q) = %q does not parse back", in, text)
		}
	}
	bad := map[string]string{
		"data":                    "NAME=pvc:CLAIM",
		"data=nfs:server":         "NAME=pvc:CLAIM",
		"data=pvc:":               "claim",
		"s=emptydir:medium=Disk":  "Memory",
		"s=emptydir:size=-1Gi":    "positive",
		"s=emptydir:size=big":     "positive",
		"s=emptydir:color=red":    "medium=Memory or size",
		"c=configmap:":            "name",
		"c=configmap:app:keyonly": "KEY=PATH",
		"h=hostpath:":             "absolute",
	}
	for in, word := range bad {
		_, err := ParseVolume(in)
		wantErr(t, err, "--volume", word)
	}
}

func TestParseMount(t *testing.T) {
	cases := map[string]corev1.VolumeMount{
		"/data=data":                    {MountPath: "/data", Name: "data"},
		"/data=data:ro":                 {MountPath: "/data", Name: "data", ReadOnly: true},
		"/etc/app=cfg:ro:subpath=app":   {MountPath: "/etc/app", Name: "cfg", ReadOnly: true, SubPath: "app"},
		"/etc/app.yaml=cfg:subpath=a.y": {MountPath: "/etc/app.yaml", Name: "cfg", SubPath: "a.y"},
	}
	for in, want := range cases {
		got, err := ParseMount(in)
		if err != nil || !apiequality.Semantic.DeepEqual(got, want) {
			t.Errorf("ParseMount(%q) = %+v, %v", in, got, err)
		}
		if text, ok := FormatMount(got); !ok || text != in {
			t.Errorf("FormatMount(%q) = %q", in, text)
		}
	}
	bad := map[string]string{"": "MOUNTPATH=VOLUME", "/data": "MOUNTPATH=VOLUME", "=data": "MOUNTPATH=VOLUME", "/data=": "MOUNTPATH=VOLUME", "/data=d:rw2": "ro or subpath"}
	for in, word := range bad {
		_, err := ParseMount(in)
		wantErr(t, err, "--mount", word)
	}
}

func TestParseToleration(t *testing.T) {
	cases := map[string]corev1.Toleration{
		"dedicated=batch:NoSchedule":             {Key: "dedicated", Value: "batch", Operator: corev1.TolerationOpEqual, Effect: corev1.TaintEffectNoSchedule},
		"gpu:NoExecute":                          {Key: "gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		"example.com/spot=true:PreferNoSchedule": {Key: "example.com/spot", Value: "true", Operator: corev1.TolerationOpEqual, Effect: corev1.TaintEffectPreferNoSchedule},
	}
	for in, want := range cases {
		got, err := ParseToleration(in)
		if err != nil || got != want {
			t.Errorf("ParseToleration(%q) = %+v, %v", in, got, err)
		}
		if text, ok := FormatToleration(got); !ok || text != in {
			t.Errorf("FormatToleration(%q) = %q", in, text)
		}
	}
	bad := map[string]string{"": "KEY[=VALUE]:EFFECT", "gpu": "KEY[=VALUE]:EFFECT", "gpu:Never": "NoSchedule, PreferNoSchedule or NoExecute"}
	for in, word := range bad {
		_, err := ParseToleration(in)
		wantErr(t, err, "--toleration", word)
	}
}

func TestQuoteValueEscapesTerminalControl(t *testing.T) {
	q := QuoteValue("evil\x1b[31mred\x07")
	if strings.ContainsAny(q, "\x1b\x07") {
		t.Errorf("QuoteValue let a control character through: %q", q)
	}
	long := QuoteValue(strings.Repeat("x", 1<<20))
	if len(long) > 200 {
		t.Errorf("QuoteValue of 1 MB is %d bytes long", len(long))
	}
	if q := QuoteValue("bad\xffutf8"); !strings.Contains(q, "bad") {
		t.Errorf("QuoteValue(non-UTF-8) = %q", q)
	}
}
