package delivery

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Row is one cluster's line in every message: its verdict and counts with the report link, or why it failed.
type Row struct {
	Cluster    string `json:"cluster"`
	Region     string `json:"region"`
	CheckID    string `json:"check_id,omitempty"`
	Verdict    string `json:"verdict,omitempty" jsonschema_description:"healthy, warning, critical or incomplete; empty when the cluster failed."`
	Critical   int    `json:"critical"`
	Warning    int    `json:"warning"`
	Info       int    `json:"info"`
	Gaps       int    `json:"gaps" jsonschema_description:"Sections of the check that could not get their data."`
	Headline   string `json:"headline,omitempty"`
	Top        []Top  `json:"top,omitempty" jsonschema_description:"The most severe findings (at most 3)."`
	ReportPath string `json:"report_path,omitempty" jsonschema_description:"The report file on the kida host."`
	Link       *Link  `json:"link,omitempty"`
	LinkNote   string `json:"link_note,omitempty" jsonschema_description:"Why there is no link (no bucket configured, dry run, upload failed)."`
	Error      string `json:"error,omitempty" jsonschema_description:"Why this cluster failed; set only on failed rows."`
	Stage      string `json:"stage,omitempty" jsonschema_description:"Where it failed: check, render, upload or presign."`

	heat []heatRow
}

// Top is one of a row's top findings.
type Top struct {
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Resource    string `json:"resource,omitempty"`
	LikelyCause string `json:"likely_cause,omitempty"`

	code string // the finding's code: its title is translated by code
}

// Line is the finding in one line: "Title (resource) — likely cause: …".
func (t Top) Line() string {
	s := t.Title
	if t.Resource != "" {
		s += " (" + t.Resource + ")"
	}
	if t.LikelyCause != "" {
		s += " — likely cause: " + t.LikelyCause
	}
	return oneLine(s)
}

// Failed reports whether the row is a failure.
func (r Row) Failed() bool { return r.Error != "" }

// RowFor summarises a check as a row (without a link).
func RowFor(c report.Check) Row {
	crit, warn, info := c.Counts()
	r := Row{Cluster: c.Cluster, Region: c.Region, CheckID: c.ID, Verdict: c.Verdict, Critical: crit, Warning: warn, Info: info,
		Gaps: len(c.Gaps), Headline: c.Headline, heat: heatStrip(c)}
	for _, f := range c.Findings {
		if len(r.Top) == 3 {
			break
		}
		r.Top = append(r.Top, Top{Severity: f.Severity, Title: f.Title, Resource: f.Resource, LikelyCause: f.LikelyCause, code: f.Code})
	}
	return r
}

// FailedRow is the row of a cluster that could not be checked or delivered.
func FailedRow(cluster, region, stage, reason string) Row {
	return Row{Cluster: cluster, Region: region, Stage: stage, Error: reason}
}

// Tally counts rows by outcome.
type Tally struct {
	Total, Critical, Warning, Healthy, Incomplete, Failed int
}

// Count tallies rows.
func Count(rows []Row) Tally {
	t := Tally{Total: len(rows)}
	for _, r := range rows {
		switch {
		case r.Failed():
			t.Failed++
		case r.Verdict == "critical":
			t.Critical++
		case r.Verdict == "warning":
			t.Warning++
		case r.Verdict == "healthy":
			t.Healthy++
		default:
			t.Incomplete++
		}
	}
	return t
}

// Worst is the worst outcome: CRITICAL, WARNING, INCOMPLETE, HEALTHY, or FAILED when every cluster failed.
func (t Tally) Worst() string {
	switch {
	case t.Total > 0 && t.Failed == t.Total:
		return "FAILED"
	case t.Critical > 0:
		return "CRITICAL"
	case t.Warning > 0:
		return "WARNING"
	case t.Incomplete > 0:
		return "INCOMPLETE"
	}
	return "HEALTHY"
}

// String is e.g. "3 clusters: 1 critical, 1 healthy, 1 failed".
func (t Tally) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(t.Critical, "critical")
	add(t.Warning, "warning")
	add(t.Incomplete, "incomplete")
	add(t.Healthy, "healthy")
	add(t.Failed, "failed")
	noun := "clusters"
	if t.Total == 1 {
		noun = "cluster"
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d %s", t.Total, noun)
	}
	return fmt.Sprintf("%d %s: %s", t.Total, noun, strings.Join(parts, ", "))
}

// SortRows orders rows: failed first, then by verdict (critical first), then by cluster.
func SortRows(rows []Row) {
	rank := func(r Row) int {
		switch {
		case r.Failed():
			return 0
		case r.Verdict == "critical":
			return 1
		case r.Verdict == "warning":
			return 2
		case r.Verdict == "incomplete":
			return 3
		}
		return 4
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rank(rows[i]) != rank(rows[j]) {
			return rank(rows[i]) < rank(rows[j])
		}
		if rows[i].Cluster != rows[j].Cluster {
			return rows[i].Cluster < rows[j].Cluster
		}
		return rows[i].Region < rows[j].Region
	})
}

// expiryNote is the one line about link lifetimes shown under every message: the shortest link's note.
func expiryNote(rows []Row) string {
	var best *Link
	for _, r := range rows {
		if r.Link != nil && (best == nil || r.Link.ExpiresAt.Before(best.ExpiresAt)) {
			best = r.Link
		}
	}
	if best == nil {
		return ""
	}
	return "Report links are " + best.Note + "."
}

// heatRow is one instance's hourly max-CPU strip for the email.
type heatRow struct {
	Instance string
	Cells    []heatCell
}

type heatCell struct {
	Color string
	Title string
}

// heatColor maps a CPU percentage to a fixed palette colour (grey when there is no data).
func heatColor(v float64, ok bool) string {
	switch {
	case !ok:
		return "#e2e8f0"
	case v >= 85:
		return "#c53030"
	case v >= 70:
		return "#dd6b20"
	case v >= 50:
		return "#d69e2e"
	}
	return "#38a169"
}

// heatStrip builds 24 cells per instance: the max CPUUtilization of each 24th of the window.
func heatStrip(c report.Check) []heatRow {
	var panel *report.MetricPanel
	for i := range c.Metrics {
		if c.Metrics[i].Metric == "CPUUtilization" {
			panel = &c.Metrics[i]
			break
		}
	}
	start, end := c.Window.Start, c.Window.End
	if panel == nil || !end.After(start) {
		return nil
	}
	loc, err := time.LoadLocation(c.Window.Timezone)
	if err != nil {
		loc = time.UTC
	}
	const n = 24
	step := end.Sub(start) / n
	var out []heatRow
	for _, s := range panel.Series {
		maxes := make([]float64, n)
		has := make([]bool, n)
		for _, p := range s.Points {
			if p.T.Before(start) || !p.T.Before(end) || math.IsNaN(p.V) {
				continue
			}
			i := min(int(p.T.Sub(start)/step), n-1)
			if !has[i] || p.V > maxes[i] {
				maxes[i], has[i] = p.V, true
			}
		}
		row := heatRow{Instance: s.Instance}
		for i := 0; i < n; i++ {
			t := start.Add(time.Duration(i) * step).In(loc).Format("15:04")
			title := t + " no data"
			if has[i] {
				title = fmt.Sprintf("%s max %s%%", t, tools.Num(maxes[i], 0))
			}
			row.Cells = append(row.Cells, heatCell{Color: heatColor(maxes[i], has[i]), Title: title})
		}
		out = append(out, row)
	}
	return out
}

// oneLine makes s safe for a single-line field: control characters and line breaks become spaces.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
