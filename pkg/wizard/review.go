package wizard

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
)

// Choices of the review, in the order they are offered.
const (
	choiceCreate = iota
	choicePrint
	choiceSave
	choiceEdit
	choiceChange
	choiceCancel
	// choiceFixSecurity applies --security-profile restricted, the one
	// answer that makes the pods pass the namespace's Pod Security.
	choiceFixSecurity
)

// job is what the review acts on: the Job as edited, else the Spec built.
func (w *Wizard) job(s *jobspec.Spec) *batchv1.Job {
	if w.edited != nil {
		return w.edited.DeepCopy()
	}
	return s.Build()
}

// cronJob is job for a Spec with a schedule: the CronJob as edited, else
// the Spec built.
func (w *Wizard) cronJob(s *jobspec.Spec) *batchv1.CronJob {
	if w.editedCron != nil {
		return w.editedCron.DeepCopy()
	}
	return s.BuildCronJob()
}

// object is what the review acts on, a Job or a CronJob.
func (w *Wizard) object(s *jobspec.Spec) draft.Object {
	if s.IsCronJob() {
		return w.cronJob(s)
	}
	return w.job(s)
}

func (w *Wizard) review(s *jobspec.Spec) (*Result, error) {
	for {
		fmt.Fprintln(w.out)
		w.say(w.style(boldCyan, w.T("Review")))
		w.summary(s)
		w.quota(s)
		valid := true
		if err := w.validate(s); err != nil {
			valid = false
			w.say(w.style(yellow, w.T("The Job is not ready yet:")))
			for _, line := range strings.Split(err.Error(), "\n") {
				w.warn("✘ " + line)
			}
		}

		refused, fixable := false, false
		if valid {
			refused, fixable = w.reviewPodSecurity(s)
		}

		var opts []Option
		var choices []int
		add := func(c int, label, desc string) {
			opts = append(opts, Option{Label: label, Description: desc})
			choices = append(choices, c)
		}
		if refused && fixable {
			add(choiceFixSecurity, w.T("Apply the restricted profile"), w.T("--security-profile restricted: fills in what the level requires, so the pods are accepted"))
		}
		if refused && !w.cfg.SkipPodSecurityCheck {
			if !fixable {
				w.note(w.T("Create is not offered: change the settings named above (or run with --skip-pod-security-check when the namespace exempts these pods)."))
			}
		} else if valid && w.cfg.NoCluster == "" {
			add(choiceCreate, w.T("Create"), w.T("send it to the cluster"))
		}
		if valid {
			printLabel := w.cfg.PrintLabel
			if printLabel == "" {
				printLabel = w.T("Print YAML")
			}
			add(choicePrint, printLabel, w.T("write the manifest to stdout"))
		}
		add(choiceSave, w.T("Save to file"), "")
		if s.IsCronJob() && w.cfg.EditCronJob != nil || !s.IsCronJob() && w.cfg.Edit != nil {
			add(choiceEdit, w.T("Edit in $EDITOR"), "")
		}
		add(choiceChange, w.T("Change a step"), "")
		add(choiceCancel, w.T("Cancel"), w.T("create nothing"))

		i, err := w.p.Select(Select{Message: w.T("What now?"), Options: opts})
		if err != nil {
			return nil, err
		}
		switch choices[i] {
		case choiceCreate:
			mode, follow := w.cfg.CreateArgs, false
			if w.cfg.OfferFollow {
				var err error
				msg := w.T("Follow the Job until it ends?")
				if len(w.cfg.FollowArgs) > 0 {
					msg = w.T("Follow the Job until it ends, and then write %s?", safe(strings.Join(w.cfg.FollowArgs, " ")))
				}
				def := true
				if s.IsCronJob() {
					msg, def = w.followCronJobOffer(s)
				}
				follow, err = w.p.Confirm(Confirm{Message: msg, Default: def,
					Help: w.T("Shows its pods and progress; Ctrl-C then stops following, not the Job.")})
				if err != nil {
					return nil, err
				}
				if follow {
					// The report and the saved folder come with the follow,
					// so the command carries them with --wait only.
					mode = append(append(append([]string{}, mode...), "--wait"), w.cfg.FollowArgs...)
				}
			}
			res, err := w.finish(s, ActionCreate, mode, "")
			if res != nil {
				res.Follow = follow
			}
			return res, err
		case choicePrint:
			return w.finish(s, ActionPrint, w.cfg.PrintArgs, "")
		case choiceSave:
			path, err := w.saveToFile(s)
			if err != nil {
				return nil, err
			}
			if path == "" {
				continue
			}
			format := "yaml"
			if strings.EqualFold(filepath.Ext(path), ".json") {
				format = "json"
			}
			res, err := w.finish(s, ActionSave, []string{"--dry-run=client", "-o", format}, path)
			if res != nil && res.Command != "" {
				if strings.Contains(res.Command, " -f ") {
					// The file is the Job: the command that uses it creates it
					// (and must not redirect into the file it reads).
					res.Command = commandLine(fileArgs(s, path), nil)
				} else {
					// The same file again, without prompts.
					res.Command += " > " + shellQuote(path)
				}
			}
			return res, err
		case choiceEdit:
			if s.IsCronJob() {
				edited, err := w.cfg.EditCronJob(w.cronJob(s))
				if err != nil {
					if errors.Is(err, ErrInterrupted) {
						return nil, err
					}
					w.warn("✘ " + safe(err.Error()))
					continue
				}
				w.editedCron = edited
				*s = *jobspec.FromCronJob(edited)
				continue
			}
			edited, err := w.cfg.Edit(w.job(s))
			if err != nil {
				if errors.Is(err, ErrInterrupted) {
					return nil, err
				}
				w.warn("✘ " + safe(err.Error()))
				continue
			}
			w.edited = edited
			// The Spec follows the edit, so a changed step starts from it.
			*s = *jobspec.FromJob(edited)
		case choiceChange:
			if err := w.changeStep(s); err != nil {
				return nil, err
			}
		case choiceCancel:
			return nil, ErrCancelled
		case choiceFixSecurity:
			if _, err := jobspec.ApplySecurityProfileFlag(s, string(jobspec.ProfileRestricted)); err != nil {
				return nil, err
			}
			// The Spec follows an edit in $EDITOR, so the profile goes on
			// the edited Job (or CronJob) too.
			w.edited, w.editedCron = nil, nil
		}
	}
}

