package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// eventsDir holds the example events shipped with examples/relay (one per input type): the tests read the
// same files users test their function with.
const eventsDir = "../../examples/relay/events"

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eventsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var seoul = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

// slackServer is an httptest Slack incoming webhook recording every body.
type slackServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func newSlack(t *testing.T) *slackServer {
	s := &slackServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		st := s.status
		if st == http.StatusOK {
			s.bodies = append(s.bodies, b)
		}
		s.mu.Unlock()
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			http.Error(w, "bad content type "+ct, http.StatusBadRequest)
			return
		}
		w.WriteHeader(st)
		if st == http.StatusOK {
			_, _ = w.Write([]byte("ok"))
		} else {
			// Slack-like error that echoes the path, as proxies do
			_, _ = w.Write([]byte("no_service for " + r.URL.Path))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *slackServer) got() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var testNow = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

// testConfig is the routing users ask for: ALARM and OK transitions to on-call; RDS backup, failover,
// failure and maintenance events to the DBA channel; everything else dropped.
func testConfig(oncall, dba string) Config {
	return Config{
		Destinations: map[string]Destination{
			"oncall": {Slack: delivery.NewSecret(oncall)},
			"dba":    {Slack: delivery.NewSecret(dba)},
		},
		Routes: []Route{
			{Name: "alarms", Kinds: []string{KindAlarm}, States: []string{StateAlarm, StateOK}, To: []string{"oncall"}},
			{Name: "rds-important", Kinds: []string{KindRDS}, Categories: []string{"backup", "failover", "failure", "maintenance"}, To: []string{"dba"}},
		},
		DedupeWindow: 10 * time.Minute,
		Format:       Format{Location: seoul, ConsoleLinks: true, ReportURL: "https://reports.example.com/{cluster}/latest.html"},
	}
}

type harness struct {
	relay *Relay
	clock *clock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, cfg Config, o Options) harness {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: testNow}
	var logs bytes.Buffer
	o.Delivery.Env = tools.Env{Now: c.Now, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if o.Delivery.HTTP == nil {
		o.Delivery.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	o.Delivery.Sleep = func(context.Context, time.Duration) error { return nil }
	return harness{relay: New(cfg, o), clock: c, logs: &logs}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, got)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden %s (run go test ./tools/relay -update): %v", path, err)
	}
	if !bytes.Equal(want, pretty.Bytes()) {
		t.Errorf("%s differs from the golden file (go test ./tools/relay -update rewrites it):\n--- got\n%s", path, pretty.Bytes())
	}
}

// The two acceptance payloads: an SNS-wrapped ALARM-from-OK with a Threshold Crossed reason, and EventBridge
// RDS backup events, each posted to an httptest Slack exactly as in the golden files.
func TestSlackPayloadsGolden(t *testing.T) {
	cases := []struct{ event, golden, dest string }{
		{"sns-alarm.json", "sns-alarm.slack.json", "oncall"},
		{"eventbridge-rds-cluster-snapshot.json", "eventbridge-rds-cluster-snapshot.slack.json", "dba"},
		{"eventbridge-rds-instance-backup.json", "eventbridge-rds-instance-backup.slack.json", "dba"},
		{"sns-composite-alarm.json", "sns-composite-alarm.slack.json", "oncall"},
		{"eventbridge-rds-cluster-failover.json", "eventbridge-rds-cluster-failover.slack.json", "dba"},
	}
	for _, c := range cases {
		t.Run(c.event, func(t *testing.T) {
			oncall, dba := newSlack(t), newSlack(t)
			h := newHarness(t, testConfig(oncall.URL+"/services/T000/B000/oncallsecrettoken", dba.URL+"/services/T000/B000/dbasecrettoken"), Options{})
			out, err := h.relay.Handle(context.Background(), readEvent(t, c.event))
			if err != nil || out.Failed() != 0 {
				t.Fatalf("handle: %v %v", err, out.Errors())
			}
			want, other := oncall, dba
			if c.dest == "dba" {
				want, other = dba, oncall
			}
			got := want.got()
			if len(got) != 1 || len(other.got()) != 0 {
				t.Fatalf("%d posts to %s, %d to the other destination", len(got), c.dest, len(other.got()))
			}
			var m SlackMessage
			if err := json.Unmarshal(got[0], &m); err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Errorf("breaks Slack limits: %v", err)
			}
			golden(t, c.golden, got[0])
		})
	}
}

