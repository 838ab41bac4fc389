package testcluster

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
)

// Annotations the test kubelet reads to decide how a pod's containers behave.
// Each is looked up on the pod first and, when absent there, on the Job that
// owns the pod, so a scenario can be put on a Job created by a command that
// does not let the test set pod template annotations.
const (
	// AnnotationExitCode is the exit code of every container (default 0).
	AnnotationExitCode = "testkubelet/exit-code"
	// AnnotationExitCodes gives exit codes by completion index of an Indexed
	// Job, e.g. "0=0,1=42"; indexes not listed use AnnotationExitCode.
	AnnotationExitCodes = "testkubelet/exit-codes"
	// AnnotationFailTimes makes the first N container runs of a Job (pods,
	// or restarts with restartPolicy OnFailure) exit with code 1; later runs
	// use the exit codes above.
	AnnotationFailTimes = "testkubelet/fail-times"
	// AnnotationRunSeconds is how long containers run before they exit
	// (default 1, fractions allowed).
	AnnotationRunSeconds = "testkubelet/run-seconds"
	// AnnotationStartSeconds is how long the pod stays ContainerCreating
	// (default 0.1).
	AnnotationStartSeconds = "testkubelet/start-seconds"
	// AnnotationWaitingReason keeps the app containers Waiting with this
	// reason forever (e.g. ImagePullBackOff); the pod stays Pending.
	AnnotationWaitingReason = "testkubelet/waiting-reason"
	// AnnotationWaitingMessage overrides the message shown with
	// AnnotationWaitingReason.
	AnnotationWaitingMessage = "testkubelet/waiting-message"
	// AnnotationLog is the text every container logs; the default is one
	// line "hello from POD/CONTAINER". "testkubelet/log.CONTAINER" sets it
	// for one container.
	AnnotationLog = "testkubelet/log"
	// AnnotationMemoryNeed is how much memory the containers use (e.g.
	// "100Mi"): a container whose memory limit is below it is OOMKilled
	// (exit 137) in every run, as the kernel would; one with a limit at or
	// above it behaves as the other annotations say.
	AnnotationMemoryNeed = "testkubelet/memory-need"
)

const (
	// DefaultNodeName is the node the test kubelet registers.
	DefaultNodeName = "node-1"

	unschedulableMessage = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. " +
		"preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
	crashLoopBackOff = 500 * time.Millisecond
)

// KubeletOptions configures the test kubelet.
type KubeletOptions struct {
	// NodeName defaults to DefaultNodeName.
	NodeName string
	// Labels are added to the node's default labels
	// (kubernetes.io/hostname, kubernetes.io/os=linux, disktype=ssd).
	Labels map[string]string
}

// Kubelet plays both scheduler and kubelet for one node: it binds pending
// pods whose node selector matches the node, drives their status through
// the phases a real kubelet reports, and serves their logs to the API server.
// It uses informers rather than polling so tests stay fast and quiet in the
// audit log.
type Kubelet struct {
	client   kubernetes.Interface
	nodeName string
	labels   map[string]string
	logger   *log.Logger

	listener net.Listener
	server   *http.Server
	port     int

	cancel     context.CancelFunc
	wg         sync.WaitGroup
	podLister  corelisters.PodLister
	jobLister  batchlisters.JobLister
	nodeLister corelisters.NodeLister
	schedQueue workqueue.TypedRateLimitingInterface[string]

	mu       sync.Mutex
	stopped  bool
	workers  map[types.UID]*podWorker
	attempts map[types.UID]int // container runs so far, by owning Job (or pod)
	changed  chan struct{}     // closed and replaced whenever a pod changes
	nextIP   int
}

// podWorker drives one pod bound to the node.
type podWorker struct {
	uid       types.UID
	namespace string
	name      string
	ctx       context.Context
	cancel    context.CancelFunc
	deleting  chan struct{}
	closeOnce sync.Once
}

func (w *podWorker) markDeleting() { w.closeOnce.Do(func() { close(w.deleting) }) }

