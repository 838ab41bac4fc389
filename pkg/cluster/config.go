// Package cluster is everything that talks to the API server: the
// connection flags, creating and replacing Jobs, --from, preflight, quota and
// the lookups that fill the wizard's choices.
package cluster

import (
	"io"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ConnectionFlags are kubectl's connection flags (--kubeconfig, --context,
// -n, --as, --token, ...), with kubectl's names and kubeconfig handling.
//
// They come from client-go's clientcmd, which cli-runtime's ConfigFlags is
// built on, rather than from genericclioptions itself: that package pulls in
// kustomize and the resource builder, which raise the plugin's peak memory
// from 19 MiB to 46 MiB for every run, a dry run included, and cost the
// 30 MiB budget. The flag names and the loading rules are the same.
type ConnectionFlags struct {
	Kubeconfig string
	// CacheDir is kubectl's --cache-dir, where kubectl keeps what
	// discovery tells it. The plugin asks one discovery request only for --queue (its clients know
	// their few resources), so it takes the flag as kubectl does and
	// writes nothing there.
	CacheDir  string
	Overrides clientcmd.ConfigOverrides

	loader clientcmd.ClientConfig
}

// AddTo registers the flags.
func (c *ConnectionFlags) AddTo(fs *pflag.FlagSet) {
	fs.StringVar(&c.Kubeconfig, "kubeconfig", "", "Path to the kubeconfig file to use for CLI requests.")
	fs.StringVar(&c.CacheDir, "cache-dir", "", "Default cache directory (kubectl's flag; the plugin's one discovery request, whether Kueue is served, is made only for --queue and kept for the process; nothing is written there)")
	names := clientcmd.RecommendedConfigOverrideFlags("")
	names.ClusterOverrideFlags.APIServer.ShortName = "s"
	clientcmd.BindOverrideFlags(&c.Overrides, fs, names)
}

// ClientConfig is the kubeconfig as the flags select it, read lazily: a
// client dry run never calls it, so it needs no kubeconfig and no HOME.
func (c *ConnectionFlags) ClientConfig() clientcmd.ClientConfig {
	if c.loader == nil {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = c.Kubeconfig
		// Non-interactive, as kubectl's ConfigFlags: exec credential plugins
		// still run, but nothing prompts for a password on stdin.
		c.loader = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &c.Overrides)
	}
	return c.loader
}

// RESTConfig is the client configuration, with the plugin's user agent so
// the API server's audit log can tell its requests apart.
func (c *ConnectionFlags) RESTConfig() (*rest.Config, error) {
	cfg, err := c.ClientConfig().ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = UserAgent()
	// A CLI makes few requests; client-go's default QPS of 5 would only
	// slow down a burst of lookups in the wizard.
	cfg.QPS, cfg.Burst = 50, 100
	return cfg, nil
}

// Client connects to the cluster the flags select, without a request.
// Warnings the server sends (deprecated fields, policy warnings) go to
// warnings as "Warning: ..." lines, as kubectl prints them, rather than
// through klog.
func (c *ConnectionFlags) Client(warnings io.Writer) (*Client, error) {
	cfg, err := c.RESTConfig()
	if err != nil {
		return nil, err
	}
	if warnings != nil {
		cfg.WarningHandler = rest.NewWarningWriter(warnings, rest.WarningWriterOptions{Deduplicate: true})
	}
	client, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	client.Endpoint = c.endpoint(cfg)
	return client, nil
}

// endpoint names the context and user the flags select, for messages.
func (c *ConnectionFlags) endpoint(cfg *rest.Config) Endpoint {
	ep := Endpoint{Server: cfg.Host, Context: c.Overrides.CurrentContext, User: c.Overrides.Context.AuthInfo}
	raw, err := c.ClientConfig().RawConfig()
	if err != nil {
		return ep
	}
	if ep.Context == "" {
		ep.Context = raw.CurrentContext
	}
	if ep.User == "" {
		if ctx, ok := raw.Contexts[ep.Context]; ok {
			ep.User = ctx.AuthInfo
		}
	}
	return ep
}

// Namespace is the namespace of the request: -n, else the kubeconfig
// context's, else "default". explicit tells whether -n was given.
func (c *ConnectionFlags) Namespace() (ns string, explicit bool, err error) {
	if c.Overrides.Context.Namespace != "" {
		return c.Overrides.Context.Namespace, true, nil
	}
	return c.ClientConfig().Namespace()
}

// userAgentVersion is set by the command package from the build's version.
var userAgentVersion = "dev"

// SetVersion records the build version for the user agent.
func SetVersion(v string) { userAgentVersion = v }

// UserAgent is "kubectl-job-wizard/VERSION", which audit logs show.
func UserAgent() string { return "kubectl-job-wizard/" + userAgentVersion }
