package metrics

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

// AnalyzeInput is the input of analyze_metric.
type AnalyzeInput struct {
	ClusterID  string `json:"cluster_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Cluster (or standalone instance) identifier. Instance-level metrics then use the writer unless instance_id is given."`
	InstanceID string `json:"instance_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"DB instance to analyze (its cluster is found automatically). One of cluster_id or instance_id is required."`
	Metric     string `json:"metric" jsonschema:"required,minLength=1,maxLength=64" jsonschema_description:"CloudWatch name (CPUUtilization) or normalized name (cpu_pct)."`
	Region     string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	IncludeSeries bool `json:"include_series,omitempty" jsonschema_description:"Add the series downsampled to max_points (per-bucket min and max kept)."`
	MaxPoints     int  `json:"max_points,omitempty" jsonschema:"minimum=10,maximum=1440" jsonschema_description:"Points of the downsampled series. Default 120."`
}

// Validate requires cluster_id or instance_id.
func (in *AnalyzeInput) Validate() error {
	if strings.TrimSpace(in.ClusterID) == "" && strings.TrimSpace(in.InstanceID) == "" {
		return tools.Errorf("send cluster_id or instance_id (list_clusters shows them); valid arguments: cluster_id, instance_id, metric (required), region, since, start, end, timezone, include_series, max_points")
	}
	return nil
}

// AnalyzeOutput is the output of analyze_metric.
type AnalyzeOutput struct {
	Analysis
}

// Text renders the compact mirror.
func (o AnalyzeOutput) Text() string {
	a := o.Analysis
	l := loc(a.Window)
	var b strings.Builder
	fmt.Fprintf(&b, "## %s on %s (%s; cluster %s, %s) — %s %s, period %d s, %d GetMetricData call(s)\n",
		a.Metric, a.Target, a.Role, a.ClusterID, a.Region, a.CloudWatchMetric, a.Stat, a.PeriodS, a.Calls)
	fmt.Fprintf(&b, "Window: %s\n", echoLine(a.Window))
	if a.PreviousWindow != nil {
		fmt.Fprintf(&b, "Previous: %s\n", echoLine(*a.PreviousWindow))
	}
	if a.Current.Points == 0 {
		b.WriteString("No datapoints in the window.\n")
	} else {
		rows := [][]string{statRow("this window", a.Unit, a.Current, l)}
		if a.Previous != nil {
			rows = append(rows, statRow("previous", a.Unit, *a.Previous, l))
		}
		b.WriteString(tools.Table([]string{"window", "points", "min", "avg", "p95", "max @", "last"}, rows))
		if c := a.Change; c != nil {
			fmt.Fprintf(&b, "- Change vs previous: avg %s (%s), p95 %s, max %s\n", pctText(c.AvgPct), signed(FormatValue(a.Unit, c.AvgAbs)), pctText(c.P95Pct), pctText(c.MaxPct))
		}
		verdict := "not significant"
		if a.Trend.Significant {
			verdict = "significant"
		}
		change := ""
		if a.Trend.ChangePct != nil {
			change = ", fitted change " + pctText(a.Trend.ChangePct) + " over the window"
		}
		perHour := " " + a.Unit + "/h"
		if a.Unit == "bytes" || a.Unit == "bytes_per_s" {
			perHour = " per hour"
		}
		fmt.Fprintf(&b, "- Trend: %s%s (%s → %s)%s; t=%s, p=%s → %s (autocorrelation-corrected)\n",
			rateText(a.Unit, a.Trend.SlopePerHour), perHour, FormatValue(a.Unit, a.Trend.FittedStart), FormatValue(a.Unit, a.Trend.FittedEnd),
			change, sig(a.Trend.TStat, 2), sig(a.Trend.PValue, 2), verdict)
		if s := a.Seasonality; s != nil && s.Strength < 0.1 {
			fmt.Fprintf(&b, "- Daily cycle (%s): none (strength %s)\n", s.Timezone, tools.Num(s.Strength, 2))
		} else if s != nil {
			fmt.Fprintf(&b, "- Daily cycle (%s): strength %s, peak %02d:00 (%s), trough %02d:00 (%s); hours 0→23: %s\n", s.Timezone, tools.Num(s.Strength, 2),
				s.PeakHour, FormatValue(a.Unit, s.HourlyMean[s.PeakHour]), s.TroughHour, FormatValue(a.Unit, s.HourlyMean[s.TroughHour]), Sparkline(s.HourlyMean, 24))
		}
		if len(a.ChangePoints) == 0 {
			b.WriteString("- Level shifts: none\n")
		}
		for _, cp := range a.ChangePoints {
			fmt.Fprintf(&b, "- Level shift @%s: %s → %s (%s)\n", stamp(cp.At, l), FormatValue(a.Unit, cp.Before), FormatValue(a.Unit, cp.After), pctText(cp.ChangePct))
		}
		if a.AnomaliesTotal == 0 {
			b.WriteString("- Anomalies: none\n")
		} else {
			fmt.Fprintf(&b, "- Anomalies (%d of %d, by score):\n", len(a.Anomalies), a.AnomaliesTotal)
			for _, an := range a.Anomalies {
				b.WriteString("  - " + anomalyLine(a.Metric, a.Unit, an, l) + "\n")
			}
		}
		if a.Series != nil {
			fmt.Fprintf(&b, "- Series (%d points, min/max kept): %s\n", len(a.Series.Values), Sparkline(a.Series.Values, 60))
		}
	}
	for _, h := range a.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	b.WriteString("NEXT: get_instance_metrics to compare members; get_db_load or get_slow_queries around an anomaly or level shift.\n")
	return b.String()
}

