package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kballard/go-shellquote"
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 3: pod template ----

func (w *Wizard) stepPod(s *jobspec.Spec) error {
	policies := []corev1.RestartPolicy{corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure}
	def := 0
	if s.RestartPolicy == corev1.RestartPolicyOnFailure {
		def = 1
	}
	i, err := w.selectValid(Select{Message: w.T("Restart policy"), Default: def, Options: []Option{
		{Label: "Never", Description: w.T("a failed pod is kept and a new pod is created (.status.failed goes up by 1)")},
		{Label: "OnFailure", Description: w.T("the container is restarted inside the same pod (.status.failed stays)")},
	}}, func(i int) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error {
			_, err := jobspec.ApplyRestartPolicy(c, string(policies[i]))
			return err
		}, "spec.template.spec.restartPolicy", "spec.podFailurePolicy"), false)
	})
	if err != nil {
		return err
	}
	// Never is the default; an unset policy stays unset.
	if !(s.RestartPolicy == "" && i == 0) {
		if _, err := jobspec.ApplyRestartPolicy(s, string(policies[i])); err != nil {
			return err
		}
	}

	if err := w.containerList(s, false); err != nil {
		return err
	}
	if err := w.containerList(s, true); err != nil {
		return err
	}
	if err := w.sidecars(s); err != nil {
		return err
	}
	if err := w.serviceAccount(s); err != nil {
		return err
	}
	if err := w.priorityClass(s); err != nil {
		return err
	}
	return w.securityQuestion(s)
}

// containers returns the list the loop works on.
func containers(c *jobspec.Spec, init bool) *[]corev1.Container {
	if init {
		return &c.InitContainers
	}
	return &c.Containers
}

func containerField(init bool, i int) string {
	if init {
		return fmt.Sprintf("spec.template.spec.initContainers[%d]", i)
	}
	return fmt.Sprintf("spec.template.spec.containers[%d]", i)
}

// containerList walks the containers (or init containers) there are, then
// adds more while the person wants.
func (w *Wizard) containerList(s *jobspec.Spec, init bool) error {
	list := containers(s, init)
	if len(*list) > 0 && (init || len(*list) > 1) {
		msg := w.T("Containers to keep")
		if init {
			msg = w.T("Init containers to keep")
		}
		kept, err := keepItems(w, msg, *list, func(c corev1.Container) string {
			return safe(c.Name) + " (" + safe(c.Image) + ")"
		}, nil)
		if err != nil {
			return err
		}
		if !init && len(kept) == 0 {
			w.warn(w.T("A Job needs a container; the first one is kept."))
			kept = (*list)[:1]
		}
		*list = kept
	}
	if !init && len(*list) == 0 {
		*list = append(*list, corev1.Container{})
	}
	for i := range *list {
		if err := w.container(s, init, i); err != nil {
			return err
		}
	}
	for {
		msg := w.T("Add another container?")
		if init {
			msg = w.T("Add an init container (runs to completion before the containers start)?")
			if len(*list) > 0 {
				msg = w.T("Add another init container?")
			}
		}
		more, err := w.p.Confirm(Confirm{Message: msg})
		if err != nil || !more {
			return err
		}
		*list = append(*list, corev1.Container{})
		if err := w.container(s, init, len(*list)-1); err != nil {
			return err
		}
	}
}

// container asks one container's questions, with its current values as
// the defaults.
func (w *Wizard) container(s *jobspec.Spec, init bool, i int) error {
	field := containerField(init, i)
	ctr := func(c *jobspec.Spec) *corev1.Container { return &(*containers(c, init))[i] }
	title := w.T("Container %d", i+1)
	if init {
		title = w.T("Init container %d", i+1)
		if isSidecar(*ctr(s)) {
			title = w.T("Sidecar %d", i+1)
		}
	}
	w.say(w.style(bold, "  "+title))

	img, err := w.input(w.T("Image"), ctr(s).Image,
		w.T("Images come from Docker Hub unless the name says a registry; give a tag, e.g. perl:5.28.0. For a private registry such as Harbor, add an image pull secret."),
		func(a string) error {
			return w.explain(judgeAdded(s, a, onContainer(ctr, field, jobspec.ApplyImage)), false)
		})
	if err != nil {
		return err
	}
	if _, err := jobspec.ApplyImage(ctr(s), img); err != nil {
		return err
	}

	main := !init && i == 0
	if main && s.Name == "" && s.GenerateName == "" {
		if err := w.askName(s, true); err != nil {
			return err
		}
	}
	def := ctr(s).Name
	if def == "" {
		def = w.defaultContainerName(s, init, i)
	}
	name, err := w.input(w.T("Container name"), def, "", func(a string) error {
		return w.explain(judgeAdded(s, a, onContainer(ctr, field, jobspec.ApplyContainerName)), false)
	})
	if err != nil {
		return err
	}
	if _, err := jobspec.ApplyContainerName(ctr(s), name); err != nil {
		return err
	}

	if err := w.resources(s, field, ctr); err != nil {
		return err
	}
	return w.containerAdvanced(s, init, i, field, ctr)
}

