package delivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	wireRegion = "ap-northeast-2"
	wireBucket = "kida-reports-wire"
	wireTopic  = "db-reports"
)

// motoProvider is the production awsclient.Provider aimed at moto, with the given credentials.
func motoProvider(t *testing.T, m *awstest.Moto, creds aws.CredentialsProvider) *awsclient.Provider {
	t.Helper()
	p, err := awsclient.Load(context.Background(), awsclient.Options{
		Region: wireRegion, Endpoint: m.URL(), MaxAttempts: 1, Credentials: creds, Isolated: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seedDestinations creates the bucket, the SES identity (moto rejects unverified senders) and the topic.
func seedDestinations(t *testing.T, m *awstest.Moto) (topicARN string) {
	t.Helper()
	ctx := context.Background()
	cfg := m.Config(t, wireRegion)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(wireBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(wireRegion)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	out, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(wireTopic)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func wireDeps(t *testing.T, c awsclient.Clients, topic string) Deps {
	return Deps{
		Clients: c, Env: tools.Env{Now: time.Now}, Render: fakeRender, ReportDir: t.TempDir(), Location: seoul,
		Config: Config{
			S3:    &S3Config{Bucket: wireBucket, Expiry: MaxExpiry, SSE: SSEAES256},
			Email: &EmailConfig{From: "kida@example.com", To: []string{"dba@example.com", "oncall@example.org"}},
			SNS:   &SNSConfig{TopicARN: topic},
		},
	}
}

// motoData fetches moto's model dump (GET /moto-api/data.json).
func motoData(t *testing.T, m *awstest.Moto) map[string]map[string][]map[string]any {
	t.Helper()
	res, err := http.Get(m.URL() + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]map[string][]map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func expiresParam(t *testing.T, raw string) int {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(u.Query().Get("X-Amz-Expires"))
	if err != nil {
		t.Fatalf("no X-Amz-Expires in %s", raw)
	}
	return n
}

// TestS3PublishOverMoto: right key, content type and encryption; the presigned URL fetched over HTTP returns
// the report; static credentials give the full 7 days.
func TestS3PublishOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	topic := seedDestinations(t, m)
	d := wireDeps(t, motoProvider(t, m, staticCreds), topic)
	ctx := context.Background()
	c := sampleCheck("orders-prod", wireRegion, "critical")
	file, _, err := fakeRender(d.ReportDir, c, "html")
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)
	link, err := d.Publish(ctx, "orders-prod", file, date)
	if err != nil {
		t.Fatal(tools.Classify(err, awsclient.Classify))
	}
	if link.Key != "reports/20261122/orders-prod.html" || link.Bucket != wireBucket {
		t.Errorf("link %+v", link)
	}
	s3c := s3.NewFromConfig(m.Config(t, wireRegion), func(o *s3.Options) { o.UsePathStyle = true })
	head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(wireBucket), Key: aws.String(link.Key)})
	if err != nil {
		t.Fatal(err)
	}
	if ct := aws.ToString(head.ContentType); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if head.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Errorf("sse %q", head.ServerSideEncryption)
	}
	if n := expiresParam(t, link.URL); n != 604800 || link.LimitedBy != LimitRequested || link.ExpiresInS != 604800 {
		t.Errorf("static credentials: X-Amz-Expires %d, link %+v", n, link)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want, _ := os.ReadFile(file)
	if res.StatusCode != 200 || string(body) != string(want) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET presigned: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// re-running the same day overwrites the same key
	if l2, err := d.Publish(ctx, "orders-prod", file, date); err != nil || l2.Key != link.Key {
		t.Errorf("re-run: %+v %v", l2, err)
	}
	list, _ := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(wireBucket)})
	if len(list.Contents) != 1 {
		t.Errorf("objects after re-run: %d", len(list.Contents))
	}
}

