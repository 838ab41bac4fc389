package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"
)

// outputFormats is what -o takes, as in kubectl; the template forms carry
// their template after '='.
var outputFormats = []string{"yaml", "json", "name", "jsonpath=TEMPLATE", "jsonpath-file=FILE",
	"jsonpath-as-json=TEMPLATE", "go-template=TEMPLATE", "go-template-file=FILE", "template=TEMPLATE", "templatefile=FILE"}

// newPrinter makes the printer of an -o value with cli-runtime's printers.
// operation is the verb the name printer reports ("created").
func newPrinter(output, operation string) (printers.ResourcePrinter, error) {
	format, arg, _ := strings.Cut(output, "=")
	bad := func(rule string) error {
		return inputErrorf("-o %s: %s", quote(output), rule)
	}
	readArg := func() ([]byte, error) {
		if arg == "" {
			return nil, bad("needs a file after '='")
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, bad("cannot read the template: " + err.Error())
		}
		return b, nil
	}
	switch format {
	case "":
		return &printers.NamePrinter{Operation: operation}, nil
	case "yaml":
		return &printers.YAMLPrinter{}, nil
	case "json":
		return &printers.JSONPrinter{}, nil
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
			return nil, bad("needs a template after '=', e.g. -o jsonpath='{.metadata.name}'")
		}
		p, err := printers.NewJSONPathPrinter(string(tmpl))
		if err != nil {
			return nil, bad("the JSONPath template does not parse: " + err.Error())
		}
		p.AllowMissingKeys(true)
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
			return nil, bad("needs a template after '=', e.g. -o go-template='{{.metadata.name}}'")
		}
		p, err := printers.NewGoTemplatePrinter(tmpl)
		if err != nil {
			return nil, bad("the Go template does not parse: " + err.Error())
		}
		p.AllowMissingKeys(true)
		return p, nil
	}
	return nil, bad("must be one of " + strings.Join(outputFormats, ", "))
}

// cleanObject turns the Job into the map that is printed: no status, no
// empty resources or template metadata, which a Job the user writes never
// has and `kubectl create job` leaves in.
func cleanObject(job *batchv1.Job) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(job)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		if md["creationTimestamp"] == nil {
			delete(md, "creationTimestamp")
		}
	}
	if tpl, ok := nested(m, "spec", "template"); ok {
		if md, ok := tpl["metadata"].(map[string]any); ok {
			if md["creationTimestamp"] == nil {
				delete(md, "creationTimestamp")
			}
			if len(md) == 0 {
				delete(tpl, "metadata")
			}
		}
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

// printJob prints the Job with the -o printer.
func printJob(w io.Writer, job *batchv1.Job, output, operation string) error {
	p, err := newPrinter(output, operation)
	if err != nil {
		return err
	}
	obj, err := cleanObject(job)
	if err != nil {
		return err
	}
	if err := p.PrintObj(obj, w); err != nil {
		return fmt.Errorf("printing the Job: %w", err)
	}
	return nil
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