// startKubelet registers the node, starts the log server and the informers.
func startKubelet(ctx context.Context, client kubernetes.Interface, ca *certAuthority, opts KubeletOptions, logOut io.Writer) (_ *Kubelet, err error) {
	if opts.NodeName == "" {
		opts.NodeName = DefaultNodeName
	}
	nodeLabels := map[string]string{
		"kubernetes.io/hostname": opts.NodeName,
		"kubernetes.io/os":       "linux",
		"kubernetes.io/arch":     "amd64",
		"disktype":               "ssd",
	}
	for k, v := range opts.Labels {
		nodeLabels[k] = v
	}
	k := &Kubelet{
		client:   client,
		nodeName: opts.NodeName,
		labels:   nodeLabels,
		logger:   log.New(logOut, "testkubelet: ", log.LstdFlags|log.Lmicroseconds),
		workers:  map[types.UID]*podWorker{},
		attempts: map[types.UID]int{},
		changed:  make(chan struct{}),
		schedQueue: workqueue.NewTypedRateLimitingQueue[string](
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](50*time.Millisecond, 2*time.Second)),
	}

	// The API server reaches this server for logs with the client
	// certificate of --kubelet-client-certificate and verifies it with
	// --kubelet-certificate-authority, both from the cluster CA, as with a
	// real kubelet serving certificate.
	serving, err := ca.issueTLS(opts.NodeName, []net.IP{net.ParseIP("127.0.0.1")}, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{serving},
		ClientCAs:    ca.pool(),
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return nil, err
	}
	k.listener = ln
	k.port = ln.Addr().(*net.TCPAddr).Port
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", k.serveContainerLogs)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	k.server = &http.Server{Handler: mux, ErrorLog: k.logger, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = k.server.Serve(ln) }()
	runCtx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	defer func() {
		if err != nil {
			cancel()
			k.server.Close()
		}
	}()

	if err := k.registerNode(ctx); err != nil {
		return nil, fmt.Errorf("register node %s: %w", k.nodeName, err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTransform(stripManagedFields))
	podInformer := factory.Core().V1().Pods()
	k.podLister = podInformer.Lister()
	k.jobLister = factory.Batch().V1().Jobs().Lister()
	nodeFactory := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", k.nodeName).String()
		}))
	nodeInformer := nodeFactory.Core().V1().Nodes()
	k.nodeLister = nodeInformer.Lister()

	if _, err := podInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.onPod(obj.(*v1.Pod)) },
		UpdateFunc: func(_, obj any) { k.onPod(obj.(*v1.Pod)) },
		DeleteFunc: k.onPodDelete,
	}); err != nil {
		return nil, err
	}
	// A relabelled node may now fit pods that were unschedulable.
	if _, err := nodeInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, _ any) { k.requeueUnscheduled() },
	}); err != nil {
		return nil, err
	}
	factory.Start(runCtx.Done())
	nodeFactory.Start(runCtx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return nil, fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	for typ, ok := range nodeFactory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return nil, fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	k.requeueUnscheduled()

	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		k.runScheduler(runCtx)
	}()
	go func() {
		<-runCtx.Done()
		k.schedQueue.ShutDown()
	}()
	return k, nil
}

// stripManagedFields keeps the informer caches small; nothing here reads
// managed fields.
func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// NodeName is the name of the node the kubelet registered.
func (k *Kubelet) NodeName() string { return k.nodeName }

// Port is the port of the kubelet's HTTPS server (the node's
// status.daemonEndpoints.kubeletEndpoint.Port).
func (k *Kubelet) Port() int { return k.port }

// stop ends every pod worker, the informers and the log server. Pods keep
// the status they had.
func (k *Kubelet) stop() {
	k.cancel()
	k.mu.Lock()
	k.stopped = true
	for _, w := range k.workers {
		w.cancel()
	}
	k.mu.Unlock()
	k.server.Close()
	k.wg.Wait()
}

