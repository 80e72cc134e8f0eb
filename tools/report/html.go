package report

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// The only trusted markup: our CSS and scripts, embedded at build time. template.CSS/JS wrap these constants
// and nothing else; every value from a Check goes through html/template's contextual escaping.
var (
	//go:embed assets/report.css
	cssText string
	//go:embed assets/report.js
	jsText string
	//go:embed assets/report.html.tmpl
	tmplText string
)

// headJS marks the document as scripted before the first paint, so panels do not flash stacked.
const headJS = `document.documentElement.className+=" js"`

var (
	// pages holds the template once per language: "t", "tab", "sevl", "stat" and "role" print that language.
	// Parsed on first use, not at start-up: `serve` must answer initialize fast and may never render.
	pages = sync.OnceValue(func() map[string]*template.Template {
		m := map[string]*template.Template{}
		for _, l := range i18n.Langs {
			m[l] = template.Must(template.New("report").Funcs(funcs).Funcs(langFuncs(i18n.For(l))).Parse(tmplText))
		}
		return m
	})
	// csp allows exactly our style element and our two scripts, and no load of any kind.
	csp = "default-src 'none'; img-src data:; style-src " + sha(cssText) + "; script-src " + sha(headJS) + " " +
		sha(jsText) + "; base-uri 'none'; form-action 'none'"
)

// sha is a CSP hash source for an inline element's exact text.
func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

var funcs = template.FuncMap{
	"num":   fmtNum,
	"int":   fmtInt,
	"intn":  func(n int) string { return fmtInt(int64(n)) },
	"secs":  fmtSecs,
	"pct":   fmtPct,
	"bytes": fmtBytes,
	"sev":   sevClass,
	"sevl":  sevLabel,
	"https": isHTTPS,
	"tab":   tabName,
	"width": func(p float64) float64 { return math.Round(math.Max(0, math.Min(100, p))*10) / 10 },
	"join":  strings.Join,
	"dec": func(v float64) string { // a plain decimal for SVG attributes
		return fmt.Sprintf("%g", math.Round(v*10)/10)
	},
	"sub":    func(a, b float64) float64 { return a - b },
	"add1":   func(i int) int { return i + 1 },
	"lclass": logClass,
	"plural": plural,
	"add":    func(a, b float64) float64 { return a + b },
}

// langFuncs are the template functions that print words of one language.
func langFuncs(p *i18n.P) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string, args ...any) string { return p.T(key, args...) },
		"tab":   func(id string) string { return tabLabel(p, id) },
		"sevl":  func(s string) string { return sevWord(p, s) },
		"stat":  func(s string) string { return p.TOr("status."+s, s) },
		"role":  func(s string) string { return p.TOr("role."+s, s) },
		"evcat": func(s string) string { return eventCategory(p, s) },
	}
}

// tabLabel is a tab's name in p's language.
func tabLabel(p *i18n.P, id string) string {
	if !knownTab(id) {
		return id
	}
	return p.T("tab." + id)
}

// sevWord is a severity, verdict or urgency in p's language.
func sevWord(p *i18n.P, s string) string {
	s = sevLabel(s)
	return p.TOr("sev."+s, s)
}

// isHTTPS reports whether a documentation link may be rendered as a link (navigation only; nothing loads).
func isHTTPS(s string) bool {
	return strings.HasPrefix(s, "https://") && !strings.ContainsAny(s, " \t\r\n\"'<>`")
}

// Tabs in display order: the Sec* constants are their anchors.
var tabOrder = []struct{ id, name string }{
	{SecSummary, "Summary"},
	{SecTopology, "Topology & configuration"},
	{SecMetrics, "Metrics"},
	{SecEvents, "Events"},
	{SecMaintenance, "Maintenance"},
	{SecSlowQueries, "Slow queries"},
	{SecLogs, "Logs & errors"},
	{SecDBLoad, "Database load"},
	{SecRecommendations, "Recommendations & alarms"},
}

func tabName(id string) string {
	for _, t := range tabOrder {
		if t.id == id {
			return t.name
		}
	}
	return id
}

func knownTab(id string) bool {
	for _, t := range tabOrder {
		if t.id == id {
			return true
		}
	}
	return false
}

