package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
	"github.com/jobwizard/kubectl-job-wizard/pkg/follow"
	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
	"github.com/jobwizard/kubectl-job-wizard/pkg/jobspec"
	"github.com/jobwizard/kubectl-job-wizard/pkg/termtext"
)

// DryRun is kubectl's --dry-run strategy.
type DryRun string

const (
	DryRunNone   DryRun = "none"
	DryRunClient DryRun = "client"
	DryRunServer DryRun = "server"
)

// CreateOptions is the state of one run of the create command: raw flag
// values first, then what Complete resolves from them.
type CreateOptions struct {
	Streams genericiooptions.IOStreams

	SpecFlags jobspec.Flags
	Conn      cluster.ConnectionFlags
	// conn and connNS are the client of Conn once made (see client).
	conn   *cluster.Client
	connNS string

	Filename    string
	Kind        string
	From        string
	Example     string
	Interactive bool
	Edit        bool
	EditFormat  string
	DryRunFlag  string
	Output      string
	Replace     bool
	// SkipPodSecurityCheck sends a Job the namespace's Pod Security level
	// would refuse the pods of (the cluster may exempt them).
	SkipPodSecurityCheck bool
	FieldManager         string
	Lang                 string

	// kubectl's own flags of `kubectl create job`.
	SaveConfig               bool
	ValidateFlag             string
	Template                 string
	AllowMissingTemplateKeys bool
	ShowManagedFields        bool

	Wait           bool
	Timeout        time.Duration
	Logs           bool
	StuckTimeout   time.Duration
	MaxLogRequests int
	Reports        []string
	Save           string

	// Resolved by Complete.
	flags  *pflag.FlagSet
	spec   *jobspec.Spec
	dryRun DryRun
	// fieldValidation is --validate as the server's fieldValidation.
	fieldValidation string
	interactive     bool
	fromKind        string // "cronjob" or "job" of --from
	fromName        string
	// stdinIsTerminal and stderrIsTerminal decide the mode; tests set them.
	stdinIsTerminal, stderrIsTerminal bool
	readFile                          jobspec.FileReader
}

// NewCreateOptions returns options with kubectl's defaults.
func NewCreateOptions(streams genericiooptions.IOStreams) *CreateOptions {
	return &CreateOptions{
		Streams:      streams,
		FieldManager: "kubectl-job-wizard",
		EditFormat:   "yaml",
		ValidateFlag: "strict",

		AllowMissingTemplateKeys: true,
		StuckTimeout:             DefaultStuckTimeout,
		MaxLogRequests:           follow.DefaultMaxLogRequests,
		readFile:                 os.ReadFile,
	}
}

