package alarms

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// splitCW sends DescribeAlarms to one client (moto) and DescribeAlarmHistory to another (a replay of
// recorded responses, because moto does not implement it). Both are real SDK clients over HTTP.
type splitCW struct {
	alarms, history *cloudwatch.Client
}

func (s splitCW) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return s.alarms.DescribeAlarms(ctx, in, o...)
}

func (s splitCW) DescribeAlarmHistory(ctx context.Context, in *cloudwatch.DescribeAlarmHistoryInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	return s.history.DescribeAlarmHistory(ctx, in, o...)
}

func TestAlarmsOverMotoAndRecordedHistory(t *testing.T) {
	m := awstest.StartMoto(t)
	cfg := m.Config(t, "us-east-1")
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-alarms", Instances: 2})
	ctx := context.Background()
	tp, err := cluster.Describe(ctx, rds.NewFromConfig(cfg), "us-east-1", "wire-alarms")
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchJSON())
	put := func(name, metric string, ds []cwtypes.Dimension, stat string, op cwtypes.ComparisonOperator, th float64, ev int32) {
		in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
			Dimensions: ds, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(ev), DatapointsToAlarm: aws.Int32(ev),
			Threshold: aws.Float64(th), ComparisonOperator: op, TreatMissingData: aws.String("missing")}
		if isPercentile(stat) {
			in.ExtendedStatistic = aws.String(stat)
		} else {
			in.Statistic = cwtypes.Statistic(stat)
		}
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatalf("PutMetricAlarm %s: %v", name, err)
		}
	}
	gt := cwtypes.ComparisonOperatorGreaterThanThreshold
	put("wire-writer-cpu", "CPUUtilization", dims("DBClusterIdentifier", "wire-alarms", "Role", "WRITER"), "Average", gt, 90, 5)
	put("wire-writer-readlat", "ReadLatency", dims("DBClusterIdentifier", "wire-alarms", "Role", "WRITER"), "p90", gt, 0.02, 5)
	put("wire-reader-cpu-instance", "CPUUtilization", dims("DBInstanceIdentifier", ids[1]), "Average", gt, 90, 5)
	put("other-cluster-cpu", "CPUUtilization", dims("DBClusterIdentifier", "other", "Role", "WRITER"), "Average", gt, 90, 5)
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("wire-writer-cpu"), StateValue: cwtypes.StateValueAlarm,
		StateReason: aws.String("Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (90.0)")}); err != nil {
		t.Fatal(err)
	}

	rp := awstest.NewReplay(t,
		awstest.Route{Op: "GraniteServiceVersion20100801.DescribeAlarmHistory", File: "testdata/alarm_history_page2.json",
			Match: func(_ *http.Request, body []byte) bool { return strings.Contains(string(body), "wire-history-page-2") }},
		awstest.Route{Op: "GraniteServiceVersion20100801.DescribeAlarmHistory", File: "testdata/alarm_history_page1.json"},
	)
	api := splitCW{alarms: cw, history: cloudwatch.NewFromConfig(rp.Config(t, "us-east-1"), awstest.CloudWatchJSON())}
	w := timewin.Window{Start: now.Add(-24 * time.Hour), End: now, Loc: seoul}
	res, err := List(ctx, api, tp, w)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Alarms {
		got = append(got, a.State+" "+a.Name+" "+a.Scope)
	}
	want := []string{"ALARM wire-writer-cpu writer series (Role=WRITER)"}
	if len(got) != 3 || got[0] != want[0] || !strings.Contains(strings.Join(got, "|"), "wire-reader-cpu-instance instance "+ids[1]+" (reader now)") {
		t.Fatalf("alarms %q", got)
	}
	if !strings.Contains(res.Alarms[0].Reason, "Threshold Crossed") || res.Alarms[0].StateSinceUTC == "" || res.Alarms[0].Changes != 2 {
		t.Errorf("ALARM alarm %+v", res.Alarms[0])
	}
	var changes []string
	for _, c := range res.Changes {
		changes = append(changes, c.TimeUTC+" "+c.Alarm+" "+c.From+">"+c.To)
	}
	wantChanges := []string{"2026-11-22T06:54:00Z wire-writer-cpu ALARM>OK", "2026-11-22T06:15:00Z wire-writer-cpu OK>ALARM"}
	if !reflect.DeepEqual(changes, wantChanges) {
		t.Fatalf("changes %q", changes)
	}
	reqs := rp.Requests("DescribeAlarmHistory")
	if len(reqs) != 2 {
		t.Fatalf("%d history requests", len(reqs))
	}
	var first map[string]any
	if err := json.Unmarshal(reqs[0].Body, &first); err != nil {
		t.Fatal(err)
	}
	if first["HistoryItemType"] != "StateUpdate" || first["ScanBy"] != "TimestampDescending" || first["StartDate"] == nil || first["EndDate"] == nil ||
		!reflect.DeepEqual(first["AlarmTypes"], []any{"MetricAlarm", "CompositeAlarm"}) || first["NextToken"] != nil {
		t.Errorf("first history request %s", reqs[0].Body)
	}
	if !strings.Contains(string(reqs[1].Body), `"NextToken":"AAAAAgAAABsAAAAB-wire-history-page-2"`) {
		t.Errorf("second history request %s", reqs[1].Body)
	}

	// recommend over the same moto inventory: the two role-series alarms count, the instance alarm does not
	inv, err := Fetch(ctx, cw, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	rec := RecommendFrom(tp, inv)
	var present []string
	for _, it := range rec.Items {
		if it.Status == StatusPresent {
			present = append(present, it.Key)
		}
	}
	if !reflect.DeepEqual(present, []string{"cpu-writer", "read-latency-writer"}) || rec.Missing != len(rec.Items)-2 || rec.Calls != 1 {
		t.Errorf("present %q, %d missing of %d, %d calls", present, rec.Missing, len(rec.Items), rec.Calls)
	}
}
