package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"gopkg.in/yaml.v3"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var (
	now   = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	seoul = func() *time.Location { l, _ := time.LoadLocation("Asia/Seoul"); return l }()
)

// fakeCW serves alarm pages and history pages (NextToken "1", "2", …) and records the inputs.
type fakeCW struct {
	alarms     []*cloudwatch.DescribeAlarmsOutput
	history    []*cloudwatch.DescribeAlarmHistoryOutput
	alarmsErr  error
	histErr    error
	sentAlarms []cloudwatch.DescribeAlarmsInput
	sentHist   []cloudwatch.DescribeAlarmHistoryInput
}

func pageIndex(tok *string) int {
	if tok == nil {
		return 0
	}
	var i int
	fmt.Sscan(*tok, &i)
	return i
}

func (f *fakeCW) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f.sentAlarms = append(f.sentAlarms, *in)
	if f.alarmsErr != nil {
		return nil, f.alarmsErr
	}
	i := pageIndex(in.NextToken)
	if i >= len(f.alarms) {
		return &cloudwatch.DescribeAlarmsOutput{}, nil
	}
	out := *f.alarms[i]
	if i+1 < len(f.alarms) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return &out, nil
}

func (f *fakeCW) DescribeAlarmHistory(_ context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	f.sentHist = append(f.sentHist, *in)
	if f.histErr != nil {
		return nil, f.histErr
	}
	i := pageIndex(in.NextToken)
	if i >= len(f.history) {
		return &cloudwatch.DescribeAlarmHistoryOutput{}, nil
	}
	out := *f.history[i]
	if i+1 < len(f.history) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return &out, nil
}

func dims(kv ...string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func malarm(name, metric string, ds []cwtypes.Dimension, state cwtypes.StateValue, op cwtypes.ComparisonOperator, th float64, since time.Time) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{AlarmName: aws.String(name), Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric), Dimensions: ds,
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5), DatapointsToAlarm: aws.Int32(5),
		ComparisonOperator: op, Threshold: aws.Float64(th), StateValue: state, StateReason: aws.String("reason of " + name),
		StateTransitionedTimestamp: aws.Time(since), ActionsEnabled: aws.Bool(true), AlarmActions: []string{"arn:aws:sns:us-east-1:1:t"}}
}

func hist(name string, at time.Time, from, to string) cwtypes.AlarmHistoryItem {
	data := fmt.Sprintf(`{"version":"1.0","oldState":{"stateValue":%q},"newState":{"stateValue":%q,"stateReason":"went %s"}}`, from, to, to)
	return cwtypes.AlarmHistoryItem{AlarmName: aws.String(name), Timestamp: aws.Time(at), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		HistoryData: aws.String(data), HistorySummary: aws.String("Alarm updated from " + from + " to " + to)}
}

func auroraTopo() cluster.Topology {
	mk := func(id, role, class string) cluster.Member {
		v, m, _ := cluster.ClassInfo(class)
		return cluster.Member{ID: id, Role: role, Class: class, VCPU: v, MemoryBytes: m}
	}
	return cluster.Topology{Region: "us-east-1", ID: "c1", Kind: "aurora-cluster", Engine: "aurora-mysql", Writer: "c1-a", Readers: []string{"c1-b", "c1-c"},
		Members:             []cluster.Member{mk("c1-a", cluster.RoleWriter, "db.r6g.xlarge"), mk("c1-b", cluster.RoleReader, "db.r6g.large"), mk("c1-c", cluster.RoleReader, "db.r6g.xlarge")},
		PerformanceInsights: cluster.PerformanceInsight{Enabled: true, Mode: "standard"}}
}

func TestRelevant(t *testing.T) {
	tp := auroraTopo()
	cases := []struct {
		dims  []cwtypes.Dimension
		scope string
		ok    bool
	}{
		{dims("DBClusterIdentifier", "c1"), "cluster", true},
		{dims("DBClusterIdentifier", "c1", "Role", "WRITER"), "writer series (Role=WRITER)", true},
		{dims("Role", "READER", "DBClusterIdentifier", "c1"), "reader series (Role=READER)", true},
		{dims("DbClusterIdentifier", "c1", "EngineName", "aurora-mysql"), "cluster", true},
		{dims("DBInstanceIdentifier", "c1-b"), "instance c1-b (reader now)", true},
		{dims("DBClusterIdentifier", "c10"), "", false},
		{dims("DBInstanceIdentifier", "c1-z"), "", false},
		{dims("LoadBalancer", "app/c1/1"), "", false},
		{nil, "", false},
	}
	for _, c := range cases {
		scope, ok := Relevant(tp, c.dims)
		if scope != c.scope || ok != c.ok {
			t.Errorf("Relevant(%s) = %q %v, want %q %v", dimString(c.dims), scope, ok, c.scope, c.ok)
		}
	}
}

