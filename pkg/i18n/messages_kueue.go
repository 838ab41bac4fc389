package i18n

// zhKueueMessages are the Chinese texts of the wizard's Kueue questions
// (step 2: the LocalQueue and the WorkloadPriorityClass) and of their lines
// in the review. Kueue's own terms (LocalQueue, ClusterQueue,
// WorkloadPriorityClass) stay as they are, as kubectl shows them.
func zhKueueMessages() map[string]string {
	return map[string]string{
		"Could not ask whether the cluster serves Kueue (%s); no queue is offered.":                                                       "无法确认集群是否提供 Kueue (%s);不提供队列选择。",
		"The Job is created suspended: Kueue starts it by resuming it once its ClusterQueue admits it.":                                   "任务将以挂起状态创建:其 ClusterQueue 接纳 (admit) 后,Kueue 会恢复并启动它。",
		"The Job is still created suspended (spec.suspend); the advanced settings can change that.":                                       "任务仍将以挂起状态创建 (spec.suspend);可在高级选项中修改。",
		"The cluster does not serve Kueue, so a queued Job would stay suspended forever. Drop the queue and the workload priority class?": "集群未提供 Kueue,排队的任务将永远处于挂起状态。是否去掉队列和工作负载优先级类?",
		"LocalQueues":                 "LocalQueue 列表",
		"Kueue LocalQueue (optional)": "Kueue LocalQueue (可选)",
		"Namespace %s has no Kueue LocalQueue; the Job runs without a queue.": "项目 %s 没有 Kueue LocalQueue;任务将不经队列直接运行。",
		"No queue":                                 "不使用队列",
		"the Job starts at once, outside Kueue":    "任务立即启动,不经过 Kueue",
		"ClusterQueue %s, %d pending, %d admitted": "ClusterQueue %s,%d 个等待中,%d 个已接纳",
		"inactive":                         "未激活",
		"the namespace's default":          "项目的默认队列",
		"not a LocalQueue of namespace %s": "不是项目 %s 的 LocalQueue",
		"Kueue queue":                      "Kueue 队列",
		"Kueue admits the Job when the LocalQueue's ClusterQueue has quota for its pods (label kueue.x-k8s.io/queue-name).": "当 LocalQueue 所属的 ClusterQueue 有足够配额运行其容器组时,Kueue 接纳该任务 (标签 kueue.x-k8s.io/queue-name)。",
		"WorkloadPriorityClasses":            "WorkloadPriorityClass 列表",
		"Workload priority class (optional)": "工作负载优先级类 (可选)",
		"None":                               "无",
		"Kueue's default priority":           "Kueue 的默认优先级",
		"value %d":                           "优先级值 %d",
		"no such WorkloadPriorityClass":      "不存在该 WorkloadPriorityClass",
		"Workload priority class":            "工作负载优先级类",
		"Kueue admits higher values first and may preempt lower ones for them (label kueue.x-k8s.io/priority-class).": "Kueue 优先接纳值更高的任务,并可能为其抢占值更低的任务 (标签 kueue.x-k8s.io/priority-class)。",
		"%s (ClusterQueue %s)":       "%s (ClusterQueue %s)",
		"yes, until Kueue admits it": "是,直到 Kueue 接纳它",
	}
}
