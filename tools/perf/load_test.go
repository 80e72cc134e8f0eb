package perf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pi"
	pitypes "github.com/aws/aws-sdk-go-v2/service/pi/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// fakePI is a func-field fake that records every input it is sent.
type fakePI struct {
	mu   sync.Mutex
	grm  func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error)
	ddk  func(*pi.DescribeDimensionKeysInput) (*pi.DescribeDimensionKeysOutput, error)
	gdkd func(*pi.GetDimensionKeyDetailsInput) (*pi.GetDimensionKeyDetailsOutput, error)
	sent []any
}

func (f *fakePI) record(in any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, in)
}

func (f *fakePI) GetResourceMetrics(_ context.Context, in *pi.GetResourceMetricsInput, _ ...func(*pi.Options)) (*pi.GetResourceMetricsOutput, error) {
	f.record(in)
	return f.grm(in)
}
func (f *fakePI) DescribeDimensionKeys(_ context.Context, in *pi.DescribeDimensionKeysInput, _ ...func(*pi.Options)) (*pi.DescribeDimensionKeysOutput, error) {
	f.record(in)
	return f.ddk(in)
}
func (f *fakePI) GetDimensionKeyDetails(_ context.Context, in *pi.GetDimensionKeyDetailsInput, _ ...func(*pi.Options)) (*pi.GetDimensionKeyDetailsOutput, error) {
	f.record(in)
	return f.gdkd(in)
}