func TestListFetchesBothTypesFiltersAndReadsHistory(t *testing.T) {
	gt := cwtypes.ComparisonOperatorGreaterThanThreshold
	mathAlarm := malarm("c1-b-math", "", nil, cwtypes.StateValueOk, gt, 1, now.Add(-50*time.Hour))
	mathAlarm.MetricName, mathAlarm.Namespace, mathAlarm.Statistic = nil, nil, ""
	mathAlarm.Metrics = []cwtypes.MetricDataQuery{{Id: aws.String("m1"), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("Deadlocks"), Dimensions: dims("DBInstanceIdentifier", "c1-b")},
		Period: aws.Int32(60), Stat: aws.String("Sum")}}}
	f := &fakeCW{
		alarms: []*cloudwatch.DescribeAlarmsOutput{
			{MetricAlarms: []cwtypes.MetricAlarm{
				malarm("c1-writer-cpu", "CPUUtilization", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.StateValueOk, gt, 90, now.Add(-2*time.Hour)),
				malarm("other-cpu", "CPUUtilization", dims("DBClusterIdentifier", "other"), cwtypes.StateValueAlarm, gt, 90, now.Add(-time.Hour)),
			}},
			{MetricAlarms: []cwtypes.MetricAlarm{
				malarm("c1-a-mem", "FreeableMemory", dims("DBInstanceIdentifier", "c1-a"), cwtypes.StateValueAlarm, cwtypes.ComparisonOperatorLessThanThreshold, 1e9, now.Add(-30*time.Minute)),
				malarm("c1-lag", "AuroraReplicaLag", dims("DBClusterIdentifier", "c1", "Role", "READER"), cwtypes.StateValueInsufficientData, gt, 1000, now.Add(-time.Hour)),
				mathAlarm,
			}, CompositeAlarms: []cwtypes.CompositeAlarm{
				{AlarmName: aws.String("db-degraded"), AlarmRule: aws.String(`ALARM("c1-writer-cpu") OR ALARM("c1-lag")`), StateValue: cwtypes.StateValueOk, StateTransitionedTimestamp: aws.Time(now.Add(-3 * time.Hour))},
				{AlarmName: aws.String("page-oncall"), AlarmRule: aws.String(`ALARM(db-degraded)`), StateValue: cwtypes.StateValueOk},
				{AlarmName: aws.String("c1-composite"), AlarmRule: aws.String(`ALARM("x")`), StateValue: cwtypes.StateValueOk},
				{AlarmName: aws.String("unrelated"), AlarmRule: aws.String(`ALARM("other-cpu")`), StateValue: cwtypes.StateValueAlarm},
			}},
		},
		history: []*cloudwatch.DescribeAlarmHistoryOutput{
			{AlarmHistoryItems: []cwtypes.AlarmHistoryItem{
				hist("c1-a-mem", now.Add(-30*time.Minute), "OK", "ALARM"),
				hist("other-cpu", now.Add(-time.Hour), "OK", "ALARM"),
				hist("c1-writer-cpu", now.Add(-2*time.Hour), "ALARM", "OK"),
			}},
			{AlarmHistoryItems: []cwtypes.AlarmHistoryItem{
				hist("c1-writer-cpu", now.Add(-3*time.Hour), "OK", "ALARM"),
				{AlarmName: aws.String("db-degraded"), Timestamp: aws.Time(now.Add(-3 * time.Hour)), HistorySummary: aws.String("Alarm updated from OK to ALARM")},
				hist("c1-writer-cpu", now.Add(-30*time.Hour), "INSUFFICIENT_DATA", "OK"), // before the window
			}},
		},
	}
	w := timewin.Window{Start: now.Add(-24 * time.Hour), End: now, Loc: seoul}
	res, err := List(context.Background(), f, auroraTopo(), w)
	if err != nil {
		t.Fatal(err)
	}
	both := []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}
	wantAlarms := []cloudwatch.DescribeAlarmsInput{{AlarmTypes: both, MaxRecords: aws.Int32(100)}, {AlarmTypes: both, MaxRecords: aws.Int32(100), NextToken: aws.String("1")}}
	if !reflect.DeepEqual(f.sentAlarms, wantAlarms) {
		t.Errorf("DescribeAlarms inputs %+v", f.sentAlarms)
	}
	wantHist := cloudwatch.DescribeAlarmHistoryInput{AlarmTypes: both, HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		StartDate: aws.Time(w.Start), EndDate: aws.Time(w.End), ScanBy: cwtypes.ScanByTimestampDescending, MaxRecords: aws.Int32(100)}
	wantHist2 := wantHist
	wantHist2.NextToken = aws.String("1")
	if !reflect.DeepEqual(f.sentHist, []cloudwatch.DescribeAlarmHistoryInput{wantHist, wantHist2}) {
		t.Errorf("DescribeAlarmHistory inputs %+v", f.sentHist)
	}
	var got []string
	for _, a := range res.Alarms {
		got = append(got, fmt.Sprintf("%s %s %s %d", a.State, a.Name, a.Scope, a.Changes))
	}
	want := []string{
		"ALARM c1-a-mem instance c1-a (writer now) 1",
		"INSUFFICIENT_DATA c1-lag reader series (Role=READER) 0",
		"OK c1-writer-cpu writer series (Role=WRITER) 2",
		"OK db-degraded composite 1",
		"OK c1-b-math instance c1-b (reader now) 0",
		"OK c1-composite composite 0",
		"OK page-oncall composite 0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("alarms\n%q\nwant\n%q", got, want)
	}
	cpu := res.Alarms[2]
	if cpu.Metric != "AWS/RDS CPUUtilization" || cpu.Dimensions != "DBClusterIdentifier=c1, Role=WRITER" || cpu.Condition != "Average > 90 for 5 of 5 x 60s" ||
		cpu.StateSinceLocal != "2026-11-22T16:00:00+09:00" || cpu.Actions != 1 {
		t.Errorf("cpu alarm %+v", cpu)
	}
	if res.Alarms[4].Metric != "AWS/RDS Deadlocks" || res.Alarms[3].Rule == "" {
		t.Errorf("math/composite %+v %+v", res.Alarms[4], res.Alarms[3])
	}
	var changes []string
	for _, c := range res.Changes {
		changes = append(changes, c.TimeUTC+" "+c.Alarm+" "+c.From+">"+c.To)
	}
	wantChanges := []string{
		"2026-11-22T08:30:00Z c1-a-mem OK>ALARM",
		"2026-11-22T07:00:00Z c1-writer-cpu ALARM>OK",
		"2026-11-22T06:00:00Z c1-writer-cpu OK>ALARM",
		"2026-11-22T06:00:00Z db-degraded OK>ALARM",
	}
	if !reflect.DeepEqual(changes, wantChanges) {
		t.Errorf("changes\n%q\nwant\n%q", changes, wantChanges)
	}
	if res.Changes[0].Reason != "went ALARM" || res.Changes[0].TimeLocal != "2026-11-22T17:30:00+09:00" || res.Calls != 4 {
		t.Errorf("change %+v calls %d", res.Changes[0], res.Calls)
	}
}

