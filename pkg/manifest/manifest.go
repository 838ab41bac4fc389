// Package manifest is the one renderer of a Job or CronJob: -o yaml and -o
// json, drafts, the editor's buffer and the wizard's "Save to file" all
// print through it, so the four show the same manifest for the same Job.
// What differs on purpose (a draft's or the editor's leading comments) is
// added by the caller around these bytes.
package manifest

import (
	"encoding/json"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Object turns the Job (or CronJob) into the map that is printed, as a
// person would write it: no status, no nulls (an unset list such as the
// containers of an unfinished draft means the same as no key, and reads as
// an error to a person), no null creationTimestamp, no empty metadata of a
// template and no empty resources, which a Job the user writes never has
// and `kubectl create job` leaves in. A Job or CronJob without kind gets
// its own, so that every printer can print it.
func Object(obj runtime.Object) (*unstructured.Unstructured, error) {
	// The object as encoding/json sees it, an integer as an int64 (so
	// activeDeadlineSeconds stays exact), walked rather than marshalled:
	// see toMap.
	v, err := toMap(obj)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a %T is not an object", obj)
	}
	delete(m, "status")
	pruneNulls(m)
	if m["kind"] == nil || m["kind"] == "" {
		switch obj.(type) {
		case *batchv1.Job:
			m["apiVersion"], m["kind"] = batchv1.SchemeGroupVersion.String(), "Job"
		case *batchv1.CronJob:
			m["apiVersion"], m["kind"] = batchv1.SchemeGroupVersion.String(), "CronJob"
		}
	}
	// The top metadata stays even when empty: a manifest without it would
	// not say where its name goes.
	dropEmptyMeta(m, false)
	jobSpec := []string{"spec"}
	if jt, ok := nested(m, "spec", "jobTemplate"); ok {
		// A CronJob: its Job is the jobTemplate.
		dropEmptyMeta(jt, true)
		jobSpec = []string{"spec", "jobTemplate", "spec"}
	}
	if tpl, ok := nested(m, append(jobSpec, "template")...); ok {
		dropEmptyMeta(tpl, true)
		if pod, ok := tpl["spec"].(map[string]any); ok {
			for _, key := range []string{"containers", "initContainers"} {
				list, _ := pod[key].([]any)
				for _, c := range list {
					if cm, ok := c.(map[string]any); ok {
						if r, ok := cm["resources"].(map[string]any); ok && len(r) == 0 {
							delete(cm, "resources")
						}
					}
				}
			}
		}
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// YAML is the manifest as YAML, byte for byte what kubectl's -o yaml
// printer writes for Object(obj).
func YAML(obj runtime.Object) ([]byte, error) {
	u, err := Object(obj)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(u.Object)
}

// JSON is the manifest as JSON, byte for byte what kubectl's -o json
// printer writes for Object(obj): four spaces of indent, a final newline.
func JSON(obj runtime.Object) ([]byte, error) {
	u, err := Object(obj)
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(u.Object, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Render is YAML, or JSON when asJSON.
func Render(obj runtime.Object, asJSON bool) ([]byte, error) {
	if asJSON {
		return JSON(obj)
	}
	return YAML(obj)
}

// dropEmptyMeta drops a null creationTimestamp from parent's metadata, and
// the metadata itself when drop and nothing is left in it.
func dropEmptyMeta(parent map[string]any, drop bool) {
	if md, ok := parent["metadata"].(map[string]any); ok {
		if md["creationTimestamp"] == nil {
			delete(md, "creationTimestamp")
		}
		if drop && len(md) == 0 {
			delete(parent, "metadata")
		}
	}
}

func nested(m map[string]any, keys ...string) (map[string]any, bool) {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}

func pruneNulls(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			pruneNulls(e)
		}
	case []any:
		for _, e := range x {
			pruneNulls(e)
		}
	}
}
