// Package wizard walks a person through the six steps of the KubeSphere
// console's "Create Job" form on a terminal, over a jobspec.Spec, and ends
// with a review: create, print, save, edit, change a step or cancel.
//
// Every answer is turned into the flag syntax of docs/CLI.md and applied with
// that flag's jobspec applier (apply.go), then judged by jobspec.Validate on a copy of
// the Spec; so the wizard accepts exactly what the flags accept, and the Job
// it ends with can always be rebuilt by the one-line command it prints.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// Action is what the review ended with.
type Action int

const (
	ActionCancel Action = iota
	ActionCreate
	ActionPrint
	ActionSave
)

// ErrCancelled is returned when the person chose Cancel at the review.
var ErrCancelled = errors.New("cancelled")

// Config is what the command gives the wizard.
type Config struct {
	Prompter Prompter
	// Out receives headings, help lines, notes and the summary: stderr.
	Out     io.Writer
	Printer *i18n.Printer
	// Color turns on bold headings and dim help lines.
	Color bool

	// Lookup offers the cluster's namespaces, PVCs, ... as choices; nil
	// means no cluster, and every such question is free text.
	Lookup lookup.Lookup
	// Namespace is the connection's namespace, which lookups list in when
	// the Job names none.
	Namespace string
	// NoCluster says why there is no cluster (shown once at the start);
	// with it, Create is not offered.
	NoCluster string

	// Edit opens a Job in $EDITOR and returns it edited; nil hides the
	// "Edit" choice.
	Edit func(*batchv1.Job) (*batchv1.Job, error)
	// EditCronJob is Edit for a CronJob; nil hides "Edit" for one.
	EditCronJob func(*batchv1.CronJob) (*batchv1.CronJob, error)
	// SaveDraft keeps a Job or CronJob that was not sent (draft.Save).
	SaveDraft func(obj draft.Object, reason string) (string, error)

	// LocalZone is this machine's IANA zone name, offered as a CronJob's
	// time zone; empty when it is unknown.
	LocalZone string
	// Now and Local are the clock and zone of a schedule's next runs;
	// nil means time.Now and time.Local.
	Now   func() time.Time
	Local *time.Location

	// CreateArgs and PrintArgs are the flags that the equivalent command of
	// a Create or a Print YAML carries besides the Job's own (--wait,
	// --dry-run=client -o yaml, ...).
	CreateArgs, PrintArgs []string
	// PrintLabel names the print choice when -o asks for something else
	// than YAML; empty means "Print YAML".
	PrintLabel string
	// OfferFollow asks after Create whether to follow the Job to its end
	// (default yes), as the console shows a new Job going from pulling its
	// image to running to done. False when --wait was given already.
	OfferFollow bool
	// SkipPodSecurityCheck is --skip-pod-security-check: the review still
	// says what the namespace's Pod Security level would refuse, but
	// offers Create all the same.
	SkipPodSecurityCheck bool
	// FollowArgs are the flags that act when the Job is followed
	// (--report, --save): the follow offer names them, and the equivalent
	// command carries them, after --wait, only when the person follows.
	FollowArgs []string
}

// Result is the end of a walk.
type Result struct {
	Action Action
	Spec   *jobspec.Spec
	// Job is what to create or print: Spec built, or the Job as edited.
	// Nil for a CronJob.
	Job *batchv1.Job
	// CronJob is what to create or print when the Spec has a schedule.
	CronJob *batchv1.CronJob
	// SavedTo is the file of "Save to file".
	SavedTo string
	// Follow is the answer to OfferFollow: follow the created Job.
	Follow bool
	// Command is the equivalent one-line command (empty after Cancel).
	Command string
	// DraftPath is the draft kept after Ctrl-C, Esc or Cancel.
	DraftPath string
}

// Wizard is one walk.
type Wizard struct {
	cfg Config
	p   Prompter
	out io.Writer
	t   *i18n.Printer
	ctx context.Context

	// edited is the Job as last edited in $EDITOR; it wins over the Spec
	// until a step is changed.
	edited *batchv1.Job
	// editedCron is edited for a CronJob.
	editedCron *batchv1.CronJob
	// cronStash keeps a CronJob's settings while Job is the answer at
	// step 1, so answering CronJob again brings them back.
	cronStash *jobspec.CronJobSettings
	// lookupNotes records which lookups failed, so each failure is said once.
	lookupNotes map[string]bool
	// limitDefaults caches the LimitRange defaults by namespace.
	limitDefaults map[string][]corev1.ResourceList
	// kueue is what the Kueue questions listed (kueue.go).
	kueue kueueSeen
	// security caches the namespaces' Pod Security levels (security.go).
	security map[string]nsSecurity
}

// New returns a Wizard.
func New(cfg Config) *Wizard {
	if cfg.Printer == nil {
		cfg.Printer = i18n.New(i18n.English)
	}
	w := &Wizard{cfg: cfg, out: cfg.Out, t: cfg.Printer, lookupNotes: map[string]bool{},
		limitDefaults: map[string][]corev1.ResourceList{}}
	w.p = stopping{p: cfg.Prompter, done: func() bool { return w.ctx != nil && w.ctx.Err() != nil }}
	return w
}

