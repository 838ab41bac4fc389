package jobspec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/jobwizard/kubectl-job-wizard/internal/lazy"
)

// MaxManifestBytes bounds -f input. The API server refuses request bodies
// over 3 MiB anyway, so anything larger cannot be a Job it would take, and
// refusing early keeps a 50 MB file or a YAML bomb quick and cheap.
const MaxManifestBytes = 3 << 20

// Import reads a Job or CronJob manifest (YAML or JSON, one document) into a
// Spec whose Base is the Job, so Build gives the same Job back. source names
// the input in messages (the file name, or "-" for stdin). From a CronJob, the Job is its
// jobTemplate, named generateName CRONJOB- (the caller may set a name).
// What a server wrote into a copied Job is dropped (see CleanCopied).
func Import(source string, data []byte) (*Spec, error) {
	spec, _, err := ImportCopied(source, data)
	return spec, err
}

// ImportCopied is Import that also says what CleanCopied dropped.
func ImportCopied(source string, data []byte) (*Spec, []string, error) {
	job, err := DecodeJob(source, data)
	if err != nil {
		return nil, nil, err
	}
	dropped := CleanCopied(job)
	return FromJob(job), dropped, nil
}

// DecodeJob decodes a manifest strictly: unknown fields, duplicate keys,
// wrong types, a kind other than Job or CronJob, and more than one document
// are errors that name the field. From a CronJob, the Job is its
// jobTemplate (see JobFromCronJob).
func DecodeJob(source string, data []byte) (*batchv1.Job, error) {
	job, cj, err := decodeManifest(source, data)
	if err != nil {
		return nil, err
	}
	if cj != nil {
		// A CronJob kept one (ImportCronJob) may lack containers as a
		// wizard's draft does; a Job taken from it needs them.
		if len(cj.Spec.JobTemplate.Spec.Template.Spec.Containers) == 0 {
			return nil, &FieldError{Flag: "-f", Value: source, Field: "spec.jobTemplate.spec.template.spec.containers",
				Rule: fmt.Sprintf("CronJob %q has no job template with containers to start from", cj.Name)}
		}
		return JobFromCronJob(cj), nil
	}
	return job, nil
}

// ImportCronJob reads a manifest into a Spec that is a CronJob (-f with
// --kind cronjob or --schedule): a CronJob stays one, every field kept
// but what a server wrote (CleanCopied, and the CronJob's status); a Job
// becomes the jobTemplate of a CronJob whose schedule the flags give. It
// also says what was dropped.
func ImportCronJob(source string, data []byte) (*Spec, []string, error) {
	job, cj, err := decodeManifest(source, data)
	if err != nil {
		return nil, nil, err
	}
	if cj == nil {
		dropped := CleanCopied(job)
		s := FromJob(job)
		s.CronJob = &CronJobSettings{}
		return s, dropped, nil
	}
	dropped := CleanCronJob(cj)
	return FromCronJob(cj), dropped, nil
}

// CleanCronJob is CleanCopied for a CronJob kept one: its metadata and its
// jobTemplate's spec are cleaned as a Job's would be, and its status goes.
func CleanCronJob(cj *batchv1.CronJob) []string {
	job := &batchv1.Job{ObjectMeta: cj.ObjectMeta, Spec: cj.Spec.JobTemplate.Spec}
	var dropped []string
	for _, d := range CleanCopied(job) {
		dropped = append(dropped, CronJobFieldPath(d))
	}
	cj.ObjectMeta, cj.Spec.JobTemplate.Spec = job.ObjectMeta, job.Spec
	if !cj.Spec.JobTemplate.CreationTimestamp.IsZero() {
		dropped = append(dropped, "spec.jobTemplate.metadata.creationTimestamp")
		cj.Spec.JobTemplate.CreationTimestamp = metav1.Time{}
	}
	if st := cj.Status; st.LastScheduleTime != nil || st.LastSuccessfulTime != nil || len(st.Active) > 0 {
		dropped = append(dropped, "status")
	}
	cj.Status = batchv1.CronJobStatus{}
	return dropped
}

// DecodeCronJob decodes a CronJob manifest strictly, as it is written; a
// Job is refused.
func DecodeCronJob(source string, data []byte) (*batchv1.CronJob, error) {
	_, cj, err := decodeManifest(source, data)
	if err == nil && cj == nil {
		err = &FieldError{Flag: "-f", Value: source, Rule: "is a Job, not a CronJob"}
	}
	return cj, err
}