// AddFlags registers every flag of docs/CLI.md.
func (o *CreateOptions) AddFlags(fs *pflag.FlagSet) {
	o.SpecFlags.AddTo(fs)
	fs.StringVarP(&o.Filename, "filename", "f", "", "Start from a Job (or CronJob) manifest, YAML or JSON; - reads stdin. Flags override its fields")
	fs.StringVar(&o.Kind, "kind", "", "With -f of a CronJob: cronjob keeps it a CronJob, every field kept; job (the default) takes its jobTemplate as a Job")
	fs.StringVar(&o.From, "from", "", "Start from a cluster object: cronjob/NAME or job/NAME")
	fs.StringVar(&o.Example, "example", "", "Start from a built-in example: "+strings.Join(jobspec.ExampleNames(), ", "))
	fs.BoolVarP(&o.Interactive, "interactive", "i", false, "Ask the six steps even when flags give every required value (values given become the defaults); --interactive=false never prompts")
	fs.BoolVar(&o.Edit, "edit", false, "Open the final manifest in $KUBE_EDITOR or $EDITOR before it is sent")
	fs.StringVar(&o.EditFormat, "edit-format", o.EditFormat, "Format for --edit and the wizard's editor: yaml or json")
	fs.StringVar(&o.DryRunFlag, "dry-run", "none", `"none", "client" (print only; needs no cluster) or "server" (the server checks and admits it, and keeps nothing)`)
	fs.Lookup("dry-run").NoOptDefVal = "unchanged"
	fs.StringVarP(&o.Output, "output", "o", "", "Output format: "+strings.Join(outputFormats, ", "))
	fs.BoolVar(&o.SkipPodSecurityCheck, "skip-pod-security-check", false, "Send the Job even when the namespace's enforced Pod Security level would refuse its pods (for exemptions the client cannot see)")
	fs.BoolVar(&o.Replace, "replace", false, "If a Job of that name exists, delete it (waiting until it is gone) and create the new one")
	fs.StringVar(&o.FieldManager, "field-manager", o.FieldManager, "Name of the manager that owns the fields this run sets")
	fs.BoolVar(&o.SaveConfig, "save-config", false, "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.")
	fs.StringVar(&o.ValidateFlag, "validate", o.ValidateFlag, `Must be one of: strict (or true), warn, ignore (or false): the server's field validation of the Job (kubectl's meaning)`)
	fs.Lookup("validate").NoOptDefVal = "strict"
	fs.StringVar(&o.Template, "template", "", "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].")
	fs.BoolVar(&o.AllowMissingTemplateKeys, "allow-missing-template-keys", o.AllowMissingTemplateKeys, "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.")
	fs.BoolVar(&o.ShowManagedFields, "show-managed-fields", false, "If true, keep the managedFields when printing objects in JSON or YAML format.")
	fs.StringVar(&o.Lang, "lang", "", "Language of the wizard: en or zh (default from LC_ALL, LC_MESSAGES or LANG)")
	fs.BoolVar(&o.Wait, "wait", false, "After creating, watch the Job until it is Complete (exit 0) or Failed (exit 1)")
	fs.DurationVar(&o.Timeout, "timeout", 0, "Bound on --wait, e.g. 15m (default: none); exit 3 when it runs out")
	fs.BoolVar(&o.Logs, "logs", false, "Stream the logs of every pod and container of the Job, prefixed [pod/container], until it ends (implies --wait)")
	fs.DurationVar(&o.StuckTimeout, "stuck-timeout", o.StuckTimeout, "With --wait: end as failed (exit 3) when a pod cannot pull its image, lacks its config, or cannot be scheduled, or the Job's pods are refused at creation (Pod Security, a ResourceQuota, a webhook, a missing ServiceAccount), or Kueue cannot admit the Job (its LocalQueue or ClusterQueue missing, inactive or stopped), for this long; 0 disables")
	fs.IntVar(&o.MaxLogRequests, "max-log-requests", o.MaxLogRequests, "With --logs: at most this many log streams at once (kubectl logs' default, as each holds an API server connection to a kubelet); the other containers wait, and a log whose container has ended comes whole")
	addReportFlags(fs, &o.Reports, &o.Save)
	o.Conn.AddTo(fs)
}

