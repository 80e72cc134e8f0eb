package errorlog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

var demoNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func demoTools(c awsclient.Clients) []tools.Tool {
	return Tools(c, tools.Env{Now: func() time.Time { return demoNow }})
}

func TestGetErrorLogSummaryDemo(t *testing.T) {
	f := demo.New(demoNow)
	s := testkit.Client(t, demoTools(f))
	res := s.Call("get_error_log_summary", map[string]any{"cluster_id": "orders-prod", "since": "24h"})
	var out SummaryOutput
	testkit.Decode(t, res, &out)
	classes := map[string]Notable{}
	for _, n := range out.Summary.Notable {
		classes[n.Class] = n
	}
	for _, c := range []string{ClassFailover, ClassRestart, ClassTooManyConnections, ClassDeadlock, ClassAuthFailure, ClassAbortedConnection, ClassReplication} {
		if classes[c].Count == 0 {
			t.Errorf("notable class %s missing: %+v", c, out.Summary.Notable)
		}
	}
	fo := classes[ClassFailover]
	if first, _ := time.Parse(time.RFC3339, fo.FirstSeen); first.Before(f.Incident.FailoverAt.Add(-time.Minute)) || first.After(f.Incident.FailoverAt) {
		t.Errorf("failover seen at %s, incident failover %s", fo.FirstSeen, f.Incident.FailoverAt)
	}
	tm := classes[ClassTooManyConnections]
	if first, _ := time.Parse(time.RFC3339, tm.FirstSeen); first.Before(f.Incident.Start) || first.After(f.Incident.End) {
		t.Errorf("too many connections at %s, storm %s → %s", tm.FirstSeen, f.Incident.Start, f.Incident.End)
	}
	found := false
	for _, p := range out.Summary.Patterns {
		found = found || strings.Contains(p.Example, "<script>alert(1)</script>")
	}
	if !found {
		t.Error("the demo's markup-carrying log line is missing from the examples")
	}
	text := testkit.Text(res)
	for _, want := range []string{"## Error log — orders-prod", "too_many_connections", "Findings:"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	var pg SummaryOutput
	res = s.Call("get_error_log_summary", map[string]any{"cluster_id": "billing-pg", "since": "7d", "top_n": 2})
	testkit.Decode(t, res, &pg)
	if pg.Summary.Lines == 0 || len(pg.Summary.Patterns) != 1 || pg.Summary.Truncated || len(pg.Summary.Notable) != 0 || pg.Summary.Patterns[0].Code != "" {
		t.Errorf("billing-pg: %+v", pg.Summary)
	}
	var legacy SummaryOutput
	res = s.Call("get_error_log_summary", map[string]any{"cluster_id": "legacy-mysql"})
	testkit.Decode(t, res, &legacy)
	if legacy.Coverage.LogGroup != "/aws/rds/instance/legacy-mysql/error" || legacy.Summary.Lines == 0 {
		t.Errorf("legacy-mysql: %+v %+v", legacy.Coverage, legacy.Summary)
	}
}

func TestGetErrorLogSummaryErrors(t *testing.T) {
	s := testkit.Client(t, demoTools(demo.New(demoNow)))
	for _, c := range []struct {
		args any
		want string
	}{
		{map[string]any{"id": "orders-prod"}, "valid arguments: cluster_id (string, required)"},
		{map[string]any{"cluster_id": "orders-prod", "top_n": 0}, "top_n"},
		{map[string]any{"cluster_id": "orders-prod", "since": "-3h"}, "since"},
		{map[string]any{"cluster_id": "orders-prod", "instance": "x"}, "orders-prod-1, orders-prod-2, orders-prod-3"},
		{map[string]any{"cluster_id": "missing"}, "list_clusters"},
	} {
		if msg := testkit.ErrorText(t, s.Call("get_error_log_summary", c.args)); !strings.Contains(msg, c.want) {
			t.Errorf("%v: %q lacks %q", c.args, msg, c.want)
		}
	}
	s = testkit.Client(t, demoTools(failingLogs{demo.New(demoNow)}))
	msg := testkit.ErrorText(t, s.Call("get_error_log_summary", map[string]any{"cluster_id": "orders-prod"}))
	if !strings.Contains(msg, "Throttled") || !strings.Contains(msg, "orders-prod") {
		t.Errorf("AWS failure message %q", msg)
	}
}

type failingLogs struct{ *demo.Fleet }

type throttledLogs struct{ awsclient.LogsAPI }

func (throttledLogs) FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "CloudWatch Logs", OperationName: "FilterLogEvents",
		Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}
}

func (f failingLogs) Logs(region string) awsclient.LogsAPI {
	return throttledLogs{f.Fleet.Logs(region)}
}

func TestGetErrorLogSummarySnapshot(t *testing.T) {
	for _, tl := range demoTools(demo.New(demoNow)) {
		testkit.Snapshot(t, tl)
	}
}
