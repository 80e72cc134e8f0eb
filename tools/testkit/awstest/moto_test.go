package awstest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

const region = "us-east-1"

func TestMotoAuroraClusterSeed(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, region)
	ctx := t.Context()

	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{
		ID:            "prod-aurora",
		Engine:        "aurora-mysql",
		Instances:     3,
		InstanceClass: "db.r6g.xlarge",
		ClusterParams: map[string]string{"slow_query_log": "1", "long_query_time": "0.5"},
		LogExports:    []string{"slowquery", "error"},
	})
	wantIDs := []string{"prod-aurora-instance-1", "prod-aurora-instance-2", "prod-aurora-instance-3"}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("instance ids = %v, want %v", ids, wantIDs)
	}

	client := rds.NewFromConfig(cfg)
	out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("prod-aurora")})
	if err != nil {
		t.Fatalf("DescribeDBClusters: %v", err)
	}
	if len(out.DBClusters) != 1 {
		t.Fatalf("got %d clusters, want 1", len(out.DBClusters))
	}
	c := out.DBClusters[0]
	if got := aws.ToString(c.Engine); got != "aurora-mysql" {
		t.Errorf("Engine = %q", got)
	}
	if got, want := aws.ToString(c.DBClusterParameterGroup), awstest.ClusterParamGroupName("prod-aurora"); got != want {
		t.Errorf("DBClusterParameterGroup = %q, want %q", got, want)
	}
	if !slices.Equal(c.EnabledCloudwatchLogsExports, []string{"slowquery", "error"}) {
		t.Errorf("EnabledCloudwatchLogsExports = %v", c.EnabledCloudwatchLogsExports)
	}
	if len(c.DBClusterMembers) != 3 {
		t.Fatalf("DBClusterMembers = %d, want 3", len(c.DBClusterMembers))
	}
	var writers []string
	for _, m := range c.DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) {
			writers = append(writers, aws.ToString(m.DBInstanceIdentifier))
		}
	}
	if !slices.Equal(writers, ids[:1]) {
		t.Errorf("writers = %v, want exactly %v", writers, ids[:1])
	}

	inst, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"prod-aurora"}}},
	})
	if err != nil {
		t.Fatalf("DescribeDBInstances: %v", err)
	}
	if len(inst.DBInstances) != 3 {
		t.Fatalf("DescribeDBInstances returned %d instances", len(inst.DBInstances))
	}
	for _, i := range inst.DBInstances {
		if got := aws.ToString(i.DBInstanceClass); got != "db.r6g.xlarge" {
			t.Errorf("%s class = %q", aws.ToString(i.DBInstanceIdentifier), got)
		}
	}

	params, err := client.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{
		DBClusterParameterGroupName: aws.String(awstest.ClusterParamGroupName("prod-aurora")),
	})
	if err != nil {
		t.Fatalf("DescribeDBClusterParameters: %v", err)
	}
	got := map[string]string{}
	for _, p := range params.Parameters {
		got[aws.ToString(p.ParameterName)] = aws.ToString(p.ParameterValue)
	}
	if got["slow_query_log"] != "1" || got["long_query_time"] != "0.5" {
		t.Errorf("cluster parameters = %v, want slow_query_log=1 long_query_time=0.5", got)
	}
}

func TestMotoResetPerTest(t *testing.T) {
	// Runs after TestMotoAuroraClusterSeed in the same binary: StartMoto must have wiped its cluster.
	moto := awstest.StartMoto(t)
	out, err := rds.NewFromConfig(moto.Config(t, region)).DescribeDBClusters(t.Context(), &rds.DescribeDBClustersInput{})
	if err != nil {
		t.Fatalf("DescribeDBClusters: %v", err)
	}
	if len(out.DBClusters) != 0 {
		t.Fatalf("state leaked between tests: %d clusters", len(out.DBClusters))
	}
	if again := awstest.StartMoto(t); again.URL() != moto.URL() {
		t.Errorf("StartMoto started a second server: %s vs %s", again.URL(), moto.URL())
	}
}

