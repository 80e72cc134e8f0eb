package events

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Archive keeps RDS events for longer than DescribeEvents does: the S3 event archive that `kida-mcp relay`
// writes (tools/relay). get_rds_events reads it for the part of a window older than Retention.
type Archive interface {
	// ReadEvents returns the archived RDS events of q, in any order.
	ReadEvents(ctx context.Context, q ArchiveQuery) (ArchiveResult, error)
	// Location names the archive in answers, e.g. s3://bucket/events/.
	Location() string
}

// ArchiveQuery selects archived events.
type ArchiveQuery struct {
	Region     string
	Start, End time.Time // inclusive
	// IDs are exact source identifiers (the cluster and its members); Mentioning also selects sources whose
	// identifier contains it (the cluster's snapshots, "rds:<cluster>-<date>").
	IDs        []string
	Mentioning string
}

// ArchiveResult is what an archive read returned.
type ArchiveResult struct {
	Events    []rdstypes.Event
	Calls     int
	Truncated bool
	Hints     []string
}

// Origins of events.
const (
	OriginAPI     = "api"
	OriginArchive = "archive"
)

// Part is the span of a window one origin answered for.
type Part struct {
	Origin   string `json:"origin" jsonschema:"enum=api,enum=archive" jsonschema_description:"api: RDS DescribeEvents (14 days); archive: the relay's S3 event archive."`
	StartUTC string `json:"start_utc"`
	EndUTC   string `json:"end_utc"`
	Events   int    `json:"events" jsonschema_description:"Events from this origin after filters and de-duplication."`
	Location string `json:"location,omitempty" jsonschema_description:"Where the archive is (s3://bucket/prefix)."`
	Error    string `json:"error,omitempty" jsonschema_description:"Why this part could not be read; its events are missing."`
}

// ArchiveMaxAge is how far back get_rds_events reaches when an archive is configured.
const ArchiveMaxAge = 455 * 24 * time.Hour

// ListMerged is List over a window that may reach past Retention: the part of w older than now-Retention
// comes from the archive, the rest from DescribeEvents (List). Events are de-duplicated across the two
// (an event at the boundary, or archived and still in the API, counts once, as api) and labelled with
// their origin. A failed archive read is a Part with Error and a hint, not a failure: the API part stands.
func ListMerged(ctx context.Context, api API, arch Archive, t cluster.Topology, w timewin.Window, now time.Time, opt Options) (Result, []Part, error) {
	cutoff := now.Add(-Retention)
	var parts []Part
	var res Result
	if w.End.After(cutoff) || w.End.Equal(cutoff) {
		aw := w
		if aw.Start.Before(cutoff) {
			aw.Start = cutoff
		}
		r, err := List(ctx, api, t, aw, opt)
		if err != nil {
			return Result{}, nil, err
		}
		res = r
		for i := range res.Events {
			res.Events[i].Origin = OriginAPI
		}
		parts = append(parts, Part{Origin: OriginAPI, StartUTC: utc(aw.Start), EndUTC: utc(aw.End), Events: len(res.Events)})
	} else {
		res.Sources = []Source{} // DescribeEvents was not called
	}
	if !w.Start.Before(cutoff) {
		return res, parts, nil
	}
	end := w.End
	if end.After(cutoff) {
		end = cutoff // inclusive: an event exactly at the cutoff is read from both and kept once
	}
	p := Part{Origin: OriginArchive, StartUTC: utc(w.Start), EndUTC: utc(end), Location: arch.Location()}
	ids := []string{}
	if t.Kind != "instance" {
		ids = append(ids, t.ID)
	}
	for _, m := range t.Members {
		ids = append(ids, m.ID)
	}
	ar, err := arch.ReadEvents(ctx, ArchiveQuery{Region: t.Region, Start: w.Start, End: end, IDs: ids, Mentioning: t.ID})
	res.Calls += ar.Calls
	if err != nil {
		msg := tools.Classify(awsclient.In(t.Region, arch.Location(), err), awsclient.Classify).Error()
		p.Error = msg
		res.Hints = append(res.Hints, "the event archive could not be read, so events before "+utc(cutoff)+" are missing: "+msg)
		return res, append([]Part{p}, parts...), nil
	}
	seen := map[string]bool{}
	for _, e := range res.Events {
		seen[eventKey(e)] = true
	}
	aw := timewin.Window{Start: w.Start, End: end, Loc: w.Loc}
	snap := len(opt.Groups) == 0 || slices.Contains(opt.Groups, GroupBackup)
	if opt.Snapshots != nil {
		snap = *opt.Snapshots
	}
	for _, e := range ar.Events {
		ev, ok := convert(e, aw)
		if !ok || !archivedOf(t, ev, snap) {
			continue
		}
		if len(opt.Groups) > 0 && !slices.Contains(opt.Groups, ev.Group) {
			continue
		}
		k := eventKey(ev)
		if seen[k] {
			continue
		}
		seen[k] = true
		ev.Origin = OriginArchive
		res.Events = append(res.Events, ev)
		p.Events++
	}
	if ar.Truncated {
		res.Truncated = true
	}
	res.Hints = append(res.Hints, ar.Hints...)
	sortEvents(res.Events)
	res.Counts = counts(res.Events)
	return res, append([]Part{p}, parts...), nil
}

// archivedOf keeps archived events of the cluster, its members and (with snap) its snapshots.
func archivedOf(t cluster.Topology, e Event, snap bool) bool {
	switch e.SourceType {
	case string(rdstypes.SourceTypeDbCluster):
		return t.Kind != "instance" && e.Source == t.ID
	case string(rdstypes.SourceTypeDbInstance):
		return slices.ContainsFunc(t.Members, func(m cluster.Member) bool { return m.ID == e.Source })
	case string(rdstypes.SourceTypeDbClusterSnapshot), string(rdstypes.SourceTypeDbSnapshot):
		return snap && snapshotOf(t, e)
	}
	return false
}

// eventKey is the identity List de-duplicates on.
func eventKey(e Event) string {
	return e.TimeUTC + "\x00" + e.SourceType + "\x00" + e.Source + "\x00" + e.Message
}

func sortEvents(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Message < b.Message
	})
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// partsText is one line per part for the text mirror.
func partsText(parts []Part) string {
	var s string
	for _, p := range parts {
		from := "RDS API (DescribeEvents, 14 days)"
		if p.Origin == OriginArchive {
			from = "event archive " + p.Location
		}
		line := fmt.Sprintf("- %s → %s from %s: %d events", p.StartUTC, p.EndUTC, from, p.Events)
		if p.Error != "" {
			line += " — NOT READ: " + tools.Cell(p.Error)
		}
		s += line + "\n"
	}
	return s
}

// originMark prefixes archived events in the text tables.
func originMark(e Event) string {
	if e.Origin == OriginArchive {
		return "[archive] "
	}
	return ""
}

// withArchive says in the description that older events come from the archive when one is configured.
func withArchive(s tools.Spec, arch Archive) tools.Spec {
	if arch != nil {
		s.Description += " With the event archive configured, windows may reach back further: the part older than 14 days comes from the archive (parts and each event's origin say which)."
	}
	return s
}
