package termtext

import (
	"strings"
	"testing"
)

// From follow's Printable, which Escape replaced: the same cases.
func TestEscapeEscapesTerminalControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, 中文 and\ttab": "plain text, 中文 and\ttab",
		"\x1b[2J\x1b]0;title\x07": `\x1b[2J\x1b]0;title\x07`,
		"cr\rback\x08":            `cr\x0dback\x08`,
		"c1 \u009b31m":            `c1 \u009b31m`,
		"bidi \u202eevil":         `bidi \u202eevil`,
		"bad \xff utf8":           "bad \uFFFD utf8",
		"line\nbreak":             `line\x0abreak`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := OneLine("a\tb"); got != "a b" {
		t.Errorf("OneLine tab = %q", got)
	}
}

func TestOneLinePlainQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a\tb":            "a b",
		"sep\u2028arated": `sep\u2028arated`,
		"iso\u2066late":   `iso\u2066late`,
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Plain(" at\nstep 3\x1b[31m\u009b\u202e "); got != "at step 3 [31m" {
		t.Errorf("Plain = %q", got)
	}
	for in, want := range map[string]string{
		"plain":         `"plain"`,
		"q\"b\\":        `"q\"b\\"`,
		"e\x1b[2J\ttab": `"e\x1b[2J\x09tab"`,
		"c1\u009b":      `"c1\u009b"`,
		"bad\xff":       "\"bad\uFFFD\"",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
	if q := Quote(strings.Repeat("x", 1<<20)); len(q) > 200 || !strings.HasSuffix(q, "…(1048576 bytes)") {
		t.Errorf("Quote of 1 MB = %.80q…", q)
	}
	if Clean("a\tb") || Clean("a\u202eb") || !Clean("中文 ok") {
		t.Error("Clean is wrong")
	}
}

// TestQuoteWholeKeepsAPath: a file's path is quoted by the same rule as a
// value, but never cut.
func TestQuoteWholeKeepsAPath(t *testing.T) {
	long := "/tmp/" + strings.Repeat("d/", 60) + "job\x1b[2J.yaml"
	got := QuoteWhole(long)
	if want := `"` + strings.ReplaceAll(long, "\x1b", `\x1b`) + `"`; got != want {
		t.Errorf("QuoteWhole = %s, want %s", got, want)
	}
	if short := "a\"b\u202e"; QuoteWhole(short) != Quote(short) {
		t.Errorf("QuoteWhole %s and Quote %s differ below the cut", QuoteWhole(short), Quote(short))
	}
}
