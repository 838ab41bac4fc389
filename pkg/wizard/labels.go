package wizard

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 5: labels ----

func (w *Wizard) stepLabels(s *jobspec.Spec) error {
	// Labels go on the Job and its pods alike, as --label sets them; a
	// manifest may have given the pods others, which are kept apart.
	keys := map[string]bool{}
	for k := range s.Labels {
		keys[k] = true
	}
	for k := range s.PodLabels {
		keys[k] = true
	}
	if len(keys) > 0 {
		var list []string
		for k := range keys {
			list = append(list, k)
		}
		sort.Strings(list)
		items := make([]string, len(list))
		for i, k := range list {
			v, ok := s.Labels[k]
			if !ok {
				v = s.PodLabels[k]
			}
			items[i] = safe(k + "=" + v)
		}
		kept, err := w.keep(w.T("Labels to keep"), items)
		if err != nil {
			return err
		}
		k := keptSet(kept)
		for i, key := range list {
			if !k[i] {
				delete(s.Labels, key)
				delete(s.PodLabels, key)
			}
		}
		if len(s.Labels) == 0 {
			s.Labels = nil
		}
		if len(s.PodLabels) == 0 {
			s.PodLabels = nil
		}
	}
	if err := w.lineLoop(w.T("Label key=value, e.g. app=report (Enter to finish)"),
		w.T("Labels are key=value pairs on the Job and its pods; selectors and tools find them by these."),
		func(c *jobspec.Spec, a string) (string, error) {
			k, v, err := jobspec.ParseKeyValue("--label", a, "app=report")
			if err != nil {
				return "", err
			}
			c.Labels = setKey(c.Labels, k, v)
			c.PodLabels = setKey(c.PodLabels, k, v)
			return "metadata.labels", nil
		}, s); err != nil {
		return err
	}

	if len(s.Annotations) > 0 {
		list := sortedKeys(s.Annotations)
		items := make([]string, len(list))
		for i, k := range list {
			items[i] = safe(k + "=" + s.Annotations[k])
		}
		kept, err := w.keep(w.T("Annotations to keep"), items)
		if err != nil {
			return err
		}
		k := keptSet(kept)
		for i, key := range list {
			if !k[i] {
				delete(s.Annotations, key)
			}
		}
		if len(s.Annotations) == 0 {
			s.Annotations = nil
		}
	}
	return w.lineLoop(w.T("Annotation key=value (optional; Enter to finish)"),
		w.T("Annotations hold notes for tools and people; they select nothing."),
		func(c *jobspec.Spec, a string) (string, error) {
			k, v, err := jobspec.ParseKeyValue("--annotation", a, "team=data")
			if err != nil {
				return "", err
			}
			c.Annotations = setKey(c.Annotations, k, v)
			return "metadata.annotations", nil
		}, s)
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// ---- Step 6: node selector ----

const (
	nodesAny = iota
	nodesOne
	nodesLabels
)

func (w *Wizard) stepNodes(s *jobspec.Spec) error {
	const field = "spec.template.spec.nodeSelector"
	def := nodesAny
	if _, ok := s.NodeSelector[corev1.LabelHostname]; ok && len(s.NodeSelector) == 1 {
		def = nodesOne
	} else if len(s.NodeSelector) > 0 {
		def = nodesLabels
	}
	choice, err := w.p.Select(Select{Message: w.T("Where may the pods run?"), Default: def, Options: []Option{
		{Label: w.T("Any node")},
		{Label: w.T("One node, by name")},
		{Label: w.T("Nodes with these labels")},
	}})
	if err != nil {
		return err
	}
	nodes, haveNodes := w.nodes()
	switch choice {
	case nodesAny:
		s.NodeSelector = nil
	case nodesOne:
		var names, descs []string
		for _, n := range nodes {
			names = append(names, n.Name)
			if n.Ready {
				descs = append(descs, w.T("Ready"))
			} else {
				descs = append(descs, w.T("Not ready"))
			}
		}
		cur := s.NodeSelector[corev1.LabelHostname]
		name, err := w.chooseName(w.T("Node"), cur, names, descs, false, func(a string) error {
			return w.explain(judge(s, func(c *jobspec.Spec) error {
				if a == "" {
					// --node's own rule for an empty name.
					_, err := jobspec.ParseArgs([]string{"--node=" + a})
					return err
				}
				c.NodeSelector = map[string]string{corev1.LabelHostname: a}
				return nil
			}, field), false)
		})
		if err != nil {
			return err
		}
		s.NodeSelector = map[string]string{corev1.LabelHostname: name}
	case nodesLabels:
		if err := w.nodeLabels(s, nodes, haveNodes); err != nil {
			return err
		}
	}
	if haveNodes && len(s.NodeSelector) > 0 && w.cfg.Lookup != nil {
		ctx, cancel := w.lookupCtx()
		matched, all, err := w.cfg.Lookup.MatchingNodes(ctx, s.NodeSelector)
		cancel()
		if err == nil {
			if matched == 0 {
				w.warn(w.T("No node of %d matches; the pods would stay Pending.", all))
			} else {
				w.note(w.T("%d of %d nodes match.", matched, all))
			}
		}
	}

	adv := len(s.Tolerations) > 0
	more, err := w.p.Confirm(Confirm{Message: w.T("Tolerations (let the pods run on tainted nodes)?"), Default: adv})
	if err != nil || !more {
		return err
	}
	return w.tolerations(s)
}

// nodes lists the cluster's nodes, when there is a cluster.
func (w *Wizard) nodes() (nodes []nodeInfo, ok bool) {
	if w.cfg.Lookup == nil {
		return nil, false
	}
	ctx, cancel := w.lookupCtx()
	list, err := w.cfg.Lookup.Nodes(ctx)
	cancel()
	if err != nil {
		w.lookupFailed(w.T("nodes"), err)
		return nil, false
	}
	for _, n := range list {
		nodes = append(nodes, nodeInfo{Name: n.Name, Ready: n.Ready, Labels: n.Labels})
	}
	return nodes, true
}

type nodeInfo struct {
	Name   string
	Ready  bool
	Labels map[string]string
}

func (w *Wizard) nodeLabels(s *jobspec.Spec, nodes []nodeInfo, haveNodes bool) error {
	sel := map[string]string{}
	for k, v := range s.NodeSelector {
		sel[k] = v
	}
	if haveNodes {
		// Offer the labels nodes have, with how many have each; the
		// hostname label is the "one node" choice.
		count := map[string]int{}
		for _, n := range nodes {
			for k, v := range n.Labels {
				if k != corev1.LabelHostname {
					count[k+"="+v]++
				}
			}
		}
		var pairs []string
		for p := range count {
			pairs = append(pairs, p)
		}
		sort.Strings(pairs)
		if len(pairs) > 0 {
			opts := make([]Option, len(pairs))
			var defs []int
			for i, p := range pairs {
				opts[i] = Option{Label: safe(p), Description: w.T("%d nodes", count[p])}
				k, v, _ := strings.Cut(p, "=")
				if cur, ok := sel[k]; ok && cur == v {
					defs = append(defs, i)
				}
			}
			picked, err := w.p.MultiSelect(MultiSelect{Message: w.T("Node labels (space to pick; more can be typed next)"), Options: opts, Defaults: defs})
			if err != nil {
				return err
			}
			for _, p := range pairs {
				k, v, _ := strings.Cut(p, "=")
				if sel[k] == v {
					delete(sel, k)
				}
			}
			for _, i := range picked {
				k, v, _ := strings.Cut(pairs[i], "=")
				sel[k] = v
			}
		}
	} else if len(sel) > 0 {
		list := sortedKeys(sel)
		items := make([]string, len(list))
		for i, k := range list {
			items[i] = safe(k + "=" + sel[k])
		}
		kept, err := w.keep(w.T("Node labels to keep"), items)
		if err != nil {
			return err
		}
		k := keptSet(kept)
		for i, key := range list {
			if !k[i] {
				delete(sel, key)
			}
		}
	}
	if len(sel) == 0 {
		sel = nil
	}
	s.NodeSelector = sel
	return w.lineLoop(w.T("Node label key=value, e.g. disktype=ssd (Enter to finish)"),
		w.T("The pods run only on nodes that have every one of these labels."),
		func(c *jobspec.Spec, a string) (string, error) {
			k, v, err := jobspec.ParseKeyValue("--node-selector", a, "disktype=ssd")
			if err != nil {
				return "", err
			}
			c.NodeSelector = setKey(c.NodeSelector, k, v)
			return "spec.template.spec.nodeSelector", nil
		}, s)
}

func (w *Wizard) tolerations(s *jobspec.Spec) error {
	if len(s.Tolerations) > 0 {
		items := make([]string, len(s.Tolerations))
		for i, t := range s.Tolerations {
			if x, ok := jobspec.FormatToleration(t); ok {
				items[i] = safe(x)
			} else {
				items[i] = safe(fmt.Sprintf("%s %s %s", t.Key, t.Operator, t.Effect))
			}
		}
		kept, err := w.keep(w.T("Tolerations to keep"), items)
		if err != nil {
			return err
		}
		k := keptSet(kept)
		var out []corev1.Toleration
		for i, t := range s.Tolerations {
			if k[i] {
				out = append(out, t)
			}
		}
		s.Tolerations = out
	}
	return w.lineLoop(w.T("Toleration KEY[=VALUE]:EFFECT, e.g. dedicated=batch:NoSchedule (Enter to finish)"),
		w.T("EFFECT is NoSchedule, PreferNoSchedule or NoExecute; without =VALUE any value of the key is tolerated."),
		func(c *jobspec.Spec, a string) (string, error) {
			t, err := jobspec.ParseToleration(a)
			if err != nil {
				return "", err
			}
			c.Tolerations = append(c.Tolerations, t)
			return fmt.Sprintf("spec.template.spec.tolerations[%d]", len(c.Tolerations)-1), nil
		}, s)
}
