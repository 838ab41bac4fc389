package testutil

import (
	"fmt"
	"os"
	"strings"

	"github.com/kballard/go-shellquote"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
)

// modeFlags are the flags of a printed command that say what happens to
// the Job (follow it, print it), not what it is; jobspec.ParseArgs knows
// only the Job's flags.
var modeFlags = map[string]bool{"--wait": true, "--dry-run=client": true}

// JobOfCommand is the Job that a command line the wizard printed
// ("kubectl job-wizard …", as a shell reads it, $'…' words included)
// builds when it is run without prompts. The flags of modeFlags, -o and its
// value, --report=, --save= and a "> file" redirect are left out; with
// -f FILE it is the Job of that manifest, and the flags after it must
// parse. Every caller holds a printed command to this one promise: run
// as it is, it builds the Job the walk ended with.
func JobOfCommand(command string) (*batchv1.Job, error) {
	obj, err := ObjectOfCommand(command)
	if err != nil {
		return nil, err
	}
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return nil, fmt.Errorf("the command %q builds a %T, not a Job", command, obj)
	}
	return job, nil
}

// ObjectOfCommand is JobOfCommand for a command that may build a CronJob
// (--schedule, or -f FILE --kind cronjob): the Job or CronJob it builds.
func ObjectOfCommand(command string) (runtime.Object, error) {
	words, err := shellquote.Split(jobspec.ExpandANSIQuotes(command))
	if err != nil {
		return nil, fmt.Errorf("the command %q does not split as a shell line: %v", command, err)
	}
	if len(words) < 2 || words[0] != "kubectl" || words[1] != "job-wizard" {
		return nil, fmt.Errorf("the command %q does not start with kubectl job-wizard", command)
	}
	var args []string
	rest := words[2:]
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if w == "--" {
			args = append(args, rest[i:]...)
			break
		}
		if w == ">" {
			// Save to file redirects the printed manifest.
			break
		}
		if modeFlags[w] || strings.HasPrefix(w, "--report=") || strings.HasPrefix(w, "--save=") {
			continue
		}
		if w == "-o" {
			i++
			continue
		}
		args = append(args, w)
	}
	if len(args) >= 2 && args[0] == "-f" {
		data, err := os.ReadFile(args[1])
		if err != nil {
			return nil, fmt.Errorf("the command's manifest: %v", err)
		}
		importer := jobspec.Import
		if len(args) >= 4 && args[2] == "--kind" && args[3] == "cronjob" {
			importer = func(source string, data []byte) (*jobspec.Spec, error) {
				s, _, err := jobspec.ImportCronJob(source, data)
				return s, err
			}
			args = append(args[:2:2], args[4:]...)
		}
		spec, err := importer("-f "+args[1], data)
		if err != nil {
			return nil, fmt.Errorf("the command's manifest does not import: %v", err)
		}
		spec2, err := jobspec.ParseArgs(args[2:])
		if err != nil || len(args) > 2 && spec2 == nil {
			return nil, fmt.Errorf("flags after -f: %v", err)
		}
		return spec.BuildObject(), nil
	}
	spec, err := jobspec.ParseArgs(args)
	if err != nil {
		return nil, fmt.Errorf("the command %q does not parse: %v", command, err)
	}
	return spec.BuildObject(), nil
}
