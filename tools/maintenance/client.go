package maintenance

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// API is the part of RDS this family uses.
type API interface {
	DescribePendingMaintenanceActions(context.Context, *rds.DescribePendingMaintenanceActionsInput, ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error)
}

var _ API = (*rds.Client)(nil)

// maxPages caps pagination per call (100 resources a page).
const maxPages = 20
