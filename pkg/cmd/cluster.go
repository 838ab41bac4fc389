package cmd

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/jobwizard/kubectl-job-wizard/pkg/cluster"
)

// client connects to the cluster the connection flags select.
func (o *CreateOptions) client() (*cluster.Client, string, error) {
	cfg, err := o.Conn.RESTConfig()
	if err != nil {
		return nil, "", err
	}
	ns, _, err := o.Conn.Namespace()
	if err != nil {
		return nil, "", err
	}
	c, err := cluster.NewClient(cfg)
	return c, ns, err
}

// createInCluster creates the Job (or has the server dry-run it) and prints
// the result as kubectl does.
func (o *CreateOptions) createInCluster(ctx context.Context, job *batchv1.Job) error {
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	if job.Namespace == "" {
		job.Namespace = ns
	}
	created, err := c.Create(ctx, job, cluster.CreateOptions{DryRunServer: o.dryRun == DryRunServer, FieldManager: o.FieldManager})
	if err != nil {
		return err
	}
	op := "created"
	if o.dryRun == DryRunServer {
		op = "created (server dry run)"
	}
	if o.Wait && o.dryRun == DryRunNone {
		return o.printAndFollow(ctx, created, op)
	}
	return printJob(o.Streams.Out, created, o.Output, op)
}

// resolveFrom fetches the --from object and lays the flags over it.
func (o *CreateOptions) resolveFrom(ctx context.Context) error {
	return fmt.Errorf("--from is not available in this build")
}

func (o *CreateOptions) runWizard(ctx context.Context) error {
	return fmt.Errorf("the wizard is not available in this build; give NAME and --image")
}

func (o *CreateOptions) editJob(ctx context.Context, job *batchv1.Job) (*batchv1.Job, error) {
	return nil, fmt.Errorf("--edit is not available in this build")
}
