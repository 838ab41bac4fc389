// Command etcd is the upstream etcd server. It lives in its own Go module
// because k8s.io/kubernetes requires go.etcd.io/etcd/server/v3 at a different
// version, and minimal version selection would otherwise override the
// v3.6 release the control plane is tested with.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
