package cluster

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// Subject is what a request was about, for the message that explains its
// failure.
type Subject struct {
	Verb      string // create, delete, get
	Resource  string // job.batch, cronjob.batch
	Name      string // the object's name; a generated name is "PREFIX*"
	Namespace string
}

func (s Subject) object() string {
	if s.Name == "" {
		return s.Resource
	}
	return fmt.Sprintf("%s %s", s.Resource, termtext.Quote(s.Name))
}

// Error is a failed request explained: Message says what happened and what
// to do, in words a person can act on; Err is the error as client-go gave
// it, still reachable with errors.As (apierrors.IsForbidden, ...).
type Error struct {
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Explain turns the error of a request about s into an *Error that says
// what the server (or the network) answered and how to proceed: refused
// permissions name the user, verb, resource and namespace; AlreadyExists
// points at --replace and --generate-name; Invalid lists each field on its
// own line with the flag that sets it; quota, admission webhook and
// ValidatingAdmissionPolicy denials name the quota or policy; an
// unreachable server and refused credentials name the server and the
// kubeconfig context. Errors that are not the cluster's (a cancelled
// context) come back unchanged.
func Explain(err error, ep Endpoint, s Subject) error {
	if err == nil {
		return nil
	}
	// A lost answer or a half-done replace is said as such first, whatever
	// its cause (an interrupt included).
	var lost *AnswerLostError
	if errors.As(err, &lost) {
		return &Error{Message: lost.explain(ep, s), Err: err}
	}
	var incomplete *ReplaceIncompleteError
	if errors.As(err, &incomplete) {
		return &Error{Message: incomplete.explain(ep, s), Err: err}
	}
	var done *Error
	if errors.As(err, &done) || errors.Is(err, context.Canceled) {
		return err
	}
	var op *opError
	if errors.As(err, &op) {
		s.Verb = op.verb
		err = op.err
	}
	msg := explain(err, ep, s)
	if msg == "" {
		return err
	}
	return &Error{Message: msg, Err: err}
}

var (
	reWebhookDenied  = lazy.Regexp(`admission webhook "([^"]+)" denied the request:?\s*(.*)`)
	reWebhookFailed  = lazy.Regexp(`failed calling webhook "([^"]+)":?\s*(.*)`)
	rePolicyDenied   = lazy.Regexp(`ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request:?\s*(.*)`)
	reQuotaExceeded  = lazy.Regexp(`exceeded quota: ([^,]+), requested: (.*), used: (.*), limited: (.*)`)
	reQuotaFailed    = lazy.Regexp(`failed quota: ([^:]+): (.*)`)
	reForbiddenUser  = lazy.Regexp(`User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?`)
	reForbiddenPrefx = lazy.Regexp(`^\S+ "[^"]*" is forbidden: |^\S+ is forbidden: `)
)

func explain(err error, ep Endpoint, s Subject) string {
	if clientcmd.IsEmptyConfig(err) {
		const none = "no cluster is configured: there is no kubeconfig (~/.kube/config or $KUBECONFIG) and no --server; "
		if s.Verb == "read" {
			// --from reads its source even for a client dry run, so
			// --dry-run=client is no way out here.
			return none + fmt.Sprintf("--from reads %s from a cluster, even with --dry-run=client; give --kubeconfig or --context, "+
				"or start from a manifest with -f (e.g. kubectl get %s -o yaml > job.yaml on a machine that has the cluster)", s.object(), s.Resource+"/"+s.Name)
		}
		return none + "give --kubeconfig or --context, or use --dry-run=client to print the Job without a cluster"
	}
	status, ok := err.(apierrors.APIStatus)
	if !ok {
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			status, ok = se, true
		}
	}
	if !ok {
		return explainTransport(err, ep)
	}
	st := status.Status()
	msg := st.Message

	// Admission answers first: a webhook or policy can deny with any code.
	if m := reWebhookDenied().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("admission webhook %s refused to %s %s: %s", termtext.Quote(m[1]), s.Verb, s.object(), orUnknown(m[2]))
	}
	if m := rePolicyDenied().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("ValidatingAdmissionPolicy %s (binding %s) refused to %s %s: %s", termtext.Quote(m[1]), termtext.Quote(m[2]), s.Verb, s.object(), orUnknown(m[3]))
	}
	if m := reWebhookFailed().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("the cluster's admission webhook %s could not be called, so the server refused to %s %s: %s; "+
			"this is the cluster's problem, not the Job's: tell its administrator", termtext.Quote(m[1]), s.Verb, s.object(), m[2])
	}
	if m := reQuotaExceeded().FindStringSubmatch(msg); m != nil {
		return explainQuota(m[1], m[2], m[3], m[4], s)
	}
	if m := reQuotaFailed().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("ResourceQuota %s of namespace %s refused to %s %s: %s", termtext.Quote(m[1]), termtext.Quote(s.Namespace), s.Verb, s.object(), m[2])
	}

	switch st.Reason {
	case metav1.StatusReasonForbidden:
		return explainForbidden(msg, ep, s)
	case metav1.StatusReasonAlreadyExists:
		prefix := s.Name
		if prefix == "" {
			prefix = "NAME"
		}
		return fmt.Sprintf("a Job named %s already exists in namespace %s; add --replace to delete it (and its pods) and create this one, "+
			"or use --generate-name=%s- to get a new name on each run", termtext.Quote(s.Name), termtext.Quote(s.Namespace), strings.TrimSuffix(prefix, "-"))
	case metav1.StatusReasonInvalid:
		return explainInvalid(st, s)
	case metav1.StatusReasonNotFound:
		if st.Details != nil && st.Details.Kind == "namespaces" {
			return fmt.Sprintf("namespace %s does not exist; give an existing one with -n", termtext.Quote(st.Details.Name))
		}
		return fmt.Sprintf("%s not found in namespace %s", s.object(), termtext.Quote(s.Namespace))
	case metav1.StatusReasonUnauthorized:
		return explainUnauthorized(ep)
	case metav1.StatusReasonConflict:
		return fmt.Sprintf("%s changed on the server while this run worked on it; run the command again", s.object())
	case metav1.StatusReasonTimeout, metav1.StatusReasonServerTimeout, metav1.StatusReasonTooManyRequests,
		metav1.StatusReasonServiceUnavailable, metav1.StatusReasonInternalError:
		return fmt.Sprintf("the API server at %s could not %s %s just now (%s): %s; try again later",
			ep.Server, s.Verb, s.object(), st.Reason, orUnknown(msg))
	case metav1.StatusReasonRequestEntityTooLarge:
		return fmt.Sprintf("the API server refused to %s %s: it is too large (%s)", s.Verb, s.object(), msg)
	}
	if st.Code == http.StatusUnauthorized {
		return explainUnauthorized(ep)
	}
	reason := string(st.Reason)
	if reason == "" {
		reason = fmt.Sprintf("HTTP %d", st.Code)
	}
	return fmt.Sprintf("the API server refused to %s %s (%s): %s", s.Verb, s.object(), reason, orUnknown(msg))
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "no reason given"
	}
	return s
}

