package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
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
		return omitManaged(manifestPrinter{}), nil
	case "json":
		return omitManaged(manifestPrinter{json: true}), nil
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

// manifestPrinter prints -o yaml and -o json through the one renderer
// that drafts, the editor and the wizard's "Save to file" use, so all of
// them show the same manifest for the same Job.
type manifestPrinter struct{ json bool }

func (p manifestPrinter) PrintObj(obj runtime.Object, w io.Writer) error {
	data, err := manifest.Render(obj, p.json)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// printJob prints the Job (or CronJob) with the -o printer.
func printJob(w io.Writer, job runtime.Object, ps printSpec, operation string) error {
	p, err := newPrinter(ps, operation)
	if err != nil {
		return err
	}
	// The templates and the name printer see the same object as -o yaml.
	obj, err := manifest.Object(job)
	if err != nil {
		return err
	}
	if err := p.PrintObj(obj, w); err != nil {
		return fmt.Errorf("printing the %s: %w", job.GetObjectKind().GroupVersionKind().Kind, err)
	}
	return nil
}

func quote(s string) string { return termtext.Quote(s) }
