package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// The relay demo (`kida-mcp relay --demo`) replays the incident's alarms and RDS events through the real
// relay: Slack posts land in outbox/relay/slack/<n>-<destination>.json, emails in outbox/email/, and the
// event archive in outbox/s3/<bucket>/events/YYYY/MM/DD/ (read back by get_rds_events in demo mode).

// RelayWebhookURL is the placeholder incoming webhook of a relay destination in the demo (never dialled).
func RelayWebhookURL(dest string) string {
	return "https://hooks.slack.com/services/DEMO/relay/" + dest
}

// RelayEvent is one input event of the relay demo.
type RelayEvent struct {
	Name string          // what it shows
	JSON json.RawMessage // the Lambda payload
}

// RelayEvents returns the demo's input events in the order they happened (a repeated delivery included).
func (f *Fleet) RelayEvents() []RelayEvent {
	inc := f.Incident
	var out []RelayEvent
	add := func(name string, v any) {
		b, _ := json.Marshal(v)
		out = append(out, RelayEvent{Name: name, JSON: b})
	}
	cpuAlarm := func(state, old, reason string, at time.Time) map[string]any {
		return snsEnvelope(f, alarmMessage(f, inc.OldWriter+" CPU high", "Writer CPU at or above 90% for 5 minutes. Runbook: get_db_load, then get_slow_queries.",
			state, old, reason, at, "CPUUtilization", "AVERAGE", 90, "GreaterThanOrEqualToThreshold", "DBInstanceIdentifier", inc.OldWriter), "kida-alarms", at)
	}
	alarmAt := inc.Start.Add(5*time.Minute + 4*time.Second)
	alarm := cpuAlarm("ALARM", "OK", "Threshold Crossed: 5 out of the last 5 datapoints were greater than or equal to the threshold (90.0) (minimum 5 datapoints for OK -> ALARM transition).", alarmAt)
	add("CPU alarm on the writer: OK → ALARM (SNS)", alarm)
	add("the same SNS message delivered again (SNS is at-least-once): not posted twice", alarm)
	lagAt := inc.Start.Add(12 * time.Minute)
	add("replica lag alarm on the reporting reader: OK → ALARM (SNS)", snsEnvelope(f, alarmMessage(f, inc.LaggingReader+" replica lag", "Aurora replica lag above 5 s.",
		"ALARM", "OK", "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (5000.0).", lagAt,
		"AuroraReplicaLag", "MAXIMUM", 5000, "GreaterThanThreshold", "DBInstanceIdentifier", inc.LaggingReader), "kida-alarms", lagAt))
	cl := f.Cluster("orders-prod")
	add("failover started (EventBridge, db-cluster)", rdsEventBridge(f, inc.FailoverAt, "RDS DB Cluster Event", "CLUSTER", cl.ARN(), cl.ID,
		"Started cross AZ failover to DB instance: "+inc.Writer, "RDS-EVENT-0073", "failover"))
	add("failover completed (EventBridge, db-cluster)", rdsEventBridge(f, inc.FailoverAt.Add(31*time.Second), "RDS DB Cluster Event", "CLUSTER", cl.ARN(), cl.ID,
		"Completed failover to DB instance: "+inc.Writer, "RDS-EVENT-0071", "failover"))
	add("reader restarted (EventBridge, db-instance): not routed, archived", rdsEventBridge(f, inc.RebootAt.Add(47*time.Second), "RDS DB Instance Event", "DB_INSTANCE",
		f.Instance(inc.LaggingReader).ARN(), inc.LaggingReader, "DB instance restarted", "RDS-EVENT-0006", "availability"))
	okAt := inc.End.Add(6 * time.Minute)
	add("CPU alarm back to OK (SNS)", cpuAlarm("OK", "ALARM", "Threshold Crossed: 1 out of the last 5 datapoints [41.3] was not greater than or equal to the threshold (90.0).", okAt))
	add("alarm to INSUFFICIENT_DATA: dropped by the routing rules", snsEnvelope(f, alarmMessage(f, "legacy-mysql free storage low", "",
		"INSUFFICIENT_DATA", "OK", "Insufficient Data: 1 datapoint was unknown.", okAt.Add(time.Minute),
		"FreeStorageSpace", "MINIMUM", 10<<30, "LessThanThreshold", "DBInstanceIdentifier", "legacy-mysql"), "kida-alarms", okAt.Add(time.Minute)))
	// last night's automated backups, as the event history has them
	for _, e := range f.events() {
		if aws.ToString(e.Message) != "Automated cluster snapshot created" || e.Date.Before(f.Now.Add(-24*time.Hour)) {
			continue
		}
		add("automated cluster snapshot created (EventBridge, db-cluster-snapshot)", rdsEventBridge(f, *e.Date, "RDS DB Cluster Snapshot Event", "CLUSTER_SNAPSHOT",
			aws.ToString(e.SourceArn), aws.ToString(e.SourceIdentifier), "Automated cluster snapshot created", "RDS-EVENT-0169", "backup"))
	}
	add("an EC2 event sent to the function by mistake: logged and acknowledged", map[string]any{
		"version": "0", "id": "9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4", "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
		"account": Account, "time": okAt.Format(time.RFC3339), "region": Region, "resources": []string{}, "detail": map[string]any{"state": "stopped"},
	})
	sort.SliceStable(out, func(i, j int) bool { return relayTime(out[i]) < relayTime(out[j]) })
	return out
}

