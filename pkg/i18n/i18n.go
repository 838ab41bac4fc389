// Package i18n is the one message catalog of the wizard and the editor: every
// prompt, help line, heading, review label and error they show is an English
// format string that this package renders in English or Simplified Chinese.
//
// The catalog (golang.org/x/text/message) is built on first use, not at
// init, so runs that never prompt (CI, --dry-run=client) do not pay for it.
package i18n

import (
	"fmt"
	"maps"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// Lang is a language the wizard speaks.
type Lang string

const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// Parse reads a --lang value: en or zh, and the usual spellings of them
// (en_US, zh-CN, zh_CN.UTF-8, zh-Hans).
func Parse(s string) (Lang, bool) {
	tag := strings.ToLower(strings.TrimSpace(s))
	// A POSIX locale is language_TERRITORY.codeset@modifier.
	if i := strings.IndexAny(tag, ".@"); i >= 0 {
		tag = tag[:i]
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	switch base {
	case "en", "c", "posix":
		return English, true
	case "zh":
		return Chinese, true
	}
	return "", false
}

// Detect chooses the language: the --lang flag when given, else the first of
// LC_ALL, LC_MESSAGES and LANG that is set (POSIX precedence), else English.
// An unknown flag value is an error; an unknown locale falls back to English,
// as programs do for a locale they have no messages for.
func Detect(flag string, getenv func(string) string) (Lang, error) {
	if flag != "" {
		l, ok := Parse(flag)
		if !ok {
			return "", fmt.Errorf("--lang %s: must be en or zh", termtext.Quote(flag))
		}
		return l, nil
	}
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(env); v != "" {
			if l, ok := Parse(v); ok {
				return l, nil
			}
			return English, nil
		}
	}
	return English, nil
}

// Printer renders catalog messages in one language.
type Printer struct {
	lang Lang
	p    *message.Printer
}

var (
	buildOnce sync.Once
	built     *catalog.Builder
	zh        map[string]string
)

// zhTag is the catalog's tag for Simplified Chinese.
var zhTag = language.SimplifiedChinese

func build() *catalog.Builder {
	buildOnce.Do(func() {
		zh = zhMessages()
		maps.Copy(zh, zhSecurityMessages())
		maps.Copy(zh, zhKueueMessages())
		b := catalog.NewBuilder(catalog.Fallback(language.English))
		for en, t := range zh {
			// SetString only fails for a malformed message, which the
			// catalog test rules out.
			_ = b.SetString(zhTag, en, t)
			_ = b.SetString(language.English, en, en)
		}
		built = b
	})
	return built
}

// New returns a Printer of lang.
func New(lang Lang) *Printer {
	tag := language.English
	if lang == Chinese {
		tag = zhTag
	}
	return &Printer{lang: lang, p: message.NewPrinter(tag, message.Catalog(build()))}
}

// T renders the message whose English text is key. A key the catalog lacks
// renders as itself (English); TestCatalogCoversEveryMessage keeps that from
// happening to a message in the source.
func (p *Printer) T(key string, args ...any) string {
	return p.p.Sprintf(key, args...)
}

// Has reports whether key has a Chinese translation; tests use it to fail on
// a message that would show in English to a Chinese reader.
func Has(key string) bool {
	build()
	_, ok := zh[key]
	return ok
}

// Keys lists every message of the catalog.
func Keys() []string {
	build()
	keys := make([]string, 0, len(zh))
	for k := range zh {
		keys = append(keys, k)
	}
	return keys
}

// Translation returns the Chinese text of key, for tests.
func Translation(key string) (string, bool) {
	build()
	v, ok := zh[key]
	return v, ok
}

// Text returns the translation of an already formatted text, such as a
// jobspec rule, without reading it as a format (a rule may hold '%'); a
// text the catalog lacks is returned as it is.
func (p *Printer) Text(s string) string {
	if p.lang != Chinese {
		return s
	}
	build()
	if t, ok := zh[s]; ok {
		return t
	}
	// "must be a DNS-1123 label: <the API's own words>": the rule is
	// translated, the API's detail stays as the API says it.
	if rule, detail, ok := strings.Cut(s, ": "); ok {
		if t, ok := zh[rule]; ok {
			return t + ":" + detail
		}
	}
	return s
}