// validate judges the whole Job as the flags path would; an edited Job is
// judged as imported.
func (w *Wizard) validate(s *jobspec.Spec) error {
	var err error
	switch {
	case w.editedCron != nil && s.IsCronJob():
		err = jobspec.FromCronJob(w.editedCron).Validate()
	case w.edited != nil && !s.IsCronJob():
		err = jobspec.FromJob(w.edited).Validate()
	default:
		err = s.Validate()
	}
	if err == nil {
		return nil
	}
	var list jobspec.Errors
	if !errors.As(err, &list) {
		return errors.New(safe(err.Error()))
	}
	lines := make([]string, len(list))
	for i, e := range list {
		where := e.Field
		if where == "" {
			where = e.Flag
		}
		lines[i] = where + ": " + w.describe(e, true, true)
	}
	return errors.New(strings.Join(lines, "\n"))
}

func (w *Wizard) changeStep(s *jobspec.Spec) error {
	steps := w.steps()
	opts := make([]Option, len(steps)+1)
	for i, st := range steps {
		opts[i] = Option{Label: w.T("Step %d/%d: %s", i+1, len(steps), st.title)}
	}
	opts[len(steps)] = Option{Label: w.T("Back to the review")}
	i, err := w.p.Select(Select{Message: w.T("Which step?"), Options: opts})
	if err != nil || i == len(steps) {
		return err
	}
	// A step changes the Spec; an earlier edit in $EDITOR is already in it.
	w.edited, w.editedCron = nil, nil
	st := steps[i]
	w.heading(i+1, len(steps), st.title, st.help)
	return st.run(s)
}

