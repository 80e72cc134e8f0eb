package check

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/errorlog"
	"github.com/kida-mcp/kida-mcp/tools/maintenance"
	"github.com/kida-mcp/kida-mcp/tools/metrics"
	"github.com/kida-mcp/kida-mcp/tools/perf"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Thresholds of the metric rules. Each rule is data (metric, role, thresholds) plus a small function.
var (
	cpuCritical       = 90.0 // % peak of a high-CPU episode → critical
	cpuWarning        = 80.0 // % p95 over the window → warning
	memWarningPct     = 10.0 // freeable memory below this % of the class memory → warning
	memCriticalPct    = 5.0
	cacheHitWarning   = 95.0    // % average buffer cache hit ratio below → warning
	lagWarningMs      = 1000.0  // replica lag peak → warning
	lagCriticalMs     = 10000.0 // → critical
	auroraVolumeLimit = 128.0 * (1 << 40)
	forecastWarnDays  = 30.0
)

const docMetrics = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html"

// deriveFindings runs the rules over the sections' results (posture findings were added by the topology
// section), then correlates metric episodes with slow-query surges, configuration changes and events.
func deriveFindings(s *state) []report.Finding {
	var fs []report.Finding
	r := s.raw
	if r.metrics != nil {
		fs = append(fs, metricFindings(s, r.metrics)...)
	}
	if r.events != nil {
		fs = append(fs, eventFindings(s)...)
	}
	if r.maint != nil {
		for _, f := range maintenance.Findings(*r.maint) {
			fs = append(fs, fromTools(f, report.SecMaintenance))
		}
	}
	if r.alarms != nil {
		fs = append(fs, alarmFindings(s)...)
	}
	if r.slow != nil {
		for _, f := range r.slow.Findings {
			if !hasCode(s.c.Findings, f.Code, f.Resource) { // posture already reported it
				fs = append(fs, fromTools(f, report.SecSlowQueries))
			}
		}
	}
	if r.errs != nil {
		for _, f := range errorlog.Findings(s.topo.ID, r.errs.Summary) {
			fs = append(fs, fromTools(f, report.SecLogs))
		}
	}
	if r.load != nil {
		for _, f := range perf.Findings(*r.load) {
			fs = append(fs, fromTools(f, report.SecDBLoad))
		}
	}
	if r.health != nil && r.health.AffectingCluster > 0 {
		fs = append(fs, report.Finding{Severity: tools.SeverityWarning, Code: "health_event", Resource: s.topo.ID, Section: report.SecRecommendations,
			Title: "AWS Health events affect this cluster", Evidence: fmt.Sprintf("%d event(s) name the cluster or its members; %d open in the region", r.health.AffectingCluster, r.health.OpenCount),
			Action: "Read the events in the Recommendations & alarms tab and plan for them."})
	}
	if r.recs != nil {
		for _, rc := range r.recs.Recommendations {
			sev := tools.SeverityInfo
			if rc.Severity == "high" {
				sev = tools.SeverityWarning
			}
			fs = append(fs, report.Finding{Severity: sev, Code: "rds_recommendation", Resource: rc.Resource, Section: report.SecRecommendations,
				Title: "RDS recommends: " + tools.Truncate(firstNonEmpty(rc.Description, rc.TypeID), 120), Evidence: tools.Truncate(rc.Reason, 300),
				Action: tools.Truncate(firstNonEmpty(rc.Recommendation, "See the RDS console recommendations."), 300)})
		}
	}
	fs = mergeAcrossFailover(s, fs)
	correlate(s, fs)
	return fs
}

