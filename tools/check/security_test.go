package check

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/testkit/faultproxy"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// xssCorpus is what hostile or careless text in AWS data looks like: script tags, event handlers,
// javascript: URLs, a style break-out, the JS line separators, template-literal and Go-template syntax and
// Slack's control sequences. Every entry carries "XSS" so the test can find where it went.
var xssCorpus = []string{
	`<script>alert("XSS1")</script>`,
	`"><img src=x onerror=alert('XSS2')>`,
	`javascript:alert('XSS3')`,
	`</style><script>alert('XSS4')</script>`,
	"XSS5 line\u2028separator\u2029paragraph",
	"${alert('XSS6')}`+alert(document.cookie)+`",
	`<svg onload=alert('XSS7')>`,
	`<!channel> <https://evil.example|XSS8 click> *bold*`,
	`{{.Cluster}} {{template "x"}} XSS9 </script>`,
}

// sentinel stands for a secret (a webhook URL's token) that must never be echoed anywhere.
const sentinel = "SENTINELxq7Zk2SECRET"

func xmlEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func jsonStr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hostileStubs put the corpus into event messages, CloudTrail users and source IPs, and Performance
// Insights SQL text.
func hostileStubs(now time.Time) []faultproxy.Stub {
	var evs strings.Builder
	for i, x := range xssCorpus {
		fmt.Fprintf(&evs, `<Event><SourceIdentifier>%s</SourceIdentifier><SourceType>db-cluster</SourceType><Message>%s</Message><EventCategories><member>notification</member></EventCategories><Date>%s</Date><SourceArn>arn:aws:rds:us-east-1:123456789012:cluster:%s</SourceArn></Event>`,
			wireCluster, xmlEsc("Cluster note "+x), now.Add(-time.Duration(i+1)*time.Hour).Format(time.RFC3339), wireCluster)
	}
	var trail []string
	for i, x := range xssCorpus {
		rec := map[string]any{"sourceIPAddress": x, "userIdentity": map[string]any{"type": "IAMUser", "userName": x, "arn": "arn:aws:iam::123456789012:user/x"}}
		rb, _ := json.Marshal(rec)
		trail = append(trail, fmt.Sprintf(`{"EventId":"ev-%d","EventName":"ModifyDBCluster","EventSource":"rds.amazonaws.com","EventTime":%d,"Username":%s,"ReadOnly":"false","CloudTrailEvent":%s,"Resources":[{"ResourceType":"AWS::RDS::DBCluster","ResourceName":%s}]}`,
			i, now.Add(-time.Duration(i+1)*time.Hour).Unix(), jsonStr(x), jsonStr(string(rb)), jsonStr(wireCluster)))
	}
	start := now.Add(-24 * time.Hour).Truncate(time.Hour)
	keys := fmt.Sprintf(`{"AlignedStartTime":%d,"AlignedEndTime":%d,"PartitionKeys":[{"Dimensions":{"db.wait_event.name":"CPU","db.wait_event.type":"CPU"}}],`+
		`"Keys":[{"Dimensions":{"db.sql_tokenized.id":"B1C5E0F3B9D24C7E8F6A0B1C2D3E4F50","db.sql_tokenized.statement":%s},"Total":1.2,"Partitions":[1.2]}]}`,
		start.Unix(), now.Unix(), jsonStr("SELECT `"+xssCorpus[1]+"` FROM `"+xssCorpus[3]+"` WHERE x = ?"))
	stubs := []faultproxy.Stub{
		{Op: "rds:DescribeEvents", Body: `<DescribeEventsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeEventsResult><Events>` + evs.String() +
			`</Events></DescribeEventsResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DescribeEventsResponse>`},
		{Op: "cloudtrail:LookupEvents", Body: `{"Events":[` + strings.Join(trail, ",") + `]}`},
		{Op: "pi:DescribeDimensionKeys", Body: keys},
	}
	return append(stubs, faultproxy.MotoGaps(now)...) // first match wins: ours before the defaults
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestHostileTextEndToEnd: the XSS corpus arrives through every channel AWS data has into a check (slow-log
// SQL, error-log lines, RDS event messages, alarm names and reasons, CloudTrail users and source IPs, PI
// SQL) plus cluster and member names, and the daily pipeline renders and delivers it: the HTML report,
// the email and the Slack payloads keep their structure and execute nothing. Slack webhooks carry a
// sentinel secret that appears in no output, payload, report or log line — even when the endpoint echoes
// its URL back in an error.
func TestHostileTextEndToEnd(t *testing.T) {
	moto := awstest.StartMoto(t)
	now := time.Now().UTC().Truncate(time.Minute)
	cfg := moto.Config(t, "us-east-1")
	var sql []string
	for _, x := range xssCorpus {
		sql = append(sql, "SELECT `"+x+"`, a FROM orders /* "+x+" */ WHERE b = 1;")
	}
	ids := faultproxy.SeedCluster(t, cfg, faultproxy.ClusterSeed{ID: wireCluster, NoMetrics: true, SlowLog: 45, ErrorLog: 27, Messages: xssCorpus, Statements: sql}, now)
	cw := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchJSON())
	for i, x := range xssCorpus[:4] {
		name := fmt.Sprintf("cpu-%d %s", i, x)
		if _, err := cw.PutMetricAlarm(t.Context(), &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"),
			MetricName: aws.String("CPUUtilization"), Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(ids[0])}},
			Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), Threshold: aws.Float64(90),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, AlarmDescription: aws.String(x)}); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.SetAlarmState(t.Context(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String(x)}); err != nil {
			t.Fatal(err)
		}
	}
	topic := seedDestinations(t, moto)
	p, err := faultproxy.New(moto.URL(), faultproxy.Options{Stubs: append(hostileStubs(now), faultproxy.MetricData()), Rewrite: faultproxy.EnablePI})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	prov, err := awsclient.Load(context.Background(), awsclient.Options{Region: "us-east-1", Endpoint: p.URL(), CloudWatchProtocol: awsclient.ProtocolJSON,
		MaxAttempts: 1, Isolated: true, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}

	// Slack: the workflow webhook answers 200 and records the payload; the incoming one echoes its URL in a 404.
	var slackMu sync.Mutex
	var slackBodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		slackMu.Lock()
		slackBodies = append(slackBodies, string(b))
		slackMu.Unlock()
		if strings.Contains(r.URL.Path, "/services/") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "no_service: "+r.URL.String())
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer hook.Close()

	var logs logBuf
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	sender := delivery.NewSender(delivery.Deps{Clients: prov, Env: tools.Env{Now: time.Now, Logger: logger}, Render: report.Write, ReportDir: dir,
		HTTP: hook.Client(), Sleep: func(context.Context, time.Duration) error { return nil },
		Config: delivery.Config{S3: &delivery.S3Config{Bucket: "kida-fault", Expiry: delivery.MaxExpiry},
			Email: &delivery.EmailConfig{From: "kida@example.com", To: []string{"dba@example.com"}}, SNS: &delivery.SNSConfig{TopicARN: topic},
			Slack: &delivery.SlackConfig{Workflow: delivery.NewSecret(hook.URL + "/triggers/T0/" + sentinel),
				Incoming: delivery.NewSecret(hook.URL + "/services/T0/B0/" + sentinel)}}})
	var got report.Check
	out := sender.RunPipeline(context.Background(), []delivery.Target{{Cluster: wireCluster, Region: "us-east-1"}}, delivery.PipelineOptions{
		Date: now, Concurrency: 1,
		Check: func(ctx context.Context, c awsclient.Clients, id, region string) (report.Check, error) {
			ch, err := Run(ctx, Deps{Clients: c, Env: tools.Env{Now: func() time.Time { return now }, Logger: logger}}, id, region, Options{Window: timewin.Input{Since: "24h"}})
			if err != nil {
				return ch, err
			}
			// AWS identifiers cannot carry markup; a hostile renderer input still must not break out.
			ch.Cluster = wireCluster + " " + xssCorpus[0]
			ch.Topology.Members[1].ID += xssCorpus[1]
			ch.Headline += " " + xssCorpus[7]
			if len(ch.Findings) > 0 {
				ch.Findings[0].Title += " " + xssCorpus[7]
				ch.Findings[0].Resource += xssCorpus[2]
			}
			return ch, nil
		},
		Saved: func(c report.Check) { got = c },
	})
	if len(out.Rows) != 1 || out.Rows[0].Error != "" || out.Rows[0].ReportPath == "" {
		t.Fatalf("rows: %+v", out.Rows)
	}

	// The corpus got in through every channel.
	reached := map[string]bool{
		"slow-log SQL":   len(got.SlowQueries.Classes) > 0 && strings.Contains(got.SlowQueries.Classes[0].Example+got.SlowQueries.Classes[0].Fingerprint, "XSS"),
		"error log":      anyContains(len(got.ErrorLog.Patterns), func(i int) string { return got.ErrorLog.Patterns[i].Pattern + got.ErrorLog.Patterns[i].Example }),
		"event messages": anyContains(len(got.Events), func(i int) string { return got.Events[i].Message }),
		"alarms":         anyContains(len(got.Alarms), func(i int) string { return got.Alarms[i].Name + got.Alarms[i].Reason }),
		"cloudtrail":     anyContains(len(got.CloudTrail), func(i int) string { return got.CloudTrail[i].User + got.CloudTrail[i].SourceIP }),
		"PI SQL":         anyContains(len(got.DBLoad), func(i int) string { return fmt.Sprint(got.DBLoad[i].TopSQL) }),
	}
	for k, ok := range reached {
		if !ok {
			t.Errorf("the corpus did not reach the check through %s", k)
		}
	}

	doc, err := os.ReadFile(out.Rows[0].ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	var base bytes.Buffer
	if err := report.HTML(&base, report.SampleCheck(2, 3, 60)); err != nil {
		t.Fatal(err)
	}
	checkMarkup(t, "HTML report", string(doc), base.String())
	if out.Email == nil {
		t.Fatal("no email built")
	}
	benign, err := delivery.BuildEmail([]delivery.Row{delivery.RowFor(report.SampleCheck(2, 3, 60))}, out.Date, time.UTC, now)
	if err != nil {
		t.Fatal(err)
	}
	checkMarkup(t, "email", out.Email.HTML, benign.HTML)

	slackMu.Lock()
	bodies := append([]string(nil), slackBodies...)
	slackMu.Unlock()
	if len(bodies) < 2 {
		t.Fatalf("Slack got %d posts", len(bodies))
	}
	reachedSlack := false
	for _, b := range bodies {
		reachedSlack = reachedSlack || (!strings.Contains(b, `"report_title"`) && strings.Contains(b, "XSS8"))
		if !json.Valid([]byte(b)) {
			t.Errorf("Slack payload is not JSON: %.300s", b)
		}
		if strings.Contains(b, `"report_title"`) {
			continue // workflow variables are plain text (Slack does not parse them); the cluster name is an AWS identifier
		}
		for _, bad := range []string{"<!channel>", "<https://evil", "<script", "<img", "<svg"} {
			if strings.Contains(b, bad) {
				t.Errorf("Slack payload carries %q unescaped: %.500s", bad, b)
			}
		}
	}

	if !reachedSlack {
		t.Error("the corpus did not reach the Slack summary")
	}

	// The sentinel secret: nowhere.
	var md bytes.Buffer
	if err := report.Markdown(&md, got); err != nil {
		t.Fatal(err)
	}
	outcome, _ := json.Marshal(out)
	for name, s := range map[string]string{"report": string(doc), "markdown": md.String(), "email html": out.Email.HTML, "email text": out.Email.Text,
		"slack payloads": strings.Join(bodies, "\n"), "outcome": string(outcome), "logs": logs.String()} {
		if strings.Contains(s, sentinel) {
			t.Errorf("the sentinel secret appears in the %s", name)
		}
	}
	if !strings.Contains(string(outcome), "404") {
		t.Errorf("the incoming webhook's failure is not reported: %s", outcome)
	}
}

