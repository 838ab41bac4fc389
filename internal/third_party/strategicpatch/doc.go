// Package strategicpatch is k8s.io/apimachinery v0.37.2's
// pkg/util/strategicpatch (patch.go and errors.go as they are, meta.go up to
// PatchMetaFromStruct) without its OpenAPI patch metadata (types.go and
// PatchMetaFromOpenAPI, PatchMetaFromOpenAPIV3 of meta.go, and the two
// constants only they use).
//
// Why a copy: --overrides merges a strategic patch into a Job with the patch
// metadata of the typed struct (StrategicMergePatch with batchv1.Job{}), as
// kubectl does for a built-in kind, and never reads OpenAPI. Importing the
// upstream package still links and initialises its OpenAPI side on every run:
// k8s.io/kube-openapi, gnostic-models, google.golang.org/protobuf and
// go-openapi, about 4.2 MB of the stripped binary and 0.6 ms of the start-up
// of a client dry run (see hack/bench's import costs).
//
// The code is unchanged, so the behaviour is the upstream one; equal_test.go
// holds the copy to the upstream package on patches of Jobs, and it is to be
// copied again when k8s.io/apimachinery is upgraded.
package strategicpatch