// mergeAcrossFailover joins CPU storms on two instances that are separated by a failover into one finding
// about the writer role: the storm followed the writer from the old instance to the new one.
func mergeAcrossFailover(s *state, fs []report.Finding) []report.Finding {
	if s.raw.events == nil {
		return fs
	}
	var failovers []time.Time
	for _, e := range s.raw.events.Events {
		if e.Group == "failover" {
			failovers = append(failovers, e.Time)
		}
	}
	for _, fo := range failovers {
		before, after := -1, -1
		for i, f := range fs {
			if f.Code != "cpu_high" || f.Start == nil || f.End == nil {
				continue
			}
			if f.End.Before(fo.Add(time.Minute)) && fo.Sub(*f.End) <= 15*time.Minute {
				before = i
			}
			if !f.Start.Before(fo.Add(-time.Minute)) && f.Start.Sub(fo) <= 15*time.Minute {
				after = i
			}
		}
		if before < 0 || after < 0 || before == after || fs[before].Resource == fs[after].Resource {
			continue
		}
		a, b := fs[before], fs[after]
		dur := b.End.Sub(*a.Start) + time.Minute
		merged := a
		merged.Title = "CPU storm on the writer, across a failover"
		merged.Resource = b.Resource
		merged.End = b.End
		merged.Evidence = fmt.Sprintf("CPU ≥ %.0f%% for %d min on the writer of the moment, %s: %s (%s) until the failover at %s, then %s (%s)",
			cpuCritical, int(dur.Minutes()), s.span(*a.Start, *b.End), a.Resource, strings.TrimPrefix(a.Evidence, "CPU "), s.local(fo), b.Resource, strings.TrimPrefix(b.Evidence, "CPU "))
		out := make([]report.Finding, 0, len(fs)-1)
		for i, f := range fs {
			switch i {
			case before:
				out = append(out, merged)
			case after:
			default:
				out = append(out, f)
			}
		}
		fs = out
	}
	return fs
}

func hasCode(fs []report.Finding, code, resource string) bool {
	for _, f := range fs {
		if f.Code == code && f.Resource == resource {
			return true
		}
	}
	return false
}

func (s *state) local(t time.Time) string {
	return t.In(s.win.Loc).Format("01-02 15:04 MST")
}

func (s *state) span(a, b time.Time) string {
	return fmt.Sprintf("%s–%s (%s–%s UTC)", s.local(a), b.In(s.win.Loc).Format("15:04"), a.UTC().Format("15:04"), b.UTC().Format("15:04"))
}

func tp(t time.Time) *time.Time { return &t }

