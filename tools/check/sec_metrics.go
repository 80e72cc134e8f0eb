package check

import (
	"context"

	"github.com/kida-mcp/kida-mcp/tools/metrics"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// reportPoints is the per-series budget in the report (MinMax-downsampled, every peak kept).
const reportPoints = 480

// panelTitles names the charts; metrics not listed keep their CloudWatch name.
var panelTitles = map[string]string{
	"CPUUtilization": "CPU utilization", "FreeableMemory": "Freeable memory", "DatabaseConnections": "Connections",
	"ReadIOPS": "Read IOPS", "WriteIOPS": "Write IOPS", "ReadLatency": "Read latency", "WriteLatency": "Write latency",
	"BufferCacheHitRatio": "Buffer cache hit ratio", "Deadlocks": "Deadlocks", "AuroraReplicaLag": "Replica lag",
	"AuroraReplicaLagMaximum": "Replica lag (max, writer view)", "DBLoad": "DB load", "DBLoadCPU": "DB load (CPU)",
	"DBLoadNonCPU": "DB load (non-CPU)", "CommitLatency": "Commit latency", "DMLLatency": "DML latency",
	"SelectLatency": "Select latency", "SwapUsage": "Swap usage", "VolumeBytesUsed": "Volume used",
	"AuroraVolumeBytesLeftTotal": "Volume left", "FreeStorageSpace": "Free storage", "ReplicaLag": "Replica lag",
	"DiskQueueDepth": "Disk queue depth", "ServerlessDatabaseCapacity": "Serverless capacity", "ACUUtilization": "ACU utilization",
}

func metricsSection(ctx context.Context, s *state) (summary, error) {
	r, err := metrics.Collect(ctx, s.deps.Clients.CloudWatch(s.region), s.topo, s.win, metrics.Options{
		Now: s.deps.Env.Clock(), IncludeSeries: true, MaxPoints: reportPoints,
	})
	if err != nil {
		return summary{}, err
	}
	panels := map[string]*report.MetricPanel{}
	var order []string
	for _, m := range r.Members {
		for _, st := range m.Metrics {
			p := panels[st.CloudWatchMetric]
			if p == nil {
				p = &report.MetricPanel{Metric: st.CloudWatchMetric, Title: title(st.CloudWatchMetric), Unit: st.Unit}
				panels[st.CloudWatchMetric] = p
				order = append(order, st.CloudWatchMetric)
			}
			p.Series = append(p.Series, toSeries(m.ID, m.Role, st))
		}
	}
	var cl []report.MetricPanel
	for _, st := range r.Cluster {
		cl = append(cl, report.MetricPanel{Metric: st.CloudWatchMetric, Title: title(st.CloudWatchMetric), Unit: st.Unit,
			Series: []report.Series{toSeries(s.topo.ID, "cluster", st)}})
	}
	s.mu.Lock()
	for _, name := range order {
		s.c.Metrics = append(s.c.Metrics, *panels[name])
	}
	s.c.ClusterMetrics = cl
	s.raw.metrics = &r
	s.mu.Unlock()
	return say("sum.metrics", r.Queries, r.Calls, r.PeriodS, len(r.Episodes)), nil
}

func title(metric string) string {
	if t, ok := panelTitles[metric]; ok {
		return t
	}
	return metric
}

func toSeries(id, role string, st metrics.SeriesStats) report.Series {
	out := report.Series{Instance: id, Role: role, Min: st.Min, Avg: st.Avg, P95: st.P95, Max: st.Max, MaxAt: st.MaxAt, Last: st.Last}
	if st.Series != nil {
		out.Points = make([]report.Point, len(st.Series.Values))
		for i, v := range st.Series.Values {
			out.Points[i] = report.Point{T: st.Series.Timestamps[i], V: v}
		}
	}
	return out
}
