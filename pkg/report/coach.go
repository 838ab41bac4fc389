package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// The failure coach reads what a failed Job's pods and events say and
// tells the change that would help, as flags of this command, ending with
// the command that runs the Job again with them. Every flag it suggests is
// one of jobspec's (coach_test.go parses each one).

// Advice is one finding and the flags that act on it.
type Advice struct {
	// Why is what was seen and what the flags change, one line.
	Why string
	// Flags are --name=value words; a value in capitals (SECRET, IMAGE) is
	// for the person to fill in.
	Flags []Flag
}

// Flag is one suggested flag.
type Flag struct {
	Name  string // without dashes: limit, pod-failure-policy …
	Value string
}

func (f Flag) String() string { return "--" + f.Name + "=" + f.Value }

// CoachInput is what the coach reads.
type CoachInput struct {
	Input
	// Events are the Job's events (FailedCreate tells Pod Security and
	// quota refusals, which leave no pod to look at).
	Events []corev1.Event
	// SavedJob is the saved manifest of --save, which a rerun can start
	// from when the Job itself is gone.
	SavedJob string
}

// Coach is the advice for a Job that did not complete; nil when there is
// nothing to say.
func Coach(in CoachInput) []Advice {
	if in.Outcome == "Complete" || in.Job == nil {
		return nil
	}
	var out []Advice
	out = append(out, oomAdvice(in)...)
	out = append(out, exitCodeAdvice(in)...)
	out = append(out, deadlineAdvice(in)...)
	out = append(out, onFailureAdvice(in)...)
	out = append(out, pullAdvice(in)...)
	out = append(out, refusalAdvice(in)...)
	return out
}

// mainContainer is the container the container flags (--limit, --image …)
// act on: the first.
func mainContainer(job *batchv1.Job) string {
	if cs := job.Spec.Template.Spec.Containers; len(cs) > 0 {
		return cs[0].Name
	}
	return ""
}

func specContainer(job *batchv1.Job, name string) *corev1.Container {
	for i := range job.Spec.Template.Spec.Containers {
		if c := &job.Spec.Template.Spec.Containers[i]; c.Name == name {
			return c
		}
	}
	return nil
}

// runs are the container runs that ended, of every pod, oldest first.
type run struct {
	pod       *corev1.Pod
	container string
	exitCode  int32
	reason    string
}

func endedRuns(in Input) []run {
	pods := append([]*corev1.Pod(nil), in.Pods...)
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i].CreationTimestamp, pods[j].CreationTimestamp
		return a.Before(&b) || a.Equal(&b) && pods[i].Name < pods[j].Name
	})
	var out []run
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			if t := cs.LastTerminationState.Terminated; t != nil {
				out = append(out, run{p, cs.Name, t.ExitCode, t.Reason})
			}
			if t := cs.State.Terminated; t != nil {
				out = append(out, run{p, cs.Name, t.ExitCode, t.Reason})
			}
		}
	}
	return out
}

func oomAdvice(in CoachInput) []Advice {
	main := mainContainer(in.Job)
	for _, r := range endedRuns(in.Input) {
		if r.reason != "OOMKilled" || r.container != main {
			continue
		}
		c := specContainer(in.Job, main)
		if c == nil {
			return nil
		}
		if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && !lim.IsZero() {
			next := doubled(lim)
			return []Advice{{
				Why:   fmt.Sprintf("pod %s: container %s was OOMKilled at its memory limit of %s; twice that:", r.pod.Name, main, lim.String()),
				Flags: []Flag{{"limit", "memory=" + next}},
			}}
		}
		// Without a limit the node ran out of memory: a request makes the
		// scheduler place the pod where that much is free.
		return []Advice{{
			Why:   fmt.Sprintf("pod %s: container %s was OOMKilled with no memory limit (the node ran short); ask for memory the scheduler can reserve:", r.pod.Name, main),
			Flags: []Flag{{"request", "memory=1Gi"}, {"limit", "memory=1Gi"}},
		}}
	}
	return nil
}

// doubled is twice a quantity, in Mi when it is a whole number of them.
func doubled(q resource.Quantity) string {
	b := q.Value() * 2
	if b%(1<<20) == 0 {
		return strconv.FormatInt(b>>20, 10) + "Mi"
	}
	return strconv.FormatInt(b, 10)
}

