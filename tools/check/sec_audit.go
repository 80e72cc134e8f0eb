package check

import (
	"context"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools/audit"
	"github.com/kida-mcp/kida-mcp/tools/perf"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

func loadSection(ctx context.Context, s *state) (summary, error) {
	r, err := perf.Load(ctx, s.deps.Clients.PI(s.region), s.topo, s.win, perf.Options{Now: s.deps.Env.Clock(), IncludeSeries: true, MaxPoints: reportPoints})
	if err != nil {
		return summary{}, err
	}
	var out []report.InstanceLoad
	on := 0
	for _, m := range r.Members {
		il := report.InstanceLoad{Instance: m.Instance, Role: m.Role, VCPU: m.VCPU, AvgLoad: m.AvgLoad, MaxLoad: m.PeakLoad,
			MaxAt: parseT(m.PeakAt), Enabled: m.PIEnabled && m.HasData}
		if !m.PIEnabled {
			il.Note = "Performance Insights is off for this instance"
		} else if !m.HasData {
			il.Note = strings.Join(m.Hints, "; ")
		} else {
			on++
		}
		for _, b := range m.Breakdowns {
			if b.Dimension == "wait_event" {
				for _, k := range b.Keys {
					il.Waits = append(il.Waits, report.Share{Name: k.Name, Load: k.AvgLoad, Pct: k.SharePct})
				}
			}
		}
		for _, q := range m.TopSQL {
			il.TopSQL = append(il.TopSQL, report.Share{Name: q.Statement, Load: q.AvgLoad, Pct: q.SharePct})
		}
		if m.Series != nil {
			for i, ts := range m.Series.Times {
				if i < len(m.Series.Total) {
					il.Series = append(il.Series, report.Point{T: parseT(ts), V: m.Series.Total[i]})
				}
			}
		}
		out = append(out, il)
	}
	s.mu.Lock()
	s.c.DBLoad, s.raw.load = out, &r
	for _, p := range r.MissingPermissions {
		s.c.Gaps = append(s.c.Gaps, report.Gap{Section: report.SecDBLoad, What: "database load", Why: "AccessDenied on " + p, Fix: "grant " + p, Code: report.GapFixGrant})
	}
	s.mu.Unlock()
	if on == 0 {
		return summary{}, nil
	}
	return say("sum.load", on, r.PeriodS), nil
}

func trailSection(ctx context.Context, s *state) (summary, error) {
	r, err := audit.Trail(ctx, s.deps.Clients.CloudTrail(s.region), s.topo, s.win, audit.TrailOptions{Now: s.deps.Env.Clock(), MaxEvents: 50, Pacer: s.deps.Pacers.For(s.region)})
	if err != nil {
		return summary{}, err
	}
	var out []report.TrailEvent
	for _, e := range r.Events {
		out = append(out, report.TrailEvent{Time: parseT(e.Time), Name: e.EventName, User: e.Actor, SourceIP: e.SourceIP, Resource: strings.Join(e.Resources, ", ")})
	}
	s.mu.Lock()
	s.c.CloudTrail, s.raw.trail = out, &r
	for _, p := range r.MissingPermissions {
		s.c.Gaps = append(s.c.Gaps, report.Gap{Section: report.SecRecommendations, What: "cloudtrail", Why: "AccessDenied on " + p, Fix: "grant " + p, Code: report.GapFixGrant})
	}
	s.mu.Unlock()
	if len(out) == 0 {
		return summary{}, nil
	}
	return say("sum.trail", len(out)), nil
}

func healthSection(ctx context.Context, s *state) (summary, error) {
	topo := s.topo
	r, err := audit.Health(ctx, s.deps.Clients.Health(), s.region, &topo, s.win, audit.HealthOptions{Now: s.deps.Env.Clock()})
	if err != nil {
		return summary{}, err
	}
	var out []report.HealthEvent
	for _, e := range r.Events {
		out = append(out, report.HealthEvent{Start: parseT(e.Start), Type: e.TypeCode, Status: e.Status, Description: e.Description})
	}
	s.mu.Lock()
	s.c.Health, s.raw.health = out, &r
	if !r.Available {
		s.c.Gaps = append(s.c.Gaps, report.Gap{Section: report.SecRecommendations, What: "health", Why: strings.Join(r.Hints, "; "),
			Fix: "AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan and health:DescribeEvents", Code: report.GapFixHealth})
	}
	s.mu.Unlock()
	if len(out) == 0 {
		return summary{}, nil
	}
	return say("sum.health", len(out), r.OpenCount), nil
}

func recsSection(ctx context.Context, s *state) (summary, error) {
	r, err := audit.Recommendations(ctx, s.deps.Clients.RDS(s.region), s.topo)
	if err != nil {
		return summary{}, err
	}
	var out []report.Recommendation
	for _, rc := range r.Recommendations {
		action := rc.Recommendation
		out = append(out, report.Recommendation{Resource: rc.Resource, Severity: rc.Severity, Title: firstNonEmpty(rc.Description, rc.TypeID),
			Detail: rc.Reason, Action: action})
	}
	s.mu.Lock()
	s.c.Recommendations, s.raw.recs = out, &r
	for _, p := range r.MissingPermissions {
		s.c.Gaps = append(s.c.Gaps, report.Gap{Section: report.SecRecommendations, What: "recommendations", Why: "AccessDenied on " + p, Fix: "grant " + p, Code: report.GapFixGrant})
	}
	s.mu.Unlock()
	if len(out) == 0 {
		return summary{}, nil
	}
	return say("sum.recs", len(out)), nil
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
