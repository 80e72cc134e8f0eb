package audit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// AWS Health facts.
const (
	// HealthRetention is how long AWS Health keeps events.
	HealthRetention      = 90 * 24 * time.Hour
	healthPageSize       = 100 // DescribeEvents' maximum MaxResults
	healthBatch          = 10  // event ARNs per DescribeEventDetails / DescribeAffectedEntities call
	defaultHealthEvents  = 30
	detailedHealthEvents = 20 // events whose description and entities are fetched
	entitiesShown        = 10
)

// HealthOptions tune Health.
type HealthOptions struct {
	MaxEvents int       // events returned (default 30)
	Now       time.Time // for the retention check (default: the window's end)
}

// HealthResult lists the AWS Health events of the RDS service in one region.
type HealthResult struct {
	Region             string        `json:"region"`
	ClusterID          string        `json:"cluster_id,omitempty"`
	Window             timewin.Echo  `json:"window"`
	Available          bool          `json:"available" jsonschema_description:"false when the AWS Health API could not be used (support plan or permission); see hints."`
	Events             []HealthEvent `json:"events" jsonschema_description:"Open and upcoming events first, then events updated in the window, newest first."`
	OpenCount          int           `json:"open_count" jsonschema_description:"Events with status open or upcoming."`
	AffectingCluster   int           `json:"affecting_cluster" jsonschema_description:"Events whose affected entities name the cluster or one of its members."`
	Truncated          bool          `json:"truncated"`
	MissingPermissions []string      `json:"missing_permissions,omitempty"`
	Hints              []string      `json:"hints,omitempty"`
}

// HealthEvent is one AWS Health event.
type HealthEvent struct {
	ARN         string   `json:"arn"`
	TypeCode    string   `json:"type_code" jsonschema_description:"e.g. AWS_RDS_MAINTENANCE_SCHEDULED."`
	Category    string   `json:"category" jsonschema:"enum=issue,enum=accountNotification,enum=scheduledChange,enum=investigation"`
	Status      string   `json:"status" jsonschema:"enum=open,enum=upcoming,enum=closed"`
	Region      string   `json:"region"`
	AZ          string   `json:"availability_zone,omitempty"`
	Scope       string   `json:"scope,omitempty" jsonschema_description:"PUBLIC (service-wide) or ACCOUNT_SPECIFIC."`
	Start       string   `json:"start,omitempty" jsonschema_description:"RFC 3339 UTC."`
	End         string   `json:"end,omitempty"`
	LastUpdated string   `json:"last_updated,omitempty"`
	Description string   `json:"description,omitempty" jsonschema_description:"Latest description, shortened. Untrusted text."`
	EntityCount int      `json:"entity_count" jsonschema_description:"Affected entities found (0 for service-wide events)."`
	Entities    []string `json:"entities" jsonschema_description:"Affected entity values (instance ids, ARNs), at most 10."`
	Affects     []string `json:"affects,omitempty" jsonschema_description:"The cluster's own resources among the affected entities."`
}

