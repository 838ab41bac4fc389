package wizard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jobwizard/kubectl-job-wizard/pkg/draft"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/lookup"
	"github.com/jobwizard/kubectl-job-wizard/pkg/manifest"
)

const qFile = "File to save the manifest in"

func TestReviewSaveToFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "taken.yaml")
	os.WriteFile(existing, []byte("keep me"), 0o644)
	target := filepath.Join(dir, "report.json")
	r := walk(t, nil, base(map[string][]any{
		qWhatNow:                            {"Save to file"},
		qFile:                               {dir, existing, target},
		existing + " exists. Overwrite it?": {false},
	}))
	job := mustWalk(t, r)
	if r.res.Action != ActionSave || r.res.SavedTo != target {
		t.Fatalf("result: %+v", r.res)
	}
	if data, _ := os.ReadFile(existing); string(data) != "keep me" {
		t.Error("a file was overwritten without consent")
	}
	data, err := os.ReadFile(target)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		t.Fatalf("a .json file holds JSON: %v\n%s", err, data)
	}
	saved, err := jobspec.Import("-f "+target, data)
	if err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(saved.Build(), job) {
		t.Errorf("the saved file holds another Job")
	}
	if !strings.Contains(r.out.String(), "is a folder") {
		t.Errorf("a folder as the file is not explained:\n%s", r.out)
	}
	// The same file again, without prompts.
	if r.res.Command != "kubectl job-wizard report --image=busybox:1.36 --dry-run=client -o json > "+target {
		t.Errorf("command: %s", r.res.Command)
	}
}

func TestReviewEditInEditor(t *testing.T) {
	calls := 0
	edit := func(job *batchv1.Job) (*batchv1.Job, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("the editor vi failed: exit status 1")
		}
		job = job.DeepCopy()
		job.Labels = map[string]string{"edited": "yes"}
		// Something no flag can say.
		job.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}},
			}}},
		}}
		return job, nil
	}
	r := walk(t, nil, base(map[string][]any{
		qWhatNow: {"Edit in $EDITOR", "Edit in $EDITOR", "Print YAML"},
	}), withEdit(edit))
	job := mustWalk(t, r)
	if calls != 2 {
		t.Fatalf("editor calls: %d", calls)
	}
	if !strings.Contains(r.out.String(), "the editor vi failed") {
		t.Errorf("the editor's failure is not shown:\n%s", r.out)
	}
	if job.Labels["edited"] != "yes" || job.Spec.Template.Spec.Affinity == nil {
		t.Errorf("the edit is lost: %+v", job)
	}
	if !strings.Contains(r.out.String(), "(as edited in $EDITOR)") {
		t.Errorf("the summary does not say it shows the edit")
	}
	// Affinity has no flag: the command reads the saved manifest.
	if !strings.Contains(r.res.Command, " -f ") {
		t.Errorf("command: %s", r.res.Command)
	}
}

func TestReviewChangeAStep(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{
		qWhatNow:      {"Change a step", "Change a step", "Print YAML"},
		"Which step?": {"Step 1/6: Basic information", "Back to the review"},
		qNameAgain:    {"renamed"},
		qAlias:        {"", "别名"},
	}))
	job := mustWalk(t, r)
	if job.Name != "renamed" || job.Annotations[jobspec.AliasAnnotation] != "别名" {
		t.Errorf("the changed step did not stick: %+v", job.ObjectMeta)
	}
	// The container keeps the name it got from the first walk.
	if c := job.Spec.Template.Spec.Containers[0]; c.Name != "report" {
		t.Errorf("container name: %q", c.Name)
	}
	if !strings.Contains(r.res.Command, "--container-name=report") {
		t.Errorf("command: %s", r.res.Command)
	}
}

func TestReviewCancelKeepsADraft(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{qWhatNow: {"Cancel"}}))
	if !errors.Is(r.err, ErrCancelled) {
		t.Fatalf("err = %v", r.err)
	}
	files := draftFiles(t, r.drafts)
	if len(files) != 1 || r.res == nil || r.res.DraftPath != files[0] {
		t.Fatalf("drafts %v, result %+v", files, r.res)
	}
	if !strings.Contains(r.out.String(), "Resume with: kubectl job-wizard -f "+files[0]+" -i") {
		t.Errorf("no resume command:\n%s", r.out)
	}
}

