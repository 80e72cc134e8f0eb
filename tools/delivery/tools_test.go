package delivery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

const sentinel = "SENTINEL-7f3a9c"

// TestSentinelWebhookNeverAppears drives every delivery tool — successes, Slack errors whose body echoes the
// request, and an unreachable webhook — and checks the webhook URL appears in no tool output and no log line.
func TestSentinelWebhookNeverAppears(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) { // a hostile/buggy endpoint that echoes the URL back
		w.WriteHeader(404)
		w.Write([]byte("no_service: " + r.URL.String() + " " + r.Host + r.URL.Path))
	}
	var fail bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			echo(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	fleet := demo.New(now)
	fleet.OutboxDir = t.TempDir()
	var lb logBuffer
	cfg := Demo()
	cfg.Slack = &SlackConfig{
		Workflow: NewSecret(srv.URL + "/triggers/T0/W0/" + sentinel),
		Incoming: NewSecret(srv.URL + "/services/T0/B0/" + sentinel),
	}
	d := Deps{Clients: fleet, Config: cfg, HTTP: srv.Client(), Env: tools.Env{Logger: lb.logger(), Now: func() time.Time { return now }},
		Render: fakeRender, ReportDir: t.TempDir(), Sleep: (&sleeps{}).sleep, Location: seoul}
	checks := memChecks{}
	for _, c := range []struct{ id, v string }{{"orders-prod", "critical"}, {"billing-pg", "healthy"}} {
		ch := sampleCheck(c.id, "ap-northeast-2", c.v)
		checks[ch.ID] = ch
	}
	ids := []string{"orders-prod-20261122t0005z-abc123", "billing-pg-20261122t0005z-abc123"}
	s := testkit.Client(t, Tools(d, checks))
	var outputs []string
	call := func(name string, args any) map[string]any {
		res := s.Call(name, args)
		b, _ := json.Marshal(res)
		outputs = append(outputs, string(b))
		var m map[string]any
		if sc, ok := res.StructuredContent.(map[string]any); ok {
			m = sc
		}
		return m
	}
	pub := call("publish_report", map[string]any{"check_id": ids[0]})
	link, _ := pub["link"].(map[string]any)
	if link == nil || !strings.HasPrefix(link["url"].(string), "file://") || link["limited_by"] != LimitCredentials {
		t.Fatalf("publish_report: %v", pub)
	}
	if !strings.Contains(link["url"].(string), "X-Amz-Expires=") || link["expires_in_s"].(float64) > 6*3600 {
		t.Errorf("demo credentials last 6h, link: %v", link)
	}
	for _, name := range []string{"send_report_email", "publish_sns"} {
		if out := call(name, map[string]any{"check_ids": ids}); out["all_ok"] != true {
			t.Errorf("%s: %v", name, out)
		}
	}
	for _, ch := range []string{"workflow", "incoming"} {
		if out := call("notify_slack", map[string]any{"check_ids": ids, "channel": ch}); out["all_ok"] != true {
			t.Errorf("notify_slack %s: %v", ch, out)
		}
	}
	fail = true
	for _, ch := range []string{"workflow", "incoming"} {
		out := call("notify_slack", map[string]any{"check_ids": ids, "channel": ch})
		if out["all_ok"] != false {
			t.Errorf("notify_slack %s against a failing webhook: %v", ch, out)
		}
	}
	d.Config.Slack = &SlackConfig{Workflow: NewSecret("http://127.0.0.1:1/triggers/" + sentinel)}
	s2 := testkit.Client(t, Tools(d, checks))
	res := s2.Call("notify_slack", map[string]any{"check_ids": ids[:1]})
	b, _ := json.Marshal(res)
	outputs = append(outputs, string(b))
	if !strings.Contains(string(b), "connection refused") {
		t.Errorf("unreachable webhook should report the cause: %s", b)
	}
	// a wrong call: unknown argument naming a destination is refused
	res = s.Call("notify_slack", map[string]any{"check_ids": ids, "webhook_url": "https://evil.example/x"})
	if txt := testkit.ErrorText(t, res); !strings.Contains(txt, `unknown argument "webhook_url"`) {
		t.Errorf("destination argument: %s", txt)
	}
	for i, o := range outputs {
		if strings.Contains(o, sentinel) {
			t.Errorf("tool output %d contains the webhook URL: %s", i, o)
		}
	}
	logs := lb.String()
	if logs == "" || !strings.Contains(logs, "delivery failed") {
		t.Fatalf("expected delivery logs, got %q", logs)
	}
	if strings.Contains(logs, sentinel) {
		t.Errorf("logs contain the webhook URL:\n%s", logs)
	}
	// and the outbox (demo) has what was sent
	for _, sub := range []string{"s3/kida-demo-reports/reports/20261122/orders-prod.html", "s3/kida-demo-reports/reports/20261122/orders-prod.html.put.json"} {
		if _, err := os.Stat(filepath.Join(fleet.OutboxDir, sub)); err != nil {
			t.Errorf("outbox lacks %s", sub)
		}
	}
	for _, dir := range []string{"email", "sns"} {
		if m, _ := filepath.Glob(filepath.Join(fleet.OutboxDir, dir, "*")); len(m) == 0 {
			t.Errorf("outbox/%s is empty", dir)
		}
	}
}

