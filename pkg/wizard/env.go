package wizard

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
)

// Kinds of environment variable the env loop offers, in its order.
const (
	envDone = iota
	envValue
	envConfigMapKey
	envSecretKey
	envConfigMapAll
	envSecretAll
	envField
	envResource
)

// downwardFields are the pod fields a variable can take (fieldRef).
var downwardFields = []string{"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
	"spec.serviceAccountName", "status.podIP", "status.hostIP"}

// resourceFields are the container resources a variable can take.
var resourceFields = []string{"limits.cpu", "limits.memory", "requests.cpu", "requests.memory",
	"limits.ephemeral-storage", "requests.ephemeral-storage"}

func describeEnv(e corev1.EnvVar) string {
	if e.ValueFrom == nil {
		return safe(e.Name + "=" + e.Value)
	}
	if t, ok := jobspec.FormatEnvValueFrom(e); ok {
		return safe(t)
	}
	return safe(e.Name) + "=(valueFrom)"
}

func describeEnvFrom(e corev1.EnvFromSource) string {
	if t, ok := jobspec.FormatEnvFrom(e); ok {
		return safe(t)
	}
	return "(envFrom)"
}

func (w *Wizard) env(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container) error {
	// Variables and whole sources are one list to keep, in that order.
	type envItem struct {
		v    *corev1.EnvVar
		from *corev1.EnvFromSource
	}
	c := ctr(s)
	var items []envItem
	for i := range c.Env {
		items = append(items, envItem{v: &c.Env[i]})
	}
	for i := range c.EnvFrom {
		items = append(items, envItem{from: &c.EnvFrom[i]})
	}
	kept, err := keepItems(w, w.T("Environment variables to keep"), items, func(it envItem) string {
		if it.v != nil {
			return describeEnv(*it.v)
		}
		return w.T("all keys of %s", describeEnvFrom(*it.from))
	}, nil)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		var env []corev1.EnvVar
		var from []corev1.EnvFromSource
		for _, it := range kept {
			if it.v != nil {
				env = append(env, *it.v)
			} else {
				from = append(from, *it.from)
			}
		}
		c.Env, c.EnvFrom = env, from
	}
	for {
		msg := w.T("Add an environment variable?")
		if len(ctr(s).Env)+len(ctr(s).EnvFrom) > 0 {
			msg = w.T("Add another environment variable?")
		}
		kind, err := w.p.Select(Select{Message: msg, Options: []Option{
			{Label: w.T("No more variables")},
			{Label: w.T("A value (NAME=VALUE)")},
			{Label: w.T("One key of a ConfigMap")},
			{Label: w.T("One key of a Secret")},
			{Label: w.T("All keys of a ConfigMap")},
			{Label: w.T("All keys of a Secret")},
			{Label: w.T("A field of the pod (name, namespace, IP, …)")},
			{Label: w.T("A resource of the container (limits.cpu, …)")},
		}})
		if err != nil {
			return err
		}
		if kind == envDone {
			return nil
		}
		if err := w.addEnv(s, field, ctr, kind); err != nil {
			return err
		}
	}
}

