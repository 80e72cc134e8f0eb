package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// fakeHealth records inputs; events answer DescribeEvents by filter, details and entities by ARN.
type fakeHealth struct {
	mu       sync.Mutex
	open     []healthtypes.Event
	recent   []healthtypes.Event
	entities map[string][]string
	err      map[string]error // by operation
	sent     []any
}

func (f *fakeHealth) fail(op string) error {
	if f.err != nil {
		return f.err[op]
	}
	return nil
}

func (f *fakeHealth) DescribeEvents(_ context.Context, in *health.DescribeEventsInput, _ ...func(*health.Options)) (*health.DescribeEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, in)
	if err := f.fail("DescribeEvents"); err != nil {
		return nil, err
	}
	if len(in.Filter.EventStatusCodes) > 0 {
		return &health.DescribeEventsOutput{Events: f.open}, nil
	}
	return &health.DescribeEventsOutput{Events: f.recent}, nil
}

func (f *fakeHealth) DescribeEventDetails(_ context.Context, in *health.DescribeEventDetailsInput, _ ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, in)
	if err := f.fail("DescribeEventDetails"); err != nil {
		return nil, err
	}
	out := &health.DescribeEventDetailsOutput{}
	for _, a := range in.EventArns {
		out.SuccessfulSet = append(out.SuccessfulSet, healthtypes.EventDetails{Event: &healthtypes.Event{Arn: aws.String(a)},
			EventDescription: &healthtypes.EventDescription{LatestDescription: aws.String("  description of " + a + "  ")}})
	}
	return out, nil
}

func (f *fakeHealth) DescribeAffectedEntities(_ context.Context, in *health.DescribeAffectedEntitiesInput, _ ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, in)
	if err := f.fail("DescribeAffectedEntities"); err != nil {
		return nil, err
	}
	out := &health.DescribeAffectedEntitiesOutput{}
	for _, a := range in.Filter.EventArns {
		for _, v := range f.entities[a] {
			out.Entities = append(out.Entities, healthtypes.AffectedEntity{EventArn: aws.String(a), EntityValue: aws.String(v)})
		}
	}
	return out, nil
}

func hev(arn string, status healthtypes.EventStatusCode, updated time.Time) healthtypes.Event {
	return healthtypes.Event{Arn: aws.String(arn), Service: aws.String("RDS"), EventTypeCode: aws.String("AWS_RDS_MAINTENANCE_SCHEDULED"),
		EventTypeCategory: healthtypes.EventTypeCategoryScheduledChange, Region: aws.String("us-east-1"), StatusCode: status,
		StartTime: aws.Time(updated.Add(-time.Hour)), LastUpdatedTime: aws.Time(updated)}
}

func healthTopo() *cluster.Topology {
	return &cluster.Topology{Region: "us-east-1", ID: "c1", ARN: "arn:aws:rds:us-east-1:123456789012:cluster:c1", Kind: "aurora-cluster",
		Members: []cluster.Member{{ID: "c1-a", ARN: "arn:aws:rds:us-east-1:123456789012:db:c1-a", ResourceID: "db-AAAA"}}}
}

