package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

func TestKeyAndContentType(t *testing.T) {
	d := time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)
	for _, tc := range []struct{ prefix, want string }{
		{"", "reports/20261122/orders-prod.html"},
		{"team-a", "team-a/reports/20261122/orders-prod.html"},
		{"team-a/", "team-a/reports/20261122/orders-prod.html"},
	} {
		if got := Key(tc.prefix, "orders-prod", d, "html"); got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
	if got := Key("", "../etc/x", d, "html"); strings.Contains(got, "..") || strings.Count(got, "/") != 2 {
		t.Errorf("unsafe cluster name gave key %q", got)
	}
	if ct := ContentType(".html"); ct != "text/html; charset=utf-8" {
		t.Errorf("html content type %q", ct)
	}
}

func TestEffectiveExpiry(t *testing.T) {
	ctx := context.Background()
	fleet := demo.New(now)
	static := fakeStatic{fleet}
	e, err := EffectiveExpiry(ctx, static, MaxExpiry, now)
	if err != nil || e.Duration != MaxExpiry || e.LimitedBy != LimitRequested {
		t.Errorf("static creds, 7d requested: %+v %v", e, err)
	}
	e, err = EffectiveExpiry(ctx, static, 30*24*time.Hour, now)
	if err != nil || e.Duration != MaxExpiry || e.LimitedBy != LimitMax7d {
		t.Errorf("static creds, 30d requested: %+v %v", e, err)
	}
	e, err = EffectiveExpiry(ctx, expiringClients{fleet, now.Add(5 * time.Hour)}, MaxExpiry, now)
	if err != nil || e.Duration != 5*time.Hour || e.LimitedBy != LimitCredentials || !e.At.Equal(now.Add(5*time.Hour)) {
		t.Errorf("5h creds: %+v %v", e, err)
	}
	note := e.Note(MaxExpiry, seoul)
	if !strings.Contains(note, "valid for 5h") || !strings.Contains(note, "2026-11-22 14:05 KST") || !strings.Contains(note, "not 7d") {
		t.Errorf("note %q", note)
	}
	e, err = EffectiveExpiry(ctx, expiringClients{fleet, now.Add(5 * time.Hour)}, 2*time.Hour, now)
	if err != nil || e.Duration != 2*time.Hour || e.LimitedBy != LimitRequested {
		t.Errorf("2h requested under 5h creds: %+v %v", e, err)
	}
	if _, err := EffectiveExpiry(ctx, expiringClients{fleet, now.Add(2 * time.Minute)}, MaxExpiry, now); err == nil || !strings.Contains(err.Error(), "dead on arrival") {
		t.Errorf("2-minute creds should fail: %v", err)
	}
}

type fakeStatic struct{ *demo.Fleet }

func (fakeStatic) CredentialsExpiry(context.Context) (time.Time, bool, error) {
	return time.Time{}, false, nil
}

