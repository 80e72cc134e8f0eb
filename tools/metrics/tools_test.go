package metrics

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

func demoSession(t *testing.T) (*testkit.Session, *demo.Fleet) {
	f := demo.New(now)
	return testkit.Client(t, Tools(f, tools.Env{Now: func() time.Time { return now }})), f
}

func member(t *testing.T, out GetOutput, id string) MemberMetrics {
	t.Helper()
	for _, m := range out.Members {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no member %s", id)
	return MemberMetrics{}
}

func seriesOf(t *testing.T, m MemberMetrics, metric string) SeriesStats {
	t.Helper()
	for _, s := range m.Metrics {
		if s.Metric == metric {
			return s
		}
	}
	t.Fatalf("%s has no %s", m.ID, metric)
	return SeriesStats{}
}

func within(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func TestGetInstanceMetricsDemoIncident(t *testing.T) {
	s, f := demoSession(t)
	inc := f.Incident
	res := s.Call("get_instance_metrics", map[string]any{"cluster_id": "orders-prod"})
	var out GetOutput
	testkit.Decode(t, res, &out)
	if out.Calls != 1 || out.PeriodS != 60 || len(out.Members) != 3 || out.Region != "ap-northeast-2" || out.Window.DurationS != 86400 {
		t.Fatalf("calls %d period %d members %d", out.Calls, out.PeriodS, len(out.Members))
	}
	// the storm: ~95% CPU on the writer of the moment — orders-prod-2 before the failover, orders-prod-1 after
	old, cur := member(t, out, inc.OldWriter), member(t, out, inc.Writer)
	if c := seriesOf(t, old, "cpu_pct"); c.Max < 90 || !within(c.MaxAt, inc.Start, inc.FailoverAt) {
		t.Errorf("old writer CPU max %.1f at %v", c.Max, c.MaxAt)
	}
	if c := seriesOf(t, cur, "cpu_pct"); c.Max < 90 || !within(c.MaxAt, inc.FailoverAt, inc.End) {
		t.Errorf("new writer CPU max %.1f at %v", c.Max, c.MaxAt)
	}
	if m := seriesOf(t, old, "freeable_memory_bytes"); m.MemoryPct == nil || m.MemoryPct.Min > 10 || !within(m.MinAt, inc.Start, inc.End) {
		t.Errorf("memory dip: %+v at %v", m.MemoryPct, m.MinAt)
	}
	if c := seriesOf(t, old, "connections"); c.Max < 500 || !within(c.MaxAt, inc.Start, inc.End) {
		t.Errorf("connection surge: %.0f at %v", c.Max, c.MaxAt)
	}
	// replica lag spike on the lagging reader, found as an anomaly starting with the storm (±1 period)
	lag := seriesOf(t, member(t, out, inc.LaggingReader), "replica_lag_ms")
	if lag.Max < 3000 || len(lag.Anomalies) == 0 || lag.Anomalies[0].Start.Sub(inc.Start).Abs() > time.Minute {
		t.Errorf("replica lag: max %.0f anomalies %+v", lag.Max, lag.Anomalies)
	}
	// the failover leaves a gap on both writers; AuroraReplicaLagMaximum only while orders-prod-1 is writer
	if mx := seriesOf(t, cur, "replica_lag_max_ms"); mx.Coverage > 0.4 || mx.Max < 3000 {
		t.Errorf("replica_lag_max_ms coverage %.2f max %.0f", mx.Coverage, mx.Max)
	}
	if len(out.Episodes) == 0 {
		t.Fatal("no anomaly episode")
	}
	ep := out.Episodes[0]
	for _, e := range out.Episodes {
		if e.Score > ep.Score {
			ep = e
		}
	}
	if ep.Start.Sub(inc.Start).Abs() > time.Minute || ep.End.Before(inc.End.Add(-5*time.Minute)) || ep.End.After(inc.End.Add(30*time.Minute)) {
		t.Errorf("strongest episode %v → %v, incident %v → %v", ep.Start, ep.End, inc.Start, inc.End)
	}
	hints := strings.Join(out.Hints, "\n")
	for _, want := range []string{
		"AuroraReplicaLag not queried on orders-prod-1",
		"SwapUsage not queried on every member: Aurora MySQL publishes it for db.t* classes only",
		"failover",
	} {
		if !strings.Contains(hints, want) {
			t.Errorf("hints lack %q:\n%s", want, hints)
		}
	}
	text := testkit.Text(res)
	if len(text) > 12*1024 {
		t.Errorf("text is %d bytes, over 12 KB", len(text))
	}
	for _, want := range []string{"| cpu_pct | orders-prod-1 (W) |", "Anomaly episodes", "replica_lag_ms", "orders-prod (cluster)", "NEXT: analyze_metric"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestGetInstanceMetricsDemoOtherClusters(t *testing.T) {
	s, f := demoSession(t)
	var out GetOutput
	testkit.Decode(t, s.Call("get_instance_metrics", map[string]any{"cluster_id": "billing-pg", "since": "7d", "metrics": []string{"VolumeBytesUsed", "cpu_pct"}}), &out)
	bp := f.Cluster("billing-pg")
	if len(out.Cluster) != 1 || math.Abs(out.Cluster[0].Trend.SlopePerHour-bp.StorageGrowthPerDay/24)/(bp.StorageGrowthPerDay/24) > 0.01 {
		t.Errorf("billing-pg storage growth: %+v", out.Cluster)
	}
	if len(out.Episodes) != 0 {
		t.Errorf("billing-pg is calm, got episodes %+v", out.Episodes)
	}
	res := s.Call("get_instance_metrics", map[string]any{"cluster_id": "legacy-mysql", "include_series": true, "max_points": 20})
	testkit.Decode(t, res, &out)
	m := member(t, out, "legacy-mysql")
	if fs := seriesOf(t, m, "free_storage_bytes"); fs.Series == nil || len(fs.Series.Values) > 20 || fs.Min < 50<<30 {
		t.Errorf("free storage: %+v", fs.Stats)
	}
	found := false
	for _, a := range m.Absent {
		found = found || (a.CloudWatchMetric == "ReplicaLag" && a.Queried && strings.Contains(a.Reason, "read replicas"))
	}
	if !found || !strings.Contains(testkit.Text(res), "Series (downsampled") {
		t.Errorf("legacy-mysql absent %+v", m.Absent)
	}
	// 30 days: a 300-s multiple period, and data
	testkit.Decode(t, s.Call("get_instance_metrics", map[string]any{"cluster_id": "orders-prod", "since": "30d", "metrics": []string{"cpu_pct"}}), &out)
	if out.PeriodS%300 != 0 || seriesOf(t, out.Members[0], "cpu_pct").Points < 1000 {
		t.Errorf("30d: period %d", out.PeriodS)
	}
}

func TestAnalyzeMetricDemo(t *testing.T) {
	s, f := demoSession(t)
	inc := f.Incident
	var out AnalyzeOutput
	res := s.Call("analyze_metric", map[string]any{"instance_id": inc.LaggingReader, "metric": "AuroraReplicaLag", "include_series": true})
	testkit.Decode(t, res, &out)
	if out.ClusterID != "orders-prod" || out.Target != inc.LaggingReader || out.Calls != 1 || out.Previous == nil || out.Series == nil {
		t.Fatalf("analysis: %+v", out.Analysis)
	}
	if len(out.Anomalies) == 0 || out.Anomalies[0].Start.Sub(inc.Start).Abs() > time.Minute || out.Change == nil {
		t.Errorf("anomalies %+v", out.Anomalies)
	}
	text := testkit.Text(res)
	for _, want := range []string{"replica_lag_ms on orders-prod-3 (reader", "previous", "Anomalies (1 of 1", "Series (120 points"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	testkit.Decode(t, s.Call("analyze_metric", map[string]any{"cluster_id": "orders-prod", "metric": "cpu_pct", "since": "7d"}), &out)
	if out.Target != "orders-prod-1" || out.Seasonality == nil || out.Seasonality.Timezone != "Asia/Seoul" || out.Seasonality.Strength < 0.3 {
		t.Errorf("7d writer CPU: target %s seasonality %+v", out.Target, out.Seasonality)
	}
	if len(out.ChangePoints) == 0 || out.ChangePoints[0].At.Sub(inc.FailoverAt).Abs() > 30*time.Minute {
		t.Errorf("the failover is a level shift on orders-prod-1's CPU: %+v", out.ChangePoints)
	}
}

func TestToolErrors(t *testing.T) {
	s, _ := demoSession(t)
	cases := []struct {
		tool string
		args any
		want []string
	}{
		{"get_instance_metrics", `{"cluster_id":"orders-prod","bogus":1}`, []string{`unknown argument "bogus"`, "valid arguments: cluster_id (string, required), region (string), since (string), start (string), end (string), timezone (string), metrics (string[]), instances (string[]), include_series (boolean), max_points (integer)"}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","max_points":"many"}`, []string{`"max_points" must be an integer`}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","max_points":5}`, []string{`"max_points" must be ≥ 10`}},
		{"get_instance_metrics", `{}`, []string{`missing required argument "cluster_id"`}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","metrics":["cpu"]}`, []string{`unknown metric "cpu"`, "CPUUtilization"}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","instances":["orders-prod-9"]}`, []string{"members: orders-prod-1, orders-prod-2, orders-prod-3"}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","since":"yesterday"}`, []string{`since "yesterday" is not a duration`}},
		{"get_instance_metrics", `{"cluster_id":"orders-prod","timezone":"Mars/Olympus"}`, []string{"not an IANA time zone"}},
		{"get_instance_metrics", `{"cluster_id":"nope"}`, []string{"ap-northeast-2", "list_clusters"}},
		{"analyze_metric", `{"metric":"cpu_pct"}`, []string{"send cluster_id or instance_id"}},
		{"analyze_metric", `{"cluster_id":"orders-prod"}`, []string{`missing required argument "metric"`}},
		{"analyze_metric", `{"cluster_id":"billing-pg","instance_id":"orders-prod-1","metric":"cpu_pct"}`, []string{"belongs to orders-prod, not billing-pg"}},
		{"analyze_metric", `{"cluster_id":"orders-prod","metric":"AuroraReplicaLag"}`, []string{"readers (replicas) only", "send instance_id orders-prod-2 or orders-prod-3"}},
		{"analyze_metric", `{"instance_id":"legacy-mysql","metric":"DBLoad"}`, []string{"Performance Insights is off"}},
	}
	for _, c := range cases {
		text := testkit.ErrorText(t, s.Call(c.tool, c.args))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s %s: %q lacks %q", c.tool, c.args, text, w)
			}
		}
	}
}

// failingCW wraps the demo fleet with a CloudWatch that refuses GetMetricData.
type failingCW struct{ awsclient.Clients }

func (f failingCW) CloudWatch(string) awsclient.CloudWatchAPI { return deniedCW{} }

type deniedCW struct{ awsclient.CloudWatchAPI }

func (deniedCW) GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "GetMetricData",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::1:user/x is not authorized to perform: cloudwatch:GetMetricData"}}
}

func TestAWSFailureIsToolError(t *testing.T) {
	s := testkit.Client(t, Tools(failingCW{demo.New(now)}, tools.Env{Now: func() time.Time { return now }}))
	for _, call := range []struct {
		tool string
		args map[string]any
	}{
		{"get_instance_metrics", map[string]any{"cluster_id": "orders-prod"}},
		{"analyze_metric", map[string]any{"cluster_id": "orders-prod", "metric": "cpu_pct"}},
	} {
		text := testkit.ErrorText(t, s.Call(call.tool, call.args))
		for _, w := range []string{"AccessDenied", "cloudwatch:GetMetricData", "ap-northeast-2", "orders-prod"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q lacks %q", call.tool, text, w)
			}
		}
	}
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
		var in map[string]any
		if err := json.Unmarshal(tl.Def.RawInputSchema, &in); err != nil || in["type"] != "object" || in["additionalProperties"] != false {
			t.Errorf("%s input schema root: %v", tl.Name, in)
		}
		if !tl.ReadOnly || tl.Destructive || !tl.Idempotent || !tl.OpenWorld || !strings.Contains(tl.Description, "NEXT:") {
			t.Errorf("%s spec: %+v", tl.Name, tl.Spec)
		}
	}
}
