package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Options tune Collect. Zero values take the defaults.
type Options struct {
	// Now is the clock the period choice is based on (the age of the window start decides which periods
	// CloudWatch still has); zero means time.Now().
	Now time.Time
	// Metrics restricts the set (CloudWatch or normalized names); empty means the engine's default set.
	Metrics []string
	// Instances restricts the members; empty means every member.
	Instances []string
	// IncludeSeries adds each series downsampled to MaxPoints (min/max preserving).
	IncludeSeries bool
	MaxPoints     int // points per downsampled series; default 120
	// PointsPerSeries is the datapoint budget per fetched series that decides the period; default 1,440.
	PointsPerSeries int
	// MaxAnomalies per series; default 3.
	MaxAnomalies int
}

const (
	defaultMaxPoints    = 120
	defaultBudget       = 1440
	defaultMaxAnomalies = 3
	seasonalSpan        = 72 * time.Hour
)

// Result is everything Collect learned about a cluster's members over a window.
type Result struct {
	Region      string          `json:"region"`
	ClusterID   string          `json:"cluster_id"`
	Engine      string          `json:"engine"`
	Window      timewin.Echo    `json:"window"`
	PeriodS     int32           `json:"period_s" jsonschema_description:"CloudWatch period of every series, seconds."`
	Queries     int             `json:"queries" jsonschema_description:"Series requested."`
	Calls       int             `json:"get_metric_data_calls" jsonschema_description:"GetMetricData requests sent (ceil(queries/500) batches, plus NextToken pages)."`
	Members     []MemberMetrics `json:"members"`
	Cluster     []SeriesStats   `json:"cluster_metrics" jsonschema_description:"Cluster-level metrics (Aurora cluster volume)."`
	Comparisons []Comparison    `json:"comparisons" jsonschema_description:"Per metric: the writer against the readers, and the member that stands out."`
	Episodes    []Episode       `json:"episodes" jsonschema_description:"Time ranges where anomalies of one or more series overlap (one incident seen through several metrics), in time order."`
	Hints       []string        `json:"hints" jsonschema_description:"Why metrics are absent or partial."`
}

// MemberMetrics is one member's series.
type MemberMetrics struct {
	ID          string        `json:"id"`
	Role        string        `json:"role"`
	Class       string        `json:"class"`
	VCPU        int           `json:"vcpu,omitempty"`
	MemoryBytes int64         `json:"memory_bytes,omitempty"`
	Metrics     []SeriesStats `json:"metrics"`
	Absent      []Absent      `json:"absent" jsonschema_description:"Metrics of the requested set that are not reported for this member, with the reason."`
}

// SeriesStats is the statistics of one series.
type SeriesStats struct {
	Metric           string `json:"metric" jsonschema_description:"Normalized name; the unit is in the name."`
	CloudWatchMetric string `json:"cloudwatch_metric"`
	Unit             string `json:"unit" jsonschema:"enum=pct,enum=bytes,enum=ms,enum=count,enum=per_s,enum=acu,enum=sessions,enum=ratio,enum=bytes_per_s"`
	Stat             string `json:"stat" jsonschema_description:"CloudWatch statistic of each period; min/avg/p95/max are over these per-period values."`
	Stats
	Coverage       float64    `json:"coverage" jsonschema_description:"Share of the window's periods that have a datapoint, 0–1."`
	Trend          Trend      `json:"trend"`
	Anomalies      []Anomaly  `json:"anomalies"`
	AnomaliesTotal int        `json:"anomalies_total"`
	MemoryPct      *MemoryPct `json:"pct_of_memory,omitempty" jsonschema_description:"FreeableMemory as a percentage of the instance class memory."`
	Series         *Series    `json:"series,omitempty"`
	Messages       []string   `json:"messages,omitempty"`
}

// MemoryPct is FreeableMemory relative to the class's memory.
type MemoryPct struct {
	Min  float64 `json:"min"`
	Avg  float64 `json:"avg"`
	Last float64 `json:"last"`
}