// Health lists the AWS Health events of RDS in region: open and upcoming ones, and those updated in w. When
// topo is given, events whose affected entities name the cluster or a member are marked (Affects). The
// Health API is global (its client is built for us-east-1) and needs a Business, Enterprise On-Ramp or
// Enterprise Support plan: SubscriptionRequiredException and AccessDenied produce Available=false with a
// hint, not an error. Other failures are returned.
//
// Calls: DescribeEvents twice (status open/upcoming; last updated in the window), then for the first 20
// events DescribeEventDetails and DescribeAffectedEntities, 10 events per call.
func Health(ctx context.Context, api HealthAPI, region string, topo *cluster.Topology, w timewin.Window, opt HealthOptions) (HealthResult, error) {
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = defaultHealthEvents
	}
	if opt.Now.IsZero() {
		opt.Now = w.End
	}
	res := HealthResult{Region: region, Events: []HealthEvent{}, Available: true}
	if topo != nil {
		res.ClusterID = topo.ID
	}
	w, note, err := clampWindow(w, opt.Now, HealthRetention, "AWS Health")
	if err != nil {
		return HealthResult{}, err
	}
	if note != "" {
		res.Hints = append(res.Hints, note)
	}
	res.Window = w.Echo()

	filters := []*healthtypes.EventFilter{
		{Services: []string{"RDS"}, Regions: []string{region},
			EventStatusCodes: []healthtypes.EventStatusCode{healthtypes.EventStatusCodeOpen, healthtypes.EventStatusCodeUpcoming}},
		{Services: []string{"RDS"}, Regions: []string{region},
			LastUpdatedTimes: []healthtypes.DateTimeRange{{From: aws.Time(w.Start), To: aws.Time(w.End)}}},
	}
	byARN := map[string]healthtypes.Event{}
	for _, f := range filters {
		evs, more, err := describeEvents(ctx, api, f)
		if err != nil {
			if unavailable(&res, err) {
				return res, nil
			}
			return HealthResult{}, awsclient.In("us-east-1", "AWS Health events for RDS in "+region, err)
		}
		res.Truncated = res.Truncated || more
		for _, e := range evs {
			byARN[aws.ToString(e.Arn)] = e
		}
	}
	events := make([]healthtypes.Event, 0, len(byARN))
	for _, e := range byARN {
		events = append(events, e)
	}
	sort.Slice(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if ra, rb := statusRank(a.StatusCode), statusRank(b.StatusCode); ra != rb {
			return ra < rb
		}
		ta, tb := aws.ToTime(a.LastUpdatedTime), aws.ToTime(b.LastUpdatedTime)
		if !ta.Equal(tb) {
			return ta.After(tb)
		}
		return aws.ToString(a.Arn) < aws.ToString(b.Arn)
	})
	if len(events) > opt.MaxEvents {
		events = events[:opt.MaxEvents]
		res.Truncated = true
	}
	for _, e := range events {
		he := HealthEvent{ARN: aws.ToString(e.Arn), TypeCode: aws.ToString(e.EventTypeCode), Category: string(e.EventTypeCategory),
			Status: string(e.StatusCode), Region: aws.ToString(e.Region), AZ: aws.ToString(e.AvailabilityZone),
			Scope: string(e.EventScopeCode), Start: stamp(e.StartTime), End: stamp(e.EndTime), LastUpdated: stamp(e.LastUpdatedTime), Entities: []string{}}
		if he.Status == string(healthtypes.EventStatusCodeOpen) || he.Status == string(healthtypes.EventStatusCodeUpcoming) {
			res.OpenCount++
		}
		res.Events = append(res.Events, he)
	}
	detailed := min(len(res.Events), detailedHealthEvents)
	if err := details(ctx, api, &res, detailed); err != nil {
		return HealthResult{}, awsclient.In("us-east-1", "AWS Health event details", err)
	}
	if err := entities(ctx, api, &res, detailed, topo); err != nil {
		return HealthResult{}, awsclient.In("us-east-1", "AWS Health affected entities", err)
	}
	if len(res.Events) == 0 {
		res.Hints = append(res.Hints, fmt.Sprintf("no AWS Health events for RDS in %s are open, upcoming or updated in the window", region))
	}
	return res, nil
}

func describeEvents(ctx context.Context, api HealthAPI, f *healthtypes.EventFilter) ([]healthtypes.Event, bool, error) {
	in := &health.DescribeEventsInput{Filter: f, MaxResults: aws.Int32(healthPageSize)}
	var out []healthtypes.Event
	for page := 0; ; page++ {
		if page == maxPages {
			return out, true, nil
		}
		o, err := api.DescribeEvents(ctx, in)
		if err != nil {
			return nil, false, err
		}
		out = append(out, o.Events...)
		if aws.ToString(o.NextToken) == "" {
			return out, false, nil
		}
		next := *in
		next.NextToken = o.NextToken
		in = &next
	}
}