func anyContains(n int, at func(int) string) bool {
	for i := 0; i < n; i++ {
		if strings.Contains(at(i), "XSS") {
			return true
		}
	}
	return false
}

var (
	scriptRE = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	attrRE   = regexp.MustCompile(`(?i)<[a-z][a-z0-9-]*\s[^>]*?\s(on[a-z]+)\s*=`)
	hrefRE   = regexp.MustCompile(`(?i)\s(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(?:javascript|data|vbscript):`)
)

// checkMarkup asserts that doc, which carries the corpus, has exactly the executable structure of base, a
// document of the same renderer with benign content: the same inline scripts (byte for byte: the CSP hashes
// them), as many style elements, no event-handler attribute, no script/data URL, no corpus tag raw, no raw
// U+2028/2029 inside a script.
func checkMarkup(t *testing.T, name, doc, base string) {
	t.Helper()
	if !strings.Contains(doc, "XSS") {
		t.Errorf("%s: the corpus is not in it at all", name)
	}
	code := func(d string) (codes []string, data int) {
		for _, m := range scriptRE.FindAllStringSubmatch(d, -1) {
			if strings.Contains(m[1], "application/json") {
				data++
				if strings.ContainsAny(m[2], "\u2028\u2029<") {
					t.Errorf("%s: JSON data block carries a raw '<' or line separator", name)
				}
				continue
			}
			codes = append(codes, m[2])
		}
		return codes, data
	}
	dc, dd := code(doc)
	bc, bd := code(base)
	if len(dc) != len(bc) || dd != bd {
		t.Errorf("%s: %d scripts and %d data blocks, the renderer makes %d and %d", name, len(dc), dd, len(bc), bd)
	}
	for i := range dc {
		if i < len(bc) && dc[i] != bc[i] {
			t.Errorf("%s: inline script %d differs from the renderer's own", name, i)
		}
	}
	for _, tag := range []string{"<script", "</script", "<style", "</style"} {
		if a, b := strings.Count(strings.ToLower(doc), tag), strings.Count(strings.ToLower(base), tag); a != b {
			t.Errorf("%s: %d %q, the renderer makes %d", name, a, tag, b)
		}
	}
	if m := attrRE.FindString(doc); m != "" {
		t.Errorf("%s: event-handler attribute: %.200s", name, m)
	}
	if m := hrefRE.FindString(doc); m != "" {
		t.Errorf("%s: script URL: %.200s", name, m)
	}
	for _, x := range []string{"<img src=x", "<svg onload", "<script>alert", "</style><script>", "<!channel>"} {
		if strings.Contains(doc, x) {
			t.Errorf("%s: %q appears unescaped", name, x)
		}
	}
}