func apiErr(op, code, msg string) error {
	return &smithy.OperationError{ServiceID: "PI", OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}

func testTopo() cluster.Topology {
	return cluster.Topology{Region: "us-east-1", ID: "c1", Kind: "aurora-cluster", Engine: "aurora-mysql",
		PerformanceInsights: cluster.PerformanceInsight{Enabled: true, Mode: "standard", RetentionDays: 7},
		Members: []cluster.Member{
			{ID: "c1-a", Role: cluster.RoleWriter, Class: "db.r6g.xlarge", VCPU: 4, ResourceID: "db-AAAAAAAAAAAAAAAAAAAAAAAAAA", PIEnabled: true},
			{ID: "c1-b", Role: cluster.RoleReader, Class: "db.r6g.large", VCPU: 2, ResourceID: "db-BBBBBBBBBBBBBBBBBBBBBBBBBB", PIEnabled: false},
		}}
}

func window(d time.Duration) timewin.Window {
	return timewin.Window{Start: now.Add(-d), End: now, Loc: time.UTC, Region: "us-east-1"}
}

func points(start time.Time, vals ...float64) []pitypes.DataPoint {
	out := make([]pitypes.DataPoint, len(vals))
	for i, v := range vals {
		out[i] = pitypes.DataPoint{Timestamp: aws.Time(start.Add(time.Duration(i) * time.Minute)), Value: aws.Float64(v)}
	}
	return out
}

// longStatement is a 600-byte statement with literals, longer than PI's 500-byte element limit.
func longStatement() string {
	cols := []string{}
	for i := 1; ; i++ {
		s := "SELECT " + strings.Join(cols, ", ") + " FROM orders WHERE customer_name = 'Kim Minsu' AND id = 12345"
		if len(s) >= 600-8 {
			return s + strings.Repeat(" ", 600-len(s))
		}
		cols = append(cols, fmt.Sprintf("col_%03d", i))
	}
}

func metricsOut(start time.Time) *pi.GetResourceMetricsOutput {
	key := func(d map[string]string) *pitypes.ResponseResourceMetricKey {
		return &pitypes.ResponseResourceMetricKey{Metric: aws.String("db.load.avg"), Dimensions: d}
	}
	return &pi.GetResourceMetricsOutput{MetricList: []pitypes.MetricKeyDataPoints{
		{Key: key(nil), DataPoints: points(start, 1, 2, 9, 4)},
		{Key: key(map[string]string{"db.wait_event.name": "CPU", "db.wait_event.type": "CPU"}), DataPoints: points(start, 0.5, 1, 6, 2)},
		{Key: key(map[string]string{"db.wait_event.name": "io/table/sql/handler", "db.wait_event.type": "io"}), DataPoints: points(start, 0.5, 1, 3, 2)},
		{Key: key(map[string]string{"db.user.name": "app", "db.user.id": "7"}), DataPoints: points(start, 1, 2, 3, 4)},
		{Key: key(map[string]string{"db.host.id": "host-1", "db.host.name": "10.0.0.1"}), DataPoints: points(start, 1, 2, 9, 4)},
	}}
}

// happyPI answers like PI for a writer whose load peaks at 9 AAS on 4 vCPUs.
func happyPI(full string) *fakePI {
	start := now.Add(-4 * time.Minute)
	return &fakePI{
		grm: func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) { return metricsOut(start), nil },
		ddk: func(in *pi.DescribeDimensionKeysInput) (*pi.DescribeDimensionKeysOutput, error) {
			switch {
			case aws.ToString(in.GroupBy.Group) == "db.sql":
				return &pi.DescribeDimensionKeysOutput{Keys: []pitypes.DimensionKeyDescription{{
					Dimensions: map[string]string{"db.sql.id": "SQL-1", "db.sql.statement": full[:500]}, Total: aws.Float64(2.5)}}}, nil
			case in.StartTime.Equal(now.Add(-2 * time.Minute)): // the peak period
				return &pi.DescribeDimensionKeysOutput{Keys: []pitypes.DimensionKeyDescription{
					{Dimensions: map[string]string{"db.sql_tokenized.id": "TOK-1", "db.sql_tokenized.statement": full[:500]}, Total: aws.Float64(7)}}}, nil
			}
			return &pi.DescribeDimensionKeysOutput{
				PartitionKeys: []pitypes.ResponsePartitionKey{
					{Dimensions: map[string]string{"db.wait_event.name": "CPU", "db.wait_event.type": "CPU"}},
					{Dimensions: map[string]string{"db.wait_event.name": "io/table/sql/handler", "db.wait_event.type": "io"}}},
				Keys: []pitypes.DimensionKeyDescription{
					{Dimensions: map[string]string{"db.sql_tokenized.id": "TOK-1", "db.sql_tokenized.db_id": "d1", "db.sql_tokenized.statement": full[:500]},
						Total: aws.Float64(2.5), Partitions: []float64{1.5, 1.0},
						AdditionalMetrics: map[string]float64{"db.sql_tokenized.stats.count_star_per_sec.avg": 0.5,
							"db.sql_tokenized.stats.sum_timer_wait_per_call.avg": 2500, "db.sql_tokenized.stats.sum_rows_examined_per_call.avg": 1e6}},
					{Dimensions: map[string]string{"db.sql_tokenized.id": "TOK-2", "db.sql_tokenized.statement": "SELECT * FROM t WHERE id = ?"},
						Total: aws.Float64(1), Partitions: []float64{1, 0}},
				},
				NextToken: aws.String("more"),
			}, nil
		},
		gdkd: func(*pi.GetDimensionKeyDetailsInput) (*pi.GetDimensionKeyDetailsOutput, error) {
			return &pi.GetDimensionKeyDetailsOutput{Dimensions: []pitypes.DimensionKeyDetail{
				{Dimension: aws.String("db.sql.statement"), Value: aws.String(full), Status: pitypes.DetailStatusAvailable}}}, nil
		},
	}
}