func exitCodeAdvice(in CoachInput) []Advice {
	main := mainContainer(in.Job)
	var codes []int32
	for _, r := range endedRuns(in.Input) {
		if r.container != main {
			continue
		}
		if r.exitCode == 0 || r.reason == "OOMKilled" {
			return nil // not the same failure every time
		}
		codes = append(codes, r.exitCode)
	}
	if len(codes) < 2 {
		return nil
	}
	for _, c := range codes[1:] {
		if c != codes[0] {
			return nil
		}
	}
	code := codes[0]
	for _, rule := range policyRules(in.Job) {
		if rule.Action == batchv1.PodFailurePolicyActionFailJob && rule.OnExitCodes != nil &&
			rule.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && containsCode(rule.OnExitCodes.Values, code) {
			return nil
		}
	}
	why := fmt.Sprintf("all %d runs of container %s exited with code %d: retrying does not help; fail the Job at the first such exit:", len(codes), main, code)
	if n := len(policyRules(in.Job)); n > 0 {
		why += fmt.Sprintf(" (the flag replaces the Job's %d pod failure rules; give them again to keep them)", n)
	}
	flags := []Flag{{"pod-failure-policy", fmt.Sprintf("FailJob:exit-codes=%d", code)}}
	if in.Job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		// The API server takes a pod failure policy with Never only.
		flags = append(flags, Flag{"restart-policy", "Never"})
	}
	if p := in.Job.Spec.PodReplacementPolicy; p != nil && *p != batchv1.Failed {
		// The server defaults it to TerminatingOrFailed without a policy and
		// takes only Failed with one; --from keeps the default it wrote.
		flags = append(flags, Flag{"pod-replacement-policy", string(batchv1.Failed)})
	}
	return []Advice{{Why: why, Flags: flags}}
}

func policyRules(job *batchv1.Job) []batchv1.PodFailurePolicyRule {
	if job.Spec.PodFailurePolicy == nil {
		return nil
	}
	return job.Spec.PodFailurePolicy.Rules
}

func containsCode(list []int32, c int32) bool {
	for _, v := range list {
		if v == c {
			return true
		}
	}
	return false
}

func deadlineAdvice(in CoachInput) []Advice {
	if in.Reason != batchv1.JobReasonDeadlineExceeded || in.Job.Spec.ActiveDeadlineSeconds == nil {
		return nil
	}
	d := time.Duration(*in.Job.Spec.ActiveDeadlineSeconds) * time.Second
	return []Advice{{
		Why:   fmt.Sprintf("the Job ran into its deadline of %s (activeDeadlineSeconds); give it twice as long:", d),
		Flags: []Flag{{"active-deadline", (2 * d).String()}},
	}}
}

func onFailureAdvice(in CoachInput) []Advice {
	if in.Reason != batchv1.JobReasonBackoffLimitExceeded || in.Job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		return nil
	}
	lost := false
	for _, p := range in.Pods {
		lost = lost || restarts(p) > 1 || p.DeletionTimestamp != nil
	}
	for _, t := range in.Logs {
		lost = lost || t.Err != ""
	}
	if !lost {
		return nil
	}
	return []Advice{{
		Why: "with restartPolicy OnFailure a pod keeps only its last run's log, and the Job controller deletes the pod at the backoff limit: " +
			"the logs of the failures are lost. With Never every retry is a pod of its own, and its log stays:",
		Flags: []Flag{{"restart-policy", "Never"}},
	}}
}

// authProblem tells a registry that refused the credentials from one that
// has no such image.
var authProblem = lazy.Regexp(`(?i)unauthori[sz]ed|authenticat|denied|forbidden|\b401\b|\b403\b|credentials`)

func pullAdvice(in CoachInput) []Advice {
	for _, p := range in.Pods {
		for _, cs := range p.Status.ContainerStatuses {
			w := cs.State.Waiting
			if w == nil || (w.Reason != "ErrImagePull" && w.Reason != "ImagePullBackOff" && w.Reason != "InvalidImageName") {
				continue
			}
			img := cs.Image
			if c := specContainer(in.Job, cs.Name); c != nil {
				img = c.Image
			}
			if authProblem().MatchString(w.Message) {
				return []Advice{{
					Why:   fmt.Sprintf("the registry refused to give image %s to pod %s (%s): give a pull Secret of the registry's credentials (SECRET: its name, see kubectl create secret docker-registry):", img, p.Name, termtext.Escape(w.Message)),
					Flags: []Flag{{"image-pull-secret", "SECRET"}},
				}}
			}
			why := fmt.Sprintf("pod %s cannot pull image %s (%s: %s): check the name and tag", p.Name, img, w.Reason, termtext.Escape(w.Message))
			if cs.Name != mainContainer(in.Job) {
				return []Advice{{Why: why + " of container " + cs.Name + " (the flags set the first container's only)"}}
			}
			return []Advice{{Why: why + " (IMAGE: the right one):", Flags: []Flag{{"image", "IMAGE"}}}}
		}
	}
	return nil
}

