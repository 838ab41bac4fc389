package i18n

// zhMessages maps each English message to its Simplified Chinese text, in
// the KubeSphere console's own terms (任务, 容器组, 失败尝试次数, 镜像拉取策略,
// 环境变量, 持久化存储卷, 临时存储卷, 标签, 节点选择器). Flags, field names and
// YAML stay as they are in both languages.
var zhMessages = map[string]string{
	"Step %d/%d: %s": "第 %d/%d 步:%s",
}