// Absent is a metric that is not reported for a member.
type Absent struct {
	Metric           string `json:"metric"`
	CloudWatchMetric string `json:"cloudwatch_metric"`
	Reason           string `json:"reason"`
	Queried          bool   `json:"queried" jsonschema_description:"True when it was requested from CloudWatch and came back empty; false when it does not apply."`
}

// Comparison compares one metric across members.
type Comparison struct {
	Metric     string  `json:"metric"`
	Writer     string  `json:"writer,omitempty"`
	WriterAvg  float64 `json:"writer_avg,omitempty"`
	ReadersAvg float64 `json:"readers_avg,omitempty" jsonschema_description:"Mean of the readers' averages."`
	Outlier    string  `json:"outlier" jsonschema_description:"The member whose average differs most from the mean of the others."`
	OutlierAvg float64 `json:"outlier_avg"`
	OthersAvg  float64 `json:"others_avg"`
	Ratio      float64 `json:"ratio,omitempty" jsonschema_description:"outlier_avg / others_avg (absent when others_avg is 0)."`
	StandsOut  bool    `json:"stands_out" jsonschema_description:"The difference is both large (≥1.5× or ≤1/1.5×) and above the metric's noise floor."`
}

// planned is one series of the plan with what it needs for the result.
type planned struct {
	key    string
	metric Metric
	member int // index into Result.Members, -1 for cluster-level
}

