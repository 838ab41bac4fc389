package jobspec

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
)

// everyPodFlag sets every flag of "Security and the rest of the pod".
var everyPodFlag = []string{"job", "--image", "busybox",
	"--security-profile", "restricted", "--run-as-user", "1000", "--run-as-group", "3000", "--run-as-non-root",
	"--fs-group", "2000", "--seccomp-profile", "Localhost:profiles/audit.json",
	"--read-only-root-filesystem", "--allow-privilege-escalation=false", "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE",
	"--working-dir", "/work", "--termination-message-policy", "FallbackToLogsOnError",
	"--sidecar", "proxy=envoyproxy/envoy:v1.31", "--pod-annotation", "sidecar.istio.io/inject=false",
	"--priority-class", "high", "--runtime-class", "gvisor", "--scheduler-name", "batch-scheduler",
	"--termination-grace-period", "5m", "--automount-service-account-token=false",
	"--host-users=false", "--share-process-namespace", "--enable-service-links=false",
	"--dns-policy", "Default", "--hostname", "worker-0", "--subdomain", "workers", "--host-alias", "10.0.0.5=db.internal,db",
	"--os", "linux", "--node-name", "node-1",
	"--node-affinity", "disktype in (ssd,nvme)", "--node-affinity", "!spot", "--node-affinity-preferred", "50:zone in (a)",
	"--scheduling-gate", "example.com/quota",
	"--toleration", "node.kubernetes.io/unreachable:NoExecute:5m",
	"--volume", "scripts=configmap:scripts:mode=0755:optional", "--mount", "/scripts=scripts",
	"--env-from", "secret:db:DB_:optional", "--env-value-from", "TOKEN=secret:t:token:optional",
	"--", "sh", "-c", "echo hi"}

func TestPodFlagsBuildAndRoundTrip(t *testing.T) {
	s, err := ParseArgs(everyPodFlag)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("valid flags refused: %v", err)
	}
	job := s.Build()
	pod := job.Spec.Template.Spec
	c := pod.Containers[0]
	switch {
	case *pod.SecurityContext.RunAsUser != 1000 || *pod.SecurityContext.FSGroup != 2000 || !*pod.SecurityContext.RunAsNonRoot:
		t.Errorf("pod securityContext %+v", pod.SecurityContext)
	case *pod.SecurityContext.SeccompProfile.LocalhostProfile != "profiles/audit.json":
		t.Errorf("seccomp %+v: the profile must not override the flag", pod.SecurityContext.SeccompProfile)
	case !*c.SecurityContext.ReadOnlyRootFilesystem || *c.SecurityContext.AllowPrivilegeEscalation:
		t.Errorf("container securityContext %+v", c.SecurityContext)
	case len(c.SecurityContext.Capabilities.Drop) != 1 || c.SecurityContext.Capabilities.Add[0] != "NET_BIND_SERVICE":
		t.Errorf("capabilities %+v", c.SecurityContext.Capabilities)
	case c.WorkingDir != "/work" || c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError:
		t.Errorf("container %+v", c)
	case len(pod.InitContainers) != 1 || *pod.InitContainers[0].RestartPolicy != corev1.ContainerRestartPolicyAlways:
		t.Errorf("sidecar %+v", pod.InitContainers)
	case job.Spec.Template.Annotations["sidecar.istio.io/inject"] != "false":
		t.Errorf("pod annotations %v", job.Spec.Template.Annotations)
	case pod.PriorityClassName != "high" || *pod.RuntimeClassName != "gvisor" || pod.SchedulerName != "batch-scheduler" || *pod.TerminationGracePeriodSeconds != 300:
		t.Errorf("pod fields %+v", pod)
	case len(pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions) != 2:
		t.Errorf("affinity %+v", pod.Affinity)
	case *pod.Tolerations[0].TolerationSeconds != 300:
		t.Errorf("toleration %+v", pod.Tolerations)
	case *pod.Volumes[0].ConfigMap.DefaultMode != 0o755 || !*pod.Volumes[0].ConfigMap.Optional:
		t.Errorf("volume %+v", pod.Volumes[0])
	case !*c.EnvFrom[0].SecretRef.Optional || !*c.Env[0].ValueFrom.SecretKeyRef.Optional:
		t.Errorf("env %+v %+v", c.EnvFrom, c.Env)
	}
	if pod.InitContainers[0].SecurityContext == nil || pod.InitContainers[0].SecurityContext.Capabilities.Drop[0] != "ALL" {
		t.Errorf("the restricted profile must reach the sidecar: %+v", pod.InitContainers[0].SecurityContext)
	}
	args, again := argsAgain(t, s)
	if !apiequality.Semantic.DeepEqual(again.Build(), job) {
		t.Errorf("Args %q rebuild a different Job", args)
	}
}

