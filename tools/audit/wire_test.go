package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/health"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func wireTopo() cluster.Topology {
	return cluster.Topology{Region: "ap-northeast-2", ID: "orders-prod", Kind: "aurora-cluster", ResourceID: "cluster-7QKXA2ORDERSPRODDEMO1",
		ARN: "arn:aws:rds:ap-northeast-2:123456789012:cluster:orders-prod", ParameterGroup: "orders-prod-cluster",
		Members: []cluster.Member{
			{ID: "orders-prod-1", ARN: "arn:aws:rds:ap-northeast-2:123456789012:db:orders-prod-1", ResourceID: "db-ORDERSPROD1DEMOAAAAAAAAAA", ParameterGroup: "orders-prod-instance"},
			{ID: "orders-prod-2", ARN: "arn:aws:rds:ap-northeast-2:123456789012:db:orders-prod-2", ResourceID: "db-ORDERSPROD2DEMOBBBBBBBBBB", ParameterGroup: "orders-prod-instance"},
			{ID: "orders-prod-3", ARN: "arn:aws:rds:ap-northeast-2:123456789012:db:orders-prod-3", ResourceID: "db-ORDERSPROD3DEMOCCCCCCCCCC", ParameterGroup: "default.aurora-mysql8.0"},
		}}
}

func jsonBody(t *testing.T, rec awstest.Recorded) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body, &m); err != nil {
		t.Fatalf("%s: %v\n%s", rec.Op, err, rec.Body)
	}
	return m
}

// lookupOf matches LookupEvents requests for one resource name (and whether they carry a NextToken).
func lookupOf(name string, paged bool) func(*http.Request, []byte) bool {
	return func(_ *http.Request, b []byte) bool {
		var in struct {
			LookupAttributes []struct{ AttributeKey, AttributeValue string }
			NextToken        string
		}
		return json.Unmarshal(b, &in) == nil && len(in.LookupAttributes) == 1 && in.LookupAttributes[0].AttributeValue == name && (in.NextToken != "") == paged
	}
}

