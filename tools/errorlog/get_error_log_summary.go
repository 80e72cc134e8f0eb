package errorlog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// SummaryInput is the input of get_error_log_summary.
type SummaryInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	TopN     int    `json:"top_n,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Patterns to list (default 20)."`
	Instance string `json:"instance,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Only this member instance. Default: every member."`
}

// SummaryOutput is the output of get_error_log_summary.
type SummaryOutput struct {
	Region    string       `json:"region"`
	ClusterID string       `json:"cluster_id"`
	Window    timewin.Echo `json:"window"`
	Result
}

// Text renders the compact mirror.
func (o SummaryOutput) Text() string {
	var b strings.Builder
	s := o.Summary
	fmt.Fprintf(&b, "## Error log — %s (%s) in %s\n", o.ClusterID, o.Engine, o.Region)
	fmt.Fprintf(&b, "Window: %s → %s UTC (%s)\n", o.Window.StartUTC, o.Window.EndUTC, o.Window.Timezone)
	c := o.Coverage
	state := "complete"
	if !c.Complete {
		state = "PARTIAL (sampled)"
	}
	switch c.Source {
	case "cloudwatch_logs":
		fmt.Fprintf(&b, "Source: CloudWatch Logs %s — %d events read, %s\n", c.LogGroup, c.EventsRead, state)
	case "log_files":
		fmt.Fprintf(&b, "Source: instance log files (%d) — %d lines read, %s\n", len(c.Streams), c.EventsRead, state)
	}
	levels := make([]string, 0, len(s.Levels))
	for _, l := range s.Levels {
		levels = append(levels, fmt.Sprintf("%s %d", l.Name, l.Count))
	}
	fmt.Fprintf(&b, "Messages: %d in %d patterns (%s); %d routine lines skipped\n", s.Lines, s.Distinct, strings.Join(levels, ", "), s.Skipped)
	if len(s.Notable) > 0 {
		b.WriteString("\nNotable:\n")
		for _, n := range s.Notable {
			fmt.Fprintf(&b, "- %s: %d (%s → %s) on %s\n", n.Class, n.Count, n.FirstSeen, n.LastSeen, strings.Join(n.Instances, ", "))
		}
	}
	if len(s.Patterns) > 0 {
		b.WriteString("\nPatterns (untrusted text):\n")
		rows := make([][]string, 0, len(s.Patterns))
		for _, p := range s.Patterns {
			rows = append(rows, []string{p.Level, tools.OrDash(p.Class), fmt.Sprint(p.Count), p.FirstSeen, p.LastSeen, strings.Join(p.Instances, " "), tools.Truncate(p.Pattern, 160)})
		}
		b.WriteString(tools.Table([]string{"level", "class", "count", "first", "last", "instances", "pattern"}, rows))
		if s.Truncated {
			fmt.Fprintf(&b, "(%d more patterns; raise top_n)\n", s.Distinct-len(s.Patterns))
		}
	}
	if len(o.Findings) > 0 {
		b.WriteString("\nFindings:\n")
		for _, f := range o.Findings {
			fmt.Fprintf(&b, "- [%s] %s: %s — %s (%s)\n", f.Severity, f.Resource, f.Title, tools.Cell(f.Evidence), f.Action)
		}
	}
	for _, h := range o.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}

func summaryTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_error_log_summary", Toolset: "errorlog", Title: "Error log summary",
		Description: "Error log of every member (MySQL error log; PostgreSQL ERROR, FATAL, PANIC and notable LOG lines) grouped by " +
			"normalized pattern with counts, first/last seen and instances; calls out deadlocks, too many connections, out of memory, " +
			"aborted connections, restarts, failovers, replication and authentication failures. Window: since (24h) or start/end " +
			"RFC 3339. NEXT: get_rds_events for failovers and reboots, get_slow_queries for the load behind them.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in SummaryInput) (SummaryOutput, error) {
		t, w, err := cluster.Resolve(ctx, c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: env.Clock(), MaxAge: 30 * 24 * time.Hour, Max: 7 * 24 * time.Hour})
		if err != nil {
			return SummaryOutput{}, err
		}
		region, api := t.Region, c.RDS(t.Region)
		res, err := Collect(ctx, c.Logs(region), api, t, w, Request{Instance: in.Instance, TopN: in.TopN, Budget: 60 * time.Second})
		if err != nil {
			return SummaryOutput{}, err
		}
		return SummaryOutput{Region: region, ClusterID: t.ID, Window: w.Echo(), Result: res}, nil
	})
}
