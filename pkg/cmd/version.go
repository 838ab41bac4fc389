package cmd

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// VersionInfo is what `version` prints.
type VersionInfo struct {
	Version         string `json:"version"`
	Commit          string `json:"commit"`
	BuildDate       string `json:"buildDate"`
	GoVersion       string `json:"goVersion"`
	ClientGoVersion string `json:"clientGoVersion"`
	Platform        string `json:"platform"`
}

func versionInfo() VersionInfo {
	v := VersionInfo{Version: Version, Commit: Commit, BuildDate: BuildDate,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, ClientGoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "k8s.io/client-go" {
				v.ClientGoVersion = d.Version
			}
		}
	}
	return v
}

// NewVersionCommand is `kubectl job-wizard version [-o json]`.
func NewVersionCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go and client-go versions",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := versionInfo()
			switch output {
			case "":
				fmt.Fprintf(streams.Out, "kubectl-job_wizard %s\n  commit:     %s\n  built:      %s\n  go:         %s\n  client-go:  %s\n  platform:   %s\n",
					v.Version, v.Commit, v.BuildDate, v.GoVersion, v.ClientGoVersion, v.Platform)
			case "json":
				b, _ := json.MarshalIndent(v, "", "  ")
				fmt.Fprintln(streams.Out, string(b))
			case "yaml":
				fmt.Fprintf(streams.Out, "version: %s\ncommit: %s\nbuildDate: %s\ngoVersion: %s\nclientGoVersion: %s\nplatform: %s\n",
					v.Version, v.Commit, v.BuildDate, v.GoVersion, v.ClientGoVersion, v.Platform)
			default:
				return inputErrorf("-o %s: must be json or yaml", termtext.Quote(output))
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "Output format: json or yaml")
	return c
}
