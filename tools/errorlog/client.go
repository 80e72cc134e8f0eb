package errorlog

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// LogsAPI is the part of CloudWatch Logs this family uses.
type LogsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// RDSAPI is the part of RDS this family uses: the topology and the log-file fallback.
type RDSAPI interface {
	cluster.API
	DescribeDBLogFiles(context.Context, *rds.DescribeDBLogFilesInput, ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error)
	DownloadDBLogFilePortion(context.Context, *rds.DownloadDBLogFilePortionInput, ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error)
}

var (
	_ LogsAPI         = (*cloudwatchlogs.Client)(nil)
	_ RDSAPI          = (*rds.Client)(nil)
	_ slowlog.LogsAPI = LogsAPI(nil)
	_ slowlog.RDSAPI  = RDSAPI(nil)
)