func TestConfigValidateNamesKeyAndFix(t *testing.T) {
	good := Config{
		S3:    &S3Config{Bucket: "kida-reports-123", Expiry: MaxExpiry},
		Email: &EmailConfig{From: "kida@example.com", To: []string{"a@example.com"}},
		Slack: &SlackConfig{Workflow: NewSecret("https://hooks.slack.com/triggers/T1/2/secret")},
		SNS:   &SNSConfig{TopicARN: "arn:aws:sns:us-east-1:123456789012:db-reports"},
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	const sentinel = "SENTINEL-do-not-print"
	for want, mut := range map[string]func(*Config){
		"delivery.s3.bucket":                            func(c *Config) { c.S3.Bucket = "My_Bucket" },
		"delivery.s3.expiry: 30d is longer than 7 days": func(c *Config) { c.S3.Expiry = 30 * 24 * time.Hour },
		"delivery.s3.sse":                               func(c *Config) { c.S3.SSE = "aes" },
		"delivery.s3.kms_key_id":                        func(c *Config) { c.S3.KMSKeyID = "k" },
		"delivery.s3.prefix":                            func(c *Config) { c.S3.Prefix = "../x" },
		"delivery.email.from":                           func(c *Config) { c.Email.From = "nobody" },
		"delivery.email.to: no recipients":              func(c *Config) { c.Email.To = nil },
		"delivery.slack.workflow_webhook":               func(c *Config) { c.Slack.Workflow = NewSecret("ftp://" + sentinel) },
		"delivery.sns.topic_arn":                        func(c *Config) { c.SNS.TopicARN = "db-reports" },
	} {
		c := good
		s3c, ec, sc, nc := *good.S3, *good.Email, *good.Slack, *good.SNS
		c.S3, c.Email, c.Slack, c.SNS = &s3c, &ec, &sc, &nc
		mut(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
		if err != nil && strings.Contains(err.Error(), sentinel) {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}

func TestSecretIsRedactedEverywhere(t *testing.T) {
	const url = "https://hooks.slack.com/services/T0/B0/SENTINELxyz"
	s := NewSecret(url)
	cfg := SlackConfig{Workflow: s, Incoming: s}
	var lb logBuffer
	lb.logger().Info("cfg", "slack", cfg, "hook", s)
	slog.New(slog.NewTextHandler(&lb, nil)).Info("cfg", "hook", s, "slack", cfg)
	b, _ := json.Marshal(cfg)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, s), string(b), lb.String()} {
		if strings.Contains(out, "SENTINEL") {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if s.Reveal() != url || Scrub("x "+url+" y", s) != "x [redacted] y" {
		t.Error("Reveal/Scrub")
	}
}

func rowsFixture() []Row {
	a := RowFor(sampleCheck("orders-prod", "ap-northeast-2", "critical"))
	a.Link = &Link{URL: "https://kida-reports.s3.ap-northeast-2.amazonaws.com/reports/20261122/orders-prod.html?X-Amz-Expires=18000&X-Amz-Signature=abc",
		Bucket: "kida-reports", Key: "reports/20261122/orders-prod.html", ExpiresAt: now.Add(5 * time.Hour), ExpiresInS: 18000, LimitedBy: LimitCredentials,
		Note: Expiry{Duration: 5 * time.Hour, At: now.Add(5 * time.Hour), LimitedBy: LimitCredentials}.Note(MaxExpiry, seoul)}
	b := RowFor(sampleCheck("billing-pg", "ap-northeast-2", "healthy"))
	b.LinkNote = "not published: no S3 bucket is configured"
	c := FailedRow("payments-prod", "us-east-1", "check", "AccessDenied: RDS DescribeDBClusters for payments-prod in us-east-1 was refused. Grant the IAM action rds:DescribeDBClusters")
	rows := []Row{b, a, c}
	SortRows(rows)
	return rows
}

func TestEmailLayoutAndContent(t *testing.T) {
	rows := rowsFixture()
	rows[1].Top[0].Title = `CPU </td><script>alert(1)</script><img src=x onerror=alert(1)>`
	e, err := BuildEmail(rows, "2026-11-22", seoul, now)
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "[kida] 2026-11-22 — CRITICAL: 3 clusters: 1 critical, 1 healthy, 1 failed" {
		t.Errorf("subject %q", e.Subject)
	}
	h := e.HTML
	for _, want := range []string{`role="presentation"`, `width="600"`, `name="x-apple-disable-message-reformatting"`,
		"payments-prod", "Failed at check: AccessDenied", "Open report", "X-Amz-Expires=18000&amp;X-Amz-Signature=abc",
		"valid for 5h", "not 7d", "bgcolor=\"#c53030\"", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("email HTML lacks %q", want)
		}
	}
	low := strings.ToLower(h)
	for _, bad := range []string{"<script", "<svg", "data:", "<style", "<img", "zgotmplz", "class="} {
		if strings.Contains(low, bad) {
			t.Errorf("email HTML contains %q", bad)
		}
	}
	if len(h) > maxEmailHTML {
		t.Errorf("email HTML is %d bytes", len(h))
	}
	for _, want := range []string{"payments-prod (us-east-1): FAILED at check — AccessDenied", "orders-prod (ap-northeast-2): CRITICAL — 1 critical, 1 warning, 1 info",
		"Report: https://kida-reports.s3", "billing-pg (ap-northeast-2): HEALTHY — 0 critical", "Report: not published: no S3 bucket", "  - [critical] CPU </td><script>alert(1)</script><img src=x onerror=alert(1)> (orders-prod-1)"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, e.Text)
		}
	}
	if !strings.Contains(e.Text, "(link valid for 5h (until 2026-11-22 14:05 KST), not 7d") {
		t.Errorf("text part does not state the real expiry:\n%s", e.Text)
	}
	// many clusters: heat strips are dropped before the email gets clipped
	var many []Row
	for i := 0; i < 120; i++ {
		r := RowFor(sampleCheck(fmt.Sprintf("cluster-%03d", i), "us-east-1", "warning"))
		many = append(many, r)
	}
	e, err = BuildEmail(many, "2026-11-22", seoul, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(e.HTML, "Max CPU per hour") > 30 {
		t.Errorf("too many heat strips")
	}
}

func TestSNSSubjectLimits(t *testing.T) {
	rows := rowsFixture()
	e, _ := BuildEmail(rows, "2026-11-22", seoul, now)
	m := BuildSNS(e, rows, "2026-11-22")
	if m.Subject != "[kida] 2026-11-22 - CRITICAL: 3 clusters: 1 critical, 1 healthy, 1 failed" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Message, "Report: https://") || !strings.Contains(m.Message, "valid for 5h") {
		t.Errorf("message lacks link/expiry:\n%s", m.Message)
	}
	var many []Row
	for i := 0; i < 5000; i++ {
		many = append(many, FailedRow(fmt.Sprintf("c%05d-%s", i, strings.Repeat("x", 40)), "us-east-1", "check", strings.Repeat("é", 30)))
	}
	e, _ = BuildEmail(many, "2026-11-22", seoul, now)
	m = BuildSNS(e, many, "2026-11-22")
	if len(m.Subject) >= 100 || len(m.Message) > maxSNSMessage {
		t.Errorf("limits: subject %d, message %d", len(m.Subject), len(m.Message))
	}
	for _, r := range m.Subject {
		if r < 0x20 || r >= 0x7f {
			t.Errorf("non-ASCII subject %q", m.Subject)
		}
	}
}

func TestToolSchemasNameNoDestination(t *testing.T) {
	d := Deps{Clients: demo.New(now), Config: Demo(), Env: tools.Env{Now: func() time.Time { return now }}, Render: fakeRender, ReportDir: t.TempDir()}
	list := Tools(d, memChecks{})
	if len(list) != 4 {
		t.Fatalf("want 4 delivery tools, got %d", len(list))
	}
	forbidden := []string{"url", "uri", "email", "address", "recipient", "to", "from", "bucket", "key", "prefix", "topic", "arn", "webhook", "channel_id", "region", "endpoint", "sender"}
	for _, tl := range list {
		if tl.ReadOnly || tl.Toolset != "delivery" || !tl.OpenWorld {
			t.Errorf("%s: annotations %+v", tl.Name, tl.Spec)
		}
		for _, p := range tl.Params {
			for _, f := range forbidden {
				for _, part := range strings.Split(p.Name, "_") {
					if part == f {
						t.Errorf("%s: input %q looks like a destination", tl.Name, p.Name)
					}
				}
			}
		}
		raw, _ := json.Marshal(tl.Def.RawInputSchema)
		if strings.Contains(strings.ToLower(string(raw)), `"format":"uri"`) || strings.Contains(strings.ToLower(string(raw)), `"format":"email"`) {
			t.Errorf("%s: input schema has a URL/email field: %s", tl.Name, raw)
		}
	}
	// only configured destinations get tools
	d.Config = Config{SNS: Demo().SNS}
	if l := Tools(d, memChecks{}); len(l) != 1 || l[0].Name != "publish_sns" {
		t.Errorf("SNS-only config: %v", l)
	}
	d.Config = Config{}
	if l := Tools(d, memChecks{}); len(l) != 0 {
		t.Errorf("no config should give no tools, got %d", len(l))
	}
}
