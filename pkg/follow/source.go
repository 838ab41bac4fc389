package follow

import (
	"context"
	"io"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

// Source is what the follow reads from the cluster. RESTSource is the real
// one; tests put a fake clientset behind it.
type Source interface {
	GetJob(ctx context.Context, namespace, name string) (*batchv1.Job, error)
	ListJobs(ctx context.Context, namespace string, opts metav1.ListOptions) (*batchv1.JobList, error)
	WatchJobs(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error)
	ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) (*corev1.PodList, error)
	WatchPods(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error)
	ListEvents(ctx context.Context, namespace string, opts metav1.ListOptions) (*corev1.EventList, error)
	WatchEvents(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error)
	// PodLogs streams a container's log; the caller closes it.
	PodLogs(ctx context.Context, namespace, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error)
}

// RESTSource reads through pkg/cluster's light REST clients, keeping the
// typed clientset (and its start-up cost) out of the plugin. It reads in
// protobuf (cluster.AcceptProtobuf): a Job of thousands of pods is
// thousands of pod updates to decode.
type RESTSource struct {
	Batch rest.Interface
	Core  rest.Interface
	// Kueue reads Workloads (through discovery, once per process); nil
	// follows without them.
	Kueue *cluster.Client
}

// NewRESTSource is the Source of a cluster client.
func NewRESTSource(c *cluster.Client) *RESTSource {
	return &RESTSource{Batch: c.Batch, Core: c.Core, Kueue: c}
}

func (s *RESTSource) GetJob(ctx context.Context, namespace, name string) (*batchv1.Job, error) {
	job := &batchv1.Job{}
	err := s.Batch.Get().Namespace(namespace).Resource("jobs").Name(name).
		SetHeader("Accept", cluster.AcceptProtobuf).Do(ctx).Into(job)
	return job, err
}

func (s *RESTSource) ListJobs(ctx context.Context, namespace string, opts metav1.ListOptions) (*batchv1.JobList, error) {
	list := &batchv1.JobList{}
	err := s.Batch.Get().Namespace(namespace).Resource("jobs").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Do(ctx).Into(list)
	return list, err
}

func (s *RESTSource) WatchJobs(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return s.Batch.Get().Namespace(namespace).Resource("jobs").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Watch(ctx)
}

func (s *RESTSource) ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) (*corev1.PodList, error) {
	list := &corev1.PodList{}
	err := s.Core.Get().Namespace(namespace).Resource("pods").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Do(ctx).Into(list)
	return list, err
}

func (s *RESTSource) WatchPods(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return s.Core.Get().Namespace(namespace).Resource("pods").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Watch(ctx)
}

func (s *RESTSource) ListEvents(ctx context.Context, namespace string, opts metav1.ListOptions) (*corev1.EventList, error) {
	list := &corev1.EventList{}
	err := s.Core.Get().Namespace(namespace).Resource("events").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Do(ctx).Into(list)
	return list, err
}

func (s *RESTSource) WatchEvents(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return s.Core.Get().Namespace(namespace).Resource("events").
		VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", cluster.AcceptProtobuf).Watch(ctx)
}

func (s *RESTSource) PodLogs(ctx context.Context, namespace, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
	return s.Core.Get().Namespace(namespace).Resource("pods").Name(pod).SubResource("log").
		VersionedParams(opts, cluster.ParameterCodec).Stream(ctx)
}

// WorkloadSource is a Source that also reads Kueue's Workloads, for a Job
// that joins a Kueue queue. A Source without it follows such a Job as any
// other (the Job's suspension alone tells queued from admitted).
type WorkloadSource interface {
	ListWorkloads(ctx context.Context, namespace string, opts metav1.ListOptions) (*unstructured.UnstructuredList, error)
	WatchWorkloads(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error)
	// PendingPosition is the Workload's position in its LocalQueue from
	// Kueue's visibility API; ok false when that API does not answer.
	PendingPosition(ctx context.Context, namespace, localQueue, workload string) (position int32, ok bool)
}

func (s *RESTSource) ListWorkloads(ctx context.Context, namespace string, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	if s.Kueue == nil {
		return nil, cluster.ErrNoKueue
	}
	r, err := s.Kueue.Workloads(ctx)
	if err != nil {
		return nil, err
	}
	return r.Namespace(namespace).List(ctx, opts)
}

func (s *RESTSource) WatchWorkloads(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	if s.Kueue == nil {
		return nil, cluster.ErrNoKueue
	}
	r, err := s.Kueue.Workloads(ctx)
	if err != nil {
		return nil, err
	}
	return r.Namespace(namespace).Watch(ctx, opts)
}

func (s *RESTSource) PendingPosition(ctx context.Context, namespace, localQueue, workload string) (int32, bool) {
	if s.Kueue == nil {
		return 0, false
	}
	return s.Kueue.PendingPosition(ctx, namespace, localQueue, workload)
}