// sevClass maps a severity, verdict, urgency or state to a CSS class.
func sevClass(s string) string {
	switch strings.ToLower(s) {
	case "critical", "high", "alarm", "failure", "failover":
		return "crit"
	case "warning", "medium", "warn", "insufficient_data", "reboot", "restart":
		return "warn"
	case "healthy", "ok", "low":
		return "ok"
	case "incomplete", "gap", "empty":
		return "mute"
	}
	return "info"
}

// logClass colours an error-log class by how bad it usually is.
func logClass(class string) string {
	switch class {
	case "out_of_memory", "too_many_connections":
		return "crit"
	case "deadlock", "restart", "replication":
		return "warn"
	}
	return "info"
}

// sevLabel is the text that goes with the colour: colour is never the only signal.
func sevLabel(s string) string {
	if s == "" {
		return "info"
	}
	return strings.ToLower(s)
}

// view is what the template renders.
type view struct {
	C         *Check
	L         *i18n.P
	Lang      string
	Headline  string
	z         zone
	ax        timeAxis
	CSS       template.CSS
	HeadJS    template.JS
	JS        template.JS
	CSP       string
	Data      payload
	Title     string
	Product   string
	Zone      string
	ZoneNote  string
	WinLocal  string
	WinUTC    string
	Generated TimeV
	GenLocal  string
	Crit      int
	Warn      int
	Info      int
	Verdict   string
	Tabs      []*tabV
	Tab       map[string]*tabV
	Cards     []card
	Findings  []findingV
	AllGaps   []gapV
	Sections  []sectionV
	Metrics   []chartV
	Cluster   []chartV
	Hourly    *barChart
	Loads     []loadV
	Members   []memberV
	AlarmsOn  int
	Missing   int
	scratch   []int64 // reused by minmax
	xTicks    []tick  // the time axis's ticks, the same on every chart
	evMarks   []mark  // eventMarks, the same on every time chart
}

type tabV struct {
	ID, Name string
	Count    string
	Sev      string // worst finding severity class in this tab: crit, warn or ""
	Gaps     []Gap  // localized
	Findings []findingV
}

type card struct {
	Label, Value, Sub, Class, Href string
}

type findingV struct {
	Finding
	Class   string
	When    string
	WhenUTC string
	Tab     string
	Doc     bool
}

type gapV struct {
	Gap
	Tab string
}

type sectionV struct {
	Section
	Class string
	Tab   string
}

type memberV struct {
	Member
	Writer bool
	Mem    string
}

type loadV struct {
	InstanceLoad
	Chart *chartV
	Avg   string
	Max   string
	MaxAt TimeV
	Hot   bool // peak load above the vCPU count
}

// barChart is the hourly histogram of slow-query time.
type barChart struct {
	Title  string
	Unit   string
	Desc   string
	Grid   string
	YTicks []tick
	XTicks []tick
	Bars   []bar
}

type bar struct {
	X, Y, W, H float64
	Tip        string
}

// T shows a time locally with UTC in its title.
func (v *view) T(t time.Time) TimeV { return v.z.tv(t) }

// F prepares a posture finding like the check's own.
func (v *view) F(f Finding) findingV {
	fv := v.finding(f)
	fv.Tab = "" // shown in its own tab already
	return fv
}

// TP is T for an optional time.
func (v *view) TP(t *time.Time) TimeV {
	if t == nil {
		return TimeV{Local: "–", Short: "–", Zero: true}
	}
	return v.z.tv(*t)
}

// HTML renders the check as one self-contained HTML page: nine tabs, SVG charts, our CSS and script, and a
// Content-Security-Policy that allows nothing but them.
func HTML(w io.Writer, c Check) error { return HTMLLang(w, c, i18n.EN) }

// HTMLLang is HTML in a language (en or ko; anything else is English): the page declares it, and every
// word of the page is that language's except what AWS and the database wrote (event messages, SQL, log
// lines, evidence values).
func HTMLLang(w io.Writer, c Check, lang string) error {
	lang = i18n.Norm(lang)
	v := build(&c, lang)
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pages()[lang].Execute(bw, v); err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	return bw.Flush()
}

