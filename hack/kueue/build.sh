#!/usr/bin/env bash
# Installs the Kueue manager (sigs.k8s.io/kueue/cmd/kueue) from the Go module
# proxy into $KUEUE_BIN (default: <repo>/bin/kueue) and copies its CRDs from
# the module cache into $KUEUE_BIN/crds, for the tests that run the real
# Kueue against the e2e control plane. A cold build takes about 5.5 minutes
# on 2 cores (the binary is ~125 MB), so it is skipped when a stamp shows it
# was built by the same script, version and Go toolchain.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${KUEUE_BIN:-$repo/bin/kueue}"
kueue_version="v0.17.0"
go="${GO:-go}"

mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

stamp_inputs() {
	"$go" env GOVERSION
	echo "$kueue_version"
	cat "$here/build.sh"
}
want="$(stamp_inputs | sha256sum | cut -d' ' -f1)"

up_to_date() {
	[[ -x "$bin/kueue" && -d "$bin/crds" ]] &&
		[[ "$(cat "$bin/.stamp" 2>/dev/null)" == "$want" ]]
}

if up_to_date; then
	echo "kueue: $bin is up to date"
	exit 0
fi

# Parallel test binaries may all find the manager missing; only one builds,
# the others wait and then see the fresh stamp.
exec 9>"$bin/.lock"
flock 9
if up_to_date; then
	echo "kueue: $bin is up to date"
	exit 0
fi
rm -f "$bin/.stamp"

start=$SECONDS
echo "kueue: installing sigs.k8s.io/kueue/cmd/kueue@$kueue_version into $bin (about 5.5 minutes when cold)"
# Outside any module so that the plugin's go.mod never sees Kueue's
# dependencies; GOFLAGS from the caller (e.g. -mod=vendor) would not apply.
(cd "$bin" && GOFLAGS=-buildvcs=false GOBIN="$bin" "$go" install -trimpath -ldflags "-s -w" \
	"sigs.k8s.io/kueue/cmd/kueue@$kueue_version")

# The CRDs of exactly the version built, from the module cache the install
# just filled.
moddir="$(cd "$bin" && GOFLAGS=-mod=mod "$go" mod download -json "sigs.k8s.io/kueue@$kueue_version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [[ -z "$moddir" || ! -d "$moddir/config/components/crd/bases" ]]; then
	echo "kueue: no CRDs under $moddir/config/components/crd/bases" >&2
	exit 1
fi
rm -rf "$bin/crds"
mkdir -p "$bin/crds"
cp "$moddir"/config/components/crd/bases/*.yaml "$bin/crds/"
chmod u+w "$bin"/crds/*.yaml

echo "$want" >"$bin/.stamp"
echo "kueue: built in $((SECONDS - start))s"
