// Package clusterbench measures the plugin's cluster paths against a real
// control plane (internal/testcluster): a flags-only create side by side
// with `kubectl create job` of the same Job, and filling the wizard's
// ConfigMap choice in a namespace of many large ConfigMaps against a full
// list. The figures are printed, never asserted: these machines are noisy.
// hack/bench/cluster is a program that runs both; hack/bench may call
// Create and ConfigMapChoice itself to print them beside its own.
package clusterbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/jobwizard/kubectl-job-wizard/internal/testcluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

// Targets of issue 4.
const (
	TargetCreateRatio = 0.5  // median wall time, plugin / kubectl create job
	TargetBytesShare  = 0.05 // ConfigMap choice bytes / full list bytes
	TargetChoiceTime  = time.Second
)

// CreateResult is the flags-only create side by side with kubectl.
type CreateResult struct {
	Runs                    int
	Plugin, Kubectl         time.Duration // median wall time
	PluginRuns, KubectlRuns []time.Duration
}

// Ratio is the plugin's median over kubectl's.
func (r CreateResult) Ratio() float64 { return float64(r.Plugin) / float64(r.Kubectl) }

// Create runs `PLUGIN NAME --image=... -- CMD` and `kubectl create job NAME
// --image=... -- CMD` runs times each, alternating which goes first, each
// with a new name in namespace, and returns the median wall times.
func Create(ctx context.Context, c *testcluster.Cluster, plugin, kubectl, namespace string, runs int) (CreateResult, error) {
	home, err := os.MkdirTemp("", "bench-home")
	if err != nil {
		return CreateResult{}, err
	}
	defer os.RemoveAll(home)
	// kubectl keeps its discovery cache in HOME, as a user's would; one
	// untimed run fills it, so neither side pays a first-run cost.
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "KUBECONFIG=" + c.AdminKubeconfig}
	job := []string{"--image=perl:5.28.0"}
	command := []string{"--", "perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"}
	argv := func(bin string, i int, ours bool) []string {
		name := fmt.Sprintf("pi-%d", i)
		a := []string{bin}
		if ours {
			a = append(a, name, "-n", namespace)
		} else {
			a = append(a, "create", "job", name, "-n", namespace)
		}
		return append(append(a, job...), command...)
	}
	run := func(a []string) (time.Duration, error) {
		cmd := exec.CommandContext(ctx, a[0], a[1:]...)
		cmd.Env = env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s: %v\n%s", strings.Join(a, " "), err, out)
		}
		return time.Since(start), nil
	}
	if _, err := run(argv(kubectl, -1, false)); err != nil {
		return CreateResult{}, err
	}
	if _, err := run(argv(plugin, -2, true)); err != nil {
		return CreateResult{}, err
	}
	r := CreateResult{Runs: runs}
	for i := 0; i < runs; i++ {
		first, second := true, false
		if i%2 == 1 {
			first, second = false, true
		}
		for _, ours := range []bool{first, second} {
			bin := kubectl
			if ours {
				bin = plugin
			}
			d, err := run(argv(bin, 2*i+map[bool]int{true: 0, false: 1}[ours], ours))
			if err != nil {
				return r, err
			}
			if ours {
				r.PluginRuns = append(r.PluginRuns, d)
			} else {
				r.KubectlRuns = append(r.KubectlRuns, d)
			}
		}
	}
	r.Plugin, r.Kubectl = median(r.PluginRuns), median(r.KubectlRuns)
	return r, nil
}

// ListFigure is one way of reading the ConfigMaps of a namespace.
type ListFigure struct {
	Name  string
	Bytes int64         // response bodies, before compression
	Time  time.Duration // median
	Items int
	Keys  bool // whether key names come with it
}

// ChoiceResult is the ConfigMap choice against the other ways to list.
type ChoiceResult struct {
	ConfigMaps, ValueBytes int
	Choice                 ListFigure // Lookups.ConfigMaps, what the wizard uses
	Full                   ListFigure // a full list in JSON, pages of 500
	Others                 []ListFigure
}

// Share is the choice's bytes over the full list's.
func (r ChoiceResult) Share() float64 { return float64(r.Choice.Bytes) / float64(r.Full.Bytes) }

// FillConfigMaps creates n ConfigMaps of valueBytes each (one key) in
// namespace, as fast as the server takes them.
func FillConfigMaps(ctx context.Context, c *testcluster.Cluster, namespace string, n, valueBytes int) error {
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = -1, 0
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	value := strings.Repeat("x", valueBytes)
	work := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				_, err := cs.CoreV1().ConfigMaps(namespace).Create(ctx, &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("settings-%05d", i), Labels: map[string]string{"app": "bench"}},
					Data:       map[string]string{"application.properties": value},
				}, metav1.CreateOptions{FieldManager: "kubectl-create"})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			wg.Wait()
			return err
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return ctx.Err()
}

