package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	jobsGR = schema.GroupResource{Group: "batch", Resource: "jobs"}
	testEP = Endpoint{Server: "https://10.1.2.3:6443", Context: "prod", User: "jane-oidc"}
	testS  = Subject{Verb: "create", Resource: "job.batch", Name: "pi", Namespace: "team-a"}
)

func statusErr(code int32, reason metav1.StatusReason, msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: reason, Message: msg}}
}

func TestExplain(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "https://10.1.2.3:6443/apis/batch/v1/namespaces/team-a/jobs",
		Err: &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 6443}, Err: errors.New("connect: connection refused")}}
	tests := map[string]struct {
		err  error
		want []string // each must appear, in order
		not  []string
	}{
		"forbidden names user, verb, resource and namespace": {
			err:  apierrors.NewForbidden(jobsGR, "", errors.New(`User "jane" cannot create resource "jobs" in API group "batch" in the namespace "team-a"`)),
			want: []string{`user "jane" may not create jobs.batch in namespace "team-a"`, `(kubeconfig context "prod")`, "--dry-run=client -o yaml"},
			not:  []string{"is forbidden"},
		},
		"forbidden without the RBAC wording keeps the server's reason": {
			err:  apierrors.NewForbidden(jobsGR, "pi", errors.New("unable to create new content in namespace team-a because it is being terminated")),
			want: []string{`the API server forbids to create job.batch "pi": unable to create new content in namespace team-a because it is being terminated`},
		},
		"already exists points at --replace and --generate-name": {
			err:  apierrors.NewAlreadyExists(jobsGR, "pi"),
			want: []string{`a Job named "pi" already exists in namespace "team-a"`, "--replace", "--generate-name=pi-"},
		},
		"invalid puts each cause on its own line with its flag": {
			err: apierrors.NewInvalid(schema.GroupKind{Group: "batch", Kind: "Job"}, "pi", field.ErrorList{
				field.Required(field.NewPath("spec", "template", "spec", "containers").Index(0).Child("image"), ""),
				field.Invalid(field.NewPath("spec", "parallelism"), -1, "must be greater than or equal to 0"),
				field.Invalid(field.NewPath("spec", "template", "spec", "containers").Index(1).Child("image"), "", "must not be empty"),
				field.Invalid(field.NewPath("spec", "template", "spec", "containers").Index(0).Child("resources", "requests"), "cpu=2",
					"must be less than or equal to cpu limit of 1"),
			}),
			want: []string{`the API server refused job.batch "pi" as invalid:`,
				"\n--image (spec.template.spec.containers[0].image): Required value",
				"\n--parallelism (spec.parallelism): Invalid value: -1: must be greater than or equal to 0",
				"\nspec.template.spec.containers[1].image: Invalid value",
				"\n--request (spec.template.spec.containers[0].resources.requests): Invalid value"},
		},
		"quota exceeded, one line per resource": {
			err: apierrors.NewForbidden(jobsGR, "pi", errors.New("exceeded quota: jobs-quota, requested: count/jobs.batch=1, used: count/jobs.batch=2, limited: count/jobs.batch=2")),
			want: []string{`ResourceQuota "jobs-quota" of namespace "team-a" has no room to create job.batch "pi":`,
				"\ncount/jobs.batch: 2 of 2 used, this asks 1", "--ttl-after-finished"},
			not: []string{"is forbidden"},
		},
		"quota that needs a request": {
			err:  apierrors.NewForbidden(jobsGR, "pi", errors.New("failed quota: compute: must specify requests.cpu for: main")),
			want: []string{`ResourceQuota "compute" of namespace "team-a" refused to create job.batch "pi": must specify requests.cpu for: main`},
		},
		"admission webhook denial": {
			err:  statusErr(400, metav1.StatusReasonBadRequest, `admission webhook "images.policy.example.com" denied the request: image registry evil.io is not allowed`),
			want: []string{`admission webhook "images.policy.example.com" refused to create job.batch "pi": image registry evil.io is not allowed`},
		},
		"admission webhook that cannot be called": {
			err:  apierrors.NewInternalError(errors.New(`failed calling webhook "images.policy.example.com": Post "https://images.svc:443/validate": dial tcp: connection refused`)),
			want: []string{`admission webhook "images.policy.example.com" could not be called`, "not the Job's"},
		},
		"validating admission policy denial": {
			err: apierrors.NewForbidden(jobsGR, "pi", errors.New(
				`ValidatingAdmissionPolicy 'max-parallelism' with binding 'max-parallelism-binding' denied request: parallelism must be at most 10`)),
			want: []string{`ValidatingAdmissionPolicy "max-parallelism" (binding "max-parallelism-binding") refused to create job.batch "pi": parallelism must be at most 10`},
		},
		"missing namespace": {
			err:  apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "team-b"),
			want: []string{`namespace "team-b" does not exist`, "-n"},
		},
		"expired credentials name the server, context and user": {
			err:  apierrors.NewUnauthorized("Unauthorized"),
			want: []string{"https://10.1.2.3:6443", `context "prod"`, `user "jane-oidc"`, "expired", "log in again"},
		},
		"unreachable server names address and context": {
			err:  refused,
			want: []string{`cannot reach the API server at https://10.1.2.3:6443 (kubeconfig context "prod"): dial tcp 10.1.2.3:6443: connect: connection refused`},
			not:  []string{"Post "},
		},
		"unknown host": {
			err:  &url.Error{Op: "Get", URL: "https://nowhere.invalid", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}},
			want: []string{"cannot reach the API server", "no such host"},
		},
		"no kubeconfig": {
			err:  clientcmd.ErrEmptyConfig,
			want: []string{"no cluster is configured", "--kubeconfig", "--dry-run=client"},
		},
		"exec credential plugin failed": {
			err:  &url.Error{Op: "Post", URL: "https://x", Err: fmt.Errorf("getting credentials: exec: executable kubelogin not found")},
			want: []string{`the credential plugin of the kubeconfig user "jane-oidc" (kubeconfig context "prod") failed: getting credentials: exec: executable kubelogin not found`},
		},
		"server busy": {
			err:  apierrors.NewTooManyRequests("too many requests", 1),
			want: []string{"could not create", "try again later"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Explain(tc.err, testEP, testS)
			var e *Error
			if !errors.As(got, &e) {
				t.Fatalf("Explain(%v) = %T %q, want an *Error", tc.err, got, got)
			}
			if !errors.Is(got, tc.err) && !errors.Is(e.Err, tc.err) {
				t.Errorf("the explained error does not wrap the original")
			}
			msg := got.Error()
			rest := msg
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("message lacks %q (in order):\n%s", w, msg)
					continue
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(msg, n) {
					t.Errorf("message has %q:\n%s", n, msg)
				}
			}
		})
	}
}

