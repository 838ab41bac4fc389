#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from the Go module
# proxy into $CONTROLPLANE_BIN (default: <repo>/bin/controlplane) for the e2e
# tests. A cold build takes about 10 minutes on 2 cores, so it is skipped when
# a stamp shows the binaries were built from the same module files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${CONTROLPLANE_BIN:-$repo/bin/controlplane}"
k8s_version="v1.37.2"
go="${GO:-go}"

mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

# The stamp covers everything that decides the binaries' content; the Go
# version matters too because the toolchain is part of the build.
stamp_inputs() {
	"$go" env GOVERSION
	echo "$k8s_version"
	cat "$here/build.sh" \
		"$here/go.mod" "$here/go.sum" \
		"$here/etcd/go.mod" "$here/etcd/go.sum" \
		"$here/etcd/main.go" \
		"$here/kube-apiserver/main.go" \
		"$here/kube-controller-manager/main.go"
}
want="$(stamp_inputs | sha256sum | cut -d' ' -f1)"

up_to_date() {
	[[ -x "$bin/etcd" && -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" ]] &&
		[[ "$(cat "$bin/.stamp" 2>/dev/null)" == "$want" ]]
}

if up_to_date; then
	echo "controlplane: binaries in $bin are up to date"
	exit 0
fi

# Parallel test binaries may all find the binaries missing; only one builds,
# the others wait and then see the fresh stamp.
exec 9>"$bin/.lock"
flock 9
if up_to_date; then
	echo "controlplane: binaries in $bin are up to date"
	exit 0
fi
rm -f "$bin/.stamp"

start=$SECONDS
echo "controlplane: building etcd into $bin"
(cd "$here/etcd" && "$go" build -trimpath -ldflags "-s -w" -o "$bin/etcd" .)

echo "controlplane: building kube-apiserver and kube-controller-manager $k8s_version into $bin (about 10 minutes when cold)"
# One go invocation for both so the shared packages compile once, and never
# more than one big build at a time on small CI machines.
(cd "$here" && "$go" build -trimpath \
	-ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version" \
	-o "$bin/" ./kube-apiserver ./kube-controller-manager)

echo "$want" >"$bin/.stamp"
echo "controlplane: built in $((SECONDS - start))s"