func TestReviewCreateWithCluster(t *testing.T) {
	r := walk(t, nil, base(map[string][]any{qWhatNow: {"Create"}}), withLookup(&fakeLookup{}))
	mustWalk(t, r)
	if r.res.Action != ActionCreate {
		t.Fatalf("action %v", r.res.Action)
	}
	if r.res.Command != "kubectl job-wizard report --image=busybox:1.36 --wait" {
		t.Errorf("command: %s", r.res.Command)
	}
	if strings.Contains(r.out.String(), "Without a cluster") {
		t.Error("the no-cluster note shows with a cluster")
	}
}

func TestReviewShowsProblemsOfAnImportedJob(t *testing.T) {
	// Valid answers, but -f brought a volume no container mounts.
	s := fromYAML(t, `apiVersion: batch/v1
kind: Job
metadata: {name: broken}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
      volumes: [{name: orphan, emptyDir: {}}]
`)
	r := walk(t, s.DeepCopy(), map[string][]any{qWhatNow: {"Cancel"}})
	if !errors.Is(r.err, ErrCancelled) {
		t.Fatalf("err = %v", r.err)
	}
	out := r.out.String()
	if !strings.Contains(out, "The Job is not ready yet:") || !strings.Contains(out, "is declared but no container mounts it") {
		t.Errorf("problems not shown:\n%s", out)
	}
	// While invalid, neither Create nor Print is offered.
	if got := r.fake.seen[qWhatNow]; slices.Contains(got, "Print YAML") || slices.Contains(got, "Create") {
		t.Errorf("Print or Create offered for an invalid Job: %q", got)
	}

	// Changing the step fixes it; then it prints.
	r = walk(t, s, map[string][]any{
		qWhatNow:          {"Change a step", "Print YAML"},
		"Which step?":     {"Step 4/6: Volumes"},
		"Volumes to keep": {[]string{}},
	})
	if job := mustWalk(t, r); len(job.Spec.Template.Spec.Volumes) != 0 {
		t.Errorf("volumes: %+v", job.Spec.Template.Spec.Volumes)
	}
}

func TestInterruptAtAnyStepKeepsADraft(t *testing.T) {
	for question, step := range map[string]int{qName: 1, qBackoff: 2, qImage: 3, qAddVolume: 4, qLabel: 5, qWhere: 6, qWhatNow: 0} {
		t.Run(question, func(t *testing.T) {
			answers := base(nil)
			answers[question] = []any{interrupt{}}
			r := walk(t, nil, answers)
			if !errors.Is(r.err, ErrInterrupted) {
				t.Fatalf("err = %v", r.err)
			}
			files := draftFiles(t, r.drafts)
			if len(files) != 1 {
				t.Fatalf("drafts: %v", files)
			}
			data, _ := os.ReadFile(files[0])
			reason := "cancelled at the review"
			if step > 0 {
				reason = "interrupted at step " + string(rune('0'+step)) + " of 6"
			}
			if !strings.Contains(string(data), reason) {
				t.Errorf("draft header lacks %q:\n%s", reason, data)
			}
			// A draft is a manifest -f takes back.
			if _, err := jobspec.Import("-f draft", data); err != nil {
				t.Errorf("the draft does not import: %v\n%s", err, data)
			}
			if !strings.Contains(r.out.String(), "Stopped: nothing was created.") {
				t.Errorf("output:\n%s", r.out)
			}
		})
	}
}