func TestLoadOutputsAndRequests(t *testing.T) {
	full := longStatement()
	if len(full) != 600 {
		t.Fatalf("test statement is %d bytes", len(full))
	}
	f := happyPI(full)
	res, err := Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now, IncludeSeries: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.PeriodS != 60 || res.ClusterID != "c1" || len(res.Members) != 2 {
		t.Fatalf("period %d, cluster %q, %d members", res.PeriodS, res.ClusterID, len(res.Members))
	}
	m := res.Members[0]
	if !m.HasData || m.AvgLoad != 4 || m.PeakLoad != 9 || m.PeakAt != "2026-11-22T08:58:00Z" || m.AvgPerVCPU != 1 || m.PeakPerVCPU != 2.25 {
		t.Errorf("load = avg %v peak %v at %s, per vCPU %v/%v", m.AvgLoad, m.PeakLoad, m.PeakAt, m.AvgPerVCPU, m.PeakPerVCPU)
	}
	waits := m.breakdown(DimWaitEvent)
	if len(waits) != 2 || waits[0].Name != "CPU" || waits[0].SharePct != 59.4 || waits[0].AvgLoad != 2.375 || waits[1].Type != "io" || waits[1].SharePct != 40.6 {
		t.Errorf("waits = %+v", waits)
	}
	users := Breakdown{}
	for _, b := range m.Breakdowns {
		if b.Dimension == DimUser {
			users = b
		}
	}
	if len(users.Keys) != 1 || users.Keys[0].Name != "app" || users.Keys[0].SharePct != 62.5 || users.OtherLoad != 1.5 {
		t.Errorf("users = %+v", users)
	}
	if len(m.WaitsAtPeak) != 2 || m.WaitsAtPeak[0].AvgLoad != 6 || m.WaitsAtPeak[0].SharePct != 66.7 {
		t.Errorf("waits at peak = %+v", m.WaitsAtPeak)
	}
	if len(m.TopSQL) != 2 || !m.SQLMore {
		t.Fatalf("top SQL = %+v (more %v)", m.TopSQL, m.SQLMore)
	}
	s := m.TopSQL[0]
	if !s.FullText || s.Truncated || s.StatementBytes != 600 || s.AvgLoad != 2.5 || s.SharePct != 62.5 {
		t.Errorf("top statement flags: %+v", s)
	}
	if strings.Contains(s.Statement, "Kim Minsu") || strings.Contains(s.Statement, "12345") ||
		!strings.HasSuffix(s.Statement, "WHERE customer_name = ? AND id = ?") || !strings.Contains(s.Statement, "col_001") {
		t.Errorf("statement not whole and masked: %q", s.Statement)
	}
	if len(s.Waits) != 2 || s.Waits[0].Name != "CPU" || s.Waits[0].SharePct != 60 || aws.ToFloat64(s.CallsPerS) != 0.5 ||
		aws.ToFloat64(s.LatencyMs) != 2500 || aws.ToFloat64(s.RowsPerCall) != 1e6 {
		t.Errorf("statement details: waits %+v stats %v %v %v", s.Waits, s.CallsPerS, s.LatencyMs, s.RowsPerCall)
	}
	if m.TopSQL[1].FullText || m.TopSQL[1].CallsPerS != nil || len(m.TopSQL[1].Waits) != 1 {
		t.Errorf("second statement: %+v", m.TopSQL[1])
	}
	if len(m.TopSQLAtPeak) != 1 || m.TopSQLAtPeak[0].SharePct != 77.8 || m.TopSQLAtPeak[0].Statement != s.Statement {
		t.Errorf("top SQL at peak = %+v", m.TopSQLAtPeak)
	}
	if m.Series == nil || len(m.Series.Total) != 4 || len(m.Series.ByWait) != 2 || m.Series.ByWait[0].Values[2] != 6 {
		t.Errorf("series = %+v", m.Series)
	}
	// The reader has PI off: a hint on enabling Database Insights, no calls for it.
	if res.Members[1].PIEnabled || len(res.Hints) != 1 || !strings.Contains(res.Hints[0], "c1-b") || !strings.Contains(res.Hints[0], "--database-insights-mode standard") {
		t.Errorf("PI-off hint: %v", res.Hints)
	}
	if len(res.Findings) != 1 || res.Findings[0].Code != "db_load_above_vcpu" || res.Findings[0].Severity != tools.SeverityCritical ||
		!strings.Contains(res.Findings[0].Evidence, "top SQL at peak (78%") {
		t.Errorf("findings = %+v", res.Findings)
	}

	// The exact requests: GRM, DDK (tokenized), DDK (db.sql lookup), GDKD, DDK (peak period).
	if len(f.sent) != 5 {
		t.Fatalf("sent %d requests: %#v", len(f.sent), f.sent)
	}
	grm := f.sent[0].(*pi.GetResourceMetricsInput)
	if aws.ToString(grm.Identifier) != "db-AAAAAAAAAAAAAAAAAAAAAAAAAA" || grm.ServiceType != pitypes.ServiceTypeRds || aws.ToInt32(grm.PeriodInSeconds) != 60 ||
		grm.PeriodAlignment != pitypes.PeriodAlignmentStartTime || !grm.StartTime.Equal(now.Add(-time.Hour)) || !grm.EndTime.Equal(now) {
		t.Errorf("GetResourceMetrics input = %+v", grm)
	}
	var groups []string
	for _, q := range grm.MetricQueries {
		g := "total"
		if q.GroupBy != nil {
			g = fmt.Sprintf("%s/%d", aws.ToString(q.GroupBy.Group), aws.ToInt32(q.GroupBy.Limit))
		}
		groups = append(groups, aws.ToString(q.Metric)+":"+g)
	}
	if strings.Join(groups, ",") != "db.load.avg:total,db.load.avg:db.wait_event/5,db.load.avg:db.user/5,db.load.avg:db.host/5" {
		t.Errorf("metric queries = %v", groups)
	}
	ddk := f.sent[1].(*pi.DescribeDimensionKeysInput)
	if aws.ToString(ddk.GroupBy.Group) != "db.sql_tokenized" || aws.ToInt32(ddk.MaxResults) != 5 || aws.ToString(ddk.PartitionBy.Group) != "db.wait_event" ||
		len(ddk.AdditionalMetrics) != 3 || ddk.AdditionalMetrics[0] != "db.sql_tokenized.stats.count_star_per_sec.avg" || aws.ToString(ddk.Identifier) != "db-AAAAAAAAAAAAAAAAAAAAAAAAAA" {
		t.Errorf("DescribeDimensionKeys input = %+v", ddk)
	}
	look := f.sent[2].(*pi.DescribeDimensionKeysInput)
	if aws.ToString(look.GroupBy.Group) != "db.sql" || look.Filter["db.sql.tokenized_id"] != "TOK-1" || aws.ToInt32(look.MaxResults) != 1 {
		t.Errorf("statement lookup input = %+v", look)
	}
	det := f.sent[3].(*pi.GetDimensionKeyDetailsInput)
	if aws.ToString(det.Group) != "db.sql" || aws.ToString(det.GroupIdentifier) != "SQL-1" || len(det.RequestedDimensions) != 1 ||
		det.RequestedDimensions[0] != "db.sql.statement" || aws.ToString(det.Identifier) != "db-AAAAAAAAAAAAAAAAAAAAAAAAAA" {
		t.Errorf("GetDimensionKeyDetails input = %+v", det)
	}
	peak := f.sent[4].(*pi.DescribeDimensionKeysInput)
	if !peak.StartTime.Equal(now.Add(-2*time.Minute)) || !peak.EndTime.Equal(now.Add(-time.Minute)) || peak.PartitionBy != nil || aws.ToInt32(peak.MaxResults) != 3 {
		t.Errorf("peak DescribeDimensionKeys input = %+v", peak)
	}
}

