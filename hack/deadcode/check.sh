#!/usr/bin/env bash
# The dead-code check of `make lint`: golang.org/x/tools' deadcode from the
# binary's main (./cmd/...), without -test, so a function only tests call
# counts as dead too (that is how QuotaWarnings stayed unused for long).
# Functions kept for tests on purpose are listed, with why, in
# testonly.txt; anything else deadcode finds, or a line of the list it no
# longer finds, fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEADCODE=${DEADCODE:-go run golang.org/x/tools/cmd/deadcode@v0.52.0}
module=$(go list -m)
# internal/third_party is upstream code copied whole (so that it stays
# comparable with its source); what of it the plugin does not call is
# not ours to trim.
found=$($DEADCODE -f '{{range .Funcs}}{{$.Path}}.{{.Name}}{{"\n"}}{{end}}' ./cmd/... | sed "s|^$module/||" | grep -v '^internal/third_party/' | sort -u)
listed=$(grep -v '^#' hack/deadcode/testonly.txt | awk 'NF {print $1}' | sort -u)
dead=$(comm -23 <(echo "$found") <(echo "$listed") | sed '/^$/d')
stale=$(comm -13 <(echo "$found") <(echo "$listed") | sed '/^$/d')
status=0
if [ -n "$dead" ]; then
  echo "deadcode: the plugin never runs these; use them, remove them, or (kept for tests) list them in hack/deadcode/testonly.txt:"
  echo "$dead" | sed 's/^/  /'
  status=1
fi
if [ -n "$stale" ]; then
  echo "deadcode: hack/deadcode/testonly.txt lists functions that are now used or gone; drop their lines:"
  echo "$stale" | sed 's/^/  /'
  status=1
fi
exit $status
