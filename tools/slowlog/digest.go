package slowlog

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Orders accepted by Digester.Result (order_by).
const (
	OrderTotal        = "total"
	OrderCount        = "count"
	OrderAvg          = "avg"
	OrderMax          = "max"
	OrderRowsExamined = "rows_examined"
)

// OrderBys lists the accepted orders.
var OrderBys = []string{OrderTotal, OrderCount, OrderAvg, OrderMax, OrderRowsExamined}

// Percentiles: exact while a class has at most exactSamples values, then a log-bucket histogram whose
// buckets are 1 % wide (the reported value is the bucket's geometric middle: relative error ≤ 0.5 %).
const (
	exactSamples  = 512
	bucketRatio   = 1.01
	maxExampleLen = 4096
	maxNames      = 32 // distinct instances / databases / users kept per class
)

var logRatio = math.Log(bucketRatio)

// Options tune a digest.
type Options struct {
	KeepDigits  bool      // keep digits inside identifiers in fingerprints (default: collapse like pt)
	RawExamples bool      // keep the example's literals (default: masked)
	From, To    time.Time // keep entries with From ≤ Time < To (zero: unbounded)
	Workers     int       // parallel fingerprinting workers for Run (0: GOMAXPROCS)
}

type hourAcc struct {
	count int64
	sumUS int64
}

type classAcc struct {
	fp        string
	dialect   Dialect
	count     int64
	sumUS     int64
	minUS     int64
	maxUS     int64
	lockSumUS int64
	lockMaxUS int64
	rowsSent  int64
	rowsExam  int64
	rowsAff   int64
	hasRows   bool
	first     time.Time
	last      time.Time
	samples   []int64
	hist      map[int32]int64
	instances nameList
	dbs       nameList
	users     nameList
	hours     hourMap
	// example: the slowest execution
	exSQL      []byte
	exUS       int64
	exTime     time.Time
	exDB       string
	exInstance string
	exCut      bool
	// PostgreSQL parse/bind steps of this statement, reported apart
	pbCount int64
	pbUS    int64
}

// Digester aggregates entries into query classes. Memory is O(classes): per class it keeps at most
// exactSamples durations (then a sparse histogram), a bounded set of names and one example.
// A Digester is not safe for concurrent use; Run uses one per worker and merges them.
type Digester struct {
	opt     Options
	fp      Fingerprinter
	classes map[string]*classAcc
	hours   hourMap

	entries   int64
	sumUS     int64
	first     time.Time
	last      time.Time
	outside   int64
	pbCount   int64
	pbUS      int64
	truncated int64
	instances nameList
}

// NewDigester returns an empty digest.
func NewDigester(opt Options) *Digester {
	return &Digester{
		opt: opt, fp: Fingerprinter{KeepDigits: opt.KeepDigits},
		classes: map[string]*classAcc{}, hours: hourMap{m: map[int64]*hourAcc{}},
	}
}

func (d *Digester) inWindow(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if !d.opt.From.IsZero() && t.Before(d.opt.From) {
		return false
	}
	if !d.opt.To.IsZero() && !t.Before(d.opt.To) {
		return false
	}
	return true
}

// Add aggregates one entry.
func (d *Digester) Add(e *Entry) {
	if !d.inWindow(e.Time) {
		d.outside++
		return
	}
	fp := d.fp.Fingerprint(e.SQL, e.Dialect)
	c := d.classes[string(fp)]
	if c == nil {
		c = &classAcc{fp: string(fp), dialect: e.Dialect, minUS: math.MaxInt64, hours: hourMap{m: map[int64]*hourAcc{}}}
		d.classes[c.fp] = c
	}
	if e.Truncated {
		d.truncated++
	}
	if e.Kind != KindQuery {
		c.pbCount++
		c.pbUS += e.QueryUS
		d.pbCount++
		d.pbUS += e.QueryUS
		return
	}
	d.entries++
	d.sumUS += e.QueryUS
	if !e.Time.IsZero() {
		if d.first.IsZero() || e.Time.Before(d.first) {
			d.first = e.Time
		}
		if e.Time.After(d.last) {
			d.last = e.Time
		}
		h := e.Time.Unix() / 3600
		d.hours.add(h, 1, e.QueryUS)
		c.hours.add(h, 1, e.QueryUS)
	}
	d.instances.add(e.Instance, 1)
	c.add(e, d.opt.RawExamples)
}

