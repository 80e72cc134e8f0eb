package maintenance

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Input is the input of get_pending_maintenance.
type Input struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	Timezone  string `json:"timezone,omitempty" jsonschema_description:"IANA time zone for local dates, e.g. Asia/Seoul. Default: the region's usual zone."`
}

// Output is the output of get_pending_maintenance.
type Output struct {
	Region    string          `json:"region"`
	ClusterID string          `json:"cluster_id"`
	NowUTC    string          `json:"now_utc" jsonschema_description:"The time urgency was computed at."`
	Timezone  string          `json:"timezone"`
	Actions   []Action        `json:"actions" jsonschema_description:"Most urgent first."`
	Counts    Counts          `json:"counts"`
	Findings  []tools.Finding `json:"findings"`
	Hints     []string        `json:"hints,omitempty"`
}

// Counts is the number of actions per urgency.
type Counts struct {
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// Text renders the compact mirror.
func (o Output) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Pending maintenance of %s (%s) at %s\n", o.ClusterID, o.Region, o.NowUTC)
	if len(o.Actions) == 0 {
		b.WriteString("No pending maintenance actions for the cluster or its members.\n")
	} else {
		fmt.Fprintf(&b, "%d actions: %d critical, %d warning, %d info (critical: forced within 7 days; warning: within 30)\n",
			len(o.Actions), o.Counts.Critical, o.Counts.Warning, o.Counts.Info)
		rows := make([][]string, 0, len(o.Actions))
		for _, a := range o.Actions {
			res := a.Resource
			if a.Role != "" {
				res += " (" + a.Role + ")"
			}
			forced := "-"
			if a.ForcedApplyUTC != "" {
				forced = short(a.ForcedApplyLocal) + " " + o.Timezone
				if a.DaysUntilForced != nil {
					forced += fmt.Sprintf(" (%s d)", tools.Num(*a.DaysUntilForced, 1))
				}
			}
			rows = append(rows, []string{a.Urgency, res, a.Action, a.Description, tools.OrDash(short(a.AutoAppliedAfterUTC)), forced, tools.OrDash(short(a.CurrentApplyLocal)), a.OptIn})
		}
		b.WriteString(tools.Table([]string{"urgency", "resource", "action", "description", "auto-applied after (UTC)", "forced", "applies (local)", "opt-in"}, rows))
	}
	for _, h := range o.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}

func short(s string) string {
	if len(s) >= 16 {
		return strings.Replace(s[:16], "T", " ", 1)
	}
	return s
}

func pendingTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_pending_maintenance", Toolset: "maintenance", Title: "Pending maintenance of a cluster",
		Description: "Pending maintenance (OS upgrades, engine updates, certificate rotations, …) for the cluster and every member: " +
			"auto-applied, forced and current apply dates (UTC and local), opt-in status in words and urgency (critical when forced " +
			"within 7 days, warning within 30), most urgent first. NEXT: get_rds_events for past maintenance.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in Input) (Output, error) {
		now := env.Clock().UTC()
		// The window validates the zone and applies the region default; the window itself is unused.
		t, w, err := cluster.Resolve(ctx, c, in.ClusterID, in.Region, timewin.Input{Timezone: in.Timezone}, timewin.Options{Now: now})
		if err != nil {
			return Output{}, err
		}
		region := t.Region
		res, err := List(ctx, c.RDS(region), t, now, w.Loc)
		if err != nil {
			return Output{}, err
		}
		out := Output{
			Region: region, ClusterID: t.ID, NowUTC: now.Format("2006-01-02T15:04:05Z"), Timezone: w.Loc.String(),
			Actions:  res.Actions,
			Findings: Findings(res), Hints: append(append([]string{}, t.Hints...), res.Hints...),
		}
		for _, a := range res.Actions {
			switch a.Urgency {
			case tools.SeverityCritical:
				out.Counts.Critical++
			case tools.SeverityWarning:
				out.Counts.Warning++
			default:
				out.Counts.Info++
			}
		}
		return out, nil
	})
}
