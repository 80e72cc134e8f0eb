package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pi"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

func bodyHas(s string) func(*http.Request, []byte) bool {
	return func(_ *http.Request, b []byte) bool { return bytes.Contains(b, []byte(s)) }
}

func decodeBody(t *testing.T, rec awstest.Recorded) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body, &m); err != nil {
		t.Fatalf("%s body: %v\n%s", rec.Op, err, rec.Body)
	}
	return m
}

func wireTopo() cluster.Topology {
	return cluster.Topology{Region: "us-east-1", ID: "orders-prod", Kind: "aurora-cluster", Engine: "aurora-mysql",
		PerformanceInsights: cluster.PerformanceInsight{Enabled: true, Mode: "standard", RetentionDays: 7},
		Members: []cluster.Member{{ID: "orders-prod-1", Role: cluster.RoleWriter, Class: "db.r6g.xlarge", VCPU: 4,
			ResourceID: "db-ORDERSPROD1WIRETESTAAAAAA", PIEnabled: true}}}
}

// TestWirePerformanceInsights runs Load through the real PI client (awsJson 1.1) against recorded responses
// and checks both the answer and the requests sent.
func TestWirePerformanceInsights(t *testing.T) {
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "PerformanceInsightsv20180227.GetResourceMetrics", File: "testdata/pi_get_resource_metrics.json"},
		awstest.Route{Op: "PerformanceInsightsv20180227.DescribeDimensionKeys", Match: bodyHas(`"PartitionBy"`), File: "testdata/pi_describe_dimension_keys_sql.json"},
		awstest.Route{Op: "PerformanceInsightsv20180227.DescribeDimensionKeys", Match: bodyHas(`db.sql.tokenized_id`), File: "testdata/pi_describe_dimension_keys_statement.json"},
		awstest.Route{Op: "PerformanceInsightsv20180227.DescribeDimensionKeys", File: "testdata/pi_describe_dimension_keys_peak.json"},
		awstest.Route{Op: "PerformanceInsightsv20180227.GetDimensionKeyDetails", File: "testdata/pi_get_dimension_key_details.json"},
	)
	client := pi.NewFromConfig(rp.Config(t, "us-east-1"))
	w := timewin.Window{Start: now.Add(-5 * time.Minute), End: now, Loc: time.UTC}
	res, err := Load(context.Background(), client, wireTopo(), w, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}

	// The answer.
	m := res.Members[0]
	if res.PeriodS != 60 || m.AvgLoad != 4.4 || m.PeakLoad != 10.8 || m.PeakAt != "2026-11-22T08:57:00Z" || m.PeakPerVCPU != 2.7 {
		t.Errorf("period %d, avg %v, peak %v at %s (%v/vCPU)", res.PeriodS, m.AvgLoad, m.PeakLoad, m.PeakAt, m.PeakPerVCPU)
	}
	if w := m.breakdown(DimWaitEvent); len(w) != 3 || w[0].Name != "CPU" || w[0].SharePct != 60 || w[1].Name != "io/table/sql/handler" {
		t.Errorf("waits = %+v", w)
	}
	if u := m.breakdown(DimUser); len(u) != 2 || u[0].Name != "report_svc" || u[0].AvgLoad != 3.18 {
		t.Errorf("users = %+v", u)
	}
	if len(m.TopSQL) != 2 || !m.SQLMore {
		t.Fatalf("top SQL = %+v", m.TopSQL)
	}
	full, err := os.ReadFile("testdata/pi_get_dimension_key_details.json")
	if err != nil {
		t.Fatal(err)
	}
	var det struct{ Dimensions []struct{ Value string } }
	if err := json.Unmarshal(full, &det); err != nil || len(det.Dimensions[0].Value) != 600 {
		t.Fatalf("fixture statement: %v, %d bytes", err, len(det.Dimensions[0].Value))
	}
	s := m.TopSQL[0]
	// The 600-byte statement comes back whole (masked): its end is present, its literals are not.
	if !s.FullText || s.Truncated || s.StatementBytes != 600 || !strings.HasSuffix(s.Statement, "ORDER BY `revenue` DESC LIMIT ?") ||
		!strings.Contains(s.Statement, "BETWEEN ? AND ? AND `o`.`status` IN (?+)") || strings.Contains(s.Statement, "ops@example.com") {
		t.Errorf("statement (%d bytes, full %v): %s", s.StatementBytes, s.FullText, s.Statement)
	}
	if *s.LatencyMs != 27400.2 || *s.CallsPerS != 0.35 || len(s.Waits) != 3 || s.Waits[1].Name != "io/table/sql/handler" || s.SharePct != 72.3 {
		t.Errorf("statement stats: %+v", s)
	}
	if len(m.TopSQLAtPeak) != 2 || m.TopSQLAtPeak[0].SharePct != 85.2 || m.TopSQLAtPeak[0].Statement != s.Statement {
		t.Errorf("top SQL at peak = %+v", m.TopSQLAtPeak)
	}

	// The requests.
	if n := [3]int{rp.Count("GetResourceMetrics"), rp.Count("DescribeDimensionKeys"), rp.Count("GetDimensionKeyDetails")}; n != [3]int{1, 3, 1} {
		t.Errorf("calls GRM/DDK/GDKD = %v, want 1/3/1", n)
	}
	grm := rp.Requests("GetResourceMetrics")[0]
	if grm.Target != "PerformanceInsightsv20180227.GetResourceMetrics" || !strings.HasPrefix(grm.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		t.Errorf("GRM target %q content type %q", grm.Target, grm.Header.Get("Content-Type"))
	}
	body := decodeBody(t, grm)
	if body["Identifier"] != "db-ORDERSPROD1WIRETESTAAAAAA" || body["ServiceType"] != "RDS" || body["PeriodInSeconds"] != 60.0 ||
		body["PeriodAlignment"] != "START_TIME" || body["StartTime"] != float64(now.Add(-5*time.Minute).Unix()) || body["EndTime"] != float64(now.Unix()) {
		t.Errorf("GetResourceMetrics body = %s", grm.Body)
	}
	qs, _ := body["MetricQueries"].([]any)
	var groups []string
	for _, q := range qs {
		g := "total"
		if gb, ok := q.(map[string]any)["GroupBy"].(map[string]any); ok {
			g = gb["Group"].(string)
		}
		groups = append(groups, g)
	}
	if strings.Join(groups, ",") != "total,db.wait_event,db.user,db.host" {
		t.Errorf("metric query groups = %v", groups)
	}
	for _, rec := range rp.Requests("DescribeDimensionKeys") {
		b := decodeBody(t, rec)
		if b["Identifier"] != "db-ORDERSPROD1WIRETESTAAAAAA" || b["Metric"] != "db.load.avg" {
			t.Errorf("DescribeDimensionKeys body = %s", rec.Body)
		}
	}
	ddk := decodeBody(t, rp.Requests("DescribeDimensionKeys")[0])
	if gb := ddk["GroupBy"].(map[string]any); gb["Group"] != "db.sql_tokenized" || gb["Limit"] != 5.0 || ddk["MaxResults"] != 5.0 ||
		ddk["PartitionBy"].(map[string]any)["Group"] != "db.wait_event" || len(ddk["AdditionalMetrics"].([]any)) != 3 {
		t.Errorf("top SQL request = %s", rp.Requests("DescribeDimensionKeys")[0].Body)
	}
	look := decodeBody(t, rp.Requests("DescribeDimensionKeys")[1])
	if look["GroupBy"].(map[string]any)["Group"] != "db.sql" || look["Filter"].(map[string]any)["db.sql.tokenized_id"] != "A1C5E0F3B9D24C7E8F6A0B1C2D3E4F50" {
		t.Errorf("statement lookup request = %s", rp.Requests("DescribeDimensionKeys")[1].Body)
	}
	peak := decodeBody(t, rp.Requests("DescribeDimensionKeys")[2])
	if peak["StartTime"] != float64(now.Add(-3*time.Minute).Unix()) || peak["EndTime"] != float64(now.Add(-2*time.Minute).Unix()) || peak["MaxResults"] != 3.0 {
		t.Errorf("peak request = %s", rp.Requests("DescribeDimensionKeys")[2].Body)
	}
	gd := decodeBody(t, rp.Requests("GetDimensionKeyDetails")[0])
	if gd["Group"] != "db.sql" || gd["GroupIdentifier"] != "9F3A44C1E7B2D0A5C6E8F1B3D5A7C9E1" || gd["Identifier"] != "db-ORDERSPROD1WIRETESTAAAAAA" ||
		gd["RequestedDimensions"].([]any)[0] != "db.sql.statement" {
		t.Errorf("GetDimensionKeyDetails request = %s", rp.Requests("GetDimensionKeyDetails")[0].Body)
	}
}

