package jobspec

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/spf13/pflag"
)

// Flags holds the raw strings of every flag of steps 1 to 6. They stay
// strings until Apply so that each bad value gets our message (flag, value,
// rule, example) rather than pflag's strconv error, and so that only the
// flags a user actually set (Changed) touch a Spec imported from a manifest.
type Flags struct {
	Name, GenerateName, Alias, Description string

	BackoffLimit, Completions, Parallelism         string
	ActiveDeadline, TTLAfterFinished               string
	CompletionMode                                 string
	BackoffLimitPerIndex, MaxFailedIndexes         string
	Suspend                                        bool
	Queue, WorkloadPriorityClass                   string
	PodReplacementPolicy                           string
	PodFailurePolicy, SuccessPolicy                []string
	RestartPolicy, Image, ContainerName            string
	Command, Args                                  []string
	Ports, Env, EnvFrom, EnvValueFrom              []string
	EnvFile                                        string
	Request, Limit                                 string
	ImagePullPolicy                                string
	ImagePullSecrets                               []string
	ServiceAccount                                 string
	Volumes, Mounts                                []string
	Labels, Annotations, NodeSelector, Tolerations []string
	Node                                           string

	// CronJob (docs/CLI.md "CronJob"); see cronjob_flags.go.
	Schedule, TimeZone, ConcurrencyPolicy, StartingDeadline string
	SuccessfulJobsHistory, FailedJobsHistory                string
	SuspendSchedule                                         bool
	// Pod holds the flags of the rest of the pod (flags_pod.go).
	Pod PodFlags

	// DashCommand is what followed "--" on the command line.
	DashCommand []string
	// PositionalName is the NAME argument, which wins over nothing: giving
	// both NAME and --name is refused in Apply.
	PositionalName string
}

