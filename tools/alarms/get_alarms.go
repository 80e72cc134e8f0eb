package alarms

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

// Output bounds.
const (
	maxAlarms  = 100
	maxChanges = 100
)

// GetInput is the input of get_alarms.
type GetInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
}

// GetOutput is the output of get_alarms.
type GetOutput struct {
	Region    string        `json:"region"`
	ClusterID string        `json:"cluster_id"`
	Window    timewin.Echo  `json:"window"`
	InAlarm   int           `json:"in_alarm" jsonschema_description:"Alarms in ALARM now."`
	Total     int           `json:"total" jsonschema_description:"Alarms that concern the cluster."`
	Alarms    []Alarm       `json:"alarms" jsonschema_description:"ALARM first, then INSUFFICIENT_DATA, then OK."`
	Changes   []StateChange `json:"changes" jsonschema_description:"State changes in the window, newest first."`
	Truncated bool          `json:"truncated"`
	Hints     []string      `json:"hints,omitempty"`
}

// Text renders the compact mirror.
func (o GetOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Alarms of %s (%s)\nWindow: %s\n", o.ClusterID, o.Region, echoString(o.Window))
	if o.Total == 0 {
		b.WriteString("No CloudWatch alarms watch this cluster, its role series or its members.\n")
	} else {
		fmt.Fprintf(&b, "%d alarms, %d in ALARM now, %d state changes in the window\n", o.Total, o.InAlarm, len(o.Changes))
		rows := make([][]string, 0, len(o.Alarms))
		for _, a := range o.Alarms {
			what := a.Metric
			if a.Type == "composite" {
				what = "composite: " + a.Rule
			}
			rows = append(rows, []string{a.State, a.Name, a.Scope, what, a.Condition, localShort(a.StateSinceLocal), fmt.Sprint(a.Changes)})
		}
		b.WriteString(tools.Table([]string{"state", "alarm", "watches", "metric", "condition", "since (local)", "changes"}, rows))
		for _, a := range o.Alarms {
			if a.State == "ALARM" && a.Reason != "" {
				fmt.Fprintf(&b, "- %s: %s\n", a.Name, tools.Cell(a.Reason))
			}
		}
	}
	if len(o.Changes) > 0 {
		b.WriteString("\n### State changes\n")
		rows := make([][]string, 0, len(o.Changes))
		for _, c := range o.Changes {
			rows = append(rows, []string{localShort(c.TimeLocal), c.TimeUTC, c.Alarm, c.From + " → " + c.To})
		}
		b.WriteString(tools.Table([]string{"local", "utc", "alarm", "change"}, rows))
	}
	for _, h := range o.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}

func getAlarmsTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_alarms", Toolset: "alarms", Title: "CloudWatch alarms of a cluster",
		Description: "Metric and composite CloudWatch alarms on the cluster, its writer/reader role series and its members: current state " +
			"and reason (ALARM first), and their state changes in the window (alarm history keeps 14 days) with UTC and local times. " +
			"Default window 24h. NEXT: recommend_alarms for missing alarms, or get_instance_metrics around a change.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in GetInput) (GetOutput, error) {
		t, w, err := cluster.Resolve(ctx, c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: env.Clock(), MaxAge: HistoryRetention, Clamp: true})
		if err != nil {
			return GetOutput{}, err
		}
		region := t.Region
		res, err := List(ctx, c.CloudWatch(region), t, w)
		if err != nil {
			return GetOutput{}, err
		}
		out := GetOutput{
			Region: region, ClusterID: t.ID, Window: w.Echo(), Total: len(res.Alarms), Alarms: res.Alarms, Changes: res.Changes,
			Truncated: res.Truncated, Hints: append(append([]string{}, t.Hints...), res.Hints...),
		}
		for _, a := range res.Alarms {
			if a.State == "ALARM" {
				out.InAlarm++
			}
		}
		if len(out.Alarms) > maxAlarms {
			out.Alarms, out.Truncated = out.Alarms[:maxAlarms], true
		}
		if len(out.Changes) > maxChanges {
			out.Changes, out.Truncated = out.Changes[:maxChanges], true
		}
		if w.Clamped {
			out.Hints = append(out.Hints, "CloudWatch keeps alarm history for 14 days; the window was clamped (see window.note)")
		}
		if out.Total == 0 {
			out.Hints = append(out.Hints, "no alarm references "+t.ID+" or its members by dimension; recommend_alarms lists the recommended set with ready-to-run commands")
		}
		return out, nil
	})
}

// HistoryRetention is how long CloudWatch keeps alarm history (CW-CLI-HIST in reference/aws.md §6).
const HistoryRetention = 14 * 24 * time.Hour

func echoString(e timewin.Echo) string {
	return fmt.Sprintf("%s → %s (%s) = %s → %s", localShort(e.StartLocal), localShort(e.EndLocal), e.Timezone, e.StartUTC, e.EndUTC)
}

func localShort(s string) string {
	if len(s) >= 16 {
		return strings.Replace(s[:16], "T", " ", 1)
	}
	return s
}
