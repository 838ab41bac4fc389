package jobspec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

// The fuzz targets hold every parser to two promises: no input panics, and
// whatever parses formats back to text that parses to the same value. Their
// seed corpus runs in every `go test`; `make fuzz` runs each for minutes.

func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"8080", "http:8080/TCP", "dns:53/udp", ":1", "a:b:c", "-1", "99999/SCTP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePort(s)
		if err != nil {
			return
		}
		again, err := ParsePort(FormatPort(p))
		if err != nil || again != p {
			t.Errorf("%q → %+v → %q → %+v, %v", s, p, FormatPort(p), again, err)
		}
	})
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"d=pvc:c", "s=emptydir:medium=Memory,size=1Gi", "c=configmap:app:a=b,c=d", "x=secret:s", "h=hostpath:/x", "=", "a=emptydir:size=", "c=configmap:a:=,", "s=configmap:scripts:mode=0755", "s=secret:t:a=b:mode=0400:optional", "s=configmap:c:optional,mode=644", "m=configmap:c:mode=a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVolume(s)
		if err != nil {
			return
		}
		text, ok := FormatVolume(v)
		if !ok {
			return
		}
		again, err := ParseVolume(text)
		if err != nil || !apiequality.Semantic.DeepEqual(again, v) {
			t.Errorf("%q → %q → %+v, %v", s, text, again, err)
		}
	})
}

func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"/d=d", "/d=d:ro:subpath=x", "/=a:rw", "a=b:c", "/x=y:subpath="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMount(s)
		if err != nil {
			return
		}
		text, ok := FormatMount(m)
		if !ok {
			return
		}
		again, err := ParseMount(text)
		if err != nil || !apiequality.Semantic.DeepEqual(again, m) {
			t.Errorf("%q → %q → %+v, %v", s, text, again, err)
		}
	})
}

func FuzzParseToleration(f *testing.F) {
	for _, s := range []string{"k=v:NoSchedule", "k:NoExecute", ":NoSchedule", "a=b=c:PreferNoSchedule", "::", "node.kubernetes.io/unreachable:NoExecute:300", "k=v:NoExecute:5m", "k:NoSchedule:-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tol, err := ParseToleration(s)
		if err != nil {
			return
		}
		text, ok := FormatToleration(tol)
		if !ok {
			return
		}
		again, err := ParseToleration(text)
		if err != nil || !apiequality.Semantic.DeepEqual(again, tol) {
			t.Errorf("%q → %q → %+v, %v", s, text, again, err)
		}
	})
}

func FuzzParsePodFailureRule(f *testing.F) {
	for _, s := range []string{"FailJob:exit-codes=1,2,42", "Ignore:exit-codes!=0", "Count:condition=DisruptionTarget", "FailIndex:exit-codes=3,container=c", "FailJob:exit-codes=", "X:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParsePodFailureRule(s)
		if err != nil {
			return
		}
		text, ok := FormatPodFailureRule(r)
		if !ok {
			return
		}
		again, err := ParsePodFailureRule(text)
		if err != nil || !apiequality.Semantic.DeepEqual(again, r) {
			t.Errorf("%q → %q → %+v, %v", s, text, again, err)
		}
	})
}

func FuzzParseSuccessRule(f *testing.F) {
	for _, s := range []string{"indexes=0,2-5", "count=3", "indexes=0-9,count=3", "indexes=", "count=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseSuccessRule(s)
		if err != nil {
			return
		}
		again, err := ParseSuccessRule(FormatSuccessRule(r))
		if err != nil || !apiequality.Semantic.DeepEqual(again, r) {
			t.Errorf("%q → %q → %+v, %v", s, FormatSuccessRule(r), again, err)
		}
	})
}

func FuzzParseResources(f *testing.F) {
	for _, s := range []string{"cpu=100m,memory=128Mi", "nvidia.com/gpu=1", "cpu=0", "cpu=1e3", "memory=1.5Gi", "=", "cpu=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseResources("--request", s)
		if err != nil {
			return
		}
		again, err := ParseResources("--request", FormatResources(l))
		if err != nil || !apiequality.Semantic.DeepEqual(again, l) {
			t.Errorf("%q → %q → %v, %v", s, FormatResources(l), again, err)
		}
	})
}

