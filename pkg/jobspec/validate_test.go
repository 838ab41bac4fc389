package jobspec

import (
	"strings"
	"testing"
)

// base is a valid command line the validation cases add to.
var base = []string{"job", "--image", "busybox:1.36"}

func TestValidateAcceptsGoodJobs(t *testing.T) {
	cases := map[string][]string{
		"minimal": {},

		"indexed":        {"--completion-mode", "Indexed", "--completions", "5", "--backoff-limit-per-index", "1", "--max-failed-indexes", "2", "--success-policy", "indexes=0-2,count=2", "--pod-failure-policy", "FailIndex:exit-codes=3"},
		"volumes":        {"--volume", "data=pvc:c", "--mount", "/data=data:ro", "--volume", "s=emptydir:medium=Memory", "--mount", "/s=s"},
		"request=limit":  {"--request", "cpu=1,nvidia.com/gpu=1", "--limit", "cpu=1,nvidia.com/gpu=1"},
		"chinese alias":  {"--alias", "圆周率计算", "--description", "计算圆周率到小数点后 2000 位"},
		"relaxed env":    {"-e", "my.var-name=1"},
		"labels":         {"-l", "app=x,tier=batch", "--node-selector", "disktype=ssd", "--toleration", "gpu:NoExecute"},
		"exists all":     {"--toleration", "=x:NoSchedule"},
		"pod failure ok": {"--pod-failure-policy", "FailJob:exit-codes=42,container=job", "--pod-replacement-policy", "Failed"},
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := ParseArgs(append(append([]string{}, base...), extra...))
			if err != nil {
				if name == "exists all" {
					return // an Equal toleration needs a key: checked below
				}
				t.Fatalf("ParseArgs: %v", err)
			}
			if err := s.Validate(); err != nil && name != "exists all" {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateGenerateName(t *testing.T) {
	s, err := ParseArgs([]string{"--generate-name", "nightly-", "--image", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if c := s.Build().Spec.Template.Spec.Containers[0].Name; c != "main" {
		t.Errorf("container name with --generate-name = %q, want main", c)
	}
}

func TestValidateRefusesWhatTheAPIServerWould(t *testing.T) {
	cases := []struct {
		name  string
		args  []string // replaces base when it starts with "!"
		flag  string
		words []string
	}{
		{"no name", []string{"!", "--image", "x"}, "metadata.name", []string{"NAME", "--generate-name"}},
		{"no image", []string{"!", "job"}, "--image", []string{"needs a container"}},
		{"upper-case name", []string{"!", "Job", "--image", "x"}, "NAME", []string{"DNS-1123 label"}},
		{"long name", []string{"!", strings.Repeat("a", 64), "--image", "x"}, "NAME", []string{"63"}},
		{"generate-name too long", []string{"!", "--generate-name", strings.Repeat("a", 60), "--image", "x"}, "--generate-name", []string{"58"}},
		{"namespace", []string{"-n", "Bad_NS"}, "--namespace", []string{"DNS-1123"}},
		{"long alias", []string{"--alias", strings.Repeat("名", 64)}, "--alias", []string{"at most 63"}},
		{"long description", []string{"--description", strings.Repeat("d", 257)}, "--description", []string{"at most 256"}},
		{"escape in description", []string{"--description", "hi\x1b[2J"}, "--description", []string{"control characters"}},
		{"deadline zero", []string{"--active-deadline", "0"}, "--active-deadline", []string{"at least 1 second"}},
		{"indexed without completions", []string{"--completion-mode", "Indexed"}, "--completions", []string{"Indexed Job needs --completions"}},
		{"per-index without indexed", []string{"--backoff-limit-per-index", "1"}, "--backoff-limit-per-index", []string{"Indexed"}},
		{"max failed without per-index", []string{"--completion-mode", "Indexed", "--completions", "3", "--max-failed-indexes", "1"}, "--max-failed-indexes", []string{"--backoff-limit-per-index"}},
		{"max failed above completions", []string{"--completion-mode", "Indexed", "--completions", "3", "--backoff-limit-per-index", "1", "--max-failed-indexes", "4"}, "--max-failed-indexes", []string{"must not exceed --completions"}},
		{"success policy without indexed", []string{"--success-policy", "count=1"}, "--success-policy", []string{"Indexed"}},
		{"success index out of range", []string{"--completion-mode", "Indexed", "--completions", "3", "--success-policy", "indexes=0-5"}, "--success-policy", []string{"below --completions"}},
		{"success count above completions", []string{"--completion-mode", "Indexed", "--completions", "3", "--success-policy", "count=4"}, "--success-policy", []string{"must not exceed"}},
		{"pod failure with OnFailure", []string{"--restart-policy", "OnFailure", "--pod-failure-policy", "FailJob:exit-codes=1"}, "--pod-failure-policy", []string{"--restart-policy Never"}},
		{"pod failure with TerminatingOrFailed", []string{"--pod-failure-policy", "FailJob:exit-codes=1", "--pod-replacement-policy", "TerminatingOrFailed"}, "--pod-replacement-policy", []string{"must be Failed"}},
		{"exit code 0 In", []string{"--pod-failure-policy", "FailJob:exit-codes=0"}, "--pod-failure-policy", []string{"exit code 0"}},
		{"FailIndex without per-index", []string{"--pod-failure-policy", "FailIndex:exit-codes=1"}, "--pod-failure-policy", []string{"--backoff-limit-per-index"}},
		{"unknown container in rule", []string{"--pod-failure-policy", "FailJob:exit-codes=1,container=nope"}, "--pod-failure-policy", []string{"names no container"}},
		{"port zero", []string{"--port", "0"}, "--port", []string{"1 to 65535"}},
		{"port too big", []string{"--port", "70000"}, "--port", []string{"1 to 65535"}},
		{"port twice", []string{"--port", "80", "--port", "web:80"}, "--port", []string{"twice"}},
		{"port name too long", []string{"--port", "averyveryverylongname:80"}, "--port", []string{"port name"}},
		{"port names twice", []string{"--port", "web:80", "--port", "web:81"}, "--port", []string{"unique"}},
		{"env name", []string{"-e", "名=1"}, "--env", []string{"printable ASCII"}},
		{"env name with =", []string{"--env-value-from", "A=B=field:metadata.name"}, "--env-value-from", nil},
		{"request above limit", []string{"--request", "cpu=2", "--limit", "cpu=1"}, "--request", []string{"above the limit"}},
		{"gpu fraction", []string{"--limit", "nvidia.com/gpu=500m"}, "--limit", []string{"whole number"}},
		{"gpu request not limit", []string{"--request", "nvidia.com/gpu=1", "--limit", "nvidia.com/gpu=2"}, "--request", nil},
		{"container name", []string{"--container-name", "Main_1"}, "--container-name", []string{"DNS-1123"}},
		{"space in image", []string{"--image", "perl 5"}, "--image", []string{"spaces"}},
		{"mount of undeclared volume", []string{"--mount", "/data=data"}, "--mount", []string{"not declared"}},
		{"volume not mounted", []string{"--volume", "data=pvc:c"}, "--volume", []string{"no container mounts it"}},
		{"relative mount path", []string{"--volume", "d=emptydir", "--mount", "data=d"}, "--mount", []string{"absolute"}},
		{"mount path twice", []string{"--volume", "a=emptydir", "--volume", "b=emptydir", "--mount", "/x=a", "--mount", "/x/=b"}, "--mount", []string{"share this path"}},
		{"subpath escapes", []string{"--volume", "a=emptydir", "--mount", "/x=a:subpath=../etc"}, "--mount", []string{"'..'"}},
		{"volume name", []string{"--volume", "Data=emptydir", "--mount", "/d=Data"}, "--volume", []string{"DNS-1123"}},
		{"relative host path", []string{"--volume", "h=hostpath:var/log", "--mount", "/h=h"}, "--volume", []string{"absolute"}},
		{"item path escapes", []string{"--volume", "c=configmap:app:k=../../etc/passwd", "--mount", "/c=c"}, "--volume", []string{"'..'"}},
		{"claim name", []string{"--volume", "d=pvc:Bad_Claim", "--mount", "/d=d"}, "--volume", []string{"claim name"}},
		{"label key", []string{"-l", "bad key=x"}, "--label", []string{"key"}},
		{"label value", []string{"-l", "app=" + strings.Repeat("v", 64)}, "--label", []string{"value"}},
		{"annotation key", []string{"--annotation", "-bad=x"}, "--annotation", []string{"key"}},
		{"node selector value", []string{"--node-selector", "disk=s s"}, "--node-selector", []string{"value"}},
		{"service account", []string{"--service-account", "Bad_SA"}, "--service-account", []string{"DNS-1123"}},
		{"pull secret", []string{"--image-pull-secret", "Bad_Secret"}, "--image-pull-secret", []string{"DNS-1123"}},
		{"toleration value", []string{"--toleration", "k=bad value:NoSchedule"}, "--toleration", []string{"value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, base...), tc.args...)
			if len(tc.args) > 0 && tc.args[0] == "!" {
				args = tc.args[1:]
			}
			s, err := ParseArgs(args)
			if err == nil {
				err = s.Validate()
			}
			if err == nil {
				t.Fatalf("%v: want an error naming %s", args, tc.flag)
			}
			if !strings.Contains(err.Error(), tc.flag) {
				t.Errorf("error %q does not name %s", err, tc.flag)
			}
			for _, w := range tc.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	s, err := ParseArgs([]string{"Bad_Name", "--image", "x", "--port", "0", "--mount", "/d=nope", "-l", "a=b c"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate()
	errs, ok := err.(Errors)
	if !ok || len(errs) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	for _, e := range errs {
		if strings.Contains(e.Error(), "\n") {
			t.Errorf("problem %q spans lines", e)
		}
	}
}

func TestApplyReportsEveryBadFlagAtOnce(t *testing.T) {
	_, err := ParseArgs([]string{"job", "--image", "x", "--completions", "many", "--port", "http", "--env", "NOEQUALS", "--volume", "v=nfs:x"})
	errs, ok := err.(Errors)
	if !ok || len(errs) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	for i, flag := range []string{"--completions", "--port", "--env", "--volume"} {
		if errs[i].Flag != flag {
			t.Errorf("problem %d names %q, want %s", i, errs[i].Flag, flag)
		}
	}
}

func TestCommandAndDashTogether(t *testing.T) {
	_, err := ParseArgs([]string{"job", "--image", "x", "--command", "sh", "--", "perl"})
	wantErr(t, err, "--command", "--")
}

func TestNameConflicts(t *testing.T) {
	_, err := ParseArgs([]string{"job", "--name", "other", "--image", "x"})
	wantErr(t, err, "--name", "NAME")
	_, err = ParseArgs([]string{"job", "--generate-name", "j-", "--image", "x"})
	wantErr(t, err, "--generate-name", "NAME")
	s, err := ParseArgs([]string{"job", "--name", "job", "--image", "x"})
	if err != nil || s.Name != "job" {
		t.Errorf("same NAME and --name: %v", err)
	}
}
