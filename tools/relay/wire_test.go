package relay

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// KMS over the wire: a webhook URL encrypted under the blueprint's encryption context decrypts with the same
// context, and fails without it (or with another) with a message naming the likely cause.
func TestKMSDecryptWithEncryptionContextOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	cfg := m.Config(t, "ap-northeast-2")
	ctx := context.Background()
	kc := kms.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("kida relay test")})
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"
	encCtx := map[string]string{"LambdaFunctionName": "kida-relay"}
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte(url), EncryptionContext: encCtx})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(enc.CiphertextBlob)
	s := KMSSecret{Key: "relay.destinations.oncall.slack", From: "env kmsEncryptedHookUrl", Ciphertext: b64, Context: encCtx, Region: "ap-northeast-2"}
	sec, err := Decrypt(ctx, kc, s)
	if err != nil || sec.Reveal() != url {
		t.Fatalf("same context: %v", err)
	}
	if fmt.Sprint(sec) != "[redacted]" {
		t.Error("the secret prints")
	}
	// without the context
	s.Context = nil
	_, err = Decrypt(ctx, kc, s)
	if err == nil {
		t.Fatal("decrypt without the encryption context succeeded")
	}
	msg := err.Error()
	for _, w := range []string{"relay.destinations.oncall.slack", "kms:Decrypt", "encryption context", "ap-northeast-2", "InvalidCiphertextException", "Likely cause: a wrong encryption context", "no encryption context", "kms_region"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "XXXXXXXX") || strings.Contains(msg, "hooks.slack.com") {
		t.Errorf("error shows the plaintext: %s", msg)
	}
	// another function's context
	s.Context = map[string]string{"LambdaFunctionName": "someone-else"}
	if _, err := Decrypt(ctx, kc, s); err == nil || !strings.Contains(err.Error(), "LambdaFunctionName=someone-else") {
		t.Errorf("wrong context: %v", err)
	}
	// the blueprint stores the URL without its scheme
	enc2, _ := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("hooks.slack.com/services/T1/B1/abc"), EncryptionContext: encCtx})
	s.Context, s.Ciphertext = encCtx, base64.StdEncoding.EncodeToString(enc2.CiphertextBlob)
	if sec, err := Decrypt(ctx, kc, s); err != nil || sec.Reveal() != "https://hooks.slack.com/services/T1/B1/abc" {
		t.Errorf("schemeless plaintext: %v", err)
	}
	s.Ciphertext = "not base64!!"
	if _, err := Decrypt(ctx, kc, s); err == nil || !strings.Contains(err.Error(), "not base64") {
		t.Errorf("bad base64: %v", err)
	}
	// a key that exists in another region: AccessDenied "does not exist in this region" names the region first
	other := kms.NewFromConfig(m.Config(t, "us-east-1"))
	s.Ciphertext = b64
	_, err = Decrypt(ctx, other, KMSSecret{Key: "k", From: "file x", Ciphertext: b64, Context: encCtx, Region: "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "us-east-1") || !strings.Contains(err.Error(), "kms:Decrypt") {
		t.Errorf("other region: %v", err)
	}
	t.Logf("wrong-context message: %s", msg)
}

func motoArchive(t *testing.T, cfg aws.Config, bucket string) (*Archive, *s3.Client) {
	t.Helper()
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return &Archive{S3: sc, Bucket: bucket, Region: cfg.Region, Version: "test"}, sc
}

