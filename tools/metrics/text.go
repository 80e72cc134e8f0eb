package metrics

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// FormatValue renders a normalized value for text: bytes with binary units, percentages with one
// decimal, everything else with three significant digits.
func FormatValue(unit string, v float64) string {
	switch unit {
	case "bytes":
		return bytesText(v)
	case "bytes_per_s":
		return bytesText(v) + "/s"
	case "pct":
		return tools.Num(v, 1)
	}
	return sig(v, 3)
}

// bytesText formats a byte count with a binary unit and three significant digits.
func bytesText(v float64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return sign + sig(v, 3) + " " + units[i]
}

// sig formats v with n significant digits (no exponent).
func sig(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	mag := int(math.Floor(math.Log10(math.Abs(v))))
	return tools.Num(v, max(0, n-1-mag))
}

// rateText formats a slope per hour: like FormatValue, but with two significant digits for small rates.
func rateText(unit string, v float64) string {
	if unit == "bytes" || unit == "bytes_per_s" {
		return signed(FormatValue(unit, v))
	}
	return signed(sig(v, 2))
}

func signed(s string) string {
	if !strings.HasPrefix(s, "-") && s != "0" {
		return "+" + s
	}
	return s
}

func pctText(p *float64) string {
	if p == nil {
		return "–"
	}
	return signed(tools.Num(*p, 0)) + "%"
}

// loc resolves the echo's time zone (UTC when unknown).
func loc(e timewin.Echo) *time.Location {
	if l, err := time.LoadLocation(e.Timezone); err == nil {
		return l
	}
	return time.UTC
}

// stamp formats t in the window's zone, compactly.
func stamp(t time.Time, l *time.Location) string {
	return t.In(l).Format("01-02 15:04")
}

// echoLine renders a window echo in one line: local times with zone, and UTC.
func echoLine(e timewin.Echo) string {
	l := loc(e)
	s, _ := time.Parse(time.RFC3339, e.StartUTC)
	en, _ := time.Parse(time.RFC3339, e.EndUTC)
	line := fmt.Sprintf("%s → %s %s (%s; UTC %s → %s)", s.In(l).Format("2006-01-02 15:04"), en.In(l).Format("2006-01-02 15:04"),
		en.In(l).Format("MST"), e.Timezone, s.UTC().Format("01-02 15:04"), en.UTC().Format("01-02 15:04"))
	if e.Note != "" {
		line += " — " + e.Note
	}
	return line
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws vs in at most width characters (min/max per column, the column's max is drawn).
func Sparkline(vs []float64, width int) string {
	if len(vs) == 0 || width <= 0 {
		return ""
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	cols := min(width, len(vs))
	var b strings.Builder
	for c := 0; c < cols; c++ {
		a, z := c*len(vs)/cols, (c+1)*len(vs)/cols
		m := vs[a]
		for _, v := range vs[a:z] {
			m = math.Max(m, v)
		}
		i := 0
		if hi > lo {
			i = int((m - lo) / (hi - lo) * float64(len(sparks)-1))
		}
		b.WriteRune(sparks[i])
	}
	return b.String()
}