// registerNode creates or refreshes the Node once. A real kubelet renews a
// Lease and its heartbeats so the node lifecycle controller does not mark
// the node NotReady and evict its pods; that controller is not run here, so
// the Ready condition stays true without heartbeats.
func (k *Kubelet) registerNode(ctx context.Context) error {
	nodes := k.client.CoreV1().Nodes()
	node := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: k.nodeName, Labels: k.labels}}
	if _, err := nodes.Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := nodes.Get(ctx, k.nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for key, v := range k.labels {
			if node.Labels == nil {
				node.Labels = map[string]string{}
			}
			node.Labels[key] = v
		}
		// The TaintNodesByCondition admission plugin taints new nodes
		// not-ready until the node lifecycle controller sees them Ready;
		// that controller does not run here, so drop the taint ourselves.
		node.Spec.Taints = nil
		node, err = nodes.Update(ctx, node, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		now := metav1.Now()
		capacity := v1.ResourceList{
			v1.ResourceCPU:              resource.MustParse("8"),
			v1.ResourceMemory:           resource.MustParse("32Gi"),
			v1.ResourcePods:             resource.MustParse("250"),
			v1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		node.Status = v1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity,
			Phase:       v1.NodeRunning,
			Conditions: []v1.NodeCondition{
				{Type: v1.NodeReady, Status: v1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodeMemoryPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodeDiskPressure, Status: v1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodePIDPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available", LastHeartbeatTime: now, LastTransitionTime: now},
			},
			// Only InternalIP matters: the API server is started with
			// --kubelet-preferred-address-types=InternalIP, so it reaches
			// this kubelet at 127.0.0.1 and never resolves the hostname.
			Addresses: []v1.NodeAddress{
				{Type: v1.NodeInternalIP, Address: "127.0.0.1"},
				{Type: v1.NodeHostName, Address: k.nodeName},
			},
			DaemonEndpoints: v1.NodeDaemonEndpoints{KubeletEndpoint: v1.DaemonEndpoint{Port: int32(k.port)}},
			NodeInfo: v1.NodeSystemInfo{
				MachineID:               "testkubelet",
				SystemUUID:              "testkubelet",
				BootID:                  "testkubelet",
				KernelVersion:           "6.1.0",
				OSImage:                 "testkubelet",
				ContainerRuntimeVersion: "containerd://2.1.0",
				KubeletVersion:          "v1.37.2",
				OperatingSystem:         "linux",
				Architecture:            "amd64",
			},
		}
		_, err = nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

// notifyChanged wakes log streams waiting for a container to finish.
func (k *Kubelet) notifyChanged() {
	k.mu.Lock()
	close(k.changed)
	k.changed = make(chan struct{})
	k.mu.Unlock()
}

func (k *Kubelet) changedCh() <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.changed
}

func (k *Kubelet) onPod(pod *v1.Pod) {
	k.notifyChanged()
	switch pod.Spec.NodeName {
	case "":
		if pod.DeletionTimestamp == nil && !isTerminal(pod) {
			k.schedQueue.Add(pod.Namespace + "/" + pod.Name)
		}
	case k.nodeName:
		k.ensureWorker(pod)
	}
}

func (k *Kubelet) onPodDelete(obj any) {
	k.notifyChanged()
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*v1.Pod)
	if !ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if w := k.workers[pod.UID]; w != nil {
		w.cancel()
		delete(k.workers, pod.UID)
	}
}

// ensureWorker starts one goroutine per pod UID for the pod's whole life on
// the node. Workers stay registered until the pod is gone, so a stale
// informer event can never start a finished pod again.
func (k *Kubelet) ensureWorker(pod *v1.Pod) {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.workers[pod.UID]
	if w == nil {
		if k.stopped {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		w = &podWorker{uid: pod.UID, namespace: pod.Namespace, name: pod.Name, ctx: ctx, cancel: cancel, deleting: make(chan struct{})}
		k.workers[pod.UID] = w
		k.wg.Add(1)
		go func(pod *v1.Pod) {
			defer k.wg.Done()
			k.runPod(w, pod)
		}(pod.DeepCopy())
	}
	if pod.DeletionTimestamp != nil {
		w.markDeleting()
	}
}

func isTerminal(pod *v1.Pod) bool {
	return pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed
}

// ---- scheduling ----

func (k *Kubelet) requeueUnscheduled() {
	pods, err := k.podLister.List(labels.Everything())
	if err != nil {
		return
	}
	for _, pod := range pods {
		if pod.Spec.NodeName == "" && pod.DeletionTimestamp == nil && !isTerminal(pod) {
			k.schedQueue.Add(pod.Namespace + "/" + pod.Name)
		}
	}
}

func (k *Kubelet) runScheduler(ctx context.Context) {
	for {
		key, quit := k.schedQueue.Get()
		if quit {
			return
		}
		if err := k.schedule(ctx, key); err != nil {
			if ctx.Err() == nil {
				k.logger.Printf("schedule %s: %v", key, err)
				k.schedQueue.AddRateLimited(key)
			}
		} else {
			k.schedQueue.Forget(key)
		}
		k.schedQueue.Done(key)
	}
}

func (k *Kubelet) schedule(ctx context.Context, key string) error {
	ns, name, _ := strings.Cut(key, "/")
	pod, err := k.podLister.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pod.Spec.NodeName != "" || pod.DeletionTimestamp != nil || isTerminal(pod) {
		return nil
	}
	if s := pod.Spec.SchedulerName; s != "" && s != v1.DefaultSchedulerName {
		return nil
	}
	node, err := k.nodeLister.Get(k.nodeName)
	if err != nil {
		return err
	}
	if !podFitsNode(pod, node) {
		for _, c := range pod.Status.Conditions {
			if c.Type == v1.PodScheduled && c.Status == v1.ConditionFalse && c.Reason == v1.PodReasonUnschedulable && c.Message == unschedulableMessage {
				return nil
			}
		}
		k.logger.Printf("pod %s is unschedulable", key)
		err := k.updatePodStatus(ctx, ns, name, pod.UID, func(pod *v1.Pod) {
			setPodCondition(&pod.Status, v1.PodScheduled, v1.ConditionFalse, v1.PodReasonUnschedulable, unschedulableMessage)
		})
		if errors.Is(err, errPodGone) {
			return nil
		}
		return err
	}
	k.logger.Printf("binding pod %s to %s", key, k.nodeName)
	err = k.client.CoreV1().Pods(ns).Bind(ctx, &v1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: pod.UID},
		Target:     v1.ObjectReference{Kind: "Node", Name: k.nodeName},
	}, metav1.CreateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone, or bound meanwhile
	}
	return err
}

