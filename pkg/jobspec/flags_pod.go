package jobspec

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/spf13/pflag"
)

// PodFlags are the flags of docs/CLI.md "Security and the rest of the pod".
// Each keeps its raw values until Apply hands them, in order, to the flag's
// applier, so a bad value gets our message and only flags a user set touch
// a Spec imported from a manifest.
type PodFlags struct {
	values map[string]*rawFlag
}

// podFlag is one flag of the table: its name, kind, help and applier (an
// applier of the Spec, or of the main container).
type podFlag struct {
	name, usage string
	kind        rawKind
	apply       func(*Spec, string) (string, error)
	container   func(*corev1.Container, string) (string, error)
}

type rawKind int

const (
	rawString rawKind = iota // one value; the last one given wins
	rawBool                  // --flag or --flag=false
	rawList                  // repeatable, every value applied in order
)

// podFlags is the table, in the order the flags are shown and applied.
// --override-type comes before --overrides, whose applier reads it; the
// profile comes after what it completes (it is applied by Build anyway).
var podFlags = []podFlag{
	{name: "security-profile", usage: "Fill in what a Pod Security Standards level requires on every container: restricted (runAsNonRoot, seccomp RuntimeDefault, allowPrivilegeEscalation false, drop ALL capabilities) or baseline (nothing to fill; settings it forbids are refused)", apply: ApplySecurityProfileFlag},
	{name: "run-as-user", usage: "User id the pod's containers run as (securityContext.runAsUser)", apply: ApplyRunAsUser},
	{name: "run-as-group", usage: "Group id the pod's containers run as (securityContext.runAsGroup)", apply: ApplyRunAsGroup},
	{name: "run-as-non-root", kind: rawBool, usage: "Refuse to start a container whose image runs as root (securityContext.runAsNonRoot)", apply: ApplyRunAsNonRoot},
	{name: "fs-group", usage: "Group id that owns the pod's volumes (securityContext.fsGroup)", apply: ApplyFSGroup},
	{name: "seccomp-profile", usage: "The pod's seccomp profile: RuntimeDefault, Unconfined or Localhost:PATH", apply: ApplySeccompProfile},
	{name: "read-only-root-filesystem", kind: rawBool, usage: "Mount the container's root filesystem read-only", container: ApplyReadOnlyRootFilesystem},
	{name: "allow-privilege-escalation", kind: rawBool, usage: "Whether the container's processes may gain privileges (--allow-privilege-escalation=false, as the restricted level wants)", container: ApplyAllowPrivilegeEscalation},
	{name: "privileged", kind: rawBool, usage: "Run the container privileged (refused by the baseline and restricted levels)", container: ApplyPrivileged},
	{name: "cap-drop", kind: rawList, usage: "Drop a Linux capability from the container, e.g. ALL or NET_RAW (repeatable, or comma separated)", container: ApplyCapDrop},
	{name: "cap-add", kind: rawList, usage: "Add a Linux capability to the container, e.g. NET_BIND_SERVICE (repeatable, or comma separated)", container: ApplyCapAdd},
	{name: "working-dir", usage: "The container's working directory", container: ApplyWorkingDir},
	{name: "termination-message-policy", usage: "File or FallbackToLogsOnError (the log tail becomes the failure message)", container: ApplyTerminationMessagePolicy},
	{name: "sidecar", kind: rawList, usage: "A native sidecar NAME=IMAGE: an init container that runs beside the main one (restartPolicy Always) (repeatable)", apply: ApplySidecar},
	{name: "pod-annotation", kind: rawList, usage: "Annotation KEY=VALUE on the pods (sidecar injection, safe-to-evict, metrics) (repeatable)", apply: ApplyPodAnnotation},
	{name: "priority-class", usage: "PriorityClass of the pods (priorityClassName)", apply: ApplyPriorityClass},
	{name: "runtime-class", usage: "RuntimeClass of the pods, e.g. gvisor (runtimeClassName)", apply: ApplyRuntimeClass},
	{name: "scheduler-name", usage: "Scheduler that places the pods (schedulerName)", apply: ApplySchedulerName},
	{name: "termination-grace-period", usage: "Time a stopping pod gets before it is killed, as seconds or a duration (terminationGracePeriodSeconds)", apply: ApplyTerminationGracePeriod},
	{name: "automount-service-account-token", kind: rawBool, usage: "Mount the service account's token (--automount-service-account-token=false keeps it out)", apply: ApplyAutomountServiceAccountToken},
	{name: "host-network", kind: rawBool, usage: "Use the node's network namespace (hostNetwork)", apply: ApplyHostNetwork},
	{name: "host-pid", kind: rawBool, usage: "Use the node's process namespace (hostPID)", apply: ApplyHostPID},
	{name: "host-ipc", kind: rawBool, usage: "Use the node's IPC namespace (hostIPC)", apply: ApplyHostIPC},
	{name: "host-users", kind: rawBool, usage: "--host-users=false runs the pod in its own user namespace (hostUsers)", apply: ApplyHostUsers},
	{name: "share-process-namespace", kind: rawBool, usage: "Containers of the pod see each other's processes (shareProcessNamespace)", apply: ApplyShareProcessNamespace},
	{name: "enable-service-links", kind: rawBool, usage: "Put the namespace's services in the environment (--enable-service-links=false keeps them out)", apply: ApplyEnableServiceLinks},
	{name: "dns-policy", usage: "ClusterFirst, ClusterFirstWithHostNet, Default or None (dnsPolicy)", apply: ApplyDNSPolicy},
	{name: "hostname", usage: "The pod's hostname", apply: ApplyHostname},
	{name: "subdomain", usage: "The pod's subdomain (with a headless Service of that name)", apply: ApplySubdomain},
	{name: "host-alias", kind: rawList, usage: "An /etc/hosts line IP=HOST[,HOST...] (repeatable)", apply: ApplyHostAlias},
	{name: "os", usage: "linux or windows (os.name)", apply: ApplyOS},
	{name: "node-name", usage: "Bind the pods to this node, bypassing the scheduler (nodeName)", apply: ApplyNodeName},
	{name: "node-affinity", kind: rawList, usage: `Run only on nodes matching a label expression: "disktype in (ssd,nvme)", gpu, !spot (repeatable; all must hold)`, apply: ApplyNodeAffinity},
	{name: "node-affinity-preferred", kind: rawList, usage: `Prefer nodes matching WEIGHT:EXPR, e.g. "50:disktype in (ssd)" (repeatable)`, apply: ApplyNodeAffinityPreferred},
	{name: "scheduling-gate", kind: rawList, usage: "A scheduling gate the pods wait behind until removed (repeatable)", apply: ApplySchedulingGate},
	{name: "override-type", usage: "How --overrides applies: merge (default), strategic or json, as kubectl run", apply: ApplyOverrideType},
	{name: "overrides", usage: "A JSON or YAML patch laid over the built Job last, as kubectl run: any field of the API (checked by the same rules)", apply: ApplyOverrides},
}

