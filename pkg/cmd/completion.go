package cmd

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// completionTimeout bounds the cluster requests of one completion: the
// shell waits for the answer, so an unreachable server must cost the user
// a few seconds, not a hung prompt.
const completionTimeout = 5 * time.Second

// binaryName is what the shell runs when the plugin is called directly; the
// completion scripts register themselves for it. `kubectl job-wizard` is
// completed by kubectl itself, through the kubectl_complete-job_wizard shim.
const binaryName = "kubectl-job_wizard"

// clusterNames is what flag completion reads from the cluster: the lookups
// the wizard offers its choices from, and the names --from takes.
type clusterNames interface {
	lookup.Lookup
	CronJobNames(ctx context.Context, namespace string) ([]string, error)
	JobNames(ctx context.Context, namespace string) ([]string, error)
}

// completionSource reaches the cluster and namespace the connection flags
// select; tests replace it.
var completionSource = func(conn *cluster.ConnectionFlags) (clusterNames, string, error) {
	// Server warnings would only clutter a completion.
	client, err := conn.Client(io.Discard)
	if err != nil {
		return nil, "", err
	}
	ns, _, err := conn.Namespace()
	if err != nil {
		return nil, "", err
	}
	return cluster.NewLookup(client), ns, nil
}

// connectionOf is the connection flags as cmd parsed them. Cobra parses
// the words typed so far before it asks for a completion, so -n, --context
// and --kubeconfig already select the cluster and namespace the names come
// from, on any command that has the connection flags (create, follow).
func connectionOf(cmd *cobra.Command) *cluster.ConnectionFlags {
	conn := &cluster.ConnectionFlags{}
	fs := pflag.NewFlagSet("connection", pflag.ContinueOnError)
	conn.AddTo(fs)
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if fs.Lookup(f.Name) == nil {
			return
		}
		if list, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range list.GetSlice() {
				_ = fs.Set(f.Name, v)
			}
			return
		}
		_ = fs.Set(f.Name, f.Value.String())
	})
	return conn
}

// addCompletion gives root the completion command and the completion of
// its arguments and flag values.
func addCompletion(root *cobra.Command, o *CreateOptions) {
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newCompletionCommand(o.Streams))
	root.ValidArgsFunction = completeNameOrCommand

	if version, _, err := root.Find([]string{"version"}); err == nil && version != root {
		_ = version.RegisterFlagCompletionFunc("output", fixed("json", "yaml"))
	}
	if follow, _, err := root.Find([]string{"follow"}); err == nil && follow != root {
		follow.ValidArgsFunction = completeJobToFollow
		registerConnectionCompletions(follow)
	}
	registerConnectionCompletions(root)

	fs := root.Flags()
	for name, fn := range map[string]cobra.CompletionFunc{
		// Names from the cluster.
		"node":                    completeNodes,
		"node-selector":           completeNodeSelector,
		"service-account":         completeServiceAccounts,
		"image-pull-secret":       completeImagePullSecrets,
		"from":                    completeFrom,
		"env-from":                completeEnvFrom,
		"env-value-from":          completeEnvValueFrom,
		"volume":                  completeVolume,
		"queue":                   completeQueues,
		"workload-priority-class": completeWorkloadPriorityClasses,
		// Fixed lists.
		"restart-policy": fixed("Never\ta failed pod is replaced by a new one", "OnFailure\ta failed container restarts in its pod"),
		"completion-mode": fixed("NonIndexed\tthe Job completes after --completions successful pods",
			"Indexed\teach pod gets an index from 0 to --completions-1"),
		"image-pull-policy": fixed("Always\tpull on every start", "IfNotPresent\tpull when the node lacks the image",
			"Never\tuse the node's image only"),
		"pod-replacement-policy": fixed("TerminatingOrFailed\treplace a pod as soon as it terminates",
			"Failed\treplace a pod only once it has fully failed"),
		"dry-run": fixed("none\tcreate the Job", "client\tprint it only; no cluster needed",
			"server\tthe server checks and admits it, and keeps nothing"),
		"output":      fixed(outputCompletions()...),
		"edit-format": fixed("yaml", "json"),
		"lang":        fixed("en\tEnglish", "zh\t中文"),
		"example":     fixed(jobspec.ExampleNames()...),
		"time-zone":   completeTimeZones,
		"concurrency-policy": fixed("Allow\truns may overlap", "Forbid\tskip a run while the last one runs",
			"Replace\tstop the last run for the new one"),
		"kind":               fixed("job\tthe CronJob's jobTemplate as a Job", "cronjob\tkeep the CronJob"),
		"pod-failure-policy": completePodFailurePolicy,
		"success-policy":     fixed("indexes=", "count="),
		"request":            completeResources,
		"limit":              completeResources,
		"filename": func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"yaml", "yml", "json"}, cobra.ShellCompDirectiveFilterFileExt
		},
	} {
		if fs.Lookup(name) != nil {
			_ = root.RegisterFlagCompletionFunc(name, fn)
		}
	}
	noFilesForFreeText(root)
}