func TestHealthEventsAndRequests(t *testing.T) {
	f := &fakeHealth{entities: map[string][]string{}}
	f.open = []healthtypes.Event{hev("arn:open-1", healthtypes.EventStatusCodeOpen, now.Add(-10*24*time.Hour)), hev("arn:up-1", healthtypes.EventStatusCodeUpcoming, now.Add(-2*time.Hour))}
	f.recent = []healthtypes.Event{hev("arn:up-1", healthtypes.EventStatusCodeUpcoming, now.Add(-2*time.Hour))} // also open: de-duplicated
	for i := 0; i < 10; i++ {
		f.recent = append(f.recent, hev(fmt.Sprintf("arn:closed-%02d", i), healthtypes.EventStatusCodeClosed, now.Add(-time.Duration(i+1)*time.Hour)))
	}
	f.entities["arn:open-1"] = []string{"c1-a", "other-db"}
	f.entities["arn:closed-09"] = []string{"arn:aws:rds:us-east-1:123456789012:cluster:c1"}
	res, err := Health(context.Background(), f, "us-east-1", healthTopo(), win(24*time.Hour), HealthOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Available || len(res.Events) != 12 || res.OpenCount != 2 || res.AffectingCluster != 2 || res.Truncated {
		t.Fatalf("result: available %v, %d events, %d open, %d affecting", res.Available, len(res.Events), res.OpenCount, res.AffectingCluster)
	}
	if res.Events[0].ARN != "arn:open-1" || res.Events[1].ARN != "arn:up-1" || res.Events[2].ARN != "arn:closed-00" || res.Events[11].ARN != "arn:closed-09" {
		t.Errorf("order: %s %s %s … %s", res.Events[0].ARN, res.Events[1].ARN, res.Events[2].ARN, res.Events[11].ARN)
	}
	e := res.Events[0]
	if e.Description != "description of arn:open-1" || e.EntityCount != 2 || len(e.Entities) != 2 || strings.Join(e.Affects, ",") != "c1-a" ||
		e.Status != "open" || e.Category != "scheduledChange" || e.LastUpdated != "2026-11-12T09:00:00Z" {
		t.Errorf("first event = %+v", e)
	}
	if strings.Join(res.Events[11].Affects, ",") != "c1" {
		t.Errorf("cluster ARN entity: %+v", res.Events[11])
	}
	// Requests: two DescribeEvents (open/upcoming; updated in the window), details and entities in batches of 10.
	if len(f.sent) != 6 {
		t.Fatalf("%d requests", len(f.sent))
	}
	open, recent := f.sent[0].(*health.DescribeEventsInput), f.sent[1].(*health.DescribeEventsInput)
	if open.Filter.Services[0] != "RDS" || open.Filter.Regions[0] != "us-east-1" || len(open.Filter.EventStatusCodes) != 2 || aws.ToInt32(open.MaxResults) != 100 {
		t.Errorf("open filter = %+v", open.Filter)
	}
	if len(recent.Filter.EventStatusCodes) != 0 || len(recent.Filter.LastUpdatedTimes) != 1 || !recent.Filter.LastUpdatedTimes[0].From.Equal(now.Add(-24*time.Hour)) {
		t.Errorf("recent filter = %+v", recent.Filter)
	}
	d1, d2 := f.sent[2].(*health.DescribeEventDetailsInput), f.sent[3].(*health.DescribeEventDetailsInput)
	e1, e2 := f.sent[4].(*health.DescribeAffectedEntitiesInput), f.sent[5].(*health.DescribeAffectedEntitiesInput)
	if len(d1.EventArns) != 10 || len(d2.EventArns) != 2 || len(e1.Filter.EventArns) != 10 || len(e2.Filter.EventArns) != 2 {
		t.Errorf("batches: details %d+%d, entities %d+%d", len(d1.EventArns), len(d2.EventArns), len(e1.Filter.EventArns), len(e2.Filter.EventArns))
	}
}

func TestHealthWithoutSupportPlanOrPermission(t *testing.T) {
	subscr := &smithy.OperationError{ServiceID: "Health", OperationName: "DescribeEvents",
		Err: &smithy.GenericAPIError{Code: "SubscriptionRequiredException", Message: "The AWS Premium Support Subscription is required to use this service."}}
	f := &fakeHealth{err: map[string]error{"DescribeEvents": subscr}}
	res, err := Health(context.Background(), f, "ap-northeast-2", nil, win(time.Hour), HealthOptions{Now: now})
	if err != nil || res.Available || len(res.Events) != 0 || !strings.Contains(strings.Join(res.Hints, " "), "Business, Enterprise On-Ramp or Enterprise Support") {
		t.Errorf("subscription: err %v, %+v", err, res)
	}
	denied := &smithy.OperationError{ServiceID: "Health", OperationName: "DescribeAffectedEntities",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"}}
	f = &fakeHealth{open: []healthtypes.Event{hev("arn:1", healthtypes.EventStatusCodeOpen, now)}, err: map[string]error{"DescribeAffectedEntities": denied}}
	res, err = Health(context.Background(), f, "us-east-1", nil, win(time.Hour), HealthOptions{Now: now})
	if err != nil || !res.Available || len(res.Events) != 1 || res.Events[0].Description == "" || strings.Join(res.MissingPermissions, ",") != "health:DescribeAffectedEntities" {
		t.Errorf("entities denied: err %v, %+v", err, res)
	}
	boom := &smithy.OperationError{ServiceID: "Health", OperationName: "DescribeEvents", Err: &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"}}
	f = &fakeHealth{err: map[string]error{"DescribeEvents": boom}}
	_, err = Health(context.Background(), f, "us-east-1", nil, win(time.Hour), HealthOptions{Now: now})
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || ce.Region != "us-east-1" {
		t.Errorf("other failure: %v", err)
	}
}

// fakeRecs serves recommendations by filter and records inputs.
type fakeRecs struct {
	recs []rdstypes.DBRecommendation
	byID map[string]string // recommendation id → resource id it is filed under
	err  error
	sent []*rds.DescribeDBRecommendationsInput
}

func (f *fakeRecs) DescribeDBRecommendations(_ context.Context, in *rds.DescribeDBRecommendationsInput, _ ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error) {
	f.sent = append(f.sent, in)
	if f.err != nil {
		return nil, f.err
	}
	var out []rdstypes.DBRecommendation
	for _, r := range f.recs {
		for _, v := range in.Filters[0].Values {
			if f.byID[aws.ToString(r.RecommendationId)] == v {
				out = append(out, r)
			}
		}
	}
	// two pages: the first record alone, then the rest
	if in.Marker == nil && len(out) > 1 {
		return &rds.DescribeDBRecommendationsOutput{DBRecommendations: out[:1], Marker: aws.String("p2")}, nil
	}
	if in.Marker != nil {
		out = out[1:]
	}
	return &rds.DescribeDBRecommendationsOutput{DBRecommendations: out}, nil
}

func rec(id, sev, arn string) rdstypes.DBRecommendation {
	return rdstypes.DBRecommendation{RecommendationId: aws.String(id), Severity: aws.String(sev), Status: aws.String("active"),
		ResourceArn: aws.String(arn), TypeId: aws.String("config_recommendation::" + id), Category: aws.String("reliability"),
		TypeDetection: aws.String("detected " + id), Recommendation: aws.String("do " + id),
		RecommendedActions: []rdstypes.RecommendedAction{{Title: aws.String("fix " + id), Operation: aws.String("ModifyDBCluster"),
			Parameters: []rdstypes.RecommendedActionParameter{{Key: aws.String("BackupRetentionPeriod"), Value: aws.String("7")}}, ApplyModes: []string{"immediately"}}},
		Links: []rdstypes.DocLink{{Text: aws.String("doc"), Url: aws.String("https://docs.aws.amazon.com/x")}}, UpdatedTime: aws.Time(now)}
}

func TestRecommendationsRequestsAndOrder(t *testing.T) {
	topo := cluster.Topology{Region: "us-east-1", ID: "c1", ARN: "arn:aws:rds:us-east-1:1:cluster:c1", Kind: "aurora-cluster", ResourceID: "cluster-XYZ",
		Members: []cluster.Member{{ID: "c1-a", ARN: "arn:aws:rds:us-east-1:1:db:c1-a", ResourceID: "db-A"}, {ID: "c1-b", ARN: "arn:aws:rds:us-east-1:1:db:c1-b", ResourceID: "db-B"}}}
	f := &fakeRecs{
		recs: []rdstypes.DBRecommendation{rec("low-a", "low", "arn:aws:rds:us-east-1:1:db:c1-a"), rec("high-c", "high", "arn:aws:rds:us-east-1:1:cluster:c1"),
			rec("med-b", "medium", "arn:aws:rds:us-east-1:1:db:c1-b"), rec("info-pg", "informational", "arn:aws:rds:us-east-1:1:cluster-pg:c1-params")},
		byID: map[string]string{"low-a": "db-A", "high-c": "cluster-XYZ", "med-b": "db-B", "info-pg": "cluster-XYZ"},
	}
	res, err := Recommendations(context.Background(), f, topo)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Recommendations {
		got = append(got, r.Severity+"/"+r.Resource)
	}
	if strings.Join(got, ",") != "high/c1,medium/c1-b,low/c1-a,informational/c1-params" || len(res.BySeverity) != 4 {
		t.Errorf("recommendations = %v", got)
	}
	r := res.Recommendations[0]
	if r.Description != "detected high-c" || r.Recommendation != "do high-c" || len(r.Actions) != 1 || r.Actions[0].Parameters[0] != "BackupRetentionPeriod=7" ||
		r.Links[0] != "https://docs.aws.amazon.com/x" || r.Updated != "2026-11-22T09:00:00Z" {
		t.Errorf("first = %+v", r)
	}
	// cluster-resource-id then dbi-resource-id, each with status active/pending, each paginated by Marker.
	var seq []string
	for _, in := range f.sent {
		seq = append(seq, fmt.Sprintf("%s=%s&%s=%s@%s", aws.ToString(in.Filters[0].Name), strings.Join(in.Filters[0].Values, "|"),
			aws.ToString(in.Filters[1].Name), strings.Join(in.Filters[1].Values, "|"), aws.ToString(in.Marker)))
	}
	want := "cluster-resource-id=cluster-XYZ&status=active|pending@ cluster-resource-id=cluster-XYZ&status=active|pending@p2 " +
		"dbi-resource-id=db-A|db-B&status=active|pending@ dbi-resource-id=db-A|db-B&status=active|pending@p2"
	if strings.Join(seq, " ") != want {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(seq, " "), want)
	}

	// Standalone instance: only the dbi-resource-id sequence.
	f.sent = nil
	if _, err := Recommendations(context.Background(), f, cluster.Topology{ID: "solo", Kind: "instance", ResourceID: "db-S", Members: []cluster.Member{{ID: "solo", ResourceID: "db-S"}}}); err != nil ||
		len(f.sent) != 1 || aws.ToString(f.sent[0].Filters[0].Name) != "dbi-resource-id" {
		t.Errorf("standalone: err %v, %d requests", err, len(f.sent))
	}

	f.err = &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBRecommendations", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}}
	res, err = Recommendations(context.Background(), f, topo)
	if err != nil || strings.Join(res.MissingPermissions, ",") != "rds:DescribeDBRecommendations" || len(res.Recommendations) != 0 {
		t.Errorf("denied: err %v, %+v", err, res)
	}
	f.err = &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBRecommendations", Err: &smithy.GenericAPIError{Code: "Throttling", Message: "slow down"}}
	if _, err := Recommendations(context.Background(), f, topo); err == nil || !strings.Contains(awsclient.Classify(err).Error(), "Throttled") {
		t.Errorf("throttled: %v", err)
	}
}
