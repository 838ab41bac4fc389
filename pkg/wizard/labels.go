package wizard

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// ---- Step 5: labels ----

func (w *Wizard) stepLabels(s *jobspec.Spec) error {
	// Labels go on the Job and its pods alike, as --label sets them; a
	// manifest may have given the pods others, which are kept apart.
	keys := slices.Sorted(maps.Keys(s.Labels))
	for k := range s.PodLabels {
		if _, ok := s.Labels[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if _, err := keepItems(w, w.T("Labels to keep"), keys, func(k string) string {
		v, ok := s.Labels[k]
		if !ok {
			v = s.PodLabels[k]
		}
		return safe(k + "=" + v)
	}, func(k string) {
		delete(s.Labels, k)
		delete(s.PodLabels, k)
	}); err != nil {
		return err
	}
	if len(s.Labels) == 0 {
		s.Labels = nil
	}
	if len(s.PodLabels) == 0 {
		s.PodLabels = nil
	}
	if err := w.lineLoop(w.T("Label key=value, e.g. app=report (Enter to finish)"),
		w.T("Labels are key=value pairs on the Job and its pods; selectors and tools find them by these."),
		jobspec.ApplyLabel, s); err != nil {
		return err
	}

	if err := w.keepKeys(w.T("Annotations to keep"), s.Annotations); err != nil {
		return err
	}
	if len(s.Annotations) == 0 {
		s.Annotations = nil
	}
	if err := w.lineLoop(w.T("Annotation key=value (optional; Enter to finish)"),
		w.T("Annotations hold notes for tools and people; they select nothing."),
		jobspec.ApplyAnnotation, s); err != nil {
		return err
	}
	return w.podAnnotations(s)
}

// keepKeys asks which KEY=VALUE pairs of m to keep, in key order, and
// deletes the others.
func (w *Wizard) keepKeys(msg string, m map[string]string) error {
	_, err := keepItems(w, msg, slices.Sorted(maps.Keys(m)), func(k string) string { return safe(k + "=" + m[k]) },
		func(k string) { delete(m, k) })
	return err
}

// ---- Step 6: node selector ----

const (
	nodesAny = iota
	nodesOne
	nodesLabels
)

func (w *Wizard) stepNodes(s *jobspec.Spec) error {
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
			// "One node" is that node alone: --node on an empty selector.
			return w.explain(judgeAdded(s, a, func(c *jobspec.Spec, a string) (string, error) {
				c.NodeSelector = nil
				return jobspec.ApplyNode(c, a)
			}), false)
		})
		if err != nil {
			return err
		}
		s.NodeSelector = nil
		if _, err := jobspec.ApplyNode(s, name); err != nil {
			return err
		}
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
				w.note(nodesMatch(w, matched, all))
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
				opts[i] = Option{Label: safe(p), Description: countOf(w, count[p], "%d node", "%d nodes")}
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
	} else if err := w.keepKeys(w.T("Node labels to keep"), sel); err != nil {
		return err
	}
	if len(sel) == 0 {
		sel = nil
	}
	s.NodeSelector = sel
	return w.lineLoop(w.T("Node label key=value, e.g. disktype=ssd (Enter to finish)"),
		w.T("The pods run only on nodes that have every one of these labels."),
		jobspec.ApplyNodeSelector, s)
}

func (w *Wizard) tolerations(s *jobspec.Spec) error {
	var err error
	s.Tolerations, err = keepItems(w, w.T("Tolerations to keep"), s.Tolerations, func(t corev1.Toleration) string {
		if x, ok := jobspec.FormatToleration(t); ok {
			return safe(x)
		}
		return safe(fmt.Sprintf("%s %s %s", t.Key, t.Operator, t.Effect))
	}, nil)
	if err != nil {
		return err
	}
	return w.lineLoop(w.T("Toleration KEY[=VALUE]:EFFECT, e.g. dedicated=batch:NoSchedule (Enter to finish)"),
		w.T("EFFECT is NoSchedule, PreferNoSchedule or NoExecute; without =VALUE any value of the key is tolerated."),
		jobspec.ApplyToleration, s)
}

// countOf is "1 node" and "2 nodes": English needs the singular key, and
// each key has its translation (Chinese has one form for both).
func countOf(w *Wizard, n int, one, many string) string {
	if n == 1 {
		return w.T(one, n)
	}
	return w.T(many, n)
}

// nodesMatch is "1 of 3 nodes matches", "1 of 1 node matches", "2 of 3
// nodes match".
func nodesMatch(w *Wizard, matched, all int) string {
	switch {
	case all == 1:
		return w.T("%d of %d node matches.", matched, all)
	case matched == 1:
		return w.T("%d of %d nodes matches.", matched, all)
	}
	return w.T("%d of %d nodes match.", matched, all)
}