func TestMotoCloudWatchJSON(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, region)
	ctx := t.Context()

	end := time.Now().UTC().Truncate(time.Minute)
	start := end.Add(-5 * time.Minute)
	dims := []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("prod-aurora-instance-1")}}
	var data []cwtypes.MetricDatum
	for i, v := range []float64{10, 20, 30, 40, 50} {
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String("CPUUtilization"),
			Dimensions: dims,
			Timestamp:  aws.Time(start.Add(time.Duration(i)*time.Minute + 10*time.Second)),
			Value:      aws.Float64(v),
			Unit:       cwtypes.StandardUnitPercent,
		})
	}
	awstest.SeedMetricData(t, cfg, "AWS/RDS", data...)

	cw := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchJSON())
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start),
		EndTime:   aws.Time(end),
		ScanBy:    cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("cpu"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"), Dimensions: dims},
				Period: aws.Int32(60),
				Stat:   aws.String("Average"),
			},
		}},
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	if len(out.MetricDataResults) != 1 {
		t.Fatalf("MetricDataResults = %d", len(out.MetricDataResults))
	}
	r := out.MetricDataResults[0]
	if !slices.Equal(r.Values, []float64{10, 20, 30, 40, 50}) {
		t.Errorf("Values = %v (timestamps %v), want [10 20 30 40 50]", r.Values, r.Timestamps)
	}
	if r.StatusCode != cwtypes.StatusCodeComplete {
		t.Errorf("StatusCode = %q", r.StatusCode)
	}

	// Without the override the client speaks CBOR, which moto rejects.
	_, err = cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
	if err == nil {
		t.Errorf("default (CBOR) CloudWatch client unexpectedly worked against moto; CloudWatchJSON may no longer be needed")
	}
}

func TestMotoCloudWatchQuery(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, region)
	awstest.SeedMetricData(t, cfg, "AWS/RDS", cwtypes.MetricDatum{
		MetricName: aws.String("DatabaseConnections"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("DBClusterIdentifier"), Value: aws.String("c1")}, {Name: aws.String("Role"), Value: aws.String("WRITER")}},
		Timestamp:  aws.Time(time.Now()),
		Value:      aws.Float64(7),
	})
	out, err := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchQuery()).ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS")})
	if err != nil {
		t.Fatalf("ListMetrics over awsQuery: %v", err)
	}
	if len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].MetricName) != "DatabaseConnections" || len(out.Metrics[0].Dimensions) != 2 {
		t.Fatalf("ListMetrics = %+v", out.Metrics)
	}
}

func TestMotoLogs(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, region)
	ctx := t.Context()

	group := "/aws/rds/cluster/prod-aurora/slowquery"
	now := time.Now().Add(-time.Minute).UnixMilli()
	msgs := []string{
		"# Query_time: 2.500000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 1000000\nSELECT * FROM orders WHERE note LIKE '%x%';",
		"# Query_time: 0.700000  Lock_time: 0.000050 Rows_sent: 10  Rows_examined: 50000\nSELECT id FROM users ORDER BY created_at;",
		"# Query_time: 12.000000  Lock_time: 3.000000 Rows_sent: 0  Rows_examined: 9000000\nUPDATE orders SET status = 'x';",
	}
	var events []logtypes.InputLogEvent
	for i, m := range msgs {
		events = append(events, logtypes.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(now + int64(i)*1000)})
	}
	awstest.SeedLogEvents(t, cfg, group, "prod-aurora-instance-1", events...)
	// Second call on the same group/stream must not fail on ResourceAlreadyExists.
	awstest.SeedLogEvents(t, cfg, group, "prod-aurora-instance-1", logtypes.InputLogEvent{
		Message: aws.String("# Query_time: 0.600000  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSELECT 1;"), Timestamp: aws.Int64(now + 5000),
	})

	logs := cloudwatchlogs.NewFromConfig(cfg)
	out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group),
		StartTime:    aws.Int64(now - 1000),
		EndTime:      aws.Int64(now + 60_000),
	})
	if err != nil {
		t.Fatalf("FilterLogEvents: %v", err)
	}
	if len(out.Events) != 4 {
		t.Fatalf("FilterLogEvents returned %d events, want 4", len(out.Events))
	}
	for i, e := range out.Events[:3] {
		if aws.ToString(e.Message) != msgs[i] || aws.ToString(e.LogStreamName) != "prod-aurora-instance-1" {
			t.Errorf("event %d = %q in stream %q", i, aws.ToString(e.Message), aws.ToString(e.LogStreamName))
		}
	}

	// Plain-term filter patterns work in moto (regex/?term/-term patterns match everything there).
	out, err = logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(group),
		FilterPattern: aws.String("UPDATE"),
	})
	if err != nil {
		t.Fatalf("FilterLogEvents(UPDATE): %v", err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != msgs[2] {
		t.Errorf("FilterLogEvents(UPDATE) = %+v", out.Events)
	}
}

// TestMotoUnimplementedIsNotRetried documents the moto behaviour behind RetryMaxAttempts 1: an operation
// moto lacks answers HTTP 500, which must surface at once instead of after three slow retries.
func TestMotoUnimplementedIsNotRetried(t *testing.T) {
	moto := awstest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := rds.NewFromConfig(moto.Config(t, region)).DescribePendingMaintenanceActions(ctx, &rds.DescribePendingMaintenanceActionsInput{})
	if err == nil {
		t.Skip("moto now implements DescribePendingMaintenanceActions")
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("want an HTTP 500 error, got %v", err)
	}
	if !strings.Contains(err.Error(), "exceeded maximum number of attempts, 1,") {
		t.Errorf("want a single attempt, got %v", err)
	}
}
