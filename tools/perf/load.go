package perf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
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

// Dimensions accepted in Options.GroupBy (and the tool's group_by argument).
const (
	DimWaitEvent     = "wait_event"
	DimWaitEventType = "wait_event_type"
	DimSQL           = "sql"
	DimUser          = "user"
	DimHost          = "host"
	DimDatabase      = "database"
	DimApplication   = "application"
)

// DefaultGroupBy is what Load breaks the load down by when Options.GroupBy is empty.
var DefaultGroupBy = []string{DimWaitEvent, DimSQL, DimUser, DimHost}

// AllowedPeriods are the PeriodInSeconds values Performance Insights accepts.
var AllowedPeriods = []int32{1, 60, 300, 3600, 86400}

// periodChoices are the periods Load picks from: PI's allowed values but 1 s, whose data PI keeps only for a
// short time and which would make a short window's peak a one-second blip.
var periodChoices = AllowedPeriods[1:]

// Performance Insights facts.
const (
	metricLoad       = "db.load.avg"
	defaultTopN      = 5
	maxTopN          = 10  // GroupBy Limit / MaxResults we rely on
	defaultMaxPoints = 720 // datapoints per series when choosing the period
	// piTextLimit is the size at which PI cuts a response element (SQL text); text this long (minus a cut
	// multi-byte rune) is treated as truncated.
	piTextLimit = 500
	truncatedAt = piTextLimit - 3
	// maxStatementBytes caps the statement kept in the output, full text included.
	maxStatementBytes = 4096
	peakSQLCount      = 3 // statements ranked for the peak period
	freeRetention     = 7 * 24 * time.Hour
)

type dimension struct {
	group  string // PI dimension group
	name   string // dimension holding the key's display name
	alt    string // fallback name dimension
	typ    string // dimension holding a type (wait events)
	pgOnly bool
}

var dimensions = map[string]dimension{
	DimWaitEvent:     {group: "db.wait_event", name: "db.wait_event.name", typ: "db.wait_event.type"},
	DimWaitEventType: {group: "db.wait_event_type", name: "db.wait_event_type.name"},
	DimUser:          {group: "db.user", name: "db.user.name", alt: "db.user.id"},
	DimHost:          {group: "db.host", name: "db.host.name", alt: "db.host.id"},
	DimDatabase:      {group: "db", name: "db.name"},
	DimApplication:   {group: "db.application", name: "db.application.name", pgOnly: true},
}

// Options tune Load. The zero value asks for the defaults.
type Options struct {
	TopN      int       // keys per breakdown and top SQL statements, 1–10 (default 5)
	GroupBy   []string  // Dim* values (default DefaultGroupBy)
	Instances []string  // restrict to these members (default: every member)
	RawSQL    bool      // keep literal values in fetched full SQL text (default: masked)
	Now       time.Time // for the retention check (default: the window's end)
	MaxPoints int       // datapoint budget per series when choosing the period (default 720)
	// IncludeSeries returns the load time series (total and by wait event) for charts.
	IncludeSeries bool
}

// Result is the database load of a cluster's members over a window.
type Result struct {
	Region             string          `json:"region"`
	ClusterID          string          `json:"cluster_id"`
	Engine             string          `json:"engine"`
	Window             timewin.Echo    `json:"window"`
	PeriodS            int32           `json:"period_s" jsonschema_description:"Performance Insights period used, seconds (60, 300, 3600 or 86400)."`
	Members            []MemberLoad    `json:"members"`
	Findings           []tools.Finding `json:"findings"`
	MissingPermissions []string        `json:"missing_permissions,omitempty" jsonschema_description:"IAM actions that were refused; the data they give is missing."`
	Hints              []string        `json:"hints,omitempty"`
}