// AddTo registers every flag of steps 1 to 6 on fs, in the order of the
// steps (docs/CLI.md); each one's value is applied by its applier in Apply.
func (f *Flags) AddTo(fs *pflag.FlagSet) {
	// Step 1.
	fs.StringVar(&f.Name, "name", "", "Job name (metadata.name): a DNS-1123 label of at most 63 characters; same as the NAME argument")
	fs.StringVar(&f.GenerateName, "generate-name", "", "Prefix for a server-generated name (metadata.generateName), so CI can run the same command again")
	fs.StringVar(&f.Alias, "alias", "", "Display name in any language, stored in the kubesphere.io/alias-name annotation (at most 63 characters)")
	fs.StringVar(&f.Description, "description", "", "What the Job is for, stored in the kubesphere.io/description annotation (at most 256 characters)")
	f.addCronJobFlags(fs)
	// Step 2.
	fs.StringVar(&f.BackoffLimit, "backoff-limit", "", "Retries before the Job is marked failed (spec.backoffLimit)")
	fs.StringVar(&f.Completions, "completions", "", "Pods that must succeed for the Job to complete (spec.completions)")
	fs.StringVar(&f.Parallelism, "parallelism", "", "Pods running at once (spec.parallelism)")
	fs.StringVar(&f.ActiveDeadline, "active-deadline", "", "Time limit for the whole Job, as seconds (20) or a duration (5m) (spec.activeDeadlineSeconds)")
	fs.StringVar(&f.TTLAfterFinished, "ttl-after-finished", "", "Delete the Job this long after it finishes, as seconds or a duration (spec.ttlSecondsAfterFinished)")
	fs.StringVar(&f.CompletionMode, "completion-mode", "", "NonIndexed or Indexed (spec.completionMode)")
	fs.StringVar(&f.BackoffLimitPerIndex, "backoff-limit-per-index", "", "Retries per index of an Indexed Job (spec.backoffLimitPerIndex)")
	fs.StringVar(&f.MaxFailedIndexes, "max-failed-indexes", "", "Failed indexes before the Job fails; needs --backoff-limit-per-index (spec.maxFailedIndexes)")
	fs.BoolVar(&f.Suspend, "suspend", false, "Create the Job suspended: no pods start until it is resumed (spec.suspend)")
	fs.StringVar(&f.Queue, "queue", "", "Kueue LocalQueue to wait in (label kueue.x-k8s.io/queue-name); the Job is created suspended, because Kueue starts a queued Job by resuming it once its ClusterQueue has quota")
	fs.StringVar(&f.WorkloadPriorityClass, "workload-priority-class", "", "Kueue WorkloadPriorityClass of the Job (label kueue.x-k8s.io/priority-class): its rank in the queue and for preemption")
	fs.StringVar(&f.PodReplacementPolicy, "pod-replacement-policy", "", "TerminatingOrFailed or Failed: when a replacement pod may start (spec.podReplacementPolicy)")
	fs.StringArrayVar(&f.PodFailurePolicy, "pod-failure-policy", nil, "A pod failure rule, ACTION:exit-codes=1,2[,container=NAME], ACTION:exit-codes!=0 or ACTION:condition=DisruptionTarget; repeatable, order kept")
	fs.StringArrayVar(&f.SuccessPolicy, "success-policy", nil, "A success rule of an Indexed Job: indexes=0,2-5, count=N or indexes=0-9,count=3; repeatable")
	// Step 3.
	fs.StringVar(&f.RestartPolicy, "restart-policy", "", "Never (a failed pod is replaced by a new one) or OnFailure (restarted in place); default Never")
	fs.StringVar(&f.Image, "image", "", "Container image, e.g. perl:5.28.0 (required)")
	fs.StringVar(&f.ContainerName, "container-name", "", "Container name (default: the Job's name, or main with --generate-name)")
	fs.StringArrayVar(&f.Command, "command", nil, "One element of the container's command (repeatable); or give the command after --")
	fs.StringArrayVar(&f.Args, "arg", nil, "One element of the container's args (repeatable)")
	fs.StringArrayVar(&f.Ports, "port", nil, "Container port, [NAME:]PORT[/TCP|UDP|SCTP] (repeatable)")
	fs.StringArrayVarP(&f.Env, "env", "e", nil, "Environment variable NAME=VALUE (repeatable)")
	fs.StringVar(&f.EnvFile, "env-file", "", "File of NAME=VALUE lines (# comments) to add as environment variables")
	fs.StringArrayVar(&f.EnvFrom, "env-from", nil, "All keys of a ConfigMap or Secret as environment: configmap:NAME[:PREFIX] or secret:NAME[:PREFIX] (repeatable)")
	fs.StringArrayVar(&f.EnvValueFrom, "env-value-from", nil, "One variable from NAME=configmap:CM:KEY, NAME=secret:S:KEY, NAME=field:PATH or NAME=resource:limits.cpu (repeatable)")
	fs.StringVar(&f.Request, "request", "", "Resource requests, e.g. cpu=100m,memory=128Mi (0 removes a request)")
	fs.StringVar(&f.Limit, "limit", "", "Resource limits, e.g. cpu=1,memory=1Gi,nvidia.com/gpu=1 (0 removes a limit)")
	fs.StringVar(&f.ImagePullPolicy, "image-pull-policy", "", "Always, IfNotPresent or Never")
	fs.StringArrayVar(&f.ImagePullSecrets, "image-pull-secret", nil, "Secret for a private registry such as Harbor (repeatable)")
	fs.StringVar(&f.ServiceAccount, "service-account", "", "Service account the pods run as")
	f.Pod.AddTo(fs)
	// Step 4.
	fs.StringArrayVar(&f.Volumes, "volume", nil, "Volume NAME=pvc:CLAIM, NAME=emptydir[:medium=Memory,size=1Gi], NAME=configmap:CM[:KEY=PATH,...], NAME=secret:S[:KEY=PATH,...] or NAME=hostpath:/PATH (repeatable)")
	fs.StringArrayVar(&f.Mounts, "mount", nil, "Mount a volume: MOUNTPATH=VOLUME[:ro][:subpath=SUB] (repeatable)")
	// Step 5.
	fs.StringArrayVarP(&f.Labels, "label", "l", nil, "Label KEY=VALUE on the Job and its pods (repeatable, or comma separated)")
	fs.StringArrayVar(&f.Annotations, "annotation", nil, "Annotation KEY=VALUE on the Job (repeatable)")
	// Step 6.
	fs.StringArrayVar(&f.NodeSelector, "node-selector", nil, "Run only on nodes with label KEY=VALUE (repeatable)")
	fs.StringVar(&f.Node, "node", "", "Run on this node only (nodeSelector kubernetes.io/hostname=NAME)")
	fs.StringArrayVar(&f.Tolerations, "toleration", nil, "Tolerate a taint: KEY[=VALUE]:EFFECT (repeatable)")
}

