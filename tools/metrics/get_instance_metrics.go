package metrics

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// GetInput is the input of get_instance_metrics.
type GetInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	Metrics       []string `json:"metrics,omitempty" jsonschema:"maxItems=40" jsonschema_description:"Metrics to fetch, CloudWatch names (CPUUtilization) or normalized names (cpu_pct). Default: the engine- and role-aware default set."`
	Instances     []string `json:"instances,omitempty" jsonschema:"maxItems=40" jsonschema_description:"Members to include. Default: every member."`
	IncludeSeries bool     `json:"include_series,omitempty" jsonschema_description:"Add each series downsampled to max_points (keeps every peak: per-bucket min and max)."`
	MaxPoints     int      `json:"max_points,omitempty" jsonschema:"minimum=10,maximum=1440" jsonschema_description:"Points per downsampled series when include_series is true. Default 120."`
}

// GetOutput is the output of get_instance_metrics.
type GetOutput struct {
	Result
}

// Text renders the compact mirror.
func (o GetOutput) Text() string {
	r := o.Result
	l := loc(r.Window)
	var b strings.Builder
	fmt.Fprintf(&b, "## %s metrics — %s, %s: %d member(s), period %d s, %d series in %d GetMetricData call(s)\n",
		r.ClusterID, r.Engine, r.Region, len(r.Members), r.PeriodS, r.Queries, r.Calls)
	fmt.Fprintf(&b, "Window: %s\n", echoLine(r.Window))
	b.WriteString("Stats over per-period values; max/min with local time; trend = least-squares slope per hour and fitted change over the window.\n")
	type row struct {
		s          SeriesStats
		who        string
		orderIndex int
	}
	var rows []row
	idx := map[string]int{}
	for _, m := range r.Members {
		for _, s := range m.Metrics {
			if _, ok := idx[s.Metric]; !ok {
				idx[s.Metric] = len(idx)
			}
			rows = append(rows, row{s: s, who: strings.TrimSpace(m.ID + " " + roleTag(m.Role)), orderIndex: idx[s.Metric]})
		}
	}
	for _, s := range r.Cluster {
		if _, ok := idx[s.Metric]; !ok {
			idx[s.Metric] = len(idx)
		}
		rows = append(rows, row{s: s, who: r.ClusterID + " (cluster)", orderIndex: idx[s.Metric]})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].orderIndex < rows[j].orderIndex })
	if len(rows) > 0 {
		tab := make([][]string, 0, len(rows))
		for _, x := range rows {
			s := x.s
			minCell, avgCell, lastCell := FormatValue(s.Unit, s.Min), FormatValue(s.Unit, s.Avg), FormatValue(s.Unit, s.Last)
			if s.MemoryPct != nil {
				minCell += " (" + tools.Num(s.MemoryPct.Min, 0) + "%)"
				avgCell += " (" + tools.Num(s.MemoryPct.Avg, 0) + "%)"
				lastCell += " (" + tools.Num(s.MemoryPct.Last, 0) + "%)"
			}
			an := "–"
			if s.AnomaliesTotal > 0 {
				an = fmt.Sprint(s.AnomaliesTotal)
			}
			tab = append(tab, []string{s.Metric, x.who, minCell, avgCell, FormatValue(s.Unit, s.P95),
				FormatValue(s.Unit, s.Max) + " @" + stamp(s.MaxAt, l), lastCell, rateText(s.Unit, s.Trend.SlopePerHour), pctText(s.Trend.ChangePct), an})
		}
		b.WriteString(tools.Table([]string{"metric", "member", "min", "avg", "p95", "max @", "last", "trend/h", "Δ", "anom"}, tab))
	} else {
		b.WriteString("No metric data in the window.\n")
	}
	var stand []string
	for _, c := range r.Comparisons {
		if !c.StandsOut {
			continue
		}
		unit := unitOf(r, c.Metric)
		if c.Metric == "freeable_memory_pct" {
			unit = "pct"
		}
		line := fmt.Sprintf("- %s: %s avg %s vs %s for the others", c.Metric, c.Outlier, FormatValue(unit, c.OutlierAvg), FormatValue(unit, c.OthersAvg))
		if c.Ratio != 0 {
			line += " (" + sig(c.Ratio, 2) + "×)"
		}
		if c.Writer != "" && c.Writer != c.Outlier {
			line += fmt.Sprintf("; writer %s %s, readers %s", c.Writer, FormatValue(unit, c.WriterAvg), FormatValue(unit, c.ReadersAvg))
		}
		stand = append(stand, line)
	}
	if len(stand) > 0 {
		b.WriteString("Stands out (member vs the others, averages):\n" + strings.Join(stand, "\n") + "\n")
	}
	if len(r.Episodes) > 0 {
		eps := append([]Episode(nil), r.Episodes...)
		if len(eps) > maxTextEpisodes { // keep the strongest, shown in time order
			sort.SliceStable(eps, func(i, j int) bool { return eps[i].Score > eps[j].Score })
			eps = eps[:maxTextEpisodes]
			sort.SliceStable(eps, func(i, j int) bool { return eps[i].Start.Before(eps[j].Start) })
		}
		fmt.Fprintf(&b, "Anomaly episodes vs robust baseline (%d of %d; metric member peak (baseline)):\n", len(eps), len(r.Episodes))
		for _, ep := range eps {
			span := stamp(ep.Start, l)
			if !ep.End.Equal(ep.Start) {
				span += "–" + ep.End.In(l).Format("15:04")
			}
			var parts []string
			metricsShown := 0
			for i := 0; i < len(ep.Entries); {
				e := ep.Entries[i]
				if metricsShown == maxEpisodeMetrics {
					parts = append(parts, fmt.Sprintf("+%d more", len(ep.Entries)-i))
					break
				}
				var who []string
				for ; i < len(ep.Entries) && ep.Entries[i].Metric == e.Metric; i++ {
					x := ep.Entries[i]
					who = append(who, fmt.Sprintf("%s %s (%s)", x.Target, FormatValue(x.Unit, x.Peak), FormatValue(x.Unit, x.Baseline)))
				}
				parts = append(parts, e.Metric+" "+strings.Join(who, ", "))
				metricsShown++
			}
			fmt.Fprintf(&b, "- %s: %s\n", span, strings.Join(parts, "; "))
		}
	}
	if o.seriesShown() {
		b.WriteString("Series (downsampled, min/max kept):\n")
		for _, m := range r.Members {
			for _, s := range m.Metrics {
				if s.Series != nil {
					fmt.Fprintf(&b, "- %s %s: %s (%s…%s)\n", s.Metric, m.ID, Sparkline(s.Series.Values, 48), FormatValue(s.Unit, s.Min), FormatValue(s.Unit, s.Max))
				}
			}
		}
		for _, s := range r.Cluster {
			if s.Series != nil {
				fmt.Fprintf(&b, "- %s %s: %s (%s…%s)\n", s.Metric, r.ClusterID, Sparkline(s.Series.Values, 48), FormatValue(s.Unit, s.Min), FormatValue(s.Unit, s.Max))
			}
		}
	}
	if len(r.Hints) > 0 {
		b.WriteString("Hints:\n")
		for _, h := range r.Hints {
			b.WriteString("- " + tools.Cell(h) + "\n")
		}
	}
	b.WriteString("NEXT: analyze_metric for one series in depth (significance, seasonality, change points, previous window); get_db_load when DBLoad or CPU is high.\n")
	return b.String()
}

