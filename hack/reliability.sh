#!/usr/bin/env bash
# make reliability: the reliability tests and their figures.
#
# Runs pkg/cmd's hostile input tests (in-process, against a recording
# server) and the e2e reliability tests (e2e/reliability_*_test.go, on the
# real control plane: faults, interrupts, secrets, load, and a sample of the
# hostile corpus through the binary), collects the "FIGURE NAME VALUE" lines
# the tests log, and prints them as a table. Exits non-zero when a test
# fails, a figure is missing, a run did not hold, a bad input sent a
# request, or a Job was lost or doubled.
#
# Expects bin/kubectl-job_wizard and bin/controlplane to be built (the make
# target does that). Logs are kept in $RELIABILITY_LOGS (default: a
# temporary folder, named at the end).
set -uo pipefail
cd "$(dirname "$0")/.."

logs=${RELIABILITY_LOGS:-$(mktemp -d -t reliability.XXXXXX)}
mkdir -p "$logs"
status=0
start=$SECONDS

run() { # name, command...
	local name=$1
	shift
	echo "== $name: $*"
	"$@" >"$logs/$name.log" 2>&1
	local rc=$?
	# The verdict of each top-level test, and anything that went wrong.
	grep -E '^(--- (PASS|FAIL|SKIP)|FAIL|ok|panic:)' "$logs/$name.log" | grep -v '^    ' | sed 's/^/   /'
	if [ $rc -ne 0 ]; then
		echo "   FAILED (exit $rc); see $logs/$name.log"
		status=1
	fi
}

run hostile go test ./pkg/cmd -run 'Hostile' -count=1 -v -timeout 5m
run e2e go test ./e2e -run 'Reliability' -count=1 -v -timeout 14m

# "    file_test.go:12: FIGURE name value..." -> "name value..."
figures=$(cat "$logs/hostile.log" "$logs/e2e.log" | grep -oE 'FIGURE [^ ]+ .*' | sed 's/^FIGURE //')

# ratio NAME...: the N/M figures of those names, summed.
ratio() {
	local n=0 m=0 found=0 v
	for name in "$@"; do
		while read -r v; do
			[ -z "$v" ] && continue
			found=1
			n=$((n + ${v%/*}))
			m=$((m + ${v#*/}))
		done < <(awk -v k="$name" '$1 == k {print $2}' <<<"$figures")
	done
	[ $found = 1 ] && echo "$n/$m" || echo missing
}
# outcomes KIND: "survived/all" of the per-test outcome figures of a kind.
outcomes() {
	local all ok
	all=$(awk -v k="$1" '$1 == k' <<<"$figures" | wc -l)
	ok=$(awk -v k="$1" '$1 == k && $NF == "survived"' <<<"$figures" | wc -l)
	[ "$all" -gt 0 ] && echo "$ok/$all" || echo missing
}
# total NAME: the sum of a number figure.
total() {
	awk -v k="$1" 'BEGIN {found = 0} $1 == k {s += $2; found = 1} END {if (found) print s; else print "missing"}' <<<"$figures"
}

rows=(
	"bad inputs refused cleanly (whole corpus, in-process)|$(ratio bad-cmdlines-refused bad-manifests-refused)"
	"bad inputs refused through the binary, real cluster|$(ratio bad-inputs-on-cluster)"
	"requests sent by bad inputs (must be 0)|$(total bad-input-requests)"
	"faults survived|$(outcomes fault)"
	"interrupts handled (SIGINT/SIGTERM, exit 130)|$(outcomes interrupt)"
	"secret checks passed|$(outcomes secret)"
	"parallel creates held|$(ratio parallel-creates)"
	"parallel --wait runs held|$(ratio parallel-waits)"
	"Jobs lost (must be 0)|$(total jobs-lost)"
	"Jobs doubled (must be 0)|$(total jobs-doubled)"
)

echo
echo "reliability figures"
printf '%-56s %s\n' "----------------------------------------------------" "--------"
for row in "${rows[@]}"; do
	label=${row%%|*}
	value=${row#*|}
	mark=""
	case "$value" in
	missing) mark="  <- missing"; status=1 ;;
	*/*) [ "${value%/*}" = "${value#*/}" ] || { mark="  <- not all held"; status=1; } ;;
	*) [ "$value" = 0 ] || { mark="  <- must be 0"; status=1; } ;;
	esac
	printf '%-56s %s%s\n' "$label" "$value" "$mark"
done
grep -hE 'FIGURE (fault|interrupt|secret) .* FAILED' "$logs/e2e.log" | sed 's/.*FIGURE /failed: /'
echo
echo "took $((SECONDS - start))s; logs in $logs"
if [ $status -ne 0 ]; then
	echo "reliability: FAILED"
else
	echo "reliability: ok"
fi
exit $status
