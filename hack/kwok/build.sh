#!/usr/bin/env bash
# Installs kwok (sigs.k8s.io/kwok/cmd/kwok) from the Go module proxy into
# $KWOK_BIN (default: <repo>/bin/kwok) and writes its "fast" stages, copied
# from the module cache, into $KWOK_BIN/stages.yaml: the fake node becomes
# Ready and a Job's pods Running and then Succeeded at once. The tests and
# the scale bench run it with one fake node against the e2e control plane.
# A cold build takes about 2.5 minutes on 2 cores, so it is skipped when a
# stamp shows it was built by the same script, version and Go toolchain.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${KWOK_BIN:-$repo/bin/kwok}"
kwok_version="v0.8.0"
go="${GO:-go}"
# The stages, in the order kwok applies them to a pod's life: the node's
# own, then a pod made Running, Succeeded (a Job's pods have a
# restartPolicy of Never or OnFailure) and deleted when asked to.
stages=(
	node/fast/node-initialize.yaml
	pod/fast/pod-ready.yaml
	pod/fast/pod-complete.yaml
	pod/fast/pod-delete.yaml
)

mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

stamp_inputs() {
	"$go" env GOVERSION
	echo "$kwok_version"
	cat "$here/build.sh"
}
want="$(stamp_inputs | sha256sum | cut -d' ' -f1)"

up_to_date() {
	[[ -x "$bin/kwok" && -f "$bin/stages.yaml" ]] &&
		[[ "$(cat "$bin/.stamp" 2>/dev/null)" == "$want" ]]
}

if up_to_date; then
	echo "kwok: $bin is up to date"
	exit 0
fi

# Parallel test binaries may all find kwok missing; only one builds, the
# others wait and then see the fresh stamp.
exec 9>"$bin/.lock"
flock 9
if up_to_date; then
	echo "kwok: $bin is up to date"
	exit 0
fi
rm -f "$bin/.stamp"

start=$SECONDS
echo "kwok: installing sigs.k8s.io/kwok/cmd/kwok@$kwok_version into $bin (about 2.5 minutes when cold)"
# Outside any module so that the plugin's go.mod never sees kwok's
# dependencies; GOFLAGS from the caller (e.g. -mod=vendor) would not apply.
(cd "$bin" && GOFLAGS=-buildvcs=false GOBIN="$bin" "$go" install -trimpath -ldflags "-s -w" \
	"sigs.k8s.io/kwok/cmd/kwok@$kwok_version")

# The stages of exactly the version built, from the module cache the install
# just filled.
moddir="$(cd "$bin" && GOFLAGS=-mod=mod "$go" mod download -json "sigs.k8s.io/kwok@$kwok_version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [[ -z "$moddir" || ! -d "$moddir/kustomize/stage" ]]; then
	echo "kwok: no stages under $moddir/kustomize/stage" >&2
	exit 1
fi
{
	sep=""
	for s in "${stages[@]}"; do
		printf '%s' "$sep"
		cat "$moddir/kustomize/stage/$s"
		sep=$'---\n'
	done
} >"$bin/stages.yaml.tmp"
mv "$bin/stages.yaml.tmp" "$bin/stages.yaml"

echo "$want" >"$bin/.stamp"
echo "kwok: built in $((SECONDS - start))s"