// MemberLoad is the load of one DB instance.
type MemberLoad struct {
	Instance    string      `json:"instance"`
	Role        string      `json:"role"`
	Class       string      `json:"class"`
	VCPU        int         `json:"vcpu" jsonschema_description:"vCPUs of the instance class; 0 when unknown (e.g. Serverless v2)."`
	PIEnabled   bool        `json:"pi_enabled"`
	ResourceID  string      `json:"resource_id" jsonschema_description:"DbiResourceId, the Performance Insights identifier."`
	HasData     bool        `json:"has_data"`
	AvgLoad     float64     `json:"avg_load_aas" jsonschema_description:"Average active sessions (db.load.avg) over the window."`
	PeakLoad    float64     `json:"peak_load_aas" jsonschema_description:"Highest period average of db.load.avg."`
	PeakAt      string      `json:"peak_at,omitempty" jsonschema_description:"Start of the peak period, RFC 3339 UTC."`
	AvgPerVCPU  float64     `json:"avg_load_per_vcpu,omitempty" jsonschema_description:"Average load divided by vCPUs; above 1 means sessions wait for CPU or I/O."`
	PeakPerVCPU float64     `json:"peak_load_per_vcpu,omitempty"`
	Breakdowns  []Breakdown `json:"breakdowns"`
	WaitsAtPeak []KeyLoad   `json:"waits_at_peak,omitempty" jsonschema_description:"Load by wait event during the peak period."`
	TopSQL      []SQLLoad   `json:"top_sql"`
	// TopSQLAtPeak ranks statements during the peak period, when the peak is above the vCPU count.
	TopSQLAtPeak []SQLLoad `json:"top_sql_at_peak,omitempty" jsonschema_description:"Top statements during the peak period (only when the peak exceeds the vCPU count); share is of the peak load."`
	SQLMore      bool      `json:"top_sql_truncated,omitempty" jsonschema_description:"More statements carry load than top_n."`
	Series       *Series   `json:"series,omitempty"`
	Hints        []string  `json:"hints,omitempty"`
}

// Breakdown is the load split by one dimension (top keys, largest first).
type Breakdown struct {
	Dimension string    `json:"dimension" jsonschema:"enum=wait_event,enum=wait_event_type,enum=user,enum=host,enum=database,enum=application"`
	Keys      []KeyLoad `json:"keys"`
	OtherLoad float64   `json:"other_load_aas,omitempty" jsonschema_description:"Load of the keys beyond the top N."`
}

// KeyLoad is the load of one dimension key (a wait event, a user, a host…).
type KeyLoad struct {
	Name     string  `json:"name"`
	Type     string  `json:"type,omitempty" jsonschema_description:"Wait event type (CPU, IO, Lock, …) for wait events."`
	AvgLoad  float64 `json:"avg_load_aas"`
	SharePct float64 `json:"share_pct" jsonschema_description:"Share of the member's load (for a statement's waits: of that statement's load)."`
}

// SQLLoad is one SQL digest among the top statements by load.
type SQLLoad struct {
	ID             string    `json:"id" jsonschema_description:"db.sql_tokenized.id (the PI Support ID)."`
	DBID           string    `json:"db_id,omitempty"`
	Statement      string    `json:"statement" jsonschema_description:"Untrusted text: the digest, literals masked unless raw_sql."`
	StatementBytes int       `json:"statement_bytes"`
	FullText       bool      `json:"full_text" jsonschema_description:"PI cut the digest at 500 bytes and the full text was fetched with GetDimensionKeyDetails."`
	Truncated      bool      `json:"truncated,omitempty" jsonschema_description:"The statement shown is still incomplete."`
	AvgLoad        float64   `json:"avg_load_aas"`
	SharePct       float64   `json:"share_pct"`
	Waits          []KeyLoad `json:"waits,omitempty" jsonschema_description:"This statement's load by wait event."`
	CallsPerS      *float64  `json:"calls_per_s,omitempty"`
	LatencyMs      *float64  `json:"avg_latency_ms,omitempty" jsonschema_description:"Average time per call."`
	RowsPerCall    *float64  `json:"rows_examined_per_call,omitempty" jsonschema_description:"Rows examined (MySQL) or returned (PostgreSQL) per call."`
}

// Series is the load over time, for charts.
type Series struct {
	PeriodS int32         `json:"period_s"`
	Times   []string      `json:"times"`
	Total   []float64     `json:"total_aas"`
	ByWait  []NamedSeries `json:"by_wait_event,omitempty"`
}