func TestListNoAlarmsSkipsHistoryAndErrorsAreWrapped(t *testing.T) {
	f := &fakeCW{alarms: []*cloudwatch.DescribeAlarmsOutput{{}}}
	res, err := List(context.Background(), f, auroraTopo(), timewin.Window{Start: now.Add(-time.Hour), End: now})
	if err != nil || len(res.Alarms) != 0 || len(f.sentHist) != 0 {
		t.Fatalf("no alarms: %v %+v %d", err, res, len(f.sentHist))
	}
	denied := &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "DescribeAlarmHistory", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}}
	f = &fakeCW{alarms: []*cloudwatch.DescribeAlarmsOutput{{MetricAlarms: []cwtypes.MetricAlarm{
		malarm("c1-cpu", "CPUUtilization", dims("DBClusterIdentifier", "c1"), cwtypes.StateValueOk, cwtypes.ComparisonOperatorGreaterThanThreshold, 90, now)}}},
		histErr: denied}
	_, err = List(context.Background(), f, auroraTopo(), timewin.Window{Start: now.Add(-time.Hour), End: now})
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || !strings.Contains(awsclient.Classify(err).Error(), "cloudwatch:DescribeAlarmHistory") {
		t.Fatalf("history error %v", err)
	}
}

func keys(rules []Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Key)
	}
	return out
}

func rule(rules []Rule, key string) Rule {
	for _, r := range rules {
		if r.Key == key {
			return r
		}
	}
	return Rule{}
}

