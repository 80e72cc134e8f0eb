// Package metrics holds the metrics toolset — get_instance_metrics and analyze_metric — and the engine
// functions the health check and the report call without MCP.
//
// # Catalogue
//
// Catalogue is data, not scattered ifs: one row per CloudWatch metric (per engine family where the rules
// differ) with its CloudWatch unit, the normalized output name and unit (cpu_pct, freeable_memory_bytes,
// read_latency_ms from seconds, replica_lag_ms for both AuroraReplicaLag (ms) and RDS ReplicaLag (s), …),
// the engines (aurora-mysql, aurora-postgresql, mysql, postgres, mariadb, other RDS) and roles (writer,
// reader, standalone) it is published for, whether it needs Serverless v2, Performance Insights or a class
// prefix, and whether it is in the default set. Metric.Applies explains why a metric does not apply; the
// reasons become hints. Rows the AWS docs leave unclear (ReadIOPS/WriteIOPS on Aurora MySQL, SwapUsage on
// Aurora PostgreSQL classes) have Verified=false: kida queries them and explains an empty result.
//
// # Planner
//
// Plan turns series requests (metric, exact dimension set, statistic) into ceil(n/500) GetMetricData
// inputs over one aligned [start, end) with one period; Fetch runs them, follows NextToken, and reports
// StatusCode and Messages. The period comes from timewin.Period: at most 1,440 points per series by
// default and always a multiple CloudWatch still serves for the age of the window start (60 s under
// 15 days, 300 s to 63 days, 3,600 s beyond).
//
// # Engine functions
//
//	Collect(ctx, api API, t cluster.Topology, w timewin.Window, o Options) (Result, error)
//
// fetches the engine- and role-aware default set (or Options.Metrics) for every member (or
// Options.Instances) and the cluster-level volume metrics in one batched fetch, and returns per series
// min/avg/p95/max with times, last value, coverage, a least-squares trend, anomalies against a robust
// baseline, FreeableMemory as % of the class memory; per metric the writer-vs-readers comparison and the
// member that stands out; anomaly episodes merged across series; and hints for every absent metric.
// Options.IncludeSeries adds each series downsampled with Downsample (min/max per bucket, never every-kth)
// to Options.MaxPoints — the report draws its charts from these.
//
//	Analyze(ctx, api API, t cluster.Topology, w timewin.Window, o AnalyzeOptions) (Analysis, error)
//
// looks at one metric of one member (the writer by default) or of the cluster in depth: the same
// statistics for w and for the previous window of equal length (one query spanning both, so one call),
// the change between them, a trend whose significance is corrected for autocorrelation, the hour-of-day
// profile and its strength (windows ≥ 3 days), level shifts (ChangePoints) and anomalies.
//
// Bad options (unknown metric or instance, a metric that does not apply to the member) are *tools.Error
// with the valid choices; a failed GetMetricData is returned wrapped by awsclient.In so a caller can show
// it as a gap. The statistics are exported for reuse: Summarize, Percentile, FitTrend, Anomalies,
// ChangePoints, DailyProfile, Downsample, Episodes.
//
// AWS calls: GetMetricData only (cluster.Describe does the RDS part) — cloudwatch:GetMetricData.
package metrics