// ConfigMapChoice fills the wizard's ConfigMap choice (names and key names)
// from namespace runs times, and reads the same ConfigMaps as a full list
// and in the other cheap forms, counting response bytes and time.
func ConfigMapChoice(ctx context.Context, c *testcluster.Cluster, namespace string, runs int) (ChoiceResult, error) {
	var r ChoiceResult
	var err error
	measure := func(name string, keys bool, read func(rc *cluster.Client) (int, error)) (ListFigure, error) {
		f := ListFigure{Name: name, Keys: keys}
		var times []time.Duration
		for i := 0; i < runs; i++ {
			counter := &byteCounter{}
			cfg := c.RESTConfig()
			cfg.UserAgent = cluster.UserAgent() + " bench"
			cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
			client, err := cluster.NewClient(cfg)
			if err != nil {
				return f, err
			}
			start := time.Now()
			n, err := read(client)
			if err != nil {
				return f, fmt.Errorf("%s: %w", name, err)
			}
			times = append(times, time.Since(start))
			f.Items, f.Bytes = n, counter.bytes.Load()
		}
		f.Time = median(times)
		return f, nil
	}
	if r.Choice, err = measure("wizard's ConfigMap choice (metadata-only protobuf; keys from managedFields)", true, func(client *cluster.Client) (int, error) {
		objs, err := cluster.NewLookup(client).ConfigMaps(ctx, namespace)
		for _, o := range objs {
			if strings.HasPrefix(o.Name, "settings-") && len(o.Keys) != 1 {
				return 0, fmt.Errorf("ConfigMap %s: keys %q, want its one key", o.Name, o.Keys)
			}
		}
		return len(objs), err
	}); err != nil {
		return r, err
	}
	raw := func(accept, includeObject string) func(client *cluster.Client) (int, error) {
		return func(client *cluster.Client) (int, error) {
			return rawList(ctx, client.Core, namespace, accept, includeObject)
		}
	}
	if r.Full, err = measure("full list, JSON (kubectl get -o yaml, client-go's default)", true, raw("application/json", "")); err != nil {
		return r, err
	}
	for _, o := range []struct {
		name, accept, include string
		keys                  bool
	}{
		{"full list, protobuf", "application/vnd.kubernetes.protobuf", "", true},
		{"metadata-only list, JSON", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", "", true},
		{"Table with metadata, JSON", "application/json;as=Table;g=meta.k8s.io;v=v1", "Metadata", true},
		{"Table, includeObject=None (names and key counts only)", "application/json;as=Table;g=meta.k8s.io;v=v1", "None", false},
	} {
		f, err := measure(o.name, o.keys, raw(o.accept, o.include))
		if err != nil {
			return r, err
		}
		r.Others = append(r.Others, f)
	}
	return r, nil
}

// rawList reads every page of configmaps in one response form and
// returns how many items came.
func rawList(ctx context.Context, rc rest.Interface, namespace, accept, includeObject string) (int, error) {
	opts := metav1.ListOptions{Limit: 500}
	items := 0
	for {
		req := rc.Get().Namespace(namespace).Resource("configmaps").VersionedParams(&opts, cluster.ParameterCodec).SetHeader("Accept", accept)
		if includeObject != "" {
			req = req.Param("includeObject", includeObject)
		}
		res := req.Do(ctx)
		if err := res.Error(); err != nil {
			return items, err
		}
		obj, err := res.Get()
		if err != nil {
			return items, err
		}
		var cont string
		switch l := obj.(type) {
		case *metav1.Table:
			items += len(l.Rows)
			cont = l.Continue
		case *metav1.PartialObjectMetadataList:
			items += len(l.Items)
			cont = l.Continue
		case *corev1.ConfigMapList:
			items += len(l.Items)
			cont = l.Continue
		default:
			return items, fmt.Errorf("unexpected %T", obj)
		}
		if cont == "" {
			return items, nil
		}
		opts.Continue = cont
	}
}

// byteCounter counts the bytes of response bodies as the client reads
// them: after Go's transport has undone any gzip, so before compression.
type byteCounter struct {
	next  http.RoundTripper
	bytes atomic.Int64
}

func (c *byteCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// Print writes both figures as a table.
func Print(w io.Writer, create CreateResult, choice ChoiceResult) {
	verdict := func(ok bool) string {
		if ok {
			return "within target"
		}
		return "OVER TARGET"
	}
	fmt.Fprintf(w, "flags-only create against the local control plane, %d alternating runs each (median wall time)\n", create.Runs)
	fmt.Fprintf(w, "  %-44s %9.1f ms\n", "kubectl job-wizard NAME --image=... -- CMD", ms(create.Plugin))
	fmt.Fprintf(w, "  %-44s %9.1f ms\n", "kubectl create job NAME --image=... -- CMD", ms(create.Kubectl))
	fmt.Fprintf(w, "  ratio %.3f (target <= %.1f: %s)\n\n", create.Ratio(), TargetCreateRatio, verdict(create.Ratio() <= TargetCreateRatio))

	fmt.Fprintf(w, "filling the ConfigMap choice: %d ConfigMaps of %d KiB in one namespace (response bytes before compression, median time)\n",
		choice.ConfigMaps, choice.ValueBytes/1024)
	fmt.Fprintf(w, "  %-72s %12s %7s %9s %6s\n", "how", "bytes", "share", "time", "keys")
	row := func(f ListFigure) {
		keys := "no"
		if f.Keys {
			keys = "yes"
		}
		fmt.Fprintf(w, "  %-72s %12d %6.2f%% %7.0fms %6s\n", f.Name, f.Bytes, 100*float64(f.Bytes)/float64(choice.Full.Bytes), ms(f.Time), keys)
	}
	row(choice.Choice)
	row(choice.Full)
	for _, f := range choice.Others {
		row(f)
	}
	fmt.Fprintf(w, "  choice: %.2f%% of the full list's bytes (target <= %.0f%%: %s), %.0f ms (target <= %v: %s)\n",
		100*choice.Share(), 100*TargetBytesShare, verdict(choice.Share() <= TargetBytesShare),
		ms(choice.Choice.Time), TargetChoiceTime, verdict(choice.Choice.Time <= TargetChoiceTime))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
