package events

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var (
	now   = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	seoul = mustLoc("Asia/Seoul")
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// fakeEvents serves pages per source ("<type>/<id>", id empty for all-of-type) and records every input.
type fakeEvents struct {
	pages map[string][][]rdstypes.Event
	err   error
	sent  []rds.DescribeEventsInput
}

func (f *fakeEvents) DescribeEvents(_ context.Context, in *rds.DescribeEventsInput, _ ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	f.sent = append(f.sent, *in)
	if f.err != nil {
		return nil, f.err
	}
	pages := f.pages[string(in.SourceType)+"/"+aws.ToString(in.SourceIdentifier)]
	i := 0
	if in.Marker != nil {
		i = int((*in.Marker)[1] - '0')
	}
	out := &rds.DescribeEventsOutput{}
	if i < len(pages) {
		out.Events = pages[i]
	}
	if i+1 < len(pages) {
		out.Marker = aws.String("p" + string(rune('0'+i+1)))
	}
	return out, nil
}

func ev(at time.Time, typ rdstypes.SourceType, id, msg string, cats ...string) rdstypes.Event {
	return rdstypes.Event{Date: aws.Time(at), SourceType: typ, SourceIdentifier: aws.String(id), Message: aws.String(msg), EventCategories: cats}
}

func topo() cluster.Topology {
	return cluster.Topology{
		Region: "us-east-1", ID: "c1", Kind: "aurora-cluster", Engine: "aurora-mysql", Writer: "c1-a", Readers: []string{"c1-b"},
		Members: []cluster.Member{{ID: "c1-a", Role: cluster.RoleWriter}, {ID: "c1-b", Role: cluster.RoleReader}},
	}
}

func window() timewin.Window {
	return timewin.Window{Start: now.Add(-24 * time.Hour), End: now, Loc: seoul}
}

func TestListSendsExplicitWindowPerSource(t *testing.T) {
	f := &fakeEvents{}
	w := window()
	if _, err := List(context.Background(), f, topo(), w, Options{}); err != nil {
		t.Fatal(err)
	}
	base := rds.DescribeEventsInput{StartTime: aws.Time(w.Start), EndTime: aws.Time(w.End), MaxRecords: aws.Int32(100)}
	want := []rds.DescribeEventsInput{base, base, base, base}
	want[0].SourceType, want[0].SourceIdentifier = rdstypes.SourceTypeDbCluster, aws.String("c1")
	want[1].SourceType, want[1].SourceIdentifier = rdstypes.SourceTypeDbInstance, aws.String("c1-a")
	want[2].SourceType, want[2].SourceIdentifier = rdstypes.SourceTypeDbInstance, aws.String("c1-b")
	want[3].SourceType = rdstypes.SourceTypeDbClusterSnapshot
	if !reflect.DeepEqual(f.sent, want) {
		t.Fatalf("inputs sent:\n%+v\nwant:\n%+v", f.sent, want)
	}
	for _, in := range f.sent {
		if in.Duration != nil || in.StartTime == nil || in.EndTime == nil {
			t.Errorf("every request needs an explicit StartTime/EndTime and no Duration: %+v", in)
		}
	}
}

func TestListGroupsFilterAndSources(t *testing.T) {
	cases := []struct {
		name      string
		kind      string
		groups    []string
		wantCats  []string
		wantTypes []rdstypes.SourceType
	}{
		{"all", "aurora-cluster", nil, nil, []rdstypes.SourceType{"db-cluster", "db-instance", "db-instance", "db-cluster-snapshot"}},
		{"failover only", "aurora-cluster", []string{GroupFailover}, []string{"failover", "global failover"}, []rdstypes.SourceType{"db-cluster", "db-instance", "db-instance"}},
		{"backup and failure", "aurora-cluster", []string{GroupFailure, GroupBackup}, []string{"backtrack", "backup", "failure", "recovery", "restoration"},
			[]rdstypes.SourceType{"db-cluster", "db-instance", "db-instance", "db-cluster-snapshot"}},
		{"reboot also matches messages", "aurora-cluster", []string{GroupReboot}, nil, []rdstypes.SourceType{"db-cluster", "db-instance", "db-instance"}},
		{"other needs everything", "aurora-cluster", []string{GroupFailover, GroupOther}, nil, []rdstypes.SourceType{"db-cluster", "db-instance", "db-instance"}},
		{"standalone instance", "instance", nil, nil, []rdstypes.SourceType{"db-instance", "db-instance", "db-snapshot"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeEvents{}
			tp := topo()
			tp.Kind = c.kind
			if _, err := List(context.Background(), f, tp, window(), Options{Groups: c.groups}); err != nil {
				t.Fatal(err)
			}
			var types []rdstypes.SourceType
			for _, in := range f.sent {
				types = append(types, in.SourceType)
				if !reflect.DeepEqual(in.EventCategories, c.wantCats) {
					t.Errorf("EventCategories %q, want %q", in.EventCategories, c.wantCats)
				}
			}
			if !reflect.DeepEqual(types, c.wantTypes) {
				t.Errorf("source types %v, want %v", types, c.wantTypes)
			}
		})
	}
	if _, err := List(context.Background(), &fakeEvents{}, topo(), window(), Options{Groups: []string{"bogus"}}); err == nil || !strings.Contains(err.Error(), "failover") {
		t.Errorf("unknown group: %v", err)
	}
}

func TestListPagesDedupsFiltersAndSorts(t *testing.T) {
	w := window()
	fo := now.Add(-3 * time.Hour)
	f := &fakeEvents{pages: map[string][][]rdstypes.Event{
		"db-cluster/c1": {
			{ev(fo, "db-cluster", "c1", "Started cross AZ failover to DB instance: c1-a", "failover")},
			{ev(fo.Add(31*time.Second), "db-cluster", "c1", "Completed failover to DB instance: c1-a", "failover"),
				ev(fo, "db-cluster", "c1", "Started cross AZ failover to DB instance: c1-a", "failover")}, // duplicate across pages
		},
		"db-instance/c1-b": {{
			ev(now.Add(-2*time.Hour), "db-instance", "c1-b", "DB instance restarted", "availability"),
			ev(now.Add(-15*24*time.Hour), "db-instance", "c1-b", "DB instance restarted", "availability"), // outside the window
		}},
		"db-cluster-snapshot/": {{
			ev(now.Add(-6*time.Hour), "db-cluster-snapshot", "rds:c1-2026-11-22-03-00", "Creating automated cluster snapshot", "backup"),
			ev(now.Add(-5*time.Hour), "db-cluster-snapshot", "rds:other-2026-11-22-03-00", "Creating automated cluster snapshot", "backup"), // another cluster
		}},
	}}
	res, err := List(context.Background(), f, topo(), w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Group+"|"+e.Source+"|"+e.TimeUTC)
	}
	want := []string{
		"reboot|c1-b|2026-11-22T07:00:00Z",
		"failover|c1|2026-11-22T06:00:31Z",
		"failover|c1|2026-11-22T06:00:00Z",
		"backup|rds:c1-2026-11-22-03-00|2026-11-22T03:00:00Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n%q\nwant\n%q", got, want)
	}
	if res.Events[1].TimeLocal != "2026-11-22T15:00:31+09:00" {
		t.Errorf("local time %q", res.Events[1].TimeLocal)
	}
	wantCounts := []GroupCount{{GroupFailover, 2, "2026-11-22T06:00:31Z"}, {GroupReboot, 1, "2026-11-22T07:00:00Z"}, {GroupBackup, 1, "2026-11-22T03:00:00Z"}}
	if !reflect.DeepEqual(res.Counts, wantCounts) {
		t.Errorf("counts %+v", res.Counts)
	}
	// the second page was asked for with the marker
	var markers []string
	for _, in := range f.sent {
		if in.SourceType == "db-cluster" {
			markers = append(markers, aws.ToString(in.Marker))
		}
	}
	if !reflect.DeepEqual(markers, []string{"", "p1"}) || res.Calls != 5 {
		t.Errorf("db-cluster markers %q, calls %d", markers, res.Calls)
	}
}