func TestParseEveryExampleEvent(t *testing.T) {
	cases := []struct {
		file, kind, via, summary string
	}{
		{"sns-alarm.json", KindAlarm, "sns", `alarm "orders-prod-1 CPU high" OK → ALARM at 2026-11-22T03:15:04Z`},
		{"sns-composite-alarm.json", KindAlarm, "sns", `alarm "orders-prod degraded" OK → ALARM at 2026-11-22T03:15:34Z`},
		{"eventbridge-rds-cluster-snapshot.json", KindRDS, "eventbridge", "rds backup db-cluster-snapshot rds:orders-prod-2026-11-21-18-04: Automated cluster snapshot created at 2026-11-21T18:09:41Z"},
		{"eventbridge-rds-instance-backup.json", KindRDS, "eventbridge", "rds backup db-instance legacy-mysql: Finished DB Instance backup at 2026-11-21T19:02:13Z"},
		{"eventbridge-rds-cluster-failover.json", KindRDS, "eventbridge", "rds failover db-cluster orders-prod: Completed failover to DB instance: orders-prod-1 at 2026-11-22T03:35:02Z"},
		{"eventbridge-rds-parameter-group.json", KindRDS, "eventbridge", "rds configuration_change db-parameter-group billing-pg-instance: Updated parameter log_min_duration_statement to 500 with apply method immediate at 2026-11-20T05:12:44Z"},
		{"sns-rds-subscription.json", KindRDS, "rds-subscription", "rds reboot db-instance orders-prod-3: DB instance restarted at 2026-11-22T04:20:11Z"},
		{"unknown-shape.json", KindUnknown, "eventbridge", `unknown: EventBridge event from "aws.ec2" ("EC2 Instance State-change Notification") is not an RDS event or an alarm state change`},
	}
	for _, c := range cases {
		ns, err := Parse(readEvent(t, c.file))
		if err != nil || len(ns) != 1 {
			t.Fatalf("%s: %v %d", c.file, err, len(ns))
		}
		n := ns[0]
		if n.Kind != c.kind || n.Via != c.via || Summary(n) != c.summary {
			t.Errorf("%s: kind %s via %s summary %q", c.file, n.Kind, n.Via, Summary(n))
		}
	}
	ns, _ := Parse(readEvent(t, "sns-alarm.json"))
	a := ns[0].Alarm
	if a.Region != "ap-northeast-2" || a.AccountID != "123456789012" || a.Trigger.Threshold == nil || *a.Trigger.Threshold != 90 ||
		a.Resource() != (Resource{Kind: "instance", ID: "orders-prod-1"}) {
		t.Errorf("alarm %+v resource %+v", a, a.Resource())
	}
	ns, _ = Parse(readEvent(t, "eventbridge-rds-cluster-snapshot.json"))
	if r := ns[0].RDS.Resource(); r != (Resource{Kind: "cluster snapshot", ID: "rds:orders-prod-2026-11-21-18-04", Cluster: "orders-prod"}) {
		t.Errorf("snapshot resource %+v", r)
	}
	// the seed's sample event (EU - Ireland, no ARN, empty dimensions): the region comes from the topic
	seed := `{"Records":[{"EventSource":"aws:sns","Sns":{"Type":"Notification","MessageId":"x","TopicArn":"arn:aws:sns:eu-west-1:000000000000:cloudwatch-alarms","Message":"{\"AlarmName\":\"Example alarm name\",\"AlarmDescription\":\"Example alarm description.\",\"AWSAccountId\":\"000000000000\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"Threshold Crossed: 1 datapoint (10.0) was greater than or equal to the threshold (1.0).\",\"StateChangeTime\":\"2017-01-12T16:30:42.236+0000\",\"Region\":\"EU - Ireland\",\"OldStateValue\":\"OK\",\"Trigger\":{\"MetricName\":\"DeliveryErrors\",\"Namespace\":\"ExampleNamespace\",\"Statistic\":\"SUM\",\"Unit\":null,\"Dimensions\":[],\"Period\":300,\"EvaluationPeriods\":1,\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\",\"Threshold\":1.0}}"}}]}`
	ns, err := Parse([]byte(seed))
	if err != nil || ns[0].Alarm == nil || ns[0].Alarm.Region != "eu-west-1" || ns[0].Alarm.Time != time.Date(2017, 1, 12, 16, 30, 42, 236e6, time.UTC) {
		t.Fatalf("seed sample: %v %+v", err, ns)
	}
	if _, err := Parse([]byte("not json")); err == nil {
		t.Error("non-JSON input must be an error")
	}
}