// Complete resolves the mode, the starting Spec (file, example) and the
// flags over it. It reads no kubeconfig and contacts no server.
func (o *CreateOptions) Complete(c *cobra.Command, args []string) error {
	o.flags = c.Flags()
	if dash := c.ArgsLenAtDash(); dash >= 0 {
		o.SpecFlags.DashCommand = args[dash:]
		args = args[:dash]
	}
	switch len(args) {
	case 0:
	case 1:
		o.SpecFlags.PositionalName = args[0]
	default:
		return inputErrorf("only one NAME may be given, got %d (%s); put the command after --, e.g. kubectl job-wizard pi --image=perl:5.28.0 -- perl -e 1",
			len(args), jobspec.QuoteValue(strings.Join(args, " ")))
	}

	var err error
	if o.dryRun, err = parseDryRun(o.DryRunFlag); err != nil {
		return err
	}
	if o.fieldValidation, err = parseValidate(o.ValidateFlag); err != nil {
		return err
	}
	// Check -o before anything else happens, so a typo costs nothing.
	if _, err := newPrinter(o.printSpec(o.Output), "created"); err != nil {
		return err
	}
	switch o.EditFormat {
	case "yaml", "json":
	default:
		return inputErrorf("--edit-format %s: must be yaml or json", jobspec.QuoteValue(o.EditFormat))
	}
	if _, ok := i18n.Parse(o.Lang); o.Lang != "" && !ok {
		return inputErrorf("--lang %s: must be en or zh", jobspec.QuoteValue(o.Lang))
	}
	if o.Timeout < 0 {
		return inputErrorf("--timeout %s: must not be negative", o.Timeout)
	}
	if o.StuckTimeout < 0 {
		return inputErrorf("--stuck-timeout %s: must not be negative", o.StuckTimeout)
	}
	if err := checkMaxLogRequests(o.MaxLogRequests); err != nil {
		return err
	}
	if o.Logs {
		o.Wait = true
	}

	switch o.Kind {
	case "", "job", "cronjob":
	default:
		return inputErrorf("--kind %s: must be job or cronjob, e.g. -f backup.yaml --kind cronjob", jobspec.QuoteValue(o.Kind))
	}
	if o.Kind != "" && o.Filename == "" {
		return inputErrorf("--kind %s: says what -f of a CronJob makes, and needs -f; a CronJob from flags takes --schedule, e.g. --schedule \"0 3 * * *\"", jobspec.QuoteValue(o.Kind))
	}
	sources := 0
	for _, set := range []bool{o.Filename != "", o.From != "", o.Example != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return inputErrorf("-f, --from and --example each give the starting Job; give one of them")
	}
	spec := &jobspec.Spec{}
	switch {
	case o.Filename != "":
		var err error
		if spec, err = o.importFile(); err != nil {
			return inputErr(err)
		}
	case o.Example != "":
		var err error
		if spec, err = jobspec.LookupExample(o.Example); err != nil {
			return inputErr(err)
		}
	case o.From != "":
		kind, name, ok := strings.Cut(o.From, "/")
		switch kind = strings.ToLower(kind); {
		case !ok || name == "":
			return inputErrorf("--from %s: must be cronjob/NAME or job/NAME, e.g. --from=cronjob/nightly-report", jobspec.QuoteValue(o.From))
		case kind == "cronjob" || kind == "cronjobs" || kind == "cj" || kind == "cronjobs.batch":
			o.fromKind = "cronjob"
		case kind == "job" || kind == "jobs" || kind == "jobs.batch":
			o.fromKind = "job"
		default:
			return inputErrorf("--from %s: the source must be a cronjob or a job, e.g. --from=cronjob/nightly-report", jobspec.QuoteValue(o.From))
		}
		o.fromName = name
	}
	if ns := o.Conn.Overrides.Context.Namespace; ns != "" {
		if o.Filename != "" && spec.Namespace != "" && spec.Namespace != ns {
			// kubectl's words (cli-runtime's RequireNamespace): a manifest
			// is never moved to another namespace silently.
			return inputErrorf("the namespace from the provided object %s does not match the namespace %s. You must pass '--namespace=%s' to perform this operation.",
				termtext.Quote(spec.Namespace), termtext.Quote(ns), spec.Namespace)
		}
		spec.Namespace = ns
	}
	if err := o.SpecFlags.Apply(spec, o.flags, o.readFile); err != nil {
		return inputErr(err)
	}
	o.spec = spec
	warnSecretEnv(o.Streams.ErrOut, o.SpecFlags.Env)

	o.stdinIsTerminal = o.stdinIsTerminal || isTerminal(o.Streams.In)
	o.stderrIsTerminal = o.stderrIsTerminal || isTerminal(o.Streams.ErrOut)
	o.interactive = o.decideInteractive()
	if o.dryRun == DryRunNone {
		// Checked here, before anything is sent; a dry run sends nothing
		// to report on, which Validate says.
		ws := o.waitSettings()
		if err := ws.completeReports(); err != nil {
			return err
		}
	}
	if (len(o.Reports) > 0 || o.Save != "") && !o.interactive {
		// As --logs: a report is of a followed Job. The wizard asks
		// whether to follow instead, and says the report comes with it.
		o.Wait = true
	}
	return nil
}