func explainForbidden(msg string, ep Endpoint, s Subject) string {
	if m := reForbiddenUser().FindStringSubmatch(msg); m != nil {
		resource := m[3]
		if m[4] != "" {
			resource += "." + m[4]
		}
		where := "at cluster scope"
		if m[5] != "" {
			where = fmt.Sprintf("in namespace %s", termtext.Quote(m[5]))
		}
		text := fmt.Sprintf("user %s may not %s %s %s", termtext.Quote(m[1]), m[2], resource, where)
		if ep.Context != "" {
			text += fmt.Sprintf(" (kubeconfig context %s)", termtext.Quote(ep.Context))
		}
		hint := "ask a cluster administrator for a Role that allows it"
		if m[2] == "create" && strings.HasPrefix(resource, "jobs") {
			hint += ", or print the Job with --dry-run=client -o yaml for someone who may"
		}
		return text + "; " + hint
	}
	return fmt.Sprintf("the API server forbids to %s %s: %s", s.Verb, s.object(), reForbiddenPrefx().ReplaceAllString(msg, ""))
}

// explainQuota rewrites "requested: count/jobs.batch=1, used: ...=1,
// limited: ...=1" as one line per resource.
func explainQuota(quota, requested, used, limited string, s Subject) string {
	parse := func(list string) (map[string]string, []string) {
		m := map[string]string{}
		var order []string
		for _, kv := range strings.Split(list, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if k != "" {
				m[k] = v
				order = append(order, k)
			}
		}
		return m, order
	}
	req, order := parse(requested)
	usedM, _ := parse(used)
	lim, _ := parse(limited)
	var b strings.Builder
	fmt.Fprintf(&b, "ResourceQuota %s of namespace %s has no room to %s %s:", termtext.Quote(quota), termtext.Quote(s.Namespace), s.Verb, s.object())
	for _, k := range order {
		fmt.Fprintf(&b, "\n%s: %s of %s used, this asks %s", k, orUnknown(usedM[k]), orUnknown(lim[k]), req[k])
	}
	if _, ok := req["count/jobs.batch"]; ok {
		b.WriteString("\ndelete finished Jobs (or set --ttl-after-finished so they go by themselves), or ask for a larger quota")
	} else {
		b.WriteString("\nask for less, wait for other work to end, or ask for a larger quota")
	}
	return b.String()
}

