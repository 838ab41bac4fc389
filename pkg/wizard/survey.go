package wizard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/term"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
)

// surveyPrompter draws the questions with survey on a terminal: it reads
// stdin and draws on stderr, so stdout stays free for the manifest.
type surveyPrompter struct {
	in  terminal.FileReader
	out terminal.FileWriter
	err io.Writer
}

// NewSurveyPrompter returns the terminal Prompter. in must be a terminal
// (an *os.File); out is where the prompts are drawn (stderr). color false
// draws without ANSI colors; survey also honours NO_COLOR by itself.
func NewSurveyPrompter(in *os.File, out *os.File, t *i18n.Printer, color bool) Prompter {
	localizeSurvey(t)
	core.DisableColor = !color
	return &surveyPrompter{in: escReader{in}, out: out, err: out}
}

var localizeOnce sync.Once

// localizeSurvey puts the catalog's words into survey's key hints, which
// are English text inside its package-level templates, and drops its
// "Sorry, your reply was invalid" so the reason alone is shown.
func localizeSurvey(t *i18n.Printer) {
	localizeOnce.Do(func() {
		r := strings.NewReplacer(
			"[Use arrows to move, type to filter", "["+t.T("Use arrows to move, type to filter"),
			"[Use arrows to move, space to select,", "["+t.T("Use arrows to move, space to select,"),
			" <right> to all,", " "+t.T("<right> to all,"),
			" <left> to none,", " "+t.T("<left> to none,"),
			" type to filter{{", " "+t.T("type to filter")+"{{",
			" for more help", " "+t.T("for more help"),
			" for help", " "+t.T("for help"),
			" for suggestions", " "+t.T("for suggestions"),
			"[Use arrows to move, enter to select, type to continue]", "["+t.T("Use arrows to move, enter to select, type to continue")+"]",
			"Sorry, your reply was invalid: ", "",
		)
		survey.SelectQuestionTemplate = r.Replace(survey.SelectQuestionTemplate)
		survey.MultiSelectQuestionTemplate = r.Replace(shortMultiSelectHint(survey.MultiSelectQuestionTemplate, t))
		survey.InputQuestionTemplate = r.Replace(survey.InputQuestionTemplate)
		survey.ConfirmQuestionTemplate = r.Replace(survey.ConfirmQuestionTemplate)
		survey.ErrorTemplate = r.Replace(survey.ErrorTemplate)
	})
}

// shortMultiSelectHint puts a one-line key hint in place of survey's, which
// wraps on an 80-column terminal and hides that Enter goes on.
func shortMultiSelectHint(tmpl string, t *i18n.Printer) string {
	start := strings.Index(tmpl, "[")
	end := strings.Index(tmpl[start+1:], "]")
	if start < 0 || end < 0 || !strings.Contains(tmpl[start:start+1+end], "space") {
		return tmpl
	}
	return tmpl[:start] + "[" + t.T("space picks, Enter goes on") + tmpl[start+1+end:]
}

func (s *surveyPrompter) opts(extra ...survey.AskOpt) []survey.AskOpt {
	return append([]survey.AskOpt{
		survey.WithStdio(s.in, s.out, s.err),
		survey.WithPageSize(12),
		survey.WithIcons(func(icons *survey.IconSet) {
			// The default red "X" reads as a crash; the reason is what matters.
			icons.Error.Text = "✘"
		}),
	}, extra...)
}

func mapErr(err error) error {
	if errors.Is(err, terminal.InterruptErr) {
		return ErrInterrupted
	}
	return err
}

func (s *surveyPrompter) Input(q Input) (string, error) {
	// survey draws the default as it is; one from -f or the cluster is
	// shown quoted and escaped instead, and Enter still gives the value.
	shown := shownDefault(q.Default)
	value := func(a string) string {
		if a == shown {
			return q.Default
		}
		return a
	}
	var ans string
	var extra []survey.AskOpt
	if q.Validate != nil {
		extra = append(extra, survey.WithValidator(func(v interface{}) error {
			str, _ := v.(string)
			return q.Validate(value(str))
		}))
	}
	var p survey.Prompt = &survey.Input{Message: q.Message, Default: shown, Help: q.Help}
	if q.Live != nil {
		p = &liveInput{Input: survey.Input{Message: q.Message, Default: shown, Help: q.Help},
			lines: func(a string) []string { return q.Live(value(a)) }, width: termWidth(s.out)}
	}
	err := survey.AskOne(p, &ans, s.opts(extra...)...)
	return value(ans), mapErr(err)
}

// termWidth is the terminal's width in cells, 80 when it cannot be read.
func termWidth(f terminal.FileWriter) int {
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
		return w
	}
	return 80
}

// liveInput is survey's Input with lines under the question that follow
// the answer as it is typed (a schedule's next runs): survey's Input can
// only redraw on Tab or '?'. The lines are drawn below the line being
// edited and the cursor put back, so survey's line editing stays as it is;
// a copy of that editing (the line and the cursor's place in it) says what
// the answer is after each key, checked against survey's own line.
type liveInput struct {
	survey.Input
	lines    func(answer string) []string
	width    int
	showHelp bool
	// room is how many lines under the question are the live ones.
	room int
}

