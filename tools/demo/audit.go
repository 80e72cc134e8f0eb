package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/health"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// CloudTrail and AWS Health (issue: database load and audit trail).

type cloudTrailAPI struct {
	f      *Fleet
	region string
}

// CloudTrail implements awsclient.Clients.
func (f *Fleet) CloudTrail(region string) awsclient.CloudTrailAPI {
	return &cloudTrailAPI{f: f, region: region}
}

func (c *cloudTrailAPI) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return &cloudtrail.LookupEventsOutput{}, nil
}

type healthAPI struct{ f *Fleet }

// Health implements awsclient.Clients.
func (f *Fleet) Health() awsclient.HealthAPI { return &healthAPI{f: f} }

func (h *healthAPI) DescribeEvents(context.Context, *health.DescribeEventsInput, ...func(*health.Options)) (*health.DescribeEventsOutput, error) {
	return &health.DescribeEventsOutput{}, nil
}

func (h *healthAPI) DescribeEventDetails(context.Context, *health.DescribeEventDetailsInput, ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error) {
	return &health.DescribeEventDetailsOutput{}, nil
}

func (h *healthAPI) DescribeAffectedEntities(context.Context, *health.DescribeAffectedEntitiesInput, ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error) {
	return &health.DescribeAffectedEntitiesOutput{}, nil
}