// TestDefaultsFromFlags: every value the flags gave is the default of its
// question, so Enter all the way gives the flags' Job unchanged.
func TestDefaultsFromFlags(t *testing.T) {
	line := `report --namespace=batch --alias=报表 --description=monthly --backoff-limit=2 --completions=4 --parallelism=2 ` +
		`--active-deadline=10m --ttl-after-finished=1h --completion-mode=Indexed --backoff-limit-per-index=1 --max-failed-indexes=2 ` +
		`--suspend --pod-failure-policy=FailJob:exit-codes=42 --pod-replacement-policy=Failed --success-policy=indexes=0-1 ` +
		`--image=busybox:1.36 --container-name=main --port=8080 -e A=1 --env-value-from=P=secret:db:password --env-from=configmap:cfg ` +
		`--request=cpu=100m --limit=cpu=1 --image-pull-policy=Always --image-pull-secret=harbor --service-account=runner ` +
		`--volume=data=pvc:claim --mount=/data=data:ro --volume=cfg=configmap:cfg:a=b --mount=/cfg=cfg -l app=x --annotation=team=y ` +
		`--node-selector=disk=ssd --toleration=k=v:NoSchedule -- sh -c 'echo hi'`
	s := fromArgs(t, line)
	want := s.Build()
	r := walk(t, s, map[string][]any{qWhatNow: {"Print YAML"}})
	job := mustWalk(t, r)
	if !apiequality.Semantic.DeepEqual(job, want) {
		a, _ := manifest.YAML(job)
		b, _ := manifest.YAML(want)
		t.Errorf("Enter everywhere changed the Job:\n--- got\n%s\n--- want\n%s", a, b)
	}
	// The advanced gates open by themselves when they hold values.
	for _, q := range []string{qTTL, qMode, qPort, qToleration} {
		if !slices.Contains(r.fake.asked, q) {
			t.Errorf("%q was not asked although the flags set it", q)
		}
	}
}

// TestDefaultsFromManifest: -f keeps what no question models (probes,
// affinity, a second container) and Enter all the way keeps the Job.
func TestDefaultsFromManifest(t *testing.T) {
	s := fromYAML(t, `apiVersion: batch/v1
kind: Job
metadata:
  name: etl
  labels: {app: etl}
spec:
  backoffLimit: 1
  template:
    metadata:
      labels: {app: etl, pod-only: "yes"}
    spec:
      restartPolicy: OnFailure
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]
      initContainers: [{name: wait, image: busybox, command: [sh, -c, "sleep 1"]}]
      containers:
      - name: extract
        image: python:3.12
        readinessProbe: {exec: {command: ["true"]}}
        env: [{name: MODE, value: full}]
      - name: load
        image: postgres:16
`)
	want := s.Build()
	r := walk(t, s, map[string][]any{qWhatNow: {"Print YAML"}})
	job := mustWalk(t, r)
	if !apiequality.Semantic.DeepEqual(job, want) {
		a, _ := manifest.YAML(job)
		b, _ := manifest.YAML(want)
		t.Errorf("Enter everywhere changed the Job:\n--- got\n%s\n--- want\n%s", a, b)
	}
	if !strings.Contains(r.res.Command, " -f ") {
		t.Errorf("command: %s", r.res.Command)
	}
	// Both containers and the init container were walked.
	n := 0
	for _, q := range r.fake.asked {
		if q == qImage {
			n++
		}
	}
	if n != 3 {
		t.Errorf("image asked %d times, want 3", n)
	}
}