// eventStorm is the demo fleet whose RDS answers every DescribeEvents with 1,000 events (1 KB messages).
type eventStorm struct{ *demo.Fleet }

type stormRDS struct {
	awsclient.RDSAPI
	now time.Time
}

func (e eventStorm) RDS(region string) awsclient.RDSAPI {
	return stormRDS{e.Fleet.RDS(region), e.Fleet.Now}
}

func (s stormRDS) DescribeEvents(_ context.Context, in *rds.DescribeEventsInput, _ ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	out := &rds.DescribeEventsOutput{}
	for i := 0; i < 1000; i++ {
		id := aws.ToString(in.SourceIdentifier)
		out.Events = append(out.Events, rdstypes.Event{Date: aws.Time(s.now.Add(-time.Duration(i) * time.Minute)), SourceType: in.SourceType,
			SourceIdentifier: aws.String(id), EventCategories: []string{"notification"},
			Message: aws.String(fmt.Sprintf("event %d on %s: %s", i, id, strings.Repeat("<b>long</b> ", 90)))})
	}
	return out, nil
}

// TestOutputCapsThousandEvents: 1,000 events per source keep get_rds_events and run_health_check answers
// bounded (text and structured content), and the report renders within its size budget.
func TestOutputCapsThousandEvents(t *testing.T) {
	fleet := demo.New(now)
	c := eventStorm{fleet}
	env := tools.Env{Now: func() time.Time { return now }}
	s := testkit.Client(t, append(events.Tools(c, env), Tools(c, env, NewStore(t.TempDir(), 4))...))
	// get_rds_events lists the newest 100 (its default limit) with messages cut at 500 runes; the check
	// answers with counts and findings only.
	for _, call := range []struct {
		tool            string
		args            map[string]any
		maxText, maxSts int
	}{{"get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "24h"}, 64 << 10, 192 << 10},
		{"run_health_check", map[string]any{"cluster_id": "orders-prod", "since": "24h"}, 16000, 64 << 10}} {
		res := s.Call(call.tool, call.args)
		if res.IsError {
			t.Fatalf("%s: %s", call.tool, testkit.Text(res))
		}
		text := testkit.Text(res)
		sc, _ := json.Marshal(res.StructuredContent)
		t.Logf("%s with 1,000 events per source: text %d bytes, structured %d bytes", call.tool, len(text), len(sc))
		if len(text) > call.maxText || len(sc) > call.maxSts {
			t.Errorf("%s: text %d bytes, structured %d bytes", call.tool, len(text), len(sc))
		}
	}
	ch, err := Run(context.Background(), Deps{Clients: c, Env: env}, "orders-prod", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.HTML(&b, ch); err != nil {
		t.Fatal(err)
	}
	t.Logf("report with %d events: %d bytes", len(ch.Events), b.Len())
	if b.Len() > 2<<20 {
		t.Errorf("report with %d events is %d bytes", len(ch.Events), b.Len())
	}
}