// TestExpiringCredentialsCapTheLink: credentials that expire in 5 h give X-Amz-Expires ≤ 5 h, and the
// email, SNS and Slack texts state that real expiry.
func TestExpiringCredentialsCapTheLink(t *testing.T) {
	m := awstest.StartMoto(t)
	topic := seedDestinations(t, m)
	exp := time.Now().Add(5 * time.Hour)
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "session", CanExpire: true, Expires: exp, Source: "test"}, nil
	})
	d := wireDeps(t, motoProvider(t, m, creds), topic)
	s := NewSender(d)
	c := sampleCheck("orders-prod", wireRegion, "critical")
	row := s.PublishCheck(context.Background(), c, time.Date(2026, 11, 22, 0, 0, 0, 0, seoul))
	if row.Failed() {
		t.Fatal(row.Error)
	}
	n := expiresParam(t, row.Link.URL)
	if n > 5*3600 || n < 5*3600-120 {
		t.Errorf("X-Amz-Expires = %d, want ≤ 18000 (credentials expire in 5 h)", n)
	}
	if row.Link.LimitedBy != LimitCredentials || row.Link.ExpiresAt.After(exp) {
		t.Errorf("link %+v", row.Link)
	}
	until := Stamp(row.Link.ExpiresAt, seoul)
	e, _ := BuildEmail([]Row{row}, "2026-11-22", seoul, time.Now())
	sm := BuildSNS(e, []Row{row}, "2026-11-22")
	blocks, _ := MarshalJSON(IncomingMessage([]Row{row}, "2026-11-22"))
	for name, text := range map[string]string{"email html": e.HTML, "email text": e.Text, "sns": sm.Message, "slack": string(blocks)} {
		if !strings.Contains(text, "valid for 4h59m") || !strings.Contains(text, until) || !strings.Contains(text, "not 7d") {
			t.Errorf("%s does not state the real expiry (4h59m, until %s):\n%s", name, until, text)
		}
	}
}

// TestSESAndSNSOverMoto: the email is accepted (identity created first) and its content is what moto
// stored; the SNS message is received by the topic.
func TestSESAndSNSOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	topic := seedDestinations(t, m)
	d := wireDeps(t, motoProvider(t, m, staticCreds), topic)
	rows := rowsFixture()
	e, err := BuildEmail(rows, "2026-11-22", seoul, now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	del := d.SendEmail(ctx, e)
	if !del.OK || del.MessageID == "" || del.Target != "2 recipients" {
		t.Fatalf("email: %+v", del)
	}
	sm := BuildSNS(e, rows, "2026-11-22")
	pd := d.PublishSNS(ctx, sm)
	if !pd.OK || pd.MessageID == "" {
		t.Fatalf("sns: %+v", pd)
	}
	data := motoData(t, m)
	msgs := data["ses"]["Message"]
	if len(msgs) != 1 {
		t.Fatalf("moto holds %d SES messages: %v", len(msgs), data["ses"])
	}
	msg := msgs[0]
	if msg["id"] != del.MessageID || msg["source"] != "kida@example.com" || msg["subject"] != e.Subject {
		t.Errorf("SES message: id %v source %v subject %v", msg["id"], msg["source"], msg["subject"])
	}
	body, _ := msg["body"].(string)
	if body != e.HTML || !strings.Contains(body, "Failed at check: AccessDenied") || !strings.Contains(body, `width="600"`) {
		t.Errorf("SES body is not our HTML (%d bytes)", len(body))
	}
	dest, _ := json.Marshal(msg["destinations"])
	if !strings.Contains(string(dest), "dba@example.com") || !strings.Contains(string(dest), "oncall@example.org") {
		t.Errorf("destinations %s", dest)
	}
	var sent []any
	for _, tp := range data["sns"]["Topic"] {
		if tp["arn"] == topic {
			sent, _ = tp["sent_notifications"].([]any)
		}
	}
	if len(sent) != 1 {
		t.Fatalf("topic got %d notifications", len(sent))
	}
	n, _ := sent[0].([]any)
	if len(n) < 3 || n[0] != pd.MessageID || n[1] != sm.Message || n[2] != sm.Subject {
		t.Errorf("SNS notification %v", n)
	}

	// an unverified sender is refused, and the failure is exact
	d.Config.Email.From = "kida@unverified.example"
	if del := d.SendEmail(ctx, e); del.OK || !strings.Contains(del.Error, "MessageRejected") {
		t.Errorf("unverified sender: %+v", del)
	}
}