func TestChinese(t *testing.T) {
	r := walk(t, nil, map[string][]any{
		"名称 (回车:按镜像命名)":           {"pi"},
		"失败尝试次数 (Back Off Limit)": {"很多", "4"},
		"镜像":                      {"perl:5.28.0"},
		"容器 pi 的高级选项":             {[]string{"命令和参数"}},
		"命令 (按 shell 命令行书写;回车保留镜像的 entrypoint)": {piCommand},
		"下一步做什么?": {"打印 YAML"},
	}, withLang(i18n.Chinese))
	mustWalk(t, r)
	out := r.out.String()
	for _, want := range []string{"第 1/6 步:基本信息", "第 2/6 步:任务设置", "第 3/6 步:任务模板", "第 4/6 步:存储卷设置",
		"第 5/6 步:标签设置", "第 6/6 步:节点选择器", "失败尝试次数", "不经提问完成同样操作的命令"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The rule from jobspec is told in Chinese too.
	wantRejected(t, r, "失败尝试次数 (Back Off Limit)", "必须是 0 到 2147483647 之间的整数")
}

// fakeLookup is a cluster with a few objects; err, when set, fails every
// list of that kind.
type fakeLookup struct {
	namespaces []string
	pvcs       []lookup.PVC
	configMaps []lookup.KeyedObject
	secrets    []lookup.KeyedObject
	accounts   []string
	pull       []string
	nodes      []lookup.Node
	failPVCs   error
	asked      []string
	limReq     corev1.ResourceList
	quota      []lookup.QuotaUse
}

func (f *fakeLookup) Namespaces(context.Context) ([]string, error) { return f.namespaces, nil }
func (f *fakeLookup) PVCs(_ context.Context, ns string) ([]lookup.PVC, error) {
	f.asked = append(f.asked, "pvcs/"+ns)
	return f.pvcs, f.failPVCs
}
func (f *fakeLookup) ConfigMaps(_ context.Context, ns string) ([]lookup.KeyedObject, error) {
	f.asked = append(f.asked, "configmaps/"+ns)
	return f.configMaps, nil
}
func (f *fakeLookup) Secrets(_ context.Context, ns string) ([]lookup.KeyedObject, error) {
	return f.secrets, nil
}
func (f *fakeLookup) ServiceAccounts(context.Context, string) ([]string, error) {
	return f.accounts, nil
}
func (f *fakeLookup) ImagePullSecrets(context.Context, string) ([]string, error) { return f.pull, nil }
func (f *fakeLookup) Nodes(context.Context) ([]lookup.Node, error)               { return f.nodes, nil }
func (f *fakeLookup) MatchingNodes(_ context.Context, sel map[string]string) (int, int, error) {
	n := 0
	for _, node := range f.nodes {
		ok := true
		for k, v := range sel {
			if node.Labels[k] != v {
				ok = false
			}
		}
		if ok {
			n++
		}
	}
	return n, len(f.nodes), nil
}
func (f *fakeLookup) Quota(context.Context, string) ([]lookup.QuotaUse, error) { return f.quota, nil }
func (f *fakeLookup) LimitDefaults(context.Context, string) (corev1.ResourceList, corev1.ResourceList, error) {
	return f.limReq, nil, nil
}
func (f *fakeLookup) CanCreateJobs(context.Context, string) (lookup.Access, error) {
	return lookup.Access{Allowed: true}, nil
}

func TestLookupsOfferTheClustersChoices(t *testing.T) {
	l := &fakeLookup{
		namespaces: []string{"default", "batch"},
		pvcs:       []lookup.PVC{{Name: "data", Phase: "Bound", Capacity: "10Gi", AccessModes: []string{"ReadWriteOnce"}}},
		configMaps: []lookup.KeyedObject{{Name: "evil\x1b[2J", Keys: []string{"k"}}, {Name: "app-config", Keys: []string{"app.yaml", "log.yaml"}}},
		secrets:    []lookup.KeyedObject{{Name: "db", Type: "Opaque", Keys: []string{"password", "user"}}},
		accounts:   []string{"default", "runner"},
		pull:       []string{"harbor"},
		nodes: []lookup.Node{
			{Name: "worker-1", Ready: true, Labels: map[string]string{"disktype": "ssd", corev1.LabelHostname: "worker-1"}},
			{Name: "worker-2", Ready: false, Labels: map[string]string{"disktype": "hdd", corev1.LabelHostname: "worker-2"}},
		},
	}
	r := walk(t, nil, base(map[string][]any{
		"Namespace":                      {"batch"},
		advanced("report"):               {[]string{"Environment variables", "Image pull policy and pull secrets"}},
		qAddEnv:                          {"One key of a Secret"},
		qAddEnv2:                         {"No more variables"},
		"Secret":                         {"db"},
		qKey:                             {"password"},
		"Image pull secrets":             {[]string{"harbor"}},
		qServiceAcct:                     {"runner"},
		qAddVolume:                       {"Persistent volume (an existing PVC)"},
		qAddVolume2:                      {"ConfigMap", "No more volumes"},
		qClaim:                           {"data"},
		"ConfigMap":                      {"app-config"},
		"Which keys become files?":       {"Chosen keys, at chosen paths"},
		"Keys (space to pick)":           {[]string{"log.yaml"}},
		"Path of log.yaml in the volume": {"conf/log.yaml"},
		qMountPath:                       {"/data", "/etc/app"},
		qWhere:                           {"Nodes with these labels"},
		"Node labels (space to pick; more can be typed next)": {[]string{"disktype=ssd"}},
		qWhatNow: {"Create"},
	}), withLookup(l))
	job := mustWalk(t, r)
	if job.Namespace != "batch" {
		t.Errorf("namespace %q", job.Namespace)
	}
	// Lookups list in the namespace chosen at step 1.
	if !slices.Contains(l.asked, "pvcs/batch") {
		t.Errorf("lookups: %v", l.asked)
	}
	pod := job.Spec.Template.Spec
	if pod.ServiceAccountName != "runner" || pod.ImagePullSecrets[0].Name != "harbor" || pod.NodeSelector["disktype"] != "ssd" {
		t.Errorf("pod: %+v", pod)
	}
	if e := pod.Containers[0].Env[0]; e.Name != "PASSWORD" || e.ValueFrom.SecretKeyRef.Name != "db" || e.ValueFrom.SecretKeyRef.Key != "password" {
		t.Errorf("env: %+v", e)
	}
	if v := pod.Volumes[1].ConfigMap; v.Name != "app-config" || v.Items[0].Key != "log.yaml" || v.Items[0].Path != "conf/log.yaml" {
		t.Errorf("configmap volume: %+v", v)
	}
	// Names from the cluster are shown escaped, never raw.
	for _, opts := range r.fake.seen {
		for _, o := range opts {
			if strings.ContainsRune(o, '\x1b') {
				t.Errorf("raw escape in an option: %q", o)
			}
		}
	}
	if !slices.Contains(r.fake.seen["ConfigMap"], `"evil\x1b[2J"`) {
		t.Errorf("configmap options: %q", r.fake.seen["ConfigMap"])
	}
	if !strings.Contains(r.out.String(), "1 of 2 nodes matches.") {
		t.Errorf("no match count:\n%s", r.out)
	}
	if !slices.Contains(r.fake.seen[qClaim], "data") {
		t.Errorf("pvc options: %q", r.fake.seen[qClaim])
	}
}

func TestLookupFailureFallsBackToText(t *testing.T) {
	l := &fakeLookup{failPVCs: errors.New("pvcs is forbidden: User \"dev\" cannot list")}
	r := walk(t, nil, base(map[string][]any{
		qAddVolume:  {"Persistent volume (an existing PVC)"},
		qAddVolume2: {"Persistent volume (an existing PVC)", "No more volumes"},
		qClaim:      {"typed-claim", "other-claim"},
		qMountPath:  {"/a", "/b"},
	}), withLookup(l))
	job := mustWalk(t, r)
	if job.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "typed-claim" {
		t.Errorf("volumes: %+v", job.Spec.Template.Spec.Volumes)
	}
	if n := strings.Count(r.out.String(), "Could not list persistent volume claims"); n != 1 {
		t.Errorf("the failure is told %d times, want once:\n%s", n, r.out)
	}
}

func TestLimitRangeDefaultsAndQuota(t *testing.T) {
	l := &fakeLookup{
		limReq: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
		quota:  []lookup.QuotaUse{{Quota: "q", Resource: "count/jobs.batch", Used: "3", Hard: "10"}},
	}
	r := walk(t, nil, base(map[string][]any{qWhatNow: {"Create"}}), withLookup(l))
	job := mustWalk(t, r)
	if got := job.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu(); !got.Equal(resource.MustParse("100m")) {
		t.Errorf("request %v; the LimitRange default is the question's default", got)
	}
	for _, want := range []string{"The namespace's LimitRange gives these defaults.", "count/jobs.batch 3/10"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
}

func TestReviewSaveAJobFlagsCannotSay(t *testing.T) {
	s := fromYAML(t, `apiVersion: batch/v1
kind: Job
metadata: {name: two}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: busybox}, {name: b, image: busybox}]
`)
	target := filepath.Join(t.TempDir(), "two.yaml")
	r := walk(t, s, map[string][]any{qWhatNow: {"Save to file"}, qFile: {target}})
	mustWalk(t, r)
	if r.res.Command != "kubectl job-wizard -f "+target {
		t.Errorf("command: %s", r.res.Command)
	}
	if files := draftFiles(t, r.drafts); len(files) != 0 {
		t.Errorf("the saved file is the manifest; no other copy is needed: %v", files)
	}
}

// TestSignalBetweenQuestionsStops: a Ctrl-C that came as a signal (the
// context is cancelled) ends the walk at the next question, with a draft.
func TestSignalBetweenQuestionsStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	fake := newFake(t, map[string][]any{qName: {"pi"}})
	var out strings.Builder
	drafts := t.TempDir()
	w := New(Config{Prompter: signalAfter{fake, qName, cancel}, Out: &out, NoCluster: "none",
		SaveDraft: func(job draft.Object, reason string) (string, error) { return draft.SaveIn(drafts, job, reason) }})
	_, err := w.Run(ctx, &jobspec.Spec{})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v", err)
	}
	if n := len(fake.asked); n == 0 || fake.asked[n-1] != qName {
		t.Errorf("questions after the signal: %q", fake.asked)
	}
	if files := draftFiles(t, drafts); len(files) != 1 {
		t.Errorf("drafts: %v", files)
	}
}

