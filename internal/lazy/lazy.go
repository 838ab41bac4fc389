// Package lazy makes package-level values on first use rather than in the
// package's init: every init runs on every start of the plugin, so a value
// only some commands need (the regular expressions that read an API
// server's messages, say) would otherwise cost each client dry run.
package lazy

import (
	"regexp"
	"sync"
)

// Regexp returns a function that compiles expr on its first call and
// returns the same *regexp.Regexp on every call. expr must compile (it is
// a constant of the program): a bad one panics on first use, as
// regexp.MustCompile would at init.
func Regexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
