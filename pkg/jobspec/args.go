package jobspec

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/spf13/pflag"
)

// Args renders the Spec as the flag command line (after "kubectl
// job-wizard") that builds the same Job (or CronJob) without prompts. complete is false
// when the Spec holds something no flag can say (a second container, a
// probe, affinity, ...): then the equivalent command is -f of a saved
// manifest, and the args still show every flag-expressible part.
func Args(s *Spec) (args []string, complete bool) {
	args = flagArgs(s)
	rebuilt, err := ParseArgs(args)
	if err != nil {
		return args, false
	}
	return args, apiequality.Semantic.DeepEqual(rebuilt.BuildObject(), s.BuildObject())
}

func flagArgs(s *Spec) []string {
	var a []string
	str := func(flag, v string) {
		if v != "" {
			a = append(a, flag, v)
		}
	}
	i32 := func(flag string, p *int32) {
		if p != nil {
			a = append(a, flag, strconv.Itoa(int(*p)))
		}
	}
	if s.Name != "" {
		a = append(a, s.Name)
	}
	str("--generate-name", s.GenerateName)
	str("--namespace", s.Namespace)
	str("--alias", s.Alias)
	str("--description", s.Description)
	a = append(a, cronJobArgs(s)...)

	i32("--backoff-limit", s.BackoffLimit)
	i32("--completions", s.Completions)
	i32("--parallelism", s.Parallelism)
	if s.ActiveDeadlineSeconds != nil {
		a = append(a, "--active-deadline", FormatSeconds(*s.ActiveDeadlineSeconds))
	}
	if s.TTLSecondsAfterFinished != nil {
		a = append(a, "--ttl-after-finished", FormatSeconds(int64(*s.TTLSecondsAfterFinished)))
	}
	str("--completion-mode", string(s.CompletionMode))
	i32("--backoff-limit-per-index", s.BackoffLimitPerIndex)
	i32("--max-failed-indexes", s.MaxFailedIndexes)
	// --queue implies suspend: true, so it is not said twice.
	if s.Suspend != nil && !(s.queued() && *s.Suspend) {
		a = append(a, "--suspend="+strconv.FormatBool(*s.Suspend))
	}
	str("--queue", s.Queue)
	str("--workload-priority-class", s.WorkloadPriorityClass)
	str("--pod-replacement-policy", string(s.PodReplacementPolicy))
	for _, r := range s.PodFailureRules {
		if t, ok := FormatPodFailureRule(r); ok {
			a = append(a, "--pod-failure-policy", t)
		}
	}
	for _, r := range s.SuccessRules {
		a = append(a, "--success-policy", FormatSuccessRule(r))
	}

	if s.RestartPolicy != "" && s.RestartPolicy != corev1.RestartPolicyNever {
		str("--restart-policy", string(s.RestartPolicy))
	}
	var dash []string
	if len(s.Containers) > 0 {
		c := s.Containers[0]
		str("--image", c.Image)
		if c.Name != "" && c.Name != s.DefaultContainerName() {
			str("--container-name", c.Name)
		}
		if len(c.Args) == 0 && len(c.Command) > 0 {
			dash = c.Command
		} else {
			for _, x := range c.Command {
				a = append(a, "--command", x)
			}
			for _, x := range c.Args {
				a = append(a, "--arg", x)
			}
		}
		for _, p := range c.Ports {
			a = append(a, "--port", FormatPort(p))
		}
		// Plain values first, then references: the order Apply adds them in.
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				a = append(a, "--env", e.Name+"="+e.Value)
			}
		}
		for _, e := range c.Env {
			if t, ok := FormatEnvValueFrom(e); ok {
				a = append(a, "--env-value-from", t)
			}
		}
		for _, e := range c.EnvFrom {
			if t, ok := FormatEnvFrom(e); ok {
				a = append(a, "--env-from", t)
			}
		}
		if len(c.Resources.Requests) > 0 {
			a = append(a, "--request", FormatResources(c.Resources.Requests))
		}
		if len(c.Resources.Limits) > 0 {
			a = append(a, "--limit", FormatResources(c.Resources.Limits))
		}
		str("--image-pull-policy", string(c.ImagePullPolicy))
		for _, m := range c.VolumeMounts {
			if t, ok := FormatMount(m); ok {
				a = append(a, "--mount", t)
			}
		}
		a = append(a, containerArgs(&c)...)
	}
	for _, n := range s.ImagePullSecrets {
		a = append(a, "--image-pull-secret", n)
	}
	str("--service-account", s.ServiceAccount)
	a = append(a, podArgs(s)...)
	for _, v := range s.Volumes {
		if t, ok := FormatVolume(v); ok {
			a = append(a, "--volume", t)
		}
	}
	for _, k := range sortedKeys(s.Labels) {
		a = append(a, "--label", k+"="+s.Labels[k])
	}
	for _, k := range sortedKeys(s.Annotations) {
		a = append(a, "--annotation", k+"="+s.Annotations[k])
	}
	for _, k := range sortedKeys(s.NodeSelector) {
		if k == corev1.LabelHostname {
			a = append(a, "--node", s.NodeSelector[k])
		} else {
			a = append(a, "--node-selector", k+"="+s.NodeSelector[k])
		}
	}
	for _, t := range s.Tolerations {
		if x, ok := FormatToleration(t); ok {
			a = append(a, "--toleration", x)
		}
	}
	if s.Overrides != "" {
		if s.OverrideType != "" && s.OverrideType != OverrideMerge {
			a = append(a, "--override-type", s.OverrideType)
		}
		a = append(a, "--overrides", s.Overrides)
	}
	if len(dash) > 0 {
		a = append(a, "--")
		a = append(a, dash...)
	}
	return a
}

// ParseArgs parses a flag command line of steps 1 to 6 (as Args writes it)
// into a new Spec, without reading any file. It is the "parse" half of the
// Spec → Args → parse → Spec round trip, and what tests and fuzzers drive.
func ParseArgs(args []string) (*Spec, error) {
	fs := pflag.NewFlagSet("job-wizard", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	var f Flags
	f.AddTo(fs)
	ns := fs.StringP("namespace", "n", "", "")
	if err := fs.Parse(args); err != nil {
		return nil, &FieldError{Rule: err.Error()}
	}
	pos := fs.Args()
	if dash := fs.ArgsLenAtDash(); dash >= 0 {
		f.DashCommand = pos[dash:]
		pos = pos[:dash]
	}
	if len(pos) > 1 {
		return nil, &FieldError{Flag: "NAME", Value: strings.Join(pos, " "), Rule: "only one NAME may be given; put the command after --"}
	}
	if len(pos) == 1 {
		f.PositionalName = pos[0]
	}
	s := &Spec{Namespace: *ns}
	if err := f.Apply(s, fs, nil); err != nil {
		return nil, err
	}
	return s, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
