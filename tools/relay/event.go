package relay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/events"
)

// Kinds of notification the relay understands.
const (
	KindAlarm   = "alarm"
	KindRDS     = "rds"
	KindUnknown = "unknown"
)

// Alarm states.
const (
	StateAlarm            = "ALARM"
	StateOK               = "OK"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// Notification is one thing that happened, parsed from an input event: a CloudWatch alarm state change or
// an RDS event. Exactly one of Alarm and RDS is set, unless Kind is KindUnknown.
type Notification struct {
	Kind  string
	Alarm *Alarm
	RDS   *RDSEvent
	// Via is how it arrived: "sns", "eventbridge" or "rds-subscription".
	Via string
	// MessageID is the SNS MessageId or the EventBridge event id (logs only).
	MessageID string
	// Why says why an unknown event was not understood (logs).
	Why string
}

// ID is the notification's identity, the same for every delivery of the same state change or RDS event
// (SNS and EventBridge are at-least-once, and one event may arrive through two subscriptions): the
// de-duplication key and the archive's event id.
func (n Notification) ID() string {
	switch {
	case n.Alarm != nil:
		return n.Alarm.ID()
	case n.RDS != nil:
		return n.RDS.ID()
	}
	return "unknown-" + n.MessageID
}

// Alarm is a CloudWatch alarm state change as CloudWatch publishes it to SNS (metric and composite alarms).
type Alarm struct {
	Name        string
	Description string
	AccountID   string
	ARN         string
	// Region is the region code (from the alarm ARN or the topic ARN); RegionName is CloudWatch's display
	// name ("EU - Ireland").
	Region     string
	RegionName string
	State      string
	OldState   string
	Reason     string
	Time       time.Time
	Trigger    *Trigger // metric alarms
	// Composite alarms: the rule and the children that triggered the change.
	Rule     string
	Children []string
}

// Trigger is the metric alarm's definition.
type Trigger struct {
	MetricName         string
	Namespace          string
	Statistic          string // SUM, AVERAGE, … or the extended statistic (p99)
	Unit               string
	Dimensions         []Dimension
	Period             int
	EvaluationPeriods  int
	DatapointsToAlarm  int
	ComparisonOperator string
	Threshold          *float64
	ThresholdMetricID  string   // anomaly detection band
	Metrics            []string // metric math: the ids and expressions
}

// Dimension is one metric dimension.
type Dimension struct{ Name, Value string }

// ID identifies the state change: the alarm (ARN, else name) and the state it entered at StateChangeTime.
func (a *Alarm) ID() string {
	who := a.ARN
	if who == "" {
		who = a.AccountID + "/" + a.Region + "/" + a.Name
	}
	return "alarm-" + hashOf(who, a.Time.UTC().Format(time.RFC3339Nano), a.State)
}

// RDSEvent is one RDS event (as EventBridge, an RDS event subscription or the DescribeEvents API has it).
type RDSEvent struct {
	Time       time.Time
	Region     string
	Account    string
	SourceType string // the DescribeEvents form: db-instance, db-cluster, db-cluster-snapshot, …
	SourceID   string
	SourceARN  string
	Message    string
	Categories []string // RDS event categories ("backup", "configuration change", …)
	EventID    string   // RDS-EVENT-0169
	// Group is kida's category (events.Classify): failover, failure, reboot, backup, …
	Group string
	// EventBridgeID is the EventBridge event id (informational: the identity is ID).
	EventBridgeID string
}

// ID identifies the RDS event by its content (time, source, message), which is what events.List
// de-duplicates on too, so the archive and the API agree on what "the same event" is.
func (e *RDSEvent) ID() string {
	return "rds-" + hashOf(e.Time.UTC().Format(time.RFC3339), e.SourceType, e.SourceID, e.Message)
}

// Cluster returns the cluster the event is about when it can tell: the source itself for a cluster, the
// cluster named in an automated snapshot id ("rds:<cluster>-YYYY-MM-DD-HH-MM"), else "".
func (e *RDSEvent) Cluster() string {
	switch e.SourceType {
	case "db-cluster":
		return e.SourceID
	case "db-cluster-snapshot", "db-snapshot":
		if m := autoSnapshotRE.FindStringSubmatch(e.SourceID); m != nil {
			return m[1]
		}
	}
	return ""
}

var autoSnapshotRE = regexp.MustCompile(`^rds:(.+)-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$`)

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// maxEventBytes bounds one input event (Lambda's payload limit is 256 KiB for async invocations).
const maxEventBytes = 1 << 20

// Parse turns one input event (a Lambda payload, or one JSON value of a local file) into notifications.
// An SNS event holds one notification per record. A shape it does not understand is one KindUnknown
// notification saying why; Parse fails only on input that is not JSON.
func Parse(raw []byte) ([]Notification, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > maxEventBytes {
		return []Notification{{Kind: KindUnknown, Why: fmt.Sprintf("event of %d bytes is over the %d-byte limit", len(raw), maxEventBytes)}}, nil
	}
	var probe struct {
		Records    []json.RawMessage `json:"Records"`
		Source     string            `json:"source"`
		DetailType string            `json:"detail-type"`
		Detail     json.RawMessage   `json:"detail"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		var ut *json.UnmarshalTypeError
		if errors.As(err, &ut) {
			return []Notification{{Kind: KindUnknown, Why: "not a JSON object with Records or detail: " + err.Error()}}, nil
		}
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case len(probe.Records) > 0:
		var out []Notification
		for i, r := range probe.Records {
			out = append(out, parseSNSRecord(r, i))
		}
		return out, nil
	case probe.Source == "aws.rds" && len(probe.Detail) > 0:
		return []Notification{parseEventBridgeRDS(raw)}, nil
	case probe.Source == "aws.cloudwatch" && probe.DetailType == "CloudWatch Alarm State Change":
		return []Notification{parseEventBridgeAlarm(raw)}, nil
	case probe.Source != "":
		return []Notification{{Kind: KindUnknown, Via: "eventbridge", Why: fmt.Sprintf("EventBridge event from %q (%q) is not an RDS event or an alarm state change", probe.Source, probe.DetailType)}}, nil
	}
	return []Notification{{Kind: KindUnknown, Why: "neither an SNS event (Records[].Sns) nor an EventBridge event (source, detail)"}}, nil
}

type snsRecord struct {
	EventSource string `json:"EventSource"`
	Sns         struct {
		Type      string `json:"Type"`
		MessageID string `json:"MessageId"`
		TopicArn  string `json:"TopicArn"`
		Subject   string `json:"Subject"`
		Message   string `json:"Message"`
		Timestamp string `json:"Timestamp"`
	} `json:"Sns"`
}

func parseSNSRecord(raw json.RawMessage, i int) Notification {
	var r snsRecord
	if err := json.Unmarshal(raw, &r); err != nil || r.Sns.Message == "" {
		why := "record has no Sns.Message"
		if err != nil {
			why = "record is not an SNS record: " + err.Error()
		}
		return Notification{Kind: KindUnknown, Via: "sns", Why: fmt.Sprintf("Records[%d]: %s", i, why)}
	}
	n := Notification{Via: "sns", MessageID: r.Sns.MessageID}
	msg := strings.TrimSpace(r.Sns.Message)
	if !strings.HasPrefix(msg, "{") {
		n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: SNS message %s is plain text, not a CloudWatch alarm or RDS event notification", i, r.Sns.MessageID)
		return n
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(msg), &probe); err != nil {
		n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: SNS message %s is not valid JSON: %v", i, r.Sns.MessageID, err)
		return n
	}
	switch {
	case probe["AlarmName"] != nil && probe["NewStateValue"] != nil:
		a, err := parseAlarmMessage([]byte(msg), r.Sns.TopicArn)
		if err != nil {
			n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: alarm message: %v", i, err)
			return n
		}
		n.Kind, n.Alarm = KindAlarm, a
	case probe["Event Source"] != nil && probe["Event Message"] != nil:
		e, err := parseRDSSubscription([]byte(msg), r.Sns.TopicArn)
		if err != nil {
			n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: RDS event notification: %v", i, err)
			return n
		}
		n.Kind, n.RDS, n.Via = KindRDS, e, "rds-subscription"
	case probe["source"] != nil && probe["detail"] != nil:
		inner, err := Parse([]byte(msg)) // an EventBridge event forwarded through SNS
		if err != nil || len(inner) != 1 {
			n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: forwarded EventBridge event not understood", i)
			return n
		}
		inner[0].Via = "sns"
		if inner[0].MessageID == "" {
			inner[0].MessageID = r.Sns.MessageID
		}
		return inner[0]
	default:
		n.Kind, n.Why = KindUnknown, fmt.Sprintf("Records[%d]: SNS message %s is JSON but neither a CloudWatch alarm (AlarmName, NewStateValue) nor an RDS event", i, r.Sns.MessageID)
	}
	return n
}

// alarmMessage is CloudWatch's SNS notification body.
type alarmMessage struct {
	AlarmName        string  `json:"AlarmName"`
	AlarmDescription *string `json:"AlarmDescription"`
	AWSAccountID     string  `json:"AWSAccountId"`
	AlarmArn         string  `json:"AlarmArn"`
	NewStateValue    string  `json:"NewStateValue"`
	NewStateReason   string  `json:"NewStateReason"`
	StateChangeTime  string  `json:"StateChangeTime"`
	Region           string  `json:"Region"`
	OldStateValue    string  `json:"OldStateValue"`
	AlarmRule        string  `json:"AlarmRule"`
	Trigger          *struct {
		MetricName         string          `json:"MetricName"`
		Namespace          string          `json:"Namespace"`
		Statistic          string          `json:"Statistic"`
		ExtendedStatistic  string          `json:"ExtendedStatistic"`
		Unit               *string         `json:"Unit"`
		Dimensions         []dimensionJSON `json:"Dimensions"`
		Period             int             `json:"Period"`
		EvaluationPeriods  int             `json:"EvaluationPeriods"`
		DatapointsToAlarm  int             `json:"DatapointsToAlarm"`
		ComparisonOperator string          `json:"ComparisonOperator"`
		Threshold          *float64        `json:"Threshold"`
		ThresholdMetricID  string          `json:"ThresholdMetricId"`
		Metrics            []struct {
			ID         string `json:"Id"`
			Expression string `json:"Expression"`
			Label      string `json:"Label"`
			MetricStat *struct {
				Metric struct {
					MetricName string          `json:"MetricName"`
					Namespace  string          `json:"Namespace"`
					Dimensions []dimensionJSON `json:"Dimensions"`
				} `json:"Metric"`
				Stat string `json:"Stat"`
			} `json:"MetricStat"`
		} `json:"Metrics"`
	} `json:"Trigger"`
	TriggeringChildren []struct {
		Arn string `json:"Arn"`
	} `json:"TriggeringChildren"`
}

// dimensionJSON accepts CloudWatch's {"name","value"} and the API's {"Name","Value"}.
type dimensionJSON struct {
	Name  string
	Value string
}

func (d *dimensionJSON) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, v := range m {
		switch strings.ToLower(k) {
		case "name":
			d.Name = v
		case "value":
			d.Value = v
		}
	}
	return nil
}

func parseAlarmMessage(b []byte, topicARN string) (*Alarm, error) {
	var m alarmMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	state := strings.ToUpper(strings.TrimSpace(m.NewStateValue))
	switch state {
	case StateAlarm, StateOK, StateInsufficientData:
	default:
		return nil, fmt.Errorf("NewStateValue %q is not ALARM, OK or INSUFFICIENT_DATA", m.NewStateValue)
	}
	if strings.TrimSpace(m.AlarmName) == "" {
		return nil, fmt.Errorf("AlarmName is empty")
	}
	at, err := parseAlarmTime(m.StateChangeTime)
	if err != nil {
		return nil, fmt.Errorf("StateChangeTime %q: %v", m.StateChangeTime, err)
	}
	a := &Alarm{
		Name: m.AlarmName, AccountID: m.AWSAccountID, ARN: m.AlarmArn, RegionName: m.Region,
		State: state, OldState: strings.ToUpper(m.OldStateValue), Reason: m.NewStateReason, Time: at, Rule: m.AlarmRule,
	}
	if m.AlarmDescription != nil {
		a.Description = *m.AlarmDescription
	}
	a.Region = arnRegion(m.AlarmArn)
	if a.Region == "" {
		a.Region = arnRegion(topicARN)
	}
	if a.Region == "" {
		a.Region = regionByName[strings.TrimSpace(m.Region)]
	}
	if a.AccountID == "" {
		a.AccountID = arnAccount(m.AlarmArn)
	}
	if t := m.Trigger; t != nil {
		tr := &Trigger{
			MetricName: t.MetricName, Namespace: t.Namespace, Statistic: t.Statistic, Period: t.Period,
			EvaluationPeriods: t.EvaluationPeriods, DatapointsToAlarm: t.DatapointsToAlarm,
			ComparisonOperator: t.ComparisonOperator, Threshold: t.Threshold, ThresholdMetricID: t.ThresholdMetricID,
		}
		if t.ExtendedStatistic != "" {
			tr.Statistic = t.ExtendedStatistic
		}
		if t.Unit != nil {
			tr.Unit = *t.Unit
		}
		for _, d := range t.Dimensions {
			tr.Dimensions = append(tr.Dimensions, Dimension(d))
		}
		for _, q := range t.Metrics {
			switch {
			case q.MetricStat != nil:
				ms := q.MetricStat
				if tr.MetricName == "" {
					tr.MetricName, tr.Namespace = ms.Metric.MetricName, ms.Metric.Namespace
					for _, d := range ms.Metric.Dimensions {
						tr.Dimensions = append(tr.Dimensions, Dimension(d))
					}
				}
				tr.Metrics = append(tr.Metrics, fmt.Sprintf("%s = %s/%s %s", q.ID, ms.Metric.Namespace, ms.Metric.MetricName, ms.Stat))
			case q.Expression != "":
				tr.Metrics = append(tr.Metrics, q.ID+" = "+q.Expression)
			}
		}
		a.Trigger = tr
	}
	for _, c := range m.TriggeringChildren {
		if name := arnResource(c.Arn, "alarm:"); name != "" {
			a.Children = append(a.Children, name)
		}
	}
	return a, nil
}

// parseAlarmTime reads CloudWatch's "2017-01-12T16:30:42.236+0000" (and RFC 3339).
func parseAlarmTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a CloudWatch timestamp")
}

// eventBridgeRDS is an EventBridge event from source aws.rds.
type eventBridgeRDS struct {
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     struct {
		EventCategories  []string `json:"EventCategories"`
		SourceType       string   `json:"SourceType"`
		SourceArn        string   `json:"SourceArn"`
		SourceIdentifier string   `json:"SourceIdentifier"`
		Date             string   `json:"Date"`
		Message          string   `json:"Message"`
		EventID          string   `json:"EventID"`
	} `json:"detail"`
}

func parseEventBridgeRDS(raw []byte) Notification {
	n := Notification{Via: "eventbridge"}
	var ev eventBridgeRDS
	if err := json.Unmarshal(raw, &ev); err != nil {
		n.Kind, n.Why = KindUnknown, "RDS EventBridge event: "+err.Error()
		return n
	}
	n.MessageID = ev.ID
	d := ev.Detail
	if strings.TrimSpace(d.Message) == "" {
		n.Kind, n.Why = KindUnknown, fmt.Sprintf("RDS EventBridge event %s (%q) has no detail.Message", ev.ID, ev.DetailType)
		return n
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(d.Date))
	if err != nil {
		if at, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(ev.Time)); err != nil {
			n.Kind, n.Why = KindUnknown, fmt.Sprintf("RDS EventBridge event %s has neither detail.Date nor time", ev.ID)
			return n
		}
	}
	arn := d.SourceArn
	if arn == "" && len(ev.Resources) > 0 {
		arn = ev.Resources[0]
	}
	e := &RDSEvent{
		Time: at.UTC(), Region: ev.Region, Account: ev.Account, SourceARN: arn, Message: d.Message,
		Categories: d.EventCategories, EventID: d.EventID, EventBridgeID: ev.ID,
	}
	e.SourceType = sourceType(d.SourceType, ev.DetailType, arn)
	e.SourceID = sourceID(e.SourceType, d.SourceIdentifier, arn)
	if e.Region == "" {
		e.Region = arnRegion(arn)
	}
	if e.Account == "" {
		e.Account = arnAccount(arn)
	}
	e.Group = events.Classify(e.Categories, e.Message, e.SourceType)
	n.Kind, n.RDS = KindRDS, e
	return n
}

// parseRDSSubscription reads an RDS event subscription's SNS message ("Event Source", "Event Time",
// "Identifier Link", "Source ID", "Source ARN", "Event ID", "Event Message").
func parseRDSSubscription(b []byte, topicARN string) (*RDSEvent, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	at, err := time.Parse("2006-01-02 15:04:05.000", strings.TrimSpace(m["Event Time"]))
	if err != nil {
		if at, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(m["Event Time"])); err != nil {
			return nil, fmt.Errorf("the Event Time %q is not a time", m["Event Time"])
		}
	}
	arn := m["Source ARN"]
	e := &RDSEvent{Time: at.UTC(), SourceARN: arn, Message: m["Event Message"]}
	e.SourceType = sourceType(m["Event Source"], "", arn)
	e.SourceID = sourceID(e.SourceType, m["Source ID"], arn)
	e.Region, e.Account = arnRegion(arn), arnAccount(arn)
	if e.Region == "" {
		e.Region, e.Account = arnRegion(topicARN), arnAccount(topicARN)
	}
	if id := m["Event ID"]; id != "" {
		// "http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0002"
		if i := strings.LastIndex(id, "#"); i >= 0 {
			id = id[i+1:]
		}
		e.EventID = id
	}
	e.Group = events.Classify(nil, e.Message, e.SourceType)
	return e, nil
}

// parseEventBridgeAlarm reads EventBridge's "CloudWatch Alarm State Change" into the same Alarm.
func parseEventBridgeAlarm(raw []byte) Notification {
	n := Notification{Via: "eventbridge"}
	var ev struct {
		ID        string   `json:"id"`
		Account   string   `json:"account"`
		Region    string   `json:"region"`
		Resources []string `json:"resources"`
		Detail    struct {
			AlarmName string `json:"alarmName"`
			State     struct {
				Value     string `json:"value"`
				Reason    string `json:"reason"`
				Timestamp string `json:"timestamp"`
			} `json:"state"`
			PreviousState struct {
				Value string `json:"value"`
			} `json:"previousState"`
			Configuration struct {
				Description string `json:"description"`
				AlarmRule   string `json:"alarmRule"`
				Metrics     []struct {
					ID         string `json:"id"`
					Expression string `json:"expression"`
					MetricStat *struct {
						Metric struct {
							Name       string            `json:"name"`
							Namespace  string            `json:"namespace"`
							Dimensions map[string]string `json:"dimensions"`
						} `json:"metric"`
						Period int    `json:"period"`
						Stat   string `json:"stat"`
					} `json:"metricStat"`
				} `json:"metrics"`
			} `json:"configuration"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil || ev.Detail.AlarmName == "" {
		n.Kind, n.Why = KindUnknown, "CloudWatch Alarm State Change without detail.alarmName"
		return n
	}
	n.MessageID = ev.ID
	at, err := parseAlarmTime(ev.Detail.State.Timestamp)
	if err != nil {
		n.Kind, n.Why = KindUnknown, fmt.Sprintf("CloudWatch Alarm State Change %s: state.timestamp %q", ev.ID, ev.Detail.State.Timestamp)
		return n
	}
	a := &Alarm{
		Name: ev.Detail.AlarmName, AccountID: ev.Account, Region: ev.Region, State: strings.ToUpper(ev.Detail.State.Value),
		OldState: strings.ToUpper(ev.Detail.PreviousState.Value), Reason: ev.Detail.State.Reason, Time: at,
		Description: ev.Detail.Configuration.Description, Rule: ev.Detail.Configuration.AlarmRule,
	}
	if len(ev.Resources) > 0 {
		a.ARN = ev.Resources[0]
	}
	for _, q := range ev.Detail.Configuration.Metrics {
		if ms := q.MetricStat; ms != nil && a.Trigger == nil {
			a.Trigger = &Trigger{MetricName: ms.Metric.Name, Namespace: ms.Metric.Namespace, Statistic: ms.Stat, Period: ms.Period}
			for k, v := range ms.Metric.Dimensions {
				a.Trigger.Dimensions = append(a.Trigger.Dimensions, Dimension{Name: k, Value: v})
			}
			sortDims(a.Trigger.Dimensions)
		}
	}
	n.Kind, n.Alarm = KindAlarm, a
	return n
}

func sortDims(ds []Dimension) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Name < ds[j-1].Name; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// sourceTypes maps EventBridge's detail.SourceType, the subscription's "Event Source" and detail-type to the
// DescribeEvents source type.
var sourceTypes = map[string]string{
	"db_instance": "db-instance", "db-instance": "db-instance", "rds db instance event": "db-instance",
	"cluster": "db-cluster", "db_cluster": "db-cluster", "db-cluster": "db-cluster", "rds db cluster event": "db-cluster",
	"snapshot": "db-snapshot", "db_snapshot": "db-snapshot", "db-snapshot": "db-snapshot", "rds db snapshot event": "db-snapshot",
	"cluster_snapshot": "db-cluster-snapshot", "db_cluster_snapshot": "db-cluster-snapshot", "db-cluster-snapshot": "db-cluster-snapshot", "rds db cluster snapshot event": "db-cluster-snapshot",
	"parameter_group": "db-parameter-group", "db_parameter_group": "db-parameter-group", "db-parameter-group": "db-parameter-group", "rds db parameter group event": "db-parameter-group",
	"cluster_parameter_group": "db-cluster-parameter-group", "db-cluster-parameter-group": "db-cluster-parameter-group", "rds db cluster parameter group event": "db-cluster-parameter-group",
	"security_group": "db-security-group", "db_security_group": "db-security-group", "db-security-group": "db-security-group", "rds db security group event": "db-security-group",
	"db_proxy": "db-proxy", "db-proxy": "db-proxy", "rds db proxy event": "db-proxy",
	"blue_green_deployment": "blue-green-deployment", "blue-green-deployment": "blue-green-deployment", "rds blue green deployment event": "blue-green-deployment",
	"custom_engine_version": "custom-engine-version", "custom-engine-version": "custom-engine-version",
}

// arnTypes maps an RDS ARN's resource type to the source type.
var arnTypes = map[string]string{
	"db": "db-instance", "cluster": "db-cluster", "snapshot": "db-snapshot", "cluster-snapshot": "db-cluster-snapshot",
	"pg": "db-parameter-group", "cluster-pg": "db-cluster-parameter-group", "secgrp": "db-security-group", "db-proxy": "db-proxy",
	"deployment": "blue-green-deployment",
}

func sourceType(detail, detailType, arn string) string {
	if t, ok := sourceTypes[strings.ToLower(strings.TrimSpace(detail))]; ok {
		return t
	}
	if t, ok := sourceTypes[strings.ToLower(strings.TrimSpace(detailType))]; ok {
		return t
	}
	if p := strings.SplitN(arn, ":", 7); len(p) == 7 {
		if t, ok := arnTypes[p[5]]; ok {
			return t
		}
	}
	if detail != "" {
		return strings.ToLower(strings.ReplaceAll(detail, "_", "-"))
	}
	return "unknown"
}

// sourceID prefers the ARN's resource name (EventBridge's SourceIdentifier sometimes carries an "rds:"
// prefix for instances and clusters); snapshot names keep theirs ("rds:orders-prod-2026-…" is the name).
func sourceID(typ, ident, arn string) string {
	if p := strings.SplitN(arn, ":", 7); len(p) == 7 && p[6] != "" {
		return p[6]
	}
	if !strings.HasSuffix(typ, "snapshot") {
		ident = strings.TrimPrefix(ident, "rds:")
	}
	return ident
}

func arnRegion(arn string) string {
	if p := strings.SplitN(arn, ":", 6); len(p) == 6 && strings.HasPrefix(arn, "arn:") {
		return p[3]
	}
	return ""
}

func arnAccount(arn string) string {
	if p := strings.SplitN(arn, ":", 6); len(p) == 6 && strings.HasPrefix(arn, "arn:") {
		return p[4]
	}
	return ""
}

// arnResource returns what follows marker in an ARN ("alarm:" → the alarm name).
func arnResource(arn, marker string) string {
	if i := strings.Index(arn, ":"+marker); i >= 0 {
		return arn[i+1+len(marker):]
	}
	return ""
}

// regionByName maps CloudWatch's region display names (the "Region" of an alarm notification) to codes.
var regionByName = map[string]string{
	"US East (N. Virginia)": "us-east-1", "US East - N. Virginia": "us-east-1", "US East (Ohio)": "us-east-2", "US East - Ohio": "us-east-2",
	"US West (N. California)": "us-west-1", "US West - N. California": "us-west-1", "US West (Oregon)": "us-west-2", "US West - Oregon": "us-west-2",
	"Asia Pacific (Seoul)": "ap-northeast-2", "Asia Pacific - Seoul": "ap-northeast-2", "Asia Pacific (Tokyo)": "ap-northeast-1", "Asia Pacific - Tokyo": "ap-northeast-1",
	"Asia Pacific (Osaka)": "ap-northeast-3", "Asia Pacific (Singapore)": "ap-southeast-1", "Asia Pacific - Singapore": "ap-southeast-1",
	"Asia Pacific (Sydney)": "ap-southeast-2", "Asia Pacific - Sydney": "ap-southeast-2", "Asia Pacific (Mumbai)": "ap-south-1", "Asia Pacific (Hong Kong)": "ap-east-1",
	"EU (Ireland)": "eu-west-1", "EU - Ireland": "eu-west-1", "Europe (Ireland)": "eu-west-1", "EU (London)": "eu-west-2", "EU - London": "eu-west-2", "Europe (London)": "eu-west-2",
	"EU (Paris)": "eu-west-3", "Europe (Paris)": "eu-west-3", "EU (Frankfurt)": "eu-central-1", "EU - Frankfurt": "eu-central-1", "Europe (Frankfurt)": "eu-central-1",
	"EU (Stockholm)": "eu-north-1", "Europe (Stockholm)": "eu-north-1", "Canada (Central)": "ca-central-1", "South America (Sao Paulo)": "sa-east-1",
}

// Resource is the database an alarm or event is about, resolved from dimensions or the event source.
type Resource struct {
	Kind    string // "instance", "cluster", "snapshot", "parameter group", … ("" when unknown)
	ID      string
	Cluster string // the cluster, when known and different from ID
	Role    string // WRITER / READER for cluster+Role dimensions
}

// Resource resolves the database of a metric alarm from its dimensions (DBInstanceIdentifier,
// DBClusterIdentifier with Role, DbClusterIdentifier).
func (a *Alarm) Resource() Resource {
	if a.Trigger == nil {
		return Resource{}
	}
	var r Resource
	for _, d := range a.Trigger.Dimensions {
		switch strings.ToLower(d.Name) {
		case "dbinstanceidentifier":
			r.Kind, r.ID = "instance", d.Value
		case "dbclusteridentifier":
			r.Cluster = d.Value
		case "role":
			r.Role = strings.ToUpper(d.Value)
		}
	}
	if r.ID == "" && r.Cluster != "" {
		r.Kind, r.ID, r.Cluster = "cluster", r.Cluster, ""
	}
	return r
}

// Resource names the event's source.
func (e *RDSEvent) Resource() Resource {
	kind := strings.TrimPrefix(e.SourceType, "db-")
	switch kind {
	case "cluster-snapshot":
		kind = "cluster snapshot"
	case "parameter-group", "cluster-parameter-group", "security-group", "blue-green-deployment", "custom-engine-version":
		kind = strings.ReplaceAll(kind, "-", " ")
	}
	r := Resource{Kind: kind, ID: e.SourceID}
	if c := e.Cluster(); c != "" && c != e.SourceID {
		r.Cluster = c
	}
	return r
}
