package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pi"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func demoDeps() (Deps, *demo.Fleet) {
	f := demo.New(now)
	return Deps{Clients: f, Env: tools.Env{Now: func() time.Time { return now }}}, f
}

func find(c report.Check, code, resource string) *report.Finding {
	for i, f := range c.Findings {
		if f.Code == code && (resource == "" || f.Resource == resource) {
			return &c.Findings[i]
		}
	}
	return nil
}

func TestDemoMySQLIncident(t *testing.T) {
	d, fleet := demoDeps()
	c, err := Run(context.Background(), d, "orders-prod", "", Options{Window: timewin.Input{Since: "24h"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != "critical" || len(c.Gaps) != 0 {
		t.Fatalf("verdict %s gaps %+v", c.Verdict, c.Gaps)
	}
	inc := fleet.Incident
	storm := find(c, "cpu_high", "")
	if storm == nil || storm.Severity != tools.SeverityCritical {
		t.Fatalf("no critical CPU storm: %+v", c.Findings)
	}
	// the storm spans the incident (±2 min) and names the writer and the slow-query class behind it
	if d := storm.Start.Sub(inc.Start); d < -2*time.Minute || d > 2*time.Minute {
		t.Errorf("storm starts %s, incident %s", storm.Start, inc.Start)
	}
	if d := storm.End.Sub(inc.End); d < -3*time.Minute || d > 3*time.Minute {
		t.Errorf("storm ends %s, incident %s", storm.End, inc.End)
	}
	if storm.Resource != inc.Writer || !strings.Contains(storm.Evidence, inc.OldWriter) {
		t.Errorf("storm resource %s evidence %s", storm.Resource, storm.Evidence)
	}
	if !strings.Contains(storm.LikelyCause, "slow-query class") || c.Findings[0].Code != "cpu_high" {
		t.Errorf("likely cause %q; first finding %s", storm.LikelyCause, c.Findings[0].Code)
	}
	if !strings.Contains(c.Headline, "likely cause") {
		t.Errorf("headline %q", c.Headline)
	}
	lag := find(c, "replica_lag", inc.LaggingReader)
	if lag == nil || lag.Start == nil || lag.Start.Before(inc.Start.Add(-5*time.Minute)) || lag.Start.After(inc.End) {
		t.Errorf("replica lag on %s: %+v", inc.LaggingReader, lag)
	}
	fo := find(c, "failover", "")
	if fo == nil || fo.Start.Sub(inc.FailoverAt).Abs() > 2*time.Minute {
		t.Errorf("failover: %+v (at %s)", fo, inc.FailoverAt)
	}
	mt := find(c, "forced_maintenance", inc.OSUpgradeOn)
	if mt == nil {
		for _, f := range c.Findings {
			if f.Section == report.SecMaintenance && f.Resource == inc.OSUpgradeOn {
				mt = &f
			}
		}
	}
	if mt == nil || mt.Severity != tools.SeverityCritical {
		t.Errorf("forced os-upgrade in 5 days: %+v", mt)
	}
	cpuAlarm := false
	for _, f := range c.Findings {
		if (f.Code == "alarm_fired" || f.Code == "alarm_firing") && strings.Contains(f.Evidence, "CPUUtilization") && strings.Contains(f.Title, "writer-cpu") {
			cpuAlarm = f.Start != nil && f.Start.After(inc.Start) && f.Start.Before(inc.End)
		}
	}
	if !cpuAlarm {
		t.Error("the writer CPU alarm going to ALARM during the storm is not reported")
	}
	if miss := find(c, "alarms_missing", ""); miss == nil {
		t.Error("missing recommended alarms not reported")
	}
	// every section ran
	for _, s := range c.Sections {
		if s.Status == "gap" {
			t.Errorf("section %s is a gap: %s", s.Name, s.Summary)
		}
	}
	if len(c.Metrics) < 8 || len(c.Events) == 0 || len(c.SlowQueries.Classes) == 0 || len(c.DBLoad) != 3 {
		t.Errorf("report data: %d panels, %d events, %d classes, %d load", len(c.Metrics), len(c.Events), len(c.SlowQueries.Classes), len(c.DBLoad))
	}
}

func TestDemoPostgresIsHealthy(t *testing.T) {
	d, _ := demoDeps()
	c, err := Run(context.Background(), d, "billing-pg", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	crit, warn, info := c.Counts()
	if crit+warn != 0 || info != 1 || c.Verdict != "healthy" {
		for _, f := range c.Findings {
			t.Logf("%s %s %s: %s", f.Severity, f.Code, f.Resource, f.Evidence)
		}
		t.Fatalf("billing-pg: verdict %s, %d critical, %d warning", c.Verdict, crit, warn)
	}
	if f := find(c, "storage_growth", "billing-pg"); f == nil || f.Severity != tools.SeverityInfo {
		t.Errorf("storage growth forecast: %+v", f)
	}
}

// piDenied serves the demo fleet except Performance Insights, which goes over the wire to a recorded
// AccessDenied response.
type piDenied struct {
	*demo.Fleet
	pi awsclient.PIAPI
}

func (p piDenied) PI(string) awsclient.PIAPI { return p.pi }

func TestFailingSectionBecomesGap(t *testing.T) {
	rp := awstest.NewReplay(t, awstest.Route{Op: "GetResourceMetrics", Status: 400, ContentType: "application/x-amz-json-1.1",
		Body: `{"__type":"AccessDeniedException","Message":"User: arn:aws:sts::123456789012:assumed-role/kida/x is not authorized to perform: pi:GetResourceMetrics"}`},
		awstest.Route{Op: "DescribeDimensionKeys", Status: 400, ContentType: "application/x-amz-json-1.1",
			Body: `{"__type":"AccessDeniedException","Message":"not authorized to perform: pi:DescribeDimensionKeys"}`})
	_, fleet := demoDeps()
	d := Deps{Clients: piDenied{Fleet: fleet, pi: pi.NewFromConfig(rp.Config(t, demo.Region))}, Env: tools.Env{Now: func() time.Time { return now }}}
	c, err := Run(context.Background(), d, "orders-prod", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var gap *report.Gap
	for i, g := range c.Gaps {
		if g.Section == report.SecDBLoad {
			gap = &c.Gaps[i]
		}
	}
	if gap == nil || !strings.Contains(gap.Why+gap.Fix, "pi:GetResourceMetrics") {
		t.Fatalf("gaps %+v", c.Gaps)
	}
	if rp.Count("GetResourceMetrics") == 0 {
		t.Error("PI was not called over the wire")
	}
	// the rest of the check is intact
	if find(c, "cpu_high", "") == nil || len(c.Sections) != 11 {
		t.Errorf("check degraded beyond the PI section: %d sections", len(c.Sections))
	}
	if !strings.Contains(c.Headline, "incomplete") {
		t.Errorf("headline should mention the gap: %s", c.Headline)
	}
}

func TestRunHealthCheckTool(t *testing.T) {
	d, _ := demoDeps()
	store := NewStore(t.TempDir(), 4)
	s := testkit.Client(t, Tools(d.Clients, d.Env, store))
	var out Output
	res := s.Call("run_health_check", map[string]any{"cluster_id": "orders-prod", "since": "24h"})
	testkit.Decode(t, res, &out)
	if out.Verdict != "critical" || out.CheckID == "" || len(out.Findings) == 0 || len(out.Findings) > maxFindings {
		t.Fatalf("out: %+v", out)
	}
	if _, err := store.Get(out.CheckID); err != nil {
		t.Fatalf("stored check: %v", err)
	}
	text := testkit.Text(res)
	for _, w := range []string{"CPU storm", "likely cause", "render_report", out.CheckID, "Asia/Seoul"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if len(text) > 16000 {
		t.Errorf("text mirror is %d bytes", len(text))
	}
	for args, want := range map[string]string{
		`{"cluster_id":"orders-prod","since":"yesterday"}`: "since",
		`{"cluster_id":"nope"}`:                            "list_clusters",
		`{"cluster":"orders-prod"}`:                        "valid arguments",
	} {
		if msg := testkit.ErrorText(t, s.Call("run_health_check", args)); !strings.Contains(msg, want) {
			t.Errorf("%s → %s", args, msg)
		}
	}
}

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir, 2)
	for _, id := range []string{"a-1", "b-2", "c-3"} {
		if err := s.Put(report.Check{ID: id, Cluster: id}); err != nil {
			t.Fatal(err)
		}
	}
	if s.ll.Len() != 2 {
		t.Errorf("LRU holds %d", s.ll.Len())
	}
	// evicted from memory, still on disk
	if c, err := s.Get("a-1"); err != nil || c.Cluster != "a-1" {
		t.Errorf("a-1 from disk: %v %v", c, err)
	}
	for _, bad := range []string{"../etc/passwd", "a/b", "A-1", "", ".hidden"} {
		if _, err := s.Get(bad); err == nil || !strings.Contains(err.Error(), "not a check id") {
			t.Errorf("Get(%q) = %v", bad, err)
		}
	}
}

func TestRenderReportTool(t *testing.T) {
	d, _ := demoDeps()
	dir := t.TempDir()
	store := NewStore(dir, 4)
	s := testkit.Client(t, Tools(d.Clients, d.Env, store))
	var out RenderOutput
	testkit.Decode(t, s.Call("render_report", map[string]any{"cluster_id": "orders-prod"}), &out)
	if out.Format != "html" || out.SizeBytes < 10000 || !strings.HasPrefix(out.Path, dir) || out.Verdict != "critical" {
		t.Fatalf("out: %+v", out)
	}
	// render the same check again as Markdown, by id
	var md RenderOutput
	res := s.Call("render_report", map[string]any{"check_id": out.CheckID, "format": "markdown"})
	testkit.Decode(t, res, &md)
	if md.CheckID != out.CheckID || !strings.Contains(md.Markdown, "orders-prod") || !strings.Contains(testkit.Text(res), "CPU storm") {
		t.Errorf("markdown: %+v", md)
	}
	for args, want := range map[string]string{
		`{}`: "send check_id", `{"check_id":"x-1","cluster_id":"y"}`: "not both", `{"check_id":"../../etc"}`: "not a check id",
		`{"check_id":"orders-prod-1","since":"1h"}`: "drop since", `{"cluster_id":"orders-prod","format":"pdf"}`: "must be one of html, markdown, json",
	} {
		if msg := testkit.ErrorText(t, s.Call("render_report", args)); !strings.Contains(msg, want) {
			t.Errorf("%s → %s", args, msg)
		}
	}
}

func TestSnapshots(t *testing.T) {
	d, _ := demoDeps()
	for _, tl := range Tools(d.Clients, d.Env, NewStore("", 1)) {
		testkit.Snapshot(t, tl)
	}
}
