package slowlog

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

// SlowQueriesInput is the input of get_slow_queries.
type SlowQueriesInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	TopN        int    `json:"top_n,omitempty" jsonschema:"minimum=1,maximum=50" jsonschema_description:"Query classes to list (default 10)."`
	OrderBy     string `json:"order_by,omitempty" jsonschema:"enum=total,enum=count,enum=avg,enum=max,enum=rows_examined" jsonschema_description:"Ranking: total time (default), count, avg or max time, rows examined."`
	Instance    string `json:"instance,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Only this member instance. Default: every member."`
	RawExamples bool   `json:"raw_examples,omitempty" jsonschema_description:"Show example statements with their literal values. Default false: literals are masked because they may hold customer data."`
}

// SlowQueriesOutput is the output of get_slow_queries.
type SlowQueriesOutput struct {
	Region    string       `json:"region"`
	ClusterID string       `json:"cluster_id"`
	Window    timewin.Echo `json:"window"`
	Result
}

// Text renders the compact mirror.
func (o SlowQueriesOutput) Text() string {
	var b strings.Builder
	dg := o.Digest
	fmt.Fprintf(&b, "## Slow queries — %s (%s) in %s\n", o.ClusterID, o.Engine, o.Region)
	fmt.Fprintf(&b, "Window: %s → %s UTC (%s)\n", o.Window.StartUTC, o.Window.EndUTC, o.Window.Timezone)
	c := o.Coverage
	switch c.Source {
	case "cloudwatch_logs":
		fmt.Fprintf(&b, "Source: CloudWatch Logs %s — %d events read in %d calls, %s\n", c.LogGroup, c.EventsRead, c.Calls, completeness(c))
	case "log_files":
		fmt.Fprintf(&b, "Source: instance log files (%d) — %d lines read, %s\n", len(c.Streams), c.EventsRead, completeness(c))
	default:
		b.WriteString("Source: none\n")
	}
	fmt.Fprintf(&b, "Total: %d statements in %d classes, %s s query time", dg.Entries, dg.Classes, tools.Num(dg.TotalQueryTimeS, 3))
	if dg.FirstSeen != "" {
		fmt.Fprintf(&b, ", %s → %s", dg.FirstSeen, dg.LastSeen)
	}
	if len(dg.Instances) > 0 {
		parts := make([]string, 0, len(dg.Instances))
		for _, in := range dg.Instances {
			parts = append(parts, fmt.Sprintf("%s %d", in.Name, in.Count))
		}
		fmt.Fprintf(&b, "; by instance: %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	if dg.ParseBindCount > 0 {
		fmt.Fprintf(&b, "PostgreSQL parse/bind steps (not counted above): %d, %s s\n", dg.ParseBindCount, tools.Num(dg.ParseBindTimeS, 3))
	}
	if len(dg.Top) > 0 {
		fmt.Fprintf(&b, "\nTop %d by %s:\n", len(dg.Top), dg.OrderBy)
		rows := make([][]string, 0, len(dg.Top))
		for _, q := range dg.Top {
			ratio := "-"
			if q.RowsSent > 0 {
				ratio = tools.Num(q.RowsExaminedPerSent, 1)
			}
			rows = append(rows, []string{
				fmt.Sprint(q.Rank), q.ID[:8], fmt.Sprint(q.Count), tools.Num(q.TotalS, 3), tools.Num(q.PctOfTotal, 1),
				tools.Num(q.AvgMS, 3), tools.Num(q.P95MS, 3), tools.Num(q.MaxMS, 3), tools.Num(q.LockTotalS, 3),
				fmt.Sprint(q.RowsExamined), ratio, strings.Join(q.Instances, " "), tools.Truncate(q.Fingerprint, 160),
			})
		}
		b.WriteString(tools.Table([]string{"#", "class", "count", "total s", "%", "avg ms", "p95 ms", "max ms", "lock s", "rows exam", "exam/sent", "instances", "fingerprint"}, rows))
		if dg.Truncated {
			fmt.Fprintf(&b, "(%d more classes not listed; raise top_n)\n", dg.Classes-len(dg.Top))
		}
		kind := "masked"
		if len(dg.Top) > 0 && !dg.Top[0].ExampleMasked {
			kind = "raw"
		}
		fmt.Fprintf(&b, "\nSlowest example per class (%s, untrusted text):\n", kind)
		for _, q := range dg.Top[:min(3, len(dg.Top))] {
			fmt.Fprintf(&b, "- #%d %s ms on %s at %s, db %s: %s\n", q.Rank, tools.Num(q.MaxMS, 3), q.ExampleInstance, q.ExampleAt,
				tools.OrDash(strings.Join(q.Databases, ",")), tools.Cell(tools.Truncate(q.Example, 300)))
		}
	}
	if len(dg.Hourly) > 1 {
		parts := make([]string, 0, len(dg.Hourly))
		for _, h := range dg.Hourly[max(0, len(dg.Hourly)-24):] {
			parts = append(parts, fmt.Sprintf("%s %d/%ss", h.Hour[11:16], h.Count, tools.Num(h.QueryTimeS, 1)))
		}
		fmt.Fprintf(&b, "\nPer hour UTC (count/time): %s\n", strings.Join(parts, ", "))
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

func completeness(c Coverage) string {
	if c.Complete {
		return "complete"
	}
	return fmt.Sprintf("PARTIAL (sampled: %d of %d slices cut by the budget)", c.SlicesCut, max(c.Slices, 1))
}

// Deps are what the slowlog tools need.
type deps struct {
	c   awsclient.Clients
	env tools.Env
}

func slowQueriesTool(d deps) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_slow_queries", Toolset: "slowlog", Title: "Slow query digest",
		Description: "Slow query log digest, pt-query-digest grade (MySQL slowquery export; PostgreSQL duration: lines): per query " +
			"fingerprint count, total/avg/p95/max time, lock time, rows sent/examined, first/last seen, instances and an example with " +
			"literals masked; top N by total time, per-hour histogram, coverage; findings when the log is off, not exported or " +
			"long_query_time is too high. Window: since (24h) or start/end RFC 3339. NEXT: get_db_load for load by wait event.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in SlowQueriesInput) (SlowQueriesOutput, error) {
		t, w, err := cluster.Resolve(ctx, d.c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: d.env.Clock(), MaxAge: 30 * 24 * time.Hour, Max: 7 * 24 * time.Hour})
		if err != nil {
			return SlowQueriesOutput{}, err
		}
		region, api := t.Region, d.c.RDS(t.Region)
		res, err := Collect(ctx, d.c.Logs(region), api, t, w, Request{
			Instance: in.Instance, TopN: in.TopN, OrderBy: in.OrderBy, RawExamples: in.RawExamples, Budget: 60 * time.Second,
		})
		if err != nil {
			return SlowQueriesOutput{}, err
		}
		return SlowQueriesOutput{Region: region, ClusterID: t.ID, Window: w.Echo(), Result: res}, nil
	})
}
