package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// Alarms (issue: events/maintenance/alarms).

func (c *cloudWatchAPI) DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return &cloudwatch.DescribeAlarmsOutput{}, nil
}

func (c *cloudWatchAPI) DescribeAlarmHistory(context.Context, *cloudwatch.DescribeAlarmHistoryInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	return &cloudwatch.DescribeAlarmHistoryOutput{}, nil
}