func TestRecommendedByEngineAndTopology(t *testing.T) {
	rules, hints := Recommended(auroraTopo())
	wantKeys := []string{"cpu-writer", "freeable-memory-writer", "connections-writer", "dbload-writer", "read-latency-writer", "write-latency-writer", "buffer-cache-writer",
		"cpu-reader", "freeable-memory-reader", "connections-reader", "dbload-reader", "read-latency-reader", "buffer-cache-reader",
		"engine-uptime-writer", "volume-left", "replica-lag-reader"}
	if !reflect.DeepEqual(keys(rules), wantKeys) || len(hints) != 0 {
		t.Fatalf("aurora-mysql rules %q hints %q", keys(rules), hints)
	}
	checks := []struct {
		key       string
		threshold float64
		dims      string
	}{
		{"cpu-writer", 90, "DBClusterIdentifier=c1 Role=WRITER"},
		{"freeable-memory-writer", 0.05 * 32 * (1 << 30), "DBClusterIdentifier=c1 Role=WRITER"},
		{"freeable-memory-reader", 0.05 * 16 * (1 << 30), "DBClusterIdentifier=c1 Role=READER"}, // smallest reader
		{"connections-writer", 1800, ""}, {"connections-reader", 900, ""},
		{"dbload-writer", 4, ""}, {"dbload-reader", 2, ""},
		{"read-latency-reader", 0.02, ""},
		{"engine-uptime-writer", 0, "DBClusterIdentifier=c1 Role=WRITER"},
		{"volume-left", 0.1 * 128 * (1 << 40), "DBClusterIdentifier=c1"},
		{"replica-lag-reader", 1000, "DBClusterIdentifier=c1 Role=READER"},
	}
	for _, c := range checks {
		r := rule(rules, c.key)
		var ds []string
		for _, d := range r.Dimensions {
			ds = append(ds, d.Name+"="+d.Value)
		}
		if math.Abs(r.Threshold-c.threshold) > 1 {
			t.Errorf("%s threshold %v, want %v", c.key, r.Threshold, c.threshold)
		}
		if c.dims != "" && strings.Join(ds, " ") != c.dims {
			t.Errorf("%s dims %v", c.key, ds)
		}
	}
	if r := rule(rules, "engine-uptime-writer"); r.Comparison != "LessThanOrEqualToThreshold" || r.TreatMissingData != "breaching" || r.EvaluationPeriods != 2 {
		t.Errorf("engine uptime %+v", r)
	}
	if r := rule(rules, "read-latency-writer"); r.Statistic != "p90" || r.AlarmName != "c1-writer-ReadLatency" || r.Source != SourceAWS {
		t.Errorf("latency %+v", r)
	}
	if r := rule(rules, "replica-lag-reader"); r.Source != SourceKida {
		t.Errorf("replica lag must say it is kida's own rule: %q", r.Source)
	}

	// Aurora PostgreSQL: transaction ids on the writer, no AuroraVolumeBytesLeftTotal; PI off → no DBLoad, a hint
	pg := auroraTopo()
	pg.Engine = "aurora-postgresql"
	pg.PerformanceInsights.Enabled = false
	rules, hints = Recommended(pg)
	k := keys(rules)
	if slices.Contains(k, "volume-left") || slices.Contains(k, "dbload-writer") || !slices.Contains(k, "txid-writer") || len(hints) != 2 ||
		!strings.Contains(hints[0], "Performance Insights") || rule(rules, "connections-reader").Threshold != 1621 {
		t.Errorf("aurora-postgresql %q %q", k, hints)
	}

	// standalone RDS for MySQL: per-instance series, 25% memory, burst balance, FreeStorageSpace hint
	solo := cluster.Topology{Region: "us-east-1", ID: "solo", Kind: "instance", Engine: "mysql",
		Members: []cluster.Member{{ID: "solo", Role: cluster.RoleStandalone, Class: "db.m6g.large", VCPU: 2, MemoryBytes: 8 << 30}}}
	rules, hints = Recommended(solo)
	wantSolo := []string{"cpu-solo", "freeable-memory-solo", "connections-solo", "read-latency-solo", "write-latency-solo", "ebsbytebalance-solo", "ebsiobalance-solo"}
	if !reflect.DeepEqual(keys(rules), wantSolo) || rule(rules, "freeable-memory-solo").Threshold != 2<<30 || rule(rules, "cpu-solo").AlarmName != "solo-CPUUtilization" ||
		rule(rules, "connections-solo").Threshold != 613 || len(hints) != 2 {
		t.Errorf("standalone %q %v %q", keys(rules), rule(rules, "freeable-memory-solo").Threshold, hints)
	}

	// Serverless v2 members have no fixed memory or vCPU
	sv := auroraTopo()
	for i := range sv.Members {
		sv.Members[i].Class, sv.Members[i].VCPU, sv.Members[i].MemoryBytes = "db.serverless", 0, 0
	}
	rules, hints = Recommended(sv)
	if slices.Contains(keys(rules), "freeable-memory-writer") || slices.Contains(keys(rules), "dbload-writer") || len(hints) != 6 {
		t.Errorf("serverless %q %q", keys(rules), hints)
	}
}

// splitWords is a POSIX shell word splitter: blanks separate words, single quotes are literal, double quotes
// allow \" \\ \$ \`, a backslash outside quotes escapes the next character.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			for i++; ; i++ {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated double quote")
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\':
			in = true
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		case strings.IndexByte("|&;<>()$`*?[#~", c) >= 0:
			return nil, fmt.Errorf("unquoted shell metacharacter %q", c)
		default:
			in = true
			cur.WriteByte(c)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// flags parses "aws cloudwatch put-metric-alarm --k v [v …]" into k → values.
func flags(words []string) (map[string][]string, error) {
	if len(words) < 3 || words[0] != "aws" || words[1] != "cloudwatch" || words[2] != "put-metric-alarm" {
		return nil, fmt.Errorf("not a put-metric-alarm command: %q", words)
	}
	out := map[string][]string{}
	key := ""
	for _, w := range words[3:] {
		if strings.HasPrefix(w, "--") {
			key = w
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("flag %s twice", key)
			}
			out[key] = nil
			continue
		}
		if key == "" {
			return nil, fmt.Errorf("value %q before any flag", w)
		}
		out[key] = append(out[key], w)
	}
	return out, nil
}