func statRow(name, unit string, s Stats, l *time.Location) []string {
	return []string{name, fmt.Sprint(s.Points), FormatValue(unit, s.Min), FormatValue(unit, s.Avg), FormatValue(unit, s.P95),
		FormatValue(unit, s.Max) + " @" + stamp(s.MaxAt, l), FormatValue(unit, s.Last)}
}

func analyzeTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "analyze_metric", Toolset: "metrics", Title: "Analyze one metric in depth",
		Description: "One metric of one instance (or the cluster volume) in depth: statistics against the previous window, trend with " +
			"significance, hour-of-day seasonality (windows ≥ 3 days), level shifts and anomalies. Use it for a spike a finding names or " +
			"for capacity trends (since 30d). Metric: CloudWatch or normalized name (CPUUtilization, cpu_pct); defaults to the writer. " +
			"Window: since (24h, 7d) or start/end RFC 3339; default 24h. NEXT: get_db_load or get_slow_queries around what it finds.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in AnalyzeInput) (AnalyzeOutput, error) {
		id := strings.TrimSpace(in.InstanceID)
		if id == "" {
			id = strings.TrimSpace(in.ClusterID)
		}
		now := env.Clock()
		t, w, err := cluster.Resolve(ctx, c, id, in.Region, in.Input, timewin.Options{Now: now})
		if err != nil {
			return AnalyzeOutput{}, err
		}
		if in.ClusterID != "" && in.InstanceID != "" && t.ID != strings.TrimSpace(in.ClusterID) {
			return AnalyzeOutput{}, tools.Errorf("instance %q belongs to %s, not %s; send just instance_id, or a member of %s (%s)", in.InstanceID, t.ID, in.ClusterID, in.ClusterID, "see list_clusters")
		}
		a, err := Analyze(ctx, c.CloudWatch(t.Region), t, w, AnalyzeOptions{
			Now: now, Metric: in.Metric, Instance: strings.TrimSpace(in.InstanceID), IncludeSeries: in.IncludeSeries, MaxPoints: in.MaxPoints,
		})
		if err != nil {
			return AnalyzeOutput{}, err
		}
		return AnalyzeOutput{Analysis: a}, nil
	})
}
