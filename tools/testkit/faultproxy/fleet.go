package faultproxy

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

// ClusterSeed is one Aurora MySQL cluster seeded into moto for a full health check.
type ClusterSeed struct {
	ID        string
	Instances int           // default 3 (writer + 2 readers)
	Span      time.Duration // history to seed; default 24 h
	Step      time.Duration // metric resolution; default 1 min (5 min keeps tests quick)
	SlowLog   int           // slow-log entries over the span; default 200
	ErrorLog  int           // error-log lines over the span; default 60
	// Messages, when set, replaces the error-log text (for escaping tests); %d is the line number.
	Messages []string
	// Statements, when set, replaces the slow statements.
	Statements []string
	// NoMetrics skips PutMetricData (use the MetricData stub instead).
	NoMetrics bool
}

func (s ClusterSeed) withDefaults() ClusterSeed {
	if s.Instances <= 0 {
		s.Instances = 3
	}
	if s.Span <= 0 {
		s.Span = 24 * time.Hour
	}
	if s.Step <= 0 {
		s.Step = time.Minute
	}
	if s.SlowLog == 0 {
		s.SlowLog = 200
	}
	if s.ErrorLog == 0 {
		s.ErrorLog = 60
	}
	return s
}

// instanceMetrics are seeded for every member (DBInstanceIdentifier); replica lag by role.
var instanceMetrics = []string{"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS",
	"ReadLatency", "WriteLatency", "BufferCacheHitRatio", "Deadlocks", "SwapUsage", "DMLLatency", "SelectLatency", "CommitLatency"}

// SeedCluster creates the cluster (slow log on, slowquery and error exports), seeds its metrics, slow log,
// error log and two alarms (one in ALARM) in moto, and returns the instance ids (writer first). now is the
// end of the seeded span.
func SeedCluster(t testing.TB, cfg aws.Config, s ClusterSeed, now time.Time) []string {
	t.Helper()
	s = s.withDefaults()
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{
		ID: s.ID, Instances: s.Instances, LogExports: []string{"slowquery", "error"},
		ClusterParams: map[string]string{"slow_query_log": "1", "long_query_time": "1", "log_output": "FILE"},
	})
	start := now.Add(-s.Span)
	n := int(s.Span / s.Step)
	var data []cwtypes.MetricDatum
	d := func(name string, ts time.Time, v float64, dims ...string) {
		md := cwtypes.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(ts), Value: aws.Float64(v)}
		for i := 0; i+1 < len(dims); i += 2 {
			md.Dimensions = append(md.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
		}
		data = append(data, md)
	}
	for i := 0; i < n && !s.NoMetrics; i++ {
		ts := start.Add(time.Duration(i) * s.Step)
		day := math.Sin(2 * math.Pi * float64(i) / float64(n))
		for k, id := range ids {
			for j, m := range instanceMetrics {
				d(m, ts, value(m, k, j, day), "DBInstanceIdentifier", id)
			}
			if k == 0 {
				d("AuroraReplicaLagMaximum", ts, 20+5*day, "DBInstanceIdentifier", id)
			} else {
				d("AuroraReplicaLag", ts, 15+5*day+float64(k), "DBInstanceIdentifier", id)
			}
		}
		d("VolumeBytesUsed", ts, 50e9+float64(i)*1e6, "DBClusterIdentifier", s.ID)
	}
	if len(data) > 0 {
		awstest.SeedMetricData(t, cfg, "AWS/RDS", data...)
	}

	// slow log: one stream per instance
	stmts := s.Statements
	if len(stmts) == 0 {
		stmts = []string{
			"SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 50;",
			"UPDATE inventory SET qty = qty - 1 WHERE sku = 'A-100';",
			"SELECT region, SUM(total) FROM orders WHERE created_at > '2026-01-01' GROUP BY region;",
		}
	}
	slow := map[string][]logtypes.InputLogEvent{}
	for i := 0; i < s.SlowLog; i++ {
		at := start.Add(time.Duration(i+1) * s.Span / time.Duration(s.SlowLog+1)).Truncate(time.Millisecond)
		id := ids[i%len(ids)]
		msg := fmt.Sprintf("# Time: %s\n# User@Host: app[app] @  [10.0.1.%d]  Id: %d\n# Query_time: %.6f  Lock_time: 0.000100 Rows_sent: %d  Rows_examined: %d\nSET timestamp=%d;\n%s",
			at.UTC().Format("2006-01-02T15:04:05.000000Z"), 10+i%50, 1000+i, 1.0+float64(i%7)/2, i%20, 1000*(1+i%9), at.Unix(), stmts[i%len(stmts)])
		slow[id] = append(slow[id], logtypes.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg)})
	}
	for _, id := range ids {
		awstest.SeedLogEvents(t, cfg, "/aws/rds/cluster/"+s.ID+"/slowquery", id, slow[id]...)
	}
	errs := map[string][]logtypes.InputLogEvent{}
	for i := 0; i < s.ErrorLog; i++ {
		at := start.Add(time.Duration(i+1) * s.Span / time.Duration(s.ErrorLog+1)).Truncate(time.Millisecond)
		id := ids[i%len(ids)]
		var msg string
		if len(s.Messages) > 0 {
			msg = at.UTC().Format("2006-01-02T15:04:05.000000Z") + fmt.Sprintf(" %d [Warning] [MY-010055] [Server] ", i) + strings.ReplaceAll(s.Messages[i%len(s.Messages)], "%d", fmt.Sprint(i))
		} else if i%6 == 0 {
			msg = at.UTC().Format("2006-01-02T15:04:05.000000Z") + " 0 [Warning] [MY-010908] [Server] Too many connections"
		} else {
			msg = fmt.Sprintf("%s %d [Note] [MY-010914] [Server] Aborted connection %d to db: 'orders' user: 'app' host: '10.0.3.%d' (Got timeout reading communication packets).",
				at.UTC().Format("2006-01-02T15:04:05.000000Z"), 100+i, 100+i, i%200)
		}
		errs[id] = append(errs[id], logtypes.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg)})
	}
	for _, id := range ids {
		awstest.SeedLogEvents(t, cfg, "/aws/rds/cluster/"+s.ID+"/error", id, errs[id]...)
	}

	cw := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchJSON())
	ctx := t.Context()
	for _, a := range []struct{ name, metric, dimName, dimValue string }{
		{s.ID + "-writer-cpu", "CPUUtilization", "DBInstanceIdentifier", ids[0]},
		{s.ID + "-freeable-memory", "FreeableMemory", "DBInstanceIdentifier", ids[0]},
	} {
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(a.name), Namespace: aws.String("AWS/RDS"),
			MetricName: aws.String(a.metric), Dimensions: []cwtypes.Dimension{{Name: aws.String(a.dimName), Value: aws.String(a.dimValue)}},
			Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), Threshold: aws.Float64(90),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}); err != nil {
			t.Fatalf("faultproxy.SeedCluster: PutMetricAlarm %s: %v", a.name, err)
		}
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(s.ID + "-writer-cpu"), StateValue: cwtypes.StateValueAlarm,
		StateReason: aws.String("Threshold Crossed: 5 datapoints were greater than the threshold (90.0)")}); err != nil {
		t.Fatalf("faultproxy.SeedCluster: SetAlarmState: %v", err)
	}
	return ids
}