// An event of an unknown shape is logged and acknowledged: no send, no Lambda error (so no retries).
func TestUnknownShapeIsLoggedAndAcknowledged(t *testing.T) {
	oncall, dba := newSlack(t), newSlack(t)
	cfg := testConfig(oncall.URL+"/hook", dba.URL+"/hook")
	cfg.Default = []string{"oncall"} // even a catch-all route must not receive it
	h := newHarness(t, cfg, Options{})
	for _, in := range []string{string(readEvent(t, "unknown-shape.json")), `{"Records":[{"EventSource":"aws:sqs","body":"x"}]}`,
		`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m1","Message":"plain text"}}]}`, `[1,2,3]`, `"str"`, `{}`, `not json`} {
		res, err := h.relay.Invoke(context.Background(), json.RawMessage(in))
		if err != nil || res.Unknown != 1 || res.Sent != 0 {
			t.Errorf("%.40s: %+v %v", in, res, err)
		}
	}
	if n := len(oncall.got()) + len(dba.got()); n != 0 {
		t.Errorf("%d posts for unknown events", n)
	}
	if !strings.Contains(h.logs.String(), "unknown shape") || !strings.Contains(h.logs.String(), "aws.ec2") {
		t.Errorf("unknown event not logged:\n%s", h.logs)
	}
}

// The same SNS message delivered twice within the de-duplication window sends one Slack message; after the
// window it is sent again.
func TestDuplicateSNSMessageSendsOnce(t *testing.T) {
	oncall, dba := newSlack(t), newSlack(t)
	h := newHarness(t, testConfig(oncall.URL+"/hook", dba.URL+"/hook"), Options{})
	ev := readEvent(t, "sns-alarm.json")
	first, err := h.relay.Invoke(context.Background(), ev)
	if err != nil || first.Sent != 1 {
		t.Fatalf("first: %+v %v", first, err)
	}
	h.clock.Add(4 * time.Minute)
	// SNS redelivers the very same message (same MessageId)…
	second, err := h.relay.Invoke(context.Background(), ev)
	if err != nil || second.Sent != 0 || second.Dupes != 1 {
		t.Fatalf("second: %+v %v", second, err)
	}
	// …and the same transition through a second subscription (another MessageId) is the same notification
	other := bytes.Replace(ev, []byte("0c6bd1f8-5b0e-5d8c-b5c3-2f2b8c6a1e01"), []byte("ffffffff-5b0e-5d8c-b5c3-2f2b8c6a1e01"), 1)
	if third, _ := h.relay.Invoke(context.Background(), other); third.Sent != 0 {
		t.Fatalf("other subscription: %+v", third)
	}
	if n := len(oncall.got()); n != 1 {
		t.Fatalf("%d Slack messages, want 1", n)
	}
	h.clock.Add(10 * time.Minute) // past the window
	if again, _ := h.relay.Invoke(context.Background(), ev); again.Sent != 1 {
		t.Fatalf("after the window: %+v", again)
	}
	if !strings.Contains(h.logs.String(), "duplicate within the de-duplication window") {
		t.Errorf("duplicate not logged:\n%s", h.logs)
	}
}

