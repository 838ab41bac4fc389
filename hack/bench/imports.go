package main

// The start-up and size cost of the imports added since the plugin was
// lean: each one's packages (those linked only because of it), their init
// time in the real binary (GODEBUG=inittrace=1, median of the runs) and
// their bytes in it (go tool nm sizes of an unstripped build).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// costlyImports are the imports whose cost is printed, each with the
// packages that stand for it.
var costlyImports = []struct {
	name  string
	roots []string
}{
	// component-base (its version package) comes with pod-security-admission
	// and is counted in its packages.
	{"k8s.io/pod-security-admission (Pod Security preflight)", []string{"k8s.io/pod-security-admission/"}},
	{"github.com/robfig/cron/v3 (--schedule)", []string{"github.com/robfig/cron/v3"}},
	{"time/tzdata (--time-zone without a tz database)", []string{"time/tzdata"}},
	{"k8s.io/client-go/dynamic (Kueue)", []string{"k8s.io/client-go/dynamic"}},
	{"json-patch + strategicpatch copy (--overrides)", []string{"gopkg.in/evanphx/json-patch.v4", "github.com/jobwizard/kubectl-job-wizard/internal/third_party/strategicpatch"}},
}

// testOnlyModules are modules go.mod requires for tests alone; the bench
// says they cost the binary nothing by finding none of their packages in it.
var testOnlyModules = []string{"github.com/joshdk/go-junit", "sigs.k8s.io/randfill"}

const mainPkg = "./cmd/kubectl-job_wizard"

type listedPackage struct {
	ImportPath string
	Imports    []string
}

// exclusive is, for each costly import, the packages that only it links:
// every package minus those still reachable from main when its roots are
// cut off.
func exclusive() (map[string][]string, error) {
	out, err := exec.Command("go", "list", "-deps", "-json", mainPkg).Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v", err)
	}
	imports := map[string][]string{}
	var main string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		imports[p.ImportPath] = p.Imports
		main = p.ImportPath // go list -deps lists main last
	}
	reach := func(cut func(string) bool) map[string]bool {
		seen := map[string]bool{}
		var visit func(string)
		visit = func(p string) {
			if seen[p] || cut(p) {
				return
			}
			seen[p] = true
			for _, q := range imports[p] {
				visit(q)
			}
		}
		visit(main)
		return seen
	}
	all := reach(func(string) bool { return false })
	res := map[string][]string{}
	for _, imp := range costlyImports {
		isRoot := func(p string) bool {
			for _, r := range imp.roots {
				if p == strings.TrimSuffix(r, "/") || (strings.HasSuffix(r, "/") && strings.HasPrefix(p, r)) {
					return true
				}
			}
			return false
		}
		without := reach(isRoot)
		for p := range all {
			if !without[p] {
				res[imp.name] = append(res[imp.name], p)
			}
		}
		slices.Sort(res[imp.name])
	}
	return res, nil
}

// symbolPackage is the package a symbol of go tool nm belongs to.
func symbolPackage(sym string) string {
	sym = strings.TrimPrefix(sym, "type:")
	sym = strings.TrimPrefix(sym, "go:itab.")
	sym = strings.TrimLeft(sym, "*")
	slash := strings.LastIndex(sym, "/")
	if slash < 0 {
		slash = 0
	}
	if dot := strings.Index(sym[slash:], "."); dot >= 0 {
		return sym[:slash+dot]
	}
	return sym
}

// packageBytes sums go tool nm's sizes per package of an unstripped build.
func packageBytes(ldflags string) (map[string]int64, int64, error) {
	dir, err := os.MkdirTemp("", "bench-nm")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "kubectl-job_wizard")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", exe, mainPkg)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", "-size", exe).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("go tool nm: %v", err)
	}
	sizes := map[string]int64{}
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[2] == "U" || f[2] == "B" || f[2] == "b" {
			continue // undefined or zeroed (bss): not in the file
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		sizes[symbolPackage(strings.Join(f[3:], " "))] += n
		total += n
	}
	return sizes, total, nil
}

var inittraceLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

// initTimes runs argv with GODEBUG=inittrace=1 runs times and gives each
// package's init clock time of every run, in ms.
func initTimes(env, argv []string, runs int) (map[string][]float64, error) {
	times := map[string][]float64{}
	for i := 0; i < runs; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(append([]string(nil), env...), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%v: %v\n%s", argv, err, stderr.Bytes())
		}
		seen := map[string]float64{}
		for _, line := range strings.Split(stderr.String(), "\n") {
			if m := inittraceLine.FindStringSubmatch(line); m != nil {
				ms, _ := strconv.ParseFloat(m[2], 64)
				seen[m[1]] += ms
			}
		}
		for p, ms := range seen {
			times[p] = append(times[p], ms)
		}
	}
	return times, nil
}

func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// printImportCosts prints the table; the init time of a group is the
// median over runs of the sum of its packages' init times.
func printImportCosts(env, argv []string, runs int, ldflags string) error {
	groups, err := exclusive()
	if err != nil {
		return err
	}
	sizes, _, err := packageBytes(ldflags)
	if err != nil {
		return err
	}
	times, err := initTimes(env, argv, runs)
	if err != nil {
		return err
	}
	runTotal := make([]float64, runs)
	for _, ts := range times {
		for i, ms := range ts {
			runTotal[i] += ms
		}
	}
	fmt.Printf("import costs in the client dry run's binary (GODEBUG=inittrace=1, median of %d runs; go tool nm sizes)\n", runs)
	fmt.Printf("  %-56s %5s %9s %10s\n", "import (packages linked only for it)", "pkgs", "init ms", "bytes")
	for _, imp := range costlyImports {
		pkgs := groups[imp.name]
		var b int64
		perRun := make([]float64, runs)
		for _, p := range pkgs {
			b += sizes[p]
			for i, ms := range times[p] {
				perRun[i] += ms
			}
		}
		note := ""
		if slices.Contains(pkgs, "time/tzdata") {
			// The zoneinfo zip is a string constant: data without a
			// symbol, so nm does not count it; it is this file.
			if fi, err := os.Stat(filepath.Join(goroot(), "lib", "time", "zoneinfo.zip")); err == nil {
				b += fi.Size()
				note = " (with the embedded zoneinfo.zip)"
			}
		}
		fmt.Printf("  %-56s %5d %9.3f %10d%s\n", imp.name, len(pkgs), medianFloat(perRun), b, note)
	}
	var fileBytes int64
	if fi, err := os.Stat(argv[0]); err == nil {
		fileBytes = fi.Size()
	}
	fmt.Printf("  %-56s %5d %9.3f %10d (%s, stripped)\n", "the whole binary: every package with an init", len(times), medianFloat(runTotal), fileBytes, argv[0])
	// A module go.mod requires for tests may still be linked through a
	// dependency (randfill is, through apimachinery's meta/v1 and intstr):
	// then it costs what it cost before, and the bench names who links it.
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mainPkg).Output()
	if err != nil {
		return fmt.Errorf("go list: %v", err)
	}
	inModule := func(p, m string) bool { return p == m || strings.HasPrefix(p, m+"/") }
	for _, m := range testOnlyModules {
		var by []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || inModule(f[0], m) {
				continue
			}
			if slices.ContainsFunc(f[1:], func(p string) bool { return inModule(p, m) }) {
				by = append(by, f[0])
			}
		}
		verdict := "not linked: costs the binary nothing"
		if len(by) > 0 {
			verdict = "linked only through " + strings.Join(by, ", ")
			if slices.ContainsFunc(by, func(p string) bool { return inModule(p, "github.com/jobwizard/kubectl-job-wizard") }) {
				verdict = "LINKED by the plugin's own code: " + strings.Join(by, ", ")
			}
		}
		fmt.Printf("  %-56s %s\n", m+" (tests only)", verdict)
	}
	return nil
}

func goroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
