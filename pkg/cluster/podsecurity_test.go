package cluster

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	psapi "k8s.io/pod-security-admission/api"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

func TestCheckPodSecurity(t *testing.T) {
	p, ok := podSecurityOf("hard", map[string]string{psapi.EnforceLevelLabel: "restricted"})
	if !ok || !p.Enforces() || p.String() != "restricted:latest" {
		t.Fatalf("level %v %v", p, ok)
	}
	if p, ok := podSecurityOf("open", nil); !ok || p.Enforces() {
		t.Errorf("an unlabelled namespace enforces %v", p)
	}
	if _, ok := podSecurityOf("odd", map[string]string{psapi.EnforceLevelLabel: "strict"}); ok {
		t.Error("a label the plugin cannot parse must not be guessed at")
	}
	tpl := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "busybox"}}}}
	vs, err := CheckPodSecurity(p.Level, tpl)
	if err != nil {
		t.Fatal(err)
	}
	msg := FormatPodSecurityViolations(p, "this Job", vs)
	for _, want := range []string{"allowPrivilegeEscalation != false", "--allow-privilege-escalation=false", "--cap-drop ALL", "--run-as-non-root", "--seccomp-profile RuntimeDefault", "--security-profile restricted", "--skip-pod-security-check"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal does not say %q:\n%s", want, msg)
		}
	}
	if len(vs) != 4 {
		t.Errorf("want the 4 checks the restricted profile fixes, got %d:\n%s", len(vs), msg)
	}
	jobspec.ApplySecurityProfile(&tpl.Spec, jobspec.ProfileRestricted)
	if vs, _ := CheckPodSecurity(p.Level, tpl); len(vs) != 0 {
		t.Errorf("the restricted profile leaves %+v", vs)
	}
	priv := true
	tpl.Spec.Containers[0].SecurityContext.Privileged = &priv
	tpl.Spec.HostNetwork = true
	base, _ := podSecurityOf("b", map[string]string{psapi.EnforceLevelLabel: "baseline"})
	vs, _ = CheckPodSecurity(base.Level, tpl)
	msg = FormatPodSecurityViolations(base, "this Job", vs)
	for _, want := range []string{"leave out --privileged", "--host-network"} {
		if !strings.Contains(msg, want) {
			t.Errorf("baseline refusal does not say %q:\n%s", want, msg)
		}
	}
}

// TestNamespacePodSecurityReadOnce: the wizard's question, its review and
// the create's check share one client, so the level costs one GET; a read
// that failed is tried again.
func TestNamespacePodSecurityReadOnce(t *testing.T) {
	var mu sync.Mutex
	gets := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/api/v1/namespaces/")
		mu.Lock()
		gets[name]++
		n := gets[name]
		mu.Unlock()
		if name == "flaky" && n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":%q,"labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`, name)
	}))
	defer srv.Close()
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if p, ok := c.NamespacePodSecurity(ctx, "hard"); !ok || p.String() != "restricted:latest" {
			t.Fatalf("read %d: %v %v", i, p, ok)
		}
	}
	if _, ok := c.NamespacePodSecurity(ctx, "flaky"); ok {
		t.Fatal("a failed read said ok")
	}
	if _, ok := c.NamespacePodSecurity(ctx, "flaky"); !ok {
		t.Fatal("the second read of flaky did not try again")
	}
	if gets["hard"] != 1 || gets["flaky"] != 2 {
		t.Errorf("GETs %v, want hard once and flaky twice", gets)
	}
}
