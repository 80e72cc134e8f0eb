package report

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// SVG chart geometry. Every time chart shares one viewBox and one plot box, and the x axis is always the
// check's window, so the script can sync a crosshair across the charts of a tab by time alone.
const (
	chartW  = 560
	chartH  = 200
	plotL   = 48 // left margin: y labels
	plotT   = 10
	plotW   = 502
	plotH   = 166
	buckets = 251 // MinMax buckets across the plot: 2 px each, ≤ 502 points per series
	// path coordinates are integers in tenths of a viewBox unit, inside <g transform="scale(.1)">
	sub = 10
)

// tick is one axis tick: its position in viewBox units and its label.
type tick struct {
	Pos   float64
	Label string
	End   bool // label anchored at its end (the last x tick)
}

// mark is a shaded time span (a finding's window) or a line at one time (an event) on a time chart.
type mark struct {
	X, W  float64 // viewBox units; W = 0 for a line
	Class string  // "span crit", "ev"
	Title string
}

// ref is a horizontal reference line (e.g. the vCPU count on a DB load chart).
type ref struct {
	Y     float64
	Label string
}

// chartV is one time chart as the template draws it.
type chartV struct {
	ID      string // DOM id of the <svg>; the key in the JSON payload
	Title   string
	Unit    string // axis unit label
	Note    string
	Desc    string // accessible description
	Grid    string // path data of the horizontal grid lines
	YTicks  []tick
	XTicks  []tick
	Series  []seriesV
	Marks   []mark
	Refs    []ref
	Empty   bool // no series has a point
	Section string
}

// seriesV is one line and its legend/statistics row.
type seriesV struct {
	Idx        int
	Class      string // "s0 w": palette slot and writer emphasis
	Name, Role string
	D          string // path data (relative integer commands), "" when there are no points
	Tip        string // <title> of the line
	Min, Avg   string
	P95, Max   string
	Last       string
	MaxAt      TimeV
	Points     int
}

// chartJSON is what the script needs for one chart: values to read out at the cursor.
type chartJSON struct {
	ID  string       `json:"id"`
	Suf string       `json:"suf"` // display suffix; values are already in display units (GiB, not bytes)
	Lo  float64      `json:"lo"`  // y axis bounds in display units
	Hi  float64      `json:"hi"`
	Gap int64        `json:"gap"` // seconds: a point farther than this from the cursor reads as "no data"
	S   []seriesJSON `json:"s"`
}

// seriesJSON holds the drawn points: T as second offsets from the window start, delta-encoded; V in display
// units rounded to 4 significant digits, null marking a break between runs. It marshals itself in one pass (this is the bulk of the payload).
type seriesJSON struct {
	T []int64
	V []float64
}

func (s seriesJSON) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 16+len(s.T)*11)
	b = append(b, `{"t":[`...)
	var prev int64
	for i, t := range s.T {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, t-prev, 10)
		prev = t
	}
	b = append(b, `],"v":[`...)
	for i, v := range s.V {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCompact(b, v)
	}
	b = append(b, "]}"...)
	return b, nil
}

// appendCompact writes v with 4 significant digits as a JSON number (NaN/Inf as null).
func appendCompact(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', 4, 64)
}

// payload is the whole <script type="application/json"> value.
type payload struct {
	T0     int64       `json:"t0"` // window start, unix seconds
	T1     int64       `json:"t1"`
	TZ     string      `json:"tz"` // IANA zone name
	Zones  []zoneSpan  `json:"zones"`
	Box    [4]int      `json:"box"`
	Charts []chartJSON `json:"charts"`
}

// timeAxis maps times of the window onto the plot.
type timeAxis struct {
	t0, t1 time.Time
	span   float64 // seconds
	n0, n1 int64   // t0, t1 in Unix nanoseconds (the per-point arithmetic stays in integers)
	nspan  float64
}

func newTimeAxis(w Window) timeAxis {
	a := timeAxis{t0: w.Start, t1: w.End}
	if !a.t1.After(a.t0) {
		a.t1 = a.t0.Add(time.Hour)
	}
	a.span = a.t1.Sub(a.t0).Seconds()
	a.n0, a.n1 = a.t0.UnixNano(), a.t1.UnixNano()
	a.nspan = float64(a.n1 - a.n0)
	return a
}

