package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

const sentinelHook = "SENTINEL-hook-5d1e"

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kida.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const deliveryYAML = `region: ap-northeast-2
delivery:
  s3:
    bucket: kida-reports-123456789012
    prefix: team-a
    expiry: 3d
    sse: aws:kms
    kms_key_id: alias/kida-reports
  email:
    from: kida@example.com
    to: [dba@example.com]
    region: us-east-1
  slack:
    workflow_webhook_env: KIDA_TEST_WORKFLOW
    incoming_webhook_file: %FILE%
  sns:
    topic_arn: arn:aws:sns:ap-northeast-2:123456789012:db-reports
`

func TestDeliveryConfigFromYAMLAndSecrets(t *testing.T) {
	hookFile := filepath.Join(t.TempDir(), "incoming")
	os.WriteFile(hookFile, []byte("https://hooks.slack.com/services/T0/B0/"+sentinelHook+"\n"), 0o600)
	file := writeYAML(t, strings.ReplaceAll(deliveryYAML, "%FILE%", hookFile))
	getenv := env("KIDA_TEST_WORKFLOW", "https://hooks.slack.com/triggers/T0/W0/"+sentinelHook)
	cfg, err := parseConfig("report", []string{"--config", file}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Delivery
	if d.S3 == nil || d.S3.Bucket != "kida-reports-123456789012" || d.S3.Prefix != "team-a/" || d.S3.Expiry != 72*time.Hour ||
		d.S3.SSE != delivery.SSEKMS || d.S3.KMSKeyID != "alias/kida-reports" {
		t.Errorf("s3 %+v", d.S3)
	}
	if d.Email == nil || d.Email.Region != "us-east-1" || d.SNS == nil || d.SNS.Region() != "ap-northeast-2" {
		t.Errorf("email %+v sns %+v", d.Email, d.SNS)
	}
	if !strings.HasSuffix(d.Slack.Workflow.Reveal(), "/W0/"+sentinelHook) || !strings.HasSuffix(d.Slack.Incoming.Reveal(), "/B0/"+sentinelHook) {
		t.Error("webhooks not read from env / file")
	}
	// the delivery tools appear (configured) and vanish with --read-only
	names := func(args ...string) []string {
		cfg, err := parseConfig("serve", append([]string{"--config", file, "--toolsets", "all"}, args...), getenv, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		list, err := selected(cfg, fixedRegion{demo.New(time.Now())}, tools.Env{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tl := range list {
			if tl.Toolset == "delivery" {
				out = append(out, tl.Name)
			}
		}
		return out
	}
	if got := strings.Join(names(), ","); got != "publish_report,send_report_email,notify_slack,publish_sns" {
		t.Errorf("delivery tools %q", got)
	}
	if got := names("--read-only"); len(got) != 0 {
		t.Errorf("--read-only still serves %v", got)
	}
	// without a delivery section, a real (non-demo) server has no delivery tools
	plain := writeYAML(t, "region: ap-northeast-2\n")
	cfg, _ = parseConfig("serve", []string{"--config", plain, "--toolsets", "all"}, env(), io.Discard)
	list, _ := selected(cfg, fixedRegion{demo.New(time.Now())}, tools.Env{})
	for _, tl := range list {
		if tl.Toolset == "delivery" {
			t.Errorf("unconfigured delivery tool %s", tl.Name)
		}
	}
}

// fixedRegion hides the demo type, so registry treats the clients as a real account.
type fixedRegion struct{ awsclient.Clients }

func TestDeliveryConfigErrorsNameKeyAndFix(t *testing.T) {
	secretURL := "https://hooks.slack.com/triggers/T0/W0/" + sentinelHook
	for want, yaml := range map[string]string{
		"delivery.slack.workflow_webhook_url: webhook URLs are secrets":       "delivery:\n  slack:\n    workflow_webhook_url: " + secretURL + "\n",
		"environment variable KIDA_UNSET_HOOK is not set":                     "delivery:\n  slack:\n    workflow_webhook_env: KIDA_UNSET_HOOK\n",
		"must name an environment variable":                                   "delivery:\n  slack:\n    workflow_webhook_env: " + secretURL + "\n",
		"_env and delivery.slack.incoming_webhook_file are both set":          "delivery:\n  slack:\n    incoming_webhook_env: X\n    incoming_webhook_file: /x\n",
		"delivery.s3.bucket: missing":                                         "delivery:\n  s3:\n    prefix: x\n",
		"delivery.s3.expiry: 8d":                                              "delivery:\n  s3:\n    bucket: kida-reports\n    expiry: 8d\n",
		"delivery.s3.sse: \"aes\" is not AES256":                              "delivery:\n  s3:\n    bucket: kida-reports\n    sse: aes\n",
		"delivery.email.to: no recipients":                                    "delivery:\n  email:\n    from: kida@example.com\n",
		"delivery.sns.topic_arn":                                              "delivery:\n  sns:\n    topic_arn: db-reports\n",
		"field bukket not found":                                              "delivery:\n  s3:\n    bukket: x\n",
		"delivery.slack.workflow_webhook: the configured URL is not an https": "delivery:\n  slack:\n    workflow_webhook_env: KIDA_TEST_HTTP_HOOK\n",
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"report", "--config", writeYAML(t, yaml)}, nil, &stdout, &stderr,
			env("KIDA_TEST_HTTP_HOOK", "http://hooks.example.com/"+sentinelHook))
		out := stdout.String() + stderr.String()
		if code != 2 || !strings.Contains(out, want) {
			t.Errorf("%q: exit %d, output %q", want, code, out)
		}
		if strings.Contains(out, sentinelHook) {
			t.Errorf("%q: the error echoes the webhook URL: %s", want, out)
		}
	}
	for _, args := range [][]string{{"--shard", "3/3"}, {"--shard", "x"}, {"--date", "2026-13-01"}, {"--date", "2999-01-01"}, {"--log-format", "yaml"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"report", "--demo"}, args...), nil, &stdout, &stderr, env()); code != 2 {
			t.Errorf("%v: exit %d: %s%s", args, code, stdout.String(), stderr.String())
		}
	}
}

