package metrics

import (
	"math"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// countingHTTP counts GetMetricData requests on the wire (awsJson: X-Amz-Target names the operation).
type countingHTTP struct {
	next aws.HTTPClient
	gmd  atomic.Int32
}

func (c *countingHTTP) Do(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetMetricData") {
		c.gmd.Add(1)
	}
	return c.next.Do(r)
}

// motoClients serves the real SDK clients against moto (CloudWatch over awsJson, as moto has no CBOR).
type motoClients struct {
	awsclient.Clients
	rds *rds.Client
	cw  *cloudwatch.Client
}

func (m motoClients) DefaultRegion() string                     { return "us-east-1" }
func (m motoClients) RDS(string) awsclient.RDSAPI               { return m.rds }
func (m motoClients) CloudWatch(string) awsclient.CloudWatchAPI { return m.cw }

func motoSetup(t *testing.T) (aws.Config, *countingHTTP, motoClients) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, "us-east-1")
	counting := &countingHTTP{next: cfg.HTTPClient}
	cwCfg := cfg.Copy()
	cwCfg.HTTPClient = counting
	return cfg, counting, motoClients{rds: rds.NewFromConfig(cfg), cw: cloudwatch.NewFromConfig(cwCfg, awstest.CloudWatchJSON())}
}