func build(c *Check, lang string) *view {
	p := i18n.For(lang)
	z := loadZone(c.Window.Timezone, c.Window.Start)
	if z.note != "" {
		z.note = p.T("r.zoneUnknown", c.Window.Timezone)
	}
	z.ko = p.KO()
	v := &view{
		C: c, L: p, Lang: p.Lang, Headline: c.Headline, z: z, ax: newTimeAxis(c.Window),
		CSS: template.CSS(cssText), HeadJS: template.JS(headJS), JS: template.JS(jsText), CSP: csp,
		Zone: z.label, ZoneNote: z.note, Tab: map[string]*tabV{},
	}
	v.Product = "Amazon RDS"
	if strings.HasPrefix(strings.ToLower(c.Engine), "aurora") || strings.HasPrefix(c.Kind, "aurora") {
		v.Product = "Amazon Aurora"
	}
	v.Title = p.T("r.title", c.Cluster, z.tv(c.GeneratedAt).Local)
	if p.KO() {
		c = localize(c, p.Lang)
		v.C = c
		v.Headline = koHeadline(c, p)
	}
	v.WinLocal = z.spanYear(c.Window.Start, c.Window.End)
	v.WinUTC = spanUTC(c.Window.Start, c.Window.End)
	v.Generated = z.tv(c.GeneratedAt)
	v.Crit, v.Warn, v.Info = c.Counts()
	v.Verdict = c.Verdict
	if v.Verdict == "" {
		v.Verdict = "incomplete"
	}
	v.Data = payload{T0: v.ax.t0.Unix(), T1: v.ax.t1.Unix(), TZ: z.name, Box: [4]int{plotL, plotT, plotW, plotH},
		Zones: z.spans(v.ax.t0, v.ax.t1)}

	for _, t := range tabOrder {
		tv := &tabV{ID: t.id, Name: tabLabel(p, t.id)}
		v.Tabs = append(v.Tabs, tv)
		v.Tab[t.id] = tv
	}
	for _, f := range c.Findings {
		fv := v.finding(f)
		v.Findings = append(v.Findings, fv)
		if tv := v.Tab[f.Section]; tv != nil && f.Section != SecSummary {
			tv.Findings = append(tv.Findings, fv)
			if cl := sevClass(f.Severity); cl == "crit" || (cl == "warn" && tv.Sev == "") {
				tv.Sev = cl
			}
		}
	}
	for _, g := range c.Gaps {
		g = LocalizeGap(p.Lang, g)
		sec := g.Section
		if !knownTab(sec) {
			sec = SecSummary
		}
		v.Tab[sec].Gaps = append(v.Tab[sec].Gaps, g)
		v.AllGaps = append(v.AllGaps, gapV{Gap: g, Tab: sec})
	}
	for _, s := range c.Sections {
		tab := s.ID
		if !knownTab(tab) {
			tab = ""
		}
		s.Name = sectionName(p, s.Name)
		if s.SummaryKey != "" && i18n.Has(s.SummaryKey) {
			args := make([]any, len(s.SummaryArgs))
			for i, a := range s.SummaryArgs {
				args[i] = a
			}
			s.Summary = p.T(s.SummaryKey, args...)
		}
		v.Sections = append(v.Sections, sectionV{Section: s, Class: sevClass(s.Status), Tab: tab})
	}
	for _, m := range c.Topology.Members {
		mv := memberV{Member: m, Writer: m.Role == "writer" || m.ID == c.Topology.Writer}
		if m.MemoryBytes > 0 {
			mv.Mem = fmtBytes(m.MemoryBytes)
		}
		v.Members = append(v.Members, mv)
	}

	v.xTicks, v.evMarks = v.ax.xTicks(z), v.eventMarks()
	for i, p := range c.Metrics {
		v.Metrics = append(v.Metrics, v.timeChart(fmt.Sprintf("m%d", i), v.metricTitle(p), p.Metric, p.Unit, p.Note, p.Series, SecMetrics, nil))
	}
	for i, p := range c.ClusterMetrics {
		v.Cluster = append(v.Cluster, v.timeChart(fmt.Sprintf("k%d", i), v.metricTitle(p), p.Metric, p.Unit, p.Note, p.Series, SecMetrics, nil))
	}
	for i, l := range c.DBLoad {
		lv := loadV{InstanceLoad: l, Avg: fmtNum(l.AvgLoad), Max: fmtNum(l.MaxLoad), MaxAt: z.tv(l.MaxAt),
			Hot: l.VCPU > 0 && l.MaxLoad > float64(l.VCPU)}
		if l.Enabled && len(l.Series) > 0 {
			s := loadSeries(l)
			var refs []float64
			if l.VCPU > 0 {
				refs = []float64{float64(l.VCPU)}
			}
			ch := v.timeChart(fmt.Sprintf("l%d", i), p.T("r.dbLoadTitle", l.Instance), "DBLoad", "sessions", "", []Series{s}, SecDBLoad, refs)
			lv.Chart = &ch
		}
		v.Loads = append(v.Loads, lv)
	}
	if len(c.SlowQueries.Hourly) > 0 {
		v.Hourly = v.hourly(c.SlowQueries.Hourly)
	}
	for _, a := range c.Alarms {
		if strings.EqualFold(a.State, "ALARM") {
			v.AlarmsOn++
		}
	}
	for _, a := range c.AlarmAdvice {
		if !a.Exists {
			v.Missing++
		}
	}
	v.counts()
	v.cards()
	return v
}