func TestLoadDegradesAndFails(t *testing.T) {
	full := longStatement()
	cases := []struct {
		name   string
		mutate func(*fakePI)
		check  func(t *testing.T, res Result, err error, f *fakePI)
	}{
		{"GetResourceMetrics denied is a hint", func(f *fakePI) {
			f.grm = func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) {
				return nil, apiErr("GetResourceMetrics", "NotAuthorizedException", "not authorized")
			}
		}, func(t *testing.T, res Result, err error, f *fakePI) {
			if err != nil || len(res.MissingPermissions) != 1 || res.MissingPermissions[0] != "pi:GetResourceMetrics" ||
				!strings.Contains(strings.Join(res.Hints, " "), "AmazonRDSPerformanceInsightsReadOnly") || len(f.sent) != 1 {
				t.Errorf("err %v, missing %v, hints %v, %d calls", err, res.MissingPermissions, res.Hints, len(f.sent))
			}
		}},
		{"full-text denied keeps the cut text", func(f *fakePI) {
			f.gdkd = func(*pi.GetDimensionKeyDetailsInput) (*pi.GetDimensionKeyDetailsOutput, error) {
				return nil, apiErr("GetDimensionKeyDetails", "AccessDeniedException", "denied")
			}
		}, func(t *testing.T, res Result, err error, _ *fakePI) {
			s := res.Members[0].TopSQL[0]
			if err != nil || s.FullText || !s.Truncated || s.StatementBytes != 500 || res.MissingPermissions[0] != "pi:GetDimensionKeyDetails" {
				t.Errorf("err %v, statement %+v, missing %v", err, s, res.MissingPermissions)
			}
		}},
		{"still processing is a hint", func(f *fakePI) {
			f.gdkd = func(*pi.GetDimensionKeyDetailsInput) (*pi.GetDimensionKeyDetailsOutput, error) {
				return &pi.GetDimensionKeyDetailsOutput{Dimensions: []pitypes.DimensionKeyDetail{
					{Dimension: aws.String("db.sql.statement"), Value: aws.String(full[:500]), Status: pitypes.DetailStatusProcessing}}}, nil
			}
		}, func(t *testing.T, res Result, err error, _ *fakePI) {
			if err != nil || res.Members[0].TopSQL[0].FullText || !strings.Contains(strings.Join(res.Members[0].Hints, " "), "still being processed") {
				t.Errorf("err %v, member %+v", err, res.Members[0])
			}
		}},
		{"rejected SQL statistics are retried without", func(f *fakePI) {
			inner := f.ddk
			f.ddk = func(in *pi.DescribeDimensionKeysInput) (*pi.DescribeDimensionKeysOutput, error) {
				if len(in.AdditionalMetrics) > 0 {
					return nil, apiErr("DescribeDimensionKeys", "InvalidArgumentException", "unknown metric")
				}
				return inner(in)
			}
		}, func(t *testing.T, res Result, err error, f *fakePI) {
			if err != nil || len(res.Members[0].TopSQL) != 2 || res.Members[0].TopSQL[0].CallsPerS != nil ||
				!strings.Contains(strings.Join(res.Members[0].Hints, " "), "statistics are not available") {
				t.Errorf("err %v, member %+v", err, res.Members[0])
			}
		}},
		{"PI off according to PI is a hint", func(f *fakePI) {
			f.grm = func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) {
				return nil, apiErr("GetResourceMetrics", "InvalidArgumentException", "Performance Insights is not enabled for db-AAAA")
			}
		}, func(t *testing.T, res Result, err error, _ *fakePI) {
			if err != nil || res.Members[0].PIEnabled || len(res.Members[0].Hints) != 1 {
				t.Errorf("err %v, member %+v", err, res.Members[0])
			}
		}},
		{"an idle member has no statements to rank", func(f *fakePI) {
			f.grm = func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) {
				return &pi.GetResourceMetricsOutput{MetricList: []pitypes.MetricKeyDataPoints{
					{Key: &pitypes.ResponseResourceMetricKey{Metric: aws.String("db.load.avg")}, DataPoints: points(now.Add(-time.Hour), 0, 0, 0)}}}, nil
			}
		}, func(t *testing.T, res Result, err error, f *fakePI) {
			m := res.Members[0]
			if err != nil || m.HasData || len(f.sent) != 1 || len(m.Breakdowns) != 3 || len(m.Breakdowns[0].Keys) != 0 || len(res.Findings) != 0 ||
				!strings.Contains(strings.Join(m.Hints, " "), "no database load recorded") {
				t.Errorf("err %v, %d calls, member %+v", err, len(f.sent), m)
			}
		}},
		{"throttling is an error naming the member", func(f *fakePI) {
			f.ddk = func(*pi.DescribeDimensionKeysInput) (*pi.DescribeDimensionKeysOutput, error) {
				return nil, apiErr("DescribeDimensionKeys", "ThrottlingException", "Rate exceeded")
			}
		}, func(t *testing.T, _ Result, err error, _ *fakePI) {
			var ce *awsclient.CallError
			if !errors.As(err, &ce) || ce.Resource != "c1-a" || ce.Region != "us-east-1" {
				t.Fatalf("err = %v", err)
			}
			if c := awsclient.Classify(err); c == nil || !strings.Contains(c.Error(), "Throttled") || !strings.Contains(c.Error(), "c1-a") {
				t.Errorf("classified = %v", c)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := happyPI(full)
			c.mutate(f)
			res, err := Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now})
			c.check(t, res, err, f)
		})
	}
}