// defaultContainerName is the Job's name for the first container (as
// kubectl create job does), else one made of the image, made unique.
func (w *Wizard) defaultContainerName(s *jobspec.Spec, init bool, i int) string {
	if !init && i == 0 {
		return s.DefaultContainerName()
	}
	base := suggestName((*containers(s, init))[i].Image)
	taken := map[string]bool{}
	for _, cs := range [][]corev1.Container{s.Containers, s.InitContainers} {
		for _, c := range cs {
			taken[c.Name] = true
		}
	}
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}

func (w *Wizard) resources(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	type which struct {
		msg, help, flag string
		apply           jobspec.ContainerApplier
		get             func(*corev1.Container) *corev1.ResourceList
	}
	for _, q := range []which{
		{w.T("Requests (minimum: cpu=100m,memory=128Mi; Enter for none)"),
			w.T("requests: the least CPU and memory the container needs; a node must have that much free to run it. 0 means none for that resource."),
			"--request", jobspec.ApplyRequest, func(c *corev1.Container) *corev1.ResourceList { return &c.Resources.Requests }},
		{w.T("Limits (maximum: cpu=1,memory=1Gi; Enter for none)"),
			w.T("limits: the most CPU and memory the container may use; above the memory limit it may be killed. 0 means no limit for that resource."),
			"--limit", jobspec.ApplyLimit, func(c *corev1.Container) *corev1.ResourceList { return &c.Resources.Limits }},
	} {
		def := jobspec.FormatResources(*q.get(ctr(s)))
		if suggested := w.limitRangeDefaults(s, ctr(s)); suggested != nil && def == "" {
			if q.flag == "--request" {
				def = jobspec.FormatResources(suggested[0])
			} else {
				def = jobspec.FormatResources(suggested[1])
			}
		}
		set := func(c *jobspec.Spec, a string) error {
			v, ok := optional(a)
			if !ok {
				*q.get(ctr(c)) = nil
				return nil
			}
			// The answer is the whole list (its default shows what there
			// is), so it is applied over none; 0 means none for that
			// resource, as in the console.
			var answer corev1.Container
			if _, err := q.apply(&answer, v); err != nil {
				return err
			}
			*q.get(ctr(c)) = *q.get(&answer)
			return nil
		}
		a, err := w.input(q.msg, def, q.help, func(a string) error {
			return w.explain(judge(s, func(c *jobspec.Spec) error { return set(c, a) }, field+".resources"), true)
		})
		if err != nil {
			return err
		}
		if err := set(s, a); err != nil {
			return err
		}
	}
	return nil
}

// limitRangeDefaults are the namespace's LimitRange defaults for a
// container that sets no resources of its own: the server would apply them
// anyway, so they are the honest defaults to show. Nil without a cluster.
func (w *Wizard) limitRangeDefaults(s *jobspec.Spec, c *corev1.Container) []corev1.ResourceList {
	if w.cfg.Lookup == nil || len(c.Resources.Requests) > 0 || len(c.Resources.Limits) > 0 {
		return nil
	}
	out, fetched := w.namespaceLimits(w.namespace(s))
	if fetched && out != nil {
		w.note(w.T("The namespace's LimitRange gives these defaults."))
	}
	return out
}