// A failed send fails the invocation (Lambda retries it) and is not remembered, so the retry sends it; the
// URL's token never shows in the error or the logs.
func TestFailedSendIsRetriedAndSecretsStayHidden(t *testing.T) {
	oncall, dba := newSlack(t), newSlack(t)
	oncall.status = http.StatusNotFound
	secretPath := "/services/T0SECRET1/B0SECRET2/zzTopSecretTokenValue"
	h := newHarness(t, testConfig(oncall.URL+secretPath, dba.URL+"/hook"), Options{})
	res, err := h.relay.Invoke(context.Background(), readEvent(t, "sns-alarm.json"))
	if err == nil || res.Sent != 0 {
		t.Fatalf("want an error for the retry, got %+v %v", res, err)
	}
	for _, s := range []string{err.Error(), h.logs.String()} {
		if strings.Contains(s, "zzTopSecretTokenValue") || strings.Contains(s, "T0SECRET1") || strings.Contains(s, oncall.URL) {
			t.Errorf("secret leaked: %s", s)
		}
	}
	if !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("error lacks the status: %v", err)
	}
	oncall.mu.Lock()
	oncall.status = http.StatusOK
	oncall.mu.Unlock()
	if res, err := h.relay.Invoke(context.Background(), readEvent(t, "sns-alarm.json")); err != nil || res.Sent != 1 {
		t.Fatalf("retry: %+v %v", res, err)
	}
}

