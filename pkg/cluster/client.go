package cluster

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// Client holds REST clients of the groups the plugin uses (see Scheme for
// why not client-go's typed clientset).
type Client struct {
	Config *rest.Config
	Core   rest.Interface // core/v1
	Batch  rest.Interface // batch/v1
	Authz  rest.Interface // authorization.k8s.io/v1
}

// NewClient makes the clients of cfg without any request: no discovery, no
// version probe, so a flags-only create is one request.
func NewClient(cfg *rest.Config) (*Client, error) {
	c := &Client{Config: cfg}
	var err error
	if c.Core, err = restClientFor(cfg, corev1.SchemeGroupVersion); err != nil {
		return nil, err
	}
	if c.Batch, err = restClientFor(cfg, batchv1.SchemeGroupVersion); err != nil {
		return nil, err
	}
	if c.Authz, err = restClientFor(cfg, authorizationv1.SchemeGroupVersion); err != nil {
		return nil, err
	}
	return c, nil
}

// ParameterCodec encodes options such as metav1.CreateOptions into query
// parameters.
var ParameterCodec = runtime.NewParameterCodec(Scheme)

// CreateOptions are the knobs of one create.
type CreateOptions struct {
	DryRunServer bool
	FieldManager string
}

// Create sends the Job.
func (c *Client) Create(ctx context.Context, job *batchv1.Job, o CreateOptions) (*batchv1.Job, error) {
	opts := metav1.CreateOptions{FieldManager: o.FieldManager}
	if o.DryRunServer {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out := &batchv1.Job{}
	err := c.Batch.Post().Namespace(job.Namespace).Resource("jobs").
		VersionedParams(&opts, ParameterCodec).Body(job).Do(ctx).Into(out)
	return out, err
}
