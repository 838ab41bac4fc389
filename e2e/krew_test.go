package e2e

// The release as krew users get it: krew's own tools (sigs.k8s.io/krew
// v0.4.3, built here) validate .krew.yaml and the committed
// plugins/job-wizard.yaml, and kubectl krew installs the plugin into a
// temporary KREW_ROOT from the host platform's archive, where the real
// kubectl runs it. `make dist-host` (a prerequisite of make test) builds that
// one archive and a manifest naming it into .cache/dist-host; `make dist`
// builds all six and renders plugins/job-wizard.yaml with their sha256, which
// only its archives can check: after it, this test also installs every
// platform from dist/.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"sigs.k8s.io/yaml"
)

const (
	krewModuleVersion = "v0.4.3"
	releaseURLPrefix  = "https://github.com/jobwizard/kubectl-job-wizard/releases/download/"
)

// krewTools builds krew and its manifest validator once into
// bin/krew-v0.4.3 (ignored by git; later runs reuse it), with kubectl-krew
// beside them: the name kubectl runs krew by.
var krewTools = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(repoRoot(), "bin", "krew-"+krewModuleVersion)
	have := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	if !have("krew") || !have("validate-krew-manifest") {
		cmd := exec.Command("go", "install",
			"sigs.k8s.io/krew/cmd/krew@"+krewModuleVersion,
			"sigs.k8s.io/krew/cmd/validate-krew-manifest@"+krewModuleVersion)
		// Outside this module: `go install pkg@version` builds krew with
		// its own go.mod, as its releases are built.
		cmd.Dir = os.TempDir()
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building krew %s: %v\n%s", krewModuleVersion, err, out)
		}
	}
	if !have("kubectl-krew") {
		if err := os.Symlink("krew", filepath.Join(dir, "kubectl-krew")); err != nil {
			return "", err
		}
	}
	return dir, nil
})

// krewManifest is the part of a krew plugin manifest the tests read.
type krewManifest struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version   string         `json:"version"`
		Caveats   string         `json:"caveats"`
		Platforms []krewPlatform `json:"platforms"`
	} `json:"spec"`
}

type krewPlatform struct {
	Selector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	URI    string `json:"uri"`
	Sha256 string `json:"sha256"`
	Bin    string `json:"bin"`
}

func (p krewPlatform) archive() string { return path.Base(p.URI) }