func TestRouting(t *testing.T) {
	cfg := testConfig("https://hooks.slack.com/services/a", "https://hooks.slack.com/services/b")
	parse := func(name string) Notification {
		ns, err := Parse(readEvent(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return ns[0]
	}
	alarm := parse("sns-alarm.json")
	insufficient := alarm
	a := *alarm.Alarm
	a.State = StateInsufficientData
	insufficient.Alarm = &a
	cases := []struct {
		n    Notification
		to   string
		rule string
	}{
		{alarm, "oncall", "alarms"},
		{insufficient, "", "default"},
		{parse("eventbridge-rds-cluster-snapshot.json"), "dba", "rds-important"},
		{parse("eventbridge-rds-cluster-failover.json"), "dba", "rds-important"},
		{parse("eventbridge-rds-parameter-group.json"), "", "default"},
		{parse("sns-rds-subscription.json"), "", "default"}, // a reboot: not in the list
	}
	for _, c := range cases {
		to, rule := cfg.Targets(c.n)
		if strings.Join(to, ",") != c.to || rule != c.rule {
			t.Errorf("%s: to %v by %s, want %q by %s", Summary(c.n), to, rule, c.to, c.rule)
		}
	}
	// RDS categories, source globs, previous states
	r := Route{Sources: []string{"orders-*"}, Categories: []string{"configuration change"}}
	if r.matches(parse("eventbridge-rds-parameter-group.json")) {
		t.Error("billing parameter group matched orders-*")
	}
	if !(Route{Categories: []string{"configuration change"}}).matches(parse("eventbridge-rds-parameter-group.json")) {
		t.Error("RDS category did not match")
	}
	if !(Route{Sources: []string{"orders-prod"}}).matches(parse("eventbridge-rds-cluster-snapshot.json")) {
		t.Error("a snapshot matches its cluster")
	}
	if (Route{FromStates: []string{StateInsufficientData}}).matches(alarm) || !(Route{FromStates: []string{StateOK}}).matches(alarm) {
		t.Error("from_states")
	}
	if (Route{States: []string{StateAlarm}}).matches(parse("eventbridge-rds-cluster-failover.json")) {
		t.Error("an alarm filter must not match RDS events")
	}
}

func TestConfigValidate(t *testing.T) {
	ok := testConfig("https://hooks.slack.com/services/a", "https://hooks.slack.com/services/b")
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no destinations", func(c *Config) { c.Destinations = nil }, "relay.destinations: none"},
		{"unknown route destination", func(c *Config) { c.Routes[0].To = []string{"pager"} }, `relay.routes[0] (alarms).to: unknown destination "pager"`},
		{"bad state", func(c *Config) { c.Routes[0].States = []string{"alarm"} }, `"alarm" is not ALARM, OK or INSUFFICIENT_DATA`},
		{"bad category", func(c *Config) { c.Routes[1].Categories = []string{"backups"} }, `"backups" is neither a kida category`},
		{"contradiction", func(c *Config) { c.Routes[1].States = []string{"OK"} }, "can never match the kinds"},
		{"http webhook", func(c *Config) {
			c.Destinations["dba"] = Destination{Slack: delivery.NewSecret("http://hooks.slack.com/services/x")}
		}, "relay.destinations.dba.slack: the webhook URL is not an https URL"},
		{"bad bucket", func(c *Config) { c.Archive = &ArchiveConfig{Bucket: "Bad_Bucket"} }, "relay.archive.bucket"},
		{"bad prefix", func(c *Config) { c.Archive = &ArchiveConfig{Bucket: "kida-events", Prefix: "../x"} }, "relay.archive.prefix"},
		{"bad report url", func(c *Config) { c.Format.ReportURL = "javascript:alert(1)" }, "relay.report_url"},
		{"window", func(c *Config) { c.DedupeWindow = -time.Second }, "relay.dedupe_window"},
		{"bad glob", func(c *Config) { c.Routes[0].AlarmNames = []string{"["} }, "not a valid glob"},
	}
	for _, c := range cases {
		cfg := testConfig("https://hooks.slack.com/services/a", "https://hooks.slack.com/services/b")
		c.mod(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hooks.slack.com") {
			t.Errorf("%s: the error shows the URL: %v", c.name, err)
		}
	}
}

// Text from the alarm's author or from AWS cannot form mentions or links in Slack, and is HTML-escaped in
// the email.
func TestUntrustedTextIsEscaped(t *testing.T) {
	ns, _ := Parse(readEvent(t, "sns-alarm.json"))
	n := ns[0]
	a := *n.Alarm
	a.Description = "<!channel> ping <https://evil.example|click here> & co"
	a.Reason = "Threshold Crossed <@U123>"
	a.Name = "cpu <!here>"
	n.Alarm = &a
	m := (Format{ConsoleLinks: true}).Slack(n)
	// mrkdwn is what Slack parses for mentions and links; plain_text (the header) is shown literally
	var mrk []string
	for _, blk := range m.Attachments[0].Blocks {
		if blk.Text != nil && blk.Text.Type == "mrkdwn" {
			mrk = append(mrk, blk.Text.Text)
		}
		for _, e := range blk.Elements {
			mrk = append(mrk, e.Text)
		}
		if blk.Accessory != nil {
			mrk = append(mrk, blk.Accessory.URL)
		}
	}
	s := m.Text + "\n" + strings.Join(mrk, "\n")
	for _, bad := range []string{"<!channel>", "<!here>", "<@U123>", "<https://evil.example|"} {
		if strings.Contains(s, bad) {
			t.Errorf("unescaped %q in %s", bad, s)
		}
	}
	for _, good := range []string{"&lt;!channel&gt;", "&lt;https://evil.example|click here&gt; &amp; co", "&lt;@U123&gt;"} {
		if !strings.Contains(s, good) {
			t.Errorf("missing %q in %s", good, s)
		}
	}
	// the console link of a name with spaces and markup is path-escaped, never raw
	if !strings.Contains(s, "#alarmsV2:alarm/cpu%20%3C%21here%3E") {
		t.Errorf("console link: %s", s)
	}
	e := (Format{}).Email(n)
	if strings.Contains(e.HTML, "<!channel>") || !strings.Contains(e.HTML, "&lt;!channel&gt;") {
		t.Errorf("email HTML not escaped")
	}
	ev, _ := Parse(readEvent(t, "eventbridge-rds-cluster-failover.json"))
	ev[0].RDS.Message = "failover <script>alert(1)</script> <!everyone>"
	s2, _ := delivery.MarshalJSON((Format{}).Slack(ev[0]))
	if strings.Contains(string(s2), "<script>") || strings.Contains(string(s2), "<!everyone>") {
		t.Errorf("RDS message not escaped: %s", s2)
	}
}

// Email destinations go through delivery's SES sender; the demo fleet's SES writes the message to its
// outbox, where the HTML and text parts can be checked.
func TestEmailDestination(t *testing.T) {
	dir := t.TempDir()
	f := demo.New(testNow)
	f.OutboxDir = dir
	cfg := testConfig("https://hooks.slack.com/services/a", "https://hooks.slack.com/services/b")
	cfg.Destinations["dba"] = Destination{Email: &delivery.EmailConfig{From: "kida@example.com", To: []string{"dba@example.com"}}}
	h := newHarness(t, cfg, Options{Delivery: delivery.Deps{Clients: f}})
	res, err := h.relay.Invoke(context.Background(), readEvent(t, "eventbridge-rds-cluster-snapshot.json"))
	if err != nil || res.Sent != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "email", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("emails: %v", files)
	}
	b, _ := os.ReadFile(files[0])
	for _, w := range []string{"Subject: [kida] RDS backup: rds:orders-prod-2026-11-21-18-04", "To: dba@example.com", "Automated cluster snapshot created",
		"2026-11-22 03:09:41 KST", "Latest kida report"} {
		if !strings.Contains(string(b), w) && !strings.Contains(strings.ReplaceAll(string(b), "=\r\n", ""), w) {
			t.Errorf("email lacks %q", w)
		}
	}
}

