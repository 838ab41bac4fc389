package i18n

// zhSecurityMessages are the texts of the hardened pod: the wizard's
// security question, sidecars, pod annotations, priority classes and the
// review's Pod Security check, and the rule of --security-profile given
// with a value its level forbids. They are kept apart from zhMessages so
// that the steps' other texts and these change without touching each other.
func zhSecurityMessages() map[string]string {
	return map[string]string{
		"contradicts another value you gave, which that Pod Security level forbids (a namespace enforcing the level refuses every pod of such a Job; one that does not enforce it accepts the Job, so the contradiction is between your own two values)": "与您给出的另一个值矛盾,该 Pod 安全级别禁止这个值 (强制执行该级别的项目会拒绝这种任务的每个容器组;不强制执行的项目会接受该任务,所以矛盾在于您自己给出的两个值)",
	}
}
