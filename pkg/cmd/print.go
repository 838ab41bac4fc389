package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// outputFormats is what -o takes, as in kubectl; the template forms carry
// their template after '='.
var outputFormats = []string{"yaml", "json", "name", "jsonpath=TEMPLATE", "jsonpath-file=FILE",
	"jsonpath-as-json=TEMPLATE", "go-template=TEMPLATE", "go-template-file=FILE", "template=TEMPLATE", "templatefile=FILE"}

// printSpec is what chooses the printer: -o and kubectl's printing flags
// that go with it.
type printSpec struct {
	Output            string
	Template          string // --template: the template of -o go-template, jsonpath, ...
	AllowMissingKeys  bool   // --allow-missing-template-keys
	ShowManagedFields bool   // --show-managed-fields
}

// printSpec is the printing of output with the flags of this run.
func (o *CreateOptions) printSpec(output string) printSpec {
	return printSpec{Output: output, Template: o.Template, AllowMissingKeys: o.AllowMissingTemplateKeys, ShowManagedFields: o.ShowManagedFields}
}

// newPrinter makes the printer of an -o value with cli-runtime's printers,
// as kubectl's PrintFlags do: the template is after '=' or in --template
// (which alone means go-template), a missing key is allowed unless
// --allow-missing-template-keys=false, and yaml and json leave
// managedFields out unless --show-managed-fields. operation is the verb the
// name printer reports ("created").
func newPrinter(ps printSpec, operation string) (printers.ResourcePrinter, error) {
	output := ps.Output
	if output == "" && ps.Template != "" {
		output = "go-template"
	}
	format, arg, hasArg := strings.Cut(output, "=")
	bad := func(rule string) error {
		return inputErrorf("-o %s: %s", quote(output), rule)
	}
	if ps.Template != "" {
		if hasArg {
			return nil, bad("gives a template after '=' and --template gives another; give one, e.g. -o go-template --template='{{.metadata.name}}'")
		}
		arg = ps.Template
	}
	readArg := func() ([]byte, error) {
		if arg == "" {
			return nil, bad("needs a file after '=' or in --template")
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, bad("cannot read the template: " + err.Error())
		}
		return b, nil
	}
	omitManaged := func(p printers.ResourcePrinter) printers.ResourcePrinter {
		if ps.ShowManagedFields {
			return p
		}
		return &printers.OmitManagedFieldsPrinter{Delegate: p}
	}
	switch format {
	case "":
		return &printers.NamePrinter{Operation: operation}, nil
	case "yaml":
		return omitManaged(&printers.YAMLPrinter{}), nil
	case "json":
		return omitManaged(&printers.JSONPrinter{}), nil
	case "name":
		return &printers.NamePrinter{}, nil
	case "jsonpath", "jsonpath-as-json", "jsonpath-file":
		tmpl := []byte(arg)
		if format == "jsonpath-file" {
			var err error
			if tmpl, err = readArg(); err != nil {
				return nil, err
			}
		} else if arg == "" {
			return nil, bad("needs a template after '=' or in --template, e.g. -o jsonpath='{.metadata.name}'")
		}
		p, err := printers.NewJSONPathPrinter(string(tmpl))
		if err != nil {
			return nil, bad("the JSONPath template does not parse: " + err.Error())
		}
		p.AllowMissingKeys(ps.AllowMissingKeys)
		p.EnableJSONOutput(format == "jsonpath-as-json")
		return p, nil
	case "go-template", "template", "go-template-file", "templatefile":
		tmpl := []byte(arg)
		if strings.HasSuffix(format, "file") {
			var err error
			if tmpl, err = readArg(); err != nil {
				return nil, err
			}
		} else if arg == "" {
			return nil, bad("needs a template after '=' or in --template, e.g. -o go-template='{{.metadata.name}}'")
		}
		p, err := printers.NewGoTemplatePrinter(tmpl)
		if err != nil {
			return nil, bad("the Go template does not parse: " + err.Error())
		}
		p.AllowMissingKeys(ps.AllowMissingKeys)
		return p, nil
	}
	return nil, bad("must be one of " + strings.Join(outputFormats, ", "))
}

// cleanObject turns the Job (or CronJob) into the map that is printed: no
// status, no empty resources or template metadata, which a Job the user
// writes never has and `kubectl create job` leaves in.
func cleanObject(obj runtime.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	dropEmptyMeta := func(parent map[string]any, drop bool) {
		if md, ok := parent["metadata"].(map[string]any); ok {
			if md["creationTimestamp"] == nil {
				delete(md, "creationTimestamp")
			}
			if drop && len(md) == 0 {
				delete(parent, "metadata")
			}
		}
	}
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

// printJob prints the Job (or CronJob) with the -o printer.
func printJob(w io.Writer, job runtime.Object, ps printSpec, operation string) error {
	p, err := newPrinter(ps, operation)
	if err != nil {
		return err
	}
	obj, err := cleanObject(job)
	if err != nil {
		return err
	}
	if err := p.PrintObj(obj, w); err != nil {
		return fmt.Errorf("printing the %s: %w", job.GetObjectKind().GroupVersionKind().Kind, err)
	}
	return nil
}

func quote(s string) string { return termtext.Quote(s) }