// registerConnectionCompletions completes the connection flags that name
// something: the namespace from the cluster, the rest from the kubeconfig.
func registerConnectionCompletions(cmd *cobra.Command) {
	for name, fn := range map[string]cobra.CompletionFunc{
		"namespace": completeNamespaces,
		"context":   completeKubeconfigNames(func(k kubeconfigNames) []string { return k.contexts }),
		"cluster":   completeKubeconfigNames(func(k kubeconfigNames) []string { return k.clusters }),
		"user":      completeKubeconfigNames(func(k kubeconfigNames) []string { return k.users }),
	} {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, fn)
		}
	}
}

// noFilesForFreeText turns off file completion for the flags of root that
// have no completion of their own.
func noFilesForFreeText(root *cobra.Command) {
	fs := root.Flags()
	// The rest take free text (a name, an image, a command), where the
	// shell's default of offering local files would only mislead; flags
	// that do name local files keep it.
	localFiles := map[string]bool{"env-file": true, "kubeconfig": true, "certificate-authority": true,
		"client-certificate": true, "client-key": true}
	fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := root.GetFlagCompletionFunc(f.Name); ok || localFiles[f.Name] || f.Value.Type() == "bool" {
			return
		}
		_ = root.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
	})
}

// completeNameOrCommand leaves NAME to the user, and completes the command
// after -- as the shell would (programs and files). Only one NAME is
// allowed, so any word after it is the command. (ArgsLenAtDash cannot
// tell: cobra parses the words of a completion twice, once with a "--" of
// its own.)
func completeNameOrCommand(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// askCluster runs one lookup against the cluster. A failure (no kubeconfig,
// Forbidden, unreachable) completes nothing: the shell cannot show an
// error, so it goes to cobra's completion debug log.
func askCluster(cmd *cobra.Command, q func(ctx context.Context, l clusterNames, ns string) ([]string, error)) []string {
	l, ns, err := completionSource(connectionOf(cmd))
	if err != nil {
		cobra.CompErrorln(err.Error())
		return nil
	}
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, completionTimeout)
	defer cancel()
	out, err := q(ctx, l, ns)
	if err != nil {
		cobra.CompErrorln(err.Error())
		return nil
	}
	return out
}

// matching keeps the candidates that start with toComplete (a candidate's
// description after a tab does not count).
func matching(toComplete string, candidates []string) []string {
	var out []string
	for _, c := range candidates {
		value, _, _ := strings.Cut(c, "\t")
		if strings.HasPrefix(value, toComplete) {
			out = append(out, c)
		}
	}
	return out
}

// prefixed puts prefix before every candidate.
func prefixed(prefix string, candidates []string) []string {
	out := make([]string, len(candidates))
	for i, c := range candidates {
		out[i] = prefix + c
	}
	return out
}

// partial is the directive for candidates that are the start of a value,
// such as "configmap:", after which the user goes on typing.
const partial = cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace

// fixed completes a flag from a list of values, each optionally followed
// by a tab and its description.
func fixed(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		out := matching(toComplete, values)
		return out, directiveFor(out)
	}
}

// directiveFor adds NoSpace when every candidate is the start of a value
// (jsonpath=, indexes=), where a space after it would end the value.
func directiveFor(candidates []string) cobra.ShellCompDirective {
	if len(candidates) == 0 {
		return cobra.ShellCompDirectiveNoFileComp
	}
	for _, c := range candidates {
		value, _, _ := strings.Cut(c, "\t")
		if !strings.HasSuffix(value, "=") && !strings.HasSuffix(value, ":") && !strings.HasSuffix(value, "/") {
			return cobra.ShellCompDirectiveNoFileComp
		}
	}
	return partial
}

// outputCompletions are the -o values, the template forms up to their '='.
func outputCompletions() []string {
	out := make([]string, 0, len(outputFormats))
	for _, f := range outputFormats {
		if name, _, ok := strings.Cut(f, "="); ok {
			f = name + "="
		}
		out = append(out, f)
	}
	return out
}