// x is the plot x of t in viewBox units, clamped to the plot.
func (a timeAxis) x(t time.Time) float64 { return a.xn(t.UnixNano()) }

func (a timeAxis) xn(n int64) float64 {
	f := float64(n-a.n0) / a.nspan
	return plotL + math.Max(0, math.Min(1, f))*plotW
}

// bucket is the MinMax bucket of a time in Unix nanoseconds, clamped.
func (a timeAxis) bucket(n int64) int {
	b := int(float64(n-a.n0) / a.nspan * buckets)
	return max(0, min(buckets-1, b))
}

// xTicks picks a step that gives at most 8 labels and aligns the ticks to the local zone's clock.
func (a timeAxis) xTicks(z zone) []tick {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour,
		7 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if a.span/s.Seconds() <= 8 {
			step = s
			break
		}
	}
	daily := step >= 24*time.Hour
	multiDay := a.span > 26*3600
	l0 := a.t0.In(z.loc)
	// first tick: the first local time at or after t0 that is a multiple of step since local midnight
	mid := time.Date(l0.Year(), l0.Month(), l0.Day(), 0, 0, 0, 0, z.loc)
	var ticks []tick
	for t := mid; !t.After(a.t1); {
		if !t.Before(a.t0) {
			lt := t.In(z.loc)
			label := lt.Format("15:04")
			if daily || (multiDay && lt.Hour() == 0 && lt.Minute() == 0) {
				label = lt.Format("01-02")
			}
			ticks = append(ticks, tick{Pos: a.x(t), Label: label})
		}
		if daily {
			t = t.AddDate(0, 0, int(step/(24*time.Hour)))
		} else {
			t = t.Add(step)
		}
	}
	if n := len(ticks); n > 0 && ticks[n-1].Pos > plotL+plotW-14 {
		ticks[n-1].End = true
	}
	return ticks
}

// niceRange returns axis bounds and ticks covering [lo, hi] with about n intervals of 1, 2, 2.5 or 5 × 10^k.
func niceRange(lo, hi float64, n int) (float64, float64, []float64) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		if hi == 0 {
			hi = 1
		} else {
			lo, hi = math.Min(0, lo), math.Abs(hi)*1.1+math.Abs(lo)
			if hi <= lo {
				hi = lo + 1
			}
		}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	nlo := math.Floor(lo/step) * step
	nhi := math.Ceil(hi/step) * step
	var ts []float64
	for v := nlo; v <= nhi+step/2; v += step {
		ts = append(ts, math.Round(v/step)*step)
	}
	return nlo, nhi, ts
}

// valueRange chooses y bounds for data spanning [mn, mx]: from zero for most metrics, tight when the data
// sits in a narrow band far from zero (buffer cache hit ratio at 99.x%), 0–100 for percentages above 50.
func valueRange(mn, mx float64, unit string, extra ...float64) (float64, float64, []float64) {
	for _, e := range extra {
		mx = math.Max(mx, e)
	}
	if mn > mx {
		mn, mx = 0, 1
	}
	lo := math.Min(0, mn)
	if mn > 0 && (mx-mn) < 0.15*mx {
		lo = mn - (mx-mn)*0.25
		if mx == mn {
			lo = mn * 0.9
		}
	}
	pct := unit == "%" || unit == "pct"
	if pct && lo == 0 && mx > 50 && mx <= 100 {
		return 0, 100, []float64{0, 25, 50, 75, 100}
	}
	return niceRange(lo, mx, 4)
}

// gapAfter estimates the spacing beyond which two consecutive points are a gap, not a line: 1.5× the 90th
// percentile of the spacings. That is one missing period for regular data, and it never splits data the
// check engine already downsampled with MinMax (whose spacings vary up to twice its bucket width).
func gapAfter(pts []Point, scratch *[]int64) time.Duration {
	if len(pts) < 3 {
		return time.Duration(math.MaxInt64)
	}
	ds := (*scratch)[:0]
	defer func() { *scratch = ds }()
	prev := pts[0].T.UnixNano()
	for _, p := range pts[1:] {
		n := p.T.UnixNano()
		if d := n - prev; d > 0 {
			ds = append(ds, d)
		}
		prev = n
	}
	if len(ds) == 0 {
		return time.Duration(math.MaxInt64)
	}
	slices.Sort(ds)
	p := ds[(len(ds)-1)*9/10]
	return time.Duration(p + p/2)
}

