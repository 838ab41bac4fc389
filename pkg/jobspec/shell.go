package jobspec

import (
	"fmt"
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// ShellQuote quotes one word for a POSIX shell so the printed command can
// be pasted as it is. Words termtext.Clean refuses use $'...', escaped by
// termtext's rule, so no raw escape is ever printed.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	plain := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	if !termtext.Clean(s) {
		var b strings.Builder
		b.WriteString("$'")
		for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
			switch {
			case r == '\'' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\t':
				b.WriteString(`\t`)
			default:
				termtext.EscapeRuneInto(&b, r)
			}
		}
		b.WriteByte('\'')
		return b.String()
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ExpandANSIQuotes rewrites each $'…' word part (what ShellQuote writes
// for a word with a newline or a control character) as the plain '…'
// word it stands for, so a splitter that knows only POSIX quotes reads
// back what ShellQuote wrote: a multi-line script shown as a default can
// be kept, or edited, as it is. Text outside $'…' is left alone.
func ExpandANSIQuotes(s string) string {
	if !strings.Contains(s, "$'") {
		return s
	}
	var b strings.Builder
	inSingle, inDouble := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inSingle:
			inSingle = c != '\''
		case c == '\\' && !inSingle && i+1 < len(s):
			b.WriteByte(c)
			i++
			c = s[i]
		case c == '"':
			inDouble = !inDouble
		case c == '\'' && !inDouble:
			inSingle = true
		case c == '$' && !inDouble && i+1 < len(s) && s[i+1] == '\'':
			var word strings.Builder
			j := i + 2
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] != '\\' || j+1 >= len(s) {
					word.WriteByte(s[j])
					continue
				}
				j++
				switch s[j] {
				case 'n':
					word.WriteByte('\n')
				case 't':
					word.WriteByte('\t')
				case 'x', 'u':
					n := 2
					if s[j] == 'u' {
						n = 4
					}
					var r rune
					if j+n < len(s) {
						if _, err := fmt.Sscanf(s[j+1:j+1+n], "%x", &r); err == nil {
							word.WriteRune(r)
							j += n
							continue
						}
					}
					word.WriteByte(s[j])
				default:
					word.WriteByte(s[j])
				}
			}
			b.WriteString("'" + strings.ReplaceAll(word.String(), "'", `'\''`) + "'")
			i = j
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
