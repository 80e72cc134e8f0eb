package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// fakeArchive serves fixed events and records the queries.
type fakeArchive struct {
	evs     []rdstypes.Event
	err     error
	queries []ArchiveQuery
}

func (f *fakeArchive) ReadEvents(_ context.Context, q ArchiveQuery) (ArchiveResult, error) {
	f.queries = append(f.queries, q)
	return ArchiveResult{Events: f.evs, Calls: 3}, f.err
}

func (f *fakeArchive) Location() string { return "s3://b/events/" }

func TestListMergedSplitsTheWindowAndDeduplicates(t *testing.T) {
	cutoff := now.Add(-Retention)
	boundary := ev(cutoff, rdstypes.SourceTypeDbCluster, "c1", "Completed failover to DB instance: c1-a", "failover")
	recent := ev(now.Add(-time.Hour), rdstypes.SourceTypeDbInstance, "c1-b", "DB instance restarted", "availability")
	api := &fakeEvents{pages: map[string][][]rdstypes.Event{
		"db-cluster/c1":          {{boundary}},
		"db-instance/c1-b":       {{recent}},
		"db-cluster-snapshot/":   {{}},
		"db-instance/c1-a":       {{}},
		"db-cluster-snapshot/c1": {{}},
	}}
	arch := &fakeArchive{evs: []rdstypes.Event{
		boundary, // archived and still in the API: once, as api
		ev(cutoff.Add(-5*24*time.Hour), rdstypes.SourceTypeDbClusterSnapshot, "rds:c1-2026-11-03-18-04", "Automated cluster snapshot created", "backup"),
		ev(cutoff.Add(-6*24*time.Hour), rdstypes.SourceTypeDbInstance, "c1-a", "DB instance restarted", "availability"),
		ev(cutoff.Add(-6*24*time.Hour), rdstypes.SourceTypeDbInstance, "c1-a", "DB instance restarted", "availability"), // twice in the archive
		ev(cutoff.Add(-6*24*time.Hour), rdstypes.SourceTypeDbInstance, "c2-a", "DB instance restarted", "availability"), // another cluster
		ev(cutoff.Add(-40*24*time.Hour), rdstypes.SourceTypeDbCluster, "c1", "outside the window", "notification"),
	}}
	w := timewin.Window{Start: now.Add(-30 * 24 * time.Hour), End: now, Loc: seoul}
	res, parts, err := ListMerged(context.Background(), api, arch, topo(), w, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range api.sent {
		if !in.StartTime.Equal(cutoff) || !in.EndTime.Equal(now) {
			t.Errorf("API window %v → %v, want from the cutoff %v", in.StartTime, in.EndTime, cutoff)
		}
	}
	q := arch.queries[0]
	if !q.Start.Equal(w.Start) || !q.End.Equal(cutoff) || q.Region != "us-east-1" || strings.Join(q.IDs, ",") != "c1,c1-a,c1-b" || q.Mentioning != "c1" {
		t.Errorf("archive query %+v", q)
	}
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Origin+" "+e.Source+" "+e.Message)
	}
	want := []string{"api c1-b DB instance restarted", "api c1 Completed failover to DB instance: c1-a",
		"archive rds:c1-2026-11-03-18-04 Automated cluster snapshot created", "archive c1-a DB instance restarted"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
	if len(parts) != 2 || parts[0].Origin != OriginArchive || parts[0].Events != 2 || parts[0].EndUTC != cutoff.Format(time.RFC3339) ||
		parts[1].Origin != OriginAPI || parts[1].Events != 2 || parts[1].StartUTC != cutoff.Format(time.RFC3339) {
		t.Errorf("parts %+v", parts)
	}
	if res.Calls != len(api.sent)+3 || len(res.Counts) != 3 {
		t.Errorf("calls %d counts %+v", res.Calls, res.Counts)
	}
	// a category filter applies to archived events too
	res, _, _ = ListMerged(context.Background(), &fakeEvents{}, arch, topo(), w, now, Options{Groups: []string{GroupReboot}})
	for _, e := range res.Events {
		if e.Group != GroupReboot {
			t.Errorf("filtered out group %s came back", e.Group)
		}
	}
	// an archive failure is a part with an error and a hint
	arch.err = errors.New("boom")
	res, parts, err = ListMerged(context.Background(), &fakeEvents{}, arch, topo(), w, now, Options{})
	if err != nil || parts[0].Error == "" || !strings.Contains(strings.Join(res.Hints, " "), "could not be read") {
		t.Errorf("archive failure: %v %+v %v", err, parts, res.Hints)
	}
	// a window entirely inside the API's retention never reads the archive
	arch.queries = nil
	_, parts, _ = ListMerged(context.Background(), &fakeEvents{}, arch, topo(), window(), now, Options{})
	if len(arch.queries) != 0 || len(parts) != 1 || parts[0].Origin != OriginAPI {
		t.Errorf("recent window: queries %d parts %+v", len(arch.queries), parts)
	}
}

func TestToolWithArchiveReachesPastRetention(t *testing.T) {
	arch := &fakeArchive{evs: []rdstypes.Event{
		ev(now.Add(-20*24*time.Hour), rdstypes.SourceTypeDbCluster, "orders-prod", "Completed failover to DB instance: orders-prod-2", "failover"),
	}}
	f := newDemo()
	s := sessionWith(t, f, arch)
	res := s.Call("get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "30d"})
	var out Output
	decode(t, res, &out)
	if out.Window.Clamped || len(out.Parts) != 2 || out.Parts[0].Events != 1 || out.Events[len(out.Events)-1].Origin != OriginArchive {
		t.Fatalf("window %+v parts %+v", out.Window, out.Parts)
	}
	if !strings.Contains(text(res), "[archive] Completed failover to DB instance: orders-prod-2") {
		t.Errorf("text:\n%s", text(res))
	}
	// without an archive the same call is clamped to 14 days, as before
	var plain Output
	decode(t, sessionWith(t, f, nil).Call("get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "30d"}), &plain)
	if !plain.Window.Clamped || plain.Parts != nil {
		t.Errorf("no archive: %+v %+v", plain.Window, plain.Parts)
	}
}

func newDemo() *demo.Fleet { return demo.New(now) }

func sessionWith(t *testing.T, f *demo.Fleet, arch Archive) *testkit.Session {
	return testkit.Client(t, Tools(f, tools.Env{Now: func() time.Time { return f.Now }}, arch))
}

func decode(t *testing.T, res *mcp.CallToolResult, out any) { testkit.Decode(t, res, out) }

func text(res *mcp.CallToolResult) string { return testkit.Text(res) }
