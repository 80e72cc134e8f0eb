package metrics

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// synth builds n points every step from t0 with f(i) plus uniform noise of the given amplitude.
func synth(n int, step time.Duration, seed uint64, noise float64, f func(i int) float64) ([]time.Time, []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	ts := make([]time.Time, n)
	vs := make([]float64, n)
	for i := range vs {
		ts[i] = t0.Add(time.Duration(i) * step)
		vs[i] = f(i) + noise*(2*r.Float64()-1)
	}
	return ts, vs
}

// diurnal is a daily cycle between lo and hi for minute i.
func diurnal(i int, lo, hi float64) float64 {
	return lo + (hi-lo)*(0.5-0.5*math.Cos(2*math.Pi*float64(i)/1440))
}

func TestPercentileAndSummarize(t *testing.T) {
	cases := []struct {
		vs      []float64
		p, want float64
	}{
		{[]float64{5}, 0.95, 5},
		{[]float64{1, 2}, 0.5, 1.5},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.95, 9.55},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 1},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 10},
		{nil, 0.5, 0},
	}
	for _, c := range cases {
		if got := Percentile(c.vs, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.vs, c.p, got, c.want)
		}
	}
	ts, vs := synth(100, time.Minute, 1, 10, func(i int) float64 { return 50 })
	vs[37] = 99 // the max
	vs[80] = -3 // the min
	s, _ := Summarize(ts, vs, nil)
	sum := 0.0
	for _, v := range vs {
		sum += v
	}
	if s.Points != 100 || s.Max != 99 || !s.MaxAt.Equal(ts[37]) || s.Min != -3 || !s.MinAt.Equal(ts[80]) ||
		s.Last != vs[99] || !s.LastAt.Equal(ts[99]) || math.Abs(s.Avg-sum/100) > 1e-9 {
		t.Fatalf("Summarize = %+v", s)
	}
	sorted := append([]float64(nil), vs...)
	sort.Float64s(sorted)
	if want := sorted[94] + 0.05*(sorted[95]-sorted[94]); math.Abs(s.P95-want) > 1e-9 {
		t.Errorf("p95 = %v, want %v", s.P95, want)
	}
}

func TestFitTrend(t *testing.T) {
	// an exact line: 10 + 2/h over 10 hours of 1-minute points
	ts, vs := synth(600, time.Minute, 1, 0, func(i int) float64 { return 10 + 2*float64(i)/60 })
	tr := FitTrend(ts, vs)
	if math.Abs(tr.SlopePerHour-2) > 1e-9 || tr.ChangePct == nil || math.Abs(*tr.ChangePct-(2*599.0/60)/10*100) > 1e-6 || !tr.Significant {
		t.Fatalf("line: %+v", tr)
	}
	// noise around a constant: no significant trend
	ts, vs = synth(1440, time.Minute, 3, 5, func(int) float64 { return 40 })
	if tr := FitTrend(ts, vs); tr.Significant || math.Abs(tr.SlopePerHour) > 0.05 {
		t.Errorf("noise: %+v", tr)
	}
	// strongly autocorrelated wandering without a trend (AR(1), φ=0.95): the effective-sample-size
	// correction keeps it from being "significant" by sheer number of points
	sig := 0
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		x := 0.0
		ts, vs = synth(1440, time.Minute, seed, 0, func(int) float64 {
			x = 0.95*x + r.NormFloat64()
			return 50 + x
		})
		if FitTrend(ts, vs).Significant {
			sig++
		}
	}
	if sig > 6 {
		t.Errorf("AR(1) noise called significant in %d of 40 series", sig)
	}
	// a rising trend under noise is significant
	ts, vs = synth(1440, time.Minute, 5, 3, func(i int) float64 { return 20 + float64(i)/60 })
	if tr := FitTrend(ts, vs); !tr.Significant || math.Abs(tr.SlopePerHour-1) > 0.05 {
		t.Errorf("rising: %+v", tr)
	}
	// near-zero start: no percentage
	ts, vs = synth(100, time.Minute, 1, 0, func(i int) float64 { return float64(i) - 50 })
	if tr := FitTrend(ts, vs); tr.ChangePct != nil {
		t.Errorf("change pct from a negative/zero start: %v", *tr.ChangePct)
	}
}

