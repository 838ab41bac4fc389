// Command dist builds the release archives of kubectl-job_wizard (`make dist`):
// one per platform, each holding the binary, the LICENSE and, where a POSIX
// shell runs it, the kubectl completion shim; then checksums.txt, and the
// krew manifest rendered from the krew-release-bot template (.krew.yaml) with
// the archives' real sha256.
//
// The archives are reproducible: a fixed file order, owner and mode, and the
// build date (the commit's time by default) as every file's time. The same
// commit therefore gives the same sha256, and plugins/job-wizard.yaml only
// changes when the plugin does.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"text/template"
	"time"

	"sigs.k8s.io/yaml"
)

const (
	binary = "kubectl-job_wizard"
	shim   = "kubectl_complete-job_wizard"
	pkg    = "./cmd/kubectl-job_wizard"
)

// defaultPlatforms are the ones the krew manifest offers.
const defaultPlatforms = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

// krewVersion is what krew accepts as spec.version: semver with a leading v.
var krewVersion = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

type options struct {
	version, date, ldflags      string
	out, platforms              string
	template, manifest, license string
	shim                        string
}

func main() {
	var o options
	flag.StringVar(&o.version, "version", "", "release version, a semver with a leading v (v0.1.0); the manifest's spec.version")
	flag.StringVar(&o.date, "date", "", "build date, RFC 3339; every archived file gets this time")
	flag.StringVar(&o.ldflags, "ldflags", "", "linker flags of the build, as the Makefile computes them (-X for version, commit, date)")
	flag.StringVar(&o.out, "out", "dist", "directory of the archives and checksums.txt")
	flag.StringVar(&o.platforms, "platforms", defaultPlatforms, "comma separated GOOS/GOARCH pairs, or host: this machine's alone (the manifest then names only the platforms built)")
	flag.StringVar(&o.template, "template", ".krew.yaml", "krew-release-bot template of the manifest")
	flag.StringVar(&o.manifest, "manifest", "plugins/job-wizard.yaml", "where the rendered manifest is written; empty skips it")
	flag.StringVar(&o.license, "license", "LICENSE", "license file put in every archive")
	flag.StringVar(&o.shim, "shim", "plugins/"+shim, "kubectl completion shim put in the non-Windows archives")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if !krewVersion.MatchString(o.version) {
		return fmt.Errorf("-version %q: krew needs a semantic version with a leading v, e.g. v0.1.0 or v0.1.0-3-gabc1234", o.version)
	}
	date, err := time.Parse(time.RFC3339, o.date)
	if err != nil {
		return fmt.Errorf("-date %q: %v", o.date, err)
	}
	license, err := os.ReadFile(o.license)
	if err != nil {
		return err
	}
	shimText, err := os.ReadFile(o.shim)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	// Archives of an earlier run would otherwise linger in checksums.txt's
	// directory and be mistaken for this build's.
	for _, pattern := range []string{binary + "_*.tar.gz", binary + "_*.zip", "checksums.txt"} {
		old, _ := filepath.Glob(filepath.Join(o.out, pattern))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	work, err := os.MkdirTemp(o.out, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// host is what make test builds: the one archive the krew test
	// installs, instead of six cross-compiles of about 75 s each.
	platforms, partial := o.platforms, o.platforms != defaultPlatforms
	if platforms == "host" {
		platforms = runtime.GOOS + "/" + runtime.GOARCH
	}
	sums := map[string]string{} // archive name -> sha256
	for _, p := range strings.Split(platforms, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok {
			return fmt.Errorf("-platforms: %q is not GOOS/GOARCH", p)
		}
		start := time.Now()
		exe := binary
		if goos == "windows" {
			exe += ".exe"
		}
		built := filepath.Join(work, goos+"_"+goarch, exe)
		if err := build(goos, goarch, o.ldflags, built); err != nil {
			return err
		}
		bin, err := os.ReadFile(built)
		if err != nil {
			return err
		}
		files := []file{{exe, 0o755, bin}, {"LICENSE", 0o644, license}}
		if goos != "windows" {
			files = append(files, file{shim, 0o755, shimText})
		}
		name := archiveName(goos, goarch)
		var archive []byte
		if goos == "windows" {
			archive, err = zipArchive(files, date)
		} else {
			archive, err = tarGz(files, date)
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.out, name), archive, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(archive)
		sums[name] = hex.EncodeToString(sum[:])
		fmt.Printf("%-45s %6.1f MiB  (binary %5.1f MiB, %s)\n", filepath.Join(o.out, name),
			float64(len(archive))/(1<<20), float64(len(bin))/(1<<20), time.Since(start).Round(100*time.Millisecond))
	}

	var checksums strings.Builder
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		// sha256sum's format, so `sha256sum -c checksums.txt` checks them.
		fmt.Fprintf(&checksums, "%s  %s\n", sums[n], n)
	}
	if err := os.WriteFile(filepath.Join(o.out, "checksums.txt"), []byte(checksums.String()), 0o644); err != nil {
		return err
	}

	if o.manifest == "" {
		return nil
	}
	tmpl, err := os.ReadFile(o.template)
	if err != nil {
		return err
	}
	rendered, err := renderKrewTemplate(string(tmpl), o.version, sums, partial)
	if err != nil {
		return fmt.Errorf("%s: %w", o.template, err)
	}
	if partial {
		if rendered, err = onlyBuilt(rendered, sums); err != nil {
			return fmt.Errorf("%s: %w", o.template, err)
		}
	}
	if err := os.WriteFile(o.manifest, rendered, 0o644); err != nil {
		return err
	}
	fmt.Printf("%-45s rendered from %s for %s\n", o.manifest, o.template, o.version)
	return nil
}

// archiveName is the release asset of a platform, as .krew.yaml names it.
func archiveName(goos, goarch string) string {
	if goos == "windows" {
		return fmt.Sprintf("%s_%s_%s.zip", binary, goos, goarch)
	}
	return fmt.Sprintf("%s_%s_%s.tar.gz", binary, goos, goarch)
}

func build(goos, goarch, ldflags, out string) error {
	// -buildvcs=false because the commit is stamped through -ldflags: VCS
	// stamping would add the work tree's modified flag and break
	// reproducibility without telling anything new.
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s/%s: %w", goos, goarch, err)
	}
	return nil
}

