package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

func slackDeps(t *testing.T, rec *slackRecorder, sl *sleeps) (Deps, string) {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	d := Deps{
		Clients: demo.New(now), HTTP: srv.Client(), Env: tools.Env{Now: func() time.Time { return now }},
		Config: Config{Slack: &SlackConfig{
			Workflow: NewSecret(srv.URL + "/triggers/T0/W0/SENTINELworkflow"),
			Incoming: NewSecret(srv.URL + "/services/T0/B0/SENTINELincoming"),
		}},
		Sleep: sl.sleep,
	}
	return d, srv.URL
}

func TestWorkflowPayloadIsExactlyWhatUsersSetUp(t *testing.T) {
	rec := &slackRecorder{}
	d, _ := slackDeps(t, rec, &sleeps{})
	rows := rowsFixture()
	ds := d.NotifyWorkflow(context.Background(), rows, "2026-11-22")
	if len(ds) != 3 {
		t.Fatalf("deliveries %v", ds)
	}
	for _, del := range ds {
		if !del.OK || del.Attempts != 1 {
			t.Errorf("delivery %+v", del)
		}
	}
	bodies, paths := rec.got()
	if len(bodies) != 3 {
		t.Fatalf("%d posts", len(bodies))
	}
	for i, p := range paths {
		if p != "/triggers/T0/W0/SENTINELworkflow" {
			t.Errorf("post %d went to %s", i, p)
		}
	}
	want := []map[string]string{
		{"report_title": "payments-prod (us-east-1) — 2026-11-22 — FAILED: AccessDenied: RDS DescribeDBClusters for payments-prod in us-east-1 was refused. Grant the IAM action rds:DescribeDBClusters", "report_url": "no report: check failed"},
		{"report_title": "orders-prod (ap-northeast-2) — 2026-11-22", "report_url": rows[1].Link.URL},
		{"report_title": "billing-pg (ap-northeast-2) — 2026-11-22", "report_url": "no link: not published: no S3 bucket is configured"},
	}
	for i, b := range bodies {
		var got map[string]string // a flat object of strings, nothing else
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("post %d is not a flat string object: %v: %s", i, err, b)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("post %d:\n got %v\nwant %v", i, got, want[i])
		}
		if strings.ContainsAny(string(b), "\n\r") {
			t.Errorf("post %d is not single-line: %q", i, b)
		}
	}
}

func TestSlack429HonoursRetryAfter(t *testing.T) {
	rec := &slackRecorder{script: []func(http.ResponseWriter){
		func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			w.Write([]byte("rate_limited"))
		},
	}}
	sl := &sleeps{}
	d, _ := slackDeps(t, rec, sl)
	del := d.NotifyIncoming(context.Background(), rowsFixture(), "2026-11-22")
	if !del.OK || del.Attempts != 2 {
		t.Fatalf("want success on the 2nd attempt, got %+v", del)
	}
	if len(sl.d) != 1 || sl.d[0] != time.Second {
		t.Errorf("waits %v, want exactly [1s]", sl.d)
	}
	bodies, _ := rec.got()
	if len(bodies) != 2 || string(bodies[0]) != string(bodies[1]) {
		t.Errorf("want the same body posted twice, got %d posts", len(bodies))
	}

	// the real sleep honours Retry-After too (about one second)
	rec2 := &slackRecorder{script: rec.script}
	d2, _ := slackDeps(t, rec2, &sleeps{})
	d2.Sleep = nil
	start := time.Now()
	if n, err := d2.PostWebhook(context.Background(), d2.Config.Slack.Incoming, []byte(`{"text":"x"}`)); err != nil || n != 2 {
		t.Fatalf("attempts %d err %v", n, err)
	}
	if el := time.Since(start); el < 900*time.Millisecond || el > 5*time.Second {
		t.Errorf("waited %s, want ≈1s", el)
	}
}

