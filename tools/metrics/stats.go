package metrics

import (
	"math"
	"sort"
	"time"
)

// Stats summarizes one series. All values are in the metric's normalized unit.
type Stats struct {
	Points int       `json:"points"`
	Min    float64   `json:"min"`
	MinAt  time.Time `json:"min_at"`
	Avg    float64   `json:"avg"`
	P95    float64   `json:"p95" jsonschema_description:"95th percentile of the per-period values (linear interpolation between closest ranks)."`
	Max    float64   `json:"max"`
	MaxAt  time.Time `json:"max_at"`
	Last   float64   `json:"last"`
	LastAt time.Time `json:"last_at"`
}

// Summarize computes Stats over a series sorted by time. scratch is a reusable buffer (it may be nil)
// and is returned, possibly grown; its contents are not meaningful afterwards.
func Summarize(ts []time.Time, vs []float64, scratch []float64) (Stats, []float64) {
	n := len(vs)
	if n == 0 {
		return Stats{}, scratch
	}
	s := Stats{Points: n, Min: vs[0], Max: vs[0], MinAt: ts[0], MaxAt: ts[0], Last: vs[n-1], LastAt: ts[n-1]}
	sum := 0.0
	for i, v := range vs {
		sum += v
		if v > s.Max {
			s.Max, s.MaxAt = v, ts[i]
		}
		if v < s.Min {
			s.Min, s.MinAt = v, ts[i]
		}
	}
	s.Avg = sum / float64(n)
	scratch = append(scratch[:0], vs...)
	s.P95 = quantile(scratch, 0.95)
	return s, scratch
}

// Percentile returns the p-quantile (0..1) of sorted values by linear interpolation between closest ranks
// (the "type 7" definition used by NumPy and spreadsheets). It returns 0 for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n == 1 || p <= 0:
		return sorted[0]
	case p >= 1:
		return sorted[n-1]
	}
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Median of sorted values.
func Median(sorted []float64) float64 { return Percentile(sorted, 0.5) }

// quantile is Percentile over unsorted values in O(n) (quickselect); it reorders buf.
func quantile(buf []float64, p float64) float64 {
	n := len(buf)
	switch {
	case n == 0:
		return 0
	case n == 1:
		return buf[0]
	}
	p = math.Min(1, math.Max(0, p))
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	nth(buf, lo)
	a := buf[lo]
	if f := h - float64(lo); f > 0 && lo+1 < n {
		b := buf[lo+1]
		for _, v := range buf[lo+2:] {
			b = math.Min(b, v)
		}
		return a + f*(b-a)
	}
	return a
}