// TestWireCloudTrail: the real CloudTrail client (awsJson 1.1) against recorded LookupEvents pages.
func TestWireCloudTrail(t *testing.T) {
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "CloudTrail_20131101.LookupEvents", Match: lookupOf("orders-prod", false), File: "testdata/cloudtrail_lookup_events_page1.json"},
		awstest.Route{Op: "CloudTrail_20131101.LookupEvents", Match: lookupOf("orders-prod", true), File: "testdata/cloudtrail_lookup_events_page2.json"},
		awstest.Route{Op: "CloudTrail_20131101.LookupEvents", Match: lookupOf("orders-prod-cluster", false), File: "testdata/cloudtrail_lookup_events_page2.json"},
		awstest.Route{Op: "CloudTrail_20131101.LookupEvents", Body: `{"Events":[]}`},
	)
	clock := newClock()
	w := win(24 * time.Hour)
	res, err := Trail(context.Background(), cloudtrail.NewFromConfig(rp.Config(t, "ap-northeast-2")), wireTopo(), w, TrailOptions{Pacer: clock.pacer(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range res.Events {
		names = append(names, e.EventName+"/"+e.Actor)
	}
	if strings.Join(names, ",") != "ModifyDBCluster/OpsOperator/oncall-minsu,RebootDBInstance/OpsOperator/oncall-minsu,ModifyDBClusterParameterGroup/dba-jiho" ||
		res.ReadOnlySkipped != 1 || res.TotalEvents != 3 {
		t.Fatalf("events = %v (read-only skipped %d)", names, res.ReadOnlySkipped)
	}
	if e := res.Events[0]; e.Time != "2026-11-22T07:12:44Z" || e.SourceIP != "198.51.100.7" || !strings.Contains(e.Request, "masterUserPassword=[redacted]") ||
		!strings.Contains(e.Request, "backupRetentionPeriod=14") {
		t.Errorf("ModifyDBCluster = %+v", e)
	}
	if e := res.Events[1]; e.ErrorCode != "InvalidDBInstanceState" || strings.Join(e.Resources, ",") != "orders-prod-2,orders-prod" {
		t.Errorf("failed reboot = %+v", e)
	}

	// Requests: cluster (2 pages), members, custom groups; one lookup attribute each; the window; pacing.
	reqs := rp.Requests("LookupEvents")
	var seq []string
	for _, r := range reqs {
		if r.Target != "CloudTrail_20131101.LookupEvents" {
			t.Errorf("target %q", r.Target)
		}
		b := jsonBody(t, r)
		attrs := b["LookupAttributes"].([]any)
		if len(attrs) != 1 || attrs[0].(map[string]any)["AttributeKey"] != "ResourceName" {
			t.Fatalf("lookup attributes = %v", attrs)
		}
		if b["StartTime"] != float64(w.Start.Unix()) || b["EndTime"] != float64(w.End.Unix()) || b["MaxResults"] != 50.0 {
			t.Errorf("window/page size in %s", r.Body)
		}
		s := attrs[0].(map[string]any)["AttributeValue"].(string)
		if tok, ok := b["NextToken"].(string); ok {
			s += "+" + tok[:8]
		}
		seq = append(seq, s)
	}
	want := "orders-prod orders-prod+kbOt5LlZ orders-prod-1 orders-prod-2 orders-prod-3 orders-prod-cluster orders-prod-instance"
	if strings.Join(seq, " ") != want {
		t.Errorf("lookups =\n %s\nwant\n %s", strings.Join(seq, " "), want)
	}
	if el := clock.Now().Sub(now); el != 3*time.Second {
		t.Errorf("7 calls paced over %v, want 3 s", el)
	}
}

// TestWireHealth: the real Health client, signed for us-east-1, against recorded responses.
func TestWireHealth(t *testing.T) {
	has := func(s string) func(*http.Request, []byte) bool {
		return func(_ *http.Request, b []byte) bool { return bytes.Contains(b, []byte(s)) }
	}
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "AWSHealth_20160804.DescribeEvents", Match: has(`"eventStatusCodes"`), File: "testdata/health_describe_events_open.json"},
		awstest.Route{Op: "AWSHealth_20160804.DescribeEvents", Match: has(`"lastUpdatedTimes"`), File: "testdata/health_describe_events_recent.json"},
		awstest.Route{Op: "AWSHealth_20160804.DescribeEventDetails", File: "testdata/health_describe_event_details.json"},
		awstest.Route{Op: "AWSHealth_20160804.DescribeAffectedEntities", File: "testdata/health_describe_affected_entities.json"},
	)
	topo := wireTopo()
	res, err := Health(context.Background(), health.NewFromConfig(rp.Config(t, "us-east-1")), "ap-northeast-2", &topo, win(24*time.Hour), HealthOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Available || len(res.Events) != 2 || res.OpenCount != 1 || res.AffectingCluster != 1 {
		t.Fatalf("result = %+v", res)
	}
	m, i := res.Events[0], res.Events[1]
	if m.Status != "upcoming" || m.TypeCode != "AWS_RDS_MAINTENANCE_SCHEDULED" || m.Start != "2026-11-27T00:00:00Z" || m.EntityCount != 2 ||
		strings.Join(m.Affects, ",") != "orders-prod-1" || !strings.HasPrefix(m.Description, "We will be performing maintenance") {
		t.Errorf("maintenance = %+v", m)
	}
	if i.Status != "closed" || i.Scope != "PUBLIC" || i.AZ != "ap-northeast-2c" || i.EntityCount != 0 || !strings.HasPrefix(i.Description, "[RESOLVED]") {
		t.Errorf("issue = %+v", i)
	}
	evs := rp.Requests("DescribeEvents")
	if len(evs) != 2 {
		t.Fatalf("%d DescribeEvents", len(evs))
	}
	for _, r := range evs {
		if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "/us-east-1/health/aws4_request") {
			t.Errorf("not signed for us-east-1: %s", auth)
		}
		f := jsonBody(t, r)["filter"].(map[string]any)
		if f["services"].([]any)[0] != "RDS" || f["regions"].([]any)[0] != "ap-northeast-2" {
			t.Errorf("filter = %v", f)
		}
	}
	if f := jsonBody(t, evs[0])["filter"].(map[string]any); len(f["eventStatusCodes"].([]any)) != 2 || jsonBody(t, evs[0])["maxResults"] != 100.0 {
		t.Errorf("open filter = %s", evs[0].Body)
	}
	if f := jsonBody(t, evs[1])["filter"].(map[string]any); f["lastUpdatedTimes"].([]any)[0].(map[string]any)["from"] != float64(now.Add(-24*time.Hour).Unix()) {
		t.Errorf("recent filter = %s", evs[1].Body)
	}
	if d := jsonBody(t, rp.Requests("DescribeEventDetails")[0]); len(d["eventArns"].([]any)) != 2 {
		t.Errorf("details request = %v", d)
	}
	if e := jsonBody(t, rp.Requests("DescribeAffectedEntities")[0]); len(e["filter"].(map[string]any)["eventArns"].([]any)) != 2 {
		t.Errorf("entities request = %v", e)
	}

	// No support plan: a hint, not an error.
	rp = awstest.NewReplay(t, awstest.Route{Op: "DescribeEvents", Status: 400,
		Body: `{"__type":"SubscriptionRequiredException","message":"The AWS Premium Support Subscription is required to use this service."}`})
	res, err = Health(context.Background(), health.NewFromConfig(rp.Config(t, "us-east-1")), "ap-northeast-2", nil, win(time.Hour), HealthOptions{Now: now})
	if err != nil || res.Available || !strings.Contains(strings.Join(res.Hints, " "), "Enterprise Support plan") || rp.Count("DescribeEvents") != 1 {
		t.Errorf("subscription: err %v, %+v", err, res)
	}
}

