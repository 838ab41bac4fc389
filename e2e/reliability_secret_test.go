package e2e

// Secrets: the plugin reads a Secret only for its key names and never asks
// for its values; no value is shown, written to a draft or logged, even at
// -v=9; and -v never shows the kubeconfig's bearer token.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	jwcluster "github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

func secretValue(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "s3cr3t-" + hex.EncodeToString(b)
}

// secretForms are the ways a value can travel: as is, and base64 as in
// a Secret's data.
func secretForms(values ...string) []string {
	var out []string
	for _, v := range values {
		out = append(out, v, base64.StdEncoding.EncodeToString([]byte(v)))
	}
	return out
}

func TestReliabilitySecretValuesNeverFetched(t *testing.T) {
	t.Parallel()
	outcome(t, "secret", "values-never-fetched")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	core := cluster.Clientset().CoreV1()
	created, stringData, applied := secretValue(t), secretValue(t), secretValue(t)

	if _, err := core.Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Data: map[string][]byte{"password": []byte(created), "username": []byte("admin")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "api"},
		StringData: map[string]string{"token": stringData}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// kubectl apply keeps the whole object, values and all, in its
	// last-applied-configuration annotation.
	manifest := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(manifest, []byte(fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  key: %s\n", applied)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := harnessKubectl(ctx, t, "", "-n", ns, "apply", "-f", manifest); err != nil {
		t.Fatal(err)
	}

	p := startProxy(t)
	mark, err := cluster.AuditMark()
	if err != nil {
		t.Fatal(err)
	}
	// The wizard's lookups, as pkg/cluster makes them.
	agent := "kubectl-job-wizard/secret-test-" + ns
	secrets, err := newLookups(t, p.Kubeconfig, agent).Secrets(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	want := []lookup.KeyedObject{
		{Name: "api", Type: "Opaque", Keys: []string{"token"}},
		{Name: "applied", Type: "Opaque", Keys: []string{"key"}},
		{Name: "db", Type: "Opaque", Keys: []string{"password", "username"}},
	}
	if fmt.Sprint(secrets) != fmt.Sprint(want) {
		t.Errorf("Secrets = %+v, want %+v", secrets, want)
	}
	// Shell completion of secret keys, through the built binary, plain and
	// with every request and answer logged.
	for _, args := range [][]string{
		{"__complete", "-n", ns, "--env-value-from", "PW=secret:db:"},
		{"__complete", "-n", ns, "--env-value-from", "PW=secret:applied:"},
		{"__complete", "-n", ns, "-v=9", "--env-value-from", "PW=secret:db:"},
		{"__complete", "-n", ns, "-v=9", "--env-value-from", "PW=secret:applied:"},
		{"__complete", "-n", ns, "-v=9", "--env-from", "secret:"},
	} {
		r := clusterRun(ctx, t, p.Kubeconfig, args...)
		wantExit(t, r, 0)
		wantNot(t, strings.Join(args, " "), r.stdout+r.stderr, secretForms(created, stringData, applied)...)
		// With bodies logged (-v=8 and up) the lookups do not ask for
		// metadata, so keys are not offered: typed as free text instead.
		verbose := slices.Contains(args, "-v=9")
		if offered := strings.Contains(r.stdout, "PW=secret:db:password\n"); strings.HasSuffix(args[len(args)-1], "secret:db:") && offered == verbose {
			t.Errorf("%v: key password offered: %v, want %v:\n%s", args, offered, !verbose, r)
		}
	}

	// On the wire: Secrets only listed, and as Tables (names, types, key
	// counts, metadata), never read one by one or in full.
	var listed int
	for _, ex := range p.seen(func(e exchange) bool { return strings.Contains(e.URI, "/secrets") }) {
		listed++
		path, _, _ := strings.Cut(ex.URI, "?")
		if ex.Method != "GET" || !strings.HasSuffix(path, "/namespaces/"+ns+"/secrets") || !strings.Contains(ex.Accept, "as=Table") {
			t.Errorf("request %s %s (Accept %q), want only Table lists of secrets", ex.Method, ex.URI, ex.Accept)
		}
		// The values of Secrets not made by kubectl apply never come at
		// all; an applied Secret's come in its last-applied annotation
		// (the one way to its key names), are dropped at once, and at -v=8
		// and above not even asked for (see the -v=9 runs above).
		wantNot(t, "answer to "+ex.URI, string(ex.Body), secretForms(created, stringData)...)
		if strings.Contains(ex.URI, "includeObject=None") {
			wantNot(t, "answer to "+ex.URI, string(ex.Body), secretForms(applied)...)
		}
	}
	if listed < 6 {
		t.Errorf("%d secret requests through the proxy, want the 6 lists of the lookups", listed)
	}
	events, err := cluster.WaitForAuditQuiet(ctx, mark, func(e testcluster.AuditEvent) bool {
		return strings.HasPrefix(e.UserAgent, "kubectl-job-wizard/") && e.Resource() == "secrets" && e.ObjectRef.Namespace == ns
	}, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Verb != "list" || e.ObjectRef.Name != "" {
			t.Errorf("audit: %s, want only lists of secrets", e)
		}
	}
	t.Logf("%d secret requests, all Table lists", len(events))
}

// newLookups is the wizard's lookups over a kubeconfig, with a user agent
// of the test's own.
func newLookups(t *testing.T, kubeconfig, agent string) *jwcluster.Lookups {
	t.Helper()
	return jwcluster.NewLookup(clusterClient(t, kubeconfig, agent))
}

func TestReliabilitySecretNotInDraftsOrLogs(t *testing.T) {
	t.Parallel()
	outcome(t, "secret", "not-in-drafts-or-logs")
	ctx := followCtx(t, 2*time.Minute)
	ns := cluster.Namespace(t)
	value := secretValue(t)
	token := adminToken(t)
	if _, err := cluster.Clientset().CoreV1().Secrets(ns).Create(ctx, &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Data: map[string][]byte{"password": []byte(value)}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	secretArgs := []string{"-n", ns, "--image=busybox:1.36", "--suspend", "--env-value-from=DB_PASSWORD=secret:db:password",
		"--env-from=secret:db:DB_", "--volume=creds=secret:db", "--mount=/creds=creds:ro"}

	// A create that succeeds, every request and answer logged.
	r := clusterRun(ctx, t, "", append([]string{"first", "-v=9"}, secretArgs...)...)
	wantExit(t, r, 0)
	wantContains(t, "stderr", r.stderr, "Authorization: Bearer <masked>", "Response Body")
	wantNot(t, "output of -v=9", r.stdout+r.stderr, append(secretForms(value), token)...)

	// The same name again: refused, kept as a draft.
	r, drafts := clusterRunDrafts(ctx, t, "", append([]string{"first", "-v=9", "-o", "yaml"}, secretArgs...)...)
	wantExit(t, r, 1)
	wantContains(t, "stderr", r.stderr, `a Job named "first" already exists`)
	wantNot(t, "output of -v=9", r.stdout+r.stderr, append(secretForms(value), token)...)
	_, text := oneDraft(t, drafts)
	wantContains(t, "draft", text, "secretKeyRef:", "key: password", "secretRef:", "secretName: db")
	wantNot(t, "draft", text, append(secretForms(value), token)...)

	// --wait and --logs: none of it shows either. (pkg/follow silences
	// client-go's logging while it draws progress, so -v shows the create
	// alone; this guards the day it does not.)
	r = clusterRun(ctx, t, "", "second", "-n", ns, "--image=busybox:1.36", quick, "--env-value-from=DB_PASSWORD=secret:db:password", "--logs", "-v=9")
	wantExit(t, r, 0)
	wantNot(t, "output of --logs -v=9", r.stdout+r.stderr, append(secretForms(value), token)...)
}