// namespaceLimits are the LimitRange defaults of ns ({requests, limits},
// nil when there are none or they cannot be read), asked once per
// namespace; fetched says that this call asked.
func (w *Wizard) namespaceLimits(ns string) (out []corev1.ResourceList, fetched bool) {
	if cached, ok := w.limitDefaults[ns]; ok {
		return cached, false
	}
	ctx, cancel := w.lookupCtx()
	req, lim, err := w.cfg.Lookup.LimitDefaults(ctx, ns)
	cancel()
	if err == nil && (len(req) > 0 || len(lim) > 0) {
		out = []corev1.ResourceList{req, lim}
	}
	w.limitDefaults[ns] = out
	return out, true
}

// Sections of a container's advanced options.
const (
	secCommand = iota
	secPorts
	secEnv
	secPull
)

func (w *Wizard) containerAdvanced(s *jobspec.Spec, init bool, i int, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	c := ctr(s)
	main := !init && i == 0
	opts := []Option{
		{Label: w.T("Command and arguments")},
		{Label: w.T("Ports")},
		{Label: w.T("Environment variables")},
		{Label: w.T("Image pull policy")},
	}
	if main {
		opts[secPull].Label = w.T("Image pull policy and pull secrets")
	}
	var defs []int
	if len(c.Command) > 0 || len(c.Args) > 0 {
		defs = append(defs, secCommand)
	}
	if len(c.Ports) > 0 {
		defs = append(defs, secPorts)
	}
	if len(c.Env) > 0 || len(c.EnvFrom) > 0 {
		defs = append(defs, secEnv)
	}
	if c.ImagePullPolicy != "" || main && len(s.ImagePullSecrets) > 0 {
		defs = append(defs, secPull)
	}
	picked, err := w.p.MultiSelect(MultiSelect{
		Message:  w.T("Advanced options for container %s", safe(c.Name)),
		Options:  opts,
		Defaults: defs,
	})
	if err != nil {
		return err
	}
	for _, sec := range picked {
		var err error
		switch sec {
		case secCommand:
			err = w.command(s, field, ctr)
		case secPorts:
			err = w.ports(s, field, ctr)
		case secEnv:
			err = w.env(s, field, ctr)
		case secPull:
			err = w.pullPolicy(s, field, ctr)
			if err == nil && main {
				err = w.pullSecrets(s)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// splitWords reads a shell-like line into words, as a person types a
// command: quotes group, backslashes escape.
func (w *Wizard) splitWords(a string) ([]string, error) {
	// $'…' is how a default with a newline is shown (jobspec.ShellQuote).
	words, err := shellquote.Split(jobspec.ExpandANSIQuotes(a))
	if err != nil {
		return nil, fmt.Errorf("%s", w.T("the quotes do not match; put a word with spaces in '…' or \"…\""))
	}
	return words, nil
}

func (w *Wizard) command(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	for _, q := range []struct {
		msg, help string
		get       func(*corev1.Container) *[]string
	}{
		{w.T("Command (as on a shell line; Enter keeps the image's entrypoint)"),
			w.T("The container's start command, e.g. perl -Mbignum=bpi -wle 'print bpi(2000)'. Quote words that hold spaces."),
			func(c *corev1.Container) *[]string { return &c.Command }},
		{w.T("Arguments (optional)"),
			w.T("Arguments to the command (or to the image's entrypoint), as on a shell line."),
			func(c *corev1.Container) *[]string { return &c.Args }},
	} {
		def := shellJoin(*q.get(ctr(s)))
		raw, err := w.p.Input(Input{Message: q.msg, Default: def, Help: q.help, Validate: func(a string) error {
			if a == def {
				return nil
			}
			_, err := w.splitWords(a)
			return err
		}})
		if err != nil {
			return err
		}
		if raw == def {
			// A default is taken as it is, never read back through the
			// parser: a multi-line script shows as $'…', which it cannot
			// read, and Enter must keep it all the same.
			continue
		}
		if strings.TrimSpace(raw) == clearWord {
			raw = ""
		}
		words, err := w.splitWords(raw)
		if err != nil {
			return err
		}
		if len(words) == 0 {
			words = nil
		}
		*q.get(ctr(s)) = words
	}
	return nil
}

func (w *Wizard) ports(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	c := ctr(s)
	var err error
	if c.Ports, err = keepItems(w, w.T("Ports to keep"), c.Ports, jobspec.FormatPort, nil); err != nil {
		return err
	}
	return w.lineLoop(w.T("Port: [NAME:]PORT[/UDP], e.g. 8080 or metrics:9090 (Enter to finish)"),
		w.T("A port the container listens on; TCP unless /UDP (or /SCTP) follows."),
		// 0: an answer adds a port, so one given twice is told.
		onContainer(ctr, field, func(c *corev1.Container, a string) (string, error) { return jobspec.ApplyPort(c, a, 0) }), s)
}

func (w *Wizard) pullPolicy(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	policies := []corev1.PullPolicy{"", corev1.PullIfNotPresent, corev1.PullAlways, corev1.PullNever}
	def := 0
	for i, p := range policies {
		if p == ctr(s).ImagePullPolicy {
			def = i
		}
	}
	i, err := w.p.Select(Select{Message: w.T("Image pull policy"), Default: def, Options: []Option{
		{Label: w.T("Default"), Description: w.T("IfNotPresent, or Always for a :latest image")},
		{Label: "IfNotPresent", Description: w.T("use the node's copy when it has one")},
		{Label: "Always", Description: w.T("pull every time a container starts")},
		{Label: "Never", Description: w.T("only use the node's copy")},
	}})
	if err != nil {
		return err
	}
	if i == 0 {
		ctr(s).ImagePullPolicy = ""
		return nil
	}
	_, err = jobspec.ApplyImagePullPolicy(ctr(s), string(policies[i]))
	return err
}

func (w *Wizard) pullSecrets(s *jobspec.Spec) error {
	field := "spec.template.spec.imagePullSecrets"
	validate := func(names []string) error {
		return w.explain(judge(s, func(c *jobspec.Spec) error { c.ImagePullSecrets = names; return nil }, field), false)
	}
	if w.cfg.Lookup != nil {
		ctx, cancel := w.lookupCtx()
		list, err := w.cfg.Lookup.ImagePullSecrets(ctx, w.namespace(s))
		cancel()
		switch {
		case err != nil:
			w.lookupFailed(w.T("image pull secrets"), err)
		case len(list) > 0:
			opts := make([]Option, len(list))
			var defs []int
			for i, n := range list {
				opts[i] = Option{Label: safe(n)}
				for _, cur := range s.ImagePullSecrets {
					if cur == n {
						defs = append(defs, i)
					}
				}
			}
			picked, err := w.p.MultiSelect(MultiSelect{Message: w.T("Image pull secrets"), Options: opts, Defaults: defs})
			if err != nil {
				return err
			}
			var names []string
			for _, i := range picked {
				names = append(names, list[i])
			}
			// Keep secrets from -f that the cluster does not list.
			for _, cur := range s.ImagePullSecrets {
				if !slices.Contains(list, cur) {
					names = append(names, cur)
				}
			}
			s.ImagePullSecrets = names
			return nil
		}
	}
	split := func(a string) []string {
		var names []string
		for _, n := range strings.Split(a, ",") {
			if n = strings.TrimSpace(n); n != "" && n != clearWord {
				names = append(names, n)
			}
		}
		return names
	}
	a, err := w.input(w.T("Image pull secrets (comma separated, optional)"), strings.Join(s.ImagePullSecrets, ","),
		w.T("Secrets of type kubernetes.io/dockerconfigjson that let the node pull from a private registry such as Harbor."),
		func(a string) error { return validate(split(a)) })
	if err != nil {
		return err
	}
	s.ImagePullSecrets = split(a)
	return nil
}

func (w *Wizard) serviceAccount(s *jobspec.Spec) error {
	var names []string
	if w.cfg.Lookup != nil {
		ctx, cancel := w.lookupCtx()
		list, err := w.cfg.Lookup.ServiceAccounts(ctx, w.namespace(s))
		cancel()
		if err != nil {
			w.lookupFailed(w.T("service accounts"), err)
		}
		names = list
	}
	a, err := w.chooseName(w.T("Service account (optional; Enter for the namespace's default)"), s.ServiceAccount, names, nil, true, func(a string) error {
		return w.explain(judgeAdded(s, clearable(a), jobspec.ApplyServiceAccount), false)
	})
	if err != nil {
		return err
	}
	_, err = jobspec.ApplyServiceAccount(s, clearable(a))
	return err
}
