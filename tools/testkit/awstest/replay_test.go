package awstest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/pi"
	pitypes "github.com/aws/aws-sdk-go-v2/service/pi/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestReplayRDSPendingMaintenanceActions(t *testing.T) {
	rp := awstest.NewReplay(t, awstest.Route{
		Op:   "DescribePendingMaintenanceActions",
		File: "testdata/rds_describe_pending_maintenance_actions.xml",
	})
	client := rds.NewFromConfig(rp.Config(t, region))
	out, err := client.DescribePendingMaintenanceActions(t.Context(), &rds.DescribePendingMaintenanceActionsInput{
		Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"prod-aurora"}}},
	})
	if err != nil {
		t.Fatalf("DescribePendingMaintenanceActions: %v", err)
	}
	if len(out.PendingMaintenanceActions) != 2 {
		t.Fatalf("got %d resources, want 2", len(out.PendingMaintenanceActions))
	}
	c := out.PendingMaintenanceActions[0]
	if got := aws.ToString(c.ResourceIdentifier); got != "arn:aws:rds:us-east-1:123456789012:cluster:prod-aurora" {
		t.Errorf("ResourceIdentifier = %q", got)
	}
	if len(c.PendingMaintenanceActionDetails) != 1 {
		t.Fatalf("details = %+v", c.PendingMaintenanceActionDetails)
	}
	d := c.PendingMaintenanceActionDetails[0]
	if aws.ToString(d.Action) != "system-update" || aws.ToString(d.Description) != "Upgrade to Aurora MySQL 3.08.2" {
		t.Errorf("action = %q / %q", aws.ToString(d.Action), aws.ToString(d.Description))
	}
	if want := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC); !aws.ToTime(d.ForcedApplyDate).Equal(want) {
		t.Errorf("ForcedApplyDate = %v, want %v", aws.ToTime(d.ForcedApplyDate), want)
	}
	if got := aws.ToString(out.PendingMaintenanceActions[1].PendingMaintenanceActionDetails[0].OptInStatus); got != "next-maintenance" {
		t.Errorf("OptInStatus = %q", got)
	}

	// The exact query-protocol input the SDK sent.
	reqs := rp.Requests("DescribePendingMaintenanceActions")
	if len(reqs) != 1 || rp.Count("DescribePendingMaintenanceActions") != 1 {
		t.Fatalf("recorded %d requests", len(reqs))
	}
	f := reqs[0].Form
	for k, want := range map[string]string{
		"Action":                          "DescribePendingMaintenanceActions",
		"Version":                         "2014-10-31",
		"Filters.Filter.1.Name":           "db-cluster-id",
		"Filters.Filter.1.Values.Value.1": "prod-aurora",
	} {
		if got := f.Get(k); got != want {
			t.Errorf("form %s = %q, want %q (form: %v)", k, got, want, f)
		}
	}
	if reqs[0].Method != http.MethodPost || reqs[0].Target != "DescribePendingMaintenanceActions" {
		t.Errorf("recorded %s target %q", reqs[0].Method, reqs[0].Target)
	}
}