func TestMatchTwoPresentListsExactlyTheMissing(t *testing.T) {
	tp := auroraTopo()
	rules, _ := Recommended(tp)
	gte := cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold
	readLat := malarm("my-read-latency", "ReadLatency", dims("Role", "WRITER", "DBClusterIdentifier", "c1"), cwtypes.StateValueOk, cwtypes.ComparisonOperatorGreaterThanThreshold, 0.025, now)
	readLat.Statistic, readLat.ExtendedStatistic = "", aws.String("p90")
	inv := Inventory{Metric: []cwtypes.MetricAlarm{
		// present: same metric, dimension set (any order), direction (>= counts as >), threshold within 10%
		malarm("my-writer-cpu", "CPUUtilization", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.StateValueOk, gte, 85, now),
		readLat,
		// not matches: another cluster, a per-instance alarm, the wrong direction
		malarm("other-cpu", "CPUUtilization", dims("DBClusterIdentifier", "c2", "Role", "WRITER"), cwtypes.StateValueOk, gte, 90, now),
		malarm("c1-b-cpu", "CPUUtilization", dims("DBInstanceIdentifier", "c1-b"), cwtypes.StateValueOk, gte, 90, now),
		malarm("weird-mem", "FreeableMemory", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.StateValueOk, gte, 1e9, now),
	}}
	items := Match(tp, rules, inv)
	var present, missing []string
	for _, it := range items {
		switch it.Status {
		case StatusPresent:
			present = append(present, it.Key+"="+strings.Join(it.Existing, ","))
		case StatusMissing:
			missing = append(missing, it.Key)
		default:
			t.Errorf("unexpected %s for %s", it.Status, it.Key)
		}
	}
	if !reflect.DeepEqual(present, []string{"cpu-writer=my-writer-cpu", "read-latency-writer=my-read-latency"}) {
		t.Fatalf("present %q", present)
	}
	var wantMissing []string
	for _, r := range rules {
		if r.Key != "cpu-writer" && r.Key != "read-latency-writer" {
			wantMissing = append(wantMissing, r.Key)
		}
	}
	if !reflect.DeepEqual(missing, wantMissing) {
		t.Fatalf("missing %q\nwant %q", missing, wantMissing)
	}
	if it := items[slices.IndexFunc(items, func(i Item) bool { return i.Key == "cpu-reader" })]; !strings.Contains(it.Note, "c1-b-cpu") {
		t.Errorf("per-instance alarm not noted: %+v", it)
	}

	// every command of a missing alarm parses into words and carries the required flags with the rule's values
	bash, _ := exec.LookPath("bash")
	for _, it := range items {
		if it.Status != StatusMissing {
			if it.Command != "" {
				t.Errorf("%s: command for a present alarm", it.Key)
			}
			continue
		}
		words, err := splitWords(it.Command)
		if err != nil {
			t.Fatalf("%s: %v: %s", it.Key, err, it.Command)
		}
		fl, err := flags(words)
		if err != nil {
			t.Fatalf("%s: %v", it.Key, err)
		}
		one := func(k string) string {
			if len(fl[k]) != 1 {
				t.Errorf("%s: %s has %q", it.Key, k, fl[k])
				return ""
			}
			return fl[k][0]
		}
		if one("--region") != "us-east-1" || one("--alarm-name") != it.AlarmName || one("--namespace") != "AWS/RDS" || one("--metric-name") != it.Metric ||
			one("--comparison-operator") != it.Comparison || one("--period") != fmt.Sprint(it.Period) || one("--evaluation-periods") != fmt.Sprint(it.EvaluationPeriods) ||
			one("--datapoints-to-alarm") != fmt.Sprint(it.DatapointsToAlarm) || one("--treat-missing-data") != it.TreatMissingData {
			t.Errorf("%s: flags %v", it.Key, fl)
		}
		var th float64
		if _, err := fmt.Sscan(one("--threshold"), &th); err != nil || th != it.Threshold {
			t.Errorf("%s: threshold %q vs %v", it.Key, fl["--threshold"], it.Threshold)
		}
		stat := fl["--statistic"]
		if isPercentile(it.Statistic) {
			stat = fl["--extended-statistic"]
		}
		if len(stat) != 1 || stat[0] != it.Statistic || (fl["--statistic"] != nil && fl["--extended-statistic"] != nil) {
			t.Errorf("%s: statistic flags %v", it.Key, fl)
		}
		var wantDims []string
		for _, d := range it.Dimensions {
			wantDims = append(wantDims, "Name="+d.Name+",Value="+d.Value)
		}
		if !reflect.DeepEqual(fl["--dimensions"], wantDims) {
			t.Errorf("%s: dimensions %q", it.Key, fl["--dimensions"])
		}
		// a real shell splits it the same way
		if bash != "" {
			out, err := exec.Command(bash, "--norc", "--noprofile", "-c", `aws() { printf '%s\n' "$@"; }; `+it.Command).Output()
			if err != nil {
				t.Fatalf("%s: bash: %v", it.Key, err)
			}
			if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); !reflect.DeepEqual(got, words[1:]) {
				t.Errorf("%s: bash words %q, splitter %q", it.Key, got, words[1:])
			}
		}
	}

	// the CloudFormation snippet parses and creates exactly the missing alarms
	var missingRules []Rule
	for _, it := range items {
		if it.Status == StatusMissing {
			missingRules = append(missingRules, it.Rule)
		}
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(CloudFormation(missingRules)), &tmpl); err != nil {
		t.Fatalf("CloudFormation YAML: %v\n%s", err, CloudFormation(missingRules))
	}
	if len(tmpl.Resources) != len(missingRules) {
		t.Fatalf("%d resources for %d missing alarms", len(tmpl.Resources), len(missingRules))
	}
	byName := map[string]map[string]any{}
	for id, r := range tmpl.Resources {
		if r.Type != "AWS::CloudWatch::Alarm" || !strings.HasPrefix(id, "C1") {
			t.Errorf("resource %s type %s", id, r.Type)
		}
		byName[fmt.Sprint(r.Properties["AlarmName"])] = r.Properties
	}
	for _, r := range missingRules {
		p := byName[r.AlarmName]
		th, _ := p["Threshold"].(float64)
		if iv, ok := p["Threshold"].(int); ok {
			th = float64(iv)
		}
		if p == nil || p["MetricName"] != r.Metric || p["ComparisonOperator"] != r.Comparison || th != r.Threshold || len(p["Dimensions"].([]any)) != len(r.Dimensions) {
			t.Errorf("%s: properties %v", r.AlarmName, p)
		}
	}
	if CloudFormation(nil) != "" {
		t.Error("no missing alarms → no snippet")
	}
}