// NamedSeries is one key's values aligned with Series.Times.
type NamedSeries struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Load reads Performance Insights for every member of topo (or opt.Instances) with PI on: one
// GetResourceMetrics (total load and every breakdown but SQL) and one DescribeDimensionKeys (top SQL
// digests, partitioned by wait event, with per-digest statistics) per member, plus a DescribeDimensionKeys
// and a GetDimensionKeyDetails for each top digest PI cut at 500 bytes. Members run concurrently.
//
// Members with PI off, a refused permission (missing_permissions) and a window partly older than the PI
// retention are hints, not errors. Other AWS failures are returned (wrapped with the member id) so a caller
// can record them as a gap.
func Load(ctx context.Context, api API, topo cluster.Topology, w timewin.Window, opt Options) (Result, error) {
	opt = opt.withDefaults(w)
	if err := opt.validate(); err != nil {
		return Result{}, err
	}
	res := Result{Region: topo.Region, ClusterID: topo.ID, Engine: topo.Engine, Members: []MemberLoad{}, Findings: []tools.Finding{}}
	w, note, err := clampRetention(w, topo, opt.Now)
	if err != nil {
		return Result{}, err
	}
	if note != "" {
		res.Hints = append(res.Hints, note)
	}
	res.Window = w.Echo()
	res.PeriodS = timewin.PeriodFrom(w, periodChoices, opt.MaxPoints)

	members, err := selectMembers(topo, opt.Instances)
	if err != nil {
		return Result{}, err
	}
	groupBy := opt.GroupBy
	if !cluster.IsPostgres(topo.Engine) && slices.Contains(groupBy, DimApplication) {
		groupBy = slices.DeleteFunc(slices.Clone(groupBy), func(d string) bool { return d == DimApplication })
		res.Hints = append(res.Hints, "group_by application applies to PostgreSQL engines only; left out")
	}
	ml := make([]MemberLoad, len(members))
	errs := make([]error, len(members))
	denied := make([][]string, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		ml[i] = MemberLoad{Instance: m.ID, Role: m.Role, Class: m.Class, VCPU: m.VCPU, PIEnabled: m.PIEnabled,
			ResourceID: m.ResourceID, Breakdowns: []Breakdown{}, TopSQL: []SQLLoad{}}
		if !m.PIEnabled || m.ResourceID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &memberRun{api: api, topo: topo, w: w, period: res.PeriodS, opt: opt, groupBy: groupBy, out: &ml[i]}
			errs[i] = r.run(ctx)
			denied[i] = r.denied
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return Result{}, awsclient.In(topo.Region, members[i].ID, err)
		}
		for _, a := range denied[i] {
			if !slices.Contains(res.MissingPermissions, a) {
				res.MissingPermissions = append(res.MissingPermissions, a)
			}
		}
	}
	res.Members = ml
	if off := piOff(members); len(off) > 0 {
		res.Hints = append(res.Hints, enableHint(topo, off))
	}
	if len(res.MissingPermissions) > 0 {
		res.Hints = append(res.Hints, fmt.Sprintf("Access denied for %s: grant it (or attach AmazonRDSPerformanceInsightsReadOnly) to the role kida-mcp runs as; the load data it gives is missing below",
			strings.Join(res.MissingPermissions, ", ")))
	}
	res.Findings = Findings(res)
	return res, nil
}

func (o Options) withDefaults(w timewin.Window) Options {
	if o.TopN <= 0 {
		o.TopN = defaultTopN
	}
	if len(o.GroupBy) == 0 {
		o.GroupBy = DefaultGroupBy
	}
	if o.Now.IsZero() {
		o.Now = w.End
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = defaultMaxPoints
	}
	return o
}

func (o Options) validate() error {
	if o.TopN > maxTopN {
		return tools.Errorf("top_n %d is more than Performance Insights returns per group; send top_n between 1 and %d", o.TopN, maxTopN)
	}
	for _, d := range o.GroupBy {
		if _, ok := dimensions[d]; !ok && d != DimSQL {
			return tools.Errorf("group_by %q is not a dimension; send some of %s", d, strings.Join(allDims(), ", "))
		}
	}
	return nil
}

func allDims() []string {
	return []string{DimWaitEvent, DimWaitEventType, DimSQL, DimUser, DimHost, DimDatabase, DimApplication}
}