// nth reorders buf so that buf[k] is the k-th smallest value, smaller ones before it and larger ones
// after it (Hoare's selection with median-of-three pivots; insertion sort for short ranges).
func nth(buf []float64, k int) {
	lo, hi := 0, len(buf)-1
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		if buf[mid] < buf[lo] {
			buf[mid], buf[lo] = buf[lo], buf[mid]
		}
		if buf[hi] < buf[lo] {
			buf[hi], buf[lo] = buf[lo], buf[hi]
		}
		if buf[hi] < buf[mid] {
			buf[hi], buf[mid] = buf[mid], buf[hi]
		}
		pivot := buf[mid]
		i, j := lo, hi
		for i <= j {
			for buf[i] < pivot {
				i++
			}
			for buf[j] > pivot {
				j--
			}
			if i <= j {
				buf[i], buf[j] = buf[j], buf[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
	for i := lo + 1; i <= hi; i++ {
		for j := i; j > lo && buf[j] < buf[j-1]; j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
		}
	}
}

// Trend is a least-squares line through the series.
type Trend struct {
	SlopePerHour float64 `json:"slope_per_hour" jsonschema_description:"Least-squares slope in the metric's unit per hour."`
	FittedStart  float64 `json:"fitted_start" jsonschema_description:"Value of the fitted line at the first point."`
	FittedEnd    float64 `json:"fitted_end" jsonschema_description:"Value of the fitted line at the last point."`
	// ChangePct is the fitted change from window start to end, in percent of the fitted start value
	// (absent when the start value is about zero).
	ChangePct *float64 `json:"change_pct,omitempty" jsonschema_description:"Fitted change start→end in percent of the fitted start value; absent when that is about zero."`
	// Significance, corrected for lag-1 autocorrelation (effective sample size).
	TStat       float64 `json:"t_stat,omitempty"`
	PValue      float64 `json:"p_value,omitempty"`
	Significant bool    `json:"significant,omitempty" jsonschema_description:"p < 0.05 after correcting for autocorrelation."`
}

// FitTrend fits y = a + b·hours by least squares and tests b ≠ 0 with a t statistic whose sample size is
// corrected for lag-1 autocorrelation of the residuals (n_eff = n·(1−r1)/(1+r1)), so smooth or seasonal
// series are not called significant just for having many points.
func FitTrend(ts []time.Time, vs []float64) Trend {
	n := len(vs)
	if n < 3 {
		return Trend{}
	}
	u0 := ts[0].Unix()
	hours := func(i int) float64 { return float64(ts[i].Unix()-u0) / 3600 }
	var sx, sy float64
	for i := range vs {
		sx += hours(i)
		sy += vs[i]
	}
	mx, my := sx/float64(n), sy/float64(n)
	var sxx, sxy float64
	for i := range vs {
		dx := hours(i) - mx
		sxx += dx * dx
		sxy += dx * (vs[i] - my)
	}
	if sxx == 0 {
		return Trend{}
	}
	b := sxy / sxx
	a := my - b*mx
	span := hours(n - 1)
	tr := Trend{SlopePerHour: b, FittedStart: a, FittedEnd: a + b*span}
	// a relative change is only meaningful when the fitted line stays on one side of zero and its start is
	// a sizeable part of the level
	if y0, y1 := a, a+b*span; y0*my > 0 && y0*y1 > 0 && math.Abs(y0) >= 0.1*math.Abs(my) {
		c := (a + b*span - y0) / math.Abs(y0) * 100
		tr.ChangePct = &c
	}
	// residual variance and lag-1 autocorrelation
	var sse, num, prev float64
	for i := range vs {
		r := vs[i] - (a + b*hours(i))
		sse += r * r
		if i > 0 {
			num += r * prev
		}
		prev = r
	}
	if sse == 0 {
		if b != 0 {
			tr.Significant, tr.TStat = true, math.Copysign(1e6, b)
		}
		return tr
	}
	r1 := num / sse
	neff := float64(n)
	if r1 > 0 {
		neff = float64(n) * (1 - r1) / (1 + r1)
	}
	neff = math.Max(neff, 3)
	se := math.Sqrt(sse / float64(n-2) / sxx * float64(n-2) / (neff - 2))
	tr.TStat = b / se
	tr.PValue = math.Erfc(math.Abs(tr.TStat) / math.Sqrt2)
	tr.Significant = tr.PValue < 0.05
	return tr
}

// Anomaly is a run of points far from the robust baseline.
type Anomaly struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end" jsonschema_description:"Timestamp of the last anomalous point."`
	Points    int       `json:"points"`
	Direction string    `json:"direction" jsonschema:"enum=high,enum=low"`
	Peak      float64   `json:"peak"`
	PeakAt    time.Time `json:"peak_at"`
	Baseline  float64   `json:"baseline"`
	Deviation float64   `json:"deviation" jsonschema_description:"Peak minus baseline, in the metric's unit."`
	Score     float64   `json:"score" jsonschema_description:"Robust z-score of the peak: deviation / (1.4826 × MAD)."`
	Sustained bool      `json:"sustained,omitempty" jsonschema_description:"The run covers more than a quarter of the window: more a level shift (e.g. a role change) than a spike; analyze_metric reports change points."`
}

// AnomalyOptions tune Anomalies. Zero values take the defaults.
type AnomalyOptions struct {
	Threshold float64 // robust z-score to flag a point (default 4.5)
	MinDelta  float64 // smallest |deviation| to flag, in the metric's unit
	// Seasonal removes the median of each local half-hour of the day before the rolling baseline (windows
	// ≥ 3 days).
	Seasonal bool
	Loc      *time.Location
	Gap      int // unflagged points tolerated inside one run (default 2)
	// Span is the rolling-median window in points (default max(60, n/8)); runs shorter than about half of
	// it are seen in full, longer ones are absorbed into the baseline (they are level shifts).
	Span int
}

// Anomalies finds runs of points far from a robust baseline: a centered rolling median over Span points
// (edge-preserving, so a role change or other level shift moves the baseline instead of flagging hours),
// on top of the time-of-day medians when Seasonal. A point is flagged when its deviation exceeds Threshold
// robust standard deviations of the residuals around it (1.4826 × the local MAD, floored at a quarter of
// the series' own robust spread, 1% of its median and MinDelta/Threshold) and MinDelta. Runs are sorted by
// score, highest first.
func Anomalies(ts []time.Time, vs []float64, o AnomalyOptions) []Anomaly {
	return anomalies(ts, vs, o, &scratch{})
}

// scratch holds buffers reused across the series of one Collect.
type scratch struct {
	summary, base, local, res, win, roll []float64
}

// grow returns (*buf)[:n], reallocating when it is too small.
func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

func anomalies(ts []time.Time, vs []float64, o AnomalyOptions, sc *scratch) []Anomaly {
	n := len(vs)
	if n < 8 {
		return nil
	}
	if o.Threshold <= 0 {
		o.Threshold = 4.5
	}
	if o.Gap <= 0 {
		o.Gap = 2
	}
	if o.Span <= 0 {
		o.Span = max(60, n/8)
	}
	base := grow(&sc.base, n)
	x := vs
	var sb []float64
	if o.Seasonal {
		if sb = slotBaseline(ts, vs, o.Loc); sb != nil {
			x = make([]float64, n)
			for i, v := range vs {
				x[i] = v - sb[i]
			}
		}
	}
	sc.roll = rollingMedian(x, o.Span, base, sc.roll)
	for i := range sb {
		base[i] += sb[i]
	}
	// residual scale: local (the MAD of the residuals around each point, per block of Span/4 points, so a
	// member whose noise changes with its role is judged by its own noise), with floors: a quarter of the
	// series' overall robust spread once the daily cycle is removed (a smooth series is not hypersensitive
	// to wiggles), 1% of its median, and MinDelta/Threshold (a deviation of exactly MinDelta scores
	// Threshold)
	res := grow(&sc.res, n)
	for i, v := range vs {
		res[i] = math.Abs(v - base[i])
	}
	local := grow(&sc.local, n)
	half := max(1, o.Span/2)
	step := max(8, o.Span/4)
	win := sc.win[:0]
	defer func() { sc.win = win }()
	for c := 0; c < n; c += step {
		mid := min(n-1, c+step/2)
		win = append(win[:0], res[max(0, mid-half):min(n, mid+half+1)]...)
		m := 1.4826 * quantile(win, 0.5)
		for i := c; i < min(n, c+step); i++ {
			local[i] = m
		}
	}
	res = append(res[:0], vs...)
	med := quantile(res, 0.5)
	xmed := med
	if sb != nil { // the spread floor is taken after removing the daily cycle
		res = append(res[:0], x...)
		xmed = quantile(res, 0.5)
	}
	for i, v := range x {
		res[i] = math.Abs(v - xmed)
	}
	floor := math.Max(0.25*1.4826*quantile(res, 0.5), 0.01*math.Abs(med))
	floor = math.Max(floor, o.MinDelta/o.Threshold)
	if floor == 0 {
		floor = math.SmallestNonzeroFloat64
	}
	var out []Anomaly
	var cur *Anomaly
	lastFlag := -1
	for i, v := range vs {
		b := base[i]
		d := v - b
		scale := math.Max(local[i], floor)
		flag := math.Abs(d) >= o.Threshold*scale && math.Abs(d) >= o.MinDelta && d != 0
		dir := "high"
		if d < 0 {
			dir = "low"
		}
		if cur != nil && (i-lastFlag > o.Gap+1 || (flag && dir != cur.Direction)) {
			out = append(out, *cur)
			cur = nil
		}
		if !flag {
			continue
		}
		score := math.Abs(d) / scale
		if cur == nil {
			cur = &Anomaly{Start: ts[i], Direction: dir}
		}
		cur.End = ts[i]
		cur.Points++
		if score > cur.Score {
			cur.Score, cur.Peak, cur.PeakAt, cur.Baseline, cur.Deviation = score, v, ts[i], b, d
		}
		lastFlag = i
	}
	if cur != nil {
		out = append(out, *cur)
	}
	for i := range out {
		out[i].Score = math.Min(out[i].Score, 1e6) // a flat series has a floor scale; keep JSON sane
		out[i].Sustained = out[i].Points > n/4
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// rollingMedian writes into out the centered rolling median of x over a window of span points, clipped
// at the ends (exact and edge-preserving: a clean step moves the median exactly at the step). The window
// is kept sorted with binary-search insertion and removal, O(n·span) moves in the worst case but cheap
// in practice. win is a reusable buffer; it is returned, possibly grown.
func rollingMedian(x []float64, span int, out []float64, win []float64) []float64 {
	n := len(x)
	half := max(1, span/2)
	win = win[:0]
	search := func(v float64) int { // first index with win[i] >= v
		lo, hi := 0, len(win)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if win[m] < v {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return lo
	}
	insert := func(v float64) {
		i := search(v)
		win = append(win, 0)
		copy(win[i+1:], win[i:])
		win[i] = v
	}
	remove := func(v float64) {
		i := search(v)
		if i < len(win) && win[i] == v {
			win = append(win[:i], win[i+1:]...)
		}
	}
	for j := 0; j <= min(n-1, half); j++ {
		insert(x[j])
	}
	for i := 0; i < n; i++ {
		out[i] = Median(win)
		if j := i + half + 1; j < n {
			insert(x[j])
		}
		if j := i - half; j >= 0 {
			remove(x[j])
		}
	}
	return win
}

// slotBaseline returns, for every point, the median of its half-hour of the local day, linearly
// interpolated between slot centers (so a steep daily ramp is followed within the slot); nil when a slot
// has no points.
func slotBaseline(ts []time.Time, vs []float64, loc *time.Location) []float64 {
	const slots = 48
	if loc == nil {
		loc = time.UTC
	}
	pos := make([]float64, len(ts)) // position in slots, 0..48
	var bySlot [slots][]float64
	for i, v := range vs {
		lt := ts[i].In(loc)
		p := (float64(lt.Hour()*60+lt.Minute()) + float64(lt.Second())/60) / 30
		pos[i] = p
		k := min(slots-1, int(p))
		bySlot[k] = append(bySlot[k], v)
	}
	var med [slots]float64
	for k := range bySlot {
		if len(bySlot[k]) == 0 {
			return nil
		}
		sort.Float64s(bySlot[k])
		med[k] = Median(bySlot[k])
	}
	out := make([]float64, len(vs))
	for i, p := range pos {
		// slot k's median sits at its center k+0.5
		x := p - 0.5
		k := int(math.Floor(x))
		f := x - float64(k)
		a, b := med[(k+slots)%slots], med[(k+1+slots)%slots]
		out[i] = a + f*(b-a)
	}
	return out
}

func localHour(t time.Time, loc *time.Location) int {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Hour()
}

// ChangePoint is a level shift.
type ChangePoint struct {
	At        time.Time `json:"at" jsonschema_description:"First timestamp at the new level."`
	Before    float64   `json:"before" jsonschema_description:"Median level of the segment before."`
	After     float64   `json:"after" jsonschema_description:"Median level of the segment after."`
	ChangePct *float64  `json:"change_pct,omitempty"`
}

// ChangeOptions tune ChangePoints. Zero values take the defaults.
type ChangeOptions struct {
	Max        int     // most change points (default 3)
	MinSegment int     // fewest points in a segment (default max(5, n/30))
	Threshold  float64 // median difference in pooled robust standard deviations (default 3)
	MinDelta   float64 // smallest level difference, in the metric's unit
}

// ChangePoints finds level shifts by binary segmentation: each segment is split where a mean shift
// explains the most variance (prefix sums, O(n) per split), and the split is kept only when the medians
// on both sides differ by Threshold pooled robust standard deviations and MinDelta — so a short spike, a
// daily cycle or a slow drift is not reported as a level shift.
func ChangePoints(ts []time.Time, vs []float64, o ChangeOptions) []ChangePoint {
	n := len(vs)
	if o.Max <= 0 {
		o.Max = 3
	}
	if o.MinSegment <= 0 {
		o.MinSegment = max(5, n/30)
	}
	if o.Threshold <= 0 {
		o.Threshold = 3
	}
	if n < 2*o.MinSegment {
		return nil
	}
	ps := make([]float64, n+1)
	for i, v := range vs {
		ps[i+1] = ps[i] + v
	}
	type seg struct{ a, b int }
	var cuts []int
	queue := []seg{{0, n}}
	buf := make([]float64, 0, n)
	for len(queue) > 0 && len(cuts) < o.Max {
		// split the segment with the best gain first
		best, bestK, bestGain := -1, -1, 0.0
		for qi, s := range queue {
			k, g := bestSplit(ps, s.a, s.b, o.MinSegment)
			if k >= 0 && g > bestGain {
				best, bestK, bestGain = qi, k, g
			}
		}
		if best < 0 {
			break
		}
		s := queue[best]
		queue = append(queue[:best], queue[best+1:]...)
		var m1, m2, s1, s2 float64
		m1, s1, buf = robust(vs[s.a:bestK], buf)
		m2, s2, buf = robust(vs[bestK:s.b], buf)
		pooled := math.Sqrt((s1*s1 + s2*s2) / 2)
		pooled = math.Max(pooled, 0.005*math.Max(math.Abs(m1), math.Abs(m2)))
		if d := math.Abs(m2 - m1); d < o.Threshold*pooled || d < o.MinDelta || d == 0 {
			continue // not a level shift; do not search inside this segment again
		}
		cuts = append(cuts, bestK)
		queue = append(queue, seg{s.a, bestK}, seg{bestK, s.b})
	}
	sort.Ints(cuts)
	out := make([]ChangePoint, len(cuts))
	for i, k := range cuts {
		a, b := 0, n
		if i > 0 {
			a = cuts[i-1]
		}
		if i < len(cuts)-1 {
			b = cuts[i+1]
		}
		var before, after float64
		before, _, buf = robust(vs[a:k], buf)
		after, _, buf = robust(vs[k:b], buf)
		cp := ChangePoint{At: ts[k], Before: before, After: after}
		if math.Abs(before) > 1e-9 {
			c := (after - before) / math.Abs(before) * 100
			cp.ChangePct = &c
		}
		out[i] = cp
	}
	return out
}

// bestSplit returns the index k in [a+min, b-min] maximizing the between-segment sum of squares
// n1·n2/n·(μ1−μ2)², and that gain (k = -1 when the segment is too short).
func bestSplit(ps []float64, a, b, minSeg int) (int, float64) {
	best, gain := -1, 0.0
	total := ps[b] - ps[a]
	n := float64(b - a)
	for k := a + minSeg; k <= b-minSeg; k++ {
		n1 := float64(k - a)
		n2 := n - n1
		m1 := (ps[k] - ps[a]) / n1
		m2 := (total - (ps[k] - ps[a])) / n2
		g := n1 * n2 / n * (m1 - m2) * (m1 - m2)
		if g > gain {
			best, gain = k, g
		}
	}
	return best, gain
}

// robust returns the median and 1.4826×MAD of vs, reusing buf.
func robust(vs []float64, buf []float64) (med, scale float64, out []float64) {
	buf = append(buf[:0], vs...)
	med = quantile(buf, 0.5)
	for i, v := range vs {
		buf[i] = math.Abs(v - med)
	}
	return med, 1.4826 * quantile(buf, 0.5), buf
}

// Seasonality is the hour-of-day profile of a series.
type Seasonality struct {
	Timezone   string    `json:"timezone"`
	HourlyMean []float64 `json:"hourly_mean" jsonschema_description:"Mean value for each local hour 0–23."`
	Strength   float64   `json:"strength" jsonschema_description:"Share of the variance explained by the hour of day, 0–1 (≥0.3 is a clear daily cycle)."`
	PeakHour   int       `json:"peak_hour"`
	TroughHour int       `json:"trough_hour"`
}

// DailyProfile computes the hour-of-day profile in loc, or nil when some hour has no points.
func DailyProfile(ts []time.Time, vs []float64, loc *time.Location) *Seasonality {
	if loc == nil {
		loc = time.UTC
	}
	var sum [24]float64
	var cnt [24]int
	total := 0.0
	for i, v := range vs {
		h := localHour(ts[i], loc)
		sum[h] += v
		cnt[h]++
		total += v
	}
	s := &Seasonality{Timezone: loc.String(), HourlyMean: make([]float64, 24)}
	for h := 0; h < 24; h++ {
		if cnt[h] == 0 {
			return nil
		}
		s.HourlyMean[h] = sum[h] / float64(cnt[h])
		if s.HourlyMean[h] > s.HourlyMean[s.PeakHour] {
			s.PeakHour = h
		}
		if s.HourlyMean[h] < s.HourlyMean[s.TroughHour] {
			s.TroughHour = h
		}
	}
	mean := total / float64(len(vs))
	var sst, ssr float64
	for i, v := range vs {
		sst += (v - mean) * (v - mean)
		r := v - s.HourlyMean[localHour(ts[i], loc)]
		ssr += r * r
	}
	if sst > 0 {
		s.Strength = math.Max(0, 1-ssr/sst)
	}
	return s
}

// Series is a time series: parallel timestamps and values.
type Series struct {
	Timestamps []time.Time `json:"timestamps"`
	Values     []float64   `json:"values"`
}

// Downsample reduces a series to at most maxPoints points (≥ 2) without losing peaks: the points are cut
// into maxPoints/2 buckets of equal count and each bucket keeps its minimum and its maximum, in time order
// (never every-kth thinning). A series that already fits is copied unchanged.
func Downsample(ts []time.Time, vs []float64, maxPoints int) Series {
	n := len(vs)
	if maxPoints < 2 {
		maxPoints = 2
	}
	if n <= maxPoints {
		return Series{Timestamps: append([]time.Time{}, ts...), Values: append([]float64{}, vs...)}
	}
	buckets := maxPoints / 2
	out := Series{Timestamps: make([]time.Time, 0, maxPoints), Values: make([]float64, 0, maxPoints)}
	for b := 0; b < buckets; b++ {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		if lo >= hi {
			continue
		}
		mi, ma := lo, lo
		for i := lo + 1; i < hi; i++ {
			if vs[i] < vs[mi] {
				mi = i
			}
			if vs[i] > vs[ma] {
				ma = i
			}
		}
		first, second := min(mi, ma), max(mi, ma)
		out.Timestamps = append(out.Timestamps, ts[first])
		out.Values = append(out.Values, vs[first])
		if second != first {
			out.Timestamps = append(out.Timestamps, ts[second])
			out.Values = append(out.Values, vs[second])
		}
	}
	return out
}