var (
	podSecurityLevel = lazy.Regexp(`violates PodSecurity "(restricted|baseline)`)
	quotaParts       = lazy.Regexp(`requested: ([^,]+(?:,[^,:]+=[^,]+)*), used: ([^,]+(?:,[^,:]+=[^,]+)*), limited: ([^,]+(?:,[^,:]+=[^,]+)*)`)
	mustSpecify      = lazy.Regexp(`must specify ([a-z.,/-]+)`)
)

// refusalAdvice reads the FailedCreate events of pods the API server
// refused: Pod Security admission and resource quota.
func refusalAdvice(in CoachInput) []Advice {
	seen := map[string]bool{}
	var out []Advice
	for _, ev := range in.Events {
		if ev.Reason != "FailedCreate" {
			continue
		}
		msg := ev.Message
		if m := podSecurityLevel().FindStringSubmatch(msg); m != nil && !seen["pss"] {
			seen["pss"] = true
			a := Advice{Why: fmt.Sprintf("the namespace's Pod Security level %s refused the pods (%s); set what it requires:", termtext.Quote(m[1]), termtext.Escape(firstClause(msg)))}
			if knownFlag("security-profile") {
				a.Flags = []Flag{{"security-profile", m[1]}}
			} else {
				a.Why = strings.TrimSuffix(a.Why, ":") + " in the pod's securityContext (runAsNonRoot, allowPrivilegeEscalation: false, capabilities drop ALL, seccompProfile RuntimeDefault), with -f of an edited manifest"
			}
			out = append(out, a)
		}
		if strings.Contains(msg, "exceeded quota") && !seen["quota"] {
			seen["quota"] = true
			if a, ok := quotaAdvice(in.Job, msg); ok {
				out = append(out, a)
			}
		}
		if m := mustSpecify().FindStringSubmatch(msg); m != nil && strings.Contains(msg, "quota") && !seen["specify"] {
			seen["specify"] = true
			out = append(out, specifyAdvice(in.Job, m[1]))
		}
	}
	return out
}

var (
	specFlagsOnce sync.Once
	specFlags     *pflag.FlagSet
)

// knownFlag tells whether jobspec has the flag, so the coach never
// suggests one this build lacks.
func knownFlag(name string) bool {
	specFlagsOnce.Do(func() {
		specFlags = pflag.NewFlagSet("coach", pflag.ContinueOnError)
		var f jobspec.Flags
		f.AddTo(specFlags)
	})
	return specFlags.Lookup(name) != nil
}

func firstClause(s string) string {
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}

// quotaAdvice fits the main container's requests (or limits) into what
// the quota has left: limited less used, for each resource over.
func quotaAdvice(job *batchv1.Job, msg string) (Advice, bool) {
	m := quotaParts().FindStringSubmatch(msg)
	if m == nil {
		return Advice{}, false
	}
	used, limited := quantities(m[2]), quantities(m[3])
	var req, lim []string
	for _, name := range sortedNames(quantities(m[1])) {
		l, ok := limited[name]
		if !ok {
			continue
		}
		left := l.DeepCopy()
		if u, ok := used[name]; ok {
			left.Sub(u)
		}
		if left.Sign() <= 0 {
			continue
		}
		kind, res, _ := strings.Cut(name, ".")
		if res == "" {
			kind, res = "requests", name
		}
		if res != "cpu" && res != "memory" {
			continue
		}
		kv := res + "=" + left.String()
		if kind == "limits" {
			lim = append(lim, kv)
		} else {
			req = append(req, kv)
		}
	}
	var flags []Flag
	if len(req) > 0 {
		flags = append(flags, Flag{"request", strings.Join(req, ",")})
	}
	if len(lim) > 0 {
		flags = append(flags, Flag{"limit", strings.Join(lim, ",")})
	}
	if len(flags) == 0 {
		return Advice{Why: "the namespace's resource quota is used up (" + termtext.Escape(msg) + "); wait for other pods to end or ask for a larger quota"}, true
	}
	return Advice{Why: "the namespace's resource quota refused the pods (" + termtext.Escape(msg) + "); ask for what is left:", Flags: flags}, true
}

