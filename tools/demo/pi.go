package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/pi"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Performance Insights (issue: database load and audit trail).

type piAPI struct {
	f      *Fleet
	region string
}

// PI implements awsclient.Clients.
func (f *Fleet) PI(region string) awsclient.PIAPI { return &piAPI{f: f, region: region} }

func (p *piAPI) GetResourceMetrics(context.Context, *pi.GetResourceMetricsInput, ...func(*pi.Options)) (*pi.GetResourceMetricsOutput, error) {
	return &pi.GetResourceMetricsOutput{}, nil
}

func (p *piAPI) DescribeDimensionKeys(context.Context, *pi.DescribeDimensionKeysInput, ...func(*pi.Options)) (*pi.DescribeDimensionKeysOutput, error) {
	return &pi.DescribeDimensionKeysOutput{}, nil
}

func (p *piAPI) GetDimensionKeyDetails(context.Context, *pi.GetDimensionKeyDetailsInput, ...func(*pi.Options)) (*pi.GetDimensionKeyDetailsOutput, error) {
	return &pi.GetDimensionKeyDetailsOutput{}, nil
}
