package cluster

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The fields of Kueue's objects the plugin reads, by their JSON names,
// which v1beta1 and v1beta2 share unless a field says otherwise. Anything
// else an object holds is ignored.

// KueueMeta is the part of metadata the plugin shows.
type KueueMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	UID       string            `json:"uid,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	// OwnerReferences tell a Workload's Job.
	OwnerReferences []metav1.OwnerReference `json:"ownerReferences,omitempty"`
}

// KueueLocalQueue is a LocalQueue.
type KueueLocalQueue struct {
	Metadata KueueMeta `json:"metadata"`
	Spec     struct {
		ClusterQueue string `json:"clusterQueue"`
		StopPolicy   string `json:"stopPolicy,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions        []metav1.Condition `json:"conditions,omitempty"`
		PendingWorkloads  int32              `json:"pendingWorkloads"`
		AdmittedWorkloads int32              `json:"admittedWorkloads"`
	} `json:"status"`
}

// KueueClusterQueue is a ClusterQueue.
type KueueClusterQueue struct {
	Metadata KueueMeta `json:"metadata"`
	Spec     struct {
		ResourceGroups []struct {
			CoveredResources []corev1.ResourceName `json:"coveredResources"`
			Flavors          []struct {
				Name      string `json:"name"`
				Resources []struct {
					Name           corev1.ResourceName `json:"name"`
					NominalQuota   resource.Quantity   `json:"nominalQuota"`
					BorrowingLimit *resource.Quantity  `json:"borrowingLimit,omitempty"`
				} `json:"resources"`
			} `json:"flavors"`
		} `json:"resourceGroups"`
		Cohort     string `json:"cohort,omitempty"`     // v1beta1
		CohortName string `json:"cohortName,omitempty"` // v1beta2
		StopPolicy string `json:"stopPolicy,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions []metav1.Condition `json:"conditions,omitempty"`
	} `json:"status"`
}

// KueueWorkloadPriorityClass is a WorkloadPriorityClass.
type KueueWorkloadPriorityClass struct {
	Metadata    KueueMeta `json:"metadata"`
	Value       int32     `json:"value"`
	Description string    `json:"description,omitempty"`
}

// KueueWorkload is a Workload: what the follow shows of a queued Job.
type KueueWorkload struct {
	Metadata KueueMeta `json:"metadata"`
	Spec     struct {
		QueueName string `json:"queueName,omitempty"`
		Active    *bool  `json:"active,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions []metav1.Condition `json:"conditions,omitempty"`
		Admission  *struct {
			ClusterQueue      string `json:"clusterQueue"`
			PodSetAssignments []struct {
				Name    string            `json:"name"`
				Flavors map[string]string `json:"flavors,omitempty"`
			} `json:"podSetAssignments,omitempty"`
		} `json:"admission,omitempty"`
		AdmissionChecks []struct {
			Name    string `json:"name"`
			State   string `json:"state"`
			Message string `json:"message,omitempty"`
		} `json:"admissionChecks,omitempty"`
		// ClusterName is the MultiKueue worker cluster the Workload was
		// dispatched to; NominatedClusterNames the ones it is offered to.
		ClusterName           *string  `json:"clusterName,omitempty"`
		NominatedClusterNames []string `json:"nominatedClusterNames,omitempty"`
	} `json:"status"`
}
