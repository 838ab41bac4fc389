package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// annotationLogLines is how much of the log an annotation repeats: the
// annotation is a pointer to the failure, the report holds the rest.
const annotationLogLines = 10

// InGitHubActions tells whether the command runs as a GitHub Actions step,
// whose runner reads workflow commands from the step's output.
func InGitHubActions() bool { return os.Getenv("GITHUB_ACTIONS") == "true" }

// Annotate prints one ::error workflow command per failed or unfinished
// case, so the failures show on the run's summary page.
func (r *Report) Annotate(w io.Writer) {
	for _, c := range r.Cases {
		if c.Result != Failed && c.Result != Error {
			continue
		}
		title := fmt.Sprintf("job/%s %s %s", r.Job, c.Name, c.Result)
		if c.Name == "job/"+r.Job {
			title = fmt.Sprintf("job/%s %s", r.Job, c.Result)
		}
		msg := c.Message
		if c.Reason != "" && !strings.Contains(msg, c.Reason) {
			msg = c.Reason + ": " + msg
		}
		if c.ExitCode != nil && !strings.Contains(msg, "exited with code") {
			msg += fmt.Sprintf(" (exit code %d)", *c.ExitCode)
		}
		if n := len(c.Log); n > 0 {
			lines := c.Log[max(n-annotationLogLines, 0):]
			msg += "\n" + strings.Join(lines, "\n")
		}
		// Lines from the cluster may carry terminal escapes; the runner's log
		// is shown in a browser, but the same output can reach a terminal.
		lines := strings.Split(msg, "\n")
		for i, l := range lines {
			lines[i] = termtext.Escape(strings.TrimSuffix(l, "\r"))
		}
		fmt.Fprintf(w, "::error title=%s::%s\n", escapeProperty(termtext.Escape(title)), escapeData(strings.Join(lines, "\n")))
	}
}

// escapeData escapes a workflow command's message as the runner unescapes
// it (actions/toolkit, command.ts escapeData): % first, then CR and LF, so
// a log line can never end the command and start another.
func escapeData(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

// escapeProperty escapes a property value (title=…): as data, and also
// the ':' and ',' that end a property (command.ts escapeProperty).
func escapeProperty(s string) string {
	s = escapeData(s)
	s = strings.ReplaceAll(s, ":", "%3A")
	return strings.ReplaceAll(s, ",", "%2C")
}
