package perf

import (
	"fmt"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
)

// Findings turns a Result into prioritized findings for the health check: database load above the vCPU
// count (sessions queueing for CPU or I/O), with the dominant waits and statement as evidence.
func Findings(r Result) []tools.Finding {
	out := []tools.Finding{}
	for _, m := range r.Members {
		if !m.HasData || m.VCPU <= 0 || m.PeakLoad <= float64(m.VCPU) {
			continue
		}
		f := tools.Finding{Severity: tools.SeverityWarning, Code: "db_load_above_vcpu", Resource: m.Instance,
			Title: fmt.Sprintf("Database load peaked at %s AAS on %d vCPUs", tools.Num(m.PeakLoad, 1), m.VCPU),
			Action: "Find what drove the peak: the top statement below (get_slow_queries for its plan and rows examined), " +
				"then tune or move it (e.g. to a reader); if the load is legitimate, scale the instance class up.",
			DocURL: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.Overview.ActiveSessions.html",
		}
		if m.AvgLoad > float64(m.VCPU) || m.PeakLoad >= 2*float64(m.VCPU) {
			f.Severity = tools.SeverityCritical
		}
		ev := []string{fmt.Sprintf("peak %s AAS (%s× vCPU) at %s, average %s AAS", tools.Num(m.PeakLoad, 1), tools.Num(m.PeakPerVCPU, 1),
			shortTime(m.PeakAt), tools.Num(m.AvgLoad, 2))}
		if len(m.WaitsAtPeak) > 0 {
			var ws []string
			for i, k := range m.WaitsAtPeak {
				if i == 3 {
					break
				}
				ws = append(ws, fmt.Sprintf("%s %s%%", k.Name, tools.Num(k.SharePct, 0)))
			}
			ev = append(ev, "waits at peak: "+strings.Join(ws, ", "))
		}
		switch {
		case len(m.TopSQLAtPeak) > 0:
			s := m.TopSQLAtPeak[0]
			ev = append(ev, fmt.Sprintf("top SQL at peak (%s%% of it, %s AAS): %s", tools.Num(s.SharePct, 0), tools.Num(s.AvgLoad, 1), tools.Truncate(s.Statement, 120)))
		case len(m.TopSQL) > 0:
			s := m.TopSQL[0]
			ev = append(ev, fmt.Sprintf("top SQL over the window (%s%% of load): %s", tools.Num(s.SharePct, 0), tools.Truncate(s.Statement, 120)))
		}
		f.Evidence = strings.Join(ev, "; ")
		out = append(out, f)
	}
	tools.SortFindings(out)
	return out
}

func shortTime(rfc string) string {
	t, err := time.Parse(time.RFC3339, rfc)
	if err != nil {
		return rfc
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}