// Collect fetches the metric set for every member of t (or the chosen ones) and the cluster-level metrics
// over w in ceil(series/500) GetMetricData calls, and computes per-series statistics, trend, anomalies and
// the writer-vs-readers comparison. Bad options are *tools.Error; a failed AWS call is returned wrapped
// with the region and cluster id (awsclient.In) so a caller can record it as a gap.
func Collect(ctx context.Context, api API, t cluster.Topology, w timewin.Window, o Options) (Result, error) {
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
		o.MaxAnomalies = defaultMaxAnomalies
	}
	e := EngineOf(t.Engine)
	set, explicit, err := selectMetrics(o.Metrics, e)
	if err != nil {
		return Result{}, err
	}
	members, err := selectMembers(t, o.Instances)
	if err != nil {
		return Result{}, err
	}
	period := timewin.Period(w, now, o.PointsPerSeries, 60)
	start, end := Align(w.Start, w.End, period)
	r := Result{Region: t.Region, ClusterID: t.ID, Engine: t.Engine, Window: w.Echo(), PeriodS: period}
	h := newHints(t.Members)
	var reqs []Request
	var plan []planned
	for _, m := range members {
		mm := MemberMetrics{ID: m.ID, Role: m.Role, Class: m.Class, VCPU: m.VCPU, MemoryBytes: m.MemoryBytes}
		tg := Target{ID: m.ID, Role: RoleOf(m.Role), Class: m.Class, PIEnabled: m.PIEnabled}
		for _, mt := range set {
			if mt.Level != LevelInstance {
				continue
			}
			if ok, why := mt.Applies(e, tg); !ok {
				mm.Absent = append(mm.Absent, Absent{Metric: mt.Out, CloudWatchMetric: mt.Name, Reason: why})
				h.add(mt.Name, "not queried", why, m.ID)
				continue
			}
			key := seriesKey(m.ID, mt.Name, mt.Stat)
			reqs = append(reqs, Request{Key: key, MetricName: mt.Name, Dimensions: InstanceDims(m.ID), Stat: mt.Stat})
			plan = append(plan, planned{key: key, metric: mt, member: len(r.Members)})
		}
		r.Members = append(r.Members, mm)
	}
	if len(t.Members) == 0 {
		h.plain("the cluster has no DB instances; only cluster-level metrics were queried")
	}
	for _, mt := range set {
		if mt.Level != LevelCluster {
			continue
		}
		if ok, why := mt.Applies(e, Target{ID: t.ID}); !ok || t.Kind != "aurora-cluster" {
			if explicit {
				if why == "" {
					why = "cluster volume metrics exist for Aurora clusters only"
				}
				h.add(mt.Name, "not queried", why, t.ID)
			}
			continue
		}
		key := seriesKey(t.ID, mt.Name, mt.Stat)
		reqs = append(reqs, Request{Key: key, MetricName: mt.Name, Dimensions: ClusterDims(t.ID), Stat: mt.Stat})
		plan = append(plan, planned{key: key, metric: mt, member: -1})
	}
	r.Queries = len(reqs)
	if len(reqs) == 0 {
		r.Hints = h.list()
		return r, nil
	}
	got, err := Fetch(ctx, api, reqs, start, end, period)
	r.Calls = got.Calls
	if err != nil {
		return r, awsclient.In(t.Region, t.ID, err)
	}
	for _, msg := range got.Messages {
		h.plain("CloudWatch: " + msg)
	}
	expected := int(end.Sub(start) / (time.Duration(period) * time.Second))
	seasonal := w.Duration() >= seasonalSpan
	sc := &scratch{}
	for _, p := range plan {
		raw := got.Series[p.key]
		owner := t.ID
		if p.member >= 0 {
			owner = r.Members[p.member].ID
		}
		ts, vs := normalize(raw, p.metric.Scale, start, end)
		if len(vs) == 0 {
			reason := "no datapoints in the window"
			if p.metric.Note != "" {
				reason += " (" + p.metric.Note + ")"
			}
			if p.member >= 0 {
				r.Members[p.member].Absent = append(r.Members[p.member].Absent, Absent{Metric: p.metric.Out, CloudWatchMetric: p.metric.Name, Reason: reason, Queried: true})
			}
			h.add(p.metric.Name, "returned no datapoints in the window", p.metric.Note, owner)
			continue
		}
		s := seriesStats(p.metric, ts, vs, sc, expected, seasonal, w.Loc, o)
		s.Messages = raw.Messages
		if raw.Status == "PartialData" {
			h.add(p.metric.Name, "partial", "CloudWatch still reported PartialData after paging", owner)
		}
		switch cov := fmt.Sprintf("coverage %.0f%%", s.Coverage*100); {
		case p.metric.PI && s.Coverage < 0.98:
			h.add(p.metric.Name, "with gaps", "Performance Insights publishes it only while there is load, so a gap is not zero", owner)
		case p.metric.Roles != AnyRole && p.member >= 0 && s.Coverage < 0.9:
			h.add(p.metric.Name, cov, "it follows the role, so the member probably changed role (failover) in the window — see get_rds_events", owner)
		case s.Coverage < 0.5:
			h.add(p.metric.Name, cov, "sparse data", owner)
		}
		if p.member < 0 {
			r.Cluster = append(r.Cluster, s)
			continue
		}
		mm := &r.Members[p.member]
		if p.metric.Out == "freeable_memory_bytes" && mm.MemoryBytes > 0 {
			mem := float64(mm.MemoryBytes)
			s.MemoryPct = &MemoryPct{Min: s.Min / mem * 100, Avg: s.Avg / mem * 100, Last: s.Last / mem * 100}
		}
		mm.Metrics = append(mm.Metrics, s)
	}
	r.Comparisons = compare(r.Members, set)
	r.Episodes = Episodes(r, 2*time.Duration(period)*time.Second)
	r.Hints = h.list()
	return r, nil
}