func TestAnomaliesPlantedSpike(t *testing.T) {
	// 24 h of 1-minute CPU with a daily cycle and noise; a 40-minute spike to ~95% at 14:10.
	spikeAt := 14*60 + 10
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		ts, vs := synth(1440, time.Minute, seed, 3, func(i int) float64 {
			if i >= spikeAt && i < spikeAt+40 {
				return 95
			}
			return diurnal(i, 15, 45)
		})
		an := Anomalies(ts, vs, AnomalyOptions{MinDelta: 5})
		if len(an) == 0 {
			t.Fatalf("seed %d: no anomaly found", seed)
		}
		a := an[0]
		if d := a.Start.Sub(ts[spikeAt]); d < -time.Minute || d > time.Minute {
			t.Errorf("seed %d: spike start %v, want %v ±1 period", seed, a.Start, ts[spikeAt])
		}
		if d := a.End.Sub(ts[spikeAt+39]); d < -time.Minute || d > time.Minute {
			t.Errorf("seed %d: spike end %v, want %v ±1 period", seed, a.End, ts[spikeAt+39])
		}
		if a.Direction != "high" || a.Peak < 91 || a.Baseline > 50 || a.Deviation < 40 || a.Sustained {
			t.Errorf("seed %d: %+v", seed, a)
		}
		for _, x := range an[1:] {
			if x.Score >= a.Score || x.Points > 3 {
				t.Errorf("seed %d: extra anomaly %+v", seed, x)
			}
		}
	}
}

func TestAnomaliesDipLevelShiftAndFlat(t *testing.T) {
	// a memory dip is a "low" anomaly
	ts, vs := synth(1440, time.Minute, 9, 0.2e9, func(i int) float64 {
		if i >= 600 && i < 630 {
			return 1e9
		}
		return 10e9
	})
	an := Anomalies(ts, vs, AnomalyOptions{MinDelta: 256 << 20})
	if len(an) != 1 || an[0].Direction != "low" || !an[0].Start.Equal(ts[600]) || an[0].Points != 30 {
		t.Fatalf("dip: %+v", an)
	}
	// a clean level shift (a role change) moves the rolling baseline: no hours-long anomaly
	ts, vs = synth(1440, time.Minute, 10, 2, func(i int) float64 {
		if i >= 1000 {
			return 60
		}
		return 20
	})
	for _, a := range Anomalies(ts, vs, AnomalyOptions{MinDelta: 5}) {
		if a.Points > 5 {
			t.Errorf("level shift flagged as anomaly: %+v", a)
		}
	}
	// a flat zero series with one small blip under MinDelta: nothing; over MinDelta: one
	ts, vs = synth(600, time.Minute, 11, 0, func(int) float64 { return 0 })
	vs[300] = 0.0167
	if an := Anomalies(ts, vs, AnomalyOptions{MinDelta: 0.05}); len(an) != 0 {
		t.Errorf("blip under MinDelta flagged: %+v", an)
	}
	vs[300] = 0.3
	if an := Anomalies(ts, vs, AnomalyOptions{MinDelta: 0.05}); len(an) != 1 || an[0].Score < 4.5 || an[0].Score > 1e6 {
		t.Errorf("deadlock burst: %+v", an)
	}
}

func TestAnomaliesSeasonal(t *testing.T) {
	// 7 days of 5-minute points with a strong daily cycle: the daily peaks are not anomalies, a night-time
	// bump that would be ordinary at noon is.
	n := 7 * 288
	night := 5*288 + 36 // day 5, 03:00
	ts, vs := synth(n, 5*time.Minute, 12, 1, func(i int) float64 {
		v := diurnal(i*5, 10, 60)
		if i >= night && i < night+6 {
			v += 30
		}
		return v
	})
	an := Anomalies(ts, vs, AnomalyOptions{MinDelta: 5, Seasonal: true, Loc: time.UTC})
	if len(an) == 0 || !an[0].Start.Equal(ts[night]) {
		t.Fatalf("seasonal: %+v", an)
	}
	for _, a := range an[1:] {
		t.Errorf("extra anomaly %+v", a)
	}
}

