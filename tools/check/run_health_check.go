package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Input is the input of run_health_check.
type Input struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier (or a standalone instance identifier)."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
}

// Output is the answer of run_health_check: the verdict, prioritized findings, gaps and per-section
// summaries. The full check (series, tables) is stored under CheckID for render_report.
type Output struct {
	CheckID   string           `json:"check_id"`
	Cluster   string           `json:"cluster"`
	Region    string           `json:"region"`
	Engine    string           `json:"engine"`
	Window    timewin.Echo     `json:"window"`
	Verdict   string           `json:"verdict" jsonschema:"enum=healthy,enum=warning,enum=critical"`
	Headline  string           `json:"headline"`
	Counts    Counts           `json:"counts"`
	Findings  []report.Finding `json:"findings"`
	Truncated bool             `json:"truncated,omitempty"`
	Gaps      []report.Gap     `json:"gaps"`
	Sections  []report.Section `json:"sections"`
}

// Counts are findings per severity.
type Counts struct {
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

const maxFindings = 25

// Text renders the compact mirror the model reads.
func (o Output) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Health check %s (%s, %s) — %s\n", o.Cluster, o.Region, o.Engine, strings.ToUpper(o.Verdict))
	fmt.Fprintf(&b, "check_id: %s · window %s → %s (%s) · %d critical, %d warning, %d info\n",
		o.CheckID, o.Window.StartLocal, o.Window.EndLocal, o.Window.Timezone, o.Counts.Critical, o.Counts.Warning, o.Counts.Info)
	if len(o.Findings) == 0 {
		b.WriteString("No findings.\n")
	}
	for _, f := range o.Findings {
		fmt.Fprintf(&b, "- [%s] %s", f.Severity, tools.Cell(f.Title))
		if f.Resource != "" {
			fmt.Fprintf(&b, " (%s)", tools.Cell(f.Resource))
		}
		fmt.Fprintf(&b, ": %s", tools.Cell(f.Evidence))
		if f.LikelyCause != "" {
			fmt.Fprintf(&b, " — likely cause: %s", tools.Cell(f.LikelyCause))
		}
		fmt.Fprintf(&b, " → %s\n", tools.Cell(f.Action))
	}
	if o.Truncated {
		fmt.Fprintf(&b, "(more findings in the report: render_report with check_id %s)\n", o.CheckID)
	}
	if len(o.Gaps) > 0 {
		b.WriteString("Gaps (data kida could not get — say so, do not guess):\n")
		for _, g := range o.Gaps {
			fmt.Fprintf(&b, "- %s: %s → %s\n", g.What, tools.Cell(g.Why), tools.Cell(g.Fix))
		}
	}
	var secs []string
	for _, s := range o.Sections {
		secs = append(secs, s.Name+"="+s.Status)
	}
	fmt.Fprintf(&b, "Sections: %s\n", strings.Join(secs, ", "))
	fmt.Fprintf(&b, "NEXT: render_report {\"check_id\":%q} for the HTML report; drill down with get_instance_metrics, get_slow_queries, get_db_load.\n", o.CheckID)
	return b.String()
}

// Summarize turns a check into the tool output.
func Summarize(c report.Check, loc *time.Location) Output {
	crit, warn, info := c.Counts()
	out := Output{CheckID: c.ID, Cluster: c.Cluster, Region: c.Region, Engine: c.Engine + " " + c.EngineVersion,
		Verdict: c.Verdict, Headline: c.Headline, Counts: Counts{crit, warn, info},
		Findings: c.Findings, Gaps: c.Gaps, Sections: c.Sections}
	out.Window = timewin.Window{Start: c.Window.Start, End: c.Window.End, Loc: loc}.Echo()
	if len(out.Findings) > maxFindings {
		out.Findings, out.Truncated = out.Findings[:maxFindings], true
	}
	return out
}

func healthCheckTool(d Deps, store *Store) tools.Tool {
	return tools.New(tools.Spec{
		Name: "run_health_check", Toolset: "check", Title: "Run a health check of a cluster",
		Description: "START HERE for a daily check or a first look at an incident: one call runs every section (topology, metrics, events, " +
			"maintenance, alarms, slow queries, error log, database load, CloudTrail, Health, recommendations) and returns a verdict, " +
			"prioritized findings with evidence (times in UTC and local) and gaps. Window: since (e.g. 24h) or start/end RFC 3339. " +
			"NEXT: render_report with the check_id; drill down with the family tools.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in Input) (Output, error) {
		c, err := Run(ctx, d, in.ClusterID, in.Region, Options{
			Window: in.Input,
			Progress: func(done, total int, section string) {
				tools.Progress(ctx, float64(done), float64(total), section+" done")
			},
		})
		if err != nil {
			return Output{}, err
		}
		if err := store.Put(c); err != nil {
			d.Env.Log().Warn("could not save check", "id", c.ID, "err", err)
		}
		loc, lerr := time.LoadLocation(c.Window.Timezone)
		if lerr != nil {
			loc = time.UTC
		}
		return Summarize(c, loc), nil
	})
}