// clampRetention keeps the window inside the PI retention (7 days unless the topology says otherwise).
func clampRetention(w timewin.Window, topo cluster.Topology, now time.Time) (timewin.Window, string, error) {
	ret := freeRetention
	if d := topo.PerformanceInsights.RetentionDays; d > 0 {
		ret = time.Duration(d) * 24 * time.Hour
	}
	oldest := now.Add(-ret)
	days := int(ret / (24 * time.Hour))
	switch {
	case !w.End.After(oldest):
		return w, "", tools.Errorf("the window ends %s, before the Performance Insights retention of %d days (oldest data %s); send a window within the last %d days, e.g. since \"24h\"",
			w.End.UTC().Format(time.RFC3339), days, oldest.UTC().Format(time.RFC3339), days)
	case w.Start.Before(oldest):
		w.Start = oldest
		w.Clamped = true
		note := fmt.Sprintf("start moved to %s: Performance Insights keeps %d days of data here", oldest.UTC().Format(time.RFC3339), days)
		if w.Note != "" {
			note = w.Note + "; " + note
		}
		w.Note = note
		return w, note, nil
	}
	return w, "", nil
}

func selectMembers(topo cluster.Topology, ids []string) ([]cluster.Member, error) {
	if len(ids) == 0 {
		return topo.Members, nil
	}
	var out []cluster.Member
	for _, id := range ids {
		m, ok := topo.Member(id)
		if !ok {
			names := make([]string, len(topo.Members))
			for i, mm := range topo.Members {
				names[i] = mm.ID
			}
			return nil, tools.Errorf("instance %q is not a member of %s; members are %s", id, topo.ID, strings.Join(names, ", "))
		}
		out = append(out, m)
	}
	return out, nil
}

func piOff(ms []cluster.Member) []string {
	var off []string
	for _, m := range ms {
		if !m.PIEnabled || m.ResourceID == "" {
			off = append(off, m.ID)
		}
	}
	return off
}

func enableHint(topo cluster.Topology, off []string) string {
	how := fmt.Sprintf("aws rds modify-db-instance --db-instance-identifier %s --enable-performance-insights --apply-immediately", off[0])
	if topo.Kind == "aurora-cluster" {
		how = fmt.Sprintf("aws rds modify-db-cluster --db-cluster-identifier %s --database-insights-mode standard --enable-performance-insights --apply-immediately", topo.ID)
	}
	return fmt.Sprintf("Performance Insights is off on %s, so there is no database load for it. Turn on Database Insights — Standard mode is the default, free, keeps 7 days and applies online: %s. Meanwhile get_instance_metrics (CPU, connections, latency), get_slow_queries and get_error_log_summary still show what happened.",
		strings.Join(off, ", "), how)
}

// memberRun loads one member.
type memberRun struct {
	api     API
	topo    cluster.Topology
	w       timewin.Window
	period  int32
	opt     Options
	groupBy []string
	out     *MemberLoad
	denied  []string
}

func (r *memberRun) run(ctx context.Context) error {
	if err := r.metrics(ctx); err != nil {
		if a, ok := deniedAction(err); ok {
			r.deny(a)
			return nil
		}
		if off, ok := notEnabled(err); ok {
			r.out.PIEnabled = false
			r.out.Hints = append(r.out.Hints, "Performance Insights says: "+off)
			return nil
		}
		return err
	}
	if slices.Contains(r.groupBy, DimSQL) && r.out.HasData { // no load, no statements to rank
		if err := r.topSQL(ctx); err != nil {
			if a, ok := deniedAction(err); ok {
				r.deny(a)
				return nil
			}
			return err
		}
		if r.out.HasData && r.out.VCPU > 0 && r.out.PeakLoad > float64(r.out.VCPU) {
			if err := r.peakSQL(ctx); err != nil {
				if a, ok := deniedAction(err); ok {
					r.deny(a)
					return nil
				}
				return err
			}
		}
	}
	if !r.out.HasData {
		r.out.Hints = append(r.out.Hints, "no database load recorded in the window (the instance was idle, stopped, or PI was just turned on)")
	}
	return nil
}

func (r *memberRun) deny(action string) {
	r.denied = append(r.denied, action)
	r.out.Hints = append(r.out.Hints, "access denied: "+action)
}