// podFitsNode checks what the default scheduler would check for a node
// without taints and with ample resources: nodeSelector and required node
// affinity.
func podFitsNode(pod *v1.Pod, node *v1.Node) bool {
	if !labels.SelectorFromSet(pod.Spec.NodeSelector).Matches(labels.Set(node.Labels)) {
		return false
	}
	aff := pod.Spec.Affinity
	if aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	for _, term := range aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if termMatches(term, node) {
			return true
		}
	}
	return false
}

func termMatches(term v1.NodeSelectorTerm, node *v1.Node) bool {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		return false
	}
	for _, req := range term.MatchExpressions {
		if !requirementMatches(req, node.Labels) {
			return false
		}
	}
	for _, req := range term.MatchFields {
		if req.Key != "metadata.name" || !requirementMatches(req, map[string]string{"metadata.name": node.Name}) {
			return false
		}
	}
	return true
}

func requirementMatches(req v1.NodeSelectorRequirement, set map[string]string) bool {
	v, has := set[req.Key]
	contains := func() bool {
		for _, want := range req.Values {
			if want == v {
				return true
			}
		}
		return false
	}
	compare := func(gt bool) bool {
		if !has || len(req.Values) != 1 {
			return false
		}
		have, err1 := strconv.ParseInt(v, 10, 64)
		want, err2 := strconv.ParseInt(req.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if gt {
			return have > want
		}
		return have < want
	}
	switch req.Operator {
	case v1.NodeSelectorOpIn:
		return has && contains()
	case v1.NodeSelectorOpNotIn:
		return !has || !contains()
	case v1.NodeSelectorOpExists:
		return has
	case v1.NodeSelectorOpDoesNotExist:
		return !has
	case v1.NodeSelectorOpGt:
		return compare(true)
	case v1.NodeSelectorOpLt:
		return compare(false)
	}
	return false
}

// ---- pod life ----

// podPlan is what the annotations ask of a pod.
type podPlan struct {
	exitCode       int32
	exitCodes      map[int]int32
	failTimes      int
	run            time.Duration
	start          time.Duration
	waitingReason  string
	waitingMessage string
	attemptKey     types.UID
	memoryNeed     *resource.Quantity
}

// oomKilled tells whether container c runs out of its memory limit.
func (p podPlan) oomKilled(c v1.Container) bool {
	if p.memoryNeed == nil {
		return false
	}
	lim, ok := c.Resources.Limits[v1.ResourceMemory]
	return ok && lim.Cmp(*p.memoryNeed) < 0
}

func (p podPlan) anyOOMKilled(cs []v1.Container) bool {
	for _, c := range cs {
		if p.oomKilled(c) {
			return true
		}
	}
	return false
}

func (k *Kubelet) owningJob(pod *v1.Pod) *batchv1.Job {
	ref := metav1.GetControllerOf(pod)
	name := pod.Labels[batchv1.JobNameLabel]
	if ref != nil && ref.Kind == "Job" {
		name = ref.Name
	}
	if name == "" {
		return nil
	}
	job, err := k.jobLister.Jobs(pod.Namespace).Get(name)
	if err != nil {
		// The informer may not have seen a brand new Job yet.
		job, err = k.client.BatchV1().Jobs(pod.Namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return nil
		}
	}
	if ref != nil && ref.UID != job.UID {
		return nil
	}
	return job
}

func (k *Kubelet) annotation(pod *v1.Pod, job *batchv1.Job, key string) (string, bool) {
	if v, ok := pod.Annotations[key]; ok {
		return v, true
	}
	if job != nil {
		v, ok := job.Annotations[key]
		return v, ok
	}
	return "", false
}

func (k *Kubelet) plan(pod *v1.Pod) podPlan {
	job := k.owningJob(pod)
	p := podPlan{run: time.Second, start: 100 * time.Millisecond, attemptKey: pod.UID}
	if job != nil {
		p.attemptKey = job.UID
	}
	bad := func(key, v string, err error) {
		k.logger.Printf("pod %s/%s: ignoring %s=%q: %v", pod.Namespace, pod.Name, key, v, err)
	}
	if v, ok := k.annotation(pod, job, AnnotationExitCode); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err != nil {
			bad(AnnotationExitCode, v, err)
		} else {
			p.exitCode = int32(n)
		}
	}
	if v, ok := k.annotation(pod, job, AnnotationExitCodes); ok {
		p.exitCodes = map[int]int32{}
		for _, pair := range strings.Split(v, ",") {
			idx, code, found := strings.Cut(strings.TrimSpace(pair), "=")
			i, err1 := strconv.Atoi(strings.TrimSpace(idx))
			c, err2 := strconv.ParseInt(strings.TrimSpace(code), 10, 32)
			if !found || err1 != nil || err2 != nil {
				bad(AnnotationExitCodes, v, fmt.Errorf("want INDEX=CODE, got %q", pair))
				continue
			}
			p.exitCodes[i] = int32(c)
		}
	}
	if v, ok := k.annotation(pod, job, AnnotationFailTimes); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
			bad(AnnotationFailTimes, v, err)
		} else {
			p.failTimes = n
		}
	}
	seconds := func(key string, into *time.Duration) {
		if v, ok := k.annotation(pod, job, key); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || f < 0 {
				bad(key, v, err)
			} else {
				*into = time.Duration(f * float64(time.Second))
			}
		}
	}
	seconds(AnnotationRunSeconds, &p.run)
	seconds(AnnotationStartSeconds, &p.start)
	if v, ok := k.annotation(pod, job, AnnotationMemoryNeed); ok {
		if q, err := resource.ParseQuantity(strings.TrimSpace(v)); err != nil {
			bad(AnnotationMemoryNeed, v, err)
		} else {
			p.memoryNeed = &q
		}
	}
	p.waitingReason, _ = k.annotation(pod, job, AnnotationWaitingReason)
	p.waitingMessage, _ = k.annotation(pod, job, AnnotationWaitingMessage)
	return p
}