// T renders a catalog message.
func (w *Wizard) T(key string, args ...any) string { return w.t.T(key, args...) }

// steps are the six steps in order; each is a pure function of the Spec
// and the answers.
func (w *Wizard) steps() []struct {
	title, help string
	run         func(*jobspec.Spec) error
} {
	return []struct {
		title, help string
		run         func(*jobspec.Spec) error
	}{
		{w.T("Basic information"), w.T("Name the Job so it is easy to find; the alias may be in any language."), w.stepBasic},
		{w.T("Job settings"), w.T("How many pods must succeed, how many run at once, and when to give up."), w.stepJob},
		{w.T("Pod template"), w.T("The pod the Job runs: its restart policy and its containers."), w.stepPod},
		{w.T("Volumes"), w.T("Storage the containers mount: an existing PVC, a temporary emptyDir, a ConfigMap or Secret, or a host path."), w.stepVolumes},
		{w.T("Labels"), w.T("key=value labels on the Job and its pods, to find and select them."), w.stepLabels},
		{w.T("Node selector"), w.T("Where the pods may run: any node, one named node, or nodes with given labels."), w.stepNodes},
	}
}

// Run walks the six steps from spec (flags, -f, --from or --example fill
// it; its values become the defaults) and then the review. spec is
// changed in place, so after an error it holds the answers so far.
func (w *Wizard) Run(ctx context.Context, spec *jobspec.Spec) (*Result, error) {
	w.ctx = ctx
	w.intro()
	steps := w.steps()
	for i, st := range steps {
		w.heading(i+1, len(steps), st.title, st.help)
		if err := st.run(spec); err != nil {
			return w.stopped(spec, err, i+1)
		}
	}
	res, err := w.review(spec)
	if err != nil {
		return w.stopped(spec, err, 0)
	}
	return res, nil
}

func (w *Wizard) intro() {
	w.say(w.style(bold, w.T("Create a Job in six steps, as the KubeSphere console does.")))
	w.say(w.style(dim, w.T("Enter accepts the value in parentheses; - clears an optional value; Ctrl-C or Esc stops and keeps a draft.")))
	if w.cfg.NoCluster != "" {
		// The reason's first clause is enough here; its advice is for the
		// flags path.
		reason, _, _ := strings.Cut(w.cfg.NoCluster, ";")
		w.say(w.style(yellow, w.T("Without a cluster (%s), the wizard will only print or save the Job.", safe(strings.TrimSpace(reason)))))
	}
}

func (w *Wizard) heading(n, total int, title, help string) {
	fmt.Fprintln(w.out)
	w.say(w.style(boldCyan, w.T("Step %d/%d: %s", n, total, title)))
	w.say(w.style(dim, help))
}

// stopped keeps a draft of what was answered when the walk ends without a
// Job: Ctrl-C, Esc or Cancel.
func (w *Wizard) stopped(spec *jobspec.Spec, err error, step int) (*Result, error) {
	if !errors.Is(err, ErrInterrupted) && !errors.Is(err, ErrCancelled) {
		return nil, err
	}
	res := &Result{Action: ActionCancel, Spec: spec}
	fmt.Fprintln(w.out)
	w.say(w.T("Stopped: nothing was created."))
	if w.cfg.SaveDraft == nil {
		return res, err
	}
	reason := w.T("cancelled at the review")
	if step > 0 {
		reason = w.T("interrupted at step %d of 6", step)
	}
	path, derr := w.cfg.SaveDraft(w.object(spec), reason)
	if derr != nil {
		w.say(w.style(yellow, w.T("The draft could not be saved: %s", derr.Error())))
		return res, err
	}
	res.DraftPath = path
	w.say(w.T("Your answers are saved in %s", safe(path)))
	resume := "kubectl job-wizard -f " + shellQuote(path)
	if spec.IsCronJob() {
		// -f of a CronJob is its jobTemplate as a Job unless told.
		resume += " --kind cronjob"
	}
	w.say(w.T("Resume with: %s", resume+" -i"))
	return res, err
}

// say prints one line on Out.
func (w *Wizard) say(line string) { fmt.Fprintln(w.out, line) }

// note prints a hint line (dim).
func (w *Wizard) note(line string) { w.say(w.style(dim, "  "+line)) }

// warn prints a problem line.
func (w *Wizard) warn(line string) { w.say(w.style(yellow, "  "+line)) }

// lookupCtx bounds one cluster lookup: a slow cluster must not stall a
// question for long; the wizard falls back to free text.
func (w *Wizard) lookupCtx() (context.Context, context.CancelFunc) {
	ctx := w.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, 10*time.Second)
}

// lookupFailed says once per kind that a list could not be read.
func (w *Wizard) lookupFailed(what string, err error) {
	if w.lookupNotes[what] {
		return
	}
	w.lookupNotes[what] = true
	w.warn(w.T("Could not list %s (%s); type the name instead.", what, safe(firstLine(err.Error()))))
}

// namespace is where lookups list: the Job's namespace, or the connection's.
func (w *Wizard) namespace(s *jobspec.Spec) string {
	if s.Namespace != "" {
		return s.Namespace
	}
	return w.cfg.Namespace
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