// specifyAdvice answers a quota that needs requests or limits on every
// pod: the pod's own requests as limits, or modest defaults.
func specifyAdvice(job *batchv1.Job, names string) Advice {
	c := specContainer(job, mainContainer(job))
	defaults := map[string]string{"cpu": "500m", "memory": "512Mi"}
	var req, lim []string
	for _, name := range strings.Split(names, ",") {
		kind, res, _ := strings.Cut(strings.TrimSpace(name), ".")
		if res != "cpu" && res != "memory" {
			continue
		}
		v := defaults[res]
		if c != nil {
			if q, ok := c.Resources.Requests[corev1.ResourceName(res)]; ok {
				v = q.String()
			}
		}
		if kind == "limits" {
			lim = append(lim, res+"="+v)
		} else {
			req = append(req, res+"="+v)
		}
	}
	var flags []Flag
	if len(req) > 0 {
		flags = append(flags, Flag{"request", strings.Join(req, ",")})
	}
	if len(lim) > 0 {
		flags = append(flags, Flag{"limit", strings.Join(lim, ",")})
	}
	return Advice{Why: "the namespace's resource quota needs " + names + " on every pod:", Flags: flags}
}

func quantities(s string) map[string]resource.Quantity {
	out := map[string]resource.Quantity{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		if q, err := resource.ParseQuantity(v); err == nil {
			out[k] = q
		}
	}
	return out
}

func sortedNames(m map[string]resource.Quantity) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Flags are the advice's flags as one command line wants them: the
// key=value lists of --limit and --request merged (the last of a repeated
// one would win), every other flag once, in the order found.
func Flags(advice []Advice) []Flag {
	var out []Flag
	at := map[string]int{}
	for _, a := range advice {
		for _, f := range a.Flags {
			i, ok := at[f.Name]
			switch {
			case !ok:
				at[f.Name] = len(out)
				out = append(out, f)
			case f.Name == "limit" || f.Name == "request":
				out[i].Value = mergeKV(out[i].Value, f.Value)
			default:
				out[i] = f
			}
		}
	}
	return out
}

// mergeKV is a's key=value list with b's keys set over it.
func mergeKV(a, b string) string {
	keys := []string{}
	vals := map[string]string{}
	for _, list := range []string{a, b} {
		for _, kv := range strings.Split(list, ",") {
			k, v, _ := strings.Cut(kv, "=")
			if _, ok := vals[k]; !ok {
				keys = append(keys, k)
			}
			vals[k] = v
		}
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vals[k]
	}
	return strings.Join(parts, ",")
}

// Rerun is the command that runs the Job again with the advice: from the
// Job in the cluster, replacing it, or from the saved manifest when the
// Job is deleted after it finishes (ttlSecondsAfterFinished).
func Rerun(in CoachInput, advice []Advice) string {
	job := in.Job
	words := []string{"kubectl", "job-wizard", job.Name, "-n", job.Namespace}
	if in.SavedJob != "" && (job.Spec.TTLSecondsAfterFinished != nil || in.Outcome == "Deleted") {
		words = append(words, "-f", in.SavedJob)
	} else {
		words = append(words, "--from", "job/"+job.Name)
	}
	words = append(words, "--replace", "--wait")
	for _, f := range Flags(advice) {
		words = append(words, f.String())
	}
	for i, w := range words {
		words[i] = jobspec.ShellQuote(w)
	}
	return strings.Join(words, " ")
}

// PrintCoach writes the advice and the rerun command; nothing when there
// is no advice.
func PrintCoach(w io.Writer, in CoachInput, advice []Advice) {
	if len(advice) == 0 {
		return
	}
	fmt.Fprintln(w, "what would help (the failure coach):")
	for _, a := range advice {
		line := "  - " + a.Why
		for _, f := range a.Flags {
			line += " " + jobspec.ShellQuote(f.String())
		}
		fmt.Fprintln(w, termtext.Escape(line))
	}
	if len(Flags(advice)) == 0 {
		return
	}
	fmt.Fprintln(w, "run it again with them:")
	fmt.Fprintln(w, "  "+termtext.Escape(Rerun(in, advice)))
	if in.Job.Spec.TTLSecondsAfterFinished != nil && in.SavedJob == "" {
		fmt.Fprintf(w, "  (job/%s is deleted %ds after it ends (ttlSecondsAfterFinished): run it before, or keep its manifest with --save DIR)\n",
			termtext.Escape(in.Job.Name), *in.Job.Spec.TTLSecondsAfterFinished)
	}
}