func (v *view) finding(f Finding) findingV {
	fv := findingV{Finding: f, Class: sevClass(f.Severity), Doc: isHTTPS(f.DocURL)}
	if knownTab(f.Section) && f.Section != SecSummary {
		fv.Tab = f.Section
	}
	if f.Start != nil {
		end := *f.Start
		if f.End != nil {
			end = *f.End
		}
		fv.When = v.z.span(*f.Start, end)
		fv.WhenUTC = spanUTC(*f.Start, end)
	}
	return fv
}

// counts fills the tab badges.
func (v *view) counts() {
	c := v.C
	set := func(id string, n int) {
		if n > 0 {
			v.Tab[id].Count = fmtInt(int64(n))
		}
	}
	set(SecTopology, len(c.Topology.Members))
	set(SecMetrics, len(c.Metrics)+len(c.ClusterMetrics))
	set(SecEvents, len(c.Events))
	set(SecMaintenance, len(c.Maintenance))
	set(SecSlowQueries, len(c.SlowQueries.Classes))
	set(SecLogs, len(c.ErrorLog.Patterns))
	set(SecDBLoad, len(c.DBLoad))
	set(SecRecommendations, len(c.Recommendations)+len(c.Alarms))
}

// cards are the Summary's key figures, each linking to its tab.
func (v *view) cards() {
	c := v.C
	readers := 0
	for _, m := range c.Topology.Members {
		if m.Role == "reader" {
			readers++
		}
	}
	L := v.L
	sub := L.T("card.writerReaders", readers)
	if c.Topology.Writer == "" {
		sub = L.T("card.readers", readers)
	}
	v.Cards = append(v.Cards, card{Label: L.T("card.instances"), Value: fmtInt(int64(len(c.Topology.Members))), Sub: sub, Href: SecTopology})
	if s, ok := peak(c.Metrics, "CPUUtilization", func(s Series) bool { return s.Role == "writer" }); ok {
		cl := ""
		if s.Max >= 90 {
			cl = "crit"
		} else if s.Max >= 75 {
			cl = "warn"
		}
		v.Cards = append(v.Cards, card{Label: L.T("card.peakCPU"), Value: fmtNum(s.Max) + "%", Sub: L.T("card.at", v.z.tv(s.MaxAt).Short), Class: cl, Href: SecMetrics})
	}
	if s, ok := peak(c.Metrics, "AuroraReplicaLag", func(s Series) bool { return true }); ok {
		lag := fmtNum(s.Max) + " ms"
		if s.Max >= 1000 {
			lag = fmtNum(s.Max/1000) + " s"
		}
		v.Cards = append(v.Cards, card{Label: L.T("card.maxLag"), Value: lag, Sub: s.Instance, Href: SecMetrics})
	}
	fo := 0
	for _, e := range c.Events {
		if strings.EqualFold(e.Category, "failover") {
			fo++
		}
	}
	esub := L.T("card.noneWindow")
	if len(c.Events) > 0 {
		esub = L.T("card.failovers", fo)
	}
	v.Cards = append(v.Cards, card{Label: L.T("card.events"), Value: fmtInt(int64(len(c.Events))), Sub: esub, Class: map[bool]string{true: "warn"}[fo > 0], Href: SecEvents})
	msub := L.T("card.nonePending")
	mcl := ""
	if len(c.Maintenance) > 0 {
		m := c.Maintenance[0]
		msub = m.Action
		if d := firstDate(m); d != nil {
			msub += " · " + v.z.tv(*d).Day
		}
		mcl = map[string]string{"crit": "crit", "warn": "warn"}[sevClass(m.Urgency)]
	}
	v.Cards = append(v.Cards, card{Label: L.T("card.maint"), Value: fmtInt(int64(len(c.Maintenance))), Sub: msub, Class: mcl, Href: SecMaintenance})
	sq := c.SlowQueries.Total
	v.Cards = append(v.Cards, card{Label: L.T("card.slow"), Value: fmtInt(sq.Count), Sub: L.T("card.total", fmtSecs(sq.TotalS)), Href: SecSlowQueries})
	var errs int64
	for _, p := range c.ErrorLog.Patterns {
		errs += p.Count
	}
	v.Cards = append(v.Cards, card{Label: L.T("card.errLines"), Value: fmtInt(errs), Sub: L.T("card.patterns", len(c.ErrorLog.Patterns)), Href: SecLogs})
	acl := ""
	if v.AlarmsOn > 0 {
		acl = "crit"
	}
	v.Cards = append(v.Cards, card{Label: L.T("card.alarms"), Value: fmtInt(int64(v.AlarmsOn)), Sub: L.T("card.alarmsSub", len(c.Alarms), v.Missing), Class: acl, Href: SecRecommendations})
}