// explainInvalid puts each field the server refused on its own line,
// with the flag that sets it when there is one.
func explainInvalid(st metav1.Status, s Subject) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the API server refused %s as invalid:", s.object())
	var causes []metav1.StatusCause
	if st.Details != nil {
		causes = st.Details.Causes
	}
	if len(causes) == 0 {
		b.WriteString("\n" + st.Message)
		return b.String()
	}
	for _, c := range causes {
		b.WriteString("\n")
		flag := FlagForField(c.Field)
		if aboutSelector(c) {
			// The selector and the labels the server makes for it are
			// no flag's: --label never sets them.
			flag = ""
		}
		switch {
		case flag != "" && c.Field != "":
			fmt.Fprintf(&b, "%s (%s): ", flag, c.Field)
		case c.Field != "":
			b.WriteString(c.Field + ": ")
		}
		b.WriteString(c.Message)
	}
	return b.String()
}

// aboutSelector tells a refusal of the Job's selector, or of the labels
// the server writes for it (controller-uid, job-name), from one of the
// user's labels.
func aboutSelector(c metav1.StatusCause) bool {
	if strings.Contains(c.Message, "selector") || strings.HasPrefix(c.Field, "spec.selector") {
		return true
	}
	for _, k := range []string{"controller-uid]", "job-name]"} {
		if strings.HasSuffix(c.Field, k) {
			return true
		}
	}
	return false
}

func explainUnauthorized(ep Endpoint) string {
	who := "your credentials"
	if ep.User != "" {
		who = fmt.Sprintf("the credentials of user %s", termtext.Quote(ep.User))
	}
	where := ep.Server
	if ep.Context != "" {
		where += fmt.Sprintf(" (kubeconfig context %s)", termtext.Quote(ep.Context))
	}
	return fmt.Sprintf("the API server at %s did not accept %s: they are missing, wrong or expired (401 Unauthorized); "+
		"log in again or renew the token, then retry", where, who)
}

// explainTransport explains failures below HTTP: no route to the server,
// a certificate it does not trust, a credential plugin that failed.
func explainTransport(err error, ep Endpoint) string {
	where := ep.Server
	if where == "" {
		where = "(no server address)"
	}
	ctx := ""
	if ep.Context != "" {
		ctx = fmt.Sprintf(" (kubeconfig context %s)", termtext.Quote(ep.Context))
	}
	msg := err.Error()
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid):
		return fmt.Sprintf("the API server at %s%s presented a certificate this kubeconfig does not trust: %s; "+
			"check the cluster's certificate-authority-data, or that --server/--context name the right cluster", where, ctx, innermost(err))
	case strings.Contains(msg, "getting credentials:"):
		who := "the kubeconfig user"
		if ep.User != "" {
			who = fmt.Sprintf("the kubeconfig user %s", termtext.Quote(ep.User))
		}
		return fmt.Sprintf("the credential plugin of %s%s failed: %s; log in again with your provider's tool, then retry", who, ctx, innermost(err))
	case isNetworkError(err):
		return fmt.Sprintf("cannot reach the API server at %s%s: %s; check that the cluster is running and that --kubeconfig and --context select it",
			where, ctx, innermost(err))
	}
	return ""
}

