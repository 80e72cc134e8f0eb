package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// Events, pending maintenance (issue: events/maintenance/alarms).

func (r *rdsAPI) DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	return &rds.DescribeEventsOutput{}, nil
}

func (r *rdsAPI) DescribePendingMaintenanceActions(context.Context, *rds.DescribePendingMaintenanceActionsInput, ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	return &rds.DescribePendingMaintenanceActionsOutput{}, nil
}
