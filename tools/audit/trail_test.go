package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// fakeClock is a clock whose Sleep advances time instantly.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *fakeClock) pacer() *Pacer { return NewPacer(TrailTPS, c.Now, c.Sleep) }

type trailCall struct {
	at time.Time
	in *cloudtrail.LookupEventsInput
}

// fakeTrail serves pages of events per resource name and records every call with the fake time it was made.
type fakeTrail struct {
	clock *fakeClock
	pages map[string][][]cttypes.Event
	err   error
	mu    sync.Mutex
	calls []trailCall
}

func (f *fakeTrail) LookupEvents(_ context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, trailCall{at: f.clock.Now(), in: in})
	if f.err != nil {
		return nil, f.err
	}
	if len(in.LookupAttributes) != 1 {
		return nil, errors.New("exactly one lookup attribute")
	}
	pages := f.pages[aws.ToString(in.LookupAttributes[0].AttributeValue)]
	i := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "page-%d", &i)
	}
	out := &cloudtrail.LookupEventsOutput{}
	if i < len(pages) {
		out.Events = pages[i]
	}
	if i+1 < len(pages) {
		out.NextToken = aws.String(fmt.Sprintf("page-%d", i+1))
	}
	return out, nil
}

type who struct{ typ, name, role string }

func ctEvent(id, name string, at time.Time, readOnly bool, w who, req map[string]any, resources ...string) cttypes.Event {
	ident := map[string]any{"type": w.typ}
	switch w.typ {
	case "IAMUser":
		ident["arn"], ident["userName"] = "arn:aws:iam::123456789012:user/"+w.name, w.name
	case "AssumedRole":
		ident["arn"] = "arn:aws:sts::123456789012:assumed-role/" + w.role + "/" + w.name
		ident["sessionContext"] = map[string]any{"sessionIssuer": map[string]any{"type": "Role", "userName": w.role}}
	case "AWSService":
		ident["invokedBy"] = w.name
	}
	rec := map[string]any{"eventVersion": "1.09", "userIdentity": ident, "eventTime": at.Format(time.RFC3339), "eventSource": "rds.amazonaws.com",
		"eventName": name, "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2.22.4", "requestParameters": req, "readOnly": readOnly, "eventID": id}
	if name == "RebootDBInstance" {
		rec["errorCode"], rec["errorMessage"] = "InvalidDBInstanceState", "DB instance is not in the available state."
	}
	b, _ := json.Marshal(rec)
	e := cttypes.Event{EventId: aws.String(id), EventName: aws.String(name), EventTime: aws.Time(at), EventSource: aws.String("rds.amazonaws.com"),
		ReadOnly: aws.String(fmt.Sprint(readOnly)), Username: aws.String(w.name), CloudTrailEvent: aws.String(string(b))}
	for _, r := range resources {
		e.Resources = append(e.Resources, cttypes.Resource{ResourceName: aws.String(r), ResourceType: aws.String("AWS::RDS::DBCluster")})
	}
	return e
}

func trailTopo() cluster.Topology {
	return cluster.Topology{Region: "us-east-1", ID: "c1", Kind: "aurora-cluster", ParameterGroup: "c1-params",
		Members: []cluster.Member{
			{ID: "c1-a", Role: cluster.RoleWriter, ParameterGroup: "c1-inst"},
			{ID: "c1-b", Role: cluster.RoleReader, ParameterGroup: "c1-inst"},
			{ID: "c1-c", Role: cluster.RoleReader, ParameterGroup: "default.aurora-mysql8.0"},
		}}
}

func win(d time.Duration) timewin.Window {
	return timewin.Window{Start: now.Add(-d), End: now, Loc: time.FixedZone("KST", 9*3600)}
}

var (
	dba    = who{"IAMUser", "dba-jiho", ""}
	oncall = who{"AssumedRole", "oncall-minsu", "OpsOperator"}
)