func TestReplayPerformanceInsights(t *testing.T) {
	const target = "PerformanceInsightsv20180227.GetResourceMetrics"
	rp := awstest.NewReplay(t, awstest.Route{Op: target, File: "testdata/pi_get_resource_metrics.json"})
	client := pi.NewFromConfig(rp.Config(t, region))
	start := time.Date(2025, 11, 22, 11, 55, 0, 0, time.UTC)
	end := start.Add(5 * time.Minute)
	out, err := client.GetResourceMetrics(t.Context(), &pi.GetResourceMetricsInput{
		ServiceType:     pitypes.ServiceTypeRds,
		Identifier:      aws.String("db-ABCDEFGHIJKLMNOPQRSTUVWXY2"),
		StartTime:       aws.Time(start),
		EndTime:         aws.Time(end),
		PeriodInSeconds: aws.Int32(60),
		MetricQueries: []pitypes.MetricQuery{
			{Metric: aws.String("db.load.avg")},
			{Metric: aws.String("db.load.avg"), GroupBy: &pitypes.DimensionGroup{Group: aws.String("db.wait_event"), Limit: aws.Int32(2)}},
		},
	})
	if err != nil {
		t.Fatalf("GetResourceMetrics: %v", err)
	}
	if !aws.ToTime(out.AlignedStartTime).Equal(start) || !aws.ToTime(out.AlignedEndTime).Equal(end) {
		t.Errorf("aligned window = %v..%v", out.AlignedStartTime, out.AlignedEndTime)
	}
	if len(out.MetricList) != 3 {
		t.Fatalf("MetricList = %d entries", len(out.MetricList))
	}
	total := out.MetricList[0]
	if total.Key.Dimensions != nil || len(total.DataPoints) != 5 || aws.ToFloat64(total.DataPoints[2].Value) != 3.2666666666666666 {
		t.Errorf("total series = %+v", total)
	}
	if got := aws.ToTime(total.DataPoints[0].Timestamp); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("first timestamp = %v", got)
	}
	if got := out.MetricList[1].Key.Dimensions["db.wait_event.name"]; got != "io/table/sql/handler" {
		t.Errorf("wait event = %q", got)
	}

	// The exact awsJson1.1 input the SDK sent.
	reqs := rp.Requests("GetResourceMetrics")
	if len(reqs) != 1 {
		t.Fatalf("recorded %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Target != target || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("target %q content-type %q", r.Target, r.Header.Get("Content-Type"))
	}
	if !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/pi/aws4_request") {
		t.Errorf("not signed for pi: %q", r.Header.Get("Authorization"))
	}
	var sent struct {
		ServiceType     string
		Identifier      string
		StartTime       float64
		EndTime         float64
		PeriodInSeconds int
		MetricQueries   []struct {
			Metric  string
			GroupBy *struct {
				Group string
				Limit int
			}
		}
	}
	if err := json.Unmarshal(r.Body, &sent); err != nil {
		t.Fatalf("request body %s: %v", r.Body, err)
	}
	if sent.ServiceType != "RDS" || sent.Identifier != "db-ABCDEFGHIJKLMNOPQRSTUVWXY2" || sent.PeriodInSeconds != 60 ||
		sent.StartTime != float64(start.Unix()) || sent.EndTime != float64(end.Unix()) ||
		len(sent.MetricQueries) != 2 || sent.MetricQueries[1].GroupBy == nil || sent.MetricQueries[1].GroupBy.Group != "db.wait_event" {
		t.Errorf("unexpected request body %s", r.Body)
	}
}