// saveToFile asks for a file and writes the manifest there: JSON when the
// name ends in .json, else YAML. An empty path returns to the review.
func (w *Wizard) saveToFile(s *jobspec.Spec) (string, error) {
	job := w.object(s)
	name := job.GetName()
	if name == "" {
		name = strings.TrimSuffix(job.GetGenerateName(), "-")
	}
	if name == "" {
		name = "job"
		if s.IsCronJob() {
			name = "cronjob"
		}
	}
	for {
		p, err := w.input(w.T("File to save the manifest in"), name+".yaml", "", nil)
		if err != nil {
			return "", err
		}
		if p == "" {
			return "", nil
		}
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				w.warn(w.T("%s is a folder; give a file name.", safe(p)))
				continue
			}
			over, err := w.p.Confirm(Confirm{Message: w.T("%s exists. Overwrite it?", safe(p))})
			if err != nil {
				return "", err
			}
			if !over {
				continue
			}
		}
		data, err := manifest.Render(job, strings.EqualFold(filepath.Ext(p), ".json"))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			w.warn("✘ " + safe(err.Error()))
			continue
		}
		w.say(w.style(green, w.T("Saved %s", safe(p))))
		return p, nil
	}
}

// finish ends the walk with an action, and works out the one-line command
// that gives the same Job without prompts. When no flag can say part of the
// Job (a second container, an edit in $EDITOR), the command is -f of the
// saved manifest instead.
func (w *Wizard) finish(s *jobspec.Spec, action Action, mode []string, savedTo string) (*Result, error) {
	obj := w.object(s)
	res := &Result{Action: action, Spec: s, SavedTo: savedTo}
	if cj, ok := obj.(*batchv1.CronJob); ok {
		res.CronJob = cj
	} else {
		res.Job = obj.(*batchv1.Job)
	}
	args, complete := jobspec.Args(s)
	if complete && (w.edited != nil || w.editedCron != nil) {
		// Args judged the Spec; the edit may hold more than it models.
		rebuilt, err := jobspec.ParseArgs(args)
		complete = err == nil && apiequality.Semantic.DeepEqual(rebuilt.BuildObject(), obj)
	}
	if complete {
		res.Command = commandLine(args, mode)
		return res, nil
	}
	file := savedTo
	if file == "" && w.cfg.SaveDraft != nil {
		p, err := w.cfg.SaveDraft(obj, w.T("the manifest of the equivalent command"))
		if err != nil {
			w.warn(w.T("The manifest could not be saved: %s", safe(err.Error())))
			return res, nil
		}
		file = p
	}
	if file != "" {
		res.Command = commandLine(fileArgs(s, file), mode)
	}
	return res, nil
}

// PrintCommand tells the equivalent command of a finished walk, after the
// action is done.
func (w *Wizard) PrintCommand(res *Result) {
	if res == nil || res.Command == "" {
		return
	}
	fmt.Fprintln(w.out)
	w.say(w.T("The same without prompts:"))
	w.say("  " + w.style(bold, res.Command))
}

