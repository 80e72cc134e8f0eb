package audit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/health"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// TrailAPI is the CloudTrail operation this family uses.
type TrailAPI interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// HealthAPI is the part of AWS Health this family uses (served from us-east-1).
type HealthAPI interface {
	DescribeEvents(context.Context, *health.DescribeEventsInput, ...func(*health.Options)) (*health.DescribeEventsOutput, error)
	DescribeEventDetails(context.Context, *health.DescribeEventDetailsInput, ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error)
	DescribeAffectedEntities(context.Context, *health.DescribeAffectedEntitiesInput, ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error)
}

// RecommendationsAPI is the RDS operation behind get_recommendations.
type RecommendationsAPI interface {
	DescribeDBRecommendations(context.Context, *rds.DescribeDBRecommendationsInput, ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error)
}

var (
	_ TrailAPI           = (*cloudtrail.Client)(nil)
	_ HealthAPI          = (*health.Client)(nil)
	_ RecommendationsAPI = (*rds.Client)(nil)
)

// maxPages caps every paginated call sequence.
const maxPages = 10
