package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func window(t *testing.T, since string) timewin.Window {
	t.Helper()
	w, err := timewin.Resolve(timewin.Input{Since: since, Timezone: "UTC"}, timewin.Options{Now: now, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestPlanBatchesAndExactQueries(t *testing.T) {
	var reqs []Request
	for i := 0; i < 50; i++ {
		for j := 0; j < 12; j++ {
			id := fmt.Sprintf("db-%02d", i)
			reqs = append(reqs, Request{Key: fmt.Sprintf("%s/m%d", id, j), MetricName: fmt.Sprintf("M%d", j), Dimensions: InstanceDims(id), Stat: "Average"})
		}
	}
	start, end := now.Add(-24*time.Hour), now
	inputs, keys := Plan(reqs, start, end, 60)
	if len(inputs) != 2 || len(inputs[0].MetricDataQueries) != 500 || len(inputs[1].MetricDataQueries) != 100 {
		t.Fatalf("600 series planned into %d calls", len(inputs))
	}
	k := 0
	for b, in := range inputs {
		if !in.StartTime.Equal(start) || !in.EndTime.Equal(end) || in.ScanBy != cwtypes.ScanByTimestampAscending || in.NextToken != nil {
			t.Errorf("batch %d: %+v", b, in)
		}
		ids := map[string]bool{}
		for i, q := range in.MetricDataQueries {
			r := reqs[k]
			k++
			id := aws.ToString(q.Id)
			if ids[id] || id != fmt.Sprintf("q%d", i) || keys[b][i] != r.Key {
				t.Fatalf("batch %d query %d: id %q key %q", b, i, id, keys[b][i])
			}
			ids[id] = true
			ms := q.MetricStat
			if aws.ToString(ms.Metric.Namespace) != "AWS/RDS" || aws.ToString(ms.Metric.MetricName) != r.MetricName ||
				aws.ToInt32(ms.Period) != 60 || aws.ToString(ms.Stat) != "Average" || !aws.ToBool(q.ReturnData) ||
				len(ms.Metric.Dimensions) != 1 || aws.ToString(ms.Metric.Dimensions[0].Name) != "DBInstanceIdentifier" ||
				aws.ToString(ms.Metric.Dimensions[0].Value) != r.Dimensions[0].Value {
				t.Fatalf("query %d: %+v", i, ms)
			}
		}
	}
	// and through Fetch: exactly two requests
	f := &fakeCW{data: map[string]func(time.Time) (float64, bool){}}
	got, err := Fetch(context.Background(), f, reqs, start, end, 60)
	if err != nil || got.Calls != 2 || got.Batches != 2 || len(f.sent) != 2 || len(got.Series) != 600 {
		t.Fatalf("Fetch: calls=%d batches=%d sent=%d series=%d err=%v", got.Calls, got.Batches, len(f.sent), len(got.Series), err)
	}
}

func TestAlign(t *testing.T) {
	s, e := Align(time.Date(2026, 11, 22, 9, 7, 31, 0, time.UTC), time.Date(2026, 11, 22, 10, 0, 1, 0, time.UTC), 300)
	if !s.Equal(time.Date(2026, 11, 22, 9, 5, 0, 0, time.UTC)) || !e.Equal(time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)) {
		t.Fatalf("Align = %v %v", s, e)
	}
	s, e = Align(now, now.Add(time.Hour), 60)
	if !s.Equal(now) || !e.Equal(now.Add(time.Hour)) {
		t.Fatalf("aligned input changed: %v %v", s, e)
	}
}

func TestFetchFollowsNextTokenAndSurfacesMessages(t *testing.T) {
	f := &fakeCW{
		data: map[string]func(time.Time) (float64, bool){
			"CPUUtilization|DBInstanceIdentifier=a": func(t time.Time) (float64, bool) { return float64(t.Minute()), true },
			"CPUUtilization|DBInstanceIdentifier=b": func(t time.Time) (float64, bool) { return 1, t.Minute()%2 == 0 },
		},
		pageSize: 70,
		messages: []cwtypes.MessageData{{Code: aws.String("MaxMetricsExceeded"), Value: aws.String("Maximum number of allowed metrics exceeded")}},
	}
	reqs := []Request{
		{Key: "a", MetricName: "CPUUtilization", Dimensions: InstanceDims("a"), Stat: "Average"},
		{Key: "b", MetricName: "CPUUtilization", Dimensions: InstanceDims("b"), Stat: "Average"},
	}
	got, err := Fetch(context.Background(), f, reqs, now.Add(-2*time.Hour), now, 60)
	if err != nil {
		t.Fatal(err)
	}
	// 120 + 60 points at 70 a page → 3 requests, the later ones with the token
	if got.Calls != 3 || aws.ToString(f.sent[1].NextToken) != "p70" || aws.ToString(f.sent[2].NextToken) != "p140" {
		t.Fatalf("calls=%d tokens=%v,%v", got.Calls, f.sent[1].NextToken, f.sent[2].NextToken)
	}
	a, b := got.Series["a"], got.Series["b"]
	if len(a.Values) != 120 || len(b.Values) != 60 || a.Status != "Complete" || !sort.SliceIsSorted(a.Timestamps, func(i, j int) bool { return a.Timestamps[i].Before(a.Timestamps[j]) }) {
		t.Fatalf("a=%d b=%d status=%s", len(a.Values), len(b.Values), a.Status)
	}
	if len(got.Messages) != 1 || !strings.Contains(got.Messages[0], "MaxMetricsExceeded") {
		t.Errorf("messages = %v", got.Messages)
	}
}

// writerCPU is the planted writer series: 50% with a 40-minute spike to 95% starting at spike.
func plantedFake(spike time.Time) *fakeCW {
	return &fakeCW{data: map[string]func(time.Time) (float64, bool){
		"CPUUtilization|DBInstanceIdentifier=w": func(t time.Time) (float64, bool) {
			if !t.Before(spike) && t.Before(spike.Add(40*time.Minute)) {
				return 95, true
			}
			return 40 + float64(t.Minute()%7), true
		},
		"CPUUtilization|DBInstanceIdentifier=r1":   func(t time.Time) (float64, bool) { return 10 + float64(t.Minute()%5), true },
		"CPUUtilization|DBInstanceIdentifier=r2":   func(t time.Time) (float64, bool) { return 12 + float64(t.Minute()%3), true },
		"FreeableMemory|DBInstanceIdentifier=w":    func(time.Time) (float64, bool) { return 4 << 30, true },
		"FreeableMemory|DBInstanceIdentifier=r1":   func(time.Time) (float64, bool) { return 8 << 30, true },
		"FreeableMemory|DBInstanceIdentifier=r2":   func(time.Time) (float64, bool) { return 8 << 30, true },
		"ReadLatency|DBInstanceIdentifier=w":       func(time.Time) (float64, bool) { return 0.002, true },
		"AuroraReplicaLag|DBInstanceIdentifier=r1": func(time.Time) (float64, bool) { return 20, true },
		"AuroraReplicaLag|DBInstanceIdentifier=r2": func(time.Time) (float64, bool) { return 25, true },
		"VolumeBytesUsed|DBClusterIdentifier=c1":   func(t time.Time) (float64, bool) { return 100e9 + float64(t.Sub(now).Hours())*1e9, true },
	}}
}

func TestCollectDefaultSet(t *testing.T) {
	spike := now.Add(-5 * time.Hour)
	f := plantedFake(spike)
	tp := topo("aurora-mysql", "db.r6g.large", "w", "r1", "r2")
	w := window(t, "24h")
	r, err := Collect(context.Background(), f, tp, w, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 1 || r.Calls != 1 || r.PeriodS != 60 {
		t.Fatalf("sent %d requests, period %d", len(f.sent), r.PeriodS)
	}
	in := f.sent[0]
	if !in.StartTime.Equal(now.Add(-24*time.Hour)) || !in.EndTime.Equal(now) {
		t.Errorf("window sent: %v → %v", in.StartTime, in.EndTime)
	}
	// exact SDK inputs: role-aware instance queries with one dimension, two cluster queries
	perMember := map[string][]string{}
	for _, q := range in.MetricDataQueries {
		ms := q.MetricStat
		if len(ms.Metric.Dimensions) != 1 || aws.ToInt32(ms.Period) != 60 || aws.ToString(ms.Stat) != "Average" {
			t.Fatalf("query %+v", ms)
		}
		d := ms.Metric.Dimensions[0]
		perMember[aws.ToString(d.Name)+"="+aws.ToString(d.Value)] = append(perMember[aws.ToString(d.Name)+"="+aws.ToString(d.Value)], aws.ToString(ms.Metric.MetricName))
	}
	wantWriter := "CPUUtilization FreeableMemory DatabaseConnections ReadIOPS WriteIOPS ReadLatency WriteLatency BufferCacheHitRatio Deadlocks AuroraReplicaLagMaximum CommitLatency DMLLatency SelectLatency"
	wantReader := strings.Replace(wantWriter, "AuroraReplicaLagMaximum", "AuroraReplicaLag", 1)
	if got := strings.Join(perMember["DBInstanceIdentifier=w"], " "); got != wantWriter {
		t.Errorf("writer queries:\n got %s\nwant %s", got, wantWriter)
	}
	if got := strings.Join(perMember["DBInstanceIdentifier=r1"], " "); got != wantReader {
		t.Errorf("reader queries:\n got %s\nwant %s", got, wantReader)
	}
	if got := strings.Join(perMember["DBClusterIdentifier=c1"], " "); got != "VolumeBytesUsed AuroraVolumeBytesLeftTotal" {
		t.Errorf("cluster queries: %s", got)
	}
	if r.Queries != len(in.MetricDataQueries) || r.Queries != 13*3+2 {
		t.Errorf("queries = %d", r.Queries)
	}

	// statistics equal an independent computation over the same buckets
	var vals []float64
	maxAt := time.Time{}
	for tm := now.Add(-24 * time.Hour); tm.Before(now); tm = tm.Add(time.Minute) {
		v, _ := f.data["CPUUtilization|DBInstanceIdentifier=w"](tm)
		vals = append(vals, v)
		if v == 95 && maxAt.IsZero() {
			maxAt = tm
		}
	}
	cpu := find(t, r, "w", "cpu_pct")
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	if cpu.Points != 1440 || cpu.Min != sorted[0] || cpu.Max != 95 || !cpu.MaxAt.Equal(maxAt) || math.Abs(cpu.Avg-sum/1440) > 1e-9 ||
		math.Abs(cpu.P95-Percentile(sorted, 0.95)) > 1e-9 || cpu.Last != vals[len(vals)-1] || cpu.Coverage != 1 {
		t.Errorf("writer cpu stats: %+v", cpu.Stats)
	}
	// the planted spike is the anomaly, ±1 period
	if len(cpu.Anomalies) == 0 || cpu.Anomalies[0].Start.Sub(spike).Abs() > time.Minute || cpu.Anomalies[0].Direction != "high" {
		t.Errorf("anomalies: %+v", cpu.Anomalies)
	}
	if len(r.Episodes) != 1 || r.Episodes[0].Start.Sub(spike).Abs() > time.Minute || r.Episodes[0].Entries[0].Target != "w" {
		t.Errorf("episodes: %+v", r.Episodes)
	}
	// units: seconds → ms, memory as % of the class (db.r6g.large = 16 GiB)
	if rl := find(t, r, "w", "read_latency_ms"); rl.Avg != 2 || rl.Unit != "ms" {
		t.Errorf("read latency: %+v", rl.Stats)
	}
	if fm := find(t, r, "w", "freeable_memory_bytes"); fm.MemoryPct == nil || fm.MemoryPct.Avg != 25 {
		t.Errorf("memory pct: %+v", fm.MemoryPct)
	}
	if len(r.Cluster) != 1 || r.Cluster[0].Metric != "volume_used_bytes" || math.Abs(r.Cluster[0].Trend.SlopePerHour-1e9) > 1 {
		t.Errorf("cluster metrics: %+v", r.Cluster)
	}
	// absent metrics, with the reason
	abs := map[string]string{}
	for _, m := range r.Members {
		for _, a := range m.Absent {
			abs[m.ID+"/"+a.CloudWatchMetric] = a.Reason
		}
	}
	for k, want := range map[string]string{
		"w/AuroraReplicaLag":         "readers (replicas) only",
		"r1/AuroraReplicaLagMaximum": "writer only",
		"w/DBLoad":                   "Performance Insights is off",
		"w/SwapUsage":                "db.t* classes only",
		"w/ACUUtilization":           "Serverless v2",
		"w/ReadIOPS":                 "no datapoints in the window (documented for Aurora PostgreSQL",
		"r2/Deadlocks":               "no datapoints in the window",
	} {
		if !strings.Contains(abs[k], want) {
			t.Errorf("absent %s = %q, want %q", k, abs[k], want)
		}
	}
	hints := strings.Join(r.Hints, "\n")
	for _, want := range []string{
		"AuroraReplicaLag not queried on w: published by Aurora readers (replicas) only",
		"AuroraReplicaLagMaximum not queried on r1, r2: published by the Aurora writer only",
		"DBLoad, DBLoadCPU, DBLoadNonCPU not queried on every member: Performance Insights is off",
		"AuroraVolumeBytesLeftTotal returned no datapoints in the window on c1",
	} {
		if !strings.Contains(hints, want) {
			t.Errorf("hints lack %q:\n%s", want, hints)
		}
	}
	// the writer stands out on CPU
	var cmp *Comparison
	for i := range r.Comparisons {
		if r.Comparisons[i].Metric == "cpu_pct" {
			cmp = &r.Comparisons[i]
		}
	}
	if cmp == nil || cmp.Outlier != "w" || !cmp.StandsOut || cmp.Writer != "w" || cmp.Ratio < 3 || math.Abs(cmp.ReadersAvg-(cmp.OthersAvg)) > 1e-9 {
		t.Errorf("comparison: %+v", cmp)
	}
	for _, c := range r.Comparisons {
		if c.Metric == "freeable_memory_pct" && (c.Outlier != "w" || !c.StandsOut) {
			t.Errorf("memory comparison: %+v", c)
		}
	}
	// include_series: downsampled, keeps the spike
	r, err = Collect(context.Background(), f, tp, w, Options{Now: now, IncludeSeries: true, MaxPoints: 50, Metrics: []string{"cpu_pct"}, Instances: []string{"w"}})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Members[0].Metrics[0].Series
	if len(r.Members) != 1 || s == nil || len(s.Values) > 50 || slicesMax(s.Values) != 95 {
		t.Fatalf("series: %+v", s)
	}
}

func slicesMax(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

func find(t *testing.T, r Result, member, metric string) SeriesStats {
	t.Helper()
	for _, m := range r.Members {
		if m.ID != member {
			continue
		}
		for _, s := range m.Metrics {
			if s.Metric == metric {
				return s
			}
		}
	}
	t.Fatalf("no %s on %s", metric, member)
	return SeriesStats{}
}

func TestCollectPeriodsByAge(t *testing.T) {
	cases := []struct {
		since string
		check func(p int32) bool
	}{
		{"24h", func(p int32) bool { return p == 60 }},
		{"7d", func(p int32) bool { return p%60 == 0 && p*1440 >= 7*86400 }},
		{"30d", func(p int32) bool { return p%300 == 0 && p*1440 >= 30*86400 }},
		{"90d", func(p int32) bool { return p%3600 == 0 }},
	}
	for _, c := range cases {
		f := &fakeCW{data: map[string]func(time.Time) (float64, bool){
			"CPUUtilization|DBInstanceIdentifier=w": func(time.Time) (float64, bool) { return 1, true },
		}}
		w := window(t, c.since)
		r, err := Collect(context.Background(), f, topo("aurora-mysql", "db.r6g.large", "w"), w, Options{Now: now, Metrics: []string{"CPUUtilization"}})
		if err != nil {
			t.Fatal(err)
		}
		in := f.sent[0]
		p := aws.ToInt32(in.MetricDataQueries[0].MetricStat.Period)
		if !c.check(p) || p != r.PeriodS || in.StartTime.Unix()%int64(p) != 0 || in.EndTime.Unix()%int64(p) != 0 {
			t.Errorf("%s: period %d, start %v", c.since, p, in.StartTime)
		}
		if s := r.Members[0].Metrics[0]; s.Points == 0 || s.Points > 1441 {
			t.Errorf("%s: %d points", c.since, s.Points)
		}
	}
}

func TestCollect600SeriesInTwoCalls(t *testing.T) {
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("db-%02d", i)
	}
	names := []string{"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency",
		"WriteLatency", "BufferCacheHitRatio", "Deadlocks", "CommitLatency", "DMLLatency", "SelectLatency"}
	f := &fakeCW{data: map[string]func(time.Time) (float64, bool){}}
	r, err := Collect(context.Background(), f, topo("aurora-mysql", "db.r6g.large", ids...), window(t, "24h"), Options{Now: now, Metrics: names})
	if err != nil {
		t.Fatal(err)
	}
	if r.Queries != 600 || r.Calls != 2 || len(f.sent) != 2 || len(f.sent[0].MetricDataQueries) != 500 {
		t.Fatalf("queries %d calls %d", r.Queries, r.Calls)
	}
}

func TestCollectExplicitMetricsAndErrors(t *testing.T) {
	f := plantedFake(now.Add(-time.Hour))
	pg := topo("aurora-postgresql", "db.r6g.large", "w", "r1")
	r, err := Collect(context.Background(), f, pg, window(t, "6h"), Options{Now: now, Metrics: []string{"cpu_pct", "DMLLatency", "AuroraVolumeBytesLeftTotal"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Queries != 2 {
		t.Errorf("queried %d series, want CPU on 2 members only", r.Queries)
	}
	hints := strings.Join(r.Hints, "\n")
	if !strings.Contains(hints, "DMLLatency not queried on every member: not published for aurora-postgresql (published for aurora-mysql)") ||
		!strings.Contains(hints, "AuroraVolumeBytesLeftTotal not queried on c1: not published for aurora-postgresql") {
		t.Errorf("hints: %s", hints)
	}

	// a subset of members is listed by name, never as "every member"
	r, err = Collect(context.Background(), f, topo("aurora-mysql", "db.r6g.large", "w", "r1", "r2"), window(t, "6h"), Options{Now: now, Instances: []string{"w", "r1"}})
	if err != nil || !strings.Contains(strings.Join(r.Hints, "\n"), "DBLoad, DBLoadCPU, DBLoadNonCPU not queried on r1, w: Performance Insights is off") || len(r.Members) != 2 {
		t.Errorf("subset hints: %v %v", err, r.Hints)
	}

	var te *tools.Error
	_, err = Collect(context.Background(), f, pg, window(t, "6h"), Options{Now: now, Metrics: []string{"cpu"}})
	if !errors.As(err, &te) || !strings.Contains(te.Msg, `unknown metric "cpu"`) || !strings.Contains(te.Msg, "CPUUtilization") {
		t.Errorf("unknown metric: %v", err)
	}
	_, err = Collect(context.Background(), f, pg, window(t, "6h"), Options{Now: now, Instances: []string{"zz"}})
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "members: w, r1") {
		t.Errorf("unknown instance: %v", err)
	}

	denied := &fakeCW{fail: &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "GetMetricData",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}}}
	_, err = Collect(context.Background(), denied, pg, window(t, "6h"), Options{Now: now})
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || ce.Region != "us-east-1" || ce.Resource != "c1" {
		t.Fatalf("AWS error not wrapped: %v", err)
	}
	if c := awsclient.Classify(err); c == nil || !strings.Contains(c.Error(), "cloudwatch:GetMetricData") {
		t.Errorf("classified: %v", c)
	}
}