// seriesStats computes everything for one normalized series.
func seriesStats(mt Metric, ts []time.Time, vs []float64, sc *scratch, expected int, seasonal bool, loc *time.Location, o Options) SeriesStats {
	s := SeriesStats{Metric: mt.Out, CloudWatchMetric: mt.Name, Unit: mt.OutUnit, Stat: mt.Stat}
	s.Stats, sc.summary = Summarize(ts, vs, sc.summary)
	if expected > 0 {
		s.Coverage = math.Min(1, float64(len(vs))/float64(expected))
	}
	s.Trend = FitTrend(ts, vs)
	s.Trend.TStat, s.Trend.PValue, s.Trend.Significant = 0, 0, false // significance is analyze_metric's job
	if math.Abs(s.Trend.FittedStart) < mt.MinDelta {
		s.Trend.ChangePct = nil // a percentage of about nothing says nothing
	}
	an := anomalies(ts, vs, AnomalyOptions{MinDelta: mt.MinDelta, Seasonal: seasonal, Loc: loc}, sc)
	s.AnomaliesTotal = len(an)
	if len(an) > o.MaxAnomalies {
		an = an[:o.MaxAnomalies]
	}
	s.Anomalies = an
	if o.IncludeSeries {
		ds := Downsample(ts, vs, o.MaxPoints)
		s.Series = &ds
	}
	return s
}

// normalize scales the raw values and keeps the finite points inside [start, end). When every point is
// kept, the timestamps (and the values when the scale is 1) are raw's own slices.
func normalize(raw *Raw, scale float64, start, end time.Time) ([]time.Time, []float64) {
	if raw == nil {
		return nil, nil
	}
	keep := func(i int) bool {
		v, t := raw.Values[i], raw.Timestamps[i]
		return !math.IsNaN(v) && !math.IsInf(v, 0) && !t.Before(start) && t.Before(end)
	}
	all := true
	for i := range raw.Values {
		if !keep(i) {
			all = false
			break
		}
	}
	if all {
		if scale == 1 {
			return raw.Timestamps, raw.Values
		}
		vs := make([]float64, len(raw.Values))
		for i, v := range raw.Values {
			vs[i] = v * scale
		}
		return raw.Timestamps, vs
	}
	ts := make([]time.Time, 0, len(raw.Values))
	vs := make([]float64, 0, len(raw.Values))
	for i, v := range raw.Values {
		if keep(i) {
			ts = append(ts, raw.Timestamps[i])
			vs = append(vs, v*scale)
		}
	}
	return ts, vs
}

// selectMetrics resolves the metrics argument. explicit is true when the caller named metrics.
func selectMetrics(names []string, e Engine) ([]Metric, bool, error) {
	if len(names) == 0 {
		return DefaultSet(e), false, nil
	}
	var out []Metric
	seen := map[string]bool{}
	for _, n := range names {
		m, ok := Lookup(n, e)
		if !ok {
			return nil, true, tools.Errorf("unknown metric %q; send CloudWatch names or normalized names, e.g. CPUUtilization or cpu_pct. Known: %s", n, strings.Join(Names(), ", "))
		}
		if !seen[m.Name] {
			seen[m.Name] = true
			out = append(out, m)
		}
	}
	return out, true, nil
}

func selectMembers(t cluster.Topology, ids []string) ([]cluster.Member, error) {
	if len(ids) == 0 {
		return t.Members, nil
	}
	var out []cluster.Member
	for _, id := range ids {
		m, ok := t.Member(strings.TrimSpace(id))
		if !ok {
			return nil, tools.Errorf("instance %q is not a member of %s; members: %s (or omit instances for all)", id, t.ID, memberList(t))
		}
		out = append(out, m)
	}
	return out, nil
}

