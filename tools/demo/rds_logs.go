package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// RDS log files (issue: slow-query digest and error-log summary).

func (r *rdsAPI) DescribeDBLogFiles(context.Context, *rds.DescribeDBLogFilesInput, ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error) {
	return &rds.DescribeDBLogFilesOutput{}, nil
}

func (r *rdsAPI) DownloadDBLogFilePortion(context.Context, *rds.DownloadDBLogFilePortionInput, ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error) {
	return &rds.DownloadDBLogFilePortionOutput{}, nil
}
