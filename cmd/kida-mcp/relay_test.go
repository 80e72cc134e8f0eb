package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

const relayEvents = "../../examples/relay/events"

func writeRelayConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kida.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type hookRecorder struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newHookRecorder(t *testing.T) *hookRecorder {
	h := &hookRecorder{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookRecorder) n() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.bodies) }

const relayYAML = `
region: ap-northeast-2
relay:
  timezone: Asia/Seoul
  dedupe_window: 30m
  destinations:
    oncall:
      slack:
        webhook_env: TEST_RELAY_ONCALL
    dba:
      slack:
        webhook_file: %s
  routes:
    - name: alarms
      kinds: [alarm]
      states: [ALARM, OK]
      to: [oncall]
    - name: rds-important
      kinds: [rds]
      categories: [backup, failover, failure, maintenance]
      to: [dba]
`

func TestRelayCommandFromFilesAndStdin(t *testing.T) {
	oncall, dba := newHookRecorder(t), newHookRecorder(t)
	hookFile := filepath.Join(t.TempDir(), "dba-hook")
	if err := os.WriteFile(hookFile, []byte(dba.URL+"/services/T/B/dbatoken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeRelayConfig(t, strings.Replace(relayYAML, "%s", hookFile, 1))
	env := map[string]string{"TEST_RELAY_ONCALL": oncall.URL + "/services/T/B/oncalltoken"}
	getenv := func(k string) string { return env[k] }
	alarm := filepath.Join(relayEvents, "sns-alarm.json")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"relay", "--config", cfg, alarm, alarm, filepath.Join(relayEvents, "eventbridge-rds-cluster-snapshot.json"),
		filepath.Join(relayEvents, "eventbridge-rds-parameter-group.json"), filepath.Join(relayEvents, "unknown-shape.json")}, strings.NewReader(""), &out, &errb, getenv)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if oncall.n() != 1 || dba.n() != 1 {
		t.Fatalf("posts: oncall %d dba %d\n%s", oncall.n(), dba.n(), out.String())
	}
	for _, w := range []string{"already delivered within the de-duplication window", "dropped by routing (default)", "unknown shape, acknowledged",
		"5 event(s): 5 notification(s): 2 message(s) sent, 1 duplicate(s) skipped, 1 dropped by routing, 1 unknown (acknowledged)"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	all := out.String() + errb.String()
	if strings.Contains(all, "oncalltoken") || strings.Contains(all, "dbatoken") {
		t.Errorf("a webhook URL was printed:\n%s", all)
	}
	// stdin: several events one after another, and a JSON array
	ev1, _ := os.ReadFile(filepath.Join(relayEvents, "sns-composite-alarm.json"))
	ev2, _ := os.ReadFile(filepath.Join(relayEvents, "eventbridge-rds-cluster-failover.json"))
	out.Reset()
	stdin := string(ev1) + "\n[" + string(ev2) + "]\n"
	if code := run(context.Background(), []string{"relay", "--config", cfg, "--dry-run"}, strings.NewReader(stdin), &out, &errb, getenv); code != 0 {
		t.Fatalf("dry run exit %d: %s %s", code, out.String(), errb.String())
	}
	if oncall.n() != 1 || dba.n() != 1 || !strings.Contains(out.String(), "== oncall/slack (URL from the configuration, not shown)") ||
		!strings.Contains(out.String(), "stdin[0]") || !strings.Contains(out.String(), `"color": "#E01E5A"`) {
		t.Errorf("dry run sent or printed wrong:\n%s", out.String())
	}
}

func TestRelayConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_url: https://hooks.slack.com/services/x\n", "webhook URLs are secrets"},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n        webhook_file: /y\n", "exactly one of webhook_env"},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n  routes:\n    - to: [b]\n", `relay.routes[0].to: unknown destination "b"`},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n  routez: []\n", "field routez not found"},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n        kms_region: us-east-1\n", "only used with webhook_kms_env"},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n  archive:\n    prefix: x/\n", "relay.archive.bucket: missing"},
		{"relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n  dedupe_window: soon\n", "relay.dedupe_window"},
	}
	for _, c := range cases {
		cfg := writeRelayConfig(t, c.yaml)
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"relay", "--config", cfg}, strings.NewReader("{}"), &out, &errb, func(string) string { return "" })
		if code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%q: exit %d, %s", c.want, code, errb.String())
		}
	}
	// the section is checked by every command, without reading secrets
	cfg := writeRelayConfig(t, "relay:\n  destinations:\n    a:\n      slack:\n        webhook_kms_env: NOT_SET_HERE\n  routes:\n    - states: [ALARMING]\n      to: [a]\n")
	if _, err := parseConfig("serve", []string{"--config", cfg}, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), `"ALARMING"`) {
		t.Errorf("serve did not check the relay section: %v", err)
	}
	// a KMS secret whose env var is missing fails at relay start with the variable's name
	cfg = writeRelayConfig(t, "relay:\n  destinations:\n    a:\n      slack:\n        webhook_kms_env: KMS_HOOK\n        kms_encryption_context: {LambdaFunctionName: \"${AWS_LAMBDA_FUNCTION_NAME}\"}\n")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"relay", "--config", cfg, "--region", "us-east-1"}, strings.NewReader("{}"), &out, &errb, func(string) string { return "" }); code != 2 ||
		!strings.Contains(errb.String(), "KMS_HOOK is not set") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

