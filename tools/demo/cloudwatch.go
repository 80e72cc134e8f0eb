package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// CloudWatch metrics and alarms. Metrics: issue metrics; alarms: issue events/maintenance/alarms.

type cloudWatchAPI struct {
	f      *Fleet
	region string
}

// CloudWatch implements awsclient.Clients.
func (f *Fleet) CloudWatch(region string) awsclient.CloudWatchAPI {
	return &cloudWatchAPI{f: f, region: region}
}

func (c *cloudWatchAPI) GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return &cloudwatch.GetMetricDataOutput{}, nil
}

func (c *cloudWatchAPI) ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return &cloudwatch.ListMetricsOutput{}, nil
}
