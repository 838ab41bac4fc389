#!/usr/bin/env bash
# Prints the release version krew accepts (semver with a leading v): the
# nearest v* tag as git describe gives it (v0.2.0, v0.2.0-3-gabc1234), or
# v0.0.0-N-gHASH before the first tag; -dirty when tracked files changed.
# Outside a git checkout (a source tarball) it is v0.0.0-dev.
set -euo pipefail
if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo v0.0.0-dev
  exit 0
fi
if v=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
  echo "$v"
  exit 0
fi
v="v0.0.0-$(git rev-list --count HEAD)-g$(git rev-parse --short HEAD)"
git diff --quiet HEAD -- 2>/dev/null || v="$v-dirty"
echo "$v"
