package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// The JUnit XML that CI systems read (Jenkins, GitLab, GitHub test
// reporters): testsuites > testsuite (the Job) > testcase (an index or a
// pod attempt) with a failure, error or skipped element, and the log in
// system-out. encoding/xml escapes text and attributes, and replaces
// characters XML 1.0 cannot hold (terminal escapes in a log) with U+FFFD.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func junitTime(s float64) string { return fmt.Sprintf("%.3f", s) }

// JUnit renders the report as JUnit XML.
func (r *Report) JUnit() ([]byte, error) {
	suite := junitSuite{
		Name: r.Job, Tests: r.Tests, Failures: r.Failures, Errors: r.Errors, Skipped: r.Skipped,
		Time: junitTime(r.DurationSeconds),
		Properties: []junitProperty{
			{"namespace", r.Namespace},
			{"outcome", r.Outcome},
		},
	}
	if r.StartTime != nil {
		suite.Timestamp = r.StartTime.UTC().Format(time.RFC3339)
	}
	if r.Reason != "" {
		suite.Properties = append(suite.Properties, junitProperty{"reason", r.Reason})
	}
	if r.Message != "" {
		suite.Properties = append(suite.Properties, junitProperty{"message", r.Message})
	}
	for _, c := range r.Cases {
		jc := junitCase{Name: c.Name, Classname: r.Job, Time: junitTime(c.DurationSeconds)}
		var details []string
		if len(c.Pods) > 0 {
			details = append(details, "pods: "+strings.Join(c.Pods, ", "))
		}
		if c.ExitCode != nil {
			details = append(details, fmt.Sprintf("exit code: %d", *c.ExitCode))
		}
		details = append(details, fmt.Sprintf("retries: %d", c.Retries))
		body := strings.Join(details, "\n")
		if len(c.Log) > 0 {
			body += fmt.Sprintf("\nlast %d lines of the log of %s:\n%s", len(c.Log), c.Container, strings.Join(c.Log, "\n"))
		} else if c.LogError != "" {
			body += "\nlog: " + c.LogError
		}
		problem := &junitProblem{Message: c.Message, Type: c.Reason, Text: body}
		switch c.Result {
		case Failed:
			jc.Failure = problem
		case Error:
			jc.Error = problem
		case Skipped:
			jc.Skipped = &junitProblem{Message: c.Message}
		default:
			jc.SystemOut = body
		}
		suite.Cases = append(suite.Cases, jc)
	}
	doc := junitSuites{Name: "kubectl job-wizard", Tests: r.Tests, Failures: r.Failures, Errors: r.Errors, Skipped: r.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// JSON renders the report as indented JSON (docs/REPORT.md).
func (r *Report) JSON() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