func metricFindings(s *state, r *metrics.Result) []report.Finding {
	var fs []report.Finding
	for _, m := range r.Members {
		for _, st := range m.Metrics {
			switch st.CloudWatchMetric {
			case "CPUUtilization":
				fs = append(fs, cpuRule(s, m, st)...)
			case "FreeableMemory":
				if st.MemoryPct != nil && st.MemoryPct.Min < memWarningPct {
					sev := tools.SeverityWarning
					if st.MemoryPct.Min < memCriticalPct {
						sev = tools.SeverityCritical
					}
					fs = append(fs, report.Finding{Severity: sev, Code: "memory_pressure", Metric: "FreeableMemory", Resource: m.ID, Section: report.SecMetrics,
						Title: "Memory pressure", Evidence: fmt.Sprintf("freeable memory fell to %s (%.1f%% of %s) at %s", tools.Bytes(st.Min), st.MemoryPct.Min, tools.Bytes(float64(m.MemoryBytes)), s.local(st.MinAt)),
						Action: "Find what allocates (connections, large sorts, temp tables); consider a larger class.", DocURL: docMetrics, Start: tp(st.MinAt)})
				}
			case "SwapUsage":
				if st.Trend.ChangePct != nil && *st.Trend.ChangePct > 50 && st.Trend.Significant && st.Max > 256<<20 {
					fs = append(fs, report.Finding{Severity: tools.SeverityInfo, Code: "swap_growth", Metric: "SwapUsage", Resource: m.ID, Section: report.SecMetrics,
						Title: "Swap usage is growing", Evidence: fmt.Sprintf("swap %s at the end, +%.0f%% over the window", tools.Bytes(st.Last), *st.Trend.ChangePct),
						Action: "Check memory pressure on this instance."})
				}
			case "BufferCacheHitRatio":
				if st.Points > 0 && st.Avg < cacheHitWarning {
					fs = append(fs, report.Finding{Severity: tools.SeverityWarning, Code: "low_cache_hit", Metric: "BufferCacheHitRatio", Resource: m.ID, Section: report.SecMetrics,
						Title: "Low buffer cache hit ratio", Evidence: fmt.Sprintf("average %.1f%%, minimum %.1f%% at %s", st.Avg, st.Min, s.local(st.MinAt)),
						Action: "The working set does not fit in memory: look at full scans in get_slow_queries or a larger class."})
				}
			case "Deadlocks":
				if st.Max > 0 {
					fs = append(fs, report.Finding{Severity: tools.SeverityInfo, Code: "deadlocks", Metric: "Deadlocks", Resource: m.ID, Section: report.SecMetrics,
						Title: "Deadlocks occurred", Evidence: fmt.Sprintf("up to %.2f/s at %s", st.Max, s.local(st.MaxAt)),
						Action: "See get_error_log_summary for the deadlock details; order row access consistently."})
				}
			case "AuroraReplicaLag", "ReplicaLag":
				if st.Max >= lagWarningMs {
					sev := tools.SeverityWarning
					if st.Max >= lagCriticalMs {
						sev = tools.SeverityCritical
					}
					f := report.Finding{Severity: sev, Code: "replica_lag", Metric: st.CloudWatchMetric, Resource: m.ID, Section: report.SecMetrics,
						Title: "Replica lag", Evidence: fmt.Sprintf("lag peaked at %s ms at %s (p95 %s ms)", tools.Num(st.Max, 0), s.local(st.MaxAt), tools.Num(st.P95, 0)),
						Action: "Readers serve stale data while lagging; check write bursts on the writer and the reader's load.", DocURL: docMetrics, Start: tp(st.MaxAt)}
					if a := topAnomaly(st, "high"); a != nil {
						f.Evidence = fmt.Sprintf("lag peaked at %s ms at %s, elevated %s", tools.Num(st.Max, 0), s.local(a.PeakAt), s.span(a.Start, a.End))
						f.Start, f.End = tp(a.Start), tp(a.End)
					}
					fs = append(fs, f)
				}
			}
		}
	}
	for _, st := range r.Cluster {
		if st.CloudWatchMetric == "VolumeBytesUsed" {
			if f, ok := storageForecast(s, st); ok {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// cpuRule reports high-CPU episodes (critical) or a sustained high p95 (warning), by role.
func cpuRule(s *state, m metrics.MemberMetrics, st metrics.SeriesStats) []report.Finding {
	var fs []report.Finding
	for _, a := range st.Anomalies {
		if a.Direction != "high" || a.Peak < cpuCritical {
			continue
		}
		dur := a.End.Sub(a.Start) + time.Minute
		fs = append(fs, report.Finding{Severity: tools.SeverityCritical, Code: "cpu_high", Metric: "CPUUtilization", Resource: m.ID, Section: report.SecMetrics,
			Title:    fmt.Sprintf("CPU storm on the %s", roleName(m.Role)),
			Evidence: fmt.Sprintf("CPU up to %.0f%% (baseline %.0f%%) for %d min, %s", a.Peak, a.Baseline, int(dur.Minutes()), s.span(a.Start, a.End)),
			Action:   "Find the statements that ran then (slow queries, top SQL) and tune or throttle them; scale up if load is legitimate.",
			DocURL:   docMetrics, Start: tp(a.Start), End: tp(a.End)})
	}
	if len(fs) == 0 && st.P95 >= cpuWarning {
		fs = append(fs, report.Finding{Severity: tools.SeverityWarning, Code: "cpu_sustained", Metric: "CPUUtilization", Resource: m.ID, Section: report.SecMetrics,
			Title: fmt.Sprintf("Sustained high CPU on the %s", roleName(m.Role)), Evidence: fmt.Sprintf("p95 %.0f%%, max %.0f%% at %s", st.P95, st.Max, s.local(st.MaxAt)),
			Action: "Look at get_db_load's top SQL; consider a larger class or more readers.", DocURL: docMetrics})
	}
	return fs
}

func roleName(role string) string {
	if role == "" {
		return "instance"
	}
	return role
}

func topAnomaly(st metrics.SeriesStats, dir string) *metrics.Anomaly {
	var best *metrics.Anomaly
	for i := range st.Anomalies {
		a := &st.Anomalies[i]
		if a.Direction == dir && (best == nil || a.Score > best.Score) {
			best = a
		}
	}
	return best
}

// storageForecast projects VolumeBytesUsed growth to the Aurora volume limit.
func storageForecast(s *state, st metrics.SeriesStats) (report.Finding, bool) {
	perDay := st.Trend.SlopePerHour * 24
	if st.Points < 2 || perDay <= 0 {
		return report.Finding{}, false
	}
	days := (auroraVolumeLimit - st.Last) / perDay
	sev := tools.SeverityInfo
	if days < forecastWarnDays {
		sev = tools.SeverityWarning
	}
	return report.Finding{Severity: sev, Code: "storage_growth", Metric: "VolumeBytesUsed", Resource: s.topo.ID, Section: report.SecMetrics,
		Title: "Storage growth forecast", Evidence: fmt.Sprintf("volume %s, growing %s/day → the 128 TiB limit in %s days", tools.Bytes(st.Last), tools.Bytes(perDay), tools.Num(math.Min(days, 1e6), 0)),
		Action: "Plan retention/archiving; watch AuroraVolumeBytesLeftTotal.", DocURL: docMetrics}, true
}

func eventFindings(s *state) []report.Finding {
	var fs []report.Finding
	seen := map[string]bool{}
	for _, e := range s.raw.events.Events {
		var sev, code, title, action string
		switch e.Group {
		case "failover":
			sev, code, title, action = tools.SeverityWarning, "failover", "Failover", "Confirm the application reconnected; look for the cause (CPU storm, crash, maintenance) around this time."
		case "failure":
			sev, code, title, action = tools.SeverityCritical, "failure_event", "Failure event", "Read the event and the error log around it."
		case "reboot":
			sev, code, title, action = tools.SeverityInfo, "reboot", "Reboot", "Check whether the reboot was planned (CloudTrail shows who asked for it)."
		case "low_storage":
			sev, code, title, action = tools.SeverityCritical, "low_storage", "Low storage", "Free or add storage now."
		default:
			continue
		}
		key := code + e.Source + e.Time.Truncate(10*time.Minute).String()
		if seen[key] {
			continue
		}
		seen[key] = true
		fs = append(fs, report.Finding{Severity: sev, Code: code, Resource: e.Source, Section: report.SecEvents, Title: title,
			Evidence: fmt.Sprintf("%s: %s", s.local(e.Time), tools.Truncate(e.Message, 200)), Action: action, Start: tp(e.Time)})
	}
	return fs
}

func alarmFindings(s *state) []report.Finding {
	var fs []report.Finding
	lr := s.raw.alarms
	fired := map[string][]time.Time{}
	for _, ch := range lr.Changes {
		if ch.To == "ALARM" {
			fired[ch.Alarm] = append(fired[ch.Alarm], ch.Time)
		}
	}
	for _, a := range lr.Alarms {
		switch {
		case a.State == "ALARM":
			fs = append(fs, report.Finding{Severity: tools.SeverityWarning, Code: "alarm_firing", Resource: s.topo.ID, Section: report.SecRecommendations,
				Title: "Alarm in ALARM: " + a.Name, Evidence: fmt.Sprintf("%s since %s: %s", a.Metric, s.local(a.StateSince), tools.Truncate(a.Reason, 200)),
				Action: "Act on the alarm's condition; see the Metrics tab.", Start: tp(a.StateSince)})
		case len(fired[a.Name]) > 0:
			t := fired[a.Name][len(fired[a.Name])-1]
			fs = append(fs, report.Finding{Severity: tools.SeverityWarning, Code: "alarm_fired", Resource: s.topo.ID, Section: report.SecRecommendations,
				Title: "Alarm went to ALARM in the window: " + a.Name, Evidence: fmt.Sprintf("%s entered ALARM %d time(s), first at %s; now %s", firstNonEmpty(a.Metric, "composite alarm"), len(fired[a.Name]), s.local(t), a.State),
				Action: "Check the period it covers in the Metrics tab.", Start: tp(t)})
		}
	}
	if adv := s.raw.advice; adv != nil && adv.Missing > 0 {
		var names []string
		for _, it := range adv.Items {
			if it.Status == "missing" && len(names) < 6 {
				names = append(names, it.AlarmName)
			}
		}
		fs = append(fs, report.Finding{Severity: tools.SeverityInfo, Code: "alarms_missing", Resource: s.topo.ID, Section: report.SecRecommendations,
			Title: fmt.Sprintf("%d recommended alarms are missing", adv.Missing), Evidence: strings.Join(names, ", "),
			Action: "recommend_alarms gives ready-to-run CLI commands and CloudFormation for them.",
			DocURL: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#RDS"})
	}
	return fs
}

// correlate attaches the likely cause to metric findings that have a time range: the slow-query class
// that ran most during the range, then configuration changes (CloudTrail) shortly before it and events
// inside it. The cause is stated first; the other overlaps are added to the evidence.
func correlate(s *state, fs []report.Finding) {
	for i := range fs {
		f := &fs[i]
		if f.Start == nil || f.End == nil || (f.Code != "cpu_high" && f.Code != "replica_lag") {
			continue
		}
		start, end := *f.Start, *f.End
		var causes, context []string
		if sq := s.raw.slow; sq != nil {
			type cand struct {
				id, fp string
				total  float64
				pct    float64
				count  int64
			}
			var cs []cand
			for _, c := range sq.Digest.Top {
				fst, lst := parseT(c.FirstSeen), parseT(c.LastSeen)
				if fst.IsZero() || lst.Before(start.Add(-10*time.Minute)) || fst.After(end.Add(10*time.Minute)) {
					continue
				}
				cs = append(cs, cand{c.ID, c.Fingerprint, c.TotalS, c.PctOfTotal, c.Count})
			}
			sort.SliceStable(cs, func(a, b int) bool { return cs[a].total > cs[b].total })
			if len(cs) > 0 && cs[0].pct >= 20 {
				c := cs[0]
				causes = append(causes, fmt.Sprintf("slow-query class %s (%s) — %d executions, %.0f s, %.0f%% of all slow-query time, during the same window",
					c.id, tools.Truncate(c.fp, 90), c.count, c.total, c.pct))
			}
		}
		if ld := s.raw.load; ld != nil {
			for _, m := range ld.Members {
				if m.Instance == f.Resource && len(m.TopSQLAtPeak) > 0 && len(causes) == 0 {
					q := m.TopSQLAtPeak[0]
					causes = append(causes, fmt.Sprintf("top SQL at the load peak: %s (%.0f%% of load)", tools.Truncate(q.Statement, 90), q.SharePct))
				}
			}
		}
		if tr := s.raw.trail; tr != nil {
			for _, e := range tr.Events {
				t := parseT(e.Time)
				if !t.Before(start.Add(-2*time.Hour)) && !t.After(end) && !e.ReadOnly {
					context = append(context, fmt.Sprintf("%s by %s at %s", e.EventName, e.Actor, s.local(t)))
				}
			}
		}
		if ev := s.raw.events; ev != nil {
			for _, e := range ev.Events {
				if !e.Time.Before(start) && !e.Time.After(end.Add(10*time.Minute)) && (e.Group == "failover" || e.Group == "reboot" || e.Group == "failure") {
					context = append(context, fmt.Sprintf("%s %s at %s", e.Group, e.Source, s.local(e.Time)))
				}
			}
		}
		if len(causes) > 0 {
			f.LikelyCause = causes[0]
		}
		if len(context) > 0 {
			if len(context) > 4 {
				context = context[:4]
			}
			f.Evidence += "; overlapping: " + strings.Join(dedupe(context), "; ")
		}
	}
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