func TestReplayCloudTrailLookupEvents(t *testing.T) {
	rp := awstest.NewReplay(t,
		// Second page: chosen by Match on the NextToken the SDK sends back.
		awstest.Route{
			Op:    "LookupEvents",
			Body:  `{"Events":[]}`,
			Match: func(_ *http.Request, body []byte) bool { return strings.Contains(string(body), `"NextToken"`) },
		},
		awstest.Route{Op: "CloudTrail_20131101.LookupEvents", File: "testdata/cloudtrail_lookup_events.json"},
	)
	client := cloudtrail.NewFromConfig(rp.Config(t, region))
	p := cloudtrail.NewLookupEventsPaginator(client, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("rds.amazonaws.com")}},
		StartTime:        aws.Time(time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC)),
		EndTime:          aws.Time(time.Date(2025, 11, 23, 0, 0, 0, 0, time.UTC)),
		MaxResults:       aws.Int32(50),
	})
	var events []cttypes.Event
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		events = append(events, page.Events...)
	}
	if len(events) != 2 {
		t.Fatalf("got %d events", len(events))
	}
	e := events[0]
	if aws.ToString(e.EventName) != "FailoverDBCluster" || aws.ToString(e.Username) != "alice" ||
		!aws.ToTime(e.EventTime).Equal(time.Date(2025, 11, 22, 12, 45, 37, 0, time.UTC)) {
		t.Errorf("event 0 = %s by %s at %v", aws.ToString(e.EventName), aws.ToString(e.Username), aws.ToTime(e.EventTime))
	}
	if len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceType) != "AWS::RDS::DBCluster" {
		t.Errorf("resources = %+v", e.Resources)
	}
	var detail struct {
		RequestParameters map[string]string `json:"requestParameters"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &detail); err != nil ||
		detail.RequestParameters["targetDBInstanceIdentifier"] != "prod-aurora-instance-2" {
		t.Errorf("CloudTrailEvent = %v / %v", detail, err)
	}

	reqs := rp.Requests("CloudTrail_20131101.LookupEvents")
	if len(reqs) != 2 || rp.Count("LookupEvents") != 2 {
		t.Fatalf("recorded %d requests, want 2 pages", len(reqs))
	}
	var first, second map[string]any
	_ = json.Unmarshal(reqs[0].Body, &first)
	_ = json.Unmarshal(reqs[1].Body, &second)
	attrs, _ := first["LookupAttributes"].([]any)
	if len(attrs) != 1 || fmt.Sprint(attrs[0]) != "map[AttributeKey:EventSource AttributeValue:rds.amazonaws.com]" {
		t.Errorf("LookupAttributes sent = %v", first["LookupAttributes"])
	}
	if _, ok := first["NextToken"]; ok {
		t.Errorf("first page sent a NextToken")
	}
	if second["NextToken"] != "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4=" {
		t.Errorf("second page NextToken = %v", second["NextToken"])
	}
}

func TestReplayErrorRoute(t *testing.T) {
	rp := awstest.NewReplay(t, awstest.Route{
		Op:     "GetResourceMetrics",
		Status: http.StatusBadRequest,
		Body:   `{"__type":"AccessDeniedException","Message":"User: arn:aws:sts::123456789012:assumed-role/kida/s is not authorized to perform: pi:GetResourceMetrics on resource: arn:aws:pi:us-east-1:123456789012:metrics/rds/db-ABCDEFGHIJKLMNOPQRSTUVWXY2 because no identity-based policy allows the pi:GetResourceMetrics action"}`,
	})
	_, err := pi.NewFromConfig(rp.Config(t, region)).GetResourceMetrics(t.Context(), &pi.GetResourceMetricsInput{
		ServiceType:   pitypes.ServiceTypeRds,
		Identifier:    aws.String("db-ABCDEFGHIJKLMNOPQRSTUVWXY2"),
		StartTime:     aws.Time(time.Now().Add(-time.Hour)),
		EndTime:       aws.Time(time.Now()),
		MetricQueries: []pitypes.MetricQuery{{Metric: aws.String("db.load.avg")}},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want smithy.APIError, got %T %v", err, err)
	}
	if ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "not authorized to perform: pi:GetResourceMetrics") {
		t.Errorf("code %q message %q", ae.ErrorCode(), ae.ErrorMessage())
	}
	if rp.Count("GetResourceMetrics") != 1 {
		t.Errorf("error was retried: %d requests", rp.Count("GetResourceMetrics"))
	}
}

// TestReplayCloudWatchAlarmHistory shows a CloudWatch operation moto lacks, replayed in the awsQuery XML
// format (CloudWatchQuery), and the same data through awsJson (CloudWatchJSON).
func TestReplayCloudWatchAlarmHistory(t *testing.T) {
	const historyData = `{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"Threshold Crossed"},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (90.0)."}}`
	xmlBody := `<DescribeAlarmHistoryResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmHistoryResult>
    <AlarmHistoryItems>
      <member>
        <AlarmName>prod-aurora-cpu-high</AlarmName>
        <AlarmType>MetricAlarm</AlarmType>
        <Timestamp>2025-11-22T11:58:03.123Z</Timestamp>
        <HistoryItemType>StateUpdate</HistoryItemType>
        <HistorySummary>Alarm updated from OK to ALARM</HistorySummary>
        <HistoryData>` + strings.ReplaceAll(historyData, `"`, "&quot;") + `</HistoryData>
      </member>
    </AlarmHistoryItems>
  </DescribeAlarmHistoryResult>
  <ResponseMetadata>
    <RequestId>c2b7a1e4-0d3f-4f5a-9b8c-7d6e5f4a3b2c</RequestId>
  </ResponseMetadata>
</DescribeAlarmHistoryResponse>`
	jsonBody, _ := json.Marshal(map[string]any{"AlarmHistoryItems": []map[string]any{{
		"AlarmName": "prod-aurora-cpu-high", "AlarmType": "MetricAlarm", "Timestamp": 1763812683.123,
		"HistoryItemType": "StateUpdate", "HistorySummary": "Alarm updated from OK to ALARM", "HistoryData": historyData,
	}}})
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "DescribeAlarmHistory", Body: xmlBody, Match: func(r *http.Request, _ []byte) bool {
			return r.Header.Get("X-Amz-Target") == "" // query form
		}},
		awstest.Route{Op: "GraniteServiceVersion20100801.DescribeAlarmHistory", Body: string(jsonBody)},
	)
	in := &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName:       aws.String("prod-aurora-cpu-high"),
		HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		ScanBy:          cwtypes.ScanByTimestampDescending,
	}
	for name, opt := range map[string]func(*cloudwatch.Options){"query": awstest.CloudWatchQuery(), "json": awstest.CloudWatchJSON()} {
		out, err := cloudwatch.NewFromConfig(rp.Config(t, region), opt).DescribeAlarmHistory(t.Context(), in)
		if err != nil {
			t.Fatalf("%s: DescribeAlarmHistory: %v", name, err)
		}
		if len(out.AlarmHistoryItems) != 1 {
			t.Fatalf("%s: items = %+v", name, out.AlarmHistoryItems)
		}
		it := out.AlarmHistoryItems[0]
		if aws.ToString(it.HistoryData) != historyData || it.AlarmType != cwtypes.AlarmTypeMetricAlarm ||
			!aws.ToTime(it.Timestamp).Equal(time.Date(2025, 11, 22, 11, 58, 3, 123e6, time.UTC)) {
			t.Errorf("%s: item = %+v", name, it)
		}
	}
	q := rp.Requests("DescribeAlarmHistory")
	if len(q) != 2 {
		t.Fatalf("recorded %d", len(q))
	}
	for _, r := range q {
		switch r.Target {
		case "DescribeAlarmHistory":
			if r.Form.Get("AlarmName") != "prod-aurora-cpu-high" || r.Form.Get("HistoryItemType") != "StateUpdate" || r.Form.Get("Version") != "2010-08-01" {
				t.Errorf("query form = %v", r.Form)
			}
		case "GraniteServiceVersion20100801.DescribeAlarmHistory":
			if !strings.Contains(string(r.Body), `"AlarmName":"prod-aurora-cpu-high"`) {
				t.Errorf("json body = %s", r.Body)
			}
		default:
			t.Errorf("unexpected target %q", r.Target)
		}
	}
}

