package check

import (
	"context"
	"fmt"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/errorlog"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// rdsLogs is what the log families need from RDS (topology calls and log-file fallback).
func slowSection(ctx context.Context, s *state) (summary, error) {
	r, err := slowlog.Collect(ctx, s.deps.Clients.Logs(s.region), s.deps.Clients.RDS(s.region), s.topo, s.win,
		slowlog.Request{TopN: 10, Budget: 30 * time.Second, Probe: true})
	if err != nil {
		return summary{}, err
	}
	sq := report.SlowQueries{Source: sourceText(r.Coverage), Coverage: coverageText(r.Coverage), Hints: r.Hints,
		Total: report.QueryTotals{Count: r.Digest.Entries, TotalS: r.Digest.TotalQueryTimeS}}
	for _, c := range r.Digest.Top {
		sq.Classes = append(sq.Classes, report.QueryClass{ID: c.ID, Fingerprint: c.Fingerprint, Example: c.Example, Count: c.Count,
			TotalS: c.TotalS, SharePct: c.PctOfTotal, AvgS: c.AvgMS / 1000, P95S: c.P95MS / 1000, MaxS: c.MaxMS / 1000, LockS: c.LockTotalS,
			RowsSent: c.RowsSent, RowsExamined: c.RowsExamined, FirstSeen: parseT(c.FirstSeen), LastSeen: parseT(c.LastSeen), Instances: c.Instances})
	}
	for _, h := range r.Digest.Hourly {
		sq.Hourly = append(sq.Hourly, report.HourBucket{Hour: parseT(h.Hour), Count: h.Count, TotalS: h.QueryTimeS})
	}
	s.mu.Lock()
	s.c.SlowQueries, s.raw.slow = sq, &r
	s.mu.Unlock()
	if r.Digest.Entries == 0 {
		return summary{}, nil
	}
	return say("sum.slow", r.Digest.Entries, r.Digest.Classes, tools.Num(r.Digest.TotalQueryTimeS, 0)), nil
}

func errorLogSection(ctx context.Context, s *state) (summary, error) {
	r, err := errorlog.Collect(ctx, s.deps.Clients.Logs(s.region), s.deps.Clients.RDS(s.region), s.topo, s.win,
		errorlog.Request{TopN: 20, Budget: 30 * time.Second, Probe: true})
	if err != nil {
		return summary{}, err
	}
	el := report.ErrorLog{Source: sourceText(r.Coverage), Hints: r.Hints}
	for _, p := range r.Summary.Patterns {
		el.Patterns = append(el.Patterns, report.ErrorPattern{Pattern: p.Pattern, Class: p.Class, Count: p.Count,
			FirstSeen: parseT(p.FirstSeen), LastSeen: parseT(p.LastSeen), Example: p.Example, Instances: p.Instances})
	}
	s.mu.Lock()
	s.c.ErrorLog, s.raw.errs = el, &r
	s.mu.Unlock()
	if r.Summary.Lines == 0 {
		return summary{}, nil
	}
	return say("sum.errors", r.Summary.Lines, r.Summary.Distinct), nil
}

func sourceText(c slowlog.Coverage) string {
	switch c.Source {
	case "cloudwatch_logs":
		return "CloudWatch Logs " + c.LogGroup
	case "log_files":
		return "instance log files (DownloadDBLogFilePortion)"
	}
	return "none"
}

func coverageText(c slowlog.Coverage) string {
	s := fmt.Sprintf("%d events read in %d call(s)", c.EventsRead, c.Calls)
	if !c.Complete {
		s += "; partial: " + c.Reason
	}
	return s
}

// parseT parses RFC 3339 (zero time when empty or malformed).
func parseT(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
