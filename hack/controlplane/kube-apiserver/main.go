// Command kube-apiserver is the upstream kube-apiserver, built from the
// k8s.io/kubernetes module so the e2e tests can run a real control plane
// without Docker or downloaded release binaries.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