// SpecFlagNames is every flag of steps 1 to 6, for help grouping and tests.
func SpecFlagNames() []string {
	fs := pflag.NewFlagSet("names", pflag.ContinueOnError)
	(&Flags{}).AddTo(fs)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return names
}

// FileReader reads the file a flag names (--env-file); the command passes
// os.ReadFile, tests pass a map, and this package stays free of I/O.
type FileReader func(path string) ([]byte, error)

// Apply lays the flags that were set on fs over s, in the order of the steps,
// and reports every bad value at once. Each flag's values go through the
// flag's applier (apply.go), which the wizard uses for its answers too.
func (f *Flags) Apply(s *Spec, fs *pflag.FlagSet, readFile FileReader) error {
	var errs Errors
	add := errs.collect
	changed := func(name string) bool {
		fl := fs.Lookup(name)
		return fl != nil && fl.Changed
	}
	r := applying[*Spec]{s, changed, add}
	one, each := r.one, r.each

	// Step 1.
	switch {
	case f.PositionalName != "" && changed("name") && f.PositionalName != f.Name:
		add(flagErr("--name", f.Name, fmt.Sprintf("conflicts with the NAME argument %s; give one of them", QuoteValue(f.PositionalName)), "pi"))
	case f.PositionalName != "":
		s.Name, s.GenerateName = f.PositionalName, ""
	case changed("name"):
		s.Name, s.GenerateName = f.Name, ""
	}
	if changed("generate-name") {
		if f.PositionalName != "" || changed("name") {
			add(flagErr("--generate-name", f.GenerateName, "cannot be used with a NAME; give one of them", "pi-"))
		} else {
			s.GenerateName, s.Name = f.GenerateName, ""
		}
	}
	one("alias", f.Alias, ApplyAlias)
	one("description", f.Description, ApplyDescription)
	f.applyCronJob(r)

	// Step 2.
	one("backoff-limit", f.BackoffLimit, ApplyBackoffLimit)
	one("completions", f.Completions, ApplyCompletions)
	one("parallelism", f.Parallelism, ApplyParallelism)
	one("backoff-limit-per-index", f.BackoffLimitPerIndex, ApplyBackoffLimitPerIndex)
	one("max-failed-indexes", f.MaxFailedIndexes, ApplyMaxFailedIndexes)
	one("active-deadline", f.ActiveDeadline, ApplyActiveDeadline)
	one("ttl-after-finished", f.TTLAfterFinished, ApplyTTLAfterFinished)
	one("completion-mode", f.CompletionMode, ApplyCompletionMode)
	one("suspend", strconv.FormatBool(f.Suspend), ApplySuspend)
	one("queue", f.Queue, ApplyQueue)
	one("workload-priority-class", f.WorkloadPriorityClass, ApplyWorkloadPriorityClass)
	if f.Queue != "" && changed("suspend") && !f.Suspend {
		add(flagErr("--suspend", "false", "cannot be used with --queue: Kueue starts a queued Job by resuming it, so it is created suspended", "--queue team-a"))
	}
	one("pod-replacement-policy", f.PodReplacementPolicy, ApplyPodReplacementPolicy)
	if changed("pod-failure-policy") {
		// Rules are ordered and the first match wins, so the flags replace
		// the manifest's list rather than merging into it.
		s.PodFailureRules = nil
		each(f.PodFailurePolicy, ApplyPodFailureRule)
	}
	if changed("success-policy") {
		s.SuccessRules = nil
		each(f.SuccessPolicy, ApplySuccessRule)
	}

	// Step 3.
	one("restart-policy", f.RestartPolicy, ApplyRestartPolicy)
	if f.containerFlagsChanged(changed) {
		add(f.applyContainer(s.MainContainer(), changed, readFile))
	}
	each(f.ImagePullSecrets, ApplyImagePullSecret)
	one("service-account", f.ServiceAccount, ApplyServiceAccount)
	add(f.Pod.Apply(s, fs))

	// Step 4.
	fromManifest := len(s.Volumes)
	each(f.Volumes, func(s *Spec, v string) (string, error) { return ApplyVolume(s, v, fromManifest) })

	// Step 5.
	each(f.Labels, ApplyLabel)
	each(f.Annotations, ApplyAnnotation)

	// Step 6.
	each(f.NodeSelector, ApplyNodeSelector)
	one("node", f.Node, ApplyNode)
	each(f.Tolerations, ApplyToleration)
	return errs.OrNil()
}