func memberList(t cluster.Topology) string {
	ids := make([]string, len(t.Members))
	for i, m := range t.Members {
		ids[i] = m.ID
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// compare builds the writer-vs-readers comparison for every metric reported by at least two members. The
// outlier is the member furthest from the mean of the others in the metric's worse direction (highest CPU,
// lowest freeable memory). FreeableMemory is compared as a percentage of each class's memory when every
// member's class is known, since members may differ in size.
func compare(members []MemberMetrics, set []Metric) []Comparison {
	var out []Comparison
	for _, mt := range set {
		if mt.Level != LevelInstance {
			continue
		}
		type av struct {
			id, role string
			avg      float64
		}
		var avs []av
		name, minDelta := mt.Out, mt.MinDelta
		byPct := mt.Out == "freeable_memory_bytes"
		for _, m := range members {
			for _, s := range m.Metrics {
				if s.CloudWatchMetric == mt.Name {
					byPct = byPct && s.MemoryPct != nil
					avs = append(avs, av{m.ID, m.Role, s.Avg})
				}
			}
		}
		if len(avs) < 2 {
			continue
		}
		if byPct {
			name, minDelta, avs = "freeable_memory_pct", 5, avs[:0]
			for _, m := range members {
				for _, s := range m.Metrics {
					if s.CloudWatchMetric == mt.Name {
						avs = append(avs, av{m.ID, m.Role, s.MemoryPct.Avg})
					}
				}
			}
		}
		c := Comparison{Metric: name}
		var rsum, total float64
		var rn int
		for _, a := range avs {
			total += a.avg
			switch a.role {
			case cluster.RoleWriter:
				c.Writer, c.WriterAvg = a.id, a.avg
			case cluster.RoleReader:
				rsum += a.avg
				rn++
			}
		}
		if rn > 0 {
			c.ReadersAvg = rsum / float64(rn)
		}
		worse := float64(mt.Worse)
		if worse == 0 {
			worse = 1
		}
		best := math.Inf(-1)
		for _, a := range avs {
			others := (total - a.avg) / float64(len(avs)-1)
			if d := (a.avg - others) * worse; d > best {
				best = d
				c.Outlier, c.OutlierAvg, c.OthersAvg = a.id, a.avg, others
			}
		}
		if c.OthersAvg != 0 {
			c.Ratio = c.OutlierAvg / c.OthersAvg
		}
		big := c.OthersAvg == 0 || c.Ratio >= 1.5 || (c.Ratio > 0 && c.Ratio <= 1/1.5)
		c.StandsOut = big && best >= minDelta
		out = append(out, c)
	}
	return out
}

// hints groups "<metrics> <what> on <ids>: <why>" lines: a reason shared by several members, or by several
// metrics on the same members, is one line.
type hints struct {
	order      []string
	ids        map[string][]string
	plainOrder []string
	all        string // every member, sorted and joined: written as "every member"
}

func newHints(members []cluster.Member) *hints {
	h := &hints{ids: map[string][]string{}}
	if len(members) > 1 {
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.ID
		}
		sort.Strings(ids)
		h.all = strings.Join(ids, ", ")
	}
	return h
}

func (h *hints) add(metric, what, why, id string) {
	k := metric + "\x00" + what + "\x00" + why
	if _, ok := h.ids[k]; !ok {
		h.order = append(h.order, k)
	}
	if !contains(h.ids[k], id) {
		h.ids[k] = append(h.ids[k], id)
	}
}

func (h *hints) plain(s string) {
	if !contains(h.plainOrder, s) {
		h.plainOrder = append(h.plainOrder, s)
	}
}

func (h *hints) list() []string {
	type line struct {
		metrics        []string
		what, why, ids string
	}
	var lines []*line
	byKey := map[string]*line{}
	for _, k := range h.order {
		parts := strings.SplitN(k, "\x00", 3)
		ids := append([]string(nil), h.ids[k]...)
		sort.Strings(ids)
		joined := strings.Join(ids, ", ")
		lk := parts[1] + "\x00" + parts[2] + "\x00" + joined
		if l, ok := byKey[lk]; ok {
			l.metrics = append(l.metrics, parts[0])
			continue
		}
		l := &line{metrics: []string{parts[0]}, what: parts[1], why: parts[2], ids: joined}
		byKey[lk] = l
		lines = append(lines, l)
	}
	out := []string{}
	for _, l := range lines {
		on := l.ids
		if on == h.all {
			on = "every member"
		}
		s := strings.Join(l.metrics, ", ") + " " + l.what + " on " + on
		if l.why != "" {
			s += ": " + l.why
		}
		out = append(out, s)
	}
	return append(out, h.plainOrder...)
}
