package cmd

import (
	goflag "flag"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// addLoggingFlags adds kubectl's -v/--v: client-go then logs each request
// (at 6 and above, with headers at 8), masking bearer tokens as it does for
// kubectl. Only the verbosity is exposed; klog's other flags are noise here.
func addLoggingFlags(fs *pflag.FlagSet) {
	gfs := goflag.NewFlagSet("klog", goflag.ContinueOnError)
	klog.InitFlags(gfs)
	if v := gfs.Lookup("v"); v != nil {
		fs.AddGoFlag(v)
		fs.Lookup("v").Shorthand = "v"
		fs.Lookup("v").Usage = "Log level: 6 shows each request, 8 its headers (bearer tokens masked)"
	}
}