// nextExitCode decides the exit code of the next container run and counts
// the run for AnnotationFailTimes.
func (k *Kubelet) nextExitCode(pod *v1.Pod, p podPlan) int32 {
	k.mu.Lock()
	run := k.attempts[p.attemptKey]
	k.attempts[p.attemptKey]++
	k.mu.Unlock()
	if run < p.failTimes {
		return 1
	}
	if idx, err := strconv.Atoi(pod.Annotations[batchv1.JobCompletionIndexAnnotation]); err == nil {
		if code, ok := p.exitCodes[idx]; ok {
			return code
		}
	}
	return p.exitCode
}

func waitingMessage(reason, image string) string {
	switch reason {
	case "ImagePullBackOff":
		return fmt.Sprintf("Back-off pulling image %q", image)
	case "ErrImagePull":
		return fmt.Sprintf("failed to pull and unpack image %q: not found", image)
	case "CrashLoopBackOff":
		return "back-off 10s restarting failed container"
	case "CreateContainerConfigError":
		return `configmap "missing" not found`
	}
	return "testkubelet: container is waiting: " + reason
}

// runPod plays the life of one pod, then waits for its deletion.
func (k *Kubelet) runPod(w *podWorker, pod *v1.Pod) {
	if pod.DeletionTimestamp == nil && !isTerminal(pod) {
		k.livePod(w, pod)
	}
	select {
	case <-w.ctx.Done():
		return
	case <-w.deleting:
	}
	k.killAndDelete(w)
}

func (k *Kubelet) sleep(w *podWorker, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.ctx.Done():
		return false
	case <-w.deleting:
		return false
	case <-t.C:
		return true
	}
}

func containerHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])
}

func containerID(pod *v1.Pod, name string, run int32) string {
	return "containerd://" + containerHash(string(pod.UID), name, strconv.Itoa(int(run)))
}

func imageID(image string) string {
	repo, _, _ := strings.Cut(image, ":")
	return repo + "@sha256:" + containerHash(image)
}

func baseStatus(c v1.Container) v1.ContainerStatus {
	return v1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), Started: new(bool)}
}

func waitingStatus(c v1.Container, reason, message string) v1.ContainerStatus {
	s := baseStatus(c)
	s.ImageID = ""
	s.State.Waiting = &v1.ContainerStateWaiting{Reason: reason, Message: message}
	return s
}

func runningStatus(pod *v1.Pod, c v1.Container, started metav1.Time, run int32) v1.ContainerStatus {
	s := baseStatus(c)
	s.ContainerID = containerID(pod, c.Name, run)
	s.State.Running = &v1.ContainerStateRunning{StartedAt: started}
	s.Ready = true
	s.Started = new(true)
	s.RestartCount = run
	return s
}

func terminated(pod *v1.Pod, name string, run, exit int32, started, finished metav1.Time) *v1.ContainerStateTerminated {
	reason := "Completed"
	if exit != 0 {
		reason = "Error"
	}
	return &v1.ContainerStateTerminated{
		ExitCode:    exit,
		Reason:      reason,
		StartedAt:   started,
		FinishedAt:  finished,
		ContainerID: containerID(pod, name, run),
	}
}

