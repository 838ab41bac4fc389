package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// secretWords mark an environment variable whose value is likely a secret.
var secretWords = []string{"PASSWORD", "PASSWD", "TOKEN", "SECRET", "KEY"}

// LooksSecret reports whether an environment variable's name suggests its
// value is a secret.
func LooksSecret(name string) bool {
	upper := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(upper, w) {
			return true
		}
	}
	return false
}

// warnSecretEnv warns about secret-looking values given in plain text on the
// command line: they end up in the Job's manifest, readable by anyone who can
// read Jobs, and in shell history. The value itself is never repeated.
func warnSecretEnv(w io.Writer, env []string) {
	for _, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || !LooksSecret(name) {
			continue
		}
		safe := termtext.OneLine(name)
		fmt.Fprintf(w, "Warning: --env %s=… puts what looks like a secret into the Job's manifest in plain text; keep it in a Secret and use --env-value-from %s=secret:SECRET:KEY\n", safe, safe)
	}
}