func TestTrailRequestsPacingAndEvents(t *testing.T) {
	clock := newClock()
	modify := ctEvent("e1", "ModifyDBClusterParameterGroup", now.Add(-20*time.Hour), false, dba, map[string]any{
		"dBClusterParameterGroupName": "c1-params",
		"parameters":                  []any{map[string]any{"parameterName": "aurora_parallel_query", "parameterValue": "OFF", "applyMethod": "immediate"}}}, "c1-params")
	modifyCluster := ctEvent("e2", "ModifyDBCluster", now.Add(-3*time.Hour), false, oncall, map[string]any{
		"dBClusterIdentifier": "c1", "masterUserPassword": "hunter2-secret", "backupRetentionPeriod": 7,
		"scalingConfiguration": map[string]any{"secretArn": "arn:secret", "minCapacity": 2}}, "c1")
	reboot := ctEvent("e3", "RebootDBInstance", now.Add(-2*time.Hour), false, oncall, map[string]any{"dBInstanceIdentifier": "c1-a"}, "c1-a", "c1")
	describe := ctEvent("e4", "DescribeDBClusters", now.Add(-1*time.Hour), true, who{"AssumedRole", "kida", "KidaReadOnly"}, map[string]any{"dBClusterIdentifier": "c1"}, "c1")
	other := ctEvent("e5", "PutSecretValue", now.Add(-1*time.Hour), false, dba, nil, "c1")
	other.EventSource = aws.String("secretsmanager.amazonaws.com")
	f := &fakeTrail{clock: clock, pages: map[string][][]cttypes.Event{
		"c1":        {{modifyCluster, describe}, {reboot, other}}, // two pages
		"c1-a":      {{reboot}},                                   // the same event under another name
		"c1-params": {{modify}},
	}}
	start := clock.Now()
	res, err := Trail(context.Background(), f, trailTopo(), win(24*time.Hour), TrailOptions{Pacer: clock.pacer(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Requests: one ResourceName attribute per call, the cluster, members, custom groups (default skipped).
	var names []string
	for _, c := range f.calls {
		if len(c.in.LookupAttributes) != 1 || c.in.LookupAttributes[0].AttributeKey != cttypes.LookupAttributeKeyResourceName {
			t.Fatalf("lookup attributes = %+v", c.in.LookupAttributes)
		}
		if !c.in.StartTime.Equal(now.Add(-24*time.Hour)) || !c.in.EndTime.Equal(now) || aws.ToInt32(c.in.MaxResults) != 50 {
			t.Errorf("window/page size = %v %v %v", c.in.StartTime, c.in.EndTime, c.in.MaxResults)
		}
		names = append(names, aws.ToString(c.in.LookupAttributes[0].AttributeValue)+"@"+aws.ToString(c.in.NextToken))
	}
	if got := strings.Join(names, " "); got != "c1@ c1@page-1 c1-a@ c1-b@ c1-c@ c1-params@ c1-inst@" {
		t.Errorf("lookups = %s", got)
	}
	// Pacing: 7 calls at 2/s take ≥ 3 s, never more than 2 calls in any one-second window.
	if el := f.calls[len(f.calls)-1].at.Sub(start); el < 3*time.Second {
		t.Errorf("7 calls took %v", el)
	}
	assertPaced(t, f.calls)
	if len(res.Lookups) != 6 || res.Lookups[0].Calls != 2 || res.Lookups[0].Events != 3 || res.Lookups[4].Kind != "cluster_parameter_group" || res.Lookups[5].Kind != "parameter_group" {
		t.Errorf("lookups = %+v", res.Lookups)
	}
	// Events: de-duplicated, RDS only, writes only, newest first.
	var got []string
	for _, e := range res.Events {
		got = append(got, e.EventName)
	}
	if strings.Join(got, ",") != "RebootDBInstance,ModifyDBCluster,ModifyDBClusterParameterGroup" || res.ReadOnlySkipped != 1 || res.TotalEvents != 3 {
		t.Fatalf("events = %v, read-only skipped %d", got, res.ReadOnlySkipped)
	}
	rb, mc, mp := res.Events[0], res.Events[1], res.Events[2]
	if rb.ErrorCode != "InvalidDBInstanceState" || rb.Actor != "OpsOperator/oncall-minsu" || rb.PrincipalType != "AssumedRole" ||
		rb.Principal != "arn:aws:sts::123456789012:assumed-role/OpsOperator/oncall-minsu" || strings.Join(rb.Resources, ",") != "c1-a,c1" {
		t.Errorf("reboot = %+v", rb)
	}
	if strings.Contains(mc.Request, "hunter2") || !strings.Contains(mc.Request, "masterUserPassword=[redacted]") ||
		!strings.Contains(mc.Request, `"secretArn":"[redacted]"`) || !strings.Contains(mc.Request, "backupRetentionPeriod=7") {
		t.Errorf("request summary = %q", mc.Request)
	}
	if mp.Actor != "dba-jiho" || mp.PrincipalType != "IAMUser" || mp.SourceIP != "203.0.113.9" || mp.UserAgent != "aws-cli/2.22.4" ||
		mp.Request != "dBClusterParameterGroupName=c1-params, parameters=[aurora_parallel_query=OFF (immediate)]" ||
		mp.Time != "2026-11-21T13:00:00Z" || mp.TimeLocal != "2026-11-21T22:00:00+09:00" {
		t.Errorf("parameter change = %+v", mp)
	}
	if len(res.ByEventName) != 3 || res.Truncated {
		t.Errorf("by name %v truncated %v", res.ByEventName, res.Truncated)
	}

	// include_read_only keeps the Describe call.
	f.calls = nil
	res, err = Trail(context.Background(), f, trailTopo(), win(24*time.Hour), TrailOptions{Pacer: clock.pacer(), Now: now, IncludeReadOnly: true})
	if err != nil || res.TotalEvents != 4 || res.ReadOnlySkipped != 0 || !res.Events[0].ReadOnly {
		t.Errorf("read-only included: err %v, %+v", err, res.Events)
	}
}

// assertPaced fails when any one-second window [t, t+1s) holds more than TrailTPS calls.
func assertPaced(t *testing.T, calls []trailCall) {
	t.Helper()
	times := make([]time.Time, len(calls))
	for i, c := range calls {
		times[i] = c.at
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Before(times[i].Add(time.Second)); j++ {
			n++
		}
		if n > TrailTPS {
			t.Fatalf("%d calls in the second from %v: %v", n, times[i], times)
		}
	}
}

// Acceptance: 6 resource lookups take ≥ 2.5 s with a fake clock, never more than 2 calls in any second.
func TestTrailSixLookupsPacing(t *testing.T) {
	clock := newClock()
	topo := trailTopo()
	topo.Members = append(topo.Members, cluster.Member{ID: "c1-d", ParameterGroup: "c1-inst"})
	topo.ParameterGroup = ""
	f := &fakeTrail{clock: clock}
	start := clock.Now()
	res, err := Trail(context.Background(), f, topo, win(time.Hour), TrailOptions{Pacer: clock.pacer(), Now: now})
	if err != nil || len(f.calls) != 6 || len(res.Lookups) != 6 {
		t.Fatalf("err %v, %d calls, lookups %+v", err, len(f.calls), res.Lookups)
	}
	if el := clock.Now().Sub(start); el < 2500*time.Millisecond {
		t.Errorf("6 lookups took %v, want ≥ 2.5 s", el)
	}
	assertPaced(t, f.calls)
}

func TestPacerSharedAcrossGoroutines(t *testing.T) {
	clock := newClock()
	p := clock.pacer()
	var mu sync.Mutex
	var calls []trailCall
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				at, err := p.wait(context.Background()) // the slot granted (clock.Now() may have moved on)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				calls = append(calls, trailCall{at: at})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assertPaced(t, calls)
	if el := clock.Now().Sub(now); el != 11*500*time.Millisecond {
		t.Errorf("12 calls took %v, want 5.5 s", el)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewPacer(2, nil, nil).Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait = %v", err)
	}
	// The real clock really waits.
	real := NewPacer(20, nil, nil)
	t0 := time.Now()
	for i := 0; i < 3; i++ {
		_ = real.Wait(context.Background())
	}
	if el := time.Since(t0); el < 95*time.Millisecond {
		t.Errorf("3 calls at 20/s took %v", el)
	}
}

func TestTrailFailures(t *testing.T) {
	denied := &smithy.OperationError{ServiceID: "CloudTrail", OperationName: "LookupEvents",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: cloudtrail:LookupEvents"}}
	f := &fakeTrail{clock: newClock(), err: denied}
	res, err := Trail(context.Background(), f, trailTopo(), win(time.Hour), TrailOptions{Pacer: f.clock.pacer(), Now: now})
	if err != nil || len(f.calls) != 1 || len(res.MissingPermissions) != 1 || res.MissingPermissions[0] != "cloudtrail:LookupEvents" ||
		!strings.Contains(strings.Join(res.Hints, " "), "who changed c1") {
		t.Errorf("denied: err %v, calls %d, %+v", err, len(f.calls), res)
	}

	throttled := &smithy.OperationError{ServiceID: "CloudTrail", OperationName: "LookupEvents",
		Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}
	f = &fakeTrail{clock: newClock(), err: throttled}
	_, err = Trail(context.Background(), f, trailTopo(), win(time.Hour), TrailOptions{Pacer: f.clock.pacer(), Now: now})
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || ce.Resource != "c1" || !strings.Contains(awsclient.Classify(err).Error(), "Throttled") {
		t.Errorf("throttled: %v", err)
	}

	// 90-day retention: clamped start, or an error when the whole window is older.
	f = &fakeTrail{clock: newClock()}
	res, err = Trail(context.Background(), f, trailTopo(), win(120*24*time.Hour), TrailOptions{Pacer: f.clock.pacer(), Now: now})
	if err != nil || !res.Window.Clamped || !f.calls[0].in.StartTime.Equal(now.Add(-90*24*time.Hour)) {
		t.Errorf("clamp: err %v, window %+v", err, res.Window)
	}
	old := timewin.Window{Start: now.Add(-200 * 24 * time.Hour), End: now.Add(-100 * 24 * time.Hour), Loc: time.UTC}
	if _, err := Trail(context.Background(), f, trailTopo(), old, TrailOptions{Pacer: f.clock.pacer(), Now: now}); err == nil || !strings.Contains(err.Error(), "90 days") {
		t.Errorf("old window: %v", err)
	}
}

func TestTrailCaps(t *testing.T) {
	clock := newClock()
	var page []cttypes.Event
	for i := 0; i < 50; i++ {
		page = append(page, ctEvent(fmt.Sprintf("id-%02d", i), "ModifyDBCluster", now.Add(-time.Duration(i)*time.Minute), false, dba, nil, "c1"))
	}
	pages := [][]cttypes.Event{page, page, page, page, page, page, page} // the same ids again: de-duplicated
	f := &fakeTrail{clock: clock, pages: map[string][][]cttypes.Event{"c1": pages}}
	res, err := Trail(context.Background(), f, trailTopo(), win(time.Hour), TrailOptions{Pacer: clock.pacer(), Now: now, MaxEvents: 20, PagesPerName: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Lookups[0].Calls != 3 || !res.Lookups[0].Truncated || len(res.Events) != 20 || res.TotalEvents != 50 || !res.Truncated || res.Events[0].EventID != "id-00" {
		t.Errorf("caps: lookup %+v, %d events of %d, truncated %v", res.Lookups[0], len(res.Events), res.TotalEvents, res.Truncated)
	}
}

func TestSummarizeRequest(t *testing.T) {
	cases := map[string]string{
		`{"b":1,"a":"x"}`: "a=x, b=1",
		`{"masterUserPassword":"p","newPassword":"q","dBSecurityGroups":["sg-1","sg-2"],"tags":[{"key":"k","value":"v"}]}`: `dBSecurityGroups=[sg-1; sg-2], masterUserPassword=[redacted], newPassword=[redacted], tags=[{"key":"k","value":"v"}]`,
		`null`:         "",
		`"not-an-obj"`: `"not-an-obj"`,
		`{"parameters":[{"parameterName":"rds.force_ssl","parameterValue":"0"}]}`: "parameters=[rds.force_ssl=0]",
	}
	for in, want := range cases {
		if got := summarizeRequest(json.RawMessage(in)); got != want {
			t.Errorf("summarizeRequest(%s) = %q, want %q", in, got, want)
		}
	}
	long := `{"x":"` + strings.Repeat("a", 1000) + `"}`
	if got := summarizeRequest(json.RawMessage(long)); len([]rune(got)) > requestSummaryLength {
		t.Errorf("summary is %d runes", len([]rune(got)))
	}
}

// Untrusted text (user agents, request parameters, descriptions) cannot break the text mirror's tables.
func TestTextMirrorsEscapeUntrustedText(t *testing.T) {
	evil := "x | injected\n| row | <script>alert(1)</script>"
	tr := TrailResult{ClusterID: "c1", Events: []TrailEvent{{Time: "t", TimeLocal: "t", EventName: "ModifyDBCluster", Actor: evil, PrincipalType: "IAMUser",
		UserAgent: evil, Request: evil, ErrorCode: evil}}}
	h := HealthResult{Available: true, Events: []HealthEvent{{Status: "open", TypeCode: evil, Description: evil, Entities: []string{evil}, EntityCount: 1}}}
	r := RecommendationsResult{Recommendations: []Recommendation{{Severity: "high", Resource: "c1", Description: evil, Recommendation: evil,
		Actions: []Action{{Title: evil, Operation: evil, Parameters: []string{evil}}}}}}
	for name, text := range map[string]string{"trail": tr.Text(), "health": h.Text(), "recommendations": r.Text()} {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "| row |") || strings.HasPrefix(line, "| row") {
				t.Errorf("%s: untrusted newline started a table row: %q", name, line)
			}
			if strings.Contains(line, "x | injected") {
				t.Errorf("%s: unescaped pipe: %q", name, line)
			}
		}
	}
}