func firstDate(m Maintenance) *time.Time {
	for _, t := range []*time.Time{m.CurrentApply, m.AutoAppliedAfter, m.ForcedApply} {
		if t != nil {
			return t
		}
	}
	return nil
}

// peak finds the series with the highest Max of one metric among those accepted.
func peak(panels []MetricPanel, metric string, ok func(Series) bool) (Series, bool) {
	var best Series
	found := false
	for _, p := range panels {
		if p.Metric != metric {
			continue
		}
		for _, s := range p.Series {
			if ok(s) && (len(s.Points) > 0 || s.Max != 0) && (!found || s.Max > best.Max) {
				best, found = s, true
			}
		}
	}
	return best, found
}

// loadSeries turns a DB load series into a chart series with its statistics.
func loadSeries(l InstanceLoad) Series {
	s := Series{Instance: l.Instance, Role: l.Role, Points: l.Series, Avg: l.AvgLoad, Max: l.MaxLoad, MaxAt: l.MaxAt}
	vs := make([]float64, 0, len(l.Series))
	for _, p := range l.Series {
		if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
			vs = append(vs, p.V)
		}
	}
	if len(vs) > 0 {
		slices.Sort(vs)
		s.Min = vs[0]
		s.P95 = vs[int(math.Ceil(0.95*float64(len(vs))))-1]
		s.Last = l.Series[len(l.Series)-1].V
		if s.Max == 0 {
			s.Max = vs[len(vs)-1]
		}
	}
	return s
}

// eventMarks are the events worth a line on every time chart: failovers, reboots, failures.
func (v *view) eventMarks() []mark {
	var ms []mark
	for _, e := range v.C.Events {
		cl := sevClass(e.Category)
		if cl != "crit" && cl != "warn" {
			continue
		}
		if e.Time.Before(v.ax.t0) || e.Time.After(v.ax.t1) {
			continue
		}
		ms = append(ms, mark{X: v.ax.x(e.Time), Class: "ev " + cl, Title: v.z.tv(e.Time).Local + " " + eventCategory(v.L, e.Category) + " · " + e.Source + ": " + e.Message})
		if len(ms) == 20 {
			break
		}
	}
	return ms
}

