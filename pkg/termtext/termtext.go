// Package termtext is the one rule for showing text that came from a person
// or the cluster (names, values, messages, log lines, reasons) on a terminal
// or in a file a person reads: nothing taken from input may drive the
// terminal. Every output path of the plugin goes through it.
//
// The rule: C0 controls but the tab, DEL, C1 controls (which start escape
// sequences as ESC does), the bidi controls (overrides, embeddings,
// isolates and marks, which make text read otherwise than it is) and the
// line and paragraph separators U+2028 and U+2029 are never written raw.
// They are escaped as \xNN below U+0080 and \uNNNN above; invalid UTF-8
// becomes U+FFFD. Everything else, Chinese or emoji included, is kept.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must not reach a terminal raw.
func unsafe(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// escapeRune writes r as the escape the rule gives it.
func escapeRune(b *strings.Builder, r rune) {
	if r < 0x80 {
		fmt.Fprintf(b, `\x%02x`, r)
	} else {
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// Clean reports whether s can be shown as it is on one line: valid UTF-8
// with nothing the rule escapes and no tab.
func Clean(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return unsafe(r) || r == '\t' }) < 0
}

// Escape is s with every rune the rule names escaped; tabs are kept, and
// so is text that needs nothing (it comes back unchanged). For log lines
// and messages; a line break is escaped too, so the caller decides where
// lines end.
func Escape(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unsafe) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unsafe(r) {
			escapeRune(&b, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OneLine is Escape for a line whose width is counted (a progress or event
// line, a label): a tab becomes a space.
func OneLine(s string) string {
	return strings.ReplaceAll(Escape(s), "\t", " ")
}

// Plain is s for a comment line in a file a person reads and edits (a
// draft's reason, a problem in the editor's buffer): each rune the rule
// names, and each tab, becomes a space, so the comment stays one line and
// holds nothing a terminal would act on when the file is shown; an escape
// there would only be noise. Leading and trailing spaces are trimmed.
func Plain(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unsafe(r) || r == '\t' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD")))
}

// MaxQuoted bounds how much of a value Quote repeats: a 1 MB string must
// still give a one-line, readable reason.
const MaxQuoted = 64

// Quote is a value for a message: in double quotes, escaped by the rule
// (a tab, a quote and a backslash too, so the quotes always show where the
// value ends), and cut after MaxQuoted characters with the length said.
func Quote(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if utf8.RuneCountInString(v) > MaxQuoted {
		return QuoteWhole(string([]rune(v)[:MaxQuoted])) + fmt.Sprintf("…(%d bytes)", len(v))
	}
	return QuoteWhole(v)
}

// QuoteWhole is Quote without the cut, for a value that is only of use
// whole, such as a file's path (bounded anyway, by PATH_MAX).
func QuoteWhole(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unsafe(r) || r == '\t':
			escapeRune(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// EscapeRuneInto writes r to b escaped when the rule names it, else as it
// is; for a quoting of another syntax (a shell's $'…') that must agree
// with the rule.
func EscapeRuneInto(b *strings.Builder, r rune) {
	if unsafe(r) {
		escapeRune(b, r)
	} else {
		b.WriteRune(r)
	}
}
