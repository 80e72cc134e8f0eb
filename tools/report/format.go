package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Window.Timezone must resolve the same way on every host: output is golden-tested
)

// Number formatting shared by the HTML and Markdown renderers. Everything here is deterministic and
// locale-free: "12,345", "97.2", "1.23M".

// fmtNum formats a measurement for people: three significant digits below 1,000, thousands separators up to
// 100,000, then k/M/G/T suffixes. -0 prints as 0; NaN and ±Inf as "–".
func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e5:
		for _, s := range []struct {
			d   float64
			suf string
		}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
			if a >= s.d*0.9995 {
				return sig(v/s.d, 3) + s.suf
			}
		}
	case a >= 999.5:
		return group(int64(math.Round(v)))
	}
	return sig(v, 3)
}

// sig rounds v to n significant digits and trims trailing zeros ("97.20" → "97.2", "100" stays).
func sig(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		if v == 0 {
			return "0"
		}
		return "–"
	}
	d := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	if d < 0 {
		d = 0
	}
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// group writes an integer with thousands separators: 1234567 → "1,234,567".
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtInt is group for counts.
func fmtInt(n int64) string { return group(n) }

// fmtSecs formats a duration in seconds: "0.52 s", "12.3 s", "1,234 s".
func fmtSecs(s float64) string { return fmtNum(s) + " s" }

// fmtPct formats a share in percent: "41%", "4.1%", "0.3%".
func fmtPct(p float64) string {
	if p >= 10 || p <= -10 {
		return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
	}
	return sig(p, 2) + "%"
}

// fmtBytes formats a size with binary units: "64 GiB", "512 MiB".
func fmtBytes(n int64) string {
	v := float64(n)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return sig(v, 3) + " " + units[i]
}

// unitScale is how one chart or table shows a unit: values are divided by div and suffixed with suf.
type unitScale struct {
	div   float64
	suf   string // appended to a value: "%", " GiB", " ms", "/s"
	label string // the axis label: "%", "GiB", "ms", "per second"
}

// scaleFor picks the display scale for a unit given the largest absolute value to show. Unit names are
// the model's (%, ms, bytes, count, per_s, …) and the metrics family's (pct, bytes_per_s, sessions, …).
func scaleFor(unit string, maxAbs float64) unitScale {
	switch strings.ToLower(unit) {
	case "%", "pct", "percent":
		return unitScale{1, "%", "%"}
	case "ms", "milliseconds":
		return unitScale{1, " ms", "ms"}
	case "s", "seconds":
		return unitScale{1, " s", "s"}
	case "bytes", "b":
		div, name := binScale(maxAbs)
		return unitScale{div, " " + name, name}
	case "bytes_per_s", "bytes/s":
		div, name := binScale(maxAbs)
		return unitScale{div, " " + name + "/s", name + "/s"}
	case "per_s", "count/s", "/s":
		return unitScale{1, "/s", "per second"}
	case "count", "":
		return unitScale{1, "", "count"}
	case "sessions", "aas":
		return unitScale{1, " AAS", "avg. active sessions"}
	case "acu":
		return unitScale{1, " ACU", "ACU"}
	case "ratio":
		return unitScale{1, "", "ratio"}
	}
	return unitScale{1, " " + unit, unit}
}

func binScale(maxAbs float64) (float64, string) {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	div := 1.0
	i := 0
	for maxAbs/div >= 1024 && i < len(units)-1 {
		div *= 1024
		i++
	}
	return div, units[i]
}

// value formats v in this scale: "97.2%", "12.3 GiB".
func (u unitScale) value(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmtNum(v/u.div) + u.suf
}

// ---- time ----

// zone is the report's display time zone.
type zone struct {
	loc   *time.Location
	name  string // IANA name as given, or "UTC"
	label string // "Asia/Seoul (KST, UTC+09:00)"
	note  string // set when Window.Timezone could not be loaded
	ko    bool   // local times in Korean words ("11월 22일 15:10"); UTC forms stay numeric
}

func loadZone(name string, at time.Time) zone {
	z := zone{loc: time.UTC, name: "UTC", label: "UTC"}
	if name == "" || name == "UTC" || name == "Etc/UTC" {
		return z
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		z.note = fmt.Sprintf("unknown time zone %q; times are shown in UTC", name)
		return z
	}
	z.loc, z.name = loc, name
	abbr, off := at.In(loc).Zone()
	z.label = name + " (" + offsetLabel(abbr, off) + ")"
	return z
}

// offsetLabel is "KST, UTC+09:00", or "UTC+05:30" when the zone has no letter abbreviation.
func offsetLabel(abbr string, off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	o := fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' || abbr == "UTC" {
		return o
	}
	return abbr + ", " + o
}