func (c *classAcc) add(e *Entry, raw bool) {
	c.count++
	c.sumUS += e.QueryUS
	c.minUS = min(c.minUS, e.QueryUS)
	c.lockSumUS += e.LockUS
	c.lockMaxUS = max(c.lockMaxUS, e.LockUS)
	c.rowsSent += e.RowsSent
	c.rowsExam += e.RowsExamined
	c.rowsAff += e.RowsAffected
	c.hasRows = c.hasRows || e.HasRows
	if !e.Time.IsZero() {
		if c.first.IsZero() || e.Time.Before(c.first) {
			c.first = e.Time
		}
		if e.Time.After(c.last) {
			c.last = e.Time
		}
	}
	c.addSample(e.QueryUS)
	c.instances.add(e.Instance, 1)
	c.dbs.add(e.DB, 1)
	c.users.add(e.User, 1)
	better := c.exSQL == nil || e.QueryUS > c.exUS || (e.QueryUS == c.exUS && e.Time.Before(c.exTime))
	var sql []byte
	if !better && e.QueryUS == c.exUS && e.Time.Equal(c.exTime) {
		// a tie: the smaller text wins, so the result does not depend on the order of arrival
		sql = exampleText(e, raw)
		better = string(sql) < string(c.exSQL)
	}
	if better {
		c.maxUS = e.QueryUS
		c.exUS = e.QueryUS
		c.exTime = e.Time
		c.exDB = e.DB
		c.exInstance = e.Instance
		if sql == nil {
			sql = exampleText(e, raw)
		}
		c.exCut = e.Truncated || len(e.SQL) > maxExampleLen && len(sql) == maxExampleLen
		c.exSQL = append(c.exSQL[:0], sql...)
		if c.exSQL == nil {
			c.exSQL = []byte{}
		}
	}
}

// cutFingerprint bounds a fingerprint in the output (a 10 MB statement of column names fingerprints to
// 10 MB); the class id still hashes the whole fingerprint.
func cutFingerprint(fp string) string {
	if len(fp) <= maxExampleLen {
		return fp
	}
	return strings.ToValidUTF8(fp[:maxExampleLen], "") + " …"
}

// exampleText is the example form of an entry's SQL: masked unless raw, cut to maxExampleLen bytes.
func exampleText(e *Entry, raw bool) []byte {
	sql := e.SQL
	if !raw {
		sql = appendMask(nil, sql, e.Dialect)
	}
	if len(sql) > maxExampleLen {
		sql = sql[:maxExampleLen]
	}
	return sql
}

// nameList counts up to maxNames distinct names (a linear scan beats a map for the usual 1–3 names).
type nameList struct {
	names  []string
	counts []int64
}

func (l *nameList) add(name string, n int64) {
	if name == "" {
		return
	}
	for i := range l.names {
		if l.names[i] == name {
			l.counts[i] += n
			return
		}
	}
	if len(l.names) < maxNames {
		l.names = append(l.names, name)
		l.counts = append(l.counts, n)
	}
}

func (l *nameList) merge(o nameList) {
	for i, n := range o.names {
		l.add(n, o.counts[i])
	}
}

// sorted returns the names by count (descending), then name.
func (l nameList) sorted() []string {
	idx := make([]int, len(l.names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if r := cmp.Compare(l.counts[b], l.counts[a]); r != 0 {
			return r
		}
		return strings.Compare(l.names[a], l.names[b])
	})
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = l.names[k]
	}
	return out
}

// hourMap accumulates per-hour counts, caching the last hour touched.
type hourMap struct {
	m       map[int64]*hourAcc
	lastKey int64
	last    *hourAcc
}

func (h *hourMap) add(key, count, us int64) {
	if h.last == nil || h.lastKey != key {
		a := h.m[key]
		if a == nil {
			a = &hourAcc{}
			h.m[key] = a
		}
		h.last, h.lastKey = a, key
	}
	h.last.count += count
	h.last.sumUS += us
}

func (h *hourMap) merge(o hourMap) {
	for k, a := range o.m {
		h.add(k, a.count, a.sumUS)
	}
}

func (c *classAcc) addSample(us int64) {
	if c.hist == nil {
		c.samples = append(c.samples, us)
		if len(c.samples) > exactSamples {
			c.toHist()
		}
		return
	}
	c.hist[bucket(us)]++
}