func value(metric string, member, j int, day float64) float64 {
	base := map[string]float64{"CPUUtilization": 35, "FreeableMemory": 8e9, "DatabaseConnections": 120, "ReadIOPS": 900,
		"WriteIOPS": 400, "ReadLatency": 0.002, "WriteLatency": 0.003, "BufferCacheHitRatio": 99.5, "Deadlocks": 0,
		"SwapUsage": 0, "DMLLatency": 4, "SelectLatency": 1.5, "CommitLatency": 3, "AuroraReplicaLag": 15,
		"AuroraReplicaLagMaximum": 20, "VolumeBytesUsed": 50e9, "DBLoad": 1.5, "DBLoadCPU": 1, "DBLoadNonCPU": 0.5}[metric]
	if metric == "BufferCacheHitRatio" || metric == "Deadlocks" || metric == "SwapUsage" {
		return base
	}
	return base * (1 + 0.3*day + 0.05*float64(member) + 0.01*float64(j))
}

// MotoGaps are stubs for what a full check calls that moto does not implement (Performance Insights,
// CloudTrail LookupEvents, AWS Health, DescribePendingMaintenanceActions, DescribeDBRecommendations,
// DescribeDBParameters, DescribeAlarmHistory): small, valid AWS answers around now, so those sections run
// their real request sequence over the wire.
func MotoGaps(now time.Time) []Stub {
	start := now.Add(-24 * time.Hour).Truncate(time.Hour)
	var pts, cpu []string
	for i := 0; i < 24; i++ {
		ts := start.Add(time.Duration(i) * time.Hour).Unix()
		pts = append(pts, fmt.Sprintf(`{"Timestamp":%d,"Value":%.1f}`, ts, 1.5+float64(i%6)/2))
		cpu = append(cpu, fmt.Sprintf(`{"Timestamp":%d,"Value":%.1f}`, ts, 1.0+float64(i%6)/4))
	}
	metricsBody := fmt.Sprintf(`{"AlignedStartTime":%d,"AlignedEndTime":%d,"Identifier":"db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U","MetricList":[`+
		`{"Key":{"Metric":"db.load.avg"},"DataPoints":[%s]},`+
		`{"Key":{"Metric":"db.load.avg","Dimensions":{"db.wait_event.name":"CPU","db.wait_event.type":"CPU"}},"DataPoints":[%s]}]}`,
		start.Unix(), now.Unix(), strings.Join(pts, ","), strings.Join(cpu, ","))
	keysBody := fmt.Sprintf(`{"AlignedStartTime":%d,"AlignedEndTime":%d,"PartitionKeys":[{"Dimensions":{"db.wait_event.name":"CPU","db.wait_event.type":"CPU"}}],`+
		`"Keys":[{"Dimensions":{"db.sql_tokenized.id":"A1C5E0F3B9D24C7E8F6A0B1C2D3E4F50","db.sql_tokenized.statement":"SELECT * FROM orders WHERE customer_id = ?"},"Total":1.2,"Partitions":[1.2]}]}`,
		start.Unix(), now.Unix())
	rdsEmpty := func(op, inner string) string {
		return fmt.Sprintf(`<%[1]sResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>faultproxy</RequestId></ResponseMetadata></%[1]sResponse>`, op, inner)
	}
	return []Stub{
		{Op: "pi:GetResourceMetrics", Body: metricsBody},
		{Op: "pi:DescribeDimensionKeys", Body: keysBody},
		{Op: "pi:GetDimensionKeyDetails", Body: `{"Dimensions":[]}`},
		{Op: "cloudtrail:LookupEvents", Body: `{"Events":[]}`},
		{Op: "health:DescribeEvents", Body: `{"events":[]}`},
		{Op: "health:DescribeEventDetails", Body: `{"successfulSet":[],"failedSet":[]}`},
		{Op: "health:DescribeAffectedEntities", Body: `{"entities":[]}`},
		{Op: "rds:DescribePendingMaintenanceActions", Body: rdsEmpty("DescribePendingMaintenanceActions", "<PendingMaintenanceActions/>")},
		{Op: "rds:DescribeDBRecommendations", Body: rdsEmpty("DescribeDBRecommendations", "<DBRecommendations/>")},
		{Op: "rds:DescribeDBParameters", Body: rdsEmpty("DescribeDBParameters", "<Parameters/>")},
		{Op: "monitoring:DescribeAlarmHistory", Body: `{"AlarmHistoryItems":[]}`},
	}
}

