package metrics

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// API is the part of CloudWatch this family uses: one operation, GetMetricData. Topology (members, roles,
// classes, engine, Serverless range, PI state) comes from cluster.Describe over the RDS client.
type API interface {
	GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

var _ API = (*cloudwatch.Client)(nil)

// Namespace of every metric in the catalogue.
const Namespace = "AWS/RDS"

// GetMetricData limits (reference/aws.md §2.1).
const (
	// MaxQueriesPerCall is the most MetricDataQueries one GetMetricData request accepts (not adjustable).
	MaxQueriesPerCall = 500
	// maxPagesPerBatch caps NextToken paging of one batch (100,800 points a page → 5 M points).
	maxPagesPerBatch = 50
)
