package metrics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// AnalyzeOptions tune Analyze. Metric is required.
type AnalyzeOptions struct {
	Now    time.Time // clock for the period choice; zero means time.Now()
	Metric string    // CloudWatch or normalized name
	// Instance is the member to analyze; "" means the writer (ignored for cluster-level metrics).
	Instance        string
	IncludeSeries   bool
	MaxPoints       int // points of the downsampled series; default 120
	PointsPerSeries int // datapoint budget per window; default 1,440
	MaxAnomalies    int // default 5
	MaxChangePoints int // default 3
}

// Analysis is one series in depth, with the previous window of equal length for comparison.
type Analysis struct {
	Region           string        `json:"region"`
	ClusterID        string        `json:"cluster_id"`
	Target           string        `json:"target" jsonschema_description:"Instance id, or the cluster id for cluster-level metrics."`
	Role             string        `json:"role" jsonschema_description:"writer, reader, standalone or cluster."`
	Metric           string        `json:"metric"`
	CloudWatchMetric string        `json:"cloudwatch_metric"`
	Unit             string        `json:"unit"`
	Stat             string        `json:"stat"`
	Window           timewin.Echo  `json:"window"`
	PreviousWindow   *timewin.Echo `json:"previous_window,omitempty"`
	PeriodS          int32         `json:"period_s"`
	Calls            int           `json:"get_metric_data_calls"`
	Current          Stats         `json:"current"`
	Previous         *Stats        `json:"previous,omitempty"`
	Change           *WindowChange `json:"change,omitempty" jsonschema_description:"This window against the previous one."`
	Trend            Trend         `json:"trend"`
	Seasonality      *Seasonality  `json:"seasonality,omitempty" jsonschema_description:"Hour-of-day profile; only for windows of 3 days or more."`
	ChangePoints     []ChangePoint `json:"change_points"`
	Anomalies        []Anomaly     `json:"anomalies"`
	AnomaliesTotal   int           `json:"anomalies_total"`
	Series           *Series       `json:"series,omitempty"`
	Hints            []string      `json:"hints"`
}

// WindowChange is the relative change of the statistics from the previous window to this one.
type WindowChange struct {
	AvgPct *float64 `json:"avg_pct,omitempty"`
	P95Pct *float64 `json:"p95_pct,omitempty"`
	MaxPct *float64 `json:"max_pct,omitempty"`
	AvgAbs float64  `json:"avg_abs" jsonschema_description:"Difference of the averages, in the metric's unit."`
}