// TestPipelineOneClusterDenied: three clusters, one failing with AccessDenied → two reports delivered, one
// failure row in the email and in Slack, and the outcome is not OK (exit 1).
func TestPipelineOneClusterDenied(t *testing.T) {
	m := awstest.StartMoto(t)
	topic := seedDestinations(t, m)
	wf, in := &slackRecorder{}, &slackRecorder{}
	wsrv, isrv := httptest.NewServer(wf), httptest.NewServer(in)
	defer wsrv.Close()
	defer isrv.Close()
	var lb logBuffer
	d := wireDeps(t, motoProvider(t, m, staticCreds), topic)
	d.HTTP = http.DefaultClient
	d.Env.Logger = lb.logger()
	d.Config.Slack = &SlackConfig{Workflow: NewSecret(wsrv.URL + "/triggers/T/W/" + sentinel), Incoming: NewSecret(isrv.URL + "/services/T/B/" + sentinel)}
	checkFn := func(_ context.Context, _ awsclient.Clients, cluster, region string) (report.Check, error) {
		if cluster == "payments-prod" {
			return report.Check{}, awsclient.In(region, cluster, accessDenied("DescribeDBClusters"))
		}
		v := "healthy"
		if cluster == "orders-prod" {
			v = "critical"
		}
		return sampleCheck(cluster, region, v), nil
	}
	targets := []Target{{Cluster: "orders-prod", Region: wireRegion}, {Cluster: "payments-prod", Region: "us-east-1"}, {Cluster: "billing-pg", Region: wireRegion}}
	date := time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)
	out := NewSender(d).RunPipeline(context.Background(), targets, PipelineOptions{Date: date, Concurrency: 2, Check: checkFn})
	if out.OK() || out.FailedClusters() != 1 || out.FailedDeliveries() != 0 {
		t.Fatalf("outcome: failed clusters %d, failed deliveries %d: %+v", out.FailedClusters(), out.FailedDeliveries(), out.Deliveries)
	}
	if r := out.Rows[0]; r.Cluster != "payments-prod" || r.Stage != "check" || !strings.Contains(r.Error, "AccessDenied") || !strings.Contains(r.Error, "rds:DescribeDBClusters") {
		t.Errorf("failure row %+v", r)
	}
	// two reports delivered
	s3c := s3.NewFromConfig(m.Config(t, wireRegion), func(o *s3.Options) { o.UsePathStyle = true })
	list, err := s3c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(wireBucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if strings.Join(keys, ",") != "reports/20261122/billing-pg.html,reports/20261122/orders-prod.html" {
		t.Errorf("uploaded %v", keys)
	}
	// the email has the failure row
	msgs := motoData(t, m)["ses"]["Message"]
	if len(msgs) != 1 || !strings.Contains(msgs[0]["body"].(string), "payments-prod") || !strings.Contains(msgs[0]["body"].(string), "Failed at check: AccessDenied") {
		t.Errorf("email lacks the failure row")
	}
	if s := msgs[0]["subject"].(string); !strings.Contains(s, "2026-11-22") || !strings.Contains(s, "CRITICAL") || !strings.Contains(s, "1 failed") {
		t.Errorf("subject %q", s)
	}
	// Slack: one workflow post per cluster (the failed one says so), one summary with the failure row
	bodies, _ := wf.got()
	if len(bodies) != 3 {
		t.Fatalf("workflow posts: %d", len(bodies))
	}
	var titles []string
	for _, b := range bodies {
		var p map[string]string
		json.Unmarshal(b, &p)
		titles = append(titles, p["report_title"])
		if len(p) != 2 {
			t.Errorf("workflow payload has %d keys: %s", len(p), b)
		}
	}
	if !strings.HasPrefix(titles[0], "payments-prod (us-east-1) — 2026-11-22 — FAILED: AccessDenied") ||
		titles[1] != "orders-prod (ap-northeast-2) — 2026-11-22" || titles[2] != "billing-pg (ap-northeast-2) — 2026-11-22" {
		t.Errorf("workflow titles %q", titles)
	}
	ib, _ := in.got()
	if len(ib) != 1 || !strings.Contains(string(ib[0]), ":x: *payments-prod*") || strings.Count(string(ib[0]), `"type":"button"`) != 2 {
		t.Errorf("incoming summary: %s", ib)
	}
	var msg Message
	json.Unmarshal(ib[0], &msg)
	if err := ValidateMessage(msg); err != nil {
		t.Error(err)
	}
	if strings.Contains(lb.String(), sentinel) {
		t.Error("pipeline logs contain the webhook URL")
	}
	// one SNS message
	for _, tp := range motoData(t, m)["sns"]["Topic"] {
		if sent, _ := tp["sent_notifications"].([]any); len(sent) != 1 {
			t.Errorf("SNS notifications: %d", len(sent))
		}
	}
}