// metrics runs GetResourceMetrics: the total and one grouped query per breakdown dimension.
func (r *memberRun) metrics(ctx context.Context) error {
	queries := []pitypes.MetricQuery{{Metric: aws.String(metricLoad)}}
	var dims []string
	for _, d := range r.groupBy {
		if d == DimSQL {
			continue
		}
		dims = append(dims, d)
		queries = append(queries, pitypes.MetricQuery{Metric: aws.String(metricLoad),
			GroupBy: &pitypes.DimensionGroup{Group: aws.String(dimensions[d].group), Limit: aws.Int32(int32(r.opt.TopN))}})
	}
	in := &pi.GetResourceMetricsInput{
		ServiceType: pitypes.ServiceTypeRds, Identifier: aws.String(r.out.ResourceID),
		StartTime: aws.Time(r.w.Start), EndTime: aws.Time(r.w.End), PeriodInSeconds: aws.Int32(r.period),
		PeriodAlignment: pitypes.PeriodAlignmentStartTime, MetricQueries: queries,
	}
	var list []pitypes.MetricKeyDataPoints
	for page := 0; page < maxPages; page++ {
		out, err := r.api.GetResourceMetrics(ctx, in)
		if err != nil {
			return err
		}
		list = append(list, out.MetricList...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		next := *in
		next.NextToken = out.NextToken
		in = &next
	}
	r.summarise(list, dims)
	return nil
}

type keySeries struct {
	name, typ string
	points    map[int64]float64
	sum       float64
}

func (r *memberRun) summarise(list []pitypes.MetricKeyDataPoints, dims []string) {
	total := map[int64]float64{}
	byDim := map[string]map[string]*keySeries{}
	for _, mk := range list {
		if mk.Key == nil || aws.ToString(mk.Key.Metric) != metricLoad {
			continue
		}
		if len(mk.Key.Dimensions) == 0 {
			for _, dp := range mk.DataPoints {
				if dp.Timestamp != nil && dp.Value != nil && !math.IsNaN(*dp.Value) {
					total[dp.Timestamp.Unix()] = *dp.Value
				}
			}
			continue
		}
		d, name, typ := classify(mk.Key.Dimensions, dims)
		if d == "" {
			continue
		}
		if byDim[d] == nil {
			byDim[d] = map[string]*keySeries{}
		}
		k := byDim[d][name+"\x00"+typ]
		if k == nil {
			k = &keySeries{name: name, typ: typ, points: map[int64]float64{}}
			byDim[d][name+"\x00"+typ] = k
		}
		for _, dp := range mk.DataPoints {
			if dp.Timestamp != nil && dp.Value != nil && !math.IsNaN(*dp.Value) {
				k.points[dp.Timestamp.Unix()] += *dp.Value
				k.sum += *dp.Value
			}
		}
	}
	times := make([]int64, 0, len(total))
	var sum float64
	for ts, v := range total {
		times = append(times, ts)
		sum += v
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	o := r.out
	if len(times) == 0 {
		for _, d := range dims {
			o.Breakdowns = append(o.Breakdowns, Breakdown{Dimension: d, Keys: []KeyLoad{}})
		}
		return
	}
	n := float64(len(times))
	o.HasData = sum > 0
	o.AvgLoad = round(sum / n)
	var peakTS int64
	for _, ts := range times {
		if v := total[ts]; v > o.PeakLoad || peakTS == 0 {
			o.PeakLoad, peakTS = v, ts
		}
	}
	o.PeakLoad = round(o.PeakLoad)
	o.PeakAt = time.Unix(peakTS, 0).UTC().Format(time.RFC3339)
	if o.VCPU > 0 {
		o.AvgPerVCPU = round(o.AvgLoad / float64(o.VCPU))
		o.PeakPerVCPU = round(o.PeakLoad / float64(o.VCPU))
	}
	for _, d := range dims {
		bd := Breakdown{Dimension: d, Keys: []KeyLoad{}}
		var keys []*keySeries
		for _, k := range byDim[d] {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].sum != keys[j].sum {
				return keys[i].sum > keys[j].sum
			}
			return keys[i].name < keys[j].name
		})
		var covered float64
		for _, k := range keys {
			covered += k.sum
			bd.Keys = append(bd.Keys, KeyLoad{Name: k.name, Type: k.typ, AvgLoad: round(k.sum / n), SharePct: pct(k.sum, sum)})
		}
		if other := (sum - covered) / n; other > 0.005 {
			bd.OtherLoad = round(other)
		}
		o.Breakdowns = append(o.Breakdowns, bd)
		if d == DimWaitEvent {
			for _, k := range keys {
				if v := k.points[peakTS]; v > 0 {
					o.WaitsAtPeak = append(o.WaitsAtPeak, KeyLoad{Name: k.name, Type: k.typ, AvgLoad: round(v), SharePct: pct(v, total[peakTS])})
				}
			}
			sort.SliceStable(o.WaitsAtPeak, func(i, j int) bool { return o.WaitsAtPeak[i].AvgLoad > o.WaitsAtPeak[j].AvgLoad })
		}
	}
	if r.opt.IncludeSeries {
		s := &Series{PeriodS: r.period}
		for _, ts := range times {
			s.Times = append(s.Times, time.Unix(ts, 0).UTC().Format(time.RFC3339))
			s.Total = append(s.Total, round(total[ts]))
		}
		var waits []*keySeries
		for _, k := range byDim[DimWaitEvent] {
			waits = append(waits, k)
		}
		sort.Slice(waits, func(i, j int) bool {
			return waits[i].sum > waits[j].sum || (waits[i].sum == waits[j].sum && waits[i].name < waits[j].name)
		})
		for _, k := range waits {
			ns := NamedSeries{Name: k.name}
			for _, ts := range times {
				ns.Values = append(ns.Values, round(k.points[ts]))
			}
			s.ByWait = append(s.ByWait, ns)
		}
		o.Series = s
	}
}

