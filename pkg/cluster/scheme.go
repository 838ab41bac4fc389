package cluster

import (
	"net/http"
	"net/url"
	"sync"

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

// scheme knows only the API groups the plugin talks to. client-go's
// kubernetes/scheme registers every group in an init that costs each run
// 7 ms and about 10 MiB before any flag is read; this one is built on the
// first request (about 1 ms and 400 KB), so a client dry run, which sends
// none, never pays for it.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	// meta.k8s.io's Table and PartialObjectMetadataList are the cheap list
	// forms the lookups ask for; authentication.k8s.io only answers "who am
	// I" when the preflight is denied.
	adders := []func(*runtime.Scheme) error{corev1.AddToScheme, batchv1.AddToScheme,
		authorizationv1.AddToScheme, authenticationv1.AddToScheme, metav1.AddMetaToScheme}
	for _, add := range adders {
		if err := add(s); err != nil {
			panic(err) // a programming error: the groups above always register
		}
	}
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	// scheduling.k8s.io is only listed as a Table (the wizard's priority
	// classes): its list options are all it needs, none of its types.
	metav1.AddToGroupVersion(s, schedulingGV)
	return s
})

// codecs are scheme's serializers, made with it on first use.
var codecs = sync.OnceValue(func() serializer.CodecFactory { return serializer.NewCodecFactory(scheme()) })

// ParameterCodec encodes options such as metav1.CreateOptions into query
// parameters, with scheme (built on the first call, see scheme).
var ParameterCodec runtime.ParameterCodec = lazyParameterCodec{}

type lazyParameterCodec struct{}

var parameterCodec = sync.OnceValue(func() runtime.ParameterCodec { return runtime.NewParameterCodec(scheme()) })

func (lazyParameterCodec) DecodeParameters(parameters url.Values, from schema.GroupVersion, into runtime.Object) error {
	return parameterCodec().DecodeParameters(parameters, from, into)
}

func (lazyParameterCodec) EncodeParameters(obj runtime.Object, to schema.GroupVersion) (url.Values, error) {
	return parameterCodec().EncodeParameters(obj, to)
}

// restClientFor returns a REST client of one group version over cfg,
// encoding with scheme. It makes no request.
func restClientFor(cfg *rest.Config, gv schema.GroupVersion, httpClient *http.Client) (*rest.RESTClient, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &gv
	if gv.Group == "" {
		c.APIPath = "/api"
	} else {
		c.APIPath = "/apis"
	}
	c.NegotiatedSerializer = codecs().WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	return rest.RESTClientForConfigAndClient(c, httpClient)
}
