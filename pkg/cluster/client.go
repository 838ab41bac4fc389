package cluster

import (
	"net/http"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// Client holds REST clients of the groups the plugin uses (see scheme for
// why not client-go's typed clientset).
type Client struct {
	Config *rest.Config
	Core   rest.Interface // core/v1
	Batch  rest.Interface // batch/v1
	Authz  rest.Interface // authorization.k8s.io/v1
	Authn  rest.Interface // authentication.k8s.io/v1

	// Endpoint names the server, context and user in messages.
	Endpoint Endpoint

	// InterruptGrace is how long a request on its way may still take after
	// an interrupt; zero means DefaultInterruptGrace. It is the client's, not
	// the package's, so that a test may shorten it for its own client while
	// another test's client still reads its own.
	InterruptGrace time.Duration

	httpClient       *http.Client
	kueue            kueueAPI // discovered on first use (see KueueVersion)
	podSecurity      podSecurityCache
	lostRecheckDelay time.Duration // zero: defaultLostRecheckDelay
}

// Endpoint is where requests go, as the kubeconfig names it, so that an
// unreachable server or refused credentials can be told apart from a
// typo in --context.
type Endpoint struct {
	Server  string // https://10.0.0.1:6443
	Context string // the kubeconfig context, empty when flags alone select the server
	User    string // the kubeconfig user entry of the context
}

// NewClient makes the clients of cfg without any request: no discovery, no
// version probe, so a flags-only create is one request.
func NewClient(cfg *rest.Config) (*Client, error) {
	// One HTTP client for every group, so the lookups of a wizard run share
	// their connections (and one TLS handshake).
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{Config: cfg, Endpoint: Endpoint{Server: cfg.Host}, httpClient: httpClient}
	for _, g := range []struct {
		dst *rest.Interface
		gv  schema.GroupVersion
	}{
		{&c.Core, corev1.SchemeGroupVersion},
		{&c.Batch, batchv1.SchemeGroupVersion},
		{&c.Authz, authorizationv1.SchemeGroupVersion},
		{&c.Authn, authenticationv1.SchemeGroupVersion},
	} {
		rc, err := restClientFor(cfg, g.gv, httpClient)
		if err != nil {
			return nil, err
		}
		*g.dst = rc
	}
	return c, nil
}