func TestListStopsAtPageCap(t *testing.T) {
	pages := make([][]rdstypes.Event, 9) // the fake encodes one digit: cap the test at 9 pages
	for i := range pages {
		pages[i] = []rdstypes.Event{ev(now.Add(-time.Duration(i+1)*time.Minute), "db-instance", "c1-a", "x"+string(rune('0'+i)), "notification")}
	}
	f := &fakeEvents{pages: map[string][][]rdstypes.Event{"db-instance/c1-a": pages}}
	res, err := List(context.Background(), f, topo(), window(), Options{})
	if err != nil || len(res.Events) != 9 || res.Truncated {
		t.Fatalf("9 pages under the cap: %d events, truncated %v, err %v", len(res.Events), res.Truncated, err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		cats       []string
		msg, src   string
		wantGroup  string
		wantReason string
	}{
		{[]string{"failover"}, "Started cross AZ failover to DB instance: x", "db-cluster", GroupFailover, ""},
		{[]string{"notification"}, "Multi-AZ failover completed", "db-instance", GroupFailover, "message names a failover"},
		{[]string{"global failover"}, "Global switchover started", "db-cluster", GroupFailover, ""},
		{[]string{"failure"}, "The DB instance has failed", "db-instance", GroupFailure, ""},
		{[]string{"low storage"}, "Aurora storage is dangerously low", "db-instance", GroupLowStorage, ""},
		{[]string{"availability"}, "DB instance restarted", "db-instance", GroupReboot, ""},
		{nil, "Rebooting DB instance", "db-instance", GroupReboot, "message only"},
		{[]string{"maintenance"}, "Applying off-line patches to DB instance", "db-instance", GroupMaintenance, ""},
		{[]string{"security patching"}, "Operating system update", "db-instance", GroupMaintenance, ""},
		{[]string{"backup"}, "Backing up DB instance", "db-instance", GroupBackup, ""},
		{nil, "Automated cluster snapshot created", "db-cluster-snapshot", GroupBackup, "snapshot source"},
		{[]string{"configuration change"}, "Updated to use DBClusterParameterGroup x", "db-cluster", GroupConfiguration, ""},
		{[]string{"creation"}, "DB instance created", "db-instance", GroupCreation, ""},
		{[]string{"read replica"}, "Replication has stopped", "db-instance", GroupReadReplica, ""},
		{[]string{"notification"}, "DB instance stopped", "db-instance", GroupNotification, ""},
		{[]string{"Notification"}, "DB instance started", "db-instance", GroupNotification, "case-insensitive"},
		{nil, "Something new", "db-proxy", GroupOther, ""},
	}
	for _, c := range cases {
		if g := Classify(c.cats, c.msg, c.src); g != c.wantGroup {
			t.Errorf("Classify(%q, %q, %q) = %s, want %s %s", c.cats, c.msg, c.src, g, c.wantGroup, c.wantReason)
		}
	}
}

func TestListErrorIsWrapped(t *testing.T) {
	denied := &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeEvents",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}}
	_, err := List(context.Background(), &fakeEvents{err: denied}, topo(), window(), Options{})
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || ce.Region != "us-east-1" || ce.Resource != "c1" {
		t.Fatalf("err = %#v", err)
	}
	msg := awsclient.Classify(err).Error()
	if !strings.Contains(msg, "rds:DescribeEvents") || !strings.Contains(msg, "us-east-1") {
		t.Errorf("classified: %s", msg)
	}
}

// recordingClients is the demo fleet with DescribeEvents inputs recorded (or failed).
type recordingClients struct {
	*demo.Fleet
	sent []rds.DescribeEventsInput
	err  error
}

func (r *recordingClients) RDS(region string) awsclient.RDSAPI {
	return recordingRDS{r.Fleet.RDS(region), r}
}

type recordingRDS struct {
	awsclient.RDSAPI
	r *recordingClients
}

func (x recordingRDS) DescribeEvents(ctx context.Context, in *rds.DescribeEventsInput, o ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	x.r.sent = append(x.r.sent, *in)
	if x.r.err != nil {
		return nil, x.r.err
	}
	return x.RDSAPI.DescribeEvents(ctx, in, o...)
}

func session(t *testing.T, c awsclient.Clients, at time.Time) *testkit.Session {
	return testkit.Client(t, Tools(c, tools.Env{Now: func() time.Time { return at }}))
}

func TestThirtyDayWindowIsClampedWithExplicitStart(t *testing.T) {
	f := demo.New(now)
	rc := &recordingClients{Fleet: f}
	s := session(t, rc, f.Now)
	res := s.Call("get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "30d"})
	var out Output
	testkit.Decode(t, res, &out)
	oldest := f.Now.Add(-Retention)
	if !out.Window.Clamped || !strings.Contains(out.Window.Note, "clamped") || out.Window.StartUTC != oldest.Format(time.RFC3339) {
		t.Fatalf("window %+v", out.Window)
	}
	text := testkit.Text(res)
	if !strings.Contains(text, "note: start") || !strings.Contains(text, "14d retention") || !strings.Contains(text, "14 days") {
		t.Errorf("the clamp must be visible in the text:\n%s", text)
	}
	if len(rc.sent) != 5 {
		t.Fatalf("%d DescribeEvents calls", len(rc.sent))
	}
	for _, in := range rc.sent {
		if in.StartTime == nil || !in.StartTime.Equal(oldest) || in.EndTime == nil || !in.EndTime.Equal(f.Now) || in.Duration != nil {
			t.Errorf("request window %v → %v (duration %v), want %v → %v", in.StartTime, in.EndTime, in.Duration, oldest, f.Now)
		}
	}
	// the 15-day-old restart and the oldest backups are not there; the daily backups of 14 days are
	for _, e := range out.Events {
		if e.TimeUTC < oldest.Format(time.RFC3339) {
			t.Errorf("event older than the retention: %+v", e)
		}
	}
	if out.Counts[0].Group != GroupFailover || out.Counts[0].Count != 2 {
		t.Errorf("counts %+v", out.Counts)
	}
}

func TestGetRDSEventsDemo(t *testing.T) {
	f := demo.New(now)
	s := session(t, f, f.Now)
	res := s.Call("get_rds_events", map[string]any{"cluster_id": "orders-prod"})
	var out Output
	testkit.Decode(t, res, &out)
	inc := f.Incident
	if out.Region != "ap-northeast-2" || out.ClusterID != "orders-prod" || out.Window.Timezone != "Asia/Seoul" || out.Window.DurationS != 86400 {
		t.Fatalf("echo %+v", out)
	}
	var fo []Event
	for _, e := range out.Events {
		if e.Group == GroupFailover {
			fo = append(fo, e)
		}
	}
	if len(fo) != 2 || fo[1].Message != "Started cross AZ failover to DB instance: orders-prod-1" || fo[1].SourceType != "db-cluster" ||
		fo[1].TimeUTC != inc.FailoverAt.Format(time.RFC3339) || fo[0].Message != "Completed failover to DB instance: orders-prod-1" {
		t.Fatalf("failover events %+v", fo)
	}
	var reboot []string
	for _, e := range out.Events {
		if e.Group == GroupReboot {
			reboot = append(reboot, e.Source+" "+e.Message)
		}
	}
	if !reflect.DeepEqual(reboot, []string{"orders-prod-3 DB instance restarted", "orders-prod-3 DB instance shutdown", "orders-prod-2 DB instance restarted"}) {
		t.Errorf("reboots %q", reboot)
	}
	text := testkit.Text(res)
	for _, w := range []string{"### failover (2)", "Started cross AZ failover to DB instance: orders-prod-1", inc.FailoverAt.In(seoul).Format("2006-01-02 15:04"), "### backup"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	// categories and limit
	testkit.Decode(t, s.Call("get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "14d", "categories": []string{"backup"}, "limit": 3}), &out)
	if len(out.Events) != 3 || !out.Truncated || out.Total < 26 || len(out.Counts) != 1 || out.Counts[0].Count != out.Total {
		t.Errorf("backup filter: %d listed of %d, counts %+v", len(out.Events), out.Total, out.Counts)
	}
	// billing-pg: its own snapshots and the parameter group change, nothing of orders-prod
	testkit.Decode(t, s.Call("get_rds_events", map[string]any{"cluster_id": "billing-pg", "since": "14d"}), &out)
	for _, e := range out.Events {
		if strings.Contains(e.Source, "orders") || strings.Contains(e.Message, "orders") {
			t.Errorf("orders-prod event in billing-pg: %+v", e)
		}
	}
	if out.Counts[0].Group != GroupBackup || out.Counts[1].Group != GroupConfiguration {
		t.Errorf("billing-pg counts %+v", out.Counts)
	}
}

func TestGetRDSEventsErrors(t *testing.T) {
	f := demo.New(now)
	s := session(t, f, f.Now)
	cases := []struct {
		name string
		args any
		want []string
	}{
		{"bad category", `{"cluster_id":"orders-prod","categories":["explosions"]}`, []string{`"categories[0]" must be one of failover`, "valid arguments: cluster_id (string, required), region (string), since (string)"}},
		{"unknown argument", `{"cluster_id":"orders-prod","source_type":"db-cluster"}`, []string{`unknown argument "source_type"`, "categories (string[])"}},
		{"limit", `{"cluster_id":"orders-prod","limit":0}`, []string{`"limit" must be ≥ 1`}},
		{"since and start", `{"cluster_id":"orders-prod","since":"1d","start":"2026-11-21T00:00:00Z"}`, []string{"cannot be combined"}},
		{"too old", `{"cluster_id":"orders-prod","start":"2026-10-01T00:00:00Z","end":"2026-10-02T00:00:00Z"}`, []string{"older than the 14d retention"}},
		{"unknown cluster", `{"cluster_id":"nope"}`, []string{"list_clusters", "ap-northeast-2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := testkit.ErrorText(t, s.Call("get_rds_events", c.args))
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
		})
	}
	// AWS failure on DescribeEvents → isError naming the IAM action
	rc := &recordingClients{Fleet: f, err: &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeEvents",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User is not authorized to perform: rds:DescribeEvents"}}}
	msg := testkit.ErrorText(t, session(t, rc, f.Now).Call("get_rds_events", map[string]any{"cluster_id": "orders-prod"}))
	for _, w := range []string{"AccessDenied", "rds:DescribeEvents", "ap-northeast-2", "orders-prod"} {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
	}
}

func BenchmarkList(b *testing.B) {
	var evs []rdstypes.Event
	for i := 0; i < 100; i++ {
		evs = append(evs, ev(now.Add(-time.Duration(i)*time.Minute), "db-instance", "c1-a", "DB instance restarted", "availability"))
	}
	pages := make([][]rdstypes.Event, 9)
	for i := range pages {
		pages[i] = evs
	}
	f := &fakeEvents{pages: map[string][][]rdstypes.Event{"db-instance/c1-a": pages, "db-cluster/c1": pages}}
	w := window()
	b.ReportAllocs()
	for b.Loop() {
		f.sent = f.sent[:0]
		if _, err := List(context.Background(), f, topo(), w, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The demo behaves like RDS where it matters to List: one hour by default, 14 days at most, filters, paging.
func TestDemoDescribeEventsSemantics(t *testing.T) {
	f := demo.New(now)
	api := f.RDS(demo.Region)
	ctx := context.Background()
	count := func(in *rds.DescribeEventsInput) int {
		n := 0
		for {
			out, err := api.DescribeEvents(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Events)
			if out.Marker == nil {
				return n
			}
			in.Marker = out.Marker
		}
	}
	// default: the last hour only (the storm was six hours ago)
	if n := count(&rds.DescribeEventsInput{SourceType: "db-cluster", SourceIdentifier: aws.String("orders-prod")}); n != 0 {
		t.Errorf("default window returned %d cluster events", n)
	}
	if n := count(&rds.DescribeEventsInput{SourceType: "db-cluster", SourceIdentifier: aws.String("orders-prod"), Duration: aws.Int32(24 * 60)}); n != 2 {
		t.Errorf("Duration 24h: %d failover events", n)
	}
	// never older than 14 days, even when asked
	all := count(&rds.DescribeEventsInput{StartTime: aws.Time(now.Add(-60 * 24 * time.Hour)), EndTime: aws.Time(now), MaxRecords: aws.Int32(20)})
	inRetention := count(&rds.DescribeEventsInput{StartTime: aws.Time(now.Add(-Retention)), EndTime: aws.Time(now)})
	if all != inRetention || all < 60 {
		t.Errorf("60 days: %d, 14 days: %d", all, inRetention)
	}
	if n := count(&rds.DescribeEventsInput{StartTime: aws.Time(now.Add(-Retention)), EndTime: aws.Time(now), EventCategories: []string{"failover"}}); n != 2 {
		t.Errorf("failover category: %d", n)
	}
	if _, err := api.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: aws.String("orders-prod")}); err == nil || !strings.Contains(err.Error(), "source type") {
		t.Errorf("identifier without type: %v", err)
	}
	if _, err := api.DescribeEvents(ctx, &rds.DescribeEventsInput{MaxRecords: aws.Int32(5)}); err == nil {
		t.Error("MaxRecords 5 must be rejected (20–100)")
	}
}