func TestMatchThresholdTolerance(t *testing.T) {
	tp := auroraTopo()
	rules, _ := Recommended(tp)
	gt := cwtypes.ComparisonOperatorGreaterThanThreshold
	cases := []struct {
		key, metric string
		ds          []cwtypes.Dimension
		op          cwtypes.ComparisonOperator
		th          float64
		want        string
	}{
		{"cpu-writer", "CPUUtilization", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), gt, 80, StatusThresholdDiffers},
		{"cpu-writer", "CPUUtilization", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), gt, 99, StatusPresent},
		{"cpu-writer", "CPUUtilization", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.ComparisonOperatorLessThanThreshold, 90, StatusMissing},
		{"connections-writer", "DatabaseConnections", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), gt, 42, StatusPresent}, // workload-dependent: any threshold
		{"engine-uptime-writer", "EngineUptime", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.ComparisonOperatorLessThanOrEqualToThreshold, 0, StatusPresent},
		{"engine-uptime-writer", "EngineUptime", dims("DBClusterIdentifier", "c1", "Role", "WRITER"), cwtypes.ComparisonOperatorLessThanThreshold, 60, StatusThresholdDiffers},
		{"volume-left", "AuroraVolumeBytesLeftTotal", dims("DBClusterIdentifier", "c1"), cwtypes.ComparisonOperatorLessThanThreshold, 20 * (1 << 40), StatusThresholdDiffers},
	}
	for _, c := range cases {
		items := Match(tp, rules, Inventory{Metric: []cwtypes.MetricAlarm{malarm("a", c.metric, c.ds, cwtypes.StateValueOk, c.op, c.th, now)}})
		it := items[slices.IndexFunc(items, func(i Item) bool { return i.Key == c.key })]
		if it.Status != c.want {
			t.Errorf("%s %s %v: %s, want %s", c.key, c.op, c.th, it.Status, c.want)
		}
		if c.want == StatusThresholdDiffers && (it.Command != "" || !strings.Contains(it.Existing[0], "threshold")) {
			t.Errorf("%s: differs item %+v", c.key, it)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for _, s := range []string{"plain", "Name=Role,Value=WRITER", "it's", "a b", "$(rm -rf /)", "`x`", `"q"`, "EBSByteBalance%", ""} {
		q := shellQuote(s)
		words, err := splitWords("x " + q)
		if err != nil || len(words) != 2 || words[1] != s {
			t.Errorf("shellQuote(%q) = %s → %q %v", s, q, words, err)
		}
	}
	if logicalID("c1-writer-CPUUtilization") != "C1WriterCPUUtilization" || logicalID("9x") != "Alarm9x" {
		t.Errorf("logical ids %s %s", logicalID("c1-writer-CPUUtilization"), logicalID("9x"))
	}
}

// demoClients wraps the fleet and can fail CloudWatch calls.
type demoClients struct {
	*demo.Fleet
	err error
}

func (d demoClients) CloudWatch(region string) awsclient.CloudWatchAPI {
	return failingCW{d.Fleet.CloudWatch(region), d.err}
}

type failingCW struct {
	awsclient.CloudWatchAPI
	err error
}

func (f failingCW) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.CloudWatchAPI.DescribeAlarms(ctx, in, o...)
}

