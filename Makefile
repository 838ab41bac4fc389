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

.PHONY: all build test test-unit test-e2e bench fuzz lint controlplane clean

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

test: build controlplane
	go test $(GO_TEST_FLAGS) -count=1 ./...

test-unit:
	go test $(GO_TEST_FLAGS) -count=1 $$(go list ./... | grep -v /e2e)

test-e2e: build controlplane
	go test $(GO_TEST_FLAGS) -count=1 ./e2e/...

bench: build
	go run ./hack/bench

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...

clean:
	rm -rf $(BIN) dist