func listKeys(t *testing.T, sc *s3.Client, bucket string) []string {
	t.Helper()
	out, err := sc.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func getObject(t *testing.T, sc *s3.Client, bucket, key string) string {
	t.Helper()
	o, err := sc.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Body.Close()
	b, _ := io.ReadAll(o.Body)
	return string(b)
}

// Archive against moto S3: relaying the same event twice writes one line.
func TestArchiveIsIdempotentOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	cfg := m.Config(t, "us-east-1")
	arch, sc := motoArchive(t, cfg, "kida-events")
	arch.Alarms = true
	oncall, dba := newSlack(t), newSlack(t)
	h := newHarness(t, testConfig(oncall.URL+"/hook", dba.URL+"/hook"), Options{Archive: arch})
	ctx := context.Background()
	ev := readEvent(t, "eventbridge-rds-cluster-snapshot.json")
	first, err := h.relay.Handle(ctx, ev)
	if err != nil || first.Failed() != 0 || !first.Handled[0].ArchiveNew {
		t.Fatalf("first: %v %+v", err, first)
	}
	h.clock.Add(time.Hour) // past the de-duplication window: only the archive's idempotency stops a second line
	second, err := h.relay.Handle(ctx, ev)
	if err != nil || second.Failed() != 0 || second.Handled[0].ArchiveNew || second.Handled[0].Archived != first.Handled[0].Archived {
		t.Fatalf("second: %v %+v", err, second)
	}
	keys := listKeys(t, sc, "kida-events")
	if len(keys) != 1 || keys[0] != "events/2026/11/21/rds-180941-rds_orders-prod-2026-11-21-18-04-"+strings.TrimPrefix(first.Handled[0].ID, "rds-")+".jsonl" {
		t.Fatalf("keys %v", keys)
	}
	body := getObject(t, sc, "kida-events", keys[0])
	if strings.Count(body, "\n") != 1 {
		t.Fatalf("want one line, got %q", body)
	}
	var rec Record
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != KindRDS || rec.SourceType != "db-cluster-snapshot" || rec.SourceID != "rds:orders-prod-2026-11-21-18-04" ||
		rec.Message != "Automated cluster snapshot created" || rec.Time != "2026-11-21T18:09:41.512Z" || rec.Category != "backup" || rec.EventID != "RDS-EVENT-0169" {
		t.Errorf("record %+v", rec)
	}
	// alarm transitions are archived when asked, also once
	for range 2 {
		if _, err := h.relay.Handle(ctx, readEvent(t, "sns-alarm.json")); err != nil {
			t.Fatal(err)
		}
	}
	// an unknown shape is not archived; neither is a dropped RDS event spared (evidence is kept)
	_, _ = h.relay.Handle(ctx, readEvent(t, "unknown-shape.json"))
	_, _ = h.relay.Handle(ctx, readEvent(t, "eventbridge-rds-parameter-group.json"))
	keys = listKeys(t, sc, "kida-events")
	if len(keys) != 3 {
		t.Fatalf("keys %v", keys)
	}
	// a missing bucket is an archive error that fails the invocation (so Lambda retries)
	bad := *arch
	bad.Bucket = "no-such-bucket"
	h2 := newHarness(t, testConfig(oncall.URL+"/hook", dba.URL+"/hook"), Options{Archive: &bad})
	_, err = h2.relay.Invoke(ctx, ev)
	if err == nil || !strings.Contains(err.Error(), "archive") || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("missing bucket: %v", err)
	}
}