func TestExplainKeepsStatusChecks(t *testing.T) {
	err := Explain(apierrors.NewAlreadyExists(jobsGR, "pi"), testEP, testS)
	if !apierrors.IsAlreadyExists(err) {
		t.Errorf("apierrors.IsAlreadyExists(%v) = false after Explain", err)
	}
	if again := Explain(err, testEP, testS); again != err {
		t.Errorf("explaining twice changed the message: %q", again)
	}
	if got := Explain(context.Canceled, testEP, testS); got != context.Canceled {
		t.Errorf("Explain(context.Canceled) = %v", got)
	}
	if got := Explain(nil, testEP, testS); got != nil {
		t.Errorf("Explain(nil) = %v", got)
	}
}

func TestExplainOpVerb(t *testing.T) {
	err := Explain(&opError{verb: "delete", err: apierrors.NewForbidden(jobsGR, "pi",
		errors.New(`User "ci" cannot delete resource "jobs" in API group "batch" in the namespace "team-a"`))}, testEP, testS)
	if want := `user "ci" may not delete jobs.batch in namespace "team-a"`; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want %q", err, want)
	}
}

func TestFlagForField(t *testing.T) {
	tests := map[string]string{
		"metadata.name": "NAME",
		"metadata.annotations[kubesphere.io/alias-name]":                    "--alias",
		"metadata.annotations":                                              "--annotation",
		"spec.template.metadata.labels":                                     "--label",
		"spec.ttlSecondsAfterFinished":                                      "--ttl-after-finished",
		"spec.podFailurePolicy.rules[0].onExitCodes.values":                 "--pod-failure-policy",
		"spec.template.spec.containers[0].image":                            "--image",
		"spec.template.spec.containers[0].imagePullPolicy":                  "--image-pull-policy",
		"spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef":    "--env-value-from",
		"spec.template.spec.containers[0].env[2].name":                      "--env",
		"spec.template.spec.containers[0].envFrom[0].configMapRef.name":     "--env-from",
		"spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]": "--limit",
		"spec.template.spec.containers[0].resources.requests[cpu]":          "--request",
		"spec.template.spec.containers[0].volumeMounts[0].subPath":          "--mount",
		"spec.template.spec.volumes[0].persistentVolumeClaim.claimName":     "--volume",
		"spec.template.spec.tolerations[0].effect":                          "--toleration",
		// Not the flags' container, or no flag sets it.
		"spec.template.spec.containers[1].image":                      "",
		"spec.template.spec.initContainers[0].image":                  "",
		"spec.template.spec.containers[0].environment":                "",
		"spec.template.spec.containers[0].livenessProbe.exec.command": "",
		"spec.template.spec.affinity.nodeAffinity":                    "",
	}
	for field, want := range tests {
		if got := FlagForField(field); got != want {
			t.Errorf("FlagForField(%q) = %q, want %q", field, got, want)
		}
	}
}

// The server's refusal of a copied Job's selector or controller labels is
// no --label error.
func TestSelectorRefusalIsNoLabelError(t *testing.T) {
	st := metav1.Status{Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{
		{Field: "spec.template.metadata.labels", Message: "Invalid value: {...}: `selector` does not match template `labels`"},
		{Field: "spec.template.metadata.labels[batch.kubernetes.io/job-name]", Message: "Invalid value: \"x\": must be 'x2'"},
		{Field: "spec.template.metadata.labels[team]", Message: "Invalid value: \"-\": bad"},
	}}}
	got := explainInvalid(st, Subject{Resource: "job.batch", Name: "x2"})
	if strings.Count(got, "--label") != 1 || !strings.Contains(got, "--label (spec.template.metadata.labels[team])") {
		t.Errorf("got\n%s\nwant --label only on the user's label", got)
	}
}