type file struct {
	name string
	mode int64
	data []byte
}

func tarGz(files []file, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: date.UTC(),
			Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zipArchive(files []file, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: date.UTC()}
		hdr.SetMode(os.FileMode(f.mode))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderKrewTemplate renders a krew-release-bot template as the bot does
// (the same functions, the same output of addURIAndSha) with the sha256 of
// the local archives instead of downloaded release assets. Every archive
// the template names must have been built, and every archive built must be
// named: a platform missing on either side is an error, not a silent gap,
// unless partial (a build of some platforms only), where an archive not
// built gets no sha256 and onlyBuilt drops its platform.
func renderKrewTemplate(tmpl, tag string, sums map[string]string, partial bool) ([]byte, error) {
	used := map[string]bool{}
	var errs []error
	funcs := template.FuncMap{
		"addURIAndSha": func(url, tag string) string {
			inner, err := template.New("url").Parse(url)
			if err != nil {
				errs = append(errs, err)
				return ""
			}
			var u bytes.Buffer
			if err := inner.Execute(&u, struct{ TagName string }{tag}); err != nil {
				errs = append(errs, err)
				return ""
			}
			name := path.Base(u.String())
			sum, ok := sums[name]
			if !ok && !partial {
				errs = append(errs, fmt.Errorf("%s names %s, which was not built", u.String(), name))
			}
			used[name] = true
			return fmt.Sprintf("uri: %s\n    sha256: %s", u.String(), sum)
		},
		"indent": func(spaces int, v string) string {
			v = strings.ReplaceAll(v, "    sha256:", "sha256:")
			pad := strings.Repeat(" ", spaces)
			return strings.TrimSpace(pad + strings.ReplaceAll(v, "\n", "\n"+pad))
		},
	}
	t, err := template.New(".krew.yaml").Funcs(funcs).Parse(tmpl)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, struct{ TagName string }{tag}); err != nil {
		return nil, err
	}
	for name := range sums {
		if !used[name] {
			errs = append(errs, fmt.Errorf("%s was built but the template does not name it", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// onlyBuilt keeps the platforms of a rendered manifest whose archive was
// built: the manifest of a partial build, which krew installs from the
// archives there are (the test's), never the one krew-index gets.
func onlyBuilt(rendered []byte, sums map[string]string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(rendered, &m); err != nil {
		return nil, err
	}
	spec, _ := m["spec"].(map[string]any)
	platforms, _ := spec["platforms"].([]any)
	var kept []any
	for _, p := range platforms {
		uri, _ := p.(map[string]any)["uri"].(string)
		if _, ok := sums[path.Base(uri)]; ok {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil, errors.New("names none of the archives built")
	}
	spec["platforms"] = kept
	return yaml.Marshal(m)
}