func terminatedStatus(pod *v1.Pod, c v1.Container, run, exit int32, started, finished metav1.Time) v1.ContainerStatus {
	s := baseStatus(c)
	s.ContainerID = containerID(pod, c.Name, run)
	s.State.Terminated = terminated(pod, c.Name, run, exit, started, finished)
	s.RestartCount = run
	return s
}

func isSidecar(c v1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways
}

func (k *Kubelet) podIP() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.nextIP++
	return fmt.Sprintf("10.244.%d.%d", k.nextIP/250, k.nextIP%250+2)
}

// livePod drives a pod from Pending to a terminal phase, returning early
// when the pod is being deleted.
func (k *Kubelet) livePod(w *podWorker, pod *v1.Pod) {
	p := k.plan(pod)
	ip := k.podIP()
	created := metav1.Now()
	hasInit := len(pod.Spec.InitContainers) > 0
	k.logger.Printf("pod %s/%s: starting (exit code %d, run %v)", pod.Namespace, pod.Name, p.exitCode, p.run)

	setAll := func(status *v1.PodStatus, init, app []v1.ContainerStatus) {
		status.InitContainerStatuses = init
		status.ContainerStatuses = app
	}
	update := func(mutate func(pod *v1.Pod)) bool {
		err := k.updatePodStatus(w.ctx, w.namespace, w.name, w.uid, func(pod *v1.Pod) {
			pod.Status.ObservedGeneration = pod.Generation
			pod.Status.HostIP = "127.0.0.1"
			pod.Status.HostIPs = []v1.HostIP{{IP: "127.0.0.1"}}
			pod.Status.PodIP = ip
			pod.Status.PodIPs = []v1.PodIP{{IP: ip}}
			if pod.Status.StartTime == nil {
				pod.Status.StartTime = &created
			}
			mutate(pod)
		})
		if err != nil && !errors.Is(err, errPodGone) && w.ctx.Err() == nil {
			k.logger.Printf("pod %s/%s: %v", w.namespace, w.name, err)
		}
		return err == nil
	}

	// Pending: sandbox and containers being created.
	if !update(func(pod *v1.Pod) {
		pod.Status.Phase = v1.PodPending
		var init, app []v1.ContainerStatus
		appReason := "ContainerCreating"
		if hasInit {
			appReason = "PodInitializing"
			for i, c := range pod.Spec.InitContainers {
				reason := "PodInitializing"
				if i == 0 {
					reason = "ContainerCreating"
				}
				init = append(init, waitingStatus(c, reason, ""))
			}
		}
		for _, c := range pod.Spec.Containers {
			app = append(app, waitingStatus(c, appReason, ""))
		}
		setAll(&pod.Status, init, app)
		setPodCondition(&pod.Status, v1.PodReadyToStartContainers, v1.ConditionFalse, "", "")
		if hasInit {
			setPodCondition(&pod.Status, v1.PodInitialized, v1.ConditionFalse, "ContainersNotInitialized", "containers with incomplete status: ["+containerNames(pod.Spec.InitContainers)+"]")
		} else {
			setPodCondition(&pod.Status, v1.PodInitialized, v1.ConditionTrue, "", "")
		}
		msg := "containers with unready status: [" + containerNames(pod.Spec.Containers) + "]"
		setPodCondition(&pod.Status, v1.PodReady, v1.ConditionFalse, "ContainersNotReady", msg)
		setPodCondition(&pod.Status, v1.ContainersReady, v1.ConditionFalse, "ContainersNotReady", msg)
	}) || !k.sleep(w, p.start) {
		return
	}

	// Init containers run to completion one after the other (instantly);
	// sidecars (restartPolicy Always) keep running beside the app.
	var initDone []v1.ContainerStatus
	for _, c := range pod.Spec.InitContainers {
		now := metav1.Now()
		if isSidecar(c) {
			initDone = append(initDone, runningStatus(pod, c, now, 0))
		} else {
			initDone = append(initDone, terminatedStatus(pod, c, 0, 0, now, now))
		}
	}

	if p.waitingReason != "" {
		k.logger.Printf("pod %s/%s: containers wait with %s", pod.Namespace, pod.Name, p.waitingReason)
		update(func(pod *v1.Pod) {
			pod.Status.Phase = v1.PodPending
			var app []v1.ContainerStatus
			for _, c := range pod.Spec.Containers {
				msg := p.waitingMessage
				if msg == "" {
					msg = waitingMessage(p.waitingReason, c.Image)
				}
				app = append(app, waitingStatus(c, p.waitingReason, msg))
			}
			setAll(&pod.Status, initDone, app)
			setPodCondition(&pod.Status, v1.PodReadyToStartContainers, v1.ConditionTrue, "", "")
			setPodCondition(&pod.Status, v1.PodInitialized, v1.ConditionTrue, "", "")
		})
		return // until deleted
	}

	var last []*v1.ContainerStateTerminated
	for run := int32(0); ; run++ {
		exit := k.nextExitCode(pod, p)
		oom := p.anyOOMKilled(pod.Spec.Containers)
		if oom {
			exit = 137
		}
		// oomReason marks the runs of the containers over their limit.
		oomReason := func(c v1.Container, t *v1.ContainerStateTerminated) {
			if oom && p.oomKilled(c) {
				t.Reason = "OOMKilled"
			}
		}
		started := metav1.Now()
		if !update(func(pod *v1.Pod) {
			pod.Status.Phase = v1.PodRunning
			var app []v1.ContainerStatus
			for i, c := range pod.Spec.Containers {
				s := runningStatus(pod, c, started, run)
				if last != nil {
					s.LastTerminationState.Terminated = last[i]
				}
				app = append(app, s)
			}
			setAll(&pod.Status, initDone, app)
			setPodCondition(&pod.Status, v1.PodReadyToStartContainers, v1.ConditionTrue, "", "")
			setPodCondition(&pod.Status, v1.PodInitialized, v1.ConditionTrue, "", "")
			setPodCondition(&pod.Status, v1.PodReady, v1.ConditionTrue, "", "")
			setPodCondition(&pod.Status, v1.ContainersReady, v1.ConditionTrue, "", "")
		}) {
			return
		}
		// Containers of restartPolicy Always pods behave like servers.
		if pod.Spec.RestartPolicy == v1.RestartPolicyAlways || !k.sleep(w, p.run) {
			return
		}
		finished := metav1.Now()
		if exit == 0 || pod.Spec.RestartPolicy == v1.RestartPolicyNever {
			k.logger.Printf("pod %s/%s: containers exit with %d", pod.Namespace, pod.Name, exit)
			update(func(pod *v1.Pod) {
				pod.Status.Phase = v1.PodSucceeded
				if exit != 0 {
					pod.Status.Phase = v1.PodFailed
				}
				var init, app []v1.ContainerStatus
				for _, s := range initDone {
					if s.State.Running != nil {
						s = terminatedStatus(pod, pod.Spec.InitContainers[len(init)], 0, 0, s.State.Running.StartedAt, finished)
					}
					init = append(init, s)
				}
				for i, c := range pod.Spec.Containers {
					s := terminatedStatus(pod, c, run, exit, started, finished)
					oomReason(c, s.State.Terminated)
					if last != nil {
						s.LastTerminationState.Terminated = last[i]
					}
					app = append(app, s)
				}
				setAll(&pod.Status, init, app)
				setPodCondition(&pod.Status, v1.PodReadyToStartContainers, v1.ConditionFalse, "", "")
				setPodCondition(&pod.Status, v1.PodReady, v1.ConditionFalse, "PodCompleted", "")
				setPodCondition(&pod.Status, v1.ContainersReady, v1.ConditionFalse, "PodCompleted", "")
			})
			return
		}

		// restartPolicy OnFailure: the container restarts in place after a
		// (shortened) crash loop back-off, as the Job controller expects.
		k.logger.Printf("pod %s/%s: containers exit with %d, restarting", pod.Namespace, pod.Name, exit)
		last = nil
		for _, c := range pod.Spec.Containers {
			t := terminated(pod, c.Name, run, exit, started, finished)
			oomReason(c, t)
			last = append(last, t)
		}
		if !update(func(pod *v1.Pod) {
			var app []v1.ContainerStatus
			for i, c := range pod.Spec.Containers {
				s := waitingStatus(c, "CrashLoopBackOff", fmt.Sprintf("back-off 10s restarting failed container=%s pod=%s_%s(%s)", c.Name, pod.Name, pod.Namespace, pod.UID))
				s.ImageID = imageID(c.Image)
				s.ContainerID = containerID(pod, c.Name, run)
				s.RestartCount = run + 1
				s.LastTerminationState.Terminated = last[i]
				app = append(app, s)
			}
			setAll(&pod.Status, initDone, app)
			msg := "containers with unready status: [" + containerNames(pod.Spec.Containers) + "]"
			setPodCondition(&pod.Status, v1.PodReady, v1.ConditionFalse, "ContainersNotReady", msg)
			setPodCondition(&pod.Status, v1.ContainersReady, v1.ConditionFalse, "ContainersNotReady", msg)
		}) || !k.sleep(w, crashLoopBackOff) {
			return
		}
	}
}

