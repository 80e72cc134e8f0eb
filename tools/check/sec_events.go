package check

import (
	"context"
	"fmt"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/alarms"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/maintenance"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

func eventsSection(ctx context.Context, s *state) (summary, error) {
	r, err := events.List(ctx, s.deps.Clients.RDS(s.region), s.topo, s.win, events.Options{})
	if err != nil {
		return summary{}, err
	}
	out := make([]report.Event, 0, min(len(r.Events), maxReportEvents))
	for _, e := range r.Events { // newest first; the rules still see every event
		if len(out) == maxReportEvents {
			break
		}
		out = append(out, report.Event{Time: e.Time, Source: e.Source, SourceType: e.SourceType, Category: e.Group, Message: tools.Truncate(e.Message, maxEventMessage)})
	}
	s.mu.Lock()
	s.c.Events, s.raw.events = out, &r
	s.mu.Unlock()
	if len(out) == 0 {
		return summary{}, nil
	}
	if len(r.Events) > len(out) {
		sum := say("sum.events", len(r.Events))
		sum.text += fmt.Sprintf("; the newest %d are listed", len(out))
		return sum, nil
	}
	return say("sum.events", len(out)), nil
}

// The report lists at most maxReportEvents events (newest first), messages cut at maxEventMessage runes:
// an event storm must not make the report unbounded (1,000 events per source made it 10 MB).
const (
	maxReportEvents = 300
	maxEventMessage = 1000
)

func maintenanceSection(ctx context.Context, s *state) (summary, error) {
	r, err := maintenance.List(ctx, s.deps.Clients.RDS(s.region), s.topo, s.deps.Env.Clock(), s.win.Loc)
	if err != nil {
		return summary{}, err
	}
	out := make([]report.Maintenance, 0, len(r.Actions))
	for _, a := range r.Actions {
		out = append(out, report.Maintenance{Resource: a.Resource, Action: a.Action, Description: a.Description,
			AutoAppliedAfter: timePtr(a.AutoApplied), ForcedApply: timePtr(a.Forced), CurrentApply: timePtr(a.Current),
			OptIn: a.OptIn, Urgency: a.Urgency})
	}
	s.mu.Lock()
	s.c.Maintenance, s.raw.maint = out, &r
	s.mu.Unlock()
	if len(out) == 0 {
		return summary{}, nil
	}
	return say("sum.maintenance", len(out)), nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func alarmsSection(ctx context.Context, s *state) (summary, error) {
	api := s.deps.Clients.CloudWatch(s.region)
	inv, err := alarms.Fetch(ctx, api, s.region)
	if err != nil {
		return summary{}, err
	}
	lr, err := alarms.ListFrom(ctx, api, s.topo, s.win, inv)
	if err != nil {
		return summary{}, err
	}
	rec := alarms.RecommendFrom(s.topo, inv)
	var out []report.Alarm
	for _, a := range lr.Alarms {
		ra := report.Alarm{Name: a.Name, State: a.State, Metric: a.Metric, Reason: a.Reason, Updated: a.StateSince}
		for _, ch := range lr.Changes {
			if ch.Alarm == a.Name {
				ra.History = append(ra.History, report.AlarmChange{Time: ch.Time, Summary: ch.From + " → " + ch.To + ": " + ch.Reason})
			}
		}
		out = append(out, ra)
	}
	var advice []report.RecommendedAlarm
	for _, it := range rec.Items {
		advice = append(advice, report.RecommendedAlarm{Name: it.AlarmName, Metric: it.Metric + " (" + it.Series + ")",
			Threshold: it.Condition(),
			Exists:    it.Status != alarms.StatusMissing, Command: it.Command})
	}
	s.mu.Lock()
	s.c.Alarms, s.c.AlarmAdvice, s.raw.alarms, s.raw.advice = out, advice, &lr, &rec
	s.mu.Unlock()
	return say("sum.alarms", len(lr.Alarms), len(lr.Changes), rec.Missing, len(rec.Items)), nil
}