func TestLoadWindowAndOptions(t *testing.T) {
	f := happyPI(longStatement())
	// Partly older than the 7-day retention: clamped with a note.
	res, err := Load(context.Background(), f, testTopo(), window(10*24*time.Hour), Options{Now: now, GroupBy: []string{DimWaitEvent}})
	if err != nil {
		t.Fatal(err)
	}
	grm := f.sent[0].(*pi.GetResourceMetricsInput)
	if !res.Window.Clamped || !grm.StartTime.Equal(now.Add(-7*24*time.Hour)) || res.PeriodS != 3600 || len(grm.MetricQueries) != 2 {
		t.Errorf("clamped %v start %v period %d queries %d", res.Window.Clamped, grm.StartTime, res.PeriodS, len(grm.MetricQueries))
	}
	for _, x := range f.sent {
		if _, ok := x.(*pi.DescribeDimensionKeysInput); ok {
			t.Errorf("group_by without sql must not rank statements")
		}
	}
	// Entirely older: a caller error.
	old := timewin.Window{Start: now.Add(-10 * 24 * time.Hour), End: now.Add(-8 * 24 * time.Hour), Loc: time.UTC}
	if _, err := Load(context.Background(), f, testTopo(), old, Options{Now: now}); err == nil || !strings.Contains(err.Error(), "retention of 7 days") {
		t.Errorf("old window err = %v", err)
	}
	// Unknown member, bad top_n, application on MySQL.
	if _, err := Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now, Instances: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "c1-a, c1-b") {
		t.Errorf("unknown member err = %v", err)
	}
	if _, err := Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now, TopN: 11}); err == nil {
		t.Error("top_n 11 accepted")
	}
	res, err = Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now, GroupBy: []string{DimApplication, DimWaitEventType}})
	if err != nil || !strings.Contains(strings.Join(res.Hints, " "), "PostgreSQL engines only") {
		t.Errorf("application on mysql: %v %v", err, res.Hints)
	}
	// Period choice among PI's allowed values.
	for _, c := range []struct {
		d    time.Duration
		want int32
	}{{5 * time.Minute, 60}, {15 * time.Minute, 60}, {12 * time.Hour, 60}, {24 * time.Hour, 300}, {3 * 24 * time.Hour, 3600}, {7 * 24 * time.Hour, 3600}} {
		if got := timewin.PeriodFrom(window(c.d), periodChoices, defaultMaxPoints); got != c.want {
			t.Errorf("period for %v = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestLoadPostgresStatistics(t *testing.T) {
	f := happyPI(longStatement())
	topo := testTopo()
	topo.Engine = "aurora-postgresql"
	if _, err := Load(context.Background(), f, topo, window(time.Hour), Options{Now: now, GroupBy: []string{DimSQL, DimApplication}}); err != nil {
		t.Fatal(err)
	}
	grm := f.sent[0].(*pi.GetResourceMetricsInput)
	ddk := f.sent[1].(*pi.DescribeDimensionKeysInput)
	if len(grm.MetricQueries) != 2 || aws.ToString(grm.MetricQueries[1].GroupBy.Group) != "db.application" ||
		ddk.AdditionalMetrics[0] != "db.sql_tokenized.stats.calls_per_sec.avg" || ddk.AdditionalMetrics[1] != "db.sql_tokenized.stats.total_time_per_call.avg" {
		t.Errorf("queries %+v, additional metrics %v", grm.MetricQueries, ddk.AdditionalMetrics)
	}
}
