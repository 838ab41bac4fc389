# kubectl job-wizard. `make test` is what CI runs (.ci/run); every target
# installs or builds what it needs itself.
SHELL := /bin/bash
BIN := bin
PLUGIN := $(BIN)/kubectl-job_wizard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG := github.com/jobwizard/kubectl-job-wizard/pkg/cmd
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).BuildDate=$(DATE)
GO_TEST_FLAGS ?=
# make dist: the version krew takes (semver with a leading v) and the
# commit's time as build date, so that one commit always gives the same
# archives and the same sha256 in plugins/job-wizard.yaml.
DIST_VERSION ?= $(shell hack/dist/version.sh)
DIST_DATE ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
DIST_LDFLAGS = -s -w -X $(PKG).Version=$(DIST_VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).BuildDate=$(DIST_DATE)
# staticcheck rather than golangci-lint, measured on two busy cores:
# golangci-lint v2.15.0 takes 5 min to build, 3 min and 1.7 GiB to run;
# staticcheck builds in 1-2 min and runs in seconds once its cache is warm.
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: kwok test-kwok kueue test-kueue all build test test-unit test-race test-e2e bench fuzz lint controlplane tools clean dist dist-host docs reliability

all: build

build: $(PLUGIN)

# Always rebuilt (go's cache makes it cheap) so the binary never lags the source.
$(PLUGIN): FORCE
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./cmd/kubectl-job_wizard
FORCE:

# The real control plane (etcd, kube-apiserver, kube-controller-manager)
# built from Go modules into bin/controlplane, once.
controlplane:
	hack/controlplane/build.sh

# The Kueue v0.17.0 manager and its CRDs, built from the Go module into
# bin/kueue once (about 5.5 minutes cold on 2 cores), for the Kueue tests.
kueue:
	hack/kueue/build.sh

# kwok v0.8.0 (one fake node and kubelet for Jobs of thousands of pods) and
# its "fast" stages, built from the Go module into bin/kwok once (about 3
# minutes cold on 2 cores), for e2e/kwok and the scale bench.
kwok:
	hack/kwok/build.sh

# tmux drives the wizard in a real terminal in some tests; kubectl is on
# every machine of this kind.
tools:
	@command -v tmux >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }

# lint first: it is quick and catches what tests do not. dist-host makes the
# host archive and the manifest that e2e/krew_test.go installs with krew.
# Together test-race and the e2e run are `go test ./...`: every unit package
# runs once, under the race detector, and e2e (which drives the built
# binary and the control plane, where -race would only slow it) without.
test: lint build controlplane kwok kueue tools dist-host test-race
	go test $(GO_TEST_FLAGS) -count=1 -timeout 60m ./e2e/...

UNIT_PKGS = $$(go list ./... | grep -v /e2e)

test-unit:
	go test $(GO_TEST_FLAGS) -count=1 $(UNIT_PKGS)

# The unit packages under the race detector: about 90 s here on 2 busy
# cores with a warm build cache (pkg/cmd 73 s of it), 7 min cold. -race
# needs cgo (gcc is on every machine of this kind).
test-race:
	CGO_ENABLED=1 go test $(GO_TEST_FLAGS) -race -count=1 $(UNIT_PKGS)

# The follow-through on Jobs of a few hundred pods run by kwok (bounded
# sizes; `make test` runs it too, as part of ./e2e/...).
test-kwok: build controlplane kwok
	go test $(GO_TEST_FLAGS) -count=1 ./e2e/kwok

# The tests against the real Kueue manager (one control plane and one
# manager for the package; `make test` runs them too, as part of ./e2e/...).
test-kueue: build controlplane kueue
	go test $(GO_TEST_FLAGS) -count=1 -timeout 15m ./e2e/kueue

test-e2e: build controlplane kwok kueue dist-host
	go test $(GO_TEST_FLAGS) -count=1 ./e2e/...

# Figures side by side with the peers in one run: the client dry run vs
# kubectl create job (no cluster), then a create and the ConfigMap choice,
# then the requests a --wait makes, each against a control plane of its own,
# then follow vs kubectl wait on Jobs of SCALE_SIZES completions run by kwok
# (1,000 takes about 100 s on 2 cores, 10,000 about 20 minutes).
SCALE_SIZES ?= 1000,10000
bench: build controlplane kwok
	go run ./hack/bench
	go run ./hack/bench/cluster
	go run ./hack/bench/follow
	go run ./hack/bench/scale -sizes '$(SCALE_SIZES)'


# Every fuzz target for FUZZTIME each (not part of make test). A crasher is
# written under testdata/fuzz and then runs as a regular test case.
FUZZTIME ?= 10m
FUZZ_PKGS ?= ./pkg/jobspec ./pkg/cmd ./pkg/follow
fuzz:
	@set -e; for pkg in $(FUZZ_PKGS); do \
	  for t in $$(go test $$pkg -list '^Fuzz' | grep '^Fuzz'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    go test $$pkg -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

# The reliability tests (hostile input, faults, interrupts, secrets, load on
# the real control plane) and their figures: bad inputs refused, faults
# survived, parallel runs held, Jobs lost and doubled (both must be 0).
# Fails when a test fails or a figure is off. See hack/reliability.sh.
reliability: build controlplane
	hack/reliability.sh

# go vet, staticcheck, the dead-code check (hack/deadcode/check.sh: what
# the binary never runs, about 40 s here) and the tidy check cover the
# plugin's module only;
# hack/controlplane is a module of its own with the control plane's deps.
# A deprecated field that must still be touched (clearing SelfLink of a
# copied object) says why with a //lint:ignore.
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	$(STATICCHECK) ./...
	hack/deadcode/check.sh
	@go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

# Release archives for every platform of the krew manifest, checksums.txt,
# and plugins/job-wizard.yaml rendered from .krew.yaml with their sha256.
dist:
	go run ./hack/dist -version '$(DIST_VERSION)' -date '$(DIST_DATE)' -ldflags '$(DIST_LDFLAGS)'

# The host platform's archive alone, and a manifest that names only it, in
# $(DIST_HOST) (ignored): what e2e/krew_test.go installs with krew. make test
# builds this one archive rather than make dist's six cross-compiles (about
# 75 s each here); the committed plugins/job-wizard.yaml is not touched.
DIST_HOST := .cache/dist-host
dist-host:
	go run ./hack/dist -platforms host -out $(DIST_HOST) -manifest $(DIST_HOST)/job-wizard.yaml \
	  -version '$(DIST_VERSION)' -date '$(DIST_DATE)' -ldflags '$(DIST_LDFLAGS)'

# The command reference (docs/reference, docs/man) from the commands' help;
# pkg/cmd's TestDocs fails when it is stale.
docs:
	go test -count=1 -run '^TestDocs$$' ./pkg/cmd -update-docs

clean:
	rm -rf $(BIN) dist
