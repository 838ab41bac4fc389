package cluster

import (
	// The oidc auth provider of kubeconfigs (auth-provider: oidc), and the
	// azure and gcp stubs that tell users of those removed providers to
	// move to kubelogin or gke-gcloud-auth-plugin. Exec credential plugins
	// need no import: client-go's transport runs them itself.
	_ "k8s.io/client-go/plugin/pkg/client/auth"
)
