package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// The demo fleet's GetMetricData must behave like CloudWatch for the planner's sake: these tests pin that.

func q(id, metric string, period int32, stat string, dims ...string) cwtypes.MetricDataQuery {
	m := &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric)}
	for i := 0; i+1 < len(dims); i += 2 {
		m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Metric: m, Period: aws.Int32(period), Stat: aws.String(stat)}}
}

func demoGet(t *testing.T, f *demo.Fleet, start, end time.Time, qs ...cwtypes.MetricDataQuery) *cloudwatch.GetMetricDataOutput {
	t.Helper()
	out, err := f.CloudWatch(demo.Region).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(end), MetricDataQueries: qs, ScanBy: cwtypes.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDemoGetMetricDataHonoursQueries(t *testing.T) {
	f := demo.New(now)
	inc := f.Incident
	day := now.Add(-24 * time.Hour)
	out := demoGet(t, f, day, now,
		q("a", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "orders-prod-2"),
		q("b", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "orders-prod-2", "DBClusterIdentifier", "orders-prod"), // no such dimension set
		q("c", "CPUUtilization", 300, "Maximum", "DBInstanceIdentifier", "orders-prod-2"),
		q("d", "CPUUtilization", 300, "Average", "DBInstanceIdentifier", "orders-prod-2"),
		q("e", "CPUUtilization", 60, "Average", "DBClusterIdentifier", "orders-prod", "Role", "WRITER"),
		q("f", "AuroraReplicaLag", 60, "Average", "DBInstanceIdentifier", inc.Writer),
		q("g", "AuroraReplicaLag", 60, "Average", "DBInstanceIdentifier", inc.OldWriter),
		q("h", "DBLoad", 60, "Average", "DBInstanceIdentifier", "legacy-mysql"),
		q("i", "SwapUsage", 60, "Average", "DBInstanceIdentifier", "orders-prod-1"),
		q("j", "VolumeBytesUsed", 3600, "Average", "DBClusterIdentifier", "billing-pg"),
		q("k", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "graph-neptune-1"),
	)
	r := map[string]cwtypes.MetricDataResult{}
	for _, x := range out.MetricDataResults {
		r[aws.ToString(x.Id)] = x
	}
	if n := len(r["a"].Values); n != 1440-2 { // two minutes of failover restart
		t.Errorf("a: %d points", n)
	}
	for _, id := range []string{"b", "h", "i", "k"} {
		if len(r[id].Values) != 0 {
			t.Errorf("%s: %d points, want none", id, len(r[id].Values))
		}
	}
	for i := range r["c"].Values {
		if !r["c"].Timestamps[i].Equal(r["d"].Timestamps[i]) || r["c"].Values[i] < r["d"].Values[i] || r["c"].Timestamps[i].Unix()%300 != 0 {
			t.Fatalf("Maximum below Average or misaligned at %d", i)
		}
	}
	if len(r["c"].Values) != 288 {
		t.Errorf("300-s buckets: %d", len(r["c"].Values))
	}
	// the writer role series follows the failover: ~95% all through the storm
	for i, ts := range r["e"].Timestamps {
		if within(ts, inc.Start.Add(5*time.Minute), inc.End.Add(-3*time.Minute)) && !within(ts, inc.FailoverAt, inc.FailoverAt.Add(2*time.Minute)) && r["e"].Values[i] < 88 {
			t.Errorf("writer series at %v = %.1f", ts, r["e"].Values[i])
		}
	}
	// AuroraReplicaLag follows the role: the new writer reports it only before the failover, the old one after
	for _, ts := range r["f"].Timestamps {
		if !ts.Before(inc.FailoverAt) {
			t.Fatalf("orders-prod-1 reports replica lag at %v, after becoming writer", ts)
		}
	}
	for _, ts := range r["g"].Timestamps {
		if ts.Before(inc.FailoverAt.Add(2 * time.Minute)) {
			t.Fatalf("orders-prod-2 reports replica lag at %v, while writer or restarting", ts)
		}
	}
	if len(r["f"].Values) == 0 || len(r["g"].Values) == 0 {
		t.Error("replica lag missing on both sides of the failover")
	}
	// billing-pg storage grows by StorageGrowthPerDay
	j := r["j"]
	growth := (j.Values[len(j.Values)-1] - j.Values[0]) / j.Timestamps[len(j.Timestamps)-1].Sub(j.Timestamps[0]).Hours() * 24
	if want := f.Cluster("billing-pg").StorageGrowthPerDay; growth < 0.98*want || growth > 1.02*want {
		t.Errorf("storage growth %.3g/day, want %.3g", growth, want)
	}
}

func TestDemoPeriodAgeRulesScanByAndPaging(t *testing.T) {
	f := demo.New(now)
	cw := f.CloudWatch(demo.Region)
	old := now.Add(-20 * 24 * time.Hour)
	out := demoGet(t, f, old, old.Add(24*time.Hour),
		q("m1", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "orders-prod-1"),
		q("m5", "CPUUtilization", 300, "Average", "DBInstanceIdentifier", "orders-prod-1"))
	if len(out.MetricDataResults[0].Values) != 0 || len(out.MetricDataResults[1].Values) != 288 {
		t.Errorf("20-day-old data: 60 s gave %d points (want 0), 300 s gave %d (want 288)", len(out.MetricDataResults[0].Values), len(out.MetricDataResults[1].Values))
	}
	// default ScanBy is newest first
	desc, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{q("a", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "billing-pg-1")}})
	if err != nil || len(desc.MetricDataResults[0].Timestamps) != 60 || !desc.MetricDataResults[0].Timestamps[0].After(desc.MetricDataResults[0].Timestamps[1]) {
		t.Fatalf("descending: %v", err)
	}
	// MaxDatapoints/NextToken: the pages add up to the unpaged answer; Fetch follows them
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-3 * time.Hour)), EndTime: aws.Time(now), MaxDatapoints: aws.Int32(100),
		ScanBy: cwtypes.ScanByTimestampAscending, MetricDataQueries: []cwtypes.MetricDataQuery{
			q("a", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "billing-pg-1"),
			q("b", "DatabaseConnections", 60, "Average", "DBInstanceIdentifier", "billing-pg-2")}}
	got := map[string]int{}
	pages := 0
	for {
		p, err := cw.GetMetricData(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range p.MetricDataResults {
			got[aws.ToString(r.Id)] += len(r.Values)
			n += len(r.Values)
		}
		if n > 100 {
			t.Fatalf("page of %d points over MaxDatapoints", n)
		}
		if p.NextToken == nil {
			break
		}
		in.NextToken = p.NextToken
	}
	if pages != 4 || got["a"] != 180 || got["b"] != 180 {
		t.Errorf("pages %d got %v", pages, got)
	}
	// over 500 queries is CloudWatch's validation error
	var many []cwtypes.MetricDataQuery
	for i := 0; i < 501; i++ {
		many = append(many, q(fmt.Sprintf("q%d", i), "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "billing-pg-1"))
	}
	_, err = cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: many})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ae.ErrorMessage(), "500") {
		t.Errorf("501 queries: %v", err)
	}
	// another region is empty
	o2, err := f.CloudWatch("us-east-1").GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{q("a", "CPUUtilization", 60, "Average", "DBInstanceIdentifier", "billing-pg-1")}})
	if err != nil || len(o2.MetricDataResults[0].Values) != 0 {
		t.Errorf("us-east-1: %v", err)
	}
}

func TestDemoListMetrics(t *testing.T) {
	cw := demo.New(now).CloudWatch(demo.Region)
	out, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("AuroraReplicaLag"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("DBInstanceIdentifier")}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range out.Metrics {
		ids = append(ids, aws.ToString(m.Dimensions[0].Value))
	}
	// orders-prod-1 was a reader before the failover; billing-pg-2 is a reader
	if strings.Join(ids, ",") != "orders-prod-1,orders-prod-2,orders-prod-3,billing-pg-2" {
		t.Errorf("AuroraReplicaLag listed for %v", ids)
	}
	all, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
	if err != nil || len(all.Metrics) == 0 || all.NextToken != nil {
		t.Fatalf("all metrics: %d, %v", len(all.Metrics), err)
	}
	for _, m := range all.Metrics {
		if aws.ToString(m.MetricName) == "DBLoad" && aws.ToString(m.Dimensions[0].Value) == "legacy-mysql" {
			t.Error("DBLoad listed for legacy-mysql, which has PI off")
		}
	}
}