// killAndDelete does what a kubelet does for a pod deleted with a grace
// period: stop its containers, report the pod terminal, and delete it with
// grace period 0 so the deletion (and foreground deletion of its Job)
// completes. Finalizers such as the Job controller's tracking finalizer are
// left to their owners.
func (k *Kubelet) killAndDelete(w *podWorker) {
	k.logger.Printf("pod %s/%s: deleting", w.namespace, w.name)
	err := k.updatePodStatus(w.ctx, w.namespace, w.name, w.uid, func(pod *v1.Pod) {
		if isTerminal(pod) {
			return
		}
		now := metav1.Now()
		kill := func(specs []v1.Container, statuses []v1.ContainerStatus) []v1.ContainerStatus {
			var out []v1.ContainerStatus
			for i, c := range specs {
				var s v1.ContainerStatus
				if i < len(statuses) {
					s = statuses[i]
				} else {
					s = baseStatus(c)
				}
				switch {
				case s.State.Running != nil:
					// SIGTERM, as sent by the container runtime.
					s.State = v1.ContainerState{Terminated: &v1.ContainerStateTerminated{
						ExitCode: 143, Reason: "Error", StartedAt: s.State.Running.StartedAt, FinishedAt: now, ContainerID: s.ContainerID,
					}}
				case s.State.Waiting != nil || s.State == (v1.ContainerState{}):
					s.State = v1.ContainerState{Terminated: &v1.ContainerStateTerminated{
						ExitCode: 137, Reason: "ContainerStatusUnknown", Message: "The container could not be located when the pod was terminated", FinishedAt: now,
					}}
				}
				s.Ready = false
				s.Started = new(false)
				out = append(out, s)
			}
			return out
		}
		pod.Status.InitContainerStatuses = kill(pod.Spec.InitContainers, pod.Status.InitContainerStatuses)
		pod.Status.ContainerStatuses = kill(pod.Spec.Containers, pod.Status.ContainerStatuses)
		pod.Status.Phase = v1.PodFailed
		setPodCondition(&pod.Status, v1.PodReadyToStartContainers, v1.ConditionFalse, "", "")
		setPodCondition(&pod.Status, v1.PodReady, v1.ConditionFalse, "PodCompleted", "")
		setPodCondition(&pod.Status, v1.ContainersReady, v1.ConditionFalse, "PodCompleted", "")
	})
	if errors.Is(err, errPodGone) || w.ctx.Err() != nil {
		return
	}
	if err != nil {
		// Deleting is what matters to the pod's owners; go on.
		k.logger.Printf("pod %s/%s: final status: %v", w.namespace, w.name, err)
	}
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		err := k.client.CoreV1().Pods(w.namespace).Delete(w.ctx, w.name, metav1.DeleteOptions{
			GracePeriodSeconds: new(int64(0)),
			Preconditions:      &metav1.Preconditions{UID: &w.uid},
		})
		if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return
		}
		k.logger.Printf("pod %s/%s: delete: %v", w.namespace, w.name, err)
		if !k.sleepCtx(w.ctx, delay) {
			return
		}
	}
}

