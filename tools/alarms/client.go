package alarms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// API is the part of CloudWatch this family uses.
type API interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DescribeAlarmHistory(context.Context, *cloudwatch.DescribeAlarmHistoryInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error)
}

var _ API = (*cloudwatch.Client)(nil)

// maxPages caps pagination of DescribeAlarms and DescribeAlarmHistory (100 items a page).
const maxPages = 20