func completeNamespaces(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askCluster(cmd, func(ctx context.Context, l clusterNames, _ string) ([]string, error) {
		return l.Namespaces(ctx)
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}

func completeServiceAccounts(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
		return l.ServiceAccounts(ctx, ns)
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}

func completeImagePullSecrets(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
		return l.ImagePullSecrets(ctx, ns)
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}

func completeNodes(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := askCluster(cmd, func(ctx context.Context, l clusterNames, _ string) ([]string, error) {
		nodes, err := l.Nodes(ctx)
		out := make([]string, 0, len(nodes))
		for _, n := range nodes {
			out = append(out, n.Name+"\t"+map[bool]string{true: "Ready", false: "NotReady"}[n.Ready])
		}
		return out, err
	})
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}

// completeNodeSelector completes KEY=VALUE from the labels of the nodes: first the
// keys, then the values of the key typed, each with the number of nodes it
// selects.
func completeNodeSelector(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	key, _, hasValue := strings.Cut(toComplete, "=")
	candidates := askCluster(cmd, func(ctx context.Context, l clusterNames, _ string) ([]string, error) {
		nodes, err := l.Nodes(ctx)
		if err != nil {
			return nil, err
		}
		count := map[string]int{}
		for _, n := range nodes {
			for k, v := range n.Labels {
				if !hasValue {
					count[k+"="]++
				} else if k == key {
					count[k+"="+v]++
				}
			}
		}
		out := make([]string, 0, len(count))
		for pair, n := range count {
			out = append(out, pair+"\t"+plural(n, "node"))
		}
		slices.Sort(out)
		return out, nil
	})
	out := matching(toComplete, candidates)
	if !hasValue {
		return out, partial
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// completeFrom completes cronjob/NAME and job/NAME; the kind as typed (cj/,
// jobs/, ...) is kept.
func completeFrom(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	kind, name, ok := strings.Cut(toComplete, "/")
	if !ok {
		return matching(toComplete, []string{"cronjob/", "job/"}), partial
	}
	var list func(context.Context, clusterNames, string) ([]string, error)
	switch strings.ToLower(kind) {
	case "cronjob", "cronjobs", "cj", "cronjobs.batch":
		list = func(ctx context.Context, l clusterNames, ns string) ([]string, error) { return l.CronJobNames(ctx, ns) }
	case "job", "jobs", "jobs.batch":
		list = func(ctx context.Context, l clusterNames, ns string) ([]string, error) { return l.JobNames(ctx, ns) }
	default:
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names := matching(name, askCluster(cmd, list))
	return prefixed(kind+"/", names), cobra.ShellCompDirectiveNoFileComp
}

// completeJobToFollow completes the NAME of follow, the Jobs of the
// namespace, as NAME or job/NAME as typed.
func completeJobToFollow(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	prefix := ""
	if kind, name, ok := strings.Cut(toComplete, "/"); ok {
		prefix, toComplete = kind+"/", name
	}
	names := askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) { return l.JobNames(ctx, ns) })
	return prefixed(prefix, matching(toComplete, names)), cobra.ShellCompDirectiveNoFileComp
}

// keyedNames lists ConfigMaps or Secrets of the namespace, with the number
// of their keys (and a Secret's type) as the description.
func keyedNames(cmd *cobra.Command, kind string) []string {
	return askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
		var objs []lookup.KeyedObject
		var err error
		if kind == "secret" {
			objs, err = l.Secrets(ctx, ns)
		} else {
			objs, err = l.ConfigMaps(ctx, ns)
		}
		out := make([]string, 0, len(objs))
		for _, o := range objs {
			desc := plural(len(o.Keys), "key")
			if o.Type != "" {
				desc += ", " + o.Type
			}
			out = append(out, o.Name+"\t"+desc)
		}
		return out, err
	})
}

// keysOf lists the key names of one ConfigMap or Secret.
func keysOf(cmd *cobra.Command, kind, name string) []string {
	return askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
		var objs []lookup.KeyedObject
		var err error
		if kind == "secret" {
			objs, err = l.Secrets(ctx, ns)
		} else {
			objs, err = l.ConfigMaps(ctx, ns)
		}
		for _, o := range objs {
			if o.Name == name {
				return o.Keys, err
			}
		}
		return nil, err
	})
}

