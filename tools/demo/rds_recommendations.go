package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// RDS recommendations (issue: database load and audit trail).

func (r *rdsAPI) DescribeDBRecommendations(context.Context, *rds.DescribeDBRecommendationsInput, ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error) {
	return &rds.DescribeDBRecommendationsOutput{}, nil
}