func TestSlackFailuresAreExactAndBounded(t *testing.T) {
	bad := func(code int, body string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) { w.WriteHeader(code); w.Write([]byte(body)) }
	}
	// 4xx: not retried, the answer is reported
	rec := &slackRecorder{script: []func(http.ResponseWriter){bad(400, "invalid_payload")}}
	sl := &sleeps{}
	d, _ := slackDeps(t, rec, sl)
	del := d.NotifyIncoming(context.Background(), rowsFixture(), "2026-11-22")
	if del.OK || del.Attempts != 1 || del.Error != "HTTP 400: invalid_payload" || len(sl.d) != 0 {
		t.Errorf("400: %+v waits %v", del, sl.d)
	}
	// 5xx: retried with backoff up to the cap
	rec = &slackRecorder{script: []func(http.ResponseWriter){bad(500, "oops"), bad(502, "bad gateway"), bad(503, "x"), bad(503, "still down")}}
	sl = &sleeps{}
	d, _ = slackDeps(t, rec, sl)
	del = d.NotifyIncoming(context.Background(), rowsFixture(), "2026-11-22")
	if del.OK || del.Attempts != 4 || !strings.Contains(del.Error, "HTTP 503: still down (gave up after 4 attempts)") || len(sl.d) != 3 {
		t.Errorf("5xx: %+v waits %v", del, sl.d)
	}
	for i := 1; i < len(sl.d); i++ {
		if sl.d[i] <= 0 || sl.d[i] > 12*time.Second {
			t.Errorf("backoff %v", sl.d)
		}
	}
	// unreachable host: the error names the cause, never the URL
	d.Config.Slack.Incoming = NewSecret("http://127.0.0.1:1/services/T0/B0/SENTINELdead")
	del = d.NotifyIncoming(context.Background(), rowsFixture(), "2026-11-22")
	if del.OK || !strings.Contains(del.Error, "connection refused") || strings.Contains(del.Error, "SENTINEL") || strings.Contains(del.Error, "127.0.0.1:1/") {
		t.Errorf("unreachable: %+v", del)
	}
	if got := retryAfter("Wed, 21 Oct 2099 07:28:00 GMT", now); got != maxRetryAfter {
		t.Errorf("Retry-After date far away: %v", got)
	}
}

func TestBlockKitWithinLimitsAndEscaped(t *testing.T) {
	rows := rowsFixture()
	rows[1].Top[0].Title = "<!channel> <https://evil.example|click> & *bold*"
	m := IncomingMessage(rows, "2026-11-22")
	if err := ValidateMessage(m); err != nil {
		t.Fatal(err)
	}
	b, _ := MarshalJSON(m)
	s := string(b)
	if strings.Contains(s, "<!channel>") || strings.Contains(s, "<https://evil") || !strings.Contains(s, "&lt;!channel&gt;") || !strings.Contains(s, "&amp; *bold*") {
		t.Errorf("mrkdwn not escaped: %s", s)
	}
	for _, want := range []string{`"type":"header"`, ":x: *payments-prod*", "*failed* at check: AccessDenied", ":red_circle: *orders-prod*", `"url":"https://kida-reports`, "valid for 5h", "not 7d"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// 120 clusters with very long text: still ≤ 50 blocks and ≤ 3000 chars per section
	var many []Row
	for i := 0; i < 120; i++ {
		r := FailedRow(fmt.Sprintf("cluster-%03d", i), "us-east-1", "check", strings.Repeat("<&> ", 2000))
		if i%2 == 0 {
			r = RowFor(sampleCheck(fmt.Sprintf("cluster-%03d", i), "us-east-1", "critical"))
			r.Top[0].Title = strings.Repeat("&", 5000)
			r.Link = &Link{URL: "https://x.example/" + strings.Repeat("a", 4000), Note: "valid for 7d"}
		}
		many = append(many, r)
	}
	m = IncomingMessage(many, "2026-11-22")
	if err := ValidateMessage(m); err != nil {
		t.Fatalf("120 clusters: %v", err)
	}
	if len(m.Blocks) != MaxBlocks {
		t.Errorf("blocks %d", len(m.Blocks))
	}
	last := m.Blocks[len(m.Blocks)-2].Text.Text
	if !strings.Contains(last, "more clusters") {
		t.Errorf("overflow block: %q", last)
	}
}