// errRecorder captures Errorf so the unmatched-request failure itself can be asserted.
type errRecorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (e *errRecorder) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

func TestReplayUnmatchedRequest(t *testing.T) {
	rec := &errRecorder{TB: t}
	rp := awstest.NewReplay(rec, awstest.Route{Op: "GetResourceMetrics", Body: `{}`})

	// awsJson: unknown target.
	_, err := pi.NewFromConfig(rp.Config(t, region)).DescribeDimensionKeys(t.Context(), &pi.DescribeDimensionKeysInput{
		ServiceType: pitypes.ServiceTypeRds, Identifier: aws.String("db-X"), Metric: aws.String("db.load.avg"),
		StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()),
		GroupBy: &pitypes.DimensionGroup{Group: aws.String("db.sql_tokenized")},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" || !strings.Contains(ae.ErrorMessage(), "PerformanceInsightsv20180227.DescribeDimensionKeys") {
		t.Errorf("json: want InvalidAction APIError naming the op, got %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Errorf("json: want HTTP 400, got %v", err)
	}

	// awsQuery: unknown Action.
	_, err = rds.NewFromConfig(rp.Config(t, region)).DescribeDBRecommendations(t.Context(), &rds.DescribeDBRecommendationsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" || !strings.Contains(ae.ErrorMessage(), "DescribeDBRecommendations") {
		t.Errorf("query: want InvalidAction APIError naming the op, got %v", err)
	}

	if len(rec.errs) != 2 ||
		!strings.Contains(rec.errs[0], `no route for operation "PerformanceInsightsv20180227.DescribeDimensionKeys"`) ||
		!strings.Contains(rec.errs[1], `no route for operation "DescribeDBRecommendations"`) {
		t.Errorf("test failures reported = %q", rec.errs)
	}
	if rp.Count("DescribeDimensionKeys") != 1 || rp.Count("DescribeDBRecommendations") != 1 || rp.Count("GetResourceMetrics") != 0 {
		t.Errorf("unmatched requests not recorded")
	}
	if !slices.Contains([]int{0}, rp.Count("Nope")) {
		t.Errorf("Count of unknown op")
	}
}