// completeEnvFrom completes configmap:NAME and secret:NAME.
func completeEnvFrom(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	kind, rest, ok := strings.Cut(toComplete, ":")
	if !ok {
		return matching(toComplete, []string{"configmap:", "secret:"}), partial
	}
	if (kind != "configmap" && kind != "secret") || strings.Contains(rest, ":") {
		// After the name comes an optional PREFIX, which is the user's.
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return prefixed(kind+":", matching(rest, keyedNames(cmd, kind))), cobra.ShellCompDirectiveNoFileComp
}

// completeEnvValueFrom completes NAME=configmap:CM:KEY, NAME=secret:S:KEY,
// NAME=field:PATH and NAME=resource:NAME.
func completeEnvValueFrom(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	name, source, ok := strings.Cut(toComplete, "=")
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	prefix := name + "="
	kind, rest, ok := strings.Cut(source, ":")
	if !ok {
		return prefixed(prefix, matching(source, []string{"configmap:", "secret:", "field:", "resource:"})), partial
	}
	prefix += kind + ":"
	switch kind {
	case "field":
		return prefixed(prefix, matching(rest, []string{"metadata.name", "metadata.namespace", "metadata.uid",
			"metadata.labels['", "metadata.annotations['", "spec.nodeName", "spec.serviceAccountName",
			"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"})), cobra.ShellCompDirectiveNoFileComp
	case "resource":
		return prefixed(prefix, matching(rest, []string{"limits.cpu", "limits.memory", "limits.ephemeral-storage",
			"requests.cpu", "requests.memory", "requests.ephemeral-storage"})), cobra.ShellCompDirectiveNoFileComp
	case "configmap", "secret":
		object, key, hasKey := strings.Cut(rest, ":")
		if !hasKey {
			names := matching(object, keyedNames(cmd, kind))
			for i, n := range names {
				value, desc, _ := strings.Cut(n, "\t")
				names[i] = value + ":\t" + desc
			}
			return prefixed(prefix, names), partial
		}
		return prefixed(prefix+object+":", matching(key, keysOf(cmd, kind, object))), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeVolume completes the source of NAME=SOURCE: the kinds, then the claims,
// ConfigMaps and Secrets of the namespace.
func completeVolume(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	name, source, ok := strings.Cut(toComplete, "=")
	if !ok {
		// The volume's name is the user's to choose.
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	prefix := name + "="
	kind, rest, ok := strings.Cut(source, ":")
	if !ok {
		kinds := []string{"pvc:\tan existing PersistentVolumeClaim", "emptydir\ta temporary directory",
			"emptydir:\twith medium=Memory or size=1Gi", "configmap:\tthe keys of a ConfigMap as files",
			"secret:\tthe keys of a Secret as files", "hostpath:\ta directory of the node"}
		return prefixed(prefix, matching(source, kinds)), partial
	}
	if strings.Contains(rest, ":") {
		// Items (KEY=PATH,...) or emptyDir options follow; they are the user's.
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	prefix += kind + ":"
	var names []string
	switch kind {
	case "pvc":
		names = askCluster(cmd, func(ctx context.Context, l clusterNames, ns string) ([]string, error) {
			pvcs, err := l.PVCs(ctx, ns)
			out := make([]string, 0, len(pvcs))
			for _, p := range pvcs {
				desc := strings.TrimSpace(strings.Join([]string{p.Phase, p.Capacity, strings.Join(p.AccessModes, ",")}, " "))
				out = append(out, p.Name+"\t"+desc)
			}
			return out, err
		})
	case "configmap", "secret":
		names = keyedNames(cmd, kind)
	default:
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return prefixed(prefix, matching(rest, names)), cobra.ShellCompDirectiveNoFileComp
}

// kubeconfigNames are the entries of the kubeconfig the flags select.
type kubeconfigNames struct{ contexts, clusters, users []string }

// completeKubeconfigNames completes a flag from the kubeconfig, which needs no
// server.
func completeKubeconfigNames(pick func(kubeconfigNames) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		raw, err := connectionOf(cmd).ClientConfig().RawConfig()
		if err != nil {
			cobra.CompErrorln(err.Error())
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var k kubeconfigNames
		for name := range raw.Contexts {
			k.contexts = append(k.contexts, name)
		}
		for name := range raw.Clusters {
			k.clusters = append(k.clusters, name)
		}
		for name := range raw.AuthInfos {
			k.users = append(k.users, name)
		}
		names := pick(k)
		slices.Sort(names)
		return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
	}
}

// completePodFailurePolicy completes ACTION: and then the rule forms.
func completePodFailurePolicy(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	action, _, ok := strings.Cut(toComplete, ":")
	if !ok {
		return matching(toComplete, []string{"FailJob:", "FailIndex:", "Ignore:", "Count:"}), partial
	}
	out := matching(toComplete, prefixed(action+":", []string{"exit-codes=", "exit-codes!=", "condition=DisruptionTarget"}))
	return out, directiveFor(out)
}

// completeResources completes the resource names of cpu=100m,memory=128Mi,
// after the last comma, leaving out those already given.
func completeResources(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done := ""
	current := toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, current = toComplete[:i+1], toComplete[i+1:]
	}
	if strings.Contains(current, "=") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, r := range []string{"cpu=", "memory=", "ephemeral-storage=", "nvidia.com/gpu="} {
		if !strings.Contains(","+done, ","+r) {
			names = append(names, r)
		}
	}
	return prefixed(done, matching(current, names)), partial
}

// newCompletionCommand is `completion SHELL`: cobra's scripts, written for
// the plugin's own binary name.
func newCompletionCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var noDescriptions bool
	shells := []string{"bash", "zsh", "fish", "powershell"}
	c := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script",
		Long: `Print the completion script of a shell.

Through kubectl (1.26 and later), "kubectl job-wizard <TAB>" is completed by kubectl's own
completion, which runs kubectl_complete-job_wizard from PATH: put the shim of the release
archive (or of krew's store directory) next to the plugin, and enable kubectl completion.

Called directly as kubectl-job_wizard, the plugin is completed by the script this command
prints. Flag values are completed from the cluster where they name its objects (namespaces,
nodes and node labels, service accounts, pull secrets, CronJobs and Jobs for --from,
ConfigMaps, Secrets and claims for --env-from and --volume, Kueue's LocalQueues and
WorkloadPriorityClasses for --queue and --workload-priority-class where the cluster serves Kueue)
and from fixed lists otherwise.`,
		Example: `  # kubectl job-wizard <TAB> (kubectl 1.26 or later), with the shim from the release archive
  install -m 0755 kubectl_complete-job_wizard ~/.local/bin/
  source <(kubectl completion bash)

  # kubectl-job_wizard <TAB> in bash, now and in every new shell
  source <(kubectl-job_wizard completion bash)
  kubectl-job_wizard completion bash > ~/.local/share/bash-completion/completions/kubectl-job_wizard

  # zsh
  kubectl-job_wizard completion zsh > "${fpath[1]}/_kubectl-job_wizard"

  # fish
  kubectl-job_wizard completion fish > ~/.config/fish/completions/kubectl-job_wizard.fish

  # PowerShell
  kubectl-job_wizard completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             shells,
		DisableFlagsInUseLine: true,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(shells, args[0]) {
				return inputErrorf("completion needs one shell: bash, zsh, fish or powershell, e.g. kubectl job-wizard completion bash")
			}
			// The scripts only use the root's name: they call the binary
			// back with __complete, which answers from the real commands.
			script := &cobra.Command{Use: binaryName}
			out := streams.Out
			switch args[0] {
			case "bash":
				return script.GenBashCompletionV2(out, !noDescriptions)
			case "zsh":
				if noDescriptions {
					return script.GenZshCompletionNoDesc(out)
				}
				return script.GenZshCompletion(out)
			case "fish":
				return script.GenFishCompletion(out, !noDescriptions)
			default:
				if noDescriptions {
					return script.GenPowerShellCompletion(out)
				}
				return script.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
	c.Flags().BoolVar(&noDescriptions, "no-descriptions", false, "Leave the descriptions of the choices out of the script")
	return c
}

// Compile-time check that the cluster's lookups serve completion.
var _ clusterNames = (*cluster.Lookups)(nil)

// commonTimeZones complete --time-zone where the machine has no tz
// database of its own to list (the binary carries one, which has no index).
var commonTimeZones = []string{"UTC", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Seoul",
	"Asia/Singapore", "Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid",
	"Europe/Moscow", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Sao_Paulo", "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg"}

// completeTimeZones completes --time-zone with the IANA names of the
// machine's tz database (ZONEINFO or /usr/share/zoneinfo), else common ones;
// each is one time.LoadLocation takes, as --time-zone is checked.
func completeTimeZones(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	root := os.Getenv("ZONEINFO")
	if st, err := os.Stat(root); root == "" || err != nil || !st.IsDir() {
		root = "/usr/share/zoneinfo"
	}
	var names []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name, _ := filepath.Rel(root, path)
		name = filepath.ToSlash(name)
		first := strings.SplitN(name, "/", 2)[0]
		// Only the IANA names: not posix/, right/ copies nor the tables.
		if first == "posix" || first == "right" || strings.Contains(name, ".") || first[0] < 'A' || first[0] > 'Z' {
			return nil
		}
		if _, err := jobspec.ParseTimeZone(name); err == nil {
			names = append(names, name)
		}
		return nil
	})
	if len(names) == 0 {
		names = commonTimeZones
	}
	sort.Strings(names)
	return matching(toComplete, names), cobra.ShellCompDirectiveNoFileComp
}
