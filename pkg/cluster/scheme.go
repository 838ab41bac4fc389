package cluster

import (
	"net/http"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
)

// Scheme knows only the API groups the plugin talks to. client-go's
// kubernetes/scheme registers every group in an init that costs each run
// 7 ms and about 10 MiB before any flag is read; this one costs a fraction,
// which keeps a dry run within its 30 MiB and a fifth of kubectl's time.
var (
	Scheme = runtime.NewScheme()
	Codecs = serializer.NewCodecFactory(Scheme)
)

func init() {
	// meta.k8s.io's Table and PartialObjectMetadataList are the cheap list
	// forms the lookups ask for; authentication.k8s.io only answers "who am
	// I" when the preflight is denied.
	adders := []func(*runtime.Scheme) error{corev1.AddToScheme, batchv1.AddToScheme,
		authorizationv1.AddToScheme, authenticationv1.AddToScheme, metav1.AddMetaToScheme}
	for _, add := range adders {
		if err := add(Scheme); err != nil {
			panic(err) // a programming error: the groups above always register
		}
	}
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
}

// restClientFor returns a REST client of one group version over cfg,
// encoding with Scheme. It makes no request.
func restClientFor(cfg *rest.Config, gv schema.GroupVersion, httpClient *http.Client) (*rest.RESTClient, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &gv
	if gv.Group == "" {
		c.APIPath = "/api"
	} else {
		c.APIPath = "/apis"
	}
	c.NegotiatedSerializer = Codecs.WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	return rest.RESTClientForConfigAndClient(c, httpClient)
}