// timeChart draws one panel: one line per series over the window.
func (v *view) timeChart(id, title, metric, unit, note string, series []Series, section string, refs []float64) chartV {
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.Points {
			if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
				mn, mx = math.Min(mn, p.V), math.Max(mx, p.V)
			}
		}
	}
	empty := math.IsInf(mn, 1)
	if empty {
		mn, mx = 0, 1
	}
	u := scaleFor(unit, math.Max(math.Abs(mn), math.Abs(mx)))
	var rs []float64
	for _, r := range refs {
		rs = append(rs, r/u.div)
	}
	lo, hi, ts := valueRange(mn/u.div, mx/u.div, unit, rs...)
	yt, grid := yTicks(ts, lo, hi)
	if title == "" {
		title = metric
	}
	ch := chartV{ID: id, Title: title, Unit: u.label, Note: note, Grid: grid, YTicks: yt, XTicks: v.xTicks,
		Empty: empty, Section: section}
	for _, r := range refs {
		ch.Refs = append(ch.Refs, ref{Y: math.Round(yPos(r/u.div, lo, hi)*10) / 10, Label: "vCPU " + fmtNum(r)})
	}
	bucketS := v.ax.span / buckets
	js := chartJSON{ID: id, Suf: u.suf, Lo: lo, Hi: hi}
	var gap float64
	var desc strings.Builder
	ulabel := v.unitLabel(u.label)
	ch.Unit = ulabel
	desc.WriteString(v.L.T("r.chartDesc", title, ulabel, len(series), v.WinLocal))
	var top Series
	for i, s := range series {
		cls := fmt.Sprintf("s%d", i%7)
		if i >= 7 {
			cls += " d"
		}
		if s.Role == "writer" {
			cls += " w"
		}
		sv := seriesV{Idx: i, Class: cls, Name: s.Instance, Role: s.Role, Points: len(s.Points)}
		noStats := len(s.Points) == 0 && s.Min == 0 && s.Max == 0 && s.Avg == 0
		if noStats {
			sv.Min, sv.Avg, sv.P95, sv.Max, sv.Last, sv.MaxAt = "–", "–", "–", "–", "–", TimeV{Local: "–", Short: "–", Zero: true}
		} else {
			sv.Min, sv.Avg, sv.P95, sv.Max, sv.Last = u.value(s.Min), u.value(s.Avg), u.value(s.P95), u.value(s.Max), u.value(s.Last)
			sv.MaxAt = v.z.tv(s.MaxAt)
			if s.Max > top.Max || top.Instance == "" {
				top = s
			}
		}
		d := minmax(s.Points, v.ax, &v.scratch)
		sv.D = path(d, v.ax, lo*u.div, hi*u.div)
		name := s.Instance
		if s.Role != "" {
			name += " (" + v.L.TOr("role."+s.Role, s.Role) + ")"
		}
		sv.Tip = v.L.T("r.seriesTip", name, sv.Min, sv.Avg, sv.P95, sv.Max, sv.MaxAt.Short)
		ch.Series = append(ch.Series, sv)

		n := 0
		for _, run := range d.runs {
			n += len(run) + 1
		}
		sj := seriesJSON{T: make([]int64, 0, n), V: make([]float64, 0, n)}
		for r, run := range d.runs {
			if r > 0 { // a break: the script reads a cursor between runs as "no data"
				sj.T = append(sj.T, sj.T[len(sj.T)-1])
				sj.V = append(sj.V, math.NaN())
			}
			for _, p := range run {
				sj.T = append(sj.T, (p.T.UnixNano()-v.ax.n0)/1e9)
				sj.V = append(sj.V, p.V/u.div)
			}
		}
		js.S = append(js.S, sj)
		if d.gap < time.Duration(math.MaxInt64) {
			gap = math.Max(gap, d.gap.Seconds())
		}
	}
	if top.Instance != "" {
		desc.WriteString(v.L.T("r.chartHigh", u.value(top.Max), top.Instance, v.z.tv(top.MaxAt).Short))
	}
	ch.Desc = desc.String()
	js.Gap = int64(math.Ceil(math.Min(v.ax.span, math.Max(1.5*bucketS, gap))))
	v.Data.Charts = append(v.Data.Charts, js)

	// finding windows of this tab shaded; events drawn as lines
	for _, f := range v.C.Findings {
		if f.Start == nil || f.Section != section {
			continue
		}
		if !marksChart(f, metric, series) {
			continue
		}
		end := *f.Start
		if f.End != nil {
			end = *f.End
		}
		x0, x1 := v.ax.x(*f.Start), v.ax.x(end)
		ch.Marks = append(ch.Marks, mark{X: x0, W: math.Max(1, x1-x0), Class: "span " + sevClass(f.Severity), Title: f.Title + " · " + v.z.span(*f.Start, end)})
	}
	ch.Marks = append(ch.Marks, v.evMarks...)
	return ch
}

// marksChart says whether a finding's time window is shaded on a chart: on metric charts when the finding
// is about that metric (Finding.Metric, else the metric named in its text, else a keyword of its code or
// title), on a single-instance chart (database load) when it is about that instance.
func marksChart(f Finding, metric string, series []Series) bool {
	if f.Section == SecMetrics {
		if f.Metric != "" {
			return strings.HasPrefix(metric, f.Metric)
		}
		text := strings.ToLower(f.Title + " " + f.Evidence + " " + f.Code + " " + f.LikelyCause)
		if strings.Contains(text, strings.ToLower(metric)) {
			return true
		}
		words := strings.ToLower(f.Code + " " + f.Title)
		for _, k := range metricWords {
			if strings.Contains(words, k.word) && strings.Contains(metric, k.part) {
				return true
			}
		}
		return false
	}
	if f.Resource == "" {
		return true
	}
	for _, s := range series {
		if s.Instance == f.Resource {
			return true
		}
	}
	return false
}