// EnablePI is a Rewrite that turns Performance Insights on in moto's DescribeDBInstances answers (moto
// never returns the PI fields), so the database-load section makes its real calls.
func EnablePI(op string, body []byte) []byte {
	if op != "rds:DescribeDBInstances" {
		return nil
	}
	return []byte(strings.ReplaceAll(string(body), "<DBInstance>",
		"<DBInstance><PerformanceInsightsEnabled>true</PerformanceInsightsEnabled><PerformanceInsightsRetentionPeriod>7</PerformanceInsightsRetentionPeriod>"))
}

// MetricData answers CloudWatch GetMetricData (awsJson 1.0, as with CloudWatchProtocol "json") with a
// smooth daily series per query at the requested period: every query gets a full series. It stands in for
// moto's GetMetricData, which buckets by scanning every stored datapoint for every query and every
// period (a 24-hour check at 1-minute periods takes minutes there).
func MetricData() Stub {
	return Stub{Op: "monitoring:GetMetricData", Func: func(body []byte) []byte {
		var in struct {
			MetricDataQueries []struct {
				ID         string `json:"Id"`
				MetricStat struct {
					Metric struct{ MetricName string }
					Period int64
				}
			}
			StartTime, EndTime float64
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return []byte(`{"MetricDataResults":[]}`)
		}
		type result struct {
			ID         string    `json:"Id"`
			Label      string    `json:"Label"`
			Timestamps []int64   `json:"Timestamps"`
			Values     []float64 `json:"Values"`
			StatusCode string    `json:"StatusCode"`
		}
		out := struct {
			MetricDataResults []result `json:"MetricDataResults"`
		}{MetricDataResults: []result{}}
		for qi, q := range in.MetricDataQueries {
			period := max(q.MetricStat.Period, 60)
			start := int64(in.StartTime) / period * period
			r := result{ID: q.ID, Label: q.MetricStat.Metric.MetricName, StatusCode: "Complete"}
			n := (int64(in.EndTime) - start) / period
			for i := n - 1; i >= 0; i-- { // TimestampDescending, as AWS
				ts := start + i*period
				day := math.Sin(2 * math.Pi * float64(ts%86400) / 86400)
				r.Timestamps = append(r.Timestamps, ts)
				r.Values = append(r.Values, value(q.MetricStat.Metric.MetricName, qi%3, qi, day))
			}
			out.MetricDataResults = append(out.MetricDataResults, r)
		}
		b, _ := json.Marshal(out)
		return b
	}}
}
