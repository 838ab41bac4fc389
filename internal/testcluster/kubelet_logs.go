package testcluster

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// How logs reach a test: `kubectl logs` and client-go's GetLogs call
// GET /api/v1/namespaces/NS/pods/POD/log on the API server. The API server
// looks up the pod's node, takes the node's InternalIP (127.0.0.1, because of
// --kubelet-preferred-address-types=InternalIP) and
// status.daemonEndpoints.kubeletEndpoint.Port, and proxies the request to
// https://127.0.0.1:PORT/containerLogs/NS/POD/CONTAINER?follow=...&tailLines=...
// presenting --kubelet-client-certificate and verifying this server's
// certificate against --kubelet-certificate-authority. Both are issued by the
// cluster CA. serveContainerLogs answers that request like a kubelet does,
// including its error texts, which the API server passes on to the client.

// logLines is what a container "prints": AnnotationLog+"."+container,
// else AnnotationLog, else a greeting naming pod and container.
func (k *Kubelet) logLines(pod *v1.Pod, container string) []string {
	job := k.owningJob(pod)
	text, ok := k.annotation(pod, job, AnnotationLog+"."+container)
	if !ok {
		text, ok = k.annotation(pod, job, AnnotationLog)
	}
	if !ok {
		text = fmt.Sprintf("hello from %s/%s", pod.Name, container)
	}
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

func findContainer(pod *v1.Pod, name string) (spec bool, status *v1.ContainerStatus) {
	for _, c := range pod.Spec.InitContainers {
		spec = spec || c.Name == name
	}
	for _, c := range pod.Spec.Containers {
		spec = spec || c.Name == name
	}
	for _, c := range pod.Spec.EphemeralContainers {
		spec = spec || c.Name == name
	}
	for _, list := range [][]v1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return spec, &list[i]
			}
		}
	}
	return spec, nil
}

func (k *Kubelet) serveContainerLogs(w http.ResponseWriter, r *http.Request) {
	ns, podName, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	q := r.URL.Query()
	follow := q.Get("follow") == "true"
	previous := q.Get("previous") == "true"
	timestamps := q.Get("timestamps") == "true"
	tail := int64(-1)
	if v := q.Get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "invalid tailLines "+v, http.StatusBadRequest)
			return
		}
		tail = n
	}
	limit := int64(-1)
	if v := q.Get("limitBytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			http.Error(w, "invalid limitBytes "+v, http.StatusBadRequest)
			return
		}
		limit = n
	}

	pod, err := k.podLister.Pods(ns).Get(podName)
	if apierrors.IsNotFound(err) || (err == nil && pod.Spec.NodeName != k.nodeName) {
		http.Error(w, fmt.Sprintf("pod %q/%q not found", ns, podName), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	inSpec, status := findContainer(pod, container)
	if !inSpec {
		http.Error(w, fmt.Sprintf("container %s is not valid for pod %s", container, podName), http.StatusBadRequest)
		return
	}

	var startedAt time.Time
	switch {
	case previous:
		if status == nil || status.LastTerminationState.Terminated == nil {
			http.Error(w, fmt.Sprintf("previous terminated container %q in pod %q not found", container, podName), http.StatusBadRequest)
			return
		}
		startedAt = status.LastTerminationState.Terminated.StartedAt.Time
		follow = false
	case status == nil || status.State.Waiting != nil || (status.State.Running == nil && status.State.Terminated == nil):
		reason := "ContainerCreating"
		if status != nil && status.State.Waiting != nil {
			reason = status.State.Waiting.Reason
		}
		http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start: %s", container, podName, reason), http.StatusBadRequest)
		return
	case status.State.Running != nil:
		startedAt = status.State.Running.StartedAt.Time
	default:
		startedAt = status.State.Terminated.StartedAt.Time
		follow = false
	}
	restarts := status.RestartCount

	lines := k.logLines(pod, container)
	if tail >= 0 && int64(len(lines)) > tail {
		lines = lines[int64(len(lines))-tail:]
	}
	w.Header().Set("Content-Type", "text/plain")
	var out strings.Builder
	for i, line := range lines {
		if timestamps {
			// Spread the lines a millisecond apart so --timestamps output
			// is ordered like a real container's.
			out.WriteString(startedAt.Add(time.Duration(i)*time.Millisecond).UTC().Format(time.RFC3339Nano) + " ")
		}
		out.WriteString(line + "\n")
	}
	body := out.String()
	if limit >= 0 && int64(len(body)) > limit {
		body = body[:limit]
		follow = false
	}
	if _, err := w.Write([]byte(body)); err != nil || !follow {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}

	// follow: the stream stays open until this run of the container ends,
	// the pod goes away or the client hangs up.
	for {
		changed := k.changedCh()
		pod, err := k.podLister.Pods(ns).Get(podName)
		if err != nil {
			return
		}
		_, status := findContainer(pod, container)
		if status == nil || status.State.Running == nil || status.RestartCount != restarts {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		}
	}
}