// classify finds which requested dimension a grouped series belongs to and its display name and type.
func classify(dims map[string]string, requested []string) (string, string, string) {
	for _, d := range requested {
		def := dimensions[d]
		name, ok := dims[def.name]
		if !ok && def.alt != "" {
			name, ok = dims[def.alt]
		}
		if ok {
			return d, name, dims[def.typ]
		}
	}
	return "", "", ""
}

// sqlStats are the per-digest statistics requested with DescribeDimensionKeys, by engine family.
func sqlStats(engine string) (calls, latency, rows string) {
	if cluster.IsPostgres(engine) {
		return "db.sql_tokenized.stats.calls_per_sec.avg", "db.sql_tokenized.stats.total_time_per_call.avg", "db.sql_tokenized.stats.rows_per_call.avg"
	}
	if cluster.IsMySQL(engine) {
		return "db.sql_tokenized.stats.count_star_per_sec.avg", "db.sql_tokenized.stats.sum_timer_wait_per_call.avg", "db.sql_tokenized.stats.sum_rows_examined_per_call.avg"
	}
	return "", "", ""
}

// topSQL runs DescribeDimensionKeys grouped by db.sql_tokenized over the window, partitioned by wait event
// and with per-digest statistics, then fetches the full text of digests PI cut.
func (r *memberRun) topSQL(ctx context.Context) error {
	list, more, err := r.describeSQL(ctx, r.w.Start, r.w.End, int32(r.opt.TopN), true, r.out.AvgLoad)
	if err != nil {
		return err
	}
	r.out.TopSQL, r.out.SQLMore = list, more
	return nil
}

// peakSQL ranks the digests during the peak period alone, which is what explains a spike that the
// window-long ranking averages away.
func (r *memberRun) peakSQL(ctx context.Context) error {
	start, err := time.Parse(time.RFC3339, r.out.PeakAt)
	if err != nil {
		return nil
	}
	end := start.Add(time.Duration(r.period) * time.Second)
	if end.After(r.w.End) {
		end = r.w.End
	}
	list, _, err := r.describeSQL(ctx, start, end, peakSQLCount, false, r.out.PeakLoad)
	if err != nil {
		return err
	}
	r.out.TopSQLAtPeak = list
	return nil
}