func TestToolErrors(t *testing.T) {
	fleet := demo.New(now)
	fleet.OutboxDir = t.TempDir()
	dir := t.TempDir()
	d := Deps{Clients: fleet, Config: Demo(), HTTP: fleet.HTTPClient(), Env: tools.Env{Now: func() time.Time { return now }},
		Render: fakeRender, ReportDir: dir}
	d.Config.Slack = &SlackConfig{Incoming: NewSecret(DemoIncomingURL)}
	s := testkit.Client(t, Tools(d, memChecks{}))
	for _, tc := range []struct {
		name string
		args any
		want string
	}{
		{"publish_report", map[string]any{}, "exactly one of check_id"},
		{"publish_report", map[string]any{"check_id": "a", "report_path": "b"}, "exactly one of check_id"},
		{"publish_report", map[string]any{"check_id": "nope"}, "run run_health_check first"},
		{"publish_report", map[string]any{"report_path": "/etc/passwd"}, "inside the server's report directory"},
		{"publish_report", map[string]any{"report_path": "../../etc/passwd"}, "report_path"},
		{"send_report_email", map[string]any{"check_ids": []string{}}, "at least 1"},
		{"notify_slack", map[string]any{"check_ids": []string{"x"}, "channel": "workflow"}, "no Slack workflow webhook is configured"},
		{"notify_slack", map[string]any{"check_ids": []string{"x"}, "channel": "dm"}, "must be one of workflow, incoming"},
	} {
		if txt := testkit.ErrorText(t, s.Call(tc.name, tc.args)); !strings.Contains(txt, tc.want) {
			t.Errorf("%s %v: %q, want %q", tc.name, tc.args, txt, tc.want)
		}
	}
	// a report file inside the report dir can be published; a symlink out of it cannot
	c := sampleCheck("orders-prod", "ap-northeast-2", "critical")
	p, _, _ := fakeRender(dir, c, "html")
	var out PublishOutput
	testkit.Decode(t, s.Call("publish_report", map[string]any{"report_path": p}), &out)
	if out.Cluster != "orders-prod" || out.Link.Key != "reports/20261122/orders-prod.html" || out.ContentType != "text/html; charset=utf-8" {
		t.Errorf("publish by path: %+v", out)
	}
	outside := filepath.Join(t.TempDir(), "secret-20261122-0000.html")
	os.WriteFile(outside, []byte("secret"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "evil-20261122-0000.html"))
	if txt := testkit.ErrorText(t, s.Call("publish_report", map[string]any{"report_path": "evil-20261122-0000.html"})); !strings.Contains(txt, "inside the server's report directory") {
		t.Errorf("symlink escape: %s", txt)
	}
}

func TestToolSnapshots(t *testing.T) {
	d := Deps{Clients: demo.New(now), Config: Demo(), Env: tools.Env{}, Render: fakeRender}
	for _, tl := range Tools(d, memChecks{}) {
		testkit.Snapshot(t, tl)
	}
}