// waitSettings are the follow-through flags of this run.
func (o *CreateOptions) waitSettings() WaitSettings {
	return WaitSettings{Timeout: o.Timeout, StuckTimeout: o.StuckTimeout, Logs: o.Logs, MaxLogRequests: o.MaxLogRequests, Reports: o.Reports, Save: o.Save}
}

// decideInteractive applies docs/CLI.md's modes: -i forces the wizard,
// --interactive=false forbids it, and otherwise it runs on a terminal when
// a required value (name, image) is missing.
func (o *CreateOptions) decideInteractive() bool {
	if flagChanged(o.flags, "interactive") {
		return o.Interactive
	}
	if !o.stdinIsTerminal || !o.stderrIsTerminal || o.From != "" {
		return false
	}
	s := o.spec
	missingName := s.Name == "" && s.GenerateName == ""
	missingImage := len(s.Containers) == 0 || s.Containers[0].Image == ""
	return missingName || missingImage
}

func (o *CreateOptions) importFile() (*jobspec.Spec, error) {
	source := o.Filename
	var r io.Reader
	if o.Filename == "-" {
		r = o.Streams.In
	} else {
		f, err := os.Open(o.Filename)
		if err != nil {
			return nil, &jobspec.FieldError{Flag: "-f", Value: o.Filename, Rule: "cannot be read: " + unwrapPathError(err)}
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, &jobspec.FieldError{Flag: "-f", Value: o.Filename, Rule: "is a directory; give one manifest file"}
		}
		r = f
	}
	// Read one byte past the limit so an oversized file is told apart
	// without reading all of it.
	data, err := io.ReadAll(io.LimitReader(r, jobspec.MaxManifestBytes+1))
	if err != nil {
		return nil, &jobspec.FieldError{Flag: "-f", Value: o.Filename, Rule: "cannot be read: " + err.Error()}
	}
	importer := jobspec.ImportCopied
	if o.Kind == "cronjob" || o.Kind == "" && flagChanged(o.flags, "schedule") {
		importer = jobspec.ImportCronJob
	}
	spec, dropped, err := importer(source, data)
	if err == nil {
		o.sayDropped("-f "+source, dropped)
	}
	return spec, err
}

