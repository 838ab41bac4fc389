// Command kubectl-job_wizard is the kubectl job-wizard plugin: kubectl finds
// it on PATH and runs it as `kubectl job-wizard`.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}
