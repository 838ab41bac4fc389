// Package testutil holds the helpers that the tests of several packages
// share, so that each rule of the tests lives once: a buffer a test reads
// while something else writes it, the pause a pseudo-terminal test makes
// before it types, the Job a printed command line builds, a walk of the
// wizard on a terminal that gives Enter to the questions it does not know
// (Walk), and the hostile manifests too big to commit.
//
// Only tests import it (TestOnlyTestsImportTestutil checks the plugin's
// own packages).
package testutil