func (k *Kubelet) sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

var errPodGone = errors.New("pod is gone")

// updatePodStatus applies mutate to the current pod and writes it through
// the status subresource, retrying conflicts at once and other errors (an
// API server being restarted by a fault test) with back-off until ctx ends.
func (k *Kubelet) updatePodStatus(ctx context.Context, ns, name string, uid types.UID, mutate func(*v1.Pod)) error {
	pods := k.client.CoreV1().Pods(ns)
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		pod, err := pods.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && pod.UID != uid) {
			return errPodGone
		}
		if err == nil {
			mutate(pod)
			_, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
			if err == nil {
				return nil
			}
			if apierrors.IsNotFound(err) {
				return errPodGone
			}
			if apierrors.IsConflict(err) {
				continue
			}
			if apierrors.IsInvalid(err) {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k.logger.Printf("pod %s/%s: status update: %v (retrying)", ns, name, err)
		if !k.sleepCtx(ctx, delay) {
			return ctx.Err()
		}
	}
}

func setPodCondition(status *v1.PodStatus, typ v1.PodConditionType, value v1.ConditionStatus, reason, message string) {
	now := metav1.Now()
	for i := range status.Conditions {
		c := &status.Conditions[i]
		if c.Type != typ {
			continue
		}
		if c.Status != value {
			c.LastTransitionTime = now
		}
		c.Status, c.Reason, c.Message = value, reason, message
		c.LastProbeTime = metav1.Time{}
		return
	}
	status.Conditions = append(status.Conditions, v1.PodCondition{
		Type: typ, Status: value, Reason: reason, Message: message, LastTransitionTime: now,
	})
}

func containerNames(cs []v1.Container) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, " ")
}