// TestWireRecommendations: the real RDS client (awsQuery) against recorded DescribeDBRecommendations XML.
func TestWireRecommendations(t *testing.T) {
	form := func(k, v string) func(*http.Request, []byte) bool {
		return func(_ *http.Request, b []byte) bool { return bytes.Contains(b, []byte(k+"="+v)) }
	}
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "DescribeDBRecommendations", Match: form("Filters.Filter.1.Name", "cluster-resource-id"), File: "testdata/rds_describe_db_recommendations_cluster.xml"},
		awstest.Route{Op: "DescribeDBRecommendations", Match: form("Marker", ""), File: "testdata/rds_describe_db_recommendations_instances_page2.xml"},
		awstest.Route{Op: "DescribeDBRecommendations", File: "testdata/rds_describe_db_recommendations_instances_page1.xml"},
	)
	res, err := Recommendations(context.Background(), rds.NewFromConfig(rp.Config(t, "ap-northeast-2")), wireTopo())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Recommendations {
		got = append(got, r.Severity+"/"+r.Resource+"/"+r.Status)
	}
	if strings.Join(got, ",") != "high/orders-prod-1/active,medium/orders-prod/active,low/orders-prod-3/pending" {
		t.Fatalf("recommendations = %v", got)
	}
	r := res.Recommendations[1]
	if r.Description != "DB instances orders-prod-1 and orders-prod-2 are db.r6g.xlarge; orders-prod-3 is db.r6g.large." || r.Category != "performance efficiency" ||
		len(r.Actions) != 1 || strings.Join(r.Actions[0].Parameters, " ") != "DBInstanceIdentifier=orders-prod-3 DBInstanceClass=db.r6g.xlarge" ||
		strings.Join(r.Actions[0].ApplyModes, ",") != "immediately,next-maintenance-window" || r.Updated != "2026-11-21T09:00:00Z" || len(r.Links) != 1 {
		t.Errorf("cluster recommendation = %+v", r)
	}
	reqs := rp.Requests("DescribeDBRecommendations")
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	f0, f1, f2 := reqs[0].Form, reqs[1].Form, reqs[2].Form
	if f0.Get("Filters.Filter.1.Name") != "cluster-resource-id" || f0.Get("Filters.Filter.1.Values.Value.1") != "cluster-7QKXA2ORDERSPRODDEMO1" ||
		f0.Get("Filters.Filter.2.Name") != "status" || f0.Get("Filters.Filter.2.Values.Value.1") != "active" || f0.Get("Filters.Filter.2.Values.Value.2") != "pending" ||
		f0.Get("MaxRecords") != "100" || f0.Get("Version") != "2014-10-31" {
		t.Errorf("cluster request = %v", f0)
	}
	if f1.Get("Filters.Filter.1.Name") != "dbi-resource-id" || f1.Get("Filters.Filter.1.Values.Value.3") != "db-ORDERSPROD3DEMOCCCCCCCCCC" || f1.Get("Marker") != "" {
		t.Errorf("instances request = %v", f1)
	}
	if f2.Get("Marker") != "eyJyZWNvbW1lbmRhdGlvbklkIjoiYzJlNGE2YjgifQ==" || f2.Get("Filters.Filter.1.Name") != "dbi-resource-id" {
		t.Errorf("second page request = %v", f2)
	}
}