// TimeV is a time shown locally with its UTC form at hand (title attribute, datetime attribute).
type TimeV struct {
	Local string // "2026-11-21 23:23" (Korean: "11월 21일 23:23")
	Day   string // "2026-11-21" (Korean: "11월 21일")
	Short string // "23:23" or "11-21 23:23" — for compact places
	UTC   string // "2026-11-21 14:23 UTC"
	ISO   string // RFC 3339 UTC for <time datetime>
	Zero  bool
}

func (z zone) tv(t time.Time) TimeV {
	if t.IsZero() {
		return TimeV{Local: "–", Short: "–", Zero: true}
	}
	l := t.In(z.loc)
	u := t.UTC()
	if z.ko {
		return TimeV{Local: z.local(l), Day: koDay(l), Short: z.local(l), UTC: u.Format("2006-01-02 15:04:05") + " UTC",
			ISO: u.Format(time.RFC3339)}
	}
	return TimeV{
		Local: l.Format("2006-01-02 15:04"),
		Day:   l.Format("2006-01-02"),
		Short: l.Format("01-02 15:04"),
		UTC:   u.Format("2006-01-02 15:04:05") + " UTC",
		ISO:   u.Format(time.RFC3339),
	}
}

// abbr is the zone's short name at t ("KST", or "UTC+09:00").
func (z zone) abbr(t time.Time) string {
	a, off := t.In(z.loc).Zone()
	if a == "" || a[0] == '+' || a[0] == '-' {
		l := offsetLabel("", off)
		return l
	}
	return a
}

// koDay is a Korean month and day: "11월 21일".
func koDay(l time.Time) string { return fmt.Sprintf("%d월 %d일", int(l.Month()), l.Day()) }

// local is a local time (already in z.loc) in z's words: "2026-11-21 14:10" or "11월 21일 14:10".
func (z zone) local(l time.Time) string {
	if z.ko {
		return koDay(l) + " " + l.Format("15:04")
	}
	return l.Format("2006-01-02 15:04")
}

// spanYear is span with the year in Korean ("2026년 11월 21일 15:00 – 11월 22일 15:00 KST"), for the
// window line; English spans carry the year already.
func (z zone) spanYear(a, b time.Time) string {
	if !z.ko {
		return z.span(a, b)
	}
	return fmt.Sprintf("%d년 ", a.In(z.loc).Year()) + z.span(a, b)
}

// span formats a local time range compactly: "2026-11-21 14:10–14:40 KST" when on the same local day.
func (z zone) span(a, b time.Time) string {
	la, lb := a.In(z.loc), b.In(z.loc)
	if z.ko {
		switch {
		case a.Equal(b):
			return z.local(la) + " " + z.abbr(a)
		case la.Format("20060102") == lb.Format("20060102"):
			return z.local(la) + "–" + lb.Format("15:04") + " " + z.abbr(a)
		case la.Year() != lb.Year():
			return z.local(la) + " – " + fmt.Sprintf("%d년 ", lb.Year()) + z.local(lb) + " " + z.abbr(a)
		}
		return z.local(la) + " – " + z.local(lb) + " " + z.abbr(a)
	}
	if a.Equal(b) {
		return la.Format("2006-01-02 15:04") + " " + z.abbr(a)
	}
	if la.Format("20060102") == lb.Format("20060102") {
		return la.Format("2006-01-02 15:04") + "–" + lb.Format("15:04") + " " + z.abbr(a)
	}
	return la.Format("2006-01-02 15:04") + " – " + lb.Format("2006-01-02 15:04") + " " + z.abbr(a)
}

// spanUTC is span in UTC.
func spanUTC(a, b time.Time) string {
	return zone{loc: time.UTC}.span(a, b)
}

// zoneSpan is the zone's offset from a point of the window on (for the script's readout, which must show
// the same local times as the axes; DST changes inside the window start a new span).
type zoneSpan struct {
	From int64  `json:"from"` // seconds after the window start
	Off  int    `json:"off"`  // seconds east of UTC
	Abbr string `json:"abbr"`
}

// spans lists the zone's offsets over [t0, t1], finding each change to the second.
func (z zone) spans(t0, t1 time.Time) []zoneSpan {
	_, off := t0.In(z.loc).Zone()
	out := []zoneSpan{{From: 0, Off: off, Abbr: z.abbr(t0)}}
	const step = 15 * time.Minute
	for prev := t0; prev.Before(t1); {
		t := prev.Add(step)
		if t.After(t1) {
			t = t1
		}
		if _, o := t.In(z.loc).Zone(); o != off {
			lo, hi := prev, t
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, mo := mid.In(z.loc).Zone(); mo == off {
					lo = mid
				} else {
					hi = mid
				}
			}
			off = o
			out = append(out, zoneSpan{From: int64(hi.Sub(t0).Seconds()), Off: o, Abbr: z.abbr(hi)})
		}
		prev = t
	}
	return out
}
