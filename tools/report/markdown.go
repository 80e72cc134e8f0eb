package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Markdown renders the check as GitHub-flavoured Markdown in the HTML report's tab order: the verdict and
// findings first, then one section per tab with its gaps. Untrusted text (SQL, log lines, event messages) is
// written as code spans or with Markdown and HTML syntax escaped, so a renderer shows it as text.
func Markdown(w io.Writer, c Check) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	m := &mdw{w: bw, z: loadZone(c.Window.Timezone, c.Window.Start)}
	m.render(&c)
	if m.err != nil {
		return fmt.Errorf("render Markdown report: %w", m.err)
	}
	return bw.Flush()
}

type mdw struct {
	w   *bufio.Writer
	z   zone
	err error
}

func (m *mdw) p(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

func (m *mdw) line(s string) { m.p("%s\n", s) }

// t is a local time followed by nothing else; the header says which zone.
func (m *mdw) t(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return m.z.tv(t).Local
}

func (m *mdw) tp(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return m.t(*t)
}

// table writes a GFM table; cells must already be escaped (md, codeCell).
func (m *mdw) table(head []string, rows [][]string) {
	seps := make([]string, len(head))
	names := make([]string, len(head))
	for i, h := range head {
		seps[i] = "---"
		if strings.HasSuffix(h, " ") { // a trailing space marks a numeric column
			seps[i] = "---:"
		}
		names[i] = strings.TrimSpace(h)
	}
	m.line("| " + strings.Join(names, " | ") + " |")
	m.line("| " + strings.Join(seps, " | ") + " |")
	for _, r := range rows {
		m.line("| " + strings.Join(r, " | ") + " |")
	}
	m.line("")
}

// para writes s as a paragraph: the line and a blank line.
func (m *mdw) para(s string) {
	m.line(s)
	m.line("")
}

// section starts a tab's section: its heading and the gaps filed under it.
func (m *mdw) section(c *Check, sec string) {
	m.para("## " + tabName(sec))
	m.gaps(c.Gaps, sec)
}

// tableOr writes the table, or the paragraph empty when there are no rows.
func (m *mdw) tableOr(empty string, head []string, rows [][]string) {
	if len(rows) == 0 {
		m.para(empty)
		return
	}
	m.table(head, rows)
}

func (m *mdw) gaps(gs []Gap, sec string) {
	for _, g := range gs {
		if g.Section == sec || (sec == SecSummary && !knownTab(g.Section)) {
			s := "> **Missing data:** " + md(g.What) + " — " + md(g.Why)
			if g.Fix != "" {
				s += " Fix: " + md(g.Fix)
			}
			m.para(s)
		}
	}
}

func (m *mdw) render(c *Check) {
	crit, warn, info := c.Counts()
	verdict := c.Verdict
	if verdict == "" {
		verdict = "incomplete"
	}
	m.p("# %s — health check: %s\n\n", md(c.Cluster), strings.ToUpper(md(verdict)))
	if c.Headline != "" {
		m.p("%s\n\n", md(c.Headline))
	}
	m.p("- Cluster: %s · %s %s · %s · %s\n", code(c.Cluster), md(c.Engine), md(c.EngineVersion), md(c.Region), md(c.Kind))
	m.p("- Window: %s (%s); times below are in %s\n", md(m.z.span(c.Window.Start, c.Window.End)), md(spanUTC(c.Window.Start, c.Window.End)), md(m.z.label))
	if m.z.note != "" {
		m.p("- Note: %s\n", md(m.z.note))
	}
	m.p("- Findings: %d critical · %d warning · %d info · %s\n", crit, warn, info, plural(len(c.Gaps), "data gap"))
	gen := m.z.tv(c.GeneratedAt)
	m.p("- Generated: %s (%s)", gen.Local, gen.UTC)
	if c.ID != "" {
		m.p(" · check %s", code(c.ID))
	}
	m.p("\n\n")

	m.para("## Findings")
	if len(c.Findings) == 0 {
		m.para("No findings: nothing in this window needs attention.")
	}
	for i, f := range c.Findings {
		m.finding(i+1, f)
	}
	if len(c.Gaps) > 0 {
		m.para("## Missing data")
		for _, g := range c.Gaps {
			s := "- **" + md(tabName(g.Section)) + "** — " + md(g.What) + ": " + md(g.Why)
			if g.Fix != "" {
				s += " Fix: " + md(g.Fix)
			}
			m.line(s)
		}
		m.line("")
	}
	if len(c.Sections) > 0 {
		m.para("## Sections")
		var rows [][]string
		for _, s := range c.Sections {
			rows = append(rows, []string{md(s.Name), md(tabName(s.ID)), md(s.Status), md(s.Summary), fmt.Sprintf("%d ms", s.DurationMs)})
		}
		m.table([]string{"Section", "Tab", "Status", "Summary", "Took "}, rows)
	}

	m.topology(c)
	m.metrics(c)
	m.events(c)
	m.maintenance(c)
	m.slow(c)
	m.logs(c)
	m.load(c)
	m.recommendations(c)
}

func (m *mdw) finding(n int, f Finding) {
	head := fmt.Sprintf("%d. **%s** %s", n, strings.ToUpper(md(sevLabel(f.Severity))), md(f.Title))
	var meta []string
	if f.Start != nil {
		end := *f.Start
		if f.End != nil {
			end = *f.End
		}
		meta = append(meta, md(m.z.span(*f.Start, end)))
	}
	if f.Resource != "" {
		meta = append(meta, code(f.Resource))
	}
	if knownTab(f.Section) && f.Section != SecSummary {
		meta = append(meta, "tab: "+md(tabName(f.Section)))
	}
	if len(meta) > 0 {
		head += " — " + strings.Join(meta, " · ")
	}
	m.line(head)
	if f.LikelyCause != "" {
		m.line("   - Likely cause: " + md(f.LikelyCause))
	}
	if f.Evidence != "" {
		m.line("   - Evidence: " + md(f.Evidence))
	}
	if f.Action != "" {
		m.line("   - Action: " + md(f.Action))
	}
	if f.DocURL != "" {
		if isHTTPS(f.DocURL) {
			m.line("   - Docs: <" + f.DocURL + ">")
		} else {
			m.line("   - Docs: " + code(f.DocURL))
		}
	}
	m.line("")
}

func (m *mdw) topology(c *Check) {
	m.section(c, SecTopology)
	if len(c.Topology.Members) == 0 {
		m.para("No members could be read.")
	} else {
		var rows [][]string
		for _, x := range c.Topology.Members {
			mem, vcpu := "–", "–"
			if x.MemoryBytes > 0 {
				mem = fmtBytes(x.MemoryBytes)
			}
			if x.VCPU > 0 {
				vcpu = fmt.Sprint(x.VCPU)
			}
			pi := "on"
			if !x.PIEnabled {
				pi = "**off**"
			}
			rows = append(rows, []string{codeCell(x.ID), md(x.Role), md(x.Class), md(x.AZ), md(x.Status), vcpu, mem, pi})
		}
		m.table([]string{"Instance", "Role", "Class", "AZ", "Status", "vCPU ", "Memory ", "PI"}, rows)
	}
	if len(c.Topology.Settings) > 0 {
		var rows [][]string
		for _, s := range c.Topology.Settings {
			mark := "✓"
			if !s.OK {
				mark = "⚠"
			}
			rows = append(rows, []string{mark, md(s.Name), md(s.Value), md(s.Note)})
		}
		m.table([]string{"", "Setting", "Value", "Note"}, rows)
	}
	for i, f := range c.Topology.Posture {
		m.finding(i+1, f)
	}
}

func (m *mdw) metrics(c *Check) {
	m.section(c, SecMetrics)
	if len(c.Metrics) == 0 && len(c.ClusterMetrics) == 0 {
		m.para("No metrics in window.")
		return
	}
	for _, list := range [][]MetricPanel{c.Metrics, c.ClusterMetrics} {
		for _, p := range list {
			mx := 0.0
			for _, s := range p.Series {
				mx = math.Max(mx, math.Max(math.Abs(s.Max), math.Abs(s.Min)))
			}
			u := scaleFor(p.Unit, mx)
			title := p.Title
			if title == "" {
				title = p.Metric
			}
			m.p("### %s (%s)\n\n", md(title), md(u.label))
			if p.Note != "" {
				m.p("%s\n\n", md(p.Note))
			}
			var rows [][]string
			for _, s := range p.Series {
				if len(s.Points) == 0 && s.Min == 0 && s.Max == 0 && s.Avg == 0 {
					rows = append(rows, []string{codeCell(s.Instance), md(s.Role), "no data", "", "", "", "", ""})
					continue
				}
				rows = append(rows, []string{codeCell(s.Instance), md(s.Role), u.value(s.Min), u.value(s.Avg), u.value(s.P95),
					u.value(s.Max), m.t(s.MaxAt), u.value(s.Last)})
			}
			m.table([]string{"Instance", "Role", "Min ", "Avg ", "p95 ", "Max ", "Max at", "Last "}, rows)
		}
	}
}

func (m *mdw) events(c *Check) {
	m.section(c, SecEvents)
	var rows [][]string
	for _, e := range c.Events {
		rows = append(rows, []string{m.t(e.Time), codeCell(e.Source), md(e.Category), codeCell(e.Message)})
	}
	m.tableOr("No events in window.", []string{"Time", "Source", "Category", "Message"}, rows)
	m.para("### Changes (CloudTrail)")
	rows = nil
	for _, e := range c.CloudTrail {
		rows = append(rows, []string{m.t(e.Time), codeCell(e.Name), codeCell(e.Resource), codeCell(e.User), codeCell(e.SourceIP)})
	}
	m.tableOr("No configuration changes in window.", []string{"Time", "Call", "Resource", "Who", "Source IP"}, rows)
	m.para("### AWS Health")
	rows = nil
	for _, h := range c.Health {
		rows = append(rows, []string{m.t(h.Start), codeCell(h.Type), md(h.Status), md(h.Description)})
	}
	m.tableOr("No AWS Health events in window.", []string{"Start", "Type", "Status", "Description"}, rows)
}

func (m *mdw) maintenance(c *Check) {
	m.section(c, SecMaintenance)
	var rows [][]string
	for _, x := range c.Maintenance {
		rows = append(rows, []string{md(sevLabel(x.Urgency)), codeCell(x.Resource), md(x.Action), md(x.Description),
			m.tp(x.CurrentApply), m.tp(x.AutoAppliedAfter), m.tp(x.ForcedApply), md(x.OptIn)})
	}
	m.tableOr("No pending maintenance.", []string{"Urgency", "Resource", "Action", "Description", "Applies", "Auto-applied after", "Forced", "Opt-in"}, rows)
}

func (m *mdw) slow(c *Check) {
	q := c.SlowQueries
	m.section(c, SecSlowQueries)
	if q.Source != "" || q.Coverage != "" {
		m.p("Source: %s · %s\n\n", md(q.Source), md(q.Coverage))
	}
	if len(q.Classes) == 0 {
		m.para("No slow queries in window.")
	} else {
		m.p("%s slow queries, %s in total.", fmtInt(q.Total.Count), fmtSecs(q.Total.TotalS))
		var busiest HourBucket
		for _, h := range q.Hourly {
			if h.TotalS > busiest.TotalS {
				busiest = h
			}
		}
		if busiest.Count > 0 {
			m.p(" Busiest hour: %s (%s queries, %s).", m.t(busiest.Hour), fmtInt(busiest.Count), fmtSecs(busiest.TotalS))
		}
		m.p("\n\n")
		var rows [][]string
		for i, x := range q.Classes {
			rows = append(rows, []string{fmt.Sprint(i + 1), codeCell(x.ID), fmtInt(x.Count), fmtSecs(x.TotalS), fmtPct(x.SharePct),
				fmtSecs(x.AvgS), fmtSecs(x.P95S), fmtSecs(x.MaxS), fmtInt(x.RowsExamined), codeCell(strings.Join(x.Instances, ", ")), codeCell(x.Fingerprint)})
		}
		m.table([]string{"# ", "Class", "Count ", "Total ", "Share ", "Avg ", "p95 ", "Max ", "Rows examined ", "Instances", "Fingerprint"}, rows)
	}
	for _, h := range q.Hints {
		m.line("- " + md(h))
	}
	if len(q.Hints) > 0 {
		m.line("")
	}
}

func (m *mdw) logs(c *Check) {
	l := c.ErrorLog
	m.section(c, SecLogs)
	if l.Source != "" {
		m.p("Source: %s\n\n", md(l.Source))
	}
	var rows [][]string
	for _, p := range l.Patterns {
		rows = append(rows, []string{md(p.Class), fmtInt(p.Count), m.t(p.FirstSeen), m.t(p.LastSeen), codeCell(strings.Join(p.Instances, ", ")), codeCell(p.Pattern)})
	}
	m.tableOr("No error-log messages in window.", []string{"Class", "Count ", "First seen", "Last seen", "Instances", "Pattern"}, rows)
	for _, h := range l.Hints {
		m.line("- " + md(h))
	}
	if len(l.Hints) > 0 {
		m.line("")
	}
}

func (m *mdw) load(c *Check) {
	m.section(c, SecDBLoad)
	if len(c.DBLoad) == 0 {
		m.para("No database load data in window.")
		return
	}
	var rows [][]string
	for _, l := range c.DBLoad {
		if !l.Enabled {
			rows = append(rows, []string{codeCell(l.Instance), md(l.Role), vcpuStr(l.VCPU), "PI off", "", "", "", md(l.Note)})
			continue
		}
		wait, sql := "–", "–"
		if len(l.Waits) > 0 {
			wait = codeCell(l.Waits[0].Name) + " " + fmtPct(l.Waits[0].Pct)
		}
		if len(l.TopSQL) > 0 {
			sql = codeCell(l.TopSQL[0].Name) + " " + fmtPct(l.TopSQL[0].Pct)
		}
		rows = append(rows, []string{codeCell(l.Instance), md(l.Role), vcpuStr(l.VCPU), fmtNum(l.AvgLoad), fmtNum(l.MaxLoad), m.t(l.MaxAt), wait, sql})
	}
	m.table([]string{"Instance", "Role", "vCPU ", "Avg AAS ", "Max AAS ", "Max at", "Top wait", "Top SQL"}, rows)
}

func vcpuStr(n int) string {
	if n <= 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

func (m *mdw) recommendations(c *Check) {
	m.section(c, SecRecommendations)
	m.para("### Alarms")
	var rows [][]string
	for _, a := range c.Alarms {
		rows = append(rows, []string{md(a.State), codeCell(a.Name), md(a.Metric), md(a.Reason), m.t(a.Updated), fmt.Sprint(len(a.History))})
	}
	m.tableOr("No alarms on this cluster or its members.", []string{"State", "Alarm", "Metric", "Reason", "Updated", "Changes "}, rows)
	m.para("### Recommended alarms")
	if len(c.AlarmAdvice) == 0 {
		m.para("No alarm recommendations.")
	} else {
		var rows [][]string
		for _, a := range c.AlarmAdvice {
			st := "exists"
			if !a.Exists {
				st = "**missing**"
			}
			rows = append(rows, []string{st, md(a.Name), md(a.Metric), md(a.Threshold)})
		}
		m.table([]string{"Status", "Alarm", "Metric", "Threshold"}, rows)
		for _, a := range c.AlarmAdvice {
			if !a.Exists && a.Command != "" {
				m.p("%s:\n\n%s\n\n", md(a.Name), fence(a.Command, "sh"))
			}
		}
	}
	m.para("### Recommendations")
	if len(c.Recommendations) == 0 {
		m.para("No recommendations for this cluster.")
		return
	}
	for _, r := range c.Recommendations {
		s := "- **" + strings.ToUpper(md(sevLabel(r.Severity))) + "** " + md(r.Title)
		if r.Resource != "" {
			s += " (" + code(r.Resource) + ")"
		}
		if r.Detail != "" {
			s += ": " + md(r.Detail)
		}
		if r.Action != "" {
			s += " Action: " + md(r.Action)
		}
		m.line(s)
	}
	m.line("")
}

// ---- escaping ----

// flat collapses every kind of line break and run of whitespace (including U+2028/U+2029) to one space.
func flat(s string) string {
	if !strings.ContainsAny(s, "\r\n\t\u2028\u2029\v\f\u0085") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\r', '\n', '\t', '\v', '\f', '\u2028', '\u2029', '\u0085':
			return true
		}
		return false
	}), " ")
}

