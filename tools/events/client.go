package events

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// API is the part of RDS this family uses.
type API interface {
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

var _ API = (*rds.Client)(nil)

// maxPages caps pagination per source so one noisy source cannot make a call run away (100 events a page).
const maxPages = 20
