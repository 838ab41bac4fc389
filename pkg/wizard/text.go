package wizard

import (
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

type styleCode string

const (
	bold     styleCode = "\x1b[1m"
	boldCyan styleCode = "\x1b[1;36m"
	dim      styleCode = "\x1b[2m"
	yellow   styleCode = "\x1b[33m"
	green    styleCode = "\x1b[32m"
)

// style wraps text in an ANSI style when colors are on. text must already
// be safe: only the wizard's own escapes may reach the terminal.
func (w *Wizard) style(s styleCode, text string) string {
	if !w.cfg.Color || text == "" {
		return text
	}
	return string(s) + text + "\x1b[0m"
}

// safe makes a name, key or path from the cluster or the person fit to
// show: anything termtext.Clean refuses (a terminal escape could clear the
// screen or fake a prompt; a bidi override could make it read otherwise)
// is shown quoted and escaped.
func safe(s string) string {
	if termtext.Clean(s) {
		return s
	}
	return termtext.Quote(s)
}

// shellQuote is jobspec.ShellQuote, the one quoting of printed commands.
func shellQuote(s string) string { return jobspec.ShellQuote(s) }

// shellJoin renders words as one shell line.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// commandLine is the equivalent command: kubectl job-wizard, the Job's
// flags with their values joined by '=' (which reads better and keeps a
// value such as "-1" from looking like a flag), then the mode flags, then
// the command after --.
func commandLine(args, mode []string) string {
	var words []string
	dash := len(args)
	for i, a := range args {
		if a == "--" {
			dash = i
			break
		}
	}
	for i := 0; i < dash; i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && i+1 < dash {
			words = append(words, a+"="+args[i+1])
			i++
			continue
		}
		words = append(words, a)
	}
	words = append(words, mode...)
	words = append(words, args[dash:]...)
	return "kubectl job-wizard " + shellJoin(words)
}

// width is the number of terminal cells s takes: East Asian wide
// characters take two, so a table with Chinese labels stays aligned.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == 0:
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	return r >= 0x1100 && r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF && r != 0x303F ||
		r >= 0xAC00 && r <= 0xD7A3 || r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F ||
		r >= 0xFF00 && r <= 0xFF60 || r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x20000 && r <= 0x3FFFD
}

// pad right-pads s with spaces to cells terminal cells.
func pad(s string, cells int) string {
	if d := cells - width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// suggestName makes a Job name of an image: the last path segment without
// tag or digest, lower case, other characters as '-'.
// "registry.example.com/team/report-gen:1.4" gives "report-gen".
func suggestName(image string) string {
	name := image
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	if len(s) > 50 {
		s = strings.TrimRight(s[:50], "-")
	}
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= '0' && s[0] <= '9') {
		return "job"
	}
	return s
}

// envName makes an environment variable name of a key: "db.password"
// gives "DB_PASSWORD".
func envName(key string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(key) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