// summary prints the Job as a table of the six steps.
func (w *Wizard) summary(s *jobspec.Spec) {
	switch {
	case w.editedCron != nil && s.IsCronJob():
		w.note(w.T("(as edited in $EDITOR)"))
		s = jobspec.FromCronJob(w.editedCron)
	case w.edited != nil && !s.IsCronJob():
		w.note(w.T("(as edited in $EDITOR)"))
		s = jobspec.FromJob(w.edited)
	}
	type row struct{ label, value string }
	var rows []row
	section := func(n int, title string) { rows = append(rows, row{"\x00" + w.T("Step %d/%d: %s", n, 6, title), ""}) }
	add := func(label, value string) {
		if value != "" {
			rows = append(rows, row{label, safe(value)})
		}
	}
	i32 := func(p *int32) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(int(*p))
	}
	steps := w.steps()

	section(1, steps[0].title)
	if s.GenerateName != "" {
		add(w.T("Name"), s.GenerateName+w.T("… (generated)"))
	} else {
		add(w.T("Name"), s.Name)
	}
	ns := s.Namespace
	if ns == "" && w.cfg.Namespace != "" {
		ns = w.cfg.Namespace
	}
	add(w.T("Namespace"), ns)
	add(w.T("Alias"), s.Alias)
	add(w.T("Description"), s.Description)
	w.summarySchedule(s, add)

	section(2, steps[1].title)
	add(w.T("Backoff limit"), orDefault(i32(s.BackoffLimit), "6", w))
	add(w.T("Completions"), orDefault(i32(s.Completions), "1", w))
	add(w.T("Parallelism"), orDefault(i32(s.Parallelism), "1", w))
	add(w.T("Active deadline"), formatSecondsPtr(s.ActiveDeadlineSeconds))
	if s.TTLSecondsAfterFinished != nil {
		add(w.T("Delete after finished"), jobspec.FormatSeconds(int64(*s.TTLSecondsAfterFinished)))
	}
	add(w.T("Completion mode"), string(s.CompletionMode))
	add(w.T("Backoff limit per index"), i32(s.BackoffLimitPerIndex))
	add(w.T("Max failed indexes"), i32(s.MaxFailedIndexes))
	add(w.T("Kueue queue"), w.queueSummary(s))
	add(w.T("Workload priority class"), w.classSummary(s))
	switch {
	case s.Queue != "":
		add(w.T("Suspended"), w.T("yes, until Kueue admits it"))
	case s.Suspend != nil && *s.Suspend:
		add(w.T("Suspended"), w.T("yes"))
	}
	add(w.T("Pod replacement policy"), string(s.PodReplacementPolicy))
	for _, r := range s.PodFailureRules {
		t, _ := jobspec.FormatPodFailureRule(r)
		add(w.T("Pod failure rule"), t)
	}
	for _, r := range s.SuccessRules {
		add(w.T("Success rule"), jobspec.FormatSuccessRule(r))
	}

	section(3, steps[2].title)
	rp := string(s.RestartPolicy)
	if rp == "" {
		rp = string(corev1.RestartPolicyNever)
	}
	add(w.T("Restart policy"), rp)
	// The security settings are shown as the pods get them, the
	// profile's filled in.
	built := s.Build().Spec.Template.Spec
	describeContainer := func(kind string, c corev1.Container, i int) {
		name := c.Name
		if name == "" && kind == "" && i == 0 {
			name = s.DefaultContainerName()
		}
		label := w.T("Container %s", name)
		if kind != "" {
			label = w.T("Init container %s", name)
			if isSidecar(c) {
				label = w.T("Sidecar %s", name)
			}
		}
		add(label, c.Image)
		add("  "+w.T("Command"), shellJoin(c.Command))
		add("  "+w.T("Arguments"), shellJoin(c.Args))
		add("  "+w.T("Requests"), jobspec.FormatResources(c.Resources.Requests))
		add("  "+w.T("Limits"), jobspec.FormatResources(c.Resources.Limits))
		for _, p := range c.Ports {
			add("  "+w.T("Port"), jobspec.FormatPort(p))
		}
		for _, e := range c.Env {
			add("  "+w.T("Environment"), describeEnv(e))
		}
		for _, e := range c.EnvFrom {
			add("  "+w.T("Environment"), w.T("all keys of %s", describeEnvFrom(e)))
		}
		add("  "+w.T("Image pull policy"), string(c.ImagePullPolicy))
		if kind == "" && i < len(built.Containers) {
			add("  "+w.T("Security"), securityText(built.Containers[i].SecurityContext))
		} else if kind != "" && i < len(built.InitContainers) {
			add("  "+w.T("Security"), securityText(built.InitContainers[i].SecurityContext))
		}
		for _, m := range c.VolumeMounts {
			t, ok := jobspec.FormatMount(m)
			if !ok {
				t = m.MountPath + "=" + m.Name
			}
			add("  "+w.T("Mount"), t)
		}
	}
	for i, c := range s.Containers {
		describeContainer("", c, i)
	}
	for i, c := range s.InitContainers {
		describeContainer("init", c, i)
	}
	add(w.T("Image pull secrets"), strings.Join(s.ImagePullSecrets, ", "))
	add(w.T("Service account"), s.ServiceAccount)
	w.securitySummary(s, add)

	section(4, steps[3].title)
	for _, v := range s.Volumes {
		add(w.T("Volume"), describeVolume(v))
	}
	section(5, steps[4].title)
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		add(w.T("Label"), k+"="+s.Labels[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.PodLabels)) {
		if v, ok := s.Labels[k]; !ok || v != s.PodLabels[k] {
			add(w.T("Pod label"), k+"="+s.PodLabels[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Annotations)) {
		add(w.T("Annotation"), k+"="+s.Annotations[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.PodAnnotations)) {
		add(w.T("Pod annotation"), k+"="+s.PodAnnotations[k])
	}
	section(6, steps[5].title)
	for _, k := range slices.Sorted(maps.Keys(s.NodeSelector)) {
		if k == corev1.LabelHostname {
			add(w.T("Node"), s.NodeSelector[k])
		} else {
			add(w.T("Node label"), k+"="+s.NodeSelector[k])
		}
	}
	for _, t := range s.Tolerations {
		x, ok := jobspec.FormatToleration(t)
		if !ok {
			x = fmt.Sprintf("%s %s %s", t.Key, t.Operator, t.Effect)
		}
		add(w.T("Toleration"), x)
	}

	cells := 0
	for _, r := range rows {
		if r.label[0] != 0 && width(r.label) > cells {
			cells = width(r.label)
		}
	}
	for i, r := range rows {
		if r.label[0] == 0 {
			// A step with nothing set says so.
			if i+1 == len(rows) || rows[i+1].label[0] == 0 {
				w.say(w.style(bold, "  "+r.label[1:]) + "  " + w.style(dim, w.T("(none)")))
				continue
			}
			w.say(w.style(bold, "  "+r.label[1:]))
			continue
		}
		w.say("    " + w.style(dim, pad(r.label, cells)) + "  " + r.value)
	}
}

// quota shows the namespace's ResourceQuota use that a Job counts
// against, as the console's Job list does, and what of this Job will not
// fit (the server's refusal of one Job too many, pods that will wait for
// room, requests a quota demands), so a full quota is seen before Create
// rather than as a refusal or a stuck Job after it. Both are lookup's
// rules, which the tests against a real API server check.
func (w *Wizard) quota(s *jobspec.Spec) {
	if w.cfg.Lookup == nil || w.cfg.NoCluster != "" {
		return
	}
	ns := w.namespace(s)
	ctx, cancel := w.lookupCtx()
	uses, err := w.cfg.Lookup.Quota(ctx, ns)
	cancel()
	if err != nil || len(uses) == 0 {
		return
	}
	lines := lookup.QuotaSummary(uses)
	for i := range lines {
		lines[i] = safe(lines[i])
	}
	w.note(w.T("Quota in %s: %s", safe(ns), strings.Join(lines, "; ")))
	var req, lim corev1.ResourceList
	if d, _ := w.namespaceLimits(ns); d != nil {
		req, lim = d[0], d[1]
	}
	for _, line := range lookup.QuotaWarnings(w.job(s), uses, req, lim) {
		w.warn("⚠ " + safe(line))
	}
}

// orDefault shows an unset count as the API's default.
func orDefault(v, def string, w *Wizard) string {
	if v != "" {
		return v
	}
	return def + " " + w.T("(default)")
}

// fileArgs are the flags that create what file holds: -f, and for a
// CronJob --kind cronjob (-f of one is its jobTemplate as a Job otherwise).
func fileArgs(s *jobspec.Spec, file string) []string {
	if s.IsCronJob() {
		return []string{"-f", file, "--kind", "cronjob"}
	}
	return []string{"-f", file}
}