func TestSplitReportFlags(t *testing.T) {
	o, rest, err := splitReportFlags([]string{"--config", "k.yaml", "--dry-run", "--shard=1/4", "-date", "2026-11-20", "--demo"})
	if err != nil || !o.DryRun || o.Shard != 1 || o.NShards != 4 || o.Date != "2026-11-20" || strings.Join(rest, " ") != "--config k.yaml --demo" {
		t.Errorf("%+v %v %v", o, rest, err)
	}
}

// deniedRDS fails every DescribeDBClusters the way IAM does.
type deniedRDS struct{ awsclient.RDSAPI }

func (deniedRDS) DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBClusters",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:sts::210987654321:assumed-role/kida-readonly/kida is not authorized to perform: rds:DescribeDBClusters"}}
}

type deniedClients struct{ awsclient.Clients }

func (d deniedClients) RDS(region string) awsclient.RDSAPI { return deniedRDS{d.Clients.RDS(region)} }

// TestReportDemoThreeClustersOneDenied runs the whole pipeline on the demo fleet with a third cluster whose
// role lacks rds:DescribeDBClusters: two reports delivered to the outbox, one failure row in the email and
// Slack, exit status 1; and the webhook URL appears in no output or log line.
func TestReportDemoThreeClustersOneDenied(t *testing.T) {
	t.Chdir(t.TempDir())
	var mu sync.Mutex
	var hits []string
	failing := false
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		hits = append(hits, string(b))
		if failing {
			w.WriteHeader(400)
			w.Write([]byte("invalid_workflow_input " + r.URL.Path))
			return
		}
		w.Write([]byte("ok"))
	}))
	defer slack.Close()
	file := writeYAML(t, `report_dir: ./reports
concurrency: 2
clusters:
  - id: orders-prod
  - id: payments-prod
    region: ap-northeast-2
    role_arn: arn:aws:iam::210987654321:role/kida-readonly
  - id: billing-pg
delivery:
  s3:
    bucket: kida-demo-reports
  email:
    from: kida@example.com
    to: [dba@example.com]
  slack:
    workflow_webhook_env: KIDA_TEST_WORKFLOW
  sns:
    topic_arn: arn:aws:sns:ap-northeast-2:123456789012:db-reports
`)
	getenv := env("KIDA_TEST_WORKFLOW", slack.URL+"/triggers/T0/W0/"+sentinelHook)
	cfg, err := parseConfig("report", []string{"--demo", "--config", file, "--log-format", "json"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, logs bytes.Buffer
	logger, _, _ := newLogger(cfg, &logs)
	fleet := demo.New(time.Now())
	fleet.OutboxDir = demoOutbox
	code := runReport(context.Background(), cfg, reportOptions{NShards: 1}, reportRuntime{
		Stdout: &stdout, Logger: logger, Now: time.Now, Base: fleet,
		HTTP: http.DefaultClient, // the real webhook (httptest), not the demo outbox
		ClientsFor: func(_ context.Context, r ClusterRef) (awsclient.Clients, error) {
			return deniedClients{fleet}, nil
		},
	})
	out := stdout.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, logs.String())
	}
	for _, want := range []string{"FAILED     payments-prod (ap-northeast-2)", "AccessDenied", "Grant the IAM action rds:DescribeDBClusters",
		"CRITICAL   orders-prod", "s3://kida-demo-reports/reports/", "1 cluster(s) and 0 send(s) failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	objs, _ := filepath.Glob("outbox/s3/kida-demo-reports/reports/*/*.html")
	if len(objs) != 2 {
		t.Errorf("uploaded %v, want orders-prod and billing-pg", objs)
	}
	reports, _ := filepath.Glob("reports/*.html")
	if len(reports) != 2 {
		t.Errorf("local reports %v", reports)
	}
	emls, _ := filepath.Glob("outbox/email/*.eml")
	if len(emls) != 1 {
		t.Fatalf("emails %v", emls)
	}
	eml, _ := os.ReadFile(emls[0])
	if !bytes.Contains(eml, []byte("payments-prod (ap-northeast-2): FAILED at check")) {
		t.Errorf("email lacks the failure row")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 3 || !strings.Contains(hits[0], `"report_title":"payments-prod (ap-northeast-2) — `) || !strings.Contains(hits[0], "FAILED: AccessDenied") {
		t.Errorf("slack workflow posts: %v", hits)
	}
	for i, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line %d is not JSON: %q", i, line)
		}
	}
	if strings.Contains(out+logs.String(), sentinelHook) {
		t.Errorf("the webhook URL leaked into stdout or logs")
	}
	// a failing webhook: exact failure reported, URL still redacted
	failing = true
	mu.Unlock()
	stdout.Reset()
	logs.Reset()
	code = runReport(context.Background(), cfg, reportOptions{NShards: 1, Shard: 0}, reportRuntime{Stdout: &stdout, Logger: logger, Now: time.Now, Base: fleet, HTTP: http.DefaultClient})
	mu.Lock()
	if code != 1 || !strings.Contains(stdout.String(), "slack-workflow → billing-pg: FAILED: HTTP 400: invalid_workflow_input") {
		t.Errorf("failing webhook: exit %d\n%s", code, stdout.String())
	}
	if strings.Contains(stdout.String()+logs.String(), sentinelHook) {
		t.Errorf("the webhook URL leaked:\n%s\n%s", stdout.String(), logs.String())
	}
}

// TestReportDemoCommand is `kida-mcp report --demo` as `make demo` runs it: exit 0, reports and outbox.
func TestReportDemoCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "--demo", "--shard", "0/2"}, nil, &stdout, &stderr, env())
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	for _, p := range []string{"outbox/slack/incoming.json", "outbox/s3/kida-demo-reports/reports"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("missing %s", p)
		}
	}
	if m, _ := filepath.Glob("reports/*.html"); len(m) != 1 {
		t.Errorf("shard 0/2 of the demo fleet should report one cluster, got %v", m)
	}
	if !strings.Contains(stdout.String(), "Demo outbox") || !strings.Contains(stdout.String(), "(shard 0/2)") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), `msg="report finished"`) {
		t.Errorf("text logs on stderr: %s", stderr.String())
	}
}

// TestDeliveryExamples: examples/kida.yaml and kida-demo.yaml load; the delivery IAM policy grants exactly
// what delivery calls, on the resources kida.yaml names; the cron, systemd and kiro files use real flags and
// real tools, and the kiro script trusts read-only tools only.
func TestDeliveryExamples(t *testing.T) {
	cfg, err := parseConfig("report", []string{"--config", "../../examples/kida.yaml"}, env("KIDA_SLACK_WORKFLOW_URL", "https://hooks.slack.com/triggers/T0/W0/x"), io.Discard)
	if err != nil {
		t.Fatalf("examples/kida.yaml: %v", err)
	}
	if _, err := parseConfig("report", []string{"--demo", "--config", "../../examples/kida-demo.yaml"}, env(), io.Discard); err != nil {
		t.Fatalf("examples/kida-demo.yaml: %v", err)
	}
	d := cfg.Delivery
	if d.S3 == nil || d.Email == nil || d.Slack == nil || d.SNS == nil {
		t.Fatalf("examples/kida.yaml should show every destination: %v", d.Destinations())
	}
	b, err := os.ReadFile("../../examples/iam/kida-delivery-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var pol struct {
		Statement []struct {
			Effect    string
			Action    any
			Resource  any
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal(b, &pol); err != nil {
		t.Fatal(err)
	}
	list := func(v any) []string {
		switch x := v.(type) {
		case string:
			return []string{x}
		case []any:
			var out []string
			for _, e := range x {
				out = append(out, e.(string))
			}
			return out
		}
		return nil
	}
	granted := map[string][]string{}
	for _, st := range pol.Statement {
		if st.Effect != "Allow" {
			t.Errorf("unexpected effect %s", st.Effect)
		}
		for _, a := range list(st.Action) {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s", a)
			}
			granted[a] = append(granted[a], list(st.Resource)...)
		}
	}
	objects := "arn:aws:s3:::" + d.S3.Bucket + "/" + d.S3.Prefix + "reports/*"
	domain := d.Email.From[strings.IndexByte(d.Email.From, '@')+1:]
	want := map[string]string{
		"s3:PutObject":  objects,
		"s3:GetObject":  objects, // presigned URLs carry the signer's rights
		"ses:SendEmail": "arn:aws:ses:" + d.Email.Region + ":123456789012:identity/" + domain,
		"sns:Publish":   d.SNS.TopicARN,
	}
	if len(granted) != len(want) {
		t.Errorf("policy grants %v, want exactly %v", granted, want)
	}
	for a, r := range want {
		if got := granted[a]; len(got) != 1 || got[0] != r {
			t.Errorf("%s on %v, want %s", a, got, r)
		}
	}
	// flags and tools named in the scheduling examples exist
	known := map[string]bool{"--dry-run": true, "--shard": true, "--date": true}
	for _, f := range Flags() {
		known["--"+f.Name] = true
		known[f.Env] = true
	}
	catalogue := map[string]bool{}
	readOnly := map[string]bool{}
	for _, tl := range allTools(demo.New(time.Now()), tools.Env{}, Config{}) {
		catalogue[tl.Name], readOnly[tl.Name] = true, tl.ReadOnly
	}
	flagRE := regexp.MustCompile(`kida-mcp report[^\n]*`)
	for _, f := range []string{"cron/kida-report.cron", "systemd/kida-report.service", "systemd/kida-report.timer", "cron/kida-kiro-daily.sh"} {
		b, err := os.ReadFile("../../examples/" + f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, line := range flagRE.FindAllString(s, -1) {
			for _, fl := range regexp.MustCompile(`--[a-z][a-z-]+`).FindAllString(line, -1) {
				if !known[fl] {
					t.Errorf("%s uses unknown flag %s", f, fl)
				}
			}
		}
		for _, e := range regexp.MustCompile(`KIDA_[A-Z_]+`).FindAllString(s, -1) {
			if !known[e] && !strings.HasPrefix(e, "KIDA_SLACK_") {
				t.Errorf("%s uses unknown env %s", f, e)
			}
		}
		for _, m := range regexp.MustCompile(`@kida/([a-z_]+)`).FindAllStringSubmatch(s, -1) {
			if !catalogue[m[1]] {
				t.Errorf("%s names unknown tool %s", f, m[1])
			}
		}
		if f == "cron/kida-kiro-daily.sh" {
			trust := regexp.MustCompile(`(?m)^TRUST=(.*)$`).FindStringSubmatch(s)
			if trust == nil {
				t.Fatal("kiro script has no TRUST= line")
			}
			for _, name := range strings.Split(trust[1], ",") {
				if n := strings.TrimPrefix(name, "@kida/"); !readOnly[n] {
					t.Errorf("kiro script trusts %s, which is not read-only", n)
				}
			}
		}
	}
}