func datum(name string, ts time.Time, v float64, dims ...string) cwtypes.MetricDatum {
	d := cwtypes.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(ts), Value: aws.Float64(v)}
	for i := 0; i+1 < len(dims); i += 2 {
		d.Dimensions = append(d.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return d
}

// wireCPU is the seeded CPU of instance k at minute i.
func wireCPU(k, i int) float64 {
	v := 20 + 8*float64(k) + 10*math.Sin(float64(i)/90) + float64((i*7+k*3)%11)
	if k == 0 && i >= 900 && i < 940 {
		v = 95 // a 40-minute spike on the writer
	}
	return math.Round(v*100) / 100
}

func TestWireOneGetMetricDataForThreeInstancesOver24h(t *testing.T) {
	cfg, counting, clients := motoSetup(t)
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-aurora", Instances: 3})
	wnow := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	start := wnow.Add(-24 * time.Hour)
	var data []cwtypes.MetricDatum
	for i := 0; i < 1440; i++ {
		ts := start.Add(time.Duration(i) * time.Minute)
		for k, id := range ids {
			data = append(data, datum("CPUUtilization", ts, wireCPU(k, i), "DBInstanceIdentifier", id))
			if k > 0 {
				data = append(data, datum("AuroraReplicaLag", ts, float64(10+k+i%5), "DBInstanceIdentifier", id))
			}
		}
		// same metric, another exact dimension set: must not leak into the instance series
		data = append(data, datum("CPUUtilization", ts, 1000, "DBClusterIdentifier", "wire-aurora", "Role", "WRITER"))
	}
	awstest.SeedMetricData(t, cfg, "AWS/RDS", data...)

	s := testkit.Client(t, Tools(clients, tools.Env{Now: func() time.Time { return wnow }}))
	res := s.Call("get_instance_metrics", map[string]any{"cluster_id": "wire-aurora", "since": "24h",
		"metrics": []string{"CPUUtilization", "AuroraReplicaLag", "AuroraReplicaLagMaximum"}})
	var out GetOutput
	testkit.Decode(t, res, &out)
	if n := counting.gmd.Load(); n != 1 || out.Calls != 1 {
		t.Fatalf("GetMetricData requests on the wire: %d (reported %d), want exactly 1", n, out.Calls)
	}
	if out.PeriodS != 60 || out.Queries != 6 { // CPU ×3, lag on 2 readers, lag max on the writer
		t.Errorf("period %d queries %d", out.PeriodS, out.Queries)
	}
	for k, id := range ids {
		var vals []float64
		for i := 0; i < 1440; i++ {
			vals = append(vals, wireCPU(k, i))
		}
		sorted := append([]float64(nil), vals...)
		sort.Float64s(sorted)
		sum, mx, mxAt := 0.0, math.Inf(-1), 0
		for i, v := range vals {
			sum += v
			if v > mx {
				mx, mxAt = v, i
			}
		}
		c := seriesOf(t, member(t, out, id), "cpu_pct")
		if c.Points != 1440 || c.Min != sorted[0] || c.Max != mx || !c.MaxAt.Equal(start.Add(time.Duration(mxAt)*time.Minute)) ||
			math.Abs(c.Avg-sum/1440) > 1e-9 || math.Abs(c.P95-Percentile(sorted, 0.95)) > 1e-9 || c.Last != vals[1439] {
			t.Errorf("%s: stats %+v; want min %v avg %v p95 %v max %v last %v", id, c.Stats, sorted[0], sum/1440, Percentile(sorted, 0.95), mx, vals[1439])
		}
	}
	// the planted spike on the writer
	if c := seriesOf(t, member(t, out, ids[0]), "cpu_pct"); len(c.Anomalies) == 0 || c.Anomalies[0].Start.Sub(start.Add(900*time.Minute)).Abs() > time.Minute {
		t.Errorf("writer anomalies %+v", c.Anomalies)
	}
	// reader-only metric: on both readers, absent on the writer with the reason
	if l := seriesOf(t, member(t, out, ids[1]), "replica_lag_ms"); l.Points != 1440 || l.Min != 11 {
		t.Errorf("reader lag %+v", l.Stats)
	}
	w := member(t, out, ids[0])
	for _, s := range w.Metrics {
		if s.Metric == "replica_lag_ms" {
			t.Errorf("writer has replica_lag_ms")
		}
	}
	reasons := map[string]string{}
	for _, a := range w.Absent {
		reasons[a.CloudWatchMetric] = a.Reason
	}
	if !strings.Contains(reasons["AuroraReplicaLag"], "readers (replicas) only") || !strings.Contains(reasons["AuroraReplicaLagMaximum"], "no datapoints") {
		t.Errorf("writer absent: %v", reasons)
	}
	text := testkit.Text(res)
	for _, want := range []string{"AuroraReplicaLag not queried on " + ids[0] + ": published by Aurora readers (replicas) only", "1 GetMetricData call"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestWireThirtyDayWindow(t *testing.T) {
	cfg, counting, clients := motoSetup(t)
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-month", Instances: 2})
	wnow := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var data []cwtypes.MetricDatum
	var vals []float64
	for ts := wnow.Add(-30 * 24 * time.Hour); ts.Before(wnow); ts = ts.Add(30 * time.Minute) {
		v := 30 + float64(ts.Hour())
		data = append(data, datum("CPUUtilization", ts, v, "DBInstanceIdentifier", ids[0]))
		vals = append(vals, v)
	}
	awstest.SeedMetricData(t, cfg, "AWS/RDS", data...)
	s := testkit.Client(t, Tools(clients, tools.Env{Now: func() time.Time { return wnow }}))
	var out GetOutput
	testkit.Decode(t, s.Call("get_instance_metrics", map[string]any{"cluster_id": "wire-month", "since": "30d", "metrics": []string{"cpu_pct"}, "instances": []string{ids[0]}}), &out)
	if out.PeriodS%300 != 0 || counting.gmd.Load() != 1 {
		t.Fatalf("period %d (want a multiple of 300 for 15–63-day-old data), %d requests", out.PeriodS, counting.gmd.Load())
	}
	c := seriesOf(t, out.Members[0], "cpu_pct")
	if c.Points == 0 || c.Max != 53 || c.Min != 30 || c.Points > len(vals) {
		t.Errorf("30 days: %d points min %v max %v (period %d)", c.Points, c.Min, c.Max, out.PeriodS)
	}
	// a 90-day window moves to 3600-s multiples
	testkit.Decode(t, s.Call("get_instance_metrics", map[string]any{"cluster_id": "wire-month", "since": "90d", "metrics": []string{"cpu_pct"}, "instances": []string{ids[0]}}), &out)
	if out.PeriodS%3600 != 0 || seriesOf(t, out.Members[0], "cpu_pct").Points == 0 {
		t.Errorf("90 days: period %d", out.PeriodS)
	}
}
