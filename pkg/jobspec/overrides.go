package jobspec

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/jobwizard/kubectl-job-wizard/internal/third_party/strategicpatch"
)

// Override types of --override-type, with kubectl run's names and meaning.
const (
	OverrideMerge     = "merge"
	OverrideStrategic = "strategic"
	OverrideJSON      = "json"
)

const overridesExample = `'{"spec":{"template":{"spec":{"dnsPolicy":"Default"}}}}'`

// ParseOverrideType parses --override-type.
func ParseOverrideType(s string) (string, error) {
	switch s {
	case OverrideMerge, OverrideStrategic, OverrideJSON:
		return s, nil
	}
	return "", flagErr("--override-type", s, "must be merge (RFC 7386), strategic (Kubernetes strategic merge) or json (RFC 6902), as kubectl run", "strategic")
}

// ParseOverrides checks that --overrides is one JSON or YAML value of the
// shape its type wants (an object for merge and strategic, a list of
// operations for json) and returns it as JSON.
func ParseOverrides(text, typ string) ([]byte, error) {
	bad := func(rule string) error {
		return &FieldError{Flag: "--overrides", Value: text, Rule: rule, Example: overridesExample}
	}
	if len(text) > MaxManifestBytes {
		return nil, bad(fmt.Sprintf("is %d bytes, more than the %d the API server accepts for one object", len(text), MaxManifestBytes))
	}
	if hugeExponent().MatchString(text) {
		return nil, bad("holds a number whose exponent is beyond ±999")
	}
	data, err := yaml.YAMLToJSONStrict([]byte(text))
	if err != nil {
		return nil, bad("is not JSON or YAML: " + cleanDecodeError(err))
	}
	trimmed := strings.TrimSpace(string(data))
	switch {
	case typ == OverrideJSON:
		if !strings.HasPrefix(trimmed, "[") {
			return nil, bad(`with --override-type json must be a list of RFC 6902 operations, e.g. [{"op":"add","path":"/spec/suspend","value":true}]`)
		}
		if _, err := jsonpatch.DecodePatch(data); err != nil {
			return nil, bad("is not a JSON patch: " + err.Error())
		}
	case !strings.HasPrefix(trimmed, "{"):
		return nil, bad("must be an object: the fields of the Job to set")
	}
	return data, nil
}

// applyOverrides lays Overrides over job as kubectl run does, and decodes
// the result strictly: an unknown field or a wrong type is an error naming
// its path, and the kind must stay a batch/v1 Job.
func (s *Spec) applyOverrides(job *batchv1.Job) (*batchv1.Job, error) {
	typ := s.OverrideType
	if typ == "" {
		typ = OverrideMerge
	}
	bad := func(field, rule string) error {
		return &FieldError{Flag: "--overrides", Field: field, Value: s.Overrides, Rule: rule, Example: overridesExample}
	}
	patch, err := ParseOverrides(s.Overrides, typ)
	if err != nil {
		return nil, err
	}
	orig, err := json.Marshal(job)
	if err != nil {
		return nil, bad("", err.Error())
	}
	var out []byte
	switch typ {
	case OverrideMerge:
		out, err = jsonpatch.MergePatch(orig, patch)
	case OverrideStrategic:
		out, err = strategicpatch.StrategicMergePatch(orig, patch, batchv1.Job{})
	case OverrideJSON:
		var p jsonpatch.Patch
		if p, err = jsonpatch.DecodePatch(patch); err == nil {
			out, err = p.Apply(orig)
		}
	default:
		_, err = ParseOverrideType(typ)
		return nil, err
	}
	if err != nil {
		return nil, bad("", "does not apply to the Job: "+err.Error())
	}
	patched := &batchv1.Job{}
	if err := decodeStrict(out, patched); err != nil {
		return nil, bad("", "makes a Job the API would refuse: "+err.Error())
	}
	if patched.APIVersion != "batch/v1" || patched.Kind != "Job" {
		return nil, bad("apiVersion", fmt.Sprintf("must leave apiVersion batch/v1 and kind Job, not %q and %q", patched.APIVersion, patched.Kind))
	}
	return patched, nil
}
