package metrics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kida-mcp/kida-mcp/tools"
)

func TestAnalyzeLevelShiftAndPreviousWindowInOneCall(t *testing.T) {
	shift := now.Add(-9 * time.Hour)
	f := &fakeCW{data: map[string]func(time.Time) (float64, bool){
		"CPUUtilization|DBInstanceIdentifier=w": func(t time.Time) (float64, bool) {
			v := 30 + 3*math.Sin(float64(t.Unix()/60)*1.7) // deterministic noise
			if !t.Before(shift) {
				v += 25
			}
			if t.Before(now.Add(-24 * time.Hour)) {
				v -= 10 // the previous day was quieter
			}
			return v, true
		},
	}}
	a, err := Analyze(context.Background(), f, topo("aurora-mysql", "db.r6g.large", "w", "r1"), window(t, "24h"), AnalyzeOptions{Now: now, Metric: "cpu_pct"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 1 || a.Calls != 1 || len(f.sent[0].MetricDataQueries) != 1 {
		t.Fatalf("sent %d requests", len(f.sent))
	}
	in := f.sent[0]
	if !in.StartTime.Equal(now.Add(-48*time.Hour)) || !in.EndTime.Equal(now) || aws.ToInt32(in.MetricDataQueries[0].MetricStat.Period) != 60 {
		t.Errorf("request spans %v → %v period %d; want the previous window in the same call", in.StartTime, in.EndTime, aws.ToInt32(in.MetricDataQueries[0].MetricStat.Period))
	}
	if a.Target != "w" || a.Role != "writer" || a.Current.Points != 1440 || a.Previous == nil || a.Previous.Points != 1440 || a.PreviousWindow == nil {
		t.Fatalf("analysis: target %s current %d previous %+v", a.Target, a.Current.Points, a.Previous)
	}
	if len(a.ChangePoints) != 1 || a.ChangePoints[0].At.Sub(shift).Abs() > 2*time.Minute {
		t.Fatalf("change points %+v, want one at %v ±2 periods", a.ChangePoints, shift)
	}
	if cp := a.ChangePoints[0]; math.Abs(cp.Before-30) > 2 || math.Abs(cp.After-55) > 2 {
		t.Errorf("levels %+v", cp)
	}
	if a.Change == nil || a.Change.AvgPct == nil || *a.Change.AvgPct < 40 || math.Abs(a.Change.AvgAbs-(a.Current.Avg-a.Previous.Avg)) > 1e-9 {
		t.Errorf("change %+v", a.Change)
	}
	if !a.Trend.Significant == (a.Trend.PValue < 0.05) {
		t.Errorf("trend significance inconsistent: %+v", a.Trend)
	}
	if a.Seasonality != nil || !strings.Contains(strings.Join(a.Hints, " "), "3 days") {
		t.Errorf("seasonality on 24h: %+v %v", a.Seasonality, a.Hints)
	}
}

func TestAnalyzeSpikeSeasonalityAndClusterMetric(t *testing.T) {
	spike := now.Add(-30 * time.Hour)
	f := &fakeCW{data: map[string]func(time.Time) (float64, bool){
		"DatabaseConnections|DBInstanceIdentifier=r1": func(t time.Time) (float64, bool) {
			h := float64(t.Hour()) + float64(t.Minute())/60
			v := 100 + 80*math.Sin(2*math.Pi*(h-8)/24) + 4*math.Sin(float64(t.Unix()/300)*2.3)
			if !t.Before(spike) && t.Before(spike.Add(40*time.Minute)) {
				v += 400
			}
			return v, true
		},
		"VolumeBytesUsed|DBClusterIdentifier=c1": func(t time.Time) (float64, bool) {
			return 500e9 + 3.5e9*t.Sub(now).Hours()/24, true
		},
	}}
	tp := topo("aurora-postgresql", "db.r6g.large", "w", "r1")
	a, err := Analyze(context.Background(), f, tp, window(t, "7d"), AnalyzeOptions{Now: now, Metric: "DatabaseConnections", Instance: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	p := time.Duration(a.PeriodS) * time.Second
	if a.PeriodS%60 != 0 || a.PeriodS < 420 || a.Current.Points < 1400 {
		t.Fatalf("period %d points %d", a.PeriodS, a.Current.Points)
	}
	if len(a.Anomalies) == 0 || a.Anomalies[0].Start.Sub(spike).Abs() > p {
		t.Errorf("anomalies %+v, want one at %v ±1 period", a.Anomalies, spike)
	}
	if s := a.Seasonality; s == nil || s.Strength < 0.8 || s.PeakHour < 13 || s.PeakHour > 14 || s.Timezone != "UTC" {
		t.Errorf("seasonality %+v", a.Seasonality)
	}
	if len(a.ChangePoints) != 0 {
		t.Errorf("a daily cycle and a spike are not level shifts: %+v", a.ChangePoints)
	}
	// a cluster-level metric is analyzed on the cluster, with the cluster dimension
	f.sent = nil
	a, err = Analyze(context.Background(), f, tp, window(t, "7d"), AnalyzeOptions{Now: now, Metric: "volume_used_bytes"})
	if err != nil {
		t.Fatal(err)
	}
	d := f.sent[0].MetricDataQueries[0].MetricStat.Metric.Dimensions
	if a.Target != "c1" || a.Role != "cluster" || len(d) != 1 || aws.ToString(d[0].Name) != "DBClusterIdentifier" {
		t.Fatalf("cluster metric: target %s dims %+v", a.Target, d)
	}
	if math.Abs(a.Trend.SlopePerHour-3.5e9/24) > 1e3 || !a.Trend.Significant {
		t.Errorf("storage growth trend %+v", a.Trend)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	f := &fakeCW{}
	tp := topo("aurora-mysql", "db.r6g.large", "w", "r1", "r2")
	w := window(t, "24h")
	cases := []struct {
		o    AnalyzeOptions
		want []string
	}{
		{AnalyzeOptions{Metric: "AuroraReplicaLag"}, []string{"readers (replicas) only", "send instance_id r1 or r2"}},
		{AnalyzeOptions{Metric: "AuroraReplicaLagMaximum", Instance: "r1"}, []string{"writer only", "send instance_id w"}},
		{AnalyzeOptions{Metric: "DBLoad"}, []string{"Performance Insights is off", "no member of c1 reports it"}},
		{AnalyzeOptions{Metric: "bogus"}, []string{`unknown metric "bogus"`, "CPUUtilization"}},
		{AnalyzeOptions{Metric: "cpu_pct", Instance: "zz"}, []string{`instance "zz" is not a member of c1`, "w, r1, r2"}},
		{AnalyzeOptions{Metric: "FreeStorageSpace"}, []string{"not published for aurora-mysql"}},
	}
	for _, c := range cases {
		c.o.Now = now
		_, err := Analyze(context.Background(), f, tp, w, c.o)
		var te *tools.Error
		if !errors.As(err, &te) {
			t.Fatalf("%+v: err %v is not a tools.Error", c.o, err)
		}
		for _, want := range c.want {
			if !strings.Contains(te.Msg, want) {
				t.Errorf("%s: %q lacks %q", c.o.Metric, te.Msg, want)
			}
		}
	}
	if len(f.sent) != 0 {
		t.Errorf("bad requests reached CloudWatch: %d", len(f.sent))
	}
	// no data is not an error: the answer says so
	a, err := Analyze(context.Background(), f, tp, w, AnalyzeOptions{Now: now, Metric: "ReadIOPS"})
	if err != nil || a.Current.Points != 0 || !strings.Contains(strings.Join(a.Hints, " "), "no datapoints for ReadIOPS on w") {
		t.Errorf("no data: %v %+v", err, a.Hints)
	}
}