// decodeManifest decodes one Job or CronJob strictly; exactly one of the
// two results is set when err is nil.
func decodeManifest(source string, data []byte) (*batchv1.Job, *batchv1.CronJob, error) {
	bad := func(rule string) error { return &FieldError{Flag: "-f", Value: source, Rule: rule} }
	if len(data) > MaxManifestBytes {
		return nil, nil, bad(fmt.Sprintf("is %d bytes, more than the %d the API server accepts for one object", len(data), MaxManifestBytes))
	}
	if !utf8.Valid(data) {
		return nil, nil, bad("is not UTF-8 text; a manifest is YAML or JSON")
	}
	doc, err := singleDocument(data)
	if err != nil {
		return nil, nil, bad(err.Error())
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, nil, bad("is not a YAML or JSON object: " + cleanDecodeError(err))
	}
	switch {
	case tm.Kind == "" && tm.APIVersion == "":
		return nil, nil, bad("has no kind and apiVersion; expected kind: Job (apiVersion: batch/v1) or kind: CronJob")
	case tm.Kind != "Job" && tm.Kind != "CronJob":
		return nil, nil, bad(fmt.Sprintf("kind %q (apiVersion %q) is not a Job or CronJob of batch/v1", tm.Kind, tm.APIVersion))
	case tm.APIVersion != "batch/v1":
		return nil, nil, bad(fmt.Sprintf("apiVersion %q is not batch/v1; a %s of batch/v1 is expected", tm.APIVersion, tm.Kind))
	}
	switch tm.Kind {
	case "Job":
		job := &batchv1.Job{}
		if err := decodeStrict(doc, job); err != nil {
			return nil, nil, bad(err.Error())
		}
		return job, nil, nil
	case "CronJob":
		cj := &batchv1.CronJob{}
		if err := decodeStrict(doc, cj); err != nil {
			return nil, nil, bad(err.Error())
		}
		return nil, cj, nil
	}
	return nil, nil, bad(fmt.Sprintf("kind %q is not a Job or CronJob", tm.Kind))
}

// JobFromCronJob makes the Job a CronJob would start, as `kubectl create job
// --from=cronjob/NAME` does: the template's metadata and spec, a name
// generated from the CronJob's, and the instantiate annotation.
func JobFromCronJob(cj *batchv1.CronJob) *batchv1.Job {
	t := cj.Spec.JobTemplate.DeepCopy()
	job := &batchv1.Job{ObjectMeta: t.ObjectMeta, Spec: t.Spec}
	job.APIVersion, job.Kind = "batch/v1", "Job"
	job.Namespace = cj.Namespace
	if cj.Name != "" {
		job.GenerateName = cj.Name + "-"
	}
	return job
}

// FromJob makes a Spec of an existing Job, keeping the Job as Base.
func FromJob(job *batchv1.Job) *Spec {
	job = job.DeepCopy()
	s := &Spec{Base: job}
	s.Name, s.GenerateName, s.Namespace = job.Name, job.GenerateName, job.Namespace
	s.Labels = copyMap(job.Labels)
	if v := s.Labels[QueueLabel]; v != "" {
		s.Queue = v
		delete(s.Labels, QueueLabel)
	}
	if v := s.Labels[WorkloadPriorityClassLabel]; v != "" {
		s.WorkloadPriorityClass = v
		delete(s.Labels, WorkloadPriorityClassLabel)
	}
	s.Annotations = copyMap(job.Annotations)
	if v, ok := s.Annotations[AliasAnnotation]; ok && v != "" {
		s.Alias = v
		delete(s.Annotations, AliasAnnotation)
	}
	if v, ok := s.Annotations[DescriptionAnnotation]; ok && v != "" {
		s.Description = v
		delete(s.Annotations, DescriptionAnnotation)
	}
	if len(s.Annotations) == 0 && job.Annotations == nil {
		s.Annotations = nil
	}

	js := job.Spec
	s.BackoffLimit = copyPtr(js.BackoffLimit)
	s.Completions = copyPtr(js.Completions)
	s.Parallelism = copyPtr(js.Parallelism)
	s.ActiveDeadlineSeconds = copyPtr(js.ActiveDeadlineSeconds)
	s.TTLSecondsAfterFinished = copyPtr(js.TTLSecondsAfterFinished)
	s.BackoffLimitPerIndex = copyPtr(js.BackoffLimitPerIndex)
	s.MaxFailedIndexes = copyPtr(js.MaxFailedIndexes)
	s.Suspend = copyPtr(js.Suspend)
	if js.CompletionMode != nil {
		s.CompletionMode = *js.CompletionMode
	}
	if js.PodReplacementPolicy != nil {
		s.PodReplacementPolicy = *js.PodReplacementPolicy
	}
	if js.PodFailurePolicy != nil {
		s.PodFailureRules = deepCopySlice(js.PodFailurePolicy.Rules)
	}
	if js.SuccessPolicy != nil {
		s.SuccessRules = deepCopySlice(js.SuccessPolicy.Rules)
	}

	pod := js.Template.Spec
	s.PodLabels = copyMap(js.Template.Labels)
	s.RestartPolicy = pod.RestartPolicy
	s.Containers = deepCopySlice(pod.Containers)
	s.InitContainers = deepCopySlice(pod.InitContainers)
	s.ServiceAccount = pod.ServiceAccountName
	for _, r := range pod.ImagePullSecrets {
		s.ImagePullSecrets = append(s.ImagePullSecrets, r.Name)
	}
	s.Volumes = deepCopySlice(pod.Volumes)
	s.NodeSelector = copyMap(pod.NodeSelector)
	s.Tolerations = deepCopySlice(pod.Tolerations)
	s.podFrom(&js.Template)
	return s
}

