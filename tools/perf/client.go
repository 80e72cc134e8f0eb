package perf

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/pi"
)

// API is the part of Performance Insights this family uses.
type API interface {
	GetResourceMetrics(context.Context, *pi.GetResourceMetricsInput, ...func(*pi.Options)) (*pi.GetResourceMetricsOutput, error)
	DescribeDimensionKeys(context.Context, *pi.DescribeDimensionKeysInput, ...func(*pi.Options)) (*pi.DescribeDimensionKeysOutput, error)
	GetDimensionKeyDetails(context.Context, *pi.GetDimensionKeyDetailsInput, ...func(*pi.Options)) (*pi.GetDimensionKeyDetailsOutput, error)
}

var _ API = (*pi.Client)(nil)

// maxPages caps pagination of one GetResourceMetrics query.
const maxPages = 10
