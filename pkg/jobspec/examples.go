package jobspec

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// Example is a built-in starting point for --example.
type Example struct {
	Name, Summary string
	Spec          func() *Spec
}

var examples = map[string]Example{
	"pi": {
		Name:    "pi",
		Summary: "the quick start: perl:5.28.0 prints pi to 2000 places",
		Spec: func() *Spec {
			// The Kubernetes documentation's Job example, which the console's
			// quick start follows.
			four := int32(4)
			return &Spec{
				Name:          "pi",
				BackoffLimit:  &four,
				RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{
					Name:    "pi",
					Image:   "perl:5.28.0",
					Command: []string{"perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"},
				}},
			}
		},
	},
}

// LookupExample returns the Spec of a built-in example.
func LookupExample(name string) (*Spec, error) {
	ex, ok := examples[name]
	if !ok {
		return nil, &FieldError{Flag: "--example", Value: name, Rule: "is not a built-in example; known: " + joinNames(ExampleNames()), Example: "pi"}
	}
	return ex.Spec(), nil
}

// ExampleNames lists the built-in examples, sorted.
func ExampleNames() []string {
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func joinNames(n []string) string {
	out := ""
	for i, s := range n {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