// singleDocument returns the one YAML document of data (JSON is YAML); a
// stream of several is refused rather than silently cut to the first.
func singleDocument(data []byte) ([]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		d, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(d))) == 0 {
			continue
		}
		docs = append(docs, d)
	}
	switch len(docs) {
	case 0:
		return nil, errors.New("is empty; expected one Job or CronJob")
	case 1:
		return docs[0], nil
	}
	return nil, fmt.Errorf("holds %d documents; give one Job or CronJob per file", len(docs))
}

func stripComments(d []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(d, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || bytes.Equal(t, []byte("---")) {
			continue
		}
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}

// decodeStrict decodes YAML or JSON as the API server's strict field
// validation would: duplicate keys, unknown fields and wrong types are
// errors naming the field path (spec.template.spec.containers[0].imag).
func decodeStrict(doc []byte, into any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return errors.New(cleanDecodeError(err))
	}
	if m := hugeExponent().Find(js); m != nil {
		return fmt.Errorf("the quantity %s: %v", QuoteValue(strings.Trim(string(m), "\":,[]{} ")), errExponent)
	}
	strictErrs, err := sigsjson.UnmarshalStrict(js, into)
	if err != nil {
		return errors.New(cleanDecodeError(err))
	}
	if path, q := badQuantity(reflect.ValueOf(into), ""); path != "" {
		return fmt.Errorf("%s: the quantity %s: %v", path, QuoteValue(q), errExponent)
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, 0, len(strictErrs))
		for i, e := range strictErrs {
			if i == 3 {
				msgs = append(msgs, fmt.Sprintf("and %d more", len(strictErrs)-3))
				break
			}
			msgs = append(msgs, cleanDecodeError(e))
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// badQuantity walks a decoded object for a resource.Quantity out of range
// and returns its field path and text. Quantities sit in many places of a
// pod (resources, overhead, emptyDir sizes), so the walk is generic.
func badQuantity(v reflect.Value, path string) (string, string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", ""
		}
		return badQuantity(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == quantityType {
			q := v.Addr().Interface().(*resource.Quantity)
			if !quantityInRange(q) {
				return path, fmt.Sprintf("%v", q.Format)
			}
			return "", ""
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			sub := path
			if name != "" {
				sub = strings.TrimPrefix(path+"."+name, ".")
			}
			if p, q := badQuantity(v.Field(i), sub); p != "" {
				return p, q
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p, q := badQuantity(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, q
			}
		}
	case reflect.Map:
		if v.Type().Elem() != quantityType {
			return "", ""
		}
		iter := v.MapRange()
		for iter.Next() {
			q := iter.Value().Interface().(resource.Quantity)
			if !quantityInRange(&q) {
				return fmt.Sprintf("%s.%v", path, iter.Key()), "too large or too small"
			}
		}
	}
	return "", ""
}

var quantityType = reflect.TypeOf(resource.Quantity{})

var (
	decodePrefix = lazy.Regexp(`^(error converting YAML to JSON: |error unmarshaling JSON: |while decoding JSON: |json: |yaml: )+`)
	typeError    = lazy.Regexp(`cannot unmarshal (\w+)(?: \S+)? into Go struct field \w+\.(\S+) of type (\S+)`)
	notObject    = lazy.Regexp(`cannot unmarshal (\w+) into Go value of type .*`)
	quantityErr  = lazy.Regexp(`quantities must match the regular expression .*`)
	yamlLines    = lazy.Regexp(`unmarshal errors:\s*`)
)

// cleanDecodeError turns the decoder's layered message into one line that
// names the field: `unknown field "spec.foo"`, `spec.completions: got a
// string that does not fit, want int32`.
func cleanDecodeError(err error) string {
	msg := decodePrefix().ReplaceAllString(err.Error(), "")
	msg = typeError().ReplaceAllString(msg, "$2: got a $1 that does not fit, want $3")
	msg = notObject().ReplaceAllString(msg, "it is a $1, not an object with apiVersion and kind")
	msg = strings.ReplaceAll(msg, "a array", "an array")
	msg = quantityErr().ReplaceAllString(msg, "a resource quantity does not parse; quantities look like 500m, 2, 128Mi or 1Gi")
	msg = yamlLines().ReplaceAllString(msg, "")
	msg = strings.ReplaceAll(msg, "already set in map", "is given twice")
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}