// relayTime orders demo events by their own time (the unknown event goes last).
func relayTime(e RelayEvent) string {
	var p struct {
		Time    string `json:"time"`
		Records []struct {
			Sns struct{ Timestamp string } `json:"Sns"`
		} `json:"Records"`
	}
	_ = json.Unmarshal(e.JSON, &p)
	if len(p.Records) > 0 {
		return p.Records[0].Sns.Timestamp
	}
	if strings.Contains(string(e.JSON), `"aws.ec2"`) {
		return "9999"
	}
	return p.Time
}

func alarmMessage(f *Fleet, name, desc, state, old, reason string, at time.Time, metric, stat string, threshold float64, op, dim, value string) map[string]any {
	m := map[string]any{
		"AlarmName": name, "AWSAccountId": Account, "NewStateValue": state, "NewStateReason": reason,
		"StateChangeTime": at.UTC().Format("2006-01-02T15:04:05.000-0700"), "Region": "Asia Pacific (Seoul)",
		"AlarmArn": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", Region, Account, name), "OldStateValue": old,
		"Trigger": map[string]any{"MetricName": metric, "Namespace": "AWS/RDS", "StatisticType": "Statistic", "Statistic": stat, "Unit": nil,
			"Dimensions": []map[string]string{{"value": value, "name": dim}}, "Period": 60, "EvaluationPeriods": 5, "DatapointsToAlarm": 5,
			"ComparisonOperator": op, "Threshold": threshold, "TreatMissingData": "missing"},
	}
	if desc != "" {
		m["AlarmDescription"] = desc
	} else {
		m["AlarmDescription"] = nil
	}
	return m
}

func snsEnvelope(f *Fleet, msg map[string]any, topic string, at time.Time) map[string]any {
	body, _ := json.Marshal(msg)
	id := shortHash(body)
	arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", Region, Account, topic)
	return map[string]any{"Records": []map[string]any{{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": arn + ":demo-subscription",
		"Sns": map[string]any{"Type": "Notification", "MessageId": "demo-" + id, "TopicArn": arn, "Subject": "kida demo alarm",
			"Message": string(body), "Timestamp": at.UTC().Add(80 * time.Millisecond).Format("2006-01-02T15:04:05.000Z"), "MessageAttributes": map[string]any{}},
	}}}
}

func rdsEventBridge(f *Fleet, at time.Time, detailType, srcType, arn, id, msg, eventID string, cats ...string) map[string]any {
	b, _ := json.Marshal([]any{at, arn, msg})
	return map[string]any{
		"version": "0", "id": "demo-" + shortHash(b), "detail-type": detailType, "source": "aws.rds", "account": Account,
		"time": at.UTC().Format(time.RFC3339), "region": Region, "resources": []string{arn},
		"detail": map[string]any{"EventCategories": cats, "SourceType": srcType, "SourceArn": arn, "Date": at.UTC().Format("2006-01-02T15:04:05.000Z"),
			"Message": msg, "SourceIdentifier": id, "EventID": eventID},
	}
}

// RelayHTTPClient is the relay demo's Slack: each webhook body is written to outbox/relay/slack/<n>-<dest>.json
// (n counts up), and the answer is 200 ok; nothing is dialled.
func (f *Fleet) RelayHTTPClient() *http.Client {
	return &http.Client{Transport: &relayTransport{f: f}}
}

type relayTransport struct {
	f  *Fleet
	mu sync.Mutex
}

func (t *relayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	dest := safeFile(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:])
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	pretty.WriteByte('\n')
	t.mu.Lock()
	defer t.mu.Unlock()
	dir, err := t.f.outboxPath("relay", "slack", "x")
	if err != nil {
		return nil, err
	}
	dir = filepath.Dir(dir)
	n := 1
	if ents, err := os.ReadDir(dir); err == nil {
		n = len(ents) + 1
	}
	if err := writeFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.json", n, dest)), pretty.Bytes()); err != nil {
		return nil, fmt.Errorf("demo relay slack webhook: %w", err)
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"text/plain"}},
		Body: io.NopCloser(strings.NewReader("ok")), Request: req, ProtoMajor: 1, ProtoMinor: 1}, nil
}

// S3Objects is the demo's object store for the relay's event archive: objects are files under
// outbox/s3/<bucket>/ (with PutObject's .put.json sidecar), PutObject honours If-None-Match: *.
func (f *Fleet) S3Objects(region string) awsclient.S3ObjectsAPI {
	return &objectsAPI{deliveryAPI{f: f, region: region}}
}

type objectsAPI struct{ deliveryAPI }

func (o *objectsAPI) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if aws.ToString(in.IfNoneMatch) == "*" {
		p, err := o.f.outboxPath("s3", aws.ToString(in.Bucket), aws.ToString(in.Key))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(p); err == nil {
			return nil, opErr("S3", "PutObject", demoAPIError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"))
		}
	}
	return o.deliveryAPI.PutObject(ctx, in, opts...)
}

func (o *objectsAPI) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	p, err := o.f.outboxPath("s3", aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, opErr("S3", "GetObject", demoAPIError("NoSuchKey", "The specified key does not exist."))
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b)), ContentLength: aws.Int64(int64(len(b)))}, nil
}

func (o *objectsAPI) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	bucket := aws.ToString(in.Bucket)
	root, err := o.f.outboxPath("s3", bucket, "x")
	if err != nil {
		return nil, err
	}
	root = filepath.Dir(root)
	prefix := aws.ToString(in.Prefix)
	var keys []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".put.json") || strings.HasSuffix(p, ".tmp") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if k := filepath.ToSlash(rel); strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
		return nil
	})
	sort.Strings(keys)
	out := &s3.ListObjectsV2Output{Name: in.Bucket, Prefix: in.Prefix, IsTruncated: aws.Bool(false), KeyCount: aws.Int32(int32(len(keys)))}
	for _, k := range keys {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k)})
	}
	return out, nil
}
