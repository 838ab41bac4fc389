package cluster

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// CanCreateJobs asks the server, with one SelfSubjectAccessReview, whether
// the caller may create Jobs in namespace, so the wizard can say so before
// it asks anything. Only when the answer is no does a second request
// (SelfSubjectReview) learn the user name for the message.
func (c *Client) CanCreateJobs(ctx context.Context, namespace string) (lookup.Access, error) {
	review := &authorizationv1.SelfSubjectAccessReview{
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: namespace,
				Verb:      "create",
				Group:     batchv1.GroupName,
				Resource:  "jobs",
			},
		},
	}
	out := &authorizationv1.SelfSubjectAccessReview{}
	if err := c.Authz.Post().Resource("selfsubjectaccessreviews").Body(review).Do(ctx).Into(out); err != nil {
		return lookup.Access{}, err
	}
	a := lookup.Access{Allowed: out.Status.Allowed, Reason: out.Status.Reason}
	if a.Reason == "" {
		a.Reason = out.Status.EvaluationError
	}
	if !a.Allowed {
		a.User = c.WhoAmI(ctx)
	}
	return a, nil
}

// WhoAmI is the user name the server knows the caller by, or "" when the
// server cannot say (before Kubernetes 1.28, or the review is refused).
func (c *Client) WhoAmI(ctx context.Context) string {
	out := &authenticationv1.SelfSubjectReview{}
	err := c.Authn.Post().Resource("selfsubjectreviews").
		Body(&authenticationv1.SelfSubjectReview{ObjectMeta: metav1.ObjectMeta{}}).Do(ctx).Into(out)
	if err != nil {
		return ""
	}
	return out.Status.UserInfo.Username
}

// CanCreateJobs implements lookup.Lookup.
func (l *Lookups) CanCreateJobs(ctx context.Context, namespace string) (lookup.Access, error) {
	return l.c.CanCreateJobs(ctx, namespace)
}

// DeniedMessage says plainly who may not do what where, for a denied
// preflight: `user "jane" may not create jobs.batch in namespace "team-a"`.
// user falls back to the kubeconfig's user entry when the server did not
// name the caller.
func DeniedMessage(a lookup.Access, namespace string, ep Endpoint) string {
	who := "you"
	switch {
	case a.User != "":
		who = fmt.Sprintf("user %s", termtext.Quote(a.User))
	case ep.User != "":
		who = fmt.Sprintf("the kubeconfig user %s", termtext.Quote(ep.User))
	}
	msg := fmt.Sprintf("%s may not create jobs.batch in namespace %s", who, termtext.Quote(namespace))
	if a.Reason != "" {
		msg += " (" + a.Reason + ")"
	}
	return msg
}