func (c *classAcc) toHist() {
	c.hist = make(map[int32]int64, 64)
	for _, v := range c.samples {
		c.hist[bucket(v)]++
	}
	c.samples = nil
}

func bucket(us int64) int32 {
	if us <= 0 {
		return -1
	}
	return int32(math.Floor(math.Log(float64(us)) / logRatio))
}

func bucketValue(b int32) float64 {
	if b < 0 {
		return 0
	}
	return math.Exp((float64(b) + 0.5) * logRatio)
}

// percentile returns the q-quantile in µs and whether it is exact. The rank is pt-query-digest's: the
// ⌊q·n⌋-th smallest value, or the largest when n < 10; pt then reports the floor of its 5 % bucket, we the
// value itself (exact, or within ±0.5 % from the histogram).
func (c *classAcc) percentile(q float64) (float64, bool) {
	if c.count == 0 {
		return 0, true
	}
	rank := c.count
	if c.count >= 10 {
		rank = int64(math.Floor(q * float64(c.count)))
	}
	rank = max(1, min(rank, c.count))
	if c.hist == nil {
		s := slices.Clone(c.samples)
		slices.Sort(s)
		return float64(s[rank-1]), true
	}
	keys := make([]int32, 0, len(c.hist))
	for k := range c.hist {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var seen int64
	for _, k := range keys {
		seen += c.hist[k]
		if seen >= rank {
			v := bucketValue(k)
			// never report beyond the observed extremes
			return math.Min(math.Max(v, float64(c.minUS)), float64(c.maxUS)), false
		}
	}
	return float64(c.maxUS), false
}

func (c *classAcc) merge(o *classAcc) {
	if c.count == 0 && c.pbCount == 0 {
		c.dialect = o.dialect
	}
	c.count += o.count
	c.sumUS += o.sumUS
	c.minUS = min(c.minUS, o.minUS)
	c.lockSumUS += o.lockSumUS
	c.lockMaxUS = max(c.lockMaxUS, o.lockMaxUS)
	c.rowsSent += o.rowsSent
	c.rowsExam += o.rowsExam
	c.rowsAff += o.rowsAff
	c.hasRows = c.hasRows || o.hasRows
	c.pbCount += o.pbCount
	c.pbUS += o.pbUS
	if !o.first.IsZero() && (c.first.IsZero() || o.first.Before(c.first)) {
		c.first = o.first
	}
	if o.last.After(c.last) {
		c.last = o.last
	}
	switch {
	case c.hist == nil && o.hist == nil:
		c.samples = append(c.samples, o.samples...)
		if len(c.samples) > exactSamples {
			c.toHist()
		}
	default:
		if c.hist == nil {
			c.toHist()
		}
		for _, v := range o.samples {
			c.hist[bucket(v)]++
		}
		for k, n := range o.hist {
			c.hist[k] += n
		}
	}
	c.instances.merge(o.instances)
	c.dbs.merge(o.dbs)
	c.users.merge(o.users)
	c.hours.merge(o.hours)
	if o.exSQL != nil && (c.exSQL == nil || o.exUS > c.exUS || (o.exUS == c.exUS && o.exTime.Before(c.exTime)) ||
		(o.exUS == c.exUS && o.exTime.Equal(c.exTime) && string(o.exSQL) < string(c.exSQL))) {
		c.exSQL, c.exUS, c.exTime, c.exDB, c.exInstance, c.exCut = o.exSQL, o.exUS, o.exTime, o.exDB, o.exInstance, o.exCut
		c.maxUS = o.maxUS
	}
}

// Merge adds o's aggregates into d.
func (d *Digester) Merge(o *Digester) {
	for k, oc := range o.classes {
		c := d.classes[k]
		if c == nil {
			d.classes[k] = oc
			continue
		}
		c.merge(oc)
	}
	d.hours.merge(o.hours)
	d.instances.merge(o.instances)
	d.entries += o.entries
	d.sumUS += o.sumUS
	d.outside += o.outside
	d.pbCount += o.pbCount
	d.pbUS += o.pbUS
	d.truncated += o.truncated
	if !o.first.IsZero() && (d.first.IsZero() || o.first.Before(d.first)) {
		d.first = o.first
	}
	if o.last.After(d.last) {
		d.last = o.last
	}
}

// Digest is the result of a digest: totals, the top classes and the per-hour histogram.
type Digest struct {
	Entries         int64   `json:"entries" jsonschema_description:"Statements digested (PostgreSQL parse/bind steps not included)."`
	Classes         int     `json:"classes" jsonschema_description:"Distinct fingerprints."`
	TotalQueryTimeS float64 `json:"total_query_time_s"`
	FirstSeen       string  `json:"first_seen,omitempty"`
	LastSeen        string  `json:"last_seen,omitempty"`
	OrderBy         string  `json:"order_by" jsonschema:"enum=total,enum=count,enum=avg,enum=max,enum=rows_examined"`
	Top             []Class `json:"top"`
	Truncated       bool    `json:"truncated" jsonschema_description:"More classes exist than listed."`
	Hourly          []Hour  `json:"hourly" jsonschema_description:"Per-hour count and query time over all classes (UTC hours)."`
	// Instances is the number of statements per instance (CloudWatch stream or file).
	Instances         []NameCount `json:"instances"`
	ParseBindCount    int64       `json:"parse_bind_count,omitempty" jsonschema_description:"PostgreSQL extended-protocol parse/bind steps, counted apart."`
	ParseBindTimeS    float64     `json:"parse_bind_time_s,omitempty"`
	OutsideWindow     int64       `json:"outside_window,omitempty" jsonschema_description:"Entries read but outside the window, skipped."`
	TruncatedEntries  int64       `json:"truncated_entries,omitempty" jsonschema_description:"Entries whose text was cut (missing continuation events)."`
	PercentileMethod  string      `json:"percentile_method"`
	FingerprintDigits bool        `json:"fingerprint_keeps_digits,omitempty"`
}

// NameCount is a name with a count.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Hour is one hour of the histogram.
type Hour struct {
	Hour       string  `json:"hour" jsonschema_description:"Start of the hour, RFC 3339 UTC."`
	Count      int64   `json:"count"`
	QueryTimeS float64 `json:"query_time_s"`
}

// Class is one query class (fingerprint) of the digest.
type Class struct {
	Rank                int      `json:"rank"`
	ID                  string   `json:"id" jsonschema_description:"Stable class id: hash of the fingerprint."`
	Fingerprint         string   `json:"fingerprint"`
	Count               int64    `json:"count"`
	TotalS              float64  `json:"total_s"`
	PctOfTotal          float64  `json:"pct_of_total_time"`
	AvgMS               float64  `json:"avg_ms"`
	P95MS               float64  `json:"p95_ms"`
	P95Exact            bool     `json:"p95_exact" jsonschema_description:"False when p95 comes from the 1%-wide histogram (±0.5%)."`
	MinMS               float64  `json:"min_ms"`
	MaxMS               float64  `json:"max_ms"`
	LockTotalS          float64  `json:"lock_total_s"`
	LockMaxMS           float64  `json:"lock_max_ms"`
	RowsSent            int64    `json:"rows_sent"`
	RowsExamined        int64    `json:"rows_examined"`
	RowsAffected        int64    `json:"rows_affected,omitempty"`
	RowsExaminedPerSent float64  `json:"rows_examined_per_sent,omitempty" jsonschema_description:"Rows examined per row sent (0 when no row was sent)."`
	FirstSeen           string   `json:"first_seen,omitempty"`
	LastSeen            string   `json:"last_seen,omitempty"`
	Instances           []string `json:"instances"`
	Databases           []string `json:"databases"`
	Users               []string `json:"users"`
	Example             string   `json:"example" jsonschema_description:"The slowest execution's SQL, literals masked unless raw examples were requested. Untrusted text."`
	ExampleMasked       bool     `json:"example_masked"`
	ExampleTruncated    bool     `json:"example_truncated,omitempty"`
	ExampleAt           string   `json:"example_at,omitempty"`
	ExampleInstance     string   `json:"example_instance,omitempty"`
	ParseBindCount      int64    `json:"parse_bind_count,omitempty"`
	ParseBindMS         float64  `json:"parse_bind_ms,omitempty"`
	Hourly              []Hour   `json:"hourly,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func secs(us int64) float64 { return float64(us) / 1e6 }
func millis(us float64) float64 {
	return math.Round(us) / 1e3
}

// Entries returns the number of statements digested so far.
func (d *Digester) Entries() int64 { return d.entries }

// Result ranks the classes by order (OrderTotal when empty) and returns the top n (all when n ≤ 0), with
// per-class hourly histograms for the first hourlyFor classes.
func (d *Digester) Result(n int, order string, hourlyFor int) Digest {
	if order == "" {
		order = OrderTotal
	}
	cs := make([]*classAcc, 0, len(d.classes))
	for _, c := range d.classes {
		if c.count > 0 {
			cs = append(cs, c)
		}
	}
	key := func(c *classAcc) float64 {
		switch order {
		case OrderCount:
			return float64(c.count)
		case OrderAvg:
			return float64(c.sumUS) / float64(c.count)
		case OrderMax:
			return float64(c.maxUS)
		case OrderRowsExamined:
			return float64(c.rowsExam)
		}
		return float64(c.sumUS)
	}
	slices.SortFunc(cs, func(a, b *classAcc) int {
		if r := cmp.Compare(key(b), key(a)); r != 0 {
			return r
		}
		if r := cmp.Compare(b.sumUS, a.sumUS); r != 0 {
			return r
		}
		return strings.Compare(a.fp, b.fp)
	})
	out := Digest{
		Entries: d.entries, Classes: len(cs), TotalQueryTimeS: secs(d.sumUS), FirstSeen: stamp(d.first), LastSeen: stamp(d.last),
		OrderBy: order, Top: []Class{}, Hourly: hours(d.hours.m), Instances: []NameCount{},
		ParseBindCount: d.pbCount, ParseBindTimeS: secs(d.pbUS), OutsideWindow: d.outside, TruncatedEntries: d.truncated,
		PercentileMethod:  "rank ⌊0.95·n⌋ (max when n < 10) like pt-query-digest; exact up to 512 values per class, else 1%-wide log buckets (±0.5%)",
		FingerprintDigits: d.opt.KeepDigits,
	}
	for i, name := range d.instances.names {
		out.Instances = append(out.Instances, NameCount{name, d.instances.counts[i]})
	}
	slices.SortFunc(out.Instances, func(a, b NameCount) int {
		if r := cmp.Compare(b.Count, a.Count); r != 0 {
			return r
		}
		return strings.Compare(a.Name, b.Name)
	})
	if n > 0 && len(cs) > n {
		cs = cs[:n]
		out.Truncated = true
	}
	for i, c := range cs {
		p95, exact := c.percentile(0.95)
		cl := Class{
			Rank: i + 1, ID: ClassID(c.fp), Fingerprint: cutFingerprint(c.fp), Count: c.count, TotalS: secs(c.sumUS),
			AvgMS: millis(float64(c.sumUS) / float64(c.count)), P95MS: millis(p95), P95Exact: exact,
			MinMS: millis(float64(c.minUS)), MaxMS: millis(float64(c.maxUS)),
			LockTotalS: secs(c.lockSumUS), LockMaxMS: millis(float64(c.lockMaxUS)),
			RowsSent: c.rowsSent, RowsExamined: c.rowsExam, RowsAffected: c.rowsAff,
			FirstSeen: stamp(c.first), LastSeen: stamp(c.last),
			Instances: c.instances.sorted(), Databases: c.dbs.sorted(), Users: c.users.sorted(),
			Example: strings.ToValidUTF8(string(c.exSQL), "\uFFFD"), ExampleMasked: !d.opt.RawExamples,
			ExampleTruncated: c.exCut, ExampleAt: stamp(c.exTime), ExampleInstance: c.exInstance,
			ParseBindCount: c.pbCount, ParseBindMS: millis(float64(c.pbUS)),
		}
		if d.sumUS > 0 {
			cl.PctOfTotal = math.Round(1000*float64(c.sumUS)/float64(d.sumUS)) / 10
		}
		if c.rowsSent > 0 {
			cl.RowsExaminedPerSent = math.Round(10*float64(c.rowsExam)/float64(c.rowsSent)) / 10
		}
		if i < hourlyFor {
			cl.Hourly = hours(c.hours.m)
		}
		out.Top = append(out.Top, cl)
	}
	return out
}

func hours(m map[int64]*hourAcc) []Hour {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Hour, 0, len(keys))
	for _, k := range keys {
		out = append(out, Hour{Hour: stamp(time.Unix(k*3600, 0)), Count: m[k].count, QueryTimeS: secs(m[k].sumUS)})
	}
	return out
}