// TestWirePIErrors: AWS error bodies classified over the wire — access denied degrades, throttling fails.
func TestWirePIErrors(t *testing.T) {
	rp := awstest.NewReplay(t, awstest.Route{Op: "GetResourceMetrics", Status: 400,
		Body: `{"__type":"NotAuthorizedException","Message":"User: arn:aws:sts::123456789012:assumed-role/Kida/x is not authorized to perform: pi:GetResourceMetrics"}`})
	res, err := Load(context.Background(), pi.NewFromConfig(rp.Config(t, "us-east-1")), wireTopo(), window(time.Hour), Options{Now: now})
	if err != nil || len(res.MissingPermissions) != 1 || res.MissingPermissions[0] != "pi:GetResourceMetrics" {
		t.Fatalf("denied: err %v, missing %v", err, res.MissingPermissions)
	}
	rp = awstest.NewReplay(t, awstest.Route{Op: "GetResourceMetrics", Status: 400, Body: `{"__type":"InvalidArgumentException","Message":"Performance Insights is not enabled for this resource"}`})
	res, err = Load(context.Background(), pi.NewFromConfig(rp.Config(t, "us-east-1")), wireTopo(), window(time.Hour), Options{Now: now})
	if err != nil || res.Members[0].PIEnabled || len(res.Members[0].Hints) == 0 {
		t.Fatalf("not enabled: err %v, member %+v", err, res.Members[0])
	}
	rp = awstest.NewReplay(t, awstest.Route{Op: "GetResourceMetrics", Status: 500, Body: `{"__type":"InternalServiceError","Message":"internal"}`})
	if _, err := Load(context.Background(), pi.NewFromConfig(rp.Config(t, "us-east-1")), wireTopo(), window(time.Hour), Options{Now: now}); err == nil ||
		!strings.Contains(err.Error(), "InternalServiceError") {
		t.Fatalf("500: err %v", err)
	}
}