func TestChangePoints(t *testing.T) {
	cases := []struct {
		name string
		f    func(i int) float64
		want []int // expected change indexes (±2 periods)
	}{
		{"level shift", func(i int) float64 {
			if i >= 900 {
				return 55
			}
			return 30
		}, []int{900}},
		{"two shifts", func(i int) float64 {
			switch {
			case i >= 1100:
				return 20
			case i >= 500:
				return 70
			}
			return 30
		}, []int{500, 1100}},
		{"40-minute spike is not a level shift", func(i int) float64 {
			if i >= 700 && i < 740 {
				return 95
			}
			return 30
		}, nil},
		{"daily cycle is not a level shift", func(i int) float64 { return diurnal(i, 10, 40) }, nil},
		{"flat", func(int) float64 { return 42 }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 5; seed++ {
				ts, vs := synth(1440, time.Minute, seed, 3, c.f)
				cps := ChangePoints(ts, vs, ChangeOptions{MinDelta: 5})
				if len(cps) != len(c.want) {
					t.Fatalf("seed %d: got %d change points %+v, want %v", seed, len(cps), cps, c.want)
				}
				for i, k := range c.want {
					if d := cps[i].At.Sub(ts[k]); d < -2*time.Minute || d > 2*time.Minute {
						t.Errorf("seed %d: change %d at %v, want %v ±2 periods", seed, i, cps[i].At, ts[k])
					}
				}
				if c.name == "level shift" && (math.Abs(cps[0].Before-30) > 1 || math.Abs(cps[0].After-55) > 1 || cps[0].ChangePct == nil) {
					t.Errorf("levels: %+v", cps[0])
				}
			}
		})
	}
}

func TestDailyProfile(t *testing.T) {
	ts, vs := synth(3*1440, time.Minute, 1, 1, func(i int) float64 { return diurnal(i, 10, 50) })
	s := DailyProfile(ts, vs, time.UTC)
	// t0 is 09:00 UTC and diurnal() starts at its trough: trough at 09:00, peak at 21:00 UTC
	if s == nil || s.Strength < 0.9 || (s.PeakHour != 20 && s.PeakHour != 21) || (s.TroughHour != 8 && s.TroughHour != 9) || len(s.HourlyMean) != 24 {
		t.Fatalf("profile: %+v", s)
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	if s := DailyProfile(ts, vs, seoul); s.PeakHour != 5 && s.PeakHour != 6 {
		t.Errorf("peak hour in Seoul = %d, want 5 or 6 (21:00 UTC)", s.PeakHour)
	}
	ts, vs = synth(3*1440, time.Minute, 2, 5, func(int) float64 { return 30 })
	if s := DailyProfile(ts, vs, time.UTC); s.Strength > 0.1 {
		t.Errorf("noise has strength %v", s.Strength)
	}
	if s := DailyProfile(ts[:600], vs[:600], time.UTC); s != nil {
		t.Errorf("10 hours cannot have a daily profile: %+v", s)
	}
}

func TestDownsampleKeepsPeaks(t *testing.T) {
	ts, vs := synth(1440, time.Minute, 1, 2, func(i int) float64 { return diurnal(i, 20, 40) })
	vs[777], vs[123] = 99, -5 // a one-minute spike and dip that every-kth thinning would lose
	for _, mp := range []int{10, 61, 120, 1439} {
		s := Downsample(ts, vs, mp)
		if len(s.Values) > mp || len(s.Values) != len(s.Timestamps) {
			t.Fatalf("max %d: got %d points", mp, len(s.Values))
		}
		var hasMax, hasMin bool
		for i, v := range s.Values {
			hasMax = hasMax || (v == 99 && s.Timestamps[i].Equal(ts[777]))
			hasMin = hasMin || (v == -5 && s.Timestamps[i].Equal(ts[123]))
			if i > 0 && !s.Timestamps[i].After(s.Timestamps[i-1]) {
				t.Fatalf("max %d: timestamps out of order at %d", mp, i)
			}
		}
		if !hasMax || !hasMin {
			t.Errorf("max %d: lost the peak (%v) or the dip (%v)", mp, hasMax, hasMin)
		}
	}
	s := Downsample(ts[:50], vs[:50], 120)
	if len(s.Values) != 50 || s.Values[49] != vs[49] {
		t.Errorf("short series changed: %d points", len(s.Values))
	}
}

func TestQuantileMatchesSortedPercentile(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 500; trial++ {
		n := 1 + r.IntN(300)
		vs := make([]float64, n)
		for i := range vs {
			vs[i] = float64(r.IntN(20)) // many ties
			if trial%2 == 0 {
				vs[i] = r.NormFloat64()
			}
		}
		sorted := append([]float64(nil), vs...)
		sort.Float64s(sorted)
		for _, p := range []float64{0, 0.05, 0.5, 0.95, 0.99, 1} {
			buf := append([]float64(nil), vs...)
			if got, want := quantile(buf, p), Percentile(sorted, p); math.Abs(got-want) > 1e-12 {
				t.Fatalf("n=%d p=%v: quantile %v, Percentile %v", n, p, got, want)
			}
		}
	}
}
