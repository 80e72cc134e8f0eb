package slowlog

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// LogsAPI is the part of CloudWatch Logs this family uses: FilterLogEvents returns the full text of each
// event (Logs Insights truncates long @message values and moto's Insights ignores parse/filter).
type LogsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// RDSAPI is the part of RDS this family uses: the topology (cluster.Describe) and the log-file fallback.
type RDSAPI interface {
	cluster.API
	DescribeDBLogFiles(context.Context, *rds.DescribeDBLogFilesInput, ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error)
	DownloadDBLogFilePortion(context.Context, *rds.DownloadDBLogFilePortionInput, ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error)
}

var (
	_ LogsAPI = (*cloudwatchlogs.Client)(nil)
	_ RDSAPI  = (*rds.Client)(nil)
)
