package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// auditPolicy records every request at Metadata level. RequestReceived is
// omitted so each finished request is one ResponseComplete line (long
// running requests such as watches also log ResponseStarted).
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`

// AuditEvent is the part of an audit.k8s.io/v1 Event tests look at. It is
// decoded locally so the main module does not depend on k8s.io/apiserver.
type AuditEvent struct {
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	UserAgent  string `json:"userAgent"`
	User       struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		APIVersion  string `json:"apiVersion"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code    int    `json:"code"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp time.Time `json:"requestReceivedTimestamp"`
	StageTimestamp           time.Time `json:"stageTimestamp"`
}

// Code is the HTTP status of the response, or 0 when none was recorded.
func (e AuditEvent) Code() int {
	if e.ResponseStatus == nil {
		return 0
	}
	return e.ResponseStatus.Code
}

// Resource returns the resource of the request ("jobs"), or "" for
// non-resource URLs such as /api or /version.
func (e AuditEvent) Resource() string {
	if e.ObjectRef == nil {
		return ""
	}
	return e.ObjectRef.Resource
}

func (e AuditEvent) String() string {
	return fmt.Sprintf("%s %s %s -> %d (%s, %q)", e.User.Username, e.Verb, e.RequestURI, e.Code(), e.Stage, e.UserAgent)
}

// AuditMark is a position in the audit log, see Cluster.AuditMark.
type AuditMark int64

// AuditMark returns the current end of the audit log. Events of requests that
// finish after this call are returned by AuditEventsSince(mark, ...). A
// request that started before the mark but finished after it counts as after.
func (c *Cluster) AuditMark() (AuditMark, error) {
	fi, err := os.Stat(c.auditLogPath)
	if err != nil {
		return 0, err
	}
	return AuditMark(fi.Size()), nil
}

// AuditEvents returns the completed requests (stage ResponseComplete) of the
// whole audit log that match filter (nil matches all), oldest first.
func (c *Cluster) AuditEvents(filter func(AuditEvent) bool) ([]AuditEvent, error) {
	return c.AuditEventsSince(0, filter)
}

// AuditEventsSince is AuditEvents for the requests completed after mark.
func (c *Cluster) AuditEventsSince(mark AuditMark, filter func(AuditEvent) bool) ([]AuditEvent, error) {
	f, err := os.Open(c.auditLogPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(int64(mark), io.SeekStart); err != nil {
		return nil, err
	}
	var events []AuditEvent
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		// The API server may be writing the last line right now; a line
		// without its newline is not complete yet.
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var ev AuditEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("audit log %s: %w in %q", c.auditLogPath, err, line)
		}
		if ev.Stage != "ResponseComplete" {
			continue
		}
		if filter == nil || filter(ev) {
			events = append(events, ev)
		}
	}
	return events, nil
}

// WaitForAuditQuiet waits until no new event matching filter has been logged
// for quiet, then returns all matching events since mark. The API server logs
// a request just after it answered it, so a client that has exited may still
// have its last request unlogged for a moment.
func (c *Cluster) WaitForAuditQuiet(ctx context.Context, mark AuditMark, filter func(AuditEvent) bool, quiet time.Duration) ([]AuditEvent, error) {
	events, err := c.AuditEventsSince(mark, filter)
	if err != nil {
		return nil, err
	}
	last := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for time.Since(last) < quiet {
		select {
		case <-ctx.Done():
			return events, ctx.Err()
		case <-tick.C:
		}
		now, err := c.AuditEventsSince(mark, filter)
		if err != nil {
			return nil, err
		}
		if len(now) != len(events) {
			events, last = now, time.Now()
		}
	}
	return events, nil
}

// ByUserAgentPrefix matches requests whose user agent starts with prefix,
// e.g. "kubectl/" or "kubectl-job_wizard/".
func ByUserAgentPrefix(prefix string) func(AuditEvent) bool {
	return func(e AuditEvent) bool {
		return len(e.UserAgent) >= len(prefix) && e.UserAgent[:len(prefix)] == prefix
	}
}