func TestDryRunBuildsPayloadsAndSendsNothing(t *testing.T) {
	oncall, dba := newSlack(t), newSlack(t)
	h := newHarness(t, testConfig(oncall.URL+"/hook", dba.URL+"/hook"), Options{DryRun: true})
	out, err := h.relay.Handle(context.Background(), readEvent(t, "sns-alarm.json"))
	if err != nil || out.Failed() != 0 || len(out.Handled) != 1 {
		t.Fatal(err, out)
	}
	hd := out.Handled[0]
	if len(hd.Payloads) != 1 || hd.Payloads["oncall/slack"] == nil || len(hd.Deliveries) != 1 || !hd.Deliveries[0].DryRun {
		t.Fatalf("%+v", hd)
	}
	if len(oncall.got()) != 0 {
		t.Error("dry run sent")
	}
}

func TestDeduperBounds(t *testing.T) {
	d := NewDeduper(time.Minute)
	now := testNow
	if !d.Claim("a", now) || d.Claim("a", now) {
		t.Fatal("a second claim while busy must fail")
	}
	d.Release("a", now, false)
	if !d.Claim("a", now) {
		t.Fatal("a failed delivery must be claimable again")
	}
	d.Release("a", now, true)
	if d.Claim("a", now.Add(59*time.Second)) || !d.Claim("a", now.Add(time.Minute)) {
		t.Fatal("window")
	}
	for i := 0; i < maxRemembered+10; i++ {
		k := "k" + strconv.Itoa(i)
		d.Claim(k, now)
		d.Release(k, now, true)
	}
	if len(d.done) > maxRemembered || len(d.order) > maxRemembered {
		t.Fatalf("memory not bounded: %d %d", len(d.done), len(d.order))
	}
	if NewDeduper(0).Claim("x", now) != true {
		t.Fatal("window 0 disables")
	}
}

// An instance alarm names its cluster, and links the cluster's report, when kida.yaml knows the cluster.
func TestInstanceResolvesToItsCluster(t *testing.T) {
	ns, _ := Parse(readEvent(t, "sns-alarm.json"))
	f := Format{ReportURL: "https://reports.example.com/{cluster}/latest.html", ClusterOf: func(id string) string {
		if strings.HasPrefix(id, "orders-prod-") {
			return "orders-prod"
		}
		return ""
	}}
	b, _ := delivery.MarshalJSON(f.Slack(ns[0]))
	for _, w := range []string{"*Database:* DB instance orders-prod-1 (cluster orders-prod)", "https://reports.example.com/orders-prod/latest.html"} {
		if !strings.Contains(string(b), w) {
			t.Errorf("lacks %q: %s", w, b)
		}
	}
	if e := f.Email(ns[0]); !strings.Contains(e.Text, "DB instance orders-prod-1 (cluster orders-prod)") {
		t.Errorf("email: %s", e.Text)
	}
}
