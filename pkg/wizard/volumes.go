package wizard

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 4: volumes ----

// Kinds of volume the loop offers, in its order.
const (
	volDone = iota
	volPVC
	volEmptyDir
	volConfigMap
	volSecret
	volHostPath
)

func describeVolume(v corev1.Volume) string {
	if t, ok := jobspec.FormatVolume(v); ok {
		return safe(t)
	}
	return safe(v.Name)
}

func (w *Wizard) stepVolumes(s *jobspec.Spec) error {
	var err error
	s.Volumes, err = keepItems(w, w.T("Volumes to keep"), s.Volumes, describeVolume, func(v corev1.Volume) { unmount(s, v.Name) })
	if err != nil {
		return err
	}
	for {
		msg := w.T("Add a volume?")
		if len(s.Volumes) > 0 {
			msg = w.T("Add another volume?")
		}
		kind, err := w.p.Select(Select{Message: msg, Options: []Option{
			{Label: w.T("No more volumes")},
			{Label: w.T("Persistent volume (an existing PVC)"), Description: w.T("keeps data after the pod is gone")},
			{Label: w.T("Temporary volume (emptyDir)"), Description: w.T("lives and dies with the pod; survives container restarts")},
			{Label: w.T("ConfigMap"), Description: w.T("its keys as files")},
			{Label: w.T("Secret"), Description: w.T("its keys as files, kept in memory (tmpfs)")},
			{Label: w.T("Host path"), Description: w.T("a folder of the node")},
		}})
		if err != nil {
			return err
		}
		if kind == volDone {
			return nil
		}
		if err := w.addVolume(s, kind); err != nil {
			return err
		}
	}
}

// unmount removes every mount of the volume name.
func unmount(s *jobspec.Spec, name string) {
	for _, list := range []*[]corev1.Container{&s.Containers, &s.InitContainers} {
		for i := range *list {
			c := &(*list)[i]
			var keep []corev1.VolumeMount
			for _, m := range c.VolumeMounts {
				if m.Name != name {
					keep = append(keep, m)
				}
			}
			c.VolumeMounts = keep
		}
	}
}

// withVolume applies a --volume value to c with a stand-in mount, so
// that Validate judges the volume itself and not its missing mount, which
// is the next question.
func withVolume(c *jobspec.Spec, text string) (string, error) {
	field, err := jobspec.ApplyVolume(c, text, 0)
	if err != nil {
		return "", err
	}
	name := c.Volumes[len(c.Volumes)-1].Name
	ct := c.MainContainer()
	ct.VolumeMounts = append(ct.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: "/.job-wizard-check/" + name})
	return field, nil
}

func (w *Wizard) checkVolume(s *jobspec.Spec, text string) error {
	return w.explainRule(judgeAdded(s, text, withVolume))
}

// uniqueVolumeName makes base unique among the Spec's volumes.
func uniqueVolumeName(s *jobspec.Spec, base string) string {
	taken := map[string]bool{}
	for _, v := range s.Volumes {
		taken[v.Name] = true
	}
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}

func (w *Wizard) addVolume(s *jobspec.Spec, kind int) error {
	// source is the --volume text after NAME=; base the suggested name.
	var source, base string
	readOnly := false
	switch kind {
	case volPVC:
		var names, descs []string
		if w.cfg.Lookup != nil {
			ctx, cancel := w.lookupCtx()
			pvcs, err := w.cfg.Lookup.PVCs(ctx, w.namespace(s))
			cancel()
			if err != nil {
				w.lookupFailed(w.T("persistent volume claims"), err)
			}
			for _, p := range pvcs {
				names = append(names, p.Name)
				d := p.Phase
				if p.Capacity != "" {
					d += ", " + p.Capacity
				}
				if len(p.AccessModes) > 0 {
					d += ", " + strings.Join(p.AccessModes, ",")
				}
				descs = append(descs, d)
			}
			if err == nil && len(pvcs) == 0 {
				w.note(w.T("The namespace has no PVCs yet; type the name of one you will create."))
			}
		}
		claim, err := w.chooseName(w.T("Persistent volume claim"), "", names, descs, false, func(a string) error {
			return w.checkVolume(s, "vol=pvc:"+a)
		})
		if err != nil {
			return err
		}
		source, base = "pvc:"+claim, suggestName(claim)

	case volEmptyDir:
		i, err := w.p.Select(Select{Message: w.T("Where does the temporary volume live?"), Options: []Option{
			{Label: w.T("On the node's disk")},
			{Label: w.T("In memory (tmpfs; counts against the memory limit)")},
		}})
		if err != nil {
			return err
		}
		var opts []string
		if i == 1 {
			opts = append(opts, "medium=Memory")
		}
		size, err := w.input(w.T("Size limit (optional, e.g. 1Gi)"), "", "", func(a string) error {
			if clearable(a) == "" {
				return nil
			}
			return w.checkVolume(s, "vol=emptydir:"+strings.Join(append(append([]string{}, opts...), "size="+a), ","))
		})
		if err != nil {
			return err
		}
		if size = clearable(size); size != "" {
			opts = append(opts, "size="+size)
		}
		source, base = "emptydir", "scratch"
		if len(opts) > 0 {
			source += ":" + strings.Join(opts, ",")
		}

	case volConfigMap, volSecret:
		src := "configmap"
		if kind == volSecret {
			src = "secret"
		}
		readOnly = true
		obj, keys, err := w.keyedObject(s, src, func(a string) error { return w.checkVolume(s, "vol="+src+":"+a) })
		if err != nil {
			return err
		}
		items, err := w.volumeItems(s, src, obj, keys)
		if err != nil {
			return err
		}
		source, base = src+":"+obj, suggestName(obj)
		if items != "" {
			source += ":" + items
		}

	case volHostPath:
		p, err := w.input(w.T("Path on the node (absolute, e.g. /var/log)"), "", "", func(a string) error {
			return w.checkVolume(s, "vol=hostpath:"+a)
		})
		if err != nil {
			return err
		}
		source, base = "hostpath:"+p, suggestName(path.Base(p))
		if base == "job" {
			base = "host"
		}
	}

	name, err := w.input(w.T("Volume name"), uniqueVolumeName(s, base), "", func(a string) error {
		return w.checkVolume(s, a+"="+source)
	})
	if err != nil {
		return err
	}
	if _, err := jobspec.ApplyVolume(s, name+"="+source, 0); err != nil {
		return err
	}
	return w.mounts(s, s.Volumes[len(s.Volumes)-1].Name, readOnly)
}