func (w *Wizard) addEnv(s *jobspec.Spec, field string, ctr func(*jobspec.Spec) *corev1.Container, kind int) error {
	// applyVar applies one value of --env or --env-value-from to the
	// container, as the flag does, and returns the field it set.
	applyVar := func(flag string) jobspec.Applier {
		if flag == "--env" {
			return onContainer(ctr, field, jobspec.ApplyEnvInOrder)
		}
		return onContainer(ctr, field, jobspec.ApplyEnvValueFrom)
	}
	checkVar := func(flag string, text func(string) string) func(string) error {
		return func(a string) error {
			err := judgeAdded(s, text(a), applyVar(flag))
			if flag == "--env" {
				return w.explain(err, true)
			}
			return w.explainRule(err)
		}
	}
	askVarName := func(def string, text func(string) string) error {
		a, err := w.input(w.T("Variable name"), def, "", checkVar("--env-value-from", text))
		if err != nil {
			return err
		}
		_, err = applyVar("--env-value-from")(s, text(a))
		return err
	}

	switch kind {
	case envValue:
		// The value is kept as typed: spaces may matter.
		raw, err := w.p.Input(Input{Message: w.T("NAME=VALUE"), Validate: checkVar("--env", func(a string) string { return a })})
		if err != nil {
			return err
		}
		_, err = applyVar("--env")(s, raw)
		return err

	case envConfigMapKey, envSecretKey:
		src := "configmap"
		if kind == envSecretKey {
			src = "secret"
		}
		obj, keys, err := w.keyedObject(s, src, func(name string) error {
			return checkVar("--env-value-from", func(string) string { return "CHECK=" + src + ":" + name + ":key" })("CHECK")
		})
		if err != nil {
			return err
		}
		key, err := w.chooseName(w.T("Key"), "", keys, nil, false, func(k string) error {
			return checkVar("--env-value-from", func(string) string { return "CHECK=" + src + ":" + obj + ":" + k })("CHECK")
		})
		if err != nil {
			return err
		}
		return askVarName(envName(key), func(a string) string { return a + "=" + src + ":" + obj + ":" + key })

	case envConfigMapAll, envSecretAll:
		src := "configmap"
		if kind == envSecretAll {
			src = "secret"
		}
		apply := onContainer(ctr, field, jobspec.ApplyEnvFrom)
		check := func(text string) error { return w.explainRule(judgeAdded(s, text, apply)) }
		obj, _, err := w.keyedObject(s, src, func(name string) error { return check(src + ":" + name) })
		if err != nil {
			return err
		}
		prefix, err := w.input(w.T("Prefix for the variable names (optional, e.g. APP_)"), "", "", func(a string) error {
			return check(src + ":" + obj + ":" + clearable(a))
		})
		if err != nil {
			return err
		}
		text := src + ":" + obj
		if p := clearable(prefix); p != "" {
			text += ":" + p
		}
		_, err = apply(s, text)
		return err

	case envField, envResource:
		src, choices, msg := "field", downwardFields, w.T("Pod field")
		if kind == envResource {
			src, choices, msg = "resource", resourceFields, w.T("Resource")
		}
		opts := make([]Option, len(choices))
		for i, c := range choices {
			opts[i] = Option{Label: c}
		}
		i, err := w.p.Select(Select{Message: msg, Options: opts})
		if err != nil {
			return err
		}
		return askVarName(envName(choices[i]), func(a string) string { return a + "=" + src + ":" + choices[i] })
	}
	return nil
}

// keyedObject asks for a ConfigMap or Secret (src "configmap" or "secret"):
// from the cluster's list when there is one. It returns the name and, when
// the cluster told them, its key names (never a Secret's values).
func (w *Wizard) keyedObject(s *jobspec.Spec, src string, validate func(string) error) (string, []string, error) {
	var objs []lookup.KeyedObject
	msg := w.T("ConfigMap")
	if src == "secret" {
		msg = w.T("Secret")
	}
	if w.cfg.Lookup != nil {
		ctx, cancel := w.lookupCtx()
		var err error
		if src == "secret" {
			objs, err = w.cfg.Lookup.Secrets(ctx, w.namespace(s))
		} else {
			objs, err = w.cfg.Lookup.ConfigMaps(ctx, w.namespace(s))
		}
		cancel()
		if err != nil {
			w.lookupFailed(map[string]string{"configmap": w.T("ConfigMaps"), "secret": w.T("Secrets")}[src], err)
			objs = nil
		}
	}
	names := make([]string, len(objs))
	descs := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
		descs[i] = countOf(w, len(o.Keys), "%d key", "%d keys")
		if o.Type != "" {
			descs[i] += ", " + o.Type
		}
	}
	name, err := w.chooseName(msg, "", names, descs, false, validate)
	if err != nil {
		return "", nil, err
	}
	for _, o := range objs {
		if o.Name == name {
			return name, o.Keys, nil
		}
	}
	return name, nil, nil
}