func session(t *testing.T, c awsclient.Clients) *testkit.Session {
	return testkit.Client(t, Tools(c, tools.Env{Now: func() time.Time { return now }}))
}

func TestGetAlarmsDemo(t *testing.T) {
	f := demo.New(now)
	s := session(t, f)
	res := s.Call("get_alarms", map[string]any{"cluster_id": "orders-prod"})
	var out GetOutput
	testkit.Decode(t, res, &out)
	if out.Total != 5 || out.Region != "ap-northeast-2" || out.Window.Timezone != "Asia/Seoul" {
		t.Fatalf("output %+v", out)
	}
	var cpu []string
	for _, c := range out.Changes {
		if c.Alarm == "orders-prod-writer-cpu-high" {
			cpu = append(cpu, c.From+">"+c.To+" "+c.TimeUTC)
		}
	}
	inc := f.Incident
	want := []string{"ALARM>OK " + inc.End.Add(4*time.Minute).Format(time.RFC3339), "OK>ALARM " + inc.Start.Add(5*time.Minute).Format(time.RFC3339)}
	if !reflect.DeepEqual(cpu, want) {
		t.Errorf("writer cpu history %q, want %q", cpu, want)
	}
	for _, a := range out.Alarms {
		if a.Name == "web-alb-5xx" || strings.HasPrefix(a.Name, "billing") || strings.HasPrefix(a.Name, "legacy") {
			t.Errorf("foreign alarm %s", a.Name)
		}
	}
	if out.Alarms[0].State != "INSUFFICIENT_DATA" {
		t.Errorf("ordering: %+v", out.Alarms[0])
	}
	text := testkit.Text(res)
	for _, w := range []string{"orders-prod-writer-cpu-high", "writer series (Role=WRITER)", "OK → ALARM", "composite: ALARM(\"orders-prod-writer-cpu-high\")", "instance orders-prod-2 (reader now)"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	// billing-pg is healthy: its storage alarm is sized for a year of growth and stays OK
	res = s.Call("get_alarms", map[string]any{"cluster_id": "billing-pg", "since": "7d"})
	testkit.Decode(t, res, &out)
	if out.InAlarm != 0 || len(out.Alarms) != 17 || len(out.Changes) != 0 {
		t.Errorf("billing-pg %+v", out)
	}
	if !strings.Contains(testkit.Text(res), "0 in ALARM now") {
		t.Errorf("text:\n%s", testkit.Text(res))
	}
	// 30 days → clamped to the 14 days of alarm history
	testkit.Decode(t, s.Call("get_alarms", map[string]any{"cluster_id": "orders-prod", "since": "30d"}), &out)
	if !out.Window.Clamped || out.Window.DurationS != int64(HistoryRetention/time.Second) {
		t.Errorf("clamp %+v", out.Window)
	}
}

func TestRecommendAlarmsDemo(t *testing.T) {
	s := session(t, demo.New(now))
	res := s.Call("recommend_alarms", map[string]any{"cluster_id": "orders-prod"})
	var out RecommendOutput
	testkit.Decode(t, res, &out)
	if out.Present != 3 || out.Missing != out.Recommended-3 || out.Items[0].Status != StatusMissing || out.CloudFormation == "" {
		t.Fatalf("orders-prod %d present %d missing of %d", out.Present, out.Missing, out.Recommended)
	}
	text := testkit.Text(res)
	for _, w := range []string{"| present | writer | CPUUtilization |", "orders-prod-writer-cpu-high", "aws cloudwatch put-metric-alarm --region ap-northeast-2 --alarm-name orders-prod-writer-FreeableMemory",
		"AWS::CloudWatch::Alarm", "Nothing was changed", "orders-prod-2-cpu-high exist but do not follow failovers"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if n := len(text); n > 16000 {
		t.Errorf("text is %d bytes; keep it compact", n)
	}
	testkit.Decode(t, s.Call("recommend_alarms", map[string]any{"cluster_id": "billing-pg"}), &out)
	if out.Present != 15 || out.ThresholdDiff != 1 || out.Missing != 0 || out.Engine != "aurora-postgresql" {
		t.Errorf("billing-pg %d present %d differs %d missing", out.Present, out.ThresholdDiff, out.Missing)
	}
	var diff Item
	for _, it := range out.Items {
		if it.Status == StatusThresholdDiffers {
			diff = it
		}
	}
	if diff.Key != "cpu-writer" || diff.Existing[0] != "billing-pg-writer-cpu (threshold 80)" {
		t.Errorf("threshold_differs %+v", diff)
	}
}

func TestAlarmToolErrors(t *testing.T) {
	s := session(t, demo.New(now))
	cases := []struct{ tool, args, want string }{
		{"get_alarms", `{"cluster_id":"orders-prod","state":"ALARM"}`, "valid arguments: cluster_id (string, required), region (string), since (string)"},
		{"get_alarms", `{"cluster_id":"orders-prod","since":"-1d"}`, "since"},
		{"recommend_alarms", `{"cluster_id":"orders-prod","threshold":5}`, "valid arguments: cluster_id (string, required), region (string)"},
		{"recommend_alarms", `{"cluster_id":"nope"}`, "list_clusters"},
	}
	for _, c := range cases {
		if msg := testkit.ErrorText(t, s.Call(c.tool, c.args)); !strings.Contains(msg, c.want) {
			t.Errorf("%s %s → %q, want %q", c.tool, c.args, msg, c.want)
		}
	}
	denied := &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "DescribeAlarms", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}}
	fs := session(t, demoClients{demo.New(now), denied})
	for _, tool := range []string{"get_alarms", "recommend_alarms"} {
		msg := testkit.ErrorText(t, fs.Call(tool, map[string]any{"cluster_id": "orders-prod"}))
		if !strings.Contains(msg, "cloudwatch:DescribeAlarms") || !strings.Contains(msg, "ap-northeast-2") {
			t.Errorf("%s AccessDenied → %q", tool, msg)
		}
	}
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
		var in map[string]any
		if err := json.Unmarshal(tl.Def.RawInputSchema, &in); err != nil || in["additionalProperties"] != false {
			t.Errorf("%s input schema root %v", tl.Name, in)
		}
	}
}

