// Command kube-controller-manager is the upstream kube-controller-manager,
// built from the k8s.io/kubernetes module; the e2e tests need the real Job,
// CronJob and garbage-collector controllers.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
