package check

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/testkit/faultproxy"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// wireFleet is one seeded moto behind a fault proxy, and a Provider aimed at the proxy.
type wireFleet struct {
	proxy   *faultproxy.Proxy
	clients *awsclient.Provider
	now     time.Time
	ids     []string
}

const wireCluster = "fault-aurora"

// newWireFleet seeds a 3-instance Aurora MySQL cluster with 24 h of 5-minute data in moto, puts the proxy in
// front (stubs for what moto lacks, PI turned on) and loads a Provider with the production retryer
// (maxAttempts per call).
func newWireFleet(t *testing.T, maxAttempts int) *wireFleet {
	t.Helper()
	moto := awstest.StartMoto(t)
	now := time.Now().UTC().Truncate(time.Minute)
	ids := faultproxy.SeedCluster(t, moto.Config(t, "us-east-1"), faultproxy.ClusterSeed{ID: wireCluster, NoMetrics: true, SlowLog: 90, ErrorLog: 30}, now)
	p, err := faultproxy.New(moto.URL(), faultproxy.Options{Stubs: append(faultproxy.MotoGaps(now), faultproxy.MetricData()), Rewrite: faultproxy.EnablePI})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	prov, err := awsclient.Load(context.Background(), awsclient.Options{Region: "us-east-1", Endpoint: p.URL(), CloudWatchProtocol: awsclient.ProtocolJSON,
		MaxAttempts: maxAttempts, Isolated: true, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	return &wireFleet{proxy: p, clients: prov, now: now, ids: ids}
}

func (f *wireFleet) run(t *testing.T, o Options) report.Check {
	t.Helper()
	f.proxy.Reset()
	if o.Window == (timewin.Input{}) {
		o.Window = timewin.Input{Since: "24h"}
	}
	c, err := Run(context.Background(), Deps{Clients: f.clients, Env: tools.Env{Now: func() time.Time { return f.now }}}, wireCluster, "us-east-1", o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWireFullCheckCalls: a full check of a 3-instance cluster over the wire, counted per AWS operation.
// The counts are the budget of DESIGN.md §11 (≤ 15 calls; metrics in ceil(queries/500) calls).
func TestWireFullCheckCalls(t *testing.T) {
	f := newWireFleet(t, 3)
	c := f.run(t, Options{})
	counts := f.proxy.Counts()
	t.Logf("AWS calls by operation (%d in all):\n%s", f.proxy.Total(), faultproxy.Table(counts))
	for _, s := range c.Sections {
		if s.Status == "gap" {
			t.Errorf("section %s is a gap: %s", s.Name, s.Summary)
		}
	}
	if len(c.Topology.Members) != 3 || len(c.Metrics) == 0 || c.SlowQueries.Total.Count == 0 || len(c.ErrorLog.Patterns) == 0 || len(c.DBLoad) != 3 {
		t.Errorf("check lacks data: %d members, %d panels, %d slow, %d patterns, %d load", len(c.Topology.Members), len(c.Metrics),
			c.SlowQueries.Total.Count, len(c.ErrorLog.Patterns), len(c.DBLoad))
	}
	if n := counts["monitoring:GetMetricData"]; n != 1 {
		t.Errorf("GetMetricData calls = %d, want 1 (< 500 queries)", n)
	}
	// a quiet log is read in one call (the probe), not one per time slice
	if n := counts["logs:FilterLogEvents"]; n != 2 {
		t.Errorf("FilterLogEvents calls = %d, want 1 per log (slow, error)", n)
	}
}

// seedDestinations creates what delivery sends to in moto: a bucket, an SES identity, a topic.
func seedDestinations(t *testing.T, m *awstest.Moto) string {
	t.Helper()
	ctx := context.Background()
	cfg := m.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kida-fault")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	out, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("kida-fault")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func counts(f *wireFleet) int { return f.proxy.Counts()["monitoring:GetMetricData"] }

// waitGoroutines waits (bounded) until the goroutine count is back to base and reports whether it got there.
func waitGoroutines(base int) (int, bool) {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n = runtime.NumGoroutine(); n <= base {
			return n, true
		}
	}
	return n, false
}

// TestFaultInjection: for each fault injected by the loopback proxy into one AWS operation, the daily
// pipeline (check → render → S3 → presign → email → SNS, through the same proxy) still completes: the
// sections fed by that operation are gaps that say what happened, the rest are intact, SDK retries stay
// within the retryer's attempts, the report renders, delivery sends, and no goroutine outlives the run.
func TestFaultInjection(t *testing.T) {
	const attempts = 3 // the production retryer's default
	cases := []struct {
		name     string
		fault    faultproxy.Fault
		sections []string // gaps expected
		says     string   // in every such gap
		retried  bool     // the SDK retries this fault
	}{
		// two throttles, then success: the retryer absorbs it and nothing is missing
		{"transient throttling", faultproxy.Fault{Op: "monitoring:GetMetricData", Kind: faultproxy.KindStatus, Status: 400, Code: "Throttling", Times: 2}, nil, "", true},
		{"throttling 400", faultproxy.Fault{Op: "rds:DescribeEvents", Kind: faultproxy.KindStatus, Status: 400, Code: "Throttling"}, []string{"events"}, "Throttled", true},
		{"throttling 429", faultproxy.Fault{Op: "monitoring:GetMetricData", Kind: faultproxy.KindStatus, Status: 429, Code: "TooManyRequestsException", Header: map[string]string{"Retry-After": "1"}}, []string{"metrics"}, "Throttled", true},
		{"500", faultproxy.Fault{Op: "logs:FilterLogEvents", Kind: faultproxy.KindStatus, Status: 500, Code: "InternalFailure"}, []string{"slow queries", "error log"}, "InternalFailure", true},
		{"503", faultproxy.Fault{Op: "cloudtrail:LookupEvents", Kind: faultproxy.KindStatus, Status: 503, Code: "ServiceUnavailable"}, []string{"cloudtrail"}, "ServiceUnavailable", true},
		{"latency beyond the section timeout", faultproxy.Fault{Op: "pi:GetResourceMetrics", Kind: faultproxy.KindDelay, Delay: time.Minute}, []string{"database load"}, "timed out after 5s", false},
		{"connection reset", faultproxy.Fault{Op: "rds:DescribePendingMaintenanceActions", Kind: faultproxy.KindReset}, []string{"maintenance"}, "connection reset", true},
		// the SDK does not retry a body cut short (a deserialization error), so one request and a gap
		{"truncated body", faultproxy.Fault{Op: "monitoring:DescribeAlarms", Kind: faultproxy.KindTruncate}, []string{"alarms"}, "EOF", false},
	}
	moto := awstest.StartMoto(t)
	base := runtime.NumGoroutine()
	f := newWireFleet(t, attempts) // resets moto
	topic := seedDestinations(t, moto)
	clean := f.run(t, Options{})
	want := f.proxy.Counts()
	for _, s := range clean.Sections {
		if s.Status == "gap" {
			t.Fatalf("clean run: section %s is a gap: %s", s.Name, s.Summary)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.proxy.Reset()
			f.proxy.SetFaults(tc.fault)
			defer f.proxy.SetFaults()
			var got report.Check
			sender := delivery.NewSender(delivery.Deps{Clients: f.clients, Env: tools.Env{Now: time.Now}, Render: report.Write, ReportDir: t.TempDir(),
				Config: delivery.Config{S3: &delivery.S3Config{Bucket: "kida-fault", Expiry: delivery.MaxExpiry},
					Email: &delivery.EmailConfig{From: "kida@example.com", To: []string{"dba@example.com"}}, SNS: &delivery.SNSConfig{TopicARN: topic}}})
			out := sender.RunPipeline(context.Background(), []delivery.Target{{Cluster: wireCluster, Region: "us-east-1"}}, delivery.PipelineOptions{
				Date: f.now, Concurrency: 1,
				Check: func(ctx context.Context, c awsclient.Clients, id, region string) (report.Check, error) {
					// The SDK's backoff between 3 attempts can reach 2 s + 4 s: only the latency case runs into
					// the section timeout.
					timeout := 45 * time.Second
					if tc.fault.Kind == faultproxy.KindDelay {
						timeout = 5 * time.Second
					}
					return Run(ctx, Deps{Clients: c, Env: tools.Env{Now: func() time.Time { return f.now }}}, id, region,
						Options{Window: timewin.Input{Since: "24h"}, SectionTimeout: timeout})
				},
				Saved: func(c report.Check) { got = c },
			})
			if len(out.Rows) != 1 || out.Rows[0].Error != "" || out.Rows[0].ReportPath == "" || out.Rows[0].Link == nil {
				t.Fatalf("pipeline row: %+v", out.Rows)
			}
			if !out.OK() || len(out.Deliveries) != 2 { // the email and the SNS message; the upload made the row's link
				t.Errorf("deliveries: %+v", out.Deliveries)
			}
			gaps := map[string]string{}
			for _, s := range got.Sections {
				if s.Status == "gap" {
					gaps[s.Name] = s.Summary
				}
			}
			for _, name := range tc.sections {
				why, ok := gaps[name]
				if !ok {
					t.Errorf("section %s is not a gap", name)
				} else if !strings.Contains(why, tc.says) {
					t.Errorf("gap %s says %q, want it to mention %q", name, why, tc.says)
				} else {
					t.Logf("gap %s: %s", name, why)
				}
				delete(gaps, name)
			}
			for name, why := range gaps {
				t.Errorf("unrelated section %s is a gap: %s", name, why)
			}
			if len(tc.sections) == 0 && counts(f) != want[tc.fault.Op]+tc.fault.Times {
				t.Errorf("%s: %d requests, want %d calls + %d retries", tc.fault.Op, counts(f), want[tc.fault.Op], tc.fault.Times)
			}
			if len(tc.sections) > 0 && (out.Rows[0].Gaps < len(tc.sections) || !strings.Contains(got.Headline, "incomplete")) {
				t.Errorf("row gaps %d, headline %q", out.Rows[0].Gaps, got.Headline)
			}
			counts := f.proxy.Counts()
			inj := f.proxy.Injected()[tc.fault.Op]
			if counts[tc.fault.Op] > want[tc.fault.Op]*attempts {
				t.Errorf("%s: %d requests, more than %d calls × %d attempts", tc.fault.Op, counts[tc.fault.Op], want[tc.fault.Op], attempts)
			}
			// the first failing call used all its attempts before the section gave up
			limit := attempts
			if tc.fault.Times > 0 {
				limit = min(limit, tc.fault.Times)
			}
			if tc.retried && inj < limit {
				t.Errorf("%s: %d faulted requests: the SDK did not retry", tc.fault.Op, inj)
			}
			if !tc.retried && inj != 1 && tc.fault.Kind != faultproxy.KindDelay {
				t.Errorf("%s: %d faulted requests, want 1", tc.fault.Op, inj)
			}
			t.Logf("%s: %d requests (%d faulted) for %d calls in a clean run; %d AWS requests in all", tc.fault.Op, counts[tc.fault.Op], inj, want[tc.fault.Op], f.proxy.Total())
		})
	}
	f.proxy.SetFaults()
	_ = f.proxy.Close()
	if n, ok := waitGoroutines(base); !ok {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d after the runs, %d before\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