func TestRestrictedProfileFillsOnlyWhatIsUnset(t *testing.T) {
	pod := &corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr.To("p")}},
		Containers: []corev1.Container{
			{Name: "a"},
			{Name: "b", SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}}},
		},
		InitContainers: []corev1.Container{{Name: "i"}},
	}
	ApplySecurityProfile(pod, ProfileRestricted)
	if pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeLocalhost || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("pod %+v", pod.SecurityContext)
	}
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		if *c.SecurityContext.AllowPrivilegeEscalation || len(c.SecurityContext.Capabilities.Drop) != 1 {
			t.Errorf("container %s: %+v", c.Name, c.SecurityContext)
		}
	}
	if pod.Containers[1].SecurityContext.Capabilities.Add[0] != "NET_BIND_SERVICE" {
		t.Error("a compliant add was dropped")
	}
	base := &corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}
	ApplySecurityProfile(base, ProfileBaseline)
	if base.SecurityContext != nil || base.Containers[0].SecurityContext != nil {
		t.Errorf("baseline requires nothing to be set, yet %+v", base)
	}
}

// TestBadPodFlags: each new flag's bad value names the flag, the value and
// the rule, with an example, on one line.
func TestBadPodFlags(t *testing.T) {
	for _, tc := range []struct{ flag, value, rule string }{
		{"--security-profile", "privileged", "restricted or baseline"},
		{"--run-as-user", "-1", "numeric id"},
		{"--run-as-group", "root", "numeric id"},
		{"--fs-group", "99999999999", "numeric id"},
		{"--run-as-non-root", "yes", "true or false"},
		{"--seccomp-profile", "Localhost", "relative path"},
		{"--seccomp-profile", "default", "RuntimeDefault, Unconfined or Localhost:PATH"},
		{"--read-only-root-filesystem", "maybe", "true or false"},
		{"--allow-privilege-escalation", "no!", "true or false"},
		{"--privileged", "2", "true or false"},
		{"--cap-drop", "all caps", "capability names"},
		{"--cap-add", "CAP_NET_ADMIN", "without the CAP_ prefix"},
		{"--working-dir", "", "must be a path"},
		{"--termination-message-policy", "Logs", "File or FallbackToLogsOnError"},
		{"--sidecar", "envoy", "NAME=IMAGE"},
		{"--pod-annotation", "novalue", "KEY=VALUE"},
		{"--pod-annotation", "bad key!=x", "key"},
		{"--priority-class", "High_Priority", "DNS-1123 subdomain"},
		{"--runtime-class", "G Visor", "DNS-1123 subdomain"},
		{"--scheduler-name", "-x", "DNS-1123 subdomain"},
		{"--termination-grace-period", "forever", "seconds"},
		{"--automount-service-account-token", "nope", "true or false"},
		{"--host-network", "on?", "true or false"},
		{"--host-pid", "x", "true or false"},
		{"--host-ipc", "x", "true or false"},
		{"--host-users", "x", "true or false"},
		{"--share-process-namespace", "x", "true or false"},
		{"--enable-service-links", "x", "true or false"},
		{"--dns-policy", "Google", "ClusterFirst"},
		{"--dns-policy", "None", "dnsConfig"},
		{"--hostname", "Worker_0", "DNS-1123 label"},
		{"--subdomain", "a.b", "DNS-1123 label"},
		{"--host-alias", "db=10.0.0.5", "IP address"},
		{"--host-alias", "10.0.0.5=db_1", "DNS-1123 subdomain"},
		{"--os", "darwin", "linux or windows"},
		{"--node-name", "Node 1", "DNS-1123 subdomain"},
		{"--node-affinity", "disktype in (ssd", "label expression"},
		{"--node-affinity", "", "label expression"},
		{"--node-affinity", "cores>four", "label expression"},
		{"--node-affinity-preferred", "gpu", "WEIGHT:EXPR"},
		{"--node-affinity-preferred", "101:gpu", "1 to 100"},
		{"--scheduling-gate", "not a gate", "qualified name"},
		{"--toleration", "k:NoExecute:soon", "SECONDS"},
		{"--toleration", "k:NoSchedule:30", "NoExecute"},
		{"--volume", "s=configmap:scripts:mode=0999", "octal"},
		{"--env-from", "configmap:app:P_:sometimes", "optional"},
		{"--env-value-from", "A=secret:s:k:maybe", "optional"},
		{"--override-type", "replace", "merge"},
		{"--overrides", "{not json", "JSON or YAML"},
		{"--overrides", "[1,2]", "object"},
		{"--overrides", `{"spec":{"template":{"spec":{"hostPID":"yes"}}}}`, "spec.template.spec.hostPID"},
		{"--overrides", `{"spec":{"template":{"spec":{"dnsPolicy":"Google"}}}}`, "--dns-policy"},
		{"--overrides", `{"kind":"Pod"}`, "kind Job"},
	} {
		t.Run(tc.flag+"="+tc.value, func(t *testing.T) {
			args := []string{"job", "--image", "x", tc.flag + "=" + tc.value}
			if strings.HasPrefix(tc.flag, "--volume") {
				args = append(args, "--mount", "/s=s")
			}
			s, err := ParseArgs(args)
			if err == nil {
				err = s.Validate()
			}
			wantErr(t, err, tc.flag, tc.rule)
			if err != nil && !strings.Contains(err.Error(), "e.g.") {
				t.Errorf("error %q gives no example", err)
			}
			// A bad key is quoted alone, and an override's problem quotes the
			// field's value rather than the whole patch.
			shown, _, _ := strings.Cut(tc.value, "=")
			if tc.flag == "--overrides" {
				shown = ""
			}
			if err != nil && !strings.Contains(err.Error(), shown) {
				t.Errorf("error %q does not repeat the value", err)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	for _, tc := range []struct{ typ, patch string }{
		{"", `{"spec":{"template":{"spec":{"hostPID":true}}}}`},
		{"merge", "spec:\n  template:\n    spec:\n      hostPID: true\n"},
		{"json", `[{"op":"add","path":"/spec/template/spec/hostPID","value":true}]`},
		{"strategic", `{"spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"job","workingDir":"/w"}]}}}}`},
	} {
		args := []string{"job", "--image", "x", "--overrides", tc.patch}
		if tc.typ != "" {
			args = append(args, "--override-type", tc.typ)
		}
		s, err := ParseArgs(args)
		if err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		job := s.Build()
		if !job.Spec.Template.Spec.HostPID {
			t.Errorf("%s: not applied: %+v", tc.typ, job.Spec.Template.Spec)
		}
		if tc.typ == "strategic" && (job.Spec.Template.Spec.Containers[0].Image != "x" || job.Spec.Template.Spec.Containers[0].WorkingDir != "/w") {
			t.Errorf("strategic must merge the container by name: %+v", job.Spec.Template.Spec.Containers)
		}
		a, complete := Args(s)
		if !complete {
			t.Errorf("%s: Args %q incomplete", tc.typ, a)
		}
	}
}