// unavailable turns "no support plan" and "access denied" into a hint; it reports whether it did.
func unavailable(res *HealthResult, err error) bool {
	if errorCode(err) == "SubscriptionRequiredException" {
		res.Available = false
		res.Hints = append(res.Hints, "The AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan, which this account does not have "+
			"(SubscriptionRequiredException). The same events are in the AWS Health Dashboard console; get_pending_maintenance and get_rds_events "+
			"cover scheduled maintenance and what happened to the cluster without it.")
		return true
	}
	if a, ok := deniedAction(err, "health:DescribeEvents"); ok {
		res.Available = false
		res.MissingPermissions = addOnce(res.MissingPermissions, a)
		res.Hints = append(res.Hints, fmt.Sprintf("AccessDenied on %s: grant health:DescribeEvents, health:DescribeEventDetails and health:DescribeAffectedEntities to see AWS Health events", a))
		return true
	}
	return false
}

func details(ctx context.Context, api HealthAPI, res *HealthResult, n int) error {
	for lo := 0; lo < n; lo += healthBatch {
		hi := min(lo+healthBatch, n)
		arns := make([]string, 0, hi-lo)
		for _, e := range res.Events[lo:hi] {
			arns = append(arns, e.ARN)
		}
		out, err := api.DescribeEventDetails(ctx, &health.DescribeEventDetailsInput{EventArns: arns})
		if err != nil {
			if a, ok := deniedAction(err, "health:DescribeEventDetails"); ok {
				res.MissingPermissions = addOnce(res.MissingPermissions, a)
				res.Hints = append(res.Hints, "AccessDenied on "+a+": event descriptions are missing")
				return nil
			}
			return err
		}
		for _, d := range out.SuccessfulSet {
			if d.Event == nil || d.EventDescription == nil {
				continue
			}
			for i := range res.Events[lo:hi] {
				if res.Events[lo+i].ARN == aws.ToString(d.Event.Arn) {
					res.Events[lo+i].Description = tools.Truncate(strings.TrimSpace(aws.ToString(d.EventDescription.LatestDescription)), 600)
				}
			}
		}
	}
	return nil
}

func entities(ctx context.Context, api HealthAPI, res *HealthResult, n int, topo *cluster.Topology) error {
	own := map[string]string{} // entity value or ARN → resource id
	if topo != nil {
		own[topo.ID], own[topo.ARN] = topo.ID, topo.ID
		for _, m := range topo.Members {
			own[m.ID], own[m.ARN] = m.ID, m.ID
			if m.ResourceID != "" {
				own[m.ResourceID] = m.ID
			}
		}
		delete(own, "")
	}
	for lo := 0; lo < n; lo += healthBatch {
		hi := min(lo+healthBatch, n)
		idx := map[string]int{}
		arns := make([]string, 0, hi-lo)
		for i := lo; i < hi; i++ {
			arns = append(arns, res.Events[i].ARN)
			idx[res.Events[i].ARN] = i
		}
		in := &health.DescribeAffectedEntitiesInput{Filter: &healthtypes.EntityFilter{EventArns: arns}, MaxResults: aws.Int32(100)}
		for page := 0; page < maxPages; page++ {
			out, err := api.DescribeAffectedEntities(ctx, in)
			if err != nil {
				if a, ok := deniedAction(err, "health:DescribeAffectedEntities"); ok {
					res.MissingPermissions = addOnce(res.MissingPermissions, a)
					res.Hints = append(res.Hints, "AccessDenied on "+a+": affected resources are missing")
					return nil
				}
				return err
			}
			for _, en := range out.Entities {
				i, ok := idx[aws.ToString(en.EventArn)]
				if !ok {
					continue
				}
				e := &res.Events[i]
				v := aws.ToString(en.EntityValue)
				if v == "" || v == "UNKNOWN" {
					continue
				}
				e.EntityCount++
				if len(e.Entities) < entitiesShown {
					e.Entities = append(e.Entities, v)
				}
				for _, key := range []string{v, aws.ToString(en.EntityArn)} {
					if id, ok := own[key]; ok && !slices.Contains(e.Affects, id) {
						e.Affects = append(e.Affects, id)
					}
				}
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			next := *in
			next.NextToken = out.NextToken
			in = &next
		}
	}
	for _, e := range res.Events {
		if len(e.Affects) > 0 {
			res.AffectingCluster++
		}
	}
	return nil
}

func statusRank(s healthtypes.EventStatusCode) int {
	switch s {
	case healthtypes.EventStatusCodeOpen:
		return 0
	case healthtypes.EventStatusCodeUpcoming:
		return 1
	}
	return 2
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