// Analyze fetches one metric of one member (or of the cluster) over w and the previous window of equal
// length in a single GetMetricData call (one query spanning both), and reports statistics for both, the
// change, a trend with significance, the hour-of-day seasonality (windows ≥ 3 days), level shifts and
// anomalies. A metric that does not apply to the target is a *tools.Error naming the members it applies
// to; a failed AWS call is returned wrapped with the region and id.
func Analyze(ctx context.Context, api API, t cluster.Topology, w timewin.Window, o AnalyzeOptions) (Analysis, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = defaultMaxPoints
	}
	if o.PointsPerSeries <= 0 {
		o.PointsPerSeries = defaultBudget
	}
	if o.MaxAnomalies <= 0 {
		o.MaxAnomalies = 5
	}
	if o.MaxChangePoints <= 0 {
		o.MaxChangePoints = 3
	}
	e := EngineOf(t.Engine)
	mt, ok := Lookup(o.Metric, e)
	if !ok {
		return Analysis{}, tools.Errorf("unknown metric %q; send a CloudWatch name or a normalized name, e.g. CPUUtilization or cpu_pct. Known: %s", o.Metric, strings.Join(Names(), ", "))
	}
	a := Analysis{Region: t.Region, ClusterID: t.ID, Metric: mt.Out, CloudWatchMetric: mt.Name, Unit: mt.OutUnit, Stat: mt.Stat, Window: w.Echo(), Hints: []string{}}
	var dims []Dimension
	if mt.Level == LevelCluster {
		if ok, why := mt.Applies(e, Target{ID: t.ID}); !ok || t.Kind != "aurora-cluster" {
			if why == "" {
				why = "cluster volume metrics exist for Aurora clusters only"
			}
			return Analysis{}, tools.Errorf("%s does not apply to %s (%s): %s; pick another metric", mt.Name, t.ID, t.Engine, why)
		}
		if o.Instance != "" {
			a.Hints = append(a.Hints, fmt.Sprintf("%s is a cluster-level metric; analyzed cluster %s rather than instance %s", mt.Name, t.ID, o.Instance))
		}
		a.Target, a.Role, dims = t.ID, "cluster", ClusterDims(t.ID)
	} else {
		id := o.Instance
		if id == "" {
			id = t.Writer
		}
		m, ok := t.Member(id)
		if !ok {
			if id == "" {
				return Analysis{}, tools.Errorf("%s has no DB instances to analyze", t.ID)
			}
			return Analysis{}, tools.Errorf("instance %q is not a member of %s; members: %s", id, t.ID, memberList(t))
		}
		tg := Target{ID: m.ID, Role: RoleOf(m.Role), Class: m.Class, PIEnabled: m.PIEnabled}
		if ok, why := mt.Applies(e, tg); !ok {
			return Analysis{}, tools.Errorf("%s is not reported for %s (%s, %s): %s%s", mt.Name, m.ID, m.Role, m.Class, why, alternatives(mt, e, t, m.ID))
		}
		a.Target, a.Role, dims = m.ID, m.Role, InstanceDims(m.ID)
	}

	// One query over [previous start, end): the previous window comes in the same call.
	d := w.Duration()
	prevStart := w.Start.Add(-d)
	if oldest := now.Add(-455 * 24 * time.Hour); prevStart.Before(oldest) {
		prevStart = w.Start
		a.Hints = append(a.Hints, "the previous window is older than CloudWatch's 455-day retention; compared nothing")
	}
	span := timewin.Window{Start: prevStart, End: w.End, Loc: w.Loc}
	budget := o.PointsPerSeries
	if prevStart.Before(w.Start) {
		budget *= 2
	}
	period := timewin.Period(span, now, budget, 60)
	start, end := Align(prevStart, w.End, period)
	curStart, _ := Align(w.Start, w.End, period)
	a.PeriodS = period
	key := seriesKey(a.Target, mt.Name, mt.Stat)
	got, err := Fetch(ctx, api, []Request{{Key: key, MetricName: mt.Name, Dimensions: dims, Stat: mt.Stat}}, start, end, period)
	a.Calls = got.Calls
	if err != nil {
		return a, awsclient.In(t.Region, a.Target, err)
	}
	for _, msg := range append(got.Messages, got.Series[key].Messages...) {
		a.Hints = append(a.Hints, "CloudWatch: "+msg)
	}
	ts, vs := normalize(got.Series[key], mt.Scale, start, end)
	cut := 0
	for cut < len(ts) && ts[cut].Before(curStart) {
		cut++
	}
	pts, pvs := ts[:cut], vs[:cut]
	ts, vs = ts[cut:], vs[cut:]
	if prevStart.Before(w.Start) {
		pw := timewin.Window{Start: prevStart, End: w.Start, Loc: w.Loc}.Echo()
		a.PreviousWindow = &pw
	}
	if len(vs) == 0 {
		why := "no datapoints for " + mt.Name + " on " + a.Target + " in the window"
		if mt.Note != "" {
			why += " (" + mt.Note + ")"
		}
		a.Hints = append(a.Hints, why)
		a.ChangePoints, a.Anomalies = []ChangePoint{}, []Anomaly{}
		return a, nil
	}
	var buf []float64
	a.Current, buf = Summarize(ts, vs, buf)
	a.Trend = FitTrend(ts, vs)
	if math.Abs(a.Trend.FittedStart) < mt.MinDelta {
		a.Trend.ChangePct = nil
	}
	seasonal := d >= seasonalSpan
	if seasonal {
		a.Seasonality = DailyProfile(ts, vs, w.Loc)
		if a.Seasonality == nil {
			a.Hints = append(a.Hints, "seasonality not computed: some hours of the day have no data")
		}
	} else {
		a.Hints = append(a.Hints, "seasonality needs a window of 3 days or more (send since=\"7d\")")
	}
	an := Anomalies(ts, vs, AnomalyOptions{MinDelta: mt.MinDelta, Seasonal: seasonal, Loc: w.Loc})
	a.AnomaliesTotal = len(an)
	if len(an) > o.MaxAnomalies {
		an = an[:o.MaxAnomalies]
	}
	a.Anomalies = an
	cpIn := vs
	if s := a.Seasonality; s != nil && s.Strength >= 0.3 {
		// level shifts on the deseasonalized series, levels kept in the metric's unit
		cpIn = make([]float64, len(vs))
		for i, v := range vs {
			cpIn[i] = v - s.HourlyMean[localHour(ts[i], w.Loc)] + a.Current.Avg
		}
	}
	a.ChangePoints = ChangePoints(ts, cpIn, ChangeOptions{Max: o.MaxChangePoints, MinDelta: mt.MinDelta})
	if a.ChangePoints == nil {
		a.ChangePoints = []ChangePoint{}
	}
	if len(pvs) > 0 {
		ps, _ := Summarize(pts, pvs, buf)
		a.Previous = &ps
		a.Change = &WindowChange{AvgPct: pct(ps.Avg, a.Current.Avg), P95Pct: pct(ps.P95, a.Current.P95), MaxPct: pct(ps.Max, a.Current.Max), AvgAbs: a.Current.Avg - ps.Avg}
	} else if a.PreviousWindow != nil {
		a.Hints = append(a.Hints, "no datapoints in the previous window; nothing to compare")
	}
	if mt.PI {
		if exp := int(end.Sub(curStart) / (time.Duration(period) * time.Second)); exp > 0 && float64(len(vs)) < 0.9*float64(exp) {
			a.Hints = append(a.Hints, fmt.Sprintf("%s has %d of %d periods: Performance Insights publishes it only while there is load, so a gap is not zero", mt.Name, len(vs), exp))
		}
	}
	if o.IncludeSeries {
		ds := Downsample(ts, vs, o.MaxPoints)
		a.Series = &ds
	}
	return a, nil
}

func pct(from, to float64) *float64 {
	if math.Abs(from) < 1e-12 {
		return nil
	}
	v := (to - from) / math.Abs(from) * 100
	return &v
}

// alternatives suggests members a metric does apply to.
func alternatives(mt Metric, e Engine, t cluster.Topology, skip string) string {
	var ids []string
	for _, m := range t.Members {
		if m.ID == skip {
			continue
		}
		if ok, _ := mt.Applies(e, Target{ID: m.ID, Role: RoleOf(m.Role), Class: m.Class, PIEnabled: m.PIEnabled}); ok {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return "; no member of " + t.ID + " reports it — pick another metric"
	}
	return "; send instance_id " + strings.Join(ids, " or ")
}