func benchInventory(n int) Inventory {
	var inv Inventory
	gt := cwtypes.ComparisonOperatorGreaterThanThreshold
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%d", i%50)
		inv.Metric = append(inv.Metric, malarm(fmt.Sprintf("a%d", i), "CPUUtilization", dims("DBClusterIdentifier", id, "Role", "WRITER"), cwtypes.StateValueOk, gt, 90, now))
	}
	return inv
}

func BenchmarkRecommendFrom1000Alarms(b *testing.B) {
	inv := benchInventory(1000)
	tp := auroraTopo()
	b.ReportAllocs()
	for b.Loop() {
		RecommendFrom(tp, inv)
	}
}

func BenchmarkListFrom1000Alarms(b *testing.B) {
	inv := benchInventory(1000)
	f := &fakeCW{history: []*cloudwatch.DescribeAlarmHistoryOutput{{}}}
	tp := auroraTopo()
	w := timewin.Window{Start: now.Add(-24 * time.Hour), End: now}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ListFrom(context.Background(), f, tp, w, inv); err != nil {
			b.Fatal(err)
		}
	}
}

// The demo behaves like CloudWatch where it matters: composite alarms only when asked, filters, paging and
// a 14-day history.
func TestDemoAlarmSemantics(t *testing.T) {
	f := demo.New(now)
	cw := f.CloudWatch(demo.Region)
	ctx := context.Background()
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.CompositeAlarms) != 0 || len(out.MetricAlarms) == 0 {
		t.Fatalf("default: %d composite %d metric %v", len(out.CompositeAlarms), len(out.MetricAlarms), err)
	}
	out, _ = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("orders-prod"), StateValue: cwtypes.StateValueInsufficientData})
	if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "orders-prod-reader-dbload" {
		t.Errorf("prefix+state must both apply: %d", len(out.MetricAlarms))
	}
	n, pages := 0, 0
	in := &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}, MaxRecords: aws.Int32(3)}
	for {
		out, err := cw.DescribeAlarms(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.MetricAlarms) + len(out.CompositeAlarms)
		pages++
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if n != 24 || pages != 8 {
		t.Errorf("paging: %d alarms in %d pages", n, pages)
	}
	h, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("orders-prod-degraded")})
	if err != nil || len(h.AlarmHistoryItems) != 0 {
		t.Errorf("composite history is hidden without AlarmTypes: %d", len(h.AlarmHistoryItems))
	}
	h, _ = cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("orders-prod-writer-cpu-high"), ScanBy: cwtypes.ScanByTimestampAscending})
	if len(h.AlarmHistoryItems) != 2 || !strings.Contains(aws.ToString(h.AlarmHistoryItems[0].HistorySummary), "from OK to ALARM") {
		t.Errorf("writer cpu history %+v", h.AlarmHistoryItems)
	}
}

func TestMentions(t *testing.T) {
	names := map[string]bool{"c1-cpu": true}
	cases := map[string]bool{
		`ALARM("c1-cpu")`:         true,
		`ALARM(c1-cpu) AND OK(x)`: true,
		`ALARM("arn:aws:cloudwatch:us-east-1:1:alarm:c1-cpu")`:      true,
		`ALARM(arn:aws:cloudwatch:us-east-1:1:alarm:c1-cpu)`:        true,
		`ALARM("arn:aws:cloudwatch:us-east-1:1:alarm:c1-cpu-high")`: false,
		`ALARM("c1-cpu-high")`:                                      false,
		`ALARM(c1-cpu2)`:                                            false,
	}
	for rule, want := range cases {
		if got := mentions(rule, names); got != want {
			t.Errorf("mentions(%s) = %v", rule, got)
		}
	}
}