func sha256File(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// renderKrewTemplate renders .krew.yaml as krew-release-bot does: its two
// functions, addURIAndSha's exact output, with the sha256 of each archive
// taken from sums by file name.
func renderKrewTemplate(t *testing.T, tmpl, tag string, sums map[string]string) []byte {
	t.Helper()
	funcs := template.FuncMap{
		"addURIAndSha": func(url, tag string) (string, error) {
			var u bytes.Buffer
			if err := template.Must(template.New("url").Parse(url)).Execute(&u, struct{ TagName string }{tag}); err != nil {
				return "", err
			}
			sum, ok := sums[path.Base(u.String())]
			if !ok {
				return "", fmt.Errorf("no archive %s", path.Base(u.String()))
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", u.String(), sum), nil
		},
		"indent": func(spaces int, v string) string {
			v = strings.ReplaceAll(v, "    sha256:", "sha256:")
			pad := strings.Repeat(" ", spaces)
			return strings.TrimSpace(pad + strings.ReplaceAll(v, "\n", "\n"+pad))
		},
	}
	var out bytes.Buffer
	if err := template.Must(template.New(".krew.yaml").Funcs(funcs).Parse(tmpl)).Execute(&out, struct{ TagName string }{tag}); err != nil {
		t.Fatalf("rendering .krew.yaml: %v", err)
	}
	return out.Bytes()
}

// krewEnv is the environment of krew runs: a KREW_ROOT of the test and no
// upgrade check, which would go to GitHub.
func krewEnv(root string) []string {
	return []string{"KREW_ROOT=" + root, "KREW_NO_UPGRADE_CHECK=1"}
}

// readKrewManifest reads a krew manifest and the fields the tests need.
func readKrewManifest(t *testing.T, name, hint string) ([]byte, krewManifest) {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (%s)", err, hint)
	}
	var m krewManifest
	// Strictness is krew's business (validate-krew-manifest below); this
	// reads only the fields it needs.
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return raw, m
}

func TestKrew(t *testing.T) {
	t.Parallel()
	ctx := kubectlContext(t, 15*time.Minute)
	root := repoRoot()
	manifestPath := filepath.Join(root, "plugins", "job-wizard.yaml")
	dist := filepath.Join(root, "dist")
	hostDist := filepath.Join(root, ".cache", "dist-host")

	// The committed manifest names one archive per platform under the
	// release of its version, each with a sha256.
	raw, m := readKrewManifest(t, manifestPath, "make dist renders it")
	sums := map[string]string{}
	var platforms []string
	for _, p := range m.Spec.Platforms {
		platforms = append(platforms, p.Selector.MatchLabels["os"]+"/"+p.Selector.MatchLabels["arch"])
		if want := releaseURLPrefix + m.Spec.Version + "/"; !strings.HasPrefix(p.URI, want) {
			t.Errorf("uri %s is not under %s", p.URI, want)
		}
		if _, err := hex.DecodeString(p.Sha256); err != nil || len(p.Sha256) != 64 {
			t.Errorf("%s: sha256 %q is not a sha256", p.archive(), p.Sha256)
		}
		sums[p.archive()] = p.Sha256
	}
	slices.Sort(platforms)
	if want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}; !slices.Equal(platforms, want) {
		t.Errorf("platforms %v, want %v", platforms, want)
	}

	tools, err := krewTools()
	if err != nil {
		t.Fatal(err)
	}
	validate := func(t *testing.T, manifest string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, filepath.Join(tools, "validate-krew-manifest"), append([]string{"-manifest", manifest}, args...)...)
		kubectl, err := kubectlBinary()
		if err != nil {
			t.Fatal(err)
		}
		// It installs through `kubectl krew`, so both go on PATH.
		cmd.Env = append(os.Environ(), "PATH="+tools+":"+filepath.Dir(kubectl)+":/usr/bin:/bin")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("validate-krew-manifest %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
		}
	}

	t.Run("template renders to the manifest", func(t *testing.T) {
		tmpl, err := os.ReadFile(filepath.Join(root, ".krew.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		// What krew-release-bot would open as the krew-index pull request
		// for this version is exactly the committed manifest, but for the
		// sha256 values, taken from it here: only make dist's archives
		// can check those (see "every platform installs").
		if got := renderKrewTemplate(t, string(tmpl), m.Spec.Version, sums); !bytes.Equal(got, raw) {
			t.Errorf(".krew.yaml rendered for %s differs from plugins/job-wizard.yaml: run make dist\n%s", m.Spec.Version, got)
		}
		// The committed file itself, as krew-index would check it.
		validate(t, manifestPath, "-skip-install")
		// And for a release tag, it is a valid manifest (the archives of
		// that release do not exist yet, hence -skip-install).
		dir := t.TempDir()
		release := filepath.Join(dir, "job-wizard.yaml")
		if err := os.WriteFile(release, renderKrewTemplate(t, string(tmpl), "v1.2.3", sums), 0o644); err != nil {
			t.Fatal(err)
		}
		validate(t, release, "-skip-install")
	})

	t.Run("every platform installs", func(t *testing.T) {
		// Only after make dist: dist/ then holds the six archives with
		// the sha256 the manifest gives (a dist/ of another commit, or
		// none, is skipped rather than failed: make test builds only
		// the host's archive).
		checksums, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
		if err != nil {
			t.Skipf("no dist/ (%v): make dist builds the six archives, then this installs each", err)
		}
		for _, p := range m.Spec.Platforms {
			got := ""
			if _, err := os.Stat(filepath.Join(dist, p.archive())); err == nil {
				got = sha256File(t, filepath.Join(dist, p.archive()))
			}
			if got != p.Sha256 {
				t.Skipf("dist/%s (sha256 %q) is not the archive plugins/job-wizard.yaml names (%s): make dist builds this commit's", p.archive(), got, p.Sha256)
			}
			if !strings.Contains(string(checksums), got+"  "+p.archive()+"\n") {
				t.Errorf("checksums.txt lacks %s  %s:\n%s", got, p.archive(), checksums)
			}
		}
		// validate-krew-manifest installs each platform (KREW_OS,
		// KREW_ARCH) from its uri, checking the sha256, the bin and the
		// LICENSE; the uris point at dist/, served here, instead of the
		// release not yet published.
		srv := httptest.NewServer(http.FileServer(http.Dir(dist)))
		defer srv.Close()
		local := strings.ReplaceAll(string(raw), releaseURLPrefix+m.Spec.Version+"/", srv.URL+"/")
		dir := t.TempDir()
		manifest := filepath.Join(dir, "job-wizard.yaml")
		if err := os.WriteFile(manifest, []byte(local), 0o644); err != nil {
			t.Fatal(err)
		}
		validate(t, manifest)
	})

	t.Run("kubectl krew install from the local archive", func(t *testing.T) {
		// make dist-host's manifest: .krew.yaml rendered for the host's
		// archive alone.
		hostManifest := filepath.Join(hostDist, "job-wizard.yaml")
		_, m := readKrewManifest(t, hostManifest, "make dist-host builds it")
		var host krewPlatform
		for _, p := range m.Spec.Platforms {
			if p.Selector.MatchLabels["os"] == runtime.GOOS && p.Selector.MatchLabels["arch"] == runtime.GOARCH {
				host = p
			}
		}
		if host.URI == "" {
			t.Fatalf("no platform for %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		krewRoot := t.TempDir()
		env := krewEnv(krewRoot)
		bin := filepath.Join(krewRoot, "bin")
		if got := sha256File(t, filepath.Join(hostDist, host.archive())); got != host.Sha256 {
			t.Fatalf("%s has sha256 %s, its manifest says %s: run make dist-host", host.archive(), got, host.Sha256)
		}
		r := runKubectl(ctx, t, []string{bin, tools}, env, "krew", "install",
			"--manifest="+hostManifest, "--archive="+filepath.Join(hostDist, host.archive()))
		if r.code != 0 || !strings.Contains(r.stderr+r.stdout, "Installed plugin: job-wizard") {
			t.Fatalf("kubectl krew install: %s", r)
		}
		if !strings.Contains(r.stderr+r.stdout, "kubectl_complete-job_wizard") {
			t.Errorf("the caveats about the completion shim are not shown: %s", r)
		}

		r = runKubectl(ctx, t, []string{bin, tools}, env, "plugin", "list")
		if want := filepath.Join(bin, "kubectl-job_wizard"); r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("kubectl plugin list does not list %s: %s", want, r)
		}

		r = runKubectl(ctx, t, []string{bin, tools}, env, "job-wizard", "version", "-o", "json")
		if r.code != 0 {
			t.Fatalf("kubectl job-wizard version: %s", r)
		}
		var v map[string]string
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		if v["version"] != m.Spec.Version {
			t.Errorf("the installed plugin says version %q, the manifest %q", v["version"], m.Spec.Version)
		}
		if _, err := time.Parse(time.RFC3339, v["buildDate"]); err != nil || v["commit"] == "" || v["commit"] == "unknown" {
			t.Errorf("build information not stamped: %v", v)
		}

		// The caveats' command puts the shim on PATH; then kubectl
		// completes the plugin installed by krew.
		var install []string
		lines := strings.Split(m.Spec.Caveats, "\n")
		for i, line := range lines {
			if strings.HasPrefix(strings.TrimSpace(line), "install ") {
				for ; i < len(lines); i++ {
					install = append(install, strings.TrimSuffix(strings.TrimSpace(lines[i]), "\\"))
					if !strings.HasSuffix(lines[i], "\\") {
						break
					}
				}
				break
			}
		}
		if len(install) == 0 {
			t.Fatalf("no install command in the caveats:\n%s", m.Spec.Caveats)
		}
		sh := exec.CommandContext(ctx, "sh", "-c", strings.Join(install, " "))
		sh.Env = append(os.Environ(), env...)
		if out, err := sh.CombinedOutput(); err != nil {
			t.Fatalf("the caveats' command %q: %v\n%s", strings.Join(install, " "), err, out)
		}
		r = runKubectl(ctx, t, []string{bin, tools}, env, "__complete", "job-wizard", "--restart-policy", "")
		if !strings.Contains(r.stdout, "OnFailure") {
			t.Errorf("completion through the krew-installed shim: %s", r)
		}

		// list and uninstall insist on a cloned index, which `krew update`
		// would fetch from GitHub; an empty one stands in for it.
		if err := os.MkdirAll(filepath.Join(krewRoot, "index", "default", ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
		r = runKubectl(ctx, t, []string{bin, tools}, env, "krew", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "job-wizard") {
			t.Errorf("kubectl krew list: %s", r)
		}
		r = runKubectl(ctx, t, []string{bin, tools}, env, "krew", "uninstall", "job-wizard")
		if r.code != 0 {
			t.Errorf("kubectl krew uninstall: %s", r)
		}
		if _, err := os.Lstat(filepath.Join(bin, "kubectl-job_wizard")); !os.IsNotExist(err) {
			t.Errorf("kubectl-job_wizard is still in %s after uninstall (%v)", bin, err)
		}
	})
}
