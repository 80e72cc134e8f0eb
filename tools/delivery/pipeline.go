package delivery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Target is one configured cluster of a pipeline run.
type Target struct {
	Cluster, Region string
	// Clients reads this cluster (its region, profile or role); nil → Deps.Clients.
	Clients awsclient.Clients
	// Err is a setup failure (e.g. the cluster's profile does not load): the cluster becomes a failed row.
	Err error
}

// CheckFunc runs the health check of one cluster (check.Run in production).
type CheckFunc func(ctx context.Context, c awsclient.Clients, cluster, region string) (report.Check, error)

// PipelineOptions tune a run.
type PipelineOptions struct {
	Date        time.Time // the report date (its calendar day in Deps.Location names keys and titles)
	Concurrency int       // clusters at once (default 4)
	DryRun      bool      // check and render, but upload and send nothing
	Check       CheckFunc
	// Saved, when set, is called with each successful check (e.g. to store it for later tool calls).
	Saved func(report.Check)
	// Done, when set, is called as each cluster finishes.
	Done func(Row)
}

// Outcome is everything a run built and did.
type Outcome struct {
	Date       string              // YYYY-MM-DD
	Rows       []Row               // sorted: failed first, then critical, warning, …
	Email      *Email              // nil when no email is configured
	Workflow   []map[string]string // one payload per row when a workflow webhook is configured
	Incoming   *Message            // when an incoming webhook is configured
	SNS        *SNSMessage         // when a topic is configured
	Deliveries []Delivery          // every send (DryRun set in a dry run)
}

// FailedClusters counts failed rows.
func (o Outcome) FailedClusters() int { return Count(o.Rows).Failed }

// FailedDeliveries counts failed sends.
func (o Outcome) FailedDeliveries() int {
	n := 0
	for _, d := range o.Deliveries {
		if !d.OK && !d.DryRun {
			n++
		}
	}
	return n
}

// OK reports whether every cluster and every send succeeded.
func (o Outcome) OK() bool { return o.FailedClusters() == 0 && o.FailedDeliveries() == 0 }

// RunPipeline runs the daily job for targets: per cluster (at most Concurrency at once) check → render →
// save → upload → presign, then one email, the Slack posts and one SNS message for all of them. A failed
// cluster becomes a row with its reason and the rest are still delivered.
func (s *Sender) RunPipeline(ctx context.Context, targets []Target, o PipelineOptions) Outcome {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	date := o.Date.In(s.loc())
	out := Outcome{Date: date.Format("2006-01-02")}
	rows := make([]Row, len(targets))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				rows[i] = FailedRow(t.Cluster, t.Region, "check", "cancelled before it started")
				return
			}
			defer func() { <-sem }()
			rows[i] = s.cluster(ctx, t, date, o)
			if o.Done != nil {
				o.Done(rows[i])
			}
		}()
	}
	wg.Wait()
	SortRows(rows)
	out.Rows = rows
	s.deliver(ctx, &out, o.DryRun)
	return out
}

// cluster runs one cluster's part; it never panics the run.
func (s *Sender) cluster(ctx context.Context, t Target, date time.Time, o PipelineOptions) (row Row) {
	log := s.Env.Log().With("cluster", t.Cluster, "region", t.Region)
	defer func() {
		if r := recover(); r != nil {
			log.Error("cluster panicked", "panic", r)
			row = FailedRow(t.Cluster, t.Region, "check", fmt.Sprintf("internal error: %v", r))
		}
	}()
	if t.Err != nil {
		msg := s.awsError(t.Err)
		log.Error("cluster setup failed", "err", msg)
		return FailedRow(t.Cluster, t.Region, "check", msg)
	}
	clients := t.Clients
	if clients == nil {
		clients = s.Clients
	}
	start := time.Now()
	c, err := o.Check(ctx, clients, t.Cluster, t.Region)
	if err != nil {
		msg := s.awsError(err)
		log.Error("check failed", "err", msg)
		return FailedRow(t.Cluster, t.Region, "check", msg)
	}
	log.Info("check done", "verdict", c.Verdict, "findings", len(c.Findings), "gaps", len(c.Gaps), "duration_ms", time.Since(start).Milliseconds())
	if o.Saved != nil {
		o.Saved(c)
	}
	path, size, err := s.render(c)
	if err != nil {
		log.Error("render failed", "err", err)
		f := FailedRow(t.Cluster, c.Region, "render", "the report could not be rendered: "+tools.Classify(err, nil).Error())
		f.CheckID = c.ID
		return f
	}
	log.Info("report saved", "path", path, "bytes", size)
	row = RowFor(c)
	row.ReportPath = path
	if o.DryRun {
		return s.DryRunRow(ctx, row, date)
	}
	if s.Config.S3 == nil {
		row.LinkNote = "not published: no S3 bucket is configured; the report is at " + path + " on the kida host"
		return row
	}
	return s.publishFile(ctx, row, path, date)
}

// deliver builds every message and sends it (or, in a dry run, only builds it).
func (s *Sender) deliver(ctx context.Context, out *Outcome, dry bool) {
	now := s.Env.Clock()
	add := func(d Delivery) {
		if dry {
			d.DryRun, d.OK, d.Error, d.Attempts = true, false, "", 0
		}
		s.logDelivery(d)
		out.Deliveries = append(out.Deliveries, d)
	}
	var email Email
	if s.Config.Email != nil || s.Config.SNS != nil {
		e, err := BuildEmailLang(out.Rows, out.Date, s.loc(), now, s.Lang)
		if err != nil {
			add(Delivery{Channel: ChannelEmail, Error: err.Error()})
		}
		email = e
	}
	if cfg := s.Config.Email; cfg != nil {
		out.Email = &email
		if dry {
			add(Delivery{Channel: ChannelEmail, Target: recipients(len(cfg.To))})
		} else {
			add(s.SendEmail(ctx, email))
		}
	}
	if sc := s.slack(); sc.Workflow.Set() {
		for _, r := range out.Rows {
			out.Workflow = append(out.Workflow, WorkflowPayloadLang(r, out.Date, s.Lang))
		}
		if dry {
			for _, r := range out.Rows {
				add(Delivery{Channel: ChannelSlackWorkflow, Target: r.Cluster})
			}
		} else {
			for _, d := range s.NotifyWorkflow(ctx, out.Rows, out.Date) {
				add(d)
			}
		}
	}
	if sc := s.slack(); sc.Incoming.Set() {
		m := IncomingMessageLang(out.Rows, out.Date, s.loc(), s.Lang)
		out.Incoming = &m
		if dry {
			add(Delivery{Channel: ChannelSlackIncoming, Target: fmt.Sprintf("summary of %d clusters", len(out.Rows))})
		} else {
			add(s.NotifyIncoming(ctx, out.Rows, out.Date))
		}
	}
	if cfg := s.Config.SNS; cfg != nil {
		m := BuildSNS(email, out.Rows, out.Date)
		out.SNS = &m
		if dry {
			add(Delivery{Channel: ChannelSNS, Target: cfg.TopicARN})
		} else {
			add(s.PublishSNS(ctx, m))
		}
	}
}