var containerFlags = []string{"image", "container-name", "command", "arg", "port", "env", "env-file",
	"env-from", "env-value-from", "request", "limit", "image-pull-policy", "mount"}

func (f *Flags) containerFlagsChanged(changed func(string) bool) bool {
	if len(f.DashCommand) > 0 {
		return true
	}
	for _, n := range containerFlags {
		if changed(n) {
			return true
		}
	}
	return false
}

// applyContainer lays the container flags over c: lists keyed by a name
// (env, ports, mounts) are updated in place or appended, so "-f job.yaml -e
// A=1" changes A and nothing else.
func (f *Flags) applyContainer(c *corev1.Container, changed func(string) bool, readFile FileReader) error {
	var errs Errors
	add := errs.collect
	r := applying[*corev1.Container]{c, changed, add}
	one, each := r.one, r.each
	one("image", f.Image, ApplyImage)
	one("container-name", f.ContainerName, ApplyContainerName)
	switch {
	case changed("command") && len(f.DashCommand) > 0:
		add(flagErr("--command", strings.Join(f.Command, " "), "cannot be used with a command after --; give the command one way", "--command perl --arg -e"))
	case len(f.DashCommand) > 0:
		c.Command, c.Args = append([]string(nil), f.DashCommand...), nil
	case changed("command"):
		c.Command = append([]string(nil), f.Command...)
	}
	if changed("arg") {
		c.Args = append([]string(nil), f.Args...)
	}
	portsFromManifest, mountsFromManifest := len(c.Ports), len(c.VolumeMounts)
	each(f.Ports, func(c *corev1.Container, v string) (string, error) { return ApplyPort(c, v, portsFromManifest) })
	if changed("env-file") {
		if readFile == nil {
			add(flagErr("--env-file", f.EnvFile, "cannot be read here", ".env"))
		} else if data, err := readFile(f.EnvFile); err != nil {
			add(flagErr("--env-file", f.EnvFile, "cannot be read: "+err.Error(), "./build.env"))
		} else if vars, err := ParseEnvFile(f.EnvFile, data); err != nil {
			add(err)
		} else {
			for _, e := range vars {
				setEnv(c, e, false)
			}
		}
	}
	// -e comes after --env-file so a flag can override one line of the file.
	each(f.Env, ApplyEnv)
	each(f.EnvValueFrom, ApplyEnvValueFrom)
	each(f.EnvFrom, ApplyEnvFrom)
	one("request", f.Request, ApplyRequest)
	one("limit", f.Limit, ApplyLimit)
	one("image-pull-policy", f.ImagePullPolicy, ApplyImagePullPolicy)
	each(f.Mounts, func(c *corev1.Container, v string) (string, error) { return ApplyMount(c, v, mountsFromManifest) })
	return errs.OrNil()
}

// applying runs appliers over a target (the Spec, or the main container)
// and collects what they report.
type applying[T any] struct {
	target  T
	changed func(name string) bool
	add     func(error)
}

// one applies a single-valued flag when it was set.
func (r applying[T]) one(name, val string, apply func(T, string) (string, error)) {
	if r.changed(name) {
		_, err := apply(r.target, val)
		r.add(err)
	}
}

// each applies every value of a repeatable flag.
func (r applying[T]) each(vals []string, apply func(T, string) (string, error)) {
	for _, v := range vals {
		_, err := apply(r.target, v)
		r.add(err)
	}
}

// mergeResources sets each quantity of add over base; a zero quantity
// removes that resource, which is how the console says "no limit".
func mergeResources(base, add corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range add {
		if v.IsZero() {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