func FuzzParseEnv(f *testing.F) {
	for _, s := range []string{"configmap:app", "secret:db:DB_", "A=secret:s:k", "A=field:metadata.name", "A=resource:limits.cpu", "A=configmap::", "configmap:app:optional", "secret:db:DB_:optional", "A=secret:s:k:optional", "A=configmap:c:k:maybe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, err := ParseEnvFrom(s); err == nil {
			if text, ok := FormatEnvFrom(e); ok {
				again, err := ParseEnvFrom(text)
				if err != nil || !apiequality.Semantic.DeepEqual(again, e) {
					t.Errorf("env-from %q → %q → %+v, %v", s, text, again, err)
				}
			}
		}
		if e, err := ParseEnvValueFrom(s); err == nil {
			if text, ok := FormatEnvValueFrom(e); ok {
				again, err := ParseEnvValueFrom(text)
				if err != nil || !apiequality.Semantic.DeepEqual(again, e) {
					t.Errorf("env-value-from %q → %q → %+v, %v", s, text, again, err)
				}
			}
		}
		_, _ = ParseEnvFile("fuzz.env", []byte(s))
	})
}

func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"20", "20s", "1h30m", "-5m", "1.5s", "9223372036854775807", "2562047h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSeconds("--active-deadline", s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("%q parsed to negative %d", s, n)
		}
		again, err := ParseSeconds("--active-deadline", FormatSeconds(n))
		if err != nil || again != n {
			t.Errorf("%q → %d → %q → %d, %v", s, n, FormatSeconds(n), again, err)
		}
	})
}

// FuzzImport feeds manifests to Import: no panic, and whatever imports
// builds back the Job it came from.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "import", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: batch/v1\nkind: Job\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Import("fuzz", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line import error: %q", err)
			}
			return
		}
		job, _ := DecodeJob("fuzz", data)
		// Build adds two defaults of its own: a Job's pods restart Never
		// unless told otherwise, and an unnamed main container takes the
		// Job's name.
		if job.Spec.Template.Spec.RestartPolicy == "" {
			job.Spec.Template.Spec.RestartPolicy = "Never"
		}
		if cs := job.Spec.Template.Spec.Containers; len(cs) > 0 && cs[0].Name == "" {
			cs[0].Name = s.DefaultContainerName()
		}
		if !apiequality.Semantic.DeepEqual(s.Build(), job) {
			t.Errorf("import of %q does not build back", data)
		}
		_ = s.Validate()
		_, _ = Args(s)
	})
}

// FuzzArgsRoundTrip parses command lines; whatever parses renders with Args
// to a command line that parses to a Spec building the same Job.
func FuzzArgsRoundTrip(f *testing.F) {
	f.Add("job\x00--image\x00x\x00--port\x00http:80\x00--\x00sh\x00-c\x00echo hi")
	f.Add("--generate-name\x00n-\x00--image\x00x\x00-l\x00a=b,c=d\x00--volume\x00d=emptydir\x00--mount\x00/d=d:ro")
	f.Add("j\x00--image\x00y\x00--completion-mode\x00Indexed\x00--completions\x003\x00--success-policy\x00indexes=0-1,count=1\x00--env-value-from\x00A=secret:s:k\x00-e\x00B=1")
	f.Add("j\x00--image\x00y\x00--command\x00a\x00--arg\x00b\x00--request\x00cpu=1\x00--limit\x00cpu=0,memory=1Gi\x00--toleration\x00k:NoSchedule\x00--node\x00n1")
	f.Add("cj\x00--image\x00x\x00--schedule\x00*/5 * * * *\x00--time-zone\x00UTC\x00--concurrency-policy\x00Forbid\x00--starting-deadline\x0090\x00--successful-jobs-history\x000\x00--suspend-schedule=false")
	f.Add("j\x00--image\x00y\x00--security-profile\x00restricted\x00--run-as-user\x001000\x00--cap-drop\x00ALL\x00--cap-add\x00NET_BIND_SERVICE\x00--seccomp-profile\x00Localhost:p.json\x00--read-only-root-filesystem")
	f.Add("j\x00--image\x00y\x00--node-affinity\x00disktype in (ssd,nvme),!spot\x00--node-affinity-preferred\x0050:gpu\x00--sidecar\x00proxy=envoy\x00--pod-annotation\x00a=b\x00--host-alias\x0010.0.0.1=db,db2")
	f.Add("j\x00--image\x00y\x00--priority-class\x00high\x00--termination-grace-period\x005m\x00--automount-service-account-token=false\x00--host-network\x00--dns-policy\x00ClusterFirstWithHostNet\x00--os\x00linux\x00--scheduling-gate\x00g")
	f.Add("j\x00--image\x00y\x00--overrides\x00{\"spec\":{\"template\":{\"spec\":{\"hostPID\":true}}}}\x00--override-type\x00strategic")
	f.Fuzz(func(t *testing.T, joined string) {
		s, err := ParseArgs(strings.Split(joined, "\x00"))
		if err != nil {
			return
		}
		args, complete := Args(s)
		if !complete {
			return
		}
		again, err := ParseArgs(args)
		if err != nil {
			t.Fatalf("Args %q of %q do not parse: %v", args, joined, err)
		}
		if !apiequality.Semantic.DeepEqual(again.BuildObject(), s.BuildObject()) {
			t.Errorf("Args %q of %q rebuild a different Job or CronJob", args, joined)
		}
	})
}