// signalAfter cancels the context once a question is answered, as a
// signal arriving right after it would.
type signalAfter struct {
	*fakePrompter
	after  string
	cancel func()
}

func (s signalAfter) Input(q Input) (string, error) {
	a, err := s.fakePrompter.Input(q)
	if q.Message == s.after {
		s.cancel()
	}
	return a, err
}

func TestReviewCreateOffersToFollow(t *testing.T) {
	offer := func(c *Config) { c.OfferFollow = true; c.CreateArgs = nil }
	for _, follow := range []bool{true, false} {
		answers := base(map[string][]any{qWhatNow: {"Create"}, "Follow the Job until it ends?": {follow}})
		r := walk(t, nil, answers, withLookup(&fakeLookup{}), offer)
		mustWalk(t, r)
		if r.res.Follow != follow {
			t.Errorf("answered %v, Result.Follow %v", follow, r.res.Follow)
		}
		if got := strings.HasSuffix(r.res.Command, " --wait"); got != follow {
			t.Errorf("answered %v, command %q", follow, r.res.Command)
		}
	}
}

func TestReviewFollowOfferNamesTheReport(t *testing.T) {
	offer := func(c *Config) {
		c.OfferFollow = true
		c.CreateArgs = nil
		c.FollowArgs = []string{"--report=junit=r.xml", "--save=evidence"}
	}
	q := "Follow the Job until it ends, and then write --report=junit=r.xml --save=evidence?"
	for _, follow := range []bool{true, false} {
		answers := base(map[string][]any{qWhatNow: {"Create"}, q: {follow}})
		r := walk(t, nil, answers, withLookup(&fakeLookup{}), offer)
		mustWalk(t, r)
		withReport := strings.HasSuffix(r.res.Command, " --wait --report=junit=r.xml --save=evidence")
		if withReport != follow || !follow && strings.Contains(r.res.Command, "--report") {
			t.Errorf("answered %v, command %q: the report comes with --wait only", follow, r.res.Command)
		}
	}
}

// TestReviewWarnsOfAFullQuota: before Create, the review says that the
// server will refuse one Job more than the namespace's quota allows.
func TestReviewWarnsOfAFullQuota(t *testing.T) {
	l := &fakeLookup{quota: []lookup.QuotaUse{{Quota: "q", Resource: "count/jobs.batch", Used: "10", Hard: "10"}}}
	r := walk(t, nil, base(map[string][]any{qWhatNow: {"Create"}}), withLookup(l))
	mustWalk(t, r)
	for _, want := range []string{"q: count/jobs.batch 10/10", `⚠ ResourceQuota "q" allows 10 Jobs and 10 exist: the server will refuse this one`} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
}
