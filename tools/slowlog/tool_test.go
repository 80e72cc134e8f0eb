package slowlog

import (
	"context"
	"github.com/mark3labs/mcp-go/mcp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

func TestGetSlowQueriesDemo(t *testing.T) {
	f := demo.New(demoNow)
	s := testkit.Client(t, demoTools(f))
	res := s.Call("get_slow_queries", map[string]any{"cluster_id": "orders-prod", "since": "24h", "top_n": 5})
	var out SlowQueriesOutput
	testkit.Decode(t, res, &out)
	text := testkit.Text(res)
	top := out.Digest.Top[0]
	if out.Region != demo.Region || out.ClusterID != "orders-prod" || out.Window.DurationS != 86400 || out.Coverage.Source != "cloudwatch_logs" || !out.Coverage.Complete {
		t.Fatalf("echo/coverage: %+v %+v", out.Window, out.Coverage)
	}
	// the incident's report query dominates, on both writers of the storm (the failover moved it)
	if !strings.HasPrefix(top.Fingerprint, "select c.region, date(o.created_at) as d") || top.PctOfTotal < 50 ||
		strings.Join(top.Instances, ",") != "orders-prod-2,orders-prod-1" || strings.Join(top.Users, ",") != "report_svc" {
		t.Fatalf("storm class: %+v", top)
	}
	inc := f.Incident
	first, _ := time.Parse(time.RFC3339, top.FirstSeen)
	last, _ := time.Parse(time.RFC3339, top.LastSeen)
	if first.Before(inc.Start) || last.After(inc.End.Add(time.Minute)) {
		t.Errorf("storm seen %s → %s, incident %s → %s", first, last, inc.Start, inc.End)
	}
	if strings.Contains(top.Example, "2026-") || !top.ExampleMasked {
		t.Errorf("example not masked: %q", top.Example)
	}
	if len(out.Findings) != 1 || out.Findings[0].Resource != "orders-prod-3" {
		t.Errorf("findings %+v", out.Findings)
	}
	for _, want := range []string{"## Slow queries — orders-prod", "CloudWatch Logs /aws/rds/cluster/orders-prod/slowquery", "| 1 |", "orders-prod-3"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if len(text) > 16000 {
		t.Errorf("text is %d bytes; keep it compact", len(text))
	}
	// raw examples on request
	res = s.Call("get_slow_queries", map[string]any{"cluster_id": "orders-prod", "top_n": 1, "raw_examples": true})
	testkit.Decode(t, res, &out)
	if out.Digest.Top[0].ExampleMasked || !strings.Contains(out.Digest.Top[0].Example, "'paid', 'shipped'") {
		t.Errorf("raw example %q", out.Digest.Top[0].Example)
	}
	// PostgreSQL
	res = s.Call("get_slow_queries", map[string]any{"cluster_id": "billing-pg", "order_by": "count"})
	testkit.Decode(t, res, &out)
	if out.Dialect != "postgresql" || out.Digest.Entries == 0 || out.Digest.OrderBy != "count" {
		t.Errorf("billing-pg: %+v", out.Digest)
	}
	// legacy-mysql: log_output=TABLE and no export → log files, nothing to digest, and the diagnosis says why
	res = s.Call("get_slow_queries", map[string]any{"cluster_id": "legacy-mysql"})
	testkit.Decode(t, res, &out)
	if out.Coverage.Source != "log_files" || out.Digest.Entries != 0 || len(out.Findings) == 0 || len(out.Hints) == 0 {
		t.Errorf("legacy: %+v %+v %v", out.Coverage, out.Findings, out.Hints)
	}
}

func TestGetSlowQueriesBadArguments(t *testing.T) {
	s := testkit.Client(t, demoTools(demo.New(demoNow)))
	for _, c := range []struct {
		args any
		want string
	}{
		{map[string]any{"cluster": "orders-prod"}, "valid arguments: cluster_id (string, required)"},
		{map[string]any{"cluster_id": "orders-prod", "order_by": "fastest"}, "must be one of total, count, avg, max, rows_examined"},
		{map[string]any{"cluster_id": "orders-prod", "top_n": 500}, "top_n"},
		{map[string]any{"cluster_id": "orders-prod", "since": "24h", "start": "2026-11-21T00:00:00Z"}, "cannot be combined"},
		{map[string]any{"cluster_id": "orders-prod", "instance": "orders-prod-9"}, "orders-prod-1, orders-prod-2, orders-prod-3"},
		{map[string]any{"cluster_id": "nope"}, "list_clusters"},
		{map[string]any{"cluster_id": "graph-neptune"}, "neptune"},
	} {
		msg := testkit.ErrorText(t, s.Call("get_slow_queries", c.args))
		if !strings.Contains(msg, c.want) {
			t.Errorf("%v: %q lacks %q", c.args, msg, c.want)
		}
	}
}

// failingLogs is the demo fleet with a CloudWatch Logs API that refuses FilterLogEvents.
type failingLogs struct{ *demo.Fleet }

type deniedLogs struct{ awsclient.LogsAPI }

func (deniedLogs) FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "CloudWatch Logs", OperationName: "FilterLogEvents",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform logs:FilterLogEvents"}}
}

func (f failingLogs) Logs(region string) awsclient.LogsAPI { return deniedLogs{f.Fleet.Logs(region)} }

func TestGetSlowQueriesAWSFailure(t *testing.T) {
	s := testkit.Client(t, demoTools(failingLogs{demo.New(demoNow)}))
	msg := testkit.ErrorText(t, s.Call("get_slow_queries", map[string]any{"cluster_id": "orders-prod"}))
	if !strings.Contains(msg, "AccessDenied") || !strings.Contains(msg, "logs:FilterLogEvents") || !strings.Contains(msg, "orders-prod") {
		t.Errorf("message %q", msg)
	}
	_ = aws.String
}

func TestGetSlowQueriesSnapshot(t *testing.T) {
	for _, tl := range demoTools(demo.New(demoNow)) {
		testkit.Snapshot(t, tl)
	}
}

func TestGetSlowQueriesSendsProgress(t *testing.T) {
	f := demo.New(demoNow)
	s := testkit.Client(t, demoTools(f))
	var mu sync.Mutex
	var got []float64
	s.C.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/progress" {
			mu.Lock()
			got = append(got, n.Params.AdditionalFields["progress"].(float64))
			mu.Unlock()
		}
	})
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_slow_queries"
	req.Params.Arguments = map[string]any{"cluster_id": "orders-prod"}
	req.Params.Meta = &mcp.Meta{ProgressToken: "slow-1"}
	res, err := s.C.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		t.Fatalf("call: %v %v", err, res)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 2 || got[len(got)-1] != float64(len(got)) {
		t.Errorf("progress notifications %v", got)
	}
}