// md escapes text for Markdown inline context (paragraphs, list items, table cells): Markdown syntax and
// raw HTML are backslash-escaped so they show literally.
func md(s string) string {
	s = flat(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '|', '#', '~':
			b.WriteByte('\\')
		case '&': // only where it could start an entity reference
			if i+1 < len(rs) && (rs[i+1] == '#' || isWordRune(rs[i+1])) {
				b.WriteByte('\\')
			}
		case '_':
			// intraword underscores never emphasize; escape only at word edges
			prevW := i > 0 && isWordRune(rs[i-1])
			nextW := i+1 < len(rs) && isWordRune(rs[i+1])
			if !prevW || !nextW {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
}

// code writes s as a code span (literal in every Markdown renderer), with a fence longer than any run of
// backticks inside.
func code(s string) string {
	s = flat(s)
	if s == "" {
		return ""
	}
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return f + s + f
}

// codeCell is code for a table cell: GFM splits cells on | even inside code spans unless it is escaped.
func codeCell(s string) string { return strings.ReplaceAll(code(s), "|", `\|`) }

// fence writes a fenced code block longer than any backtick run inside s.
func fence(s, lang string) string {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + lang + "\n" + strings.ReplaceAll(strings.ReplaceAll(s, "\u2028", "\n"), "\u2029", "\n") + "\n" + f
}

// plural is "1 data gap", "2 data gaps".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