// describeSQL returns the top digests by load between start and end; shares are of denom.
func (r *memberRun) describeSQL(ctx context.Context, start, end time.Time, n int32, detailed bool, denom float64) ([]SQLLoad, bool, error) {
	in := &pi.DescribeDimensionKeysInput{
		ServiceType: pitypes.ServiceTypeRds, Identifier: aws.String(r.out.ResourceID), Metric: aws.String(metricLoad),
		StartTime: aws.Time(start), EndTime: aws.Time(end), PeriodInSeconds: aws.Int32(r.period),
		GroupBy: &pitypes.DimensionGroup{Group: aws.String("db.sql_tokenized"), Limit: aws.Int32(n),
			Dimensions: []string{"db.sql_tokenized.id", "db.sql_tokenized.db_id", "db.sql_tokenized.statement"}},
		MaxResults: aws.Int32(n),
	}
	calls, latency, rows := "", "", ""
	if detailed {
		in.PartitionBy = &pitypes.DimensionGroup{Group: aws.String("db.wait_event"), Limit: aws.Int32(5),
			Dimensions: []string{"db.wait_event.name", "db.wait_event.type"}}
		if calls, latency, rows = sqlStats(r.topo.Engine); calls != "" {
			in.AdditionalMetrics = []string{calls, latency, rows}
		}
	}
	out, err := r.api.DescribeDimensionKeys(ctx, in)
	if err != nil && in.AdditionalMetrics != nil && invalidArgument(err) {
		// Some engine versions lack these statistics; the load ranking matters more.
		retry := *in
		retry.AdditionalMetrics = nil
		calls = ""
		out, err = r.api.DescribeDimensionKeys(ctx, &retry)
		if err == nil {
			r.out.Hints = append(r.out.Hints, "per-statement SQL statistics are not available for this engine version")
		}
	}
	if err != nil {
		return nil, false, err
	}
	list := []SQLLoad{}
	for _, k := range out.Keys {
		stmt := k.Dimensions["db.sql_tokenized.statement"]
		s := SQLLoad{ID: k.Dimensions["db.sql_tokenized.id"], DBID: k.Dimensions["db.sql_tokenized.db_id"], Statement: stmt}
		if k.Total != nil {
			s.AvgLoad = round(*k.Total)
			s.SharePct = pct(*k.Total, denom)
		}
		for i, pk := range out.PartitionKeys {
			if i >= len(k.Partitions) || k.Partitions[i] <= 0 {
				continue
			}
			s.Waits = append(s.Waits, KeyLoad{Name: pk.Dimensions["db.wait_event.name"], Type: pk.Dimensions["db.wait_event.type"],
				AvgLoad: round(k.Partitions[i]), SharePct: pct(k.Partitions[i], aws.ToFloat64(k.Total))})
		}
		sort.SliceStable(s.Waits, func(i, j int) bool { return s.Waits[i].AvgLoad > s.Waits[j].AvgLoad })
		if calls != "" {
			s.CallsPerS = stat(k.AdditionalMetrics, calls)
			s.LatencyMs = stat(k.AdditionalMetrics, latency)
			s.RowsPerCall = stat(k.AdditionalMetrics, rows)
		}
		if known, ok := r.known(s.ID); ok { // text already fetched for the window ranking
			s.Statement, s.StatementBytes, s.FullText, s.Truncated = known.Statement, known.StatementBytes, known.FullText, known.Truncated
			list = append(list, s)
			continue
		}
		if len(stmt) >= truncatedAt && s.ID != "" {
			if err := r.fullText(ctx, &s); err != nil {
				return nil, false, err
			}
		}
		s.Statement = r.finishText(s.Statement, &s)
		list = append(list, s)
	}
	return list, aws.ToString(out.NextToken) != "", nil
}

func (r *memberRun) known(id string) (SQLLoad, bool) {
	for _, s := range r.out.TopSQL {
		if s.ID == id && id != "" {
			return s, true
		}
	}
	return SQLLoad{}, false
}