// sayDropped tells, at -v=1 and above, what of a copied Job's
// server-written fields was dropped (see jobspec.CleanCopied).
func (o *CreateOptions) sayDropped(source string, dropped []string) {
	if len(dropped) > 0 && klog.V(1).Enabled() {
		fmt.Fprintf(o.Streams.ErrOut, "%s: dropped what the server wrote: %s\n", source, strings.Join(dropped, ", "))
	}
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Validate checks everything that can be checked without a cluster. The
// wizard validates each answer itself, and --from is validated once the
// source is fetched.
func (o *CreateOptions) Validate() error {
	if o.dryRun != DryRunNone && (len(o.Reports) > 0 || o.Save != "") {
		flag := "--report"
		if o.Save != "" {
			flag = "--save"
		}
		return inputErrorf("%s cannot be used with --dry-run=%s, which creates no Job to follow", flag, o.dryRun)
	}
	if o.dryRun == DryRunClient && (o.Wait || o.Replace) {
		flag := "--wait"
		if o.Replace {
			flag = "--replace"
		}
		return inputErrorf("%s cannot be used with --dry-run=client, which sends nothing to the cluster", flag)
	}
	if o.dryRun == DryRunServer && o.Wait {
		return inputErrorf("--wait cannot be used with --dry-run=server, which creates nothing")
	}
	if o.interactive || o.From != "" {
		return nil
	}
	if err := o.spec.Validate(); err != nil {
		return inputErr(o.missingRequired(err))
	}
	return nil
}

// missingRequired rewrites the "no name / no image" problems of a run
// without a terminal into one line naming the flags, as docs/CLI.md asks.
func (o *CreateOptions) missingRequired(err error) error {
	s := o.spec
	if o.Filename != "" || o.Example != "" {
		// A manifest's own gaps are reported at their field paths.
		return err
	}
	var missing []string
	if s.Name == "" && s.GenerateName == "" {
		missing = append(missing, "NAME (or --generate-name)")
	}
	if len(s.Containers) == 0 || s.Containers[0].Image == "" {
		missing = append(missing, "--image")
	}
	if len(missing) == 0 {
		return err
	}
	hint := "or run it on a terminal for the wizard"
	if flagChanged(o.flags, "interactive") {
		hint = "or drop --interactive=false"
	}
	return fmt.Errorf("missing %s: give %s, %s; e.g. kubectl job-wizard pi --image=perl:5.28.0 -- perl -e 'print 1'",
		strings.Join(missing, " and "), map[bool]string{true: "them", false: "it"}[len(missing) > 1], hint)
}

// Run builds the Job and sends or prints it.
func (o *CreateOptions) Run(ctx context.Context) error {
	if o.interactive {
		return o.runWizard(ctx)
	}
	if o.From != "" {
		if err := o.resolveFrom(ctx); err != nil {
			return err
		}
	}
	if o.spec.IsCronJob() {
		cj := o.spec.BuildCronJob()
		if o.Edit {
			edited, err := o.editCronJob(ctx, cj)
			if err != nil {
				return err
			}
			cj = edited
		}
		return o.submitCronJob(ctx, cj)
	}
	job := o.spec.Build()
	if o.Edit {
		edited, err := o.editJob(ctx, job)
		if err != nil {
			return err
		}
		job = edited
	}
	return o.submit(ctx, job)
}

// submit prints the Job (client dry run) or sends it, then follows it.
func (o *CreateOptions) submit(ctx context.Context, job *batchv1.Job) error {
	if err := jobspec.SetLastApplied(job, o.SaveConfig); err != nil {
		return fmt.Errorf("--save-config: %w", err)
	}
	if o.dryRun == DryRunClient {
		return printJob(o.Streams.Out, job, o.printSpec(o.Output), "created (dry run)")
	}
	return o.createInCluster(ctx, job)
}

func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// parseDryRun is kubectl's GetDryRunStrategy: the three strategies, and
// the old forms (a bare --dry-run, true, false) with kubectl's warnings.
func parseDryRun(v string) (DryRun, error) {
	switch v {
	case "none", "":
		return DryRunNone, nil
	case "client":
		return DryRunClient, nil
	case "server":
		return DryRunServer, nil
	case "unchanged":
		klog.Warning(`--dry-run is deprecated and can be replaced with --dry-run=client.`)
		return DryRunClient, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return DryRunNone, inputErrorf(`--dry-run %s: must be "none", "server", or "client", e.g. --dry-run=client`, jobspec.QuoteValue(v))
	}
	if b {
		klog.Warningf(`--dry-run=%v is deprecated (boolean value) and can be replaced with --dry-run=%s.`, v, "client")
		return DryRunClient, nil
	}
	klog.Warningf(`--dry-run=%v is deprecated (boolean value) and can be replaced with --dry-run=%s.`, v, "none")
	return DryRunNone, nil
}

// parseValidate is kubectl's GetValidationDirective: --validate as the
// server's fieldValidation, true meaning Strict and false Ignore.
func parseValidate(v string) (string, error) {
	switch v {
	case "strict":
		return metav1.FieldValidationStrict, nil
	case "warn":
		return metav1.FieldValidationWarn, nil
	case "ignore":
		return metav1.FieldValidationIgnore, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return "", inputErrorf("--validate %s: must be one of: strict (or true), warn, ignore (or false), e.g. --validate=warn", jobspec.QuoteValue(v))
	}
	if b {
		return metav1.FieldValidationStrict, nil
	}
	return metav1.FieldValidationIgnore, nil
}
