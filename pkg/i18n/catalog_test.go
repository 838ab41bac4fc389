package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sources are the files whose messages must all be in the catalog: every
// call of a method named T or t with a constant string.
var sources = []string{"../wizard/*.go", "../editor/*.go", "../cmd/wizard.go"}

// usedMessages finds the catalog keys the sources use.
func usedMessages(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	fset := token.NewFileSet()
	for _, pattern := range sources {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no files match %s", pattern)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "t") {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				used[s] = fset.Position(lit.Pos()).String()
				return true
			})
		}
	}
	return used
}

// TestCatalogCoversEveryMessage fails when a message of the wizard has no
// Chinese text, so no prompt shows in English to a Chinese reader.
func TestCatalogCoversEveryMessage(t *testing.T) {
	used := usedMessages(t)
	if len(used) < 100 {
		t.Fatalf("found only %d messages; is the scan broken?", len(used))
	}
	var missing []string
	for key, where := range used {
		if !Has(key) {
			missing = append(missing, where+": "+strconv.Quote(key))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d messages lack a Chinese translation in messages.go:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestTranslationsKeepTheirVerbs checks that each translation formats the
// same arguments as its English text, in the same order.
func TestTranslationsKeepTheirVerbs(t *testing.T) {
	for _, en := range Keys() {
		zh, _ := Translation(en)
		if strings.TrimSpace(zh) == "" {
			t.Errorf("%q: empty translation", en)
			continue
		}
		a, b := verb.FindAllString(en, -1), verb.FindAllString(zh, -1)
		if strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%q has verbs %v but its translation %q has %v", en, a, zh, b)
		}
	}
}

func TestPrinterFormatsBothLanguages(t *testing.T) {
	if got := New(English).T("Step %d/%d: %s", 2, 6, "Job settings"); got != "Step 2/6: Job settings" {
		t.Errorf("English: %q", got)
	}
	if got := New(Chinese).T("Step %d/%d: %s", 2, 6, New(Chinese).T("Job settings")); got != "第 2/6 步:任务设置" {
		t.Errorf("Chinese: %q", got)
	}
}

func TestDetect(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for name, tc := range map[string]struct {
		flag string
		env  map[string]string
		want Lang
		bad  bool
	}{
		"default":                  {want: English},
		"LANG zh_CN.UTF-8":         {env: map[string]string{"LANG": "zh_CN.UTF-8"}, want: Chinese},
		"LC_ALL wins over LANG":    {env: map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, want: English},
		"LC_MESSAGES before LANG":  {env: map[string]string{"LC_MESSAGES": "zh_TW", "LANG": "en_US"}, want: Chinese},
		"unknown locale":           {env: map[string]string{"LANG": "fr_FR.UTF-8"}, want: English},
		"C locale":                 {env: map[string]string{"LC_ALL": "C"}, want: English},
		"flag wins":                {flag: "zh", env: map[string]string{"LANG": "en_US"}, want: Chinese},
		"flag zh-CN":               {flag: "zh-CN", want: Chinese},
		"flag en":                  {flag: "en", env: map[string]string{"LANG": "zh_CN"}, want: English},
		"bad flag":                 {flag: "fr", bad: true},
		"zh-Hans@modifier ignored": {env: map[string]string{"LANG": "zh_CN.GB18030@pinyin"}, want: Chinese},
	} {
		got, err := Detect(tc.flag, env(tc.env))
		if tc.bad {
			if err == nil {
				t.Errorf("%s: no error", name)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: Detect = %q, %v; want %q", name, got, err, tc.want)
		}
	}
}

// TestJobspecRulesAreTranslated fails when a rule of the jobspec parsers or
// Validate (written as a constant) has no Chinese text: the wizard shows
// these rules when it asks again.
func TestJobspecRulesAreTranslated(t *testing.T) {
	files, err := filepath.Glob("../jobspec/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("jobspec sources: %v", err)
	}
	fset := token.NewFileSet()
	rules := map[string]string{}
	lit := func(e ast.Expr) {
		if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
			s, _ := strconv.Unquote(l.Value)
			rules[s] = fset.Position(l.Pos()).String()
		}
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				switch fn := x.Fun.(type) {
				case *ast.Ident:
					if fn.Name == "flagErr" && len(x.Args) == 4 {
						lit(x.Args[2])
					}
				case *ast.SelectorExpr:
					if fn.Sel.Name == "add" && len(x.Args) == 5 {
						lit(x.Args[3])
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Rule" {
					lit(x.Value)
				}
			}
			return true
		})
	}
	if len(rules) < 50 {
		t.Fatalf("found only %d rules; is the scan broken?", len(rules))
	}
	zh := New(Chinese)
	var missing []string
	for rule, where := range rules {
		if zh.Text(rule) == rule {
			missing = append(missing, where+": "+strconv.Quote(rule))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d jobspec rules lack a Chinese translation in messages.go:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	if got := zh.Text("must be a DNS-1123 label: a lowercase RFC 1123 label must consist of ..."); !strings.HasPrefix(got, "必须是 DNS-1123 标签:a lowercase") {
		t.Errorf("a rule with the API's detail: %q", got)
	}
}