// metricWords map words of a finding's code or title to the metrics they are about.
var metricWords = []struct{ word, part string }{
	{"cpu", "CPUUtilization"}, {"memory", "FreeableMemory"}, {"swap", "SwapUsage"}, {"lag", "ReplicaLag"},
	{"deadlock", "Deadlocks"}, {"connection", "DatabaseConnections"}, {"latency", "Latency"}, {"iops", "IOPS"},
	{"cache", "CacheHitRatio"}, {"storage", "VolumeBytesUsed"}, {"storage", "FreeLocalStorage"},
	{"capacity", "ServerlessDatabaseCapacity"}, {"acu", "ACUUtilization"},
}

// hourly draws the slow-query histogram: total query time per hour.
func (v *view) hourly(hs []HourBucket) *barChart {
	mx := 0.0
	for _, h := range hs {
		mx = math.Max(mx, h.TotalS)
	}
	lo, hi, ts := niceRange(0, math.Max(mx, 1e-9), 4)
	yt, grid := yTicks(ts, lo, hi)
	b := &barChart{Title: v.L.T("r.hourlyTitle"), Unit: "s", Grid: grid, YTicks: yt, XTicks: v.xTicks}
	b.Desc = v.L.T("r.hourlyDesc", v.WinLocal, fmtSecs(mx))
	for _, h := range hs {
		x0 := v.ax.x(h.Hour)
		x1 := v.ax.x(h.Hour.Add(time.Hour))
		if x1-x0 < 0.5 {
			continue
		}
		y := yPos(h.TotalS, lo, hi)
		r := func(f float64) float64 { return math.Round(f*10) / 10 }
		b.Bars = append(b.Bars, bar{X: r(x0 + 0.5), W: r(math.Max(0.5, x1-x0-1)), Y: r(y), H: r(plotT + plotH - y),
			Tip: v.L.T("r.hourlyTip", v.z.tv(h.Hour).Local, fmtInt(h.Count), fmtSecs(h.TotalS))})
	}
	return b
}

// metricTitle is a chart's title in the report's language: the catalogue's name of the metric, else the
// panel's own title.
func (v *view) metricTitle(p MetricPanel) string {
	if v.L.KO() {
		return v.L.TOr("metric."+p.Metric, p.Title)
	}
	return p.Title
}

// unitLabel translates the worded axis labels ("per second", "count", …); symbols stay.
func (v *view) unitLabel(label string) string {
	if !v.L.KO() {
		return label
	}
	switch label {
	case "per second":
		return v.L.T("unit.perSecond")
	case "count":
		return v.L.T("unit.count")
	case "avg. active sessions":
		return v.L.T("unit.aas")
	case "ratio":
		return v.L.T("unit.ratio")
	}
	return label
}

// localize returns a copy of c with finding titles and actions in lang (by finding code) and the topology
// settings' names and worded values; the rest of the check is data and stays as it is.
func localize(c *Check, lang string) *Check {
	cc := *c
	tr := func(fs []Finding) []Finding {
		out := make([]Finding, len(fs))
		for i, f := range fs {
			f.Title, f.Action = i18n.Finding(lang, f.Code, f.Title, f.Action)
			out[i] = f
		}
		return out
	}
	cc.Findings = tr(c.Findings)
	cc.Topology.Posture = tr(c.Topology.Posture)
	p := i18n.For(lang)
	cc.Topology.Settings = make([]Setting, len(c.Topology.Settings))
	for i, s := range c.Topology.Settings {
		cc.Topology.Settings[i] = localizeSetting(p, s)
	}
	return &cc
}

// koHeadline is the verdict and the most important finding, in the report's language.
func koHeadline(c *Check, p *i18n.P) string {
	verdict := sevWord(p, c.Verdict)
	if len(c.Findings) == 0 {
		return verdict + ": " + p.T("r.noFindings")
	}
	f := c.Findings[0]
	h := verdict + ": " + f.Title
	if f.Resource != "" {
		h += " (" + f.Resource + ")"
	}
	return h
}