func isNetworkError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// innermost is the last, most specific part of a wrapped message:
// "dial tcp 127.0.0.1:1: connect: connection refused" rather than the
// whole `Post "https://…/apis/batch/v1/…": ` chain.
func innermost(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error()
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

// fieldFlags maps the field paths of the server's validation to the flags
// that set them, a path and everything under it. Only the first container
// is the flags'; others came from -f or the wizard, and their paths stand
// alone. The first match wins, so deeper paths come first.
var fieldFlags = []struct{ path, flag string }{
	{"metadata.name", "NAME"},
	{"metadata.generateName", "--generate-name"},
	{"metadata.namespace", "-n"},
	{"metadata.labels", "--label"},
	{"metadata.annotations[kubesphere.io/alias-name]", "--alias"},
	{"metadata.annotations[kubesphere.io/description]", "--description"},
	{"metadata.annotations", "--annotation"},
	{"spec.backoffLimit", "--backoff-limit"},
	{"spec.completions", "--completions"},
	{"spec.parallelism", "--parallelism"},
	{"spec.activeDeadlineSeconds", "--active-deadline"},
	{"spec.ttlSecondsAfterFinished", "--ttl-after-finished"},
	{"spec.completionMode", "--completion-mode"},
	{"spec.backoffLimitPerIndex", "--backoff-limit-per-index"},
	{"spec.maxFailedIndexes", "--max-failed-indexes"},
	{"spec.suspend", "--suspend"},
	{"spec.podReplacementPolicy", "--pod-replacement-policy"},
	{"spec.podFailurePolicy", "--pod-failure-policy"},
	{"spec.successPolicy", "--success-policy"},
	{"spec.template.metadata.labels", "--label"},
	{"spec.template.spec.restartPolicy", "--restart-policy"},
	{"spec.template.spec.containers[0].image", "--image"},
	{"spec.template.spec.containers[0].name", "--container-name"},
	{"spec.template.spec.containers[0].command", "--command"},
	{"spec.template.spec.containers[0].args", "--arg"},
	{"spec.template.spec.containers[0].ports", "--port"},
	{"spec.template.spec.containers[0].env[*].valueFrom", "--env-value-from"},
	{"spec.template.spec.containers[0].env", "--env"},
	{"spec.template.spec.containers[0].envFrom", "--env-from"},
	{"spec.template.spec.containers[0].resources.requests", "--request"},
	{"spec.template.spec.containers[0].resources.limits", "--limit"},
	{"spec.template.spec.containers[0].imagePullPolicy", "--image-pull-policy"},
	{"spec.template.spec.containers[0].volumeMounts", "--mount"},
	{"spec.template.spec.imagePullSecrets", "--image-pull-secret"},
	{"spec.template.spec.serviceAccountName", "--service-account"},
	{"spec.template.spec.volumes", "--volume"},
	{"spec.template.spec.nodeSelector", "--node-selector"},
	{"spec.template.spec.tolerations", "--toleration"},
}

// fieldFlagREs are fieldFlags as expressions: the path, where [*] is any
// index, then the end or a deeper part; compiled on first use, as only a
// refusal by the server needs them.
var fieldFlagREs = sync.OnceValue(func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(fieldFlags))
	for i, f := range fieldFlags {
		expr := strings.ReplaceAll(regexp.QuoteMeta(f.path), `\[\*\]`, `\[\d+\]`)
		res[i] = regexp.MustCompile(`^` + expr + `(?:$|[.\[])`)
	}
	return res
})

// FlagForField names the flag that sets a field path of the server's
// validation ("spec.template.spec.containers[0].image" is --image), or ""
// when no flag does.
func FlagForField(field string) string {
	for i, re := range fieldFlagREs() {
		if re.MatchString(field) {
			return fieldFlags[i].flag
		}
	}
	return ""
}
