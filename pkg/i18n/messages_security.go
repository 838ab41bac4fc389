package i18n

// zhSecurityMessages are the texts of the hardened pod: the wizard's
// security question, sidecars, pod annotations, priority classes and the
// review's Pod Security check, and the rule of --security-profile given
// with a value its level forbids. They are kept apart from zhMessages so
// that the steps' other texts and these change without touching each other.
func zhSecurityMessages() map[string]string {
	return map[string]string{
		"contradicts another value you gave, which that Pod Security level forbids (a namespace enforcing the level refuses every pod of such a Job; one that does not enforce it accepts the Job, so the contradiction is between your own two values)": "与您给出的另一个值矛盾,该 Pod 安全级别禁止这个值 (强制执行该级别的项目会拒绝这种任务的每个容器组;不强制执行的项目会接受该任务,所以矛盾在于您自己给出的两个值)",
		"Sidecar %s":                   "边车容器 %s",
		"Sidecar %d":                   "边车容器 %d",
		"Security":                     "安全设置",
		"Pod annotation":               "容器组注解",
		"Apply the restricted profile": "应用 restricted 安全配置",
		"--security-profile restricted: fills in what the level requires, so the pods are accepted":                                             "--security-profile restricted:填入该级别要求的设置,容器组即可被接受",
		"Create is not offered: change the settings named above (or run with --skip-pod-security-check when the namespace exempts these pods).": "不提供创建:请修改上面列出的设置 (若项目豁免了这些容器组,可加 --skip-pod-security-check 运行)。",
		"Add a sidecar (runs beside the containers until they end, e.g. a proxy)?":                                                              "添加边车容器 (与容器一起运行直到它们结束,例如代理)?",
		"Add another sidecar?": "再添加一个边车容器?",
		"A native sidecar: an init container with restartPolicy Always, as --sidecar NAME=IMAGE makes.": "原生边车容器:restartPolicy 为 Always 的初始化容器,与 --sidecar NAME=IMAGE 相同。",
		"The sidecar's image, e.g. envoyproxy/envoy:v1.31.":                                             "边车容器的镜像,例如 envoyproxy/envoy:v1.31。",
		"a sidecar's name has no '='":                                                                   "边车容器的名称不能包含 '='",
		"%s is the name of another container; each container needs its own":                             "%s 是另一个容器的名称;每个容器需要自己的名称",
		"priority %s":                                          "优先级 %s",
		"the default of pods that name none":                   "未指定优先级类的容器组的默认值",
		"Priority class (optional; Enter for none)":            "优先级类 (PriorityClass,可选;回车表示不设置)",
		"Pod annotations to keep":                              "保留的容器组注解",
		"Pod annotation key=value (optional; Enter to finish)": "容器组注解 key=value (可选;回车结束)",
		"Annotations on the pods only, for tools that act on pods, e.g. sidecar.istio.io/inject=false or cluster-autoscaler.kubernetes.io/safe-to-evict=true.": "只加在容器组上的注解,供作用于容器组的工具读取,例如 sidecar.istio.io/inject=false 或 cluster-autoscaler.kubernetes.io/safe-to-evict=true。",
		"Priority class":   "优先级类",
		"Security profile": "安全配置",
		"Pod security":     "容器组安全上下文",
		"Namespace %s enforces Pod Security %q, which would refuse every pod of this Job:":            "项目 %s 强制执行 Pod 安全级别 %q,会拒绝此任务的每个容器组:",
		"Namespace %s enforces Pod Security %q, which would refuse every pod of this CronJob's Jobs:": "项目 %s 强制执行 Pod 安全级别 %q,会拒绝此定时任务的各个任务的每个容器组:",
		"fix with %s": "修复方法:%s",
		"Namespace %s enforces Pod Security %q: pods that do not meet it are refused.":                                    "项目 %s 强制执行 Pod 安全级别 %q:不符合的容器组会被拒绝。",
		"The restricted level (--security-profile restricted) sets, where you set nothing else:":                          "restricted 级别 (--security-profile restricted) 会在您未设置的地方设置:",
		"Meet the Pod Security restricted level?":                                                                         "符合 Pod 安全 restricted 级别?",
		"The Pod Security Standards level hardened and multi-tenant clusters enforce; a value you gave is never changed.": "加固的集群和多租户集群强制执行的 Pod 安全标准级别;您给出的值不会被更改。",
		"runAsNonRoot: true (pod)":                          "runAsNonRoot: true (容器组)",
		"seccompProfile: RuntimeDefault (pod)":              "seccompProfile: RuntimeDefault (容器组)",
		"allowPrivilegeEscalation: false (every container)": "allowPrivilegeEscalation: false (每个容器)",
		"capabilities: drop ALL (every container)":          "capabilities: drop ALL (每个容器)",
	}
}
