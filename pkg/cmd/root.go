// Package cmd holds the cobra commands of kubectl job-wizard. Each command
// keeps its flag values and resolved dependencies in an Options struct with
// Complete, Validate and Run, as kubectl's own commands do.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// Build information, stamped with -ldflags -X by make.
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// Main runs the plugin with args and returns the exit status.
func Main(args []string, streams genericiooptions.IOStreams) int {
	cluster.SetVersion(Version)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first SIGINT or SIGTERM ends ctx, and a request already on its
	// way gets a moment to be answered (cluster.DefaultInterruptGrace) so that the
	// command can say what it did; the signals' default action then comes
	// back, so a second one ends the command at once.
	context.AfterFunc(ctx, stop)
	// A command busy with no request to answer (a parse that never returns)
	// would not notice ctx; the interrupt still ends it, once the grace for
	// a request in flight is over.
	// ctx also ends when Main returns (stop), which is no interrupt.
	returned := make(chan struct{})
	defer close(returned)
	context.AfterFunc(ctx, func() {
		grace := time.NewTimer(cluster.DefaultInterruptGrace + 3*time.Second)
		defer grace.Stop()
		select {
		case <-returned:
		case <-grace.C:
			fmt.Fprintln(streams.ErrOut, "error: interrupted")
			os.Exit(ExitInterrupted)
		}
	})
	root := NewRootCommand(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if ctx.Err() != nil && code != ExitBadInput {
		code = ExitInterrupted
	}
	var silent *silentError
	if !errors.As(err, &silent) {
		fmt.Fprintln(streams.ErrOut, "error: "+indentLines(escapeControl(err.Error())))
	}
	return code
}

// silentError ends the command with a status when the message has already
// been printed (a failed Job's report, for one).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// escapeControl is the last guard between a message and the terminal: any
// control character (an ANSI escape from a name, a manifest, a server
// message) that no quoting caught is shown escaped by termtext.Escape,
// never interpreted; the message's own line breaks are kept.
func escapeControl(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termtext.Escape(l)
	}
	return strings.Join(lines, "\n")
}

// indentLines keeps a multi-problem message readable: the first problem
// follows "error: " and the rest are indented under it.
func indentLines(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// NewRootCommand is `kubectl job-wizard`: the create command itself, with
// version, completion and follow as subcommands.
func NewRootCommand(streams genericiooptions.IOStreams) *cobra.Command {
	return newRootCommand(streams, nil)
}

// newRootCommand takes a runF that replaces Run after Complete and
// Validate, so tests check flag handling without running anything.
func newRootCommand(streams genericiooptions.IOStreams, runF func(*CreateOptions) error) *cobra.Command {
	o := NewCreateOptions(streams)
	root := &cobra.Command{
		Use:   "job-wizard [NAME] [flags] [-- COMMAND [ARG...]]",
		Short: "Create a Kubernetes Job step by step, from flags, or as YAML",
		Long: `Create a Kubernetes Job the way the KubeSphere console's "Create Job" form does, in six steps:
basic information, job settings, pod template, volumes, labels and node selector.

On a terminal with no name or image given, a wizard asks the six steps, with choices read from
the cluster, and ends by creating, printing or saving the Job and by printing the one-line command
that does the same without prompts. With flags, it is a CI step: 61 of the 92 fields of a Job's spec,
pod template, pod, container and the console's volume sources have a flag, --overrides sets any
field, --dry-run=client -o yaml exports without a cluster, and --wait follows the Job to its end.

Exit status: 0 created (and, with --wait, Complete); 1 the Job failed or the cluster refused it;
2 bad flags or input (nothing was sent); 3 --timeout or --stuck-timeout ran out; 130 interrupted.`,
		Example: `  # The quick start: walk through the six steps on a terminal
  kubectl job-wizard

  # Print the quick-start Job as YAML, with no cluster needed
  kubectl job-wizard pi --image=perl:5.28.0 --dry-run=client -o yaml -- perl -Mbignum=bpi -wle 'print bpi(2000)'

  # A CI step: create a uniquely named Job, follow it, and fail the build if it fails
  kubectl job-wizard --generate-name=migrate- --image=registry.example.com/app:1.4 \
    --env-from=secret:db --backoff-limit=2 --active-deadline=10m --wait --timeout=15m -- ./migrate up

  # Export a Job for a repository, starting from a CronJob in the cluster
  kubectl job-wizard report-now --from=cronjob/nightly-report --dry-run=client -o yaml > job.yaml`,
		Args:              cobra.ArbitraryArgs,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		Annotations:       map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl job-wizard"},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.Complete(c, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return o.Run(c.Context())
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	// A flag that does not parse is bad input like any other: exit 2.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return inputErr(err) })
	o.AddFlags(root.Flags())
	addLoggingFlags(root.PersistentFlags())
	root.Flags().SortFlags = false
	root.AddCommand(NewVersionCommand(streams))
	root.AddCommand(NewFollowCommand(streams))
	addCompletion(root, o)
	return root
}

// flagChanged reports whether a flag was given on the command line.
func flagChanged(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}