// drawn is one series reduced for drawing: the kept points, split into runs at gaps.
type drawn struct {
	runs [][]Point
	gap  time.Duration
}

// minmax keeps, for every bucket of every run, the minimum and the maximum in time order, so every peak
// survives (never every-kth thinning). Points outside the window, NaN and ±Inf are dropped; a NaN also
// breaks the line. scratch is reused between series.
func minmax(pts []Point, a timeAxis, scratch *[]int64) drawn {
	d := drawn{gap: gapAfter(pts, scratch)}
	gap := int64(d.gap)
	kept := make([]Point, 0, min(len(pts), 2*buckets+2)) // all runs share one backing array
	runStart := 0
	flush := func() {
		if len(kept) > runStart {
			d.runs = append(d.runs, kept[runStart:len(kept):len(kept)])
			runStart = len(kept)
		}
	}
	bk := -1
	var mi, ma int // indexes into pts
	emit := func() {
		if bk < 0 {
			return
		}
		first, second := min(mi, ma), max(mi, ma)
		kept = append(kept, pts[first])
		if second != first {
			kept = append(kept, pts[second])
		}
		bk = -1
	}
	var prev int64
	have := false
	for i, p := range pts {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
			emit()
			flush()
			continue
		}
		n := p.T.UnixNano()
		if n < a.n0 || n > a.n1 {
			continue
		}
		if have && n-prev > gap {
			emit()
			flush()
		}
		prev, have = n, true
		b := a.bucket(n)
		if b != bk {
			emit()
			bk, mi, ma = b, i, i
			continue
		}
		if p.V < pts[mi].V {
			mi = i
		}
		if p.V > pts[ma].V {
			ma = i
		}
	}
	emit()
	flush()
	return d
}

// path writes the runs as one path in tenths of viewBox units relative to the plot origin: an absolute M
// starts each run (a gap is a real break), then relative l commands with integer deltas.
func path(d drawn, a timeAxis, lo, hi float64) string {
	n := 0
	for _, r := range d.runs {
		n += len(r)
	}
	if n == 0 {
		return ""
	}
	b := make([]byte, 0, n*6+16)
	yr := hi - lo
	if yr <= 0 {
		yr = 1
	}
	for _, r := range d.runs {
		var px, py int
		for i, p := range r {
			x := int(math.Round((a.xn(p.T.UnixNano()) - plotL) * sub))
			f := (p.V - lo) / yr
			y := int(math.Round((1 - math.Max(0, math.Min(1, f))) * plotH * sub))
			switch i {
			case 0:
				b = append(b, 'M')
				b = strconv.AppendInt(b, int64(x), 10)
				b = append(b, ' ')
				b = strconv.AppendInt(b, int64(y), 10)
				if len(r) == 1 { // a lone point: a tiny stroke so it shows as a dot
					b = append(b, "h1"...)
				}
			case 1:
				b = append(b, 'l')
				b = appendPair(b, x-px, y-py, true)
			default:
				b = appendPair(b, x-px, y-py, false)
			}
			px, py = x, y
		}
	}
	return string(b)
}

// appendPair writes "dx dy" with the fewest separators ("5-23", " 6 12").
func appendPair(b []byte, dx, dy int, first bool) []byte {
	if !first && dx >= 0 {
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, int64(dx), 10)
	if dy >= 0 {
		b = append(b, ' ')
	}
	return strconv.AppendInt(b, int64(dy), 10)
}

// yPos maps a value to its viewBox y.
func yPos(v, lo, hi float64) float64 {
	if hi <= lo {
		return plotT + plotH
	}
	f := math.Max(0, math.Min(1, (v-lo)/(hi-lo)))
	return plotT + (1-f)*plotH
}

// yTicks turns tick values (display units) into positioned labels and the grid path.
func yTicks(ts []float64, lo, hi float64) ([]tick, string) {
	out := make([]tick, 0, len(ts))
	var g []byte
	for _, v := range ts {
		y := math.Round(yPos(v, lo, hi)*10) / 10
		out = append(out, tick{Pos: y, Label: fmtNum(v)})
		g = append(g, 'M')
		g = strconv.AppendInt(g, plotL, 10)
		g = append(g, ' ')
		g = strconv.AppendFloat(g, y, 'f', -1, 64)
		g = append(g, 'h')
		g = strconv.AppendInt(g, plotW, 10)
	}
	return out, string(g)
}