const (
	maxTextEpisodes   = 6
	maxEpisodeMetrics = 12
)

func (o GetOutput) seriesShown() bool {
	for _, m := range o.Members {
		for _, s := range m.Metrics {
			if s.Series != nil {
				return true
			}
		}
	}
	return false
}

func unitOf(r Result, metric string) string {
	for _, m := range r.Members {
		for _, s := range m.Metrics {
			if s.Metric == metric {
				return s.Unit
			}
		}
	}
	return ""
}

func roleTag(role string) string {
	switch role {
	case cluster.RoleWriter:
		return "(W)"
	case cluster.RoleReader:
		return "(R)"
	}
	return ""
}

func anomalyLine(what, unit string, a Anomaly, l *time.Location) string {
	span := stamp(a.Start, l)
	if !a.End.Equal(a.Start) {
		span += "–" + a.End.In(l).Format("15:04")
	}
	return fmt.Sprintf("%s: %s %s (%d pts), peak %s @%s vs baseline %s (%s, score %s)", what, span, a.Direction, a.Points,
		FormatValue(unit, a.Peak), a.PeakAt.In(l).Format("15:04"), FormatValue(unit, a.Baseline), signed(FormatValue(unit, a.Deviation)), sig(a.Score, 2))
}

func getTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_instance_metrics", Toolset: "metrics", Title: "Per-instance metrics of a cluster",
		Description: "CloudWatch metrics of every member of a cluster in one call: the engine- and role-aware default set (CPU %, freeable " +
			"memory, connections, IOPS, latency ms, swap, buffer cache hit, deadlocks, replica lag ms, Serverless ACUs, DBLoad, cluster " +
			"volume bytes), each with min/avg/p95/max with times, last, trend and anomalies, and which member stands out; hints explain " +
			"absent metrics. Window: since (24h, 7d) or start/end RFC 3339; default 24h. NEXT: analyze_metric for one series in depth.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in GetInput) (GetOutput, error) {
		now := env.Clock()
		t, w, err := cluster.Resolve(ctx, c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: now})
		if err != nil {
			return GetOutput{}, err
		}
		r, err := Collect(ctx, c.CloudWatch(t.Region), t, w, Options{
			Now: now, Metrics: in.Metrics, Instances: in.Instances, IncludeSeries: in.IncludeSeries, MaxPoints: in.MaxPoints,
		})
		if err != nil {
			return GetOutput{}, err
		}
		r.Hints = append(r.Hints, t.Hints...)
		return GetOutput{Result: r}, nil
	})
}
