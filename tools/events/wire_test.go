package events

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// moto emits db-instance events (creation, backups) stamped with its own clock and no db-cluster events, and
// ignores StartTime/EndTime; List must still send the explicit window and filter on its side.
func TestListOverMotoInstanceEvents(t *testing.T) {
	m := awstest.StartMoto(t)
	cfg := m.Config(t, "us-east-1")
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-events", Instances: 2})
	api := rds.NewFromConfig(cfg)
	ctx := context.Background()
	tp, err := cluster.Describe(ctx, api, "us-east-1", "wire-events")
	if err != nil {
		t.Fatal(err)
	}
	// moto dates events with the wall clock: the window is the only place the real time is used.
	wall := time.Now().UTC()
	res, err := List(ctx, api, tp, timewin.Window{Start: wall.Add(-time.Hour), End: wall.Add(time.Minute), Loc: time.UTC}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls != 4 || len(res.Sources) != 4 || res.Sources[0].Type != "db-cluster" || res.Sources[1].ID != ids[0] {
		t.Fatalf("calls %d sources %+v", res.Calls, res.Sources)
	}
	seen := map[string]bool{}
	for _, e := range res.Events {
		if e.SourceType != "db-instance" || (e.Source != ids[0] && e.Source != ids[1]) {
			t.Errorf("unexpected event %+v", e)
		}
		seen[e.Source] = true
	}
	if !seen[ids[0]] || !seen[ids[1]] {
		t.Fatalf("want events of both instances, got %+v", res.Events)
	}
	// a window in the past: moto ignores it, List does not
	old, err := List(ctx, api, tp, timewin.Window{Start: wall.Add(-48 * time.Hour), End: wall.Add(-24 * time.Hour), Loc: time.UTC}, Options{})
	if err != nil || len(old.Events) != 0 {
		t.Fatalf("past window: %d events, %v", len(old.Events), err)
	}
}

func formMatch(kv ...string) func(*http.Request, []byte) bool {
	return func(_ *http.Request, body []byte) bool {
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return false
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if f.Get(kv[i]) != kv[i+1] {
				return false
			}
		}
		return true
	}
}

// Cluster events (failovers) are db-cluster events, which moto lacks: recorded AWS responses, two pages.
func TestListOverRecordedClusterEvents(t *testing.T) {
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "DescribeEvents", File: "testdata/describe_events_cluster_page1.xml", Match: formMatch("SourceType", "db-cluster", "Marker", "")},
		awstest.Route{Op: "DescribeEvents", File: "testdata/describe_events_cluster_page2.xml", Match: formMatch("SourceType", "db-cluster", "Marker", "eyJNYXJrZXIiOiAiY2x1c3Rlci0yIn0=")},
		awstest.Route{Op: "DescribeEvents", File: "testdata/describe_events_instance.xml", Match: formMatch("SourceType", "db-instance", "SourceIdentifier", "prod-aurora-instance-1")},
		awstest.Route{Op: "DescribeEvents", File: "testdata/describe_events_empty.xml"},
	)
	api := rds.NewFromConfig(rp.Config(t, "us-east-1"))
	tp := cluster.Topology{Region: "us-east-1", ID: "prod-aurora", Kind: "aurora-cluster", Engine: "aurora-mysql",
		Members: []cluster.Member{{ID: "prod-aurora-instance-2", Role: cluster.RoleWriter}, {ID: "prod-aurora-instance-1", Role: cluster.RoleReader}}}
	w := timewin.Window{Start: now.Add(-24 * time.Hour), End: now, Loc: seoul}
	res, err := List(context.Background(), api, tp, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Group+"|"+e.TimeUTC+"|"+e.Message)
	}
	want := []string{
		"configuration_change|2026-11-22T02:15:44Z|Updated to use DBClusterParameterGroup prod-aurora-params",
		"failover|2026-11-21T23:41:38Z|Completed failover to DB instance: prod-aurora-instance-2",
		"reboot|2026-11-21T23:41:21Z|DB instance restarted",
		"failover|2026-11-21T23:41:07Z|Started cross AZ failover to DB instance: prod-aurora-instance-2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n%q\nwant\n%q", got, want)
	}
	if res.Events[3].TimeLocal != "2026-11-22T08:41:07+09:00" {
		t.Errorf("local %q", res.Events[3].TimeLocal)
	}
	reqs := rp.Requests("DescribeEvents")
	if len(reqs) != 5 { // cluster ×2 pages, two instances, cluster snapshots
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs {
		if r.Form.Get("StartTime") != "2026-11-21T09:00:00Z" || r.Form.Get("EndTime") != "2026-11-22T09:00:00Z" || r.Form.Get("Duration") != "" || r.Form.Get("MaxRecords") != "100" {
			t.Errorf("request %d: explicit window missing: %v", i, r.Form)
		}
	}
	if reqs[1].Form.Get("Marker") != "eyJNYXJrZXIiOiAiY2x1c3Rlci0yIn0=" || reqs[1].Form.Get("SourceIdentifier") != "prod-aurora" {
		t.Errorf("second page request: %v", reqs[1].Form)
	}
	if reqs[4].Form.Get("SourceType") != "db-cluster-snapshot" || reqs[4].Form.Get("SourceIdentifier") != "" {
		t.Errorf("snapshot request: %v", reqs[4].Form)
	}
	// categories become EventCategories.member.N
	rp2 := awstest.NewReplay(t, awstest.Route{Op: "DescribeEvents", File: "testdata/describe_events_empty.xml"})
	if _, err := List(context.Background(), rds.NewFromConfig(rp2.Config(t, "us-east-1")), tp, w, Options{Groups: []string{GroupFailover}}); err != nil {
		t.Fatal(err)
	}
	f := rp2.Requests("DescribeEvents")[0].Form
	if f.Get("EventCategories.EventCategory.1") != "failover" || f.Get("EventCategories.EventCategory.2") != "global failover" {
		var keys []string
		for k := range f {
			keys = append(keys, k+"="+f.Get(k))
		}
		t.Errorf("categories not sent: %s", strings.Join(keys, " "))
	}
}