// get_rds_events over a 30-day window with the archive: the part older than 14 days comes from the archive
// written by the relay (moto S3), the rest from DescribeEvents (moto RDS); an event present in both counts
// once, and every event and part says where it came from.
func TestGetRDSEventsMergesArchiveAndAPIOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	cfg := m.Config(t, "us-east-1")
	ctx := context.Background()
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-relay", Instances: 1})
	awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "other-cluster", Instances: 1})
	// moto stamps instance events with its wall clock and ignores the request window: take the newest event
	// of our instance as the boundary (the test's "now" is exactly 14 days later)
	rc := rds.NewFromConfig(cfg)
	evs, err := rc.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: "db-instance", SourceIdentifier: aws.String(ids[0])})
	if err != nil || len(evs.Events) == 0 {
		t.Fatalf("moto events: %v %d", err, len(evs.Events))
	}
	boundary := evs.Events[len(evs.Events)-1]
	T := aws.ToTime(boundary.Date).UTC()
	now := T.Add(events.Retention)

	arch, sc := motoArchive(t, cfg, "kida-events")
	arch.Prefix = "archive/rds/"
	oncall, dba := newSlack(t), newSlack(t)
	h := newHarness(t, testConfig(oncall.URL+"/hook", dba.URL+"/hook"), Options{Archive: arch})
	ebEvent := func(id string, at time.Time, detailType, srcType, arn, srcID, msg string, cats ...string) []byte {
		b, _ := json.Marshal(map[string]any{"version": "0", "id": id, "detail-type": detailType, "source": "aws.rds", "account": "123456789012",
			"time": at.Format(time.RFC3339), "region": "us-east-1", "resources": []string{arn},
			"detail": map[string]any{"EventCategories": cats, "SourceType": srcType, "SourceArn": arn, "Date": at.Format(time.RFC3339Nano),
				"Message": msg, "SourceIdentifier": srcID}})
		return b
	}
	old1 := T.Add(-5 * 24 * time.Hour).Truncate(time.Second)
	old2 := T.Add(-10 * 24 * time.Hour).Truncate(time.Second)
	snapID := "rds:wire-relay-" + old2.Format("2006-01-02-15-04")
	inputs := [][]byte{
		// the boundary event, archived by the relay and still returned by the API
		ebEvent("e0", T, "RDS DB Instance Event", "DB_INSTANCE", aws.ToString(boundary.SourceArn), ids[0], aws.ToString(boundary.Message), boundary.EventCategories...),
		ebEvent("e1", old1, "RDS DB Cluster Event", "CLUSTER", "arn:aws:rds:us-east-1:123456789012:cluster:wire-relay", "wire-relay", "Completed failover to DB instance: "+ids[0], "failover"),
		ebEvent("e1", old1, "RDS DB Cluster Event", "CLUSTER", "arn:aws:rds:us-east-1:123456789012:cluster:wire-relay", "wire-relay", "Completed failover to DB instance: "+ids[0], "failover"),
		ebEvent("e2", old2, "RDS DB Cluster Snapshot Event", "CLUSTER_SNAPSHOT", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:"+snapID, snapID, "Automated cluster snapshot created", "backup"),
		ebEvent("e3", old1, "RDS DB Cluster Event", "CLUSTER", "arn:aws:rds:us-east-1:123456789012:cluster:other-cluster", "other-cluster", "Completed failover to DB instance: other-cluster-1", "failover"),
		ebEvent("e4", T.Add(-40*24*time.Hour), "RDS DB Cluster Event", "CLUSTER", "arn:aws:rds:us-east-1:123456789012:cluster:wire-relay", "wire-relay", "too old for the window", "notification"),
	}
	for _, in := range inputs {
		out, err := h.relay.Handle(ctx, in)
		if err != nil || out.Failed() != 0 {
			t.Fatalf("relay: %v %v", err, out.Errors())
		}
	}
	if keys := listKeys(t, sc, "kida-events"); len(keys) != 5 {
		t.Fatalf("archive keys %v", keys)
	}

	prov, err := awsclient.Load(ctx, awsclient.Options{Region: "us-east-1", Endpoint: m.URL(), Isolated: true, MaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	arch.S3 = prov.S3Objects("us-east-1") // the reader goes through the production client
	s := testkit.Client(t, events.Tools(prov, tools.Env{Now: func() time.Time { return now }}, arch))
	res := s.Call("get_rds_events", map[string]any{"cluster_id": "wire-relay", "since": "30d", "timezone": "UTC"})
	var out events.Output
	testkit.Decode(t, res, &out)
	seen := map[string]int{}
	byMsg := map[string]events.Event{}
	for _, e := range out.Events {
		seen[e.TimeUTC+"|"+e.Source+"|"+e.Message]++
		byMsg[e.Message] = e
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("duplicate %s ×%d", k, n)
		}
	}
	if e := byMsg["Completed failover to DB instance: "+ids[0]]; e.Origin != events.OriginArchive || e.Source != "wire-relay" || e.Group != events.GroupFailover || e.TimeUTC != old1.Format(time.RFC3339) {
		t.Errorf("old failover %+v", e)
	}
	if e := byMsg["Automated cluster snapshot created"]; e.Origin != events.OriginArchive || e.Source != snapID || e.Group != events.GroupBackup {
		t.Errorf("old snapshot %+v", e)
	}
	if e := byMsg[aws.ToString(boundary.Message)]; e.Origin != events.OriginAPI || seen[e.TimeUTC+"|"+e.Source+"|"+e.Message] != 1 {
		t.Errorf("boundary event %+v (want once, from the api)", e)
	}
	for _, e := range out.Events {
		if strings.Contains(e.Source, "other-cluster") || e.Message == "too old for the window" || e.Origin == "" {
			t.Errorf("unexpected %+v", e)
		}
	}
	if len(out.Parts) != 2 || out.Parts[0].Origin != events.OriginArchive || out.Parts[0].Events != 2 || out.Parts[0].Location != "s3://kida-events/archive/rds/" ||
		out.Parts[0].EndUTC != T.Format(time.RFC3339) || out.Parts[1].Origin != events.OriginAPI || out.Parts[1].StartUTC != T.Format(time.RFC3339) || out.Parts[1].Events < 1 {
		t.Fatalf("parts %+v", out.Parts)
	}
	if out.Window.Clamped {
		t.Errorf("with an archive the 30-day window is not clamped: %+v", out.Window)
	}
	text := testkit.Text(res)
	for _, w := range []string{"from event archive s3://kida-events/archive/rds/: 2 events", "from RDS API (DescribeEvents, 14 days)", "[archive] Completed failover"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	// the whole window older than 14 days: archive only, no DescribeEvents call
	res = s.Call("get_rds_events", map[string]any{"cluster_id": "wire-relay", "start": T.Add(-12 * 24 * time.Hour).Format(time.RFC3339), "end": T.Add(-24 * time.Hour).Format(time.RFC3339)})
	testkit.Decode(t, res, &out)
	if len(out.Parts) != 1 || out.Parts[0].Origin != events.OriginArchive || out.Total != 2 {
		t.Errorf("archive-only window: parts %+v total %d", out.Parts, out.Total)
	}
	// an unreadable archive is a visible gap, not a failure
	arch.Bucket = "missing-bucket"
	res = s.Call("get_rds_events", map[string]any{"cluster_id": "wire-relay", "since": "30d"})
	testkit.Decode(t, res, &out)
	if len(out.Parts) != 2 || out.Parts[0].Error == "" || !strings.Contains(strings.Join(out.Hints, " "), "event archive could not be read") {
		t.Errorf("missing bucket: parts %+v hints %v", out.Parts, out.Hints)
	}
}
