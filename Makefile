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

.PHONY: all build test test-unit test-e2e bench fuzz lint controlplane tools clean

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

# tmux drives the wizard in a real terminal in some tests; kubectl is on
# every machine of this kind.
tools:
	@command -v tmux >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }

test: build controlplane tools
	go test $(GO_TEST_FLAGS) -count=1 -timeout 60m ./...

test-unit:
	go test $(GO_TEST_FLAGS) -count=1 $$(go list ./... | grep -v /e2e)

test-e2e: build controlplane
	go test $(GO_TEST_FLAGS) -count=1 ./e2e/...

bench: build
	go run ./hack/bench

# Every fuzz target for FUZZTIME each (not part of make test). A crasher is
# written under testdata/fuzz and then runs as a regular test case.
FUZZTIME ?= 10m
FUZZ_PKGS ?= ./pkg/jobspec
fuzz:
	@set -e; for pkg in $(FUZZ_PKGS); do \
	  for t in $$(go test $$pkg -list '^Fuzz' | grep '^Fuzz'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    go test $$pkg -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...

clean:
	rm -rf $(BIN) dist
