package check

import (
	"github.com/kida-mcp/kida-mcp/tools/alarms"
	"github.com/kida-mcp/kida-mcp/tools/audit"
	"github.com/kida-mcp/kida-mcp/tools/errorlog"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/maintenance"
	"github.com/kida-mcp/kida-mcp/tools/metrics"
	"github.com/kida-mcp/kida-mcp/tools/perf"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// raw keeps the engine results the rules need, beyond what the report shows. Each section sets only its
// own field (under state.mu).
type raw struct {
	metrics *metrics.Result
	events  *events.Result
	maint   *maintenance.Result
	alarms  *alarms.ListResult
	advice  *alarms.Recommendation
	slow    *slowlog.Result
	errs    *errorlog.Result
	load    *perf.Result
	trail   *audit.TrailResult
	health  *audit.HealthResult
	recs    *audit.RecommendationsResult
}

// sections lists every section after topology, in display order. Each family's adapter lives in
// sec_<family>.go.
func sections() []section {
	return []section{
		{tab: report.SecMetrics, name: "metrics", run: metricsSection, fix: "grant cloudwatch:GetMetricData"},
		{tab: report.SecEvents, name: "events", run: eventsSection, fix: "grant rds:DescribeEvents"},
		{tab: report.SecMaintenance, name: "maintenance", run: maintenanceSection, fix: "grant rds:DescribePendingMaintenanceActions"},
		{tab: report.SecRecommendations, name: "alarms", run: alarmsSection, fix: "grant cloudwatch:DescribeAlarms and cloudwatch:DescribeAlarmHistory"},
		{tab: report.SecSlowQueries, name: "slow queries", run: slowSection, fix: "grant logs:FilterLogEvents (or rds:DownloadDBLogFilePortion) and export the slow log"},
		{tab: report.SecLogs, name: "error log", run: errorLogSection, fix: "grant logs:FilterLogEvents and export the error log"},
		{tab: report.SecDBLoad, name: "database load", run: loadSection, fix: "grant pi:GetResourceMetrics and pi:DescribeDimensionKeys, and enable Database Insights"},
		{tab: report.SecRecommendations, name: "cloudtrail", run: trailSection, fix: "grant cloudtrail:LookupEvents"},
		{tab: report.SecRecommendations, name: "health", run: healthSection, fix: "AWS Health needs a Business or Enterprise support plan and health:DescribeEvents"},
		{tab: report.SecRecommendations, name: "recommendations", run: recsSection, fix: "grant rds:DescribeDBRecommendations"},
	}
}