// fullText replaces a cut digest with the full text of its heaviest statement: DescribeDimensionKeys grouped
// by db.sql filtered to the digest gives a db.sql.id, GetDimensionKeyDetails gives its text. Failures other
// than a missing permission leave the cut text with a note.
func (r *memberRun) fullText(ctx context.Context, s *SQLLoad) error {
	s.Truncated = true
	keys, err := r.api.DescribeDimensionKeys(ctx, &pi.DescribeDimensionKeysInput{
		ServiceType: pitypes.ServiceTypeRds, Identifier: aws.String(r.out.ResourceID), Metric: aws.String(metricLoad),
		StartTime: aws.Time(r.w.Start), EndTime: aws.Time(r.w.End), PeriodInSeconds: aws.Int32(r.period),
		GroupBy:    &pitypes.DimensionGroup{Group: aws.String("db.sql"), Dimensions: []string{"db.sql.id", "db.sql.statement"}, Limit: aws.Int32(1)},
		Filter:     map[string]string{"db.sql.tokenized_id": s.ID},
		MaxResults: aws.Int32(1),
	})
	if err != nil {
		return r.softFail(ctx, err, "could not look up a statement of digest "+s.ID)
	}
	if len(keys.Keys) == 0 || keys.Keys[0].Dimensions["db.sql.id"] == "" {
		r.out.Hints = append(r.out.Hints, "no statement found for digest "+s.ID+"; its text stays cut at 500 bytes")
		return nil
	}
	det, err := r.api.GetDimensionKeyDetails(ctx, &pi.GetDimensionKeyDetailsInput{
		ServiceType: pitypes.ServiceTypeRds, Identifier: aws.String(r.out.ResourceID),
		Group: aws.String("db.sql"), GroupIdentifier: aws.String(keys.Keys[0].Dimensions["db.sql.id"]),
		RequestedDimensions: []string{"db.sql.statement"},
	})
	if err != nil {
		return r.softFail(ctx, err, "could not fetch the full text of digest "+s.ID)
	}
	for _, d := range det.Dimensions {
		if aws.ToString(d.Dimension) != "db.sql.statement" || d.Value == nil {
			continue
		}
		switch d.Status {
		case pitypes.DetailStatusAvailable, "":
			s.Statement, s.FullText, s.Truncated = *d.Value, true, false
		case pitypes.DetailStatusProcessing:
			r.out.Hints = append(r.out.Hints, "the full text of digest "+s.ID+" is still being processed by Performance Insights; retry in a minute")
		default:
			r.out.Hints = append(r.out.Hints, "Performance Insights could not collect the full text of digest "+s.ID)
		}
	}
	return nil
}

func (r *memberRun) softFail(ctx context.Context, err error, what string) error {
	if a, ok := deniedAction(err); ok {
		r.deny(a)
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	r.out.Hints = append(r.out.Hints, what+" ("+tools.Truncate(err.Error(), 120)+"); its text stays cut at 500 bytes")
	return nil
}

// finishText masks literals (unless raw), normalises white space and caps the length.
func (r *memberRun) finishText(stmt string, s *SQLLoad) string {
	s.StatementBytes = len(stmt)
	if !r.opt.RawSQL || !s.FullText {
		stmt = MaskSQL(stmt, cluster.IsPostgres(r.topo.Engine))
	}
	if len(stmt) > maxStatementBytes {
		stmt = truncBytes(stmt, maxStatementBytes)
		s.Truncated = true
	}
	return stmt
}

func truncBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}

func stat(m map[string]float64, name string) *float64 {
	if v, ok := m[name]; ok && !math.IsNaN(v) {
		r := round(v)
		return &r
	}
	return nil
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }

func pct(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return math.Round(part/whole*1000) / 10
}

// deniedAction recognises an access-denied error and names the IAM action that was refused.
func deniedAction(err error) (string, bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "NotAuthorizedException", "UnauthorizedException", "UnauthorizedOperation":
	default:
		return "", false
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) && oe.OperationName != "" {
		return "pi:" + oe.OperationName, true
	}
	return "pi:*", true
}

func invalidArgument(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "InvalidArgumentException" || ae.ErrorCode() == "ValidationException")
}

// notEnabled recognises PI's answer for an instance without Performance Insights.
func notEnabled(err error) (string, bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) || !invalidArgument(err) {
		return "", false
	}
	msg := strings.ToLower(ae.ErrorMessage())
	if strings.Contains(msg, "not enabled") || strings.Contains(msg, "not been enabled") || strings.Contains(msg, "disabled") {
		return tools.Truncate(ae.ErrorMessage(), 200), true
	}
	return "", false
}