func FuzzParseNodeAffinity(f *testing.F) {
	for _, s := range []string{"disktype in (ssd,nvme)", "gpu", "!spot", "zone=a,cores>4", "a notin (x)", "50:gpu", "0:x", "a in (", "k<1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if reqs, err := ParseNodeAffinityExpr("--node-affinity", s); err == nil {
			var parts []string
			for _, r := range reqs {
				text, ok := FormatNodeSelectorRequirement(r)
				if !ok {
					return
				}
				parts = append(parts, text)
			}
			again, err := ParseNodeAffinityExpr("--node-affinity", strings.Join(parts, ","))
			if err != nil || !apiequality.Semantic.DeepEqual(again, reqs) {
				t.Errorf("%q → %q → %+v, %v", s, parts, again, err)
			}
		}
		_, _ = ParsePreferredAffinity(s)
	})
}

func FuzzParseSecurity(f *testing.F) {
	for _, s := range []string{"RuntimeDefault", "Unconfined", "Localhost:a/b.json", "Localhost:", "Localhost:/abs", "ALL", "NET_ADMIN,SYS_TIME", "CAP_X", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParseSeccompProfile(s); err == nil {
			text, ok := FormatSeccompProfile(p)
			again, err := ParseSeccompProfile(text)
			if !ok || err != nil || !apiequality.Semantic.DeepEqual(again, p) {
				t.Errorf("%q → %q → %+v, %v", s, text, again, err)
			}
		}
		_, _ = ParseCapabilities("--cap-add", s)
		_, _ = ParseID("--run-as-user", s)
		_, _ = ParseFileMode("--volume", s, "")
		if h, err := ParseHostAlias(s); err == nil {
			if text, ok := FormatHostAlias(h); ok {
				if again, err := ParseHostAlias(text); err != nil || !apiequality.Semantic.DeepEqual(again, h) {
					t.Errorf("host alias %q → %q → %+v, %v", s, text, again, err)
				}
			}
		}
		if c, err := ParseSidecar(s); err == nil {
			if text, ok := FormatSidecar(c); ok {
				if again, err := ParseSidecar(text); err != nil || !apiequality.Semantic.DeepEqual(again, c) {
					t.Errorf("sidecar %q → %q → %+v, %v", s, text, again, err)
				}
			}
		}
	})
}

// FuzzOverrides feeds --overrides of each type: no panic, and a one-line error.
func FuzzOverrides(f *testing.F) {
	f.Add(`{"spec":{"template":{"spec":{"hostPID":true}}}}`, "merge")
	f.Add(`[{"op":"add","path":"/spec/suspend","value":true}]`, "json")
	f.Add("spec:\n  template:\n    spec:\n      containers:\n      - name: j\n        workingDir: /w\n", "strategic")
	f.Add(`{"kind":"Pod"}`, "merge")
	f.Add(`[{"op":"remove","path":"/nope"}]`, "json")
	f.Fuzz(func(t *testing.T, patch, typ string) {
		s := &Spec{Name: "j", Containers: []corev1.Container{{Image: "x"}}, Overrides: patch, OverrideType: typ}
		if err := s.Validate(); err != nil && strings.Contains(err.Error(), "\n") {
			if _, many := err.(Errors); !many {
				t.Errorf("multi-line error: %q", err)
			}
		}
		_ = s.Build()
	})
}