// AddTo registers the flags on fs.
func (f *PodFlags) AddTo(fs *pflag.FlagSet) {
	f.values = map[string]*rawFlag{}
	for _, pf := range podFlags {
		v := &rawFlag{kind: pf.kind}
		f.values[pf.name] = v
		fl := fs.VarPF(v, pf.name, "", pf.usage)
		if pf.kind == rawBool {
			fl.NoOptDefVal = "true"
		}
	}
}

// Apply hands every value of each flag that was set to its applier, and
// reports every bad one.
func (f *PodFlags) Apply(s *Spec, fs *pflag.FlagSet) error {
	var errs Errors
	for _, pf := range podFlags {
		fl := fs.Lookup(pf.name)
		v := f.values[pf.name]
		if fl == nil || !fl.Changed || v == nil {
			continue
		}
		for _, val := range v.vals {
			var err error
			if pf.container != nil {
				_, err = pf.container(s.MainContainer(), val)
			} else {
				_, err = pf.apply(s, val)
			}
			errs.collect(err)
		}
	}
	return errs.OrNil()
}

// rawFlag keeps a flag's values as typed.
type rawFlag struct {
	kind rawKind
	vals []string
}

func (r *rawFlag) Set(v string) error {
	if r.kind == rawList {
		r.vals = append(r.vals, v)
	} else {
		r.vals = []string{v}
	}
	return nil
}

func (r *rawFlag) String() string {
	if r.kind == rawList {
		return "[" + strings.Join(r.vals, ",") + "]"
	}
	if len(r.vals) == 0 {
		if r.kind == rawBool {
			return "false"
		}
		return ""
	}
	return r.vals[len(r.vals)-1]
}

// Type makes pflag show a bool flag as one ("--host-network") and the
// others with their value's kind.
func (r *rawFlag) Type() string {
	switch r.kind {
	case rawBool:
		return "bool"
	case rawList:
		return "stringArray"
	}
	return "string"
}
