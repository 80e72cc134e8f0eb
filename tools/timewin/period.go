package timewin

import (
	"math"
	"time"
)

const (
	defaultPoints = 1440 // GetMetricStatistics' per-call limit; a sane series length
	// margin treats a start this close to an age boundary as already past it,
	// so a request stays valid while it is in flight.
	margin = 10 * time.Minute
)

// Period chooses a CloudWatch period in seconds for w: the smallest one that
// is at least minPeriod (≤ 0 means 60), yields at most maxPoints points per
// series (≤ 0 means 1440), and suits the age of w.Start relative to now — a
// multiple of 60 under 15 days, of 300 from 15 to 63 days, of 3600 beyond.
// A minPeriod below 60 allows the high-resolution periods 1, 5, 10, 20 and
// 30 s when the start is under 3 hours old.
func Period(w Window, now time.Time, maxPoints int, minPeriod int32) int32 {
	need := minPeriodFor(w, maxPoints)
	if minPeriod <= 0 {
		minPeriod = 60
	}
	age := now.Sub(w.Start)
	if minPeriod < 60 && age < 3*time.Hour-margin {
		for _, p := range []int64{1, 5, 10, 20, 30} {
			if p >= int64(minPeriod) && p >= need {
				return int32(p)
			}
		}
	}
	step := int64(60)
	switch {
	case age > 63*day-margin:
		step = 3600
	case age > 15*day-margin:
		step = 300
	}
	p := max(need, int64(minPeriod), step)
	p = (p + step - 1) / step * step
	if p > math.MaxInt32 {
		p = math.MaxInt32 / step * step
	}
	return int32(p)
}

// PeriodFrom chooses the smallest period in allowed (seconds, any order) that
// yields at most maxPoints points (≤ 0 means 1440) over w; when none does, the
// largest allowed period. It returns 0 when allowed has no positive value.
// Use it for APIs with a fixed set, e.g. Performance Insights' 1, 60, 300,
// 3600 and 86400.
func PeriodFrom(w Window, allowed []int32, maxPoints int) int32 {
	need := minPeriodFor(w, maxPoints)
	var best, largest int32
	for _, p := range allowed {
		if p <= 0 {
			continue
		}
		largest = max(largest, p)
		if int64(p) >= need && (best == 0 || p < best) {
			best = p
		}
	}
	if best == 0 {
		return largest
	}
	return best
}

// minPeriodFor is the shortest period, in seconds, that keeps w within
// maxPoints points: ⌈seconds(w) / maxPoints⌉.
func minPeriodFor(w Window, maxPoints int) int64 {
	if maxPoints <= 0 {
		maxPoints = defaultPoints
	}
	d := w.Duration()
	if d <= 0 {
		return 0
	}
	secs := int64((d + time.Second - 1) / time.Second)
	return (secs + int64(maxPoints) - 1) / int64(maxPoints)
}