// volumeItems asks whether all keys become files or only chosen ones, and
// where each goes; it returns the KEY=PATH list of --volume.
func (w *Wizard) volumeItems(s *jobspec.Spec, src, obj string, keys []string) (string, error) {
	i, err := w.p.Select(Select{Message: w.T("Which keys become files?"), Options: []Option{
		{Label: w.T("All keys, each a file named after it")},
		{Label: w.T("Chosen keys, at chosen paths")},
	}})
	if err != nil || i == 0 {
		return "", err
	}
	check := func(items string) error { return w.checkVolume(s, "vol="+src+":"+obj+":"+items) }
	if len(keys) == 0 {
		return w.input(w.T("Keys and paths: KEY=PATH,… (e.g. app.yaml=conf/app.yaml)"), "", "", check)
	}
	opts := make([]Option, len(keys))
	for i, k := range keys {
		opts[i] = Option{Label: safe(k)}
	}
	var picked []int
	for len(picked) == 0 {
		if picked, err = w.p.MultiSelect(MultiSelect{Message: w.T("Keys (space to pick)"), Options: opts}); err != nil {
			return "", err
		}
		if len(picked) == 0 {
			w.warn(w.T("Pick at least one key, or go back and take all keys."))
		}
	}
	var items []string
	for _, i := range picked {
		k := keys[i]
		p, err := w.input(w.T("Path of %s in the volume", safe(k)), k, "", func(a string) error {
			return check(strings.Join(append(append([]string{}, items...), k+"="+a), ","))
		})
		if err != nil {
			return "", err
		}
		items = append(items, k+"="+p)
	}
	return strings.Join(items, ","), nil
}

// mounts asks where the new volume is mounted: in which container (when
// there are several), at which path, read-only or not, and a sub path.
func (w *Wizard) mounts(s *jobspec.Spec, volume string, readOnly bool) error {
	type target struct {
		init bool
		i    int
	}
	var targets []target
	var opts []Option
	for i, c := range s.Containers {
		targets = append(targets, target{false, i})
		opts = append(opts, Option{Label: safe(c.Name), Description: w.T("container")})
	}
	for i, c := range s.InitContainers {
		targets = append(targets, target{true, i})
		opts = append(opts, Option{Label: safe(c.Name), Description: w.T("init container")})
	}
	for {
		t := target{false, 0}
		if len(targets) > 1 {
			i, err := w.p.Select(Select{Message: w.T("Mount %s in which container?", safe(volume)), Options: opts})
			if err != nil {
				return err
			}
			t = targets[i]
		} else if len(targets) == 0 {
			s.MainContainer()
		}
		ctr := func(c *jobspec.Spec) *corev1.Container { return &(*containers(c, t.init))[t.i] }
		// 0: an answer adds a mount, so a path given twice is told.
		apply := onContainer(ctr, containerField(t.init, t.i), func(c *corev1.Container, text string) (string, error) {
			return jobspec.ApplyMount(c, text, 0)
		})
		check := func(text string) error { return w.explainRule(judgeAdded(s, text, apply)) }
		mp, err := w.input(w.T("Mount path in the container (absolute, e.g. /data)"), "", "", func(a string) error {
			return check(a + "=" + volume)
		})
		if err != nil {
			return err
		}
		ro, err := w.p.Confirm(Confirm{Message: w.T("Read-only?"), Default: readOnly})
		if err != nil {
			return err
		}
		text := mp + "=" + volume
		if ro {
			text += ":ro"
		}
		sub, err := w.input(w.T("Sub path in the volume (optional)"), "", "", func(a string) error {
			if clearable(a) == "" {
				return nil
			}
			return check(text + ":subpath=" + a)
		})
		if err != nil {
			return err
		}
		if sub = clearable(sub); sub != "" {
			text += ":subpath=" + sub
		}
		if _, err := apply(s, text); err != nil {
			return err
		}
		if len(targets) < 2 {
			return nil
		}
		more, err := w.p.Confirm(Confirm{Message: w.T("Mount %s in another container too?", safe(volume))})
		if err != nil || !more {
			return err
		}
	}
}