func (l *liveInput) Prompt(config *survey.PromptConfig) (interface{}, error) {
	err := l.Render(survey.InputQuestionTemplate, survey.InputTemplateData{Input: l.Input, Config: config, ShowHelp: l.showHelp})
	if err != nil {
		return "", err
	}
	rr := l.NewRuneReader()
	_ = rr.SetTermMode()
	defer func() { _ = rr.RestoreTermMode() }()
	cursor := l.NewCursor()
	if !config.ShowCursor {
		cursor.Hide()
		defer cursor.Show()
	}
	out := l.Stdio().Out
	// Make room: ESC D moves down a line and scrolls at the bottom,
	// keeping the column; then back up to the question.
	l.room = 4
	fmt.Fprint(out, strings.Repeat("\x1bD", l.room)+fmt.Sprintf("\x1b[%dA", l.room))
	var line []rune
	index := 0
	l.draw(out, "")
	answer, err := rr.ReadLineWithDefault(0, nil, func(r rune, cur []rune) ([]rune, bool, error) {
		if string(cur) != string(line) {
			line, index = append([]rune(nil), cur...), len(cur)
		}
		switch {
		case r == '\r' || r == '\n' || r == terminal.KeyEndTransmission || r == terminal.KeyInterrupt:
			l.draw(out, "\x00")
			return cur, false, nil
		case r == terminal.KeyBackspace || r == terminal.KeyDelete:
			if index > 0 {
				line = append(line[:index-1:index-1], line[index:]...)
				index--
			}
		case r == terminal.KeyArrowLeft:
			index = max(index-1, 0)
		case r == terminal.KeyArrowRight:
			index = min(index+1, len(line))
		case r == terminal.SpecialKeyHome:
			index = 0
		case r == terminal.SpecialKeyEnd:
			index = len(line)
		case r == terminal.SpecialKeyDelete:
			if index < len(line) {
				line = append(line[:index:index], line[index+1:]...)
			}
		case unicode.IsControl(r) || r == terminal.IgnoreKey:
		default:
			line = append(line[:index:index], append([]rune{r}, line[index:]...)...)
			index++
		}
		l.draw(out, string(line))
		return cur, false, nil
	})
	if err != nil {
		return "", err
	}
	// survey's line reader ends on the next line; go back, as Input does.
	cursor.Up(1)
	a := string(answer)
	if a == config.HelpInput && l.Help != "" {
		l.showHelp = true
		return l.Prompt(config)
	}
	if a == "" {
		return l.Default, nil
	}
	l.AppendRenderedText(a)
	return a, nil
}

// draw writes the live lines of answer under the question and puts the
// cursor back; "\x00" clears them. An empty answer shows the default's,
// which Enter gives.
func (l *liveInput) draw(out io.Writer, answer string) {
	var lines []string
	if answer != "\x00" {
		if answer == "" {
			answer = l.Default
		}
		lines = l.lines(answer)
	}
	var b strings.Builder
	b.WriteString("\x1b7")
	for i := 0; i < l.room; i++ {
		b.WriteString("\x1b[1B\r\x1b[2K")
		if i < len(lines) {
			b.WriteString(fit(lines[i], l.width-3))
		}
	}
	b.WriteString("\x1b8")
	fmt.Fprint(out, b.String())
}

// fit cuts a line to at most cells terminal cells, so it never wraps and
// moves what is under it.
func fit(s string, cells int) string {
	n := 0
	for i, r := range s {
		w := 1
		if isWide(r) {
			w = 2
		}
		if n+w > cells {
			return s[:i]
		}
		n += w
	}
	return s
}

// shownDefault is an Input's default as the terminal may show it.
func shownDefault(def string) string {
	if def == "" {
		return ""
	}
	return safe(def)
}

func labels(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Label
	}
	return out
}

func describe(opts []Option) func(string, int) string {
	for _, o := range opts {
		if o.Description != "" {
			return func(_ string, i int) string { return opts[i].Description }
		}
	}
	return nil
}

func (s *surveyPrompter) Select(q Select) (int, error) {
	var idx int
	p := &survey.Select{Message: q.Message, Options: labels(q.Options), Help: q.Help, Description: describe(q.Options)}
	if q.Default >= 0 && q.Default < len(q.Options) {
		p.Default = q.Default
	}
	err := survey.AskOne(p, &idx, s.opts()...)
	return idx, mapErr(err)
}

func (s *surveyPrompter) MultiSelect(q MultiSelect) ([]int, error) {
	var idx []int
	p := &survey.MultiSelect{Message: q.Message, Options: labels(q.Options), Help: q.Help, Description: describe(q.Options)}
	if len(q.Defaults) > 0 {
		p.Default = q.Defaults
	}
	err := survey.AskOne(p, &idx, s.opts()...)
	return idx, mapErr(err)
}

func (s *surveyPrompter) Confirm(q Confirm) (bool, error) {
	var ans bool
	err := survey.AskOne(&survey.Confirm{Message: q.Message, Default: q.Default, Help: q.Help}, &ans, s.opts()...)
	return ans, mapErr(err)
}

// escReader turns a lone Esc key into Ctrl-C, so Esc leaves the wizard at
// any question (docs/CLI.md); survey itself would use Esc to toggle vim
// keys. A key's escape sequence (arrows: ESC [ A, ESC O A) arrives in one
// read, so an ESC that ends a read or is not followed by '[' or 'O' is the
// key itself. The read may also hold the terminal's answer to survey's
// cursor query (ESC [ row ; col R) right after the key.
type escReader struct{ f *os.File }

func (r escReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	for i := 0; i < n; i++ {
		if p[i] != terminal.KeyEscape {
			continue
		}
		if i+1 == n || p[i+1] != '[' && p[i+1] != 'O' {
			p[i] = terminal.KeyInterrupt
		}
	}
	return n, err
}

func (r escReader) Fd() uintptr { return r.f.Fd() }