func TestRelayDemo(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"relay", "--demo"}, strings.NewReader(""), &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, w := range []string{"outbox/relay/slack/01-", "outbox/s3/kida-demo-events/events/", "outbox/email/", "1 duplicate(s) skipped", "1 unknown (acknowledged)", "0 failed"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("demo output lacks %q:\n%s", w, out.String())
		}
	}
	posts, _ := filepath.Glob("outbox/relay/slack/*.json")
	if len(posts) != 7 {
		t.Errorf("%d Slack posts in the outbox: %v", len(posts), posts)
	}
	// get_rds_events on the demo with the demo archive configured reads it (nothing older than 14 days
	// here, so the API answers for the whole window and says so)
	cfg := writeRelayConfig(t, "relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: X\n  archive:\n    bucket: kida-demo-events\n")
	out.Reset()
	if code := run(context.Background(), []string{"call", "get_rds_events", `{"cluster_id":"orders-prod","since":"30d"}`, "--demo", "--config", cfg}, strings.NewReader(""), &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("call exit %d: %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "from event archive s3://kida-demo-events/events/") || !strings.Contains(out.String(), "from RDS API") {
		t.Errorf("get_rds_events does not show its parts:\n%.2000s", out.String())
	}
}

// Lambda mode: the binary, with AWS_LAMBDA_RUNTIME_API pointing at a fake Runtime API, takes an invocation,
// posts to Slack and answers the invocation.
func TestRelayLambdaRuntimeAPI(t *testing.T) {
	if os.Getenv("KIDA_RELAY_LAMBDA_CHILD") == "1" {
		// as Lambda runs bootstrap: no arguments
		os.Exit(run(context.Background(), nil, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	hook := newHookRecorder(t)
	event, _ := os.ReadFile(filepath.Join(relayEvents, "sns-alarm.json"))
	type answer struct {
		path string
		body string
	}
	answers := make(chan answer, 4)
	var served sync.Once
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/2018-06-01/runtime/invocation/next":
			first := false
			served.Do(func() { first = true })
			if !first { // block the next poll until the test ends
				<-r.Context().Done()
				return
			}
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:ap-northeast-2:123456789012:function:kida-relay")
			_, _ = w.Write(event)
		case r.Method == http.MethodPost:
			b, _ := io.ReadAll(r.Body)
			answers <- answer{r.URL.Path, string(b)}
			w.WriteHeader(http.StatusAccepted)
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	cfg := writeRelayConfig(t, "relay:\n  timezone: UTC\n  destinations:\n    oncall:\n      slack:\n        webhook_env: TEST_HOOK\n  default: [oncall]\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestRelayLambdaRuntimeAPI$")
	cmd.Env = append(os.Environ(), "KIDA_RELAY_LAMBDA_CHILD=1", "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"),
		"KIDA_CONFIG="+cfg, "TEST_HOOK="+hook.URL+"/services/T/B/x", "AWS_REGION=ap-northeast-2", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x",
		"AWS_LAMBDA_FUNCTION_NAME=kida-relay", "KIDA_LOG_FORMAT=json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case a := <-answers:
		if a.path != "/2018-06-01/runtime/invocation/req-1/response" {
			t.Fatalf("answer to %s: %s\n%s", a.path, a.body, stderr.String())
		}
		var res struct {
			Sent, Handled int
		}
		if err := json.Unmarshal([]byte(a.body), &res); err != nil || res.Sent != 1 || res.Handled != 1 {
			t.Fatalf("response %s (%v)", a.body, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no invocation response\n%s", stderr.String())
	}
	if hook.n() != 1 {
		t.Fatalf("%d Slack posts", hook.n())
	}
}

// The shipped example configuration and template agree with the code: the kida.yaml validates, its
// env vars are set by the template, the EventBridge detail types are ones the relay parses, the role
// allows exactly what the relay calls.
func TestRelayExamples(t *testing.T) {
	cfg, err := parseConfig("serve", []string{"--config", "../../examples/relay/kida.yaml"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("examples/relay/kida.yaml: %v", err)
	}
	if cfg.File.Relay == nil || cfg.File.Relay.Archive == nil {
		t.Fatal("the example has no relay archive")
	}
	tmpl, err := os.ReadFile("../../examples/relay/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(tmpl)
	for _, w := range []string{"Runtime: provided.al2023", "Handler: bootstrap", "KIDA_CONFIG: /var/task/kida.yaml", "KIDA_RELAY_SLACK_KMS:",
		"kms:EncryptionContext:LambdaFunctionName", "Action: kms:Decrypt", "Action: s3:PutObject", "/events/*", "Type: SNS", "Type: EventBridgeRule", "source: [aws.rds]"} {
		if !strings.Contains(s, w) {
			t.Errorf("template.yaml lacks %q", w)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if dt, ok := strings.CutPrefix(line, "- RDS DB "); ok {
			ev := `{"source":"aws.rds","detail-type":"RDS DB ` + dt + `","region":"us-east-1","detail":{"Message":"m","Date":"2026-11-22T00:00:00Z","SourceIdentifier":"x"}}`
			var out, errb bytes.Buffer
			c := writeRelayConfig(t, "relay:\n  destinations:\n    a:\n      slack:\n        webhook_env: H\n  default: [a]\n")
			run(context.Background(), []string{"relay", "--config", c, "--dry-run", "--region", "us-east-1"}, strings.NewReader(ev), &out, &errb,
				func(k string) string { return map[string]string{"H": "https://hooks.slack.com/services/x"}[k] })
			if strings.Contains(out.String(), "unknown shape") || strings.Contains(out.String(), " unknown x:") || !strings.Contains(out.String(), "dry run, not sent") {
				t.Errorf("detail type %q is not understood:\n%s", dt, out.String())
			}
		}
	}
}

// The CLI end to end over moto: a webhook URL KMS-encrypted under LambdaFunctionName=<function> (as the
// Lambda blueprint stores it), named by webhook_kms_env with kms_encryption_context ${AWS_LAMBDA_FUNCTION_NAME},
// is decrypted at start and posts; the archive lands in moto S3. Another function name fails with the cause.
func TestRelayKMSAndArchiveOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	t.Cleanup(awstest.StopMoto) // the only moto test of this package: no TestMain needed
	cfg := m.Config(t, "ap-northeast-2")
	ctx := context.Background()
	kc := kms.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	hook := newHookRecorder(t)
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte(hook.URL + "/services/T/B/kmstoken"),
		EncryptionContext: map[string]string{"LambdaFunctionName": "kida-relay"}})
	if err != nil {
		t.Fatal(err)
	}
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kida-events"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "ap-northeast-2"}}); err != nil {
		t.Fatal(err)
	}
	conf := writeRelayConfig(t, `relay:
  destinations:
    dba:
      slack:
        webhook_kms_env: KIDA_RELAY_SLACK_KMS
        kms_encryption_context: {LambdaFunctionName: "${AWS_LAMBDA_FUNCTION_NAME}"}
  default: [dba]
  archive: {bucket: kida-events}
`)
	env := map[string]string{
		"KIDA_RELAY_SLACK_KMS": base64.StdEncoding.EncodeToString(enc.CiphertextBlob), "AWS_LAMBDA_FUNCTION_NAME": "kida-relay",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
	}
	for k, v := range env {
		t.Setenv(k, v) // the SDK reads credentials from the process environment
	}
	args := []string{"relay", "--config", conf, "--region", "ap-northeast-2", "--aws-endpoint", m.URL(), "--max-attempts", "1",
		filepath.Join(relayEvents, "eventbridge-rds-cluster-snapshot.json")}
	var out, errb bytes.Buffer
	if code := run(ctx, args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if hook.n() != 1 || !strings.Contains(out.String(), "archived: events/2026/11/21/rds-180941-") {
		t.Fatalf("posts %d\n%s", hook.n(), out.String())
	}
	if strings.Contains(out.String()+errb.String(), "kmstoken") {
		t.Error("the decrypted URL was printed")
	}
	env["AWS_LAMBDA_FUNCTION_NAME"] = "another-function"
	out.Reset()
	errb.Reset()
	code := run(ctx, args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	for _, w := range []string{"relay.destinations.dba.slack", "kms:Decrypt", "LambdaFunctionName=another-function", "ap-northeast-2", "encryption context"} {
		if code != 2 || !strings.Contains(errb.String(), w) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, w, errb.String())
		}
	}
}
