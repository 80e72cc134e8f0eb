package maintenance

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestUrgencyBoundaries(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name   string
		forced *time.Time
		want   string
	}{
		{"6 days", aws.Time(now.Add(6 * day)), tools.SeverityCritical},
		{"exactly 7 days", aws.Time(now.Add(7 * day)), tools.SeverityCritical},
		{"7 days and a minute", aws.Time(now.Add(7*day + time.Minute)), tools.SeverityWarning},
		{"8 days", aws.Time(now.Add(8 * day)), tools.SeverityWarning},
		{"exactly 30 days", aws.Time(now.Add(30 * day)), tools.SeverityWarning},
		{"31 days", aws.Time(now.Add(31 * day)), tools.SeverityInfo},
		{"already past", aws.Time(now.Add(-day)), tools.SeverityCritical},
		{"no forced date", nil, tools.SeverityInfo},
	}
	for _, c := range cases {
		if got := Urgency(c.forced, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestExplainOptIn(t *testing.T) {
	cases := []struct {
		status       string
		forced, auto bool
		want         string
	}{
		{"immediate", false, false, "apply immediately"},
		{"next-maintenance", true, true, "next maintenance window"},
		{"undo-opt-in", true, false, "cancelled"},
		{"", true, true, "on the forced date at the latest"},
		{"", true, false, "on the forced date regardless"},
		{"", false, true, "after the auto-applied date"},
		{"", false, false, "not applied until you opt in"},
		{"something-new", false, false, "opt-in status something-new"},
	}
	for _, c := range cases {
		if got := ExplainOptIn(c.status, c.forced, c.auto); !strings.Contains(got, c.want) {
			t.Errorf("ExplainOptIn(%q,%v,%v) = %q, want …%s…", c.status, c.forced, c.auto, got, c.want)
		}
	}
}

type fakePending struct {
	pages map[string][][]rdstypes.ResourcePendingMaintenanceActions // by filter name
	err   error
	sent  []rds.DescribePendingMaintenanceActionsInput
}

func (f *fakePending) DescribePendingMaintenanceActions(_ context.Context, in *rds.DescribePendingMaintenanceActionsInput, _ ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	f.sent = append(f.sent, *in)
	if f.err != nil {
		return nil, f.err
	}
	pages := f.pages[aws.ToString(in.Filters[0].Name)]
	i := 0
	if in.Marker != nil {
		i = 1
	}
	out := &rds.DescribePendingMaintenanceActionsOutput{}
	if i < len(pages) {
		out.PendingMaintenanceActions = pages[i]
	}
	if i == 0 && len(pages) > 1 {
		out.Marker = aws.String("next")
	}
	return out, nil
}

func res(arn string, acts ...rdstypes.PendingMaintenanceAction) rdstypes.ResourcePendingMaintenanceActions {
	return rdstypes.ResourcePendingMaintenanceActions{ResourceIdentifier: aws.String(arn), PendingMaintenanceActionDetails: acts}
}

func topo() cluster.Topology {
	return cluster.Topology{Region: "us-east-1", ID: "c1", ARN: "arn:aws:rds:us-east-1:1:cluster:c1", Kind: "aurora-cluster",
		Members: []cluster.Member{{ID: "c1-a", Role: cluster.RoleWriter, ARN: "arn:aws:rds:us-east-1:1:db:c1-a"}, {ID: "c1-b", Role: cluster.RoleReader, ARN: "arn:aws:rds:us-east-1:1:db:c1-b"}}}
}

func TestListFiltersSortsAndExplains(t *testing.T) {
	day := 24 * time.Hour
	f := &fakePending{pages: map[string][][]rdstypes.ResourcePendingMaintenanceActions{
		"db-cluster-id": {{res("arn:aws:rds:us-east-1:1:cluster:c1", rdstypes.PendingMaintenanceAction{
			Action: aws.String("system-update"), Description: aws.String("Upgrade"), AutoAppliedAfterDate: aws.Time(now.Add(10 * day)),
			ForcedApplyDate: aws.Time(now.Add(45 * day)), CurrentApplyDate: aws.Time(now.Add(11 * day))})}},
		"db-instance-id": {
			{res("arn:aws:rds:us-east-1:1:db:c1-b", rdstypes.PendingMaintenanceAction{
				Action: aws.String("os-upgrade"), Description: aws.String("OS"), ForcedApplyDate: aws.Time(now.Add(20 * day)), OptInStatus: aws.String("next-maintenance"),
				CurrentApplyDate: aws.Time(now.Add(2 * day))})},
			{res("arn:aws:rds:us-east-1:1:db:c1-a", rdstypes.PendingMaintenanceAction{
				Action: aws.String("os-upgrade"), Description: aws.String("OS"), ForcedApplyDate: aws.Time(now.Add(5 * day))}),
				res("arn:aws:rds:us-east-1:1:db:someone-else", rdstypes.PendingMaintenanceAction{Action: aws.String("os-upgrade")})},
		},
	}}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	r, err := List(context.Background(), f, topo(), now, seoul)
	if err != nil {
		t.Fatal(err)
	}
	wantSent := []rds.DescribePendingMaintenanceActionsInput{
		{Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"c1"}}}, MaxRecords: aws.Int32(100)},
		{Filters: []rdstypes.Filter{{Name: aws.String("db-instance-id"), Values: []string{"c1-a", "c1-b"}}}, MaxRecords: aws.Int32(100)},
		{Filters: []rdstypes.Filter{{Name: aws.String("db-instance-id"), Values: []string{"c1-a", "c1-b"}}}, MaxRecords: aws.Int32(100), Marker: aws.String("next")},
	}
	if !reflect.DeepEqual(f.sent, wantSent) {
		t.Fatalf("sent %+v", f.sent)
	}
	var got []string
	for _, a := range r.Actions {
		got = append(got, a.Urgency+" "+a.Resource+" "+a.ResourceType+" "+a.Role+" "+a.Action)
	}
	want := []string{"critical c1-a instance writer os-upgrade", "warning c1-b instance reader os-upgrade", "info c1 cluster  system-update"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("actions %q", got)
	}
	a := r.Actions[0]
	if a.DaysUntilForced == nil || *a.DaysUntilForced != 5 || a.ForcedApplyUTC != "2026-11-27T09:00:00Z" || a.ForcedApplyLocal != "2026-11-27T18:00:00+09:00" ||
		!strings.Contains(a.OptIn, "forced date regardless") {
		t.Errorf("critical action %+v", a)
	}
	if r.Actions[1].OptInStatus != "next-maintenance" || !strings.Contains(r.Actions[1].OptIn, "next maintenance window") || r.Actions[1].CurrentApplyLocal == "" {
		t.Errorf("opt-in action %+v", r.Actions[1])
	}
	if r.Calls != 3 {
		t.Errorf("calls %d", r.Calls)
	}
	fs := Findings(r)
	if len(fs) != 2 || fs[0].Severity != tools.SeverityCritical || fs[0].Resource != "c1-a" || !strings.Contains(fs[0].Title, "in 5 days") ||
		!strings.Contains(fs[0].Action, "--resource-identifier arn:aws:rds:us-east-1:1:db:c1-a --apply-action os-upgrade") || fs[1].Severity != tools.SeverityWarning {
		t.Errorf("findings %+v", fs)
	}
}

func TestListStandaloneAndErrors(t *testing.T) {
	tp := cluster.Topology{Region: "eu-west-1", ID: "solo", ARN: "arn:aws:rds:eu-west-1:1:db:solo", Kind: "instance",
		Members: []cluster.Member{{ID: "solo", Role: cluster.RoleStandalone, ARN: "arn:aws:rds:eu-west-1:1:db:solo"}}}
	f := &fakePending{pages: map[string][][]rdstypes.ResourcePendingMaintenanceActions{"db-instance-id": {{res(tp.ARN,
		rdstypes.PendingMaintenanceAction{Action: aws.String("db-upgrade"), AutoAppliedAfterDate: aws.Time(now.Add(48 * time.Hour))})}}}}
	r, err := List(context.Background(), f, tp, now, nil)
	if err != nil || len(f.sent) != 1 || aws.ToString(f.sent[0].Filters[0].Name) != "db-instance-id" {
		t.Fatalf("standalone: %v %+v", err, f.sent)
	}
	if len(r.Actions) != 1 || r.Actions[0].Role != "" || r.Actions[0].Urgency != tools.SeverityInfo || r.Actions[0].DaysUntilForced != nil {
		t.Errorf("standalone action %+v", r.Actions)
	}
	denied := &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribePendingMaintenanceActions",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied"}}
	_, err = List(context.Background(), &fakePending{err: denied}, tp, now, nil)
	var ce *awsclient.CallError
	if !errors.As(err, &ce) || ce.Region != "eu-west-1" || !strings.Contains(awsclient.Classify(err).Error(), "rds:DescribePendingMaintenanceActions") {
		t.Fatalf("error %v", err)
	}
}

// DescribePendingMaintenanceActions is not in moto: recorded AWS responses, the member call on two pages.
func TestListOverRecordedResponses(t *testing.T) {
	form := func(key, val string) func(*http.Request, []byte) bool {
		return func(_ *http.Request, body []byte) bool {
			f, _ := url.ParseQuery(string(body))
			return f.Get(key) == val
		}
	}
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "DescribePendingMaintenanceActions", File: "testdata/pending_cluster.xml", Match: form("Filters.Filter.1.Name", "db-cluster-id")},
		awstest.Route{Op: "DescribePendingMaintenanceActions", File: "testdata/pending_instances_page2.xml", Match: form("Marker", "YXJuOmF3czpyZHM6dXMtZWFzdC0xOjEyMzQ1Njc4OTAxMjpkYjpwcm9kLWF1cm9yYS1pbnN0YW5jZS0x")},
		awstest.Route{Op: "DescribePendingMaintenanceActions", File: "testdata/pending_instances_page1.xml", Match: form("Filters.Filter.1.Name", "db-instance-id")},
	)
	api := rds.NewFromConfig(rp.Config(t, "us-east-1"))
	tp := cluster.Topology{Region: "us-east-1", ID: "prod-aurora", ARN: "arn:aws:rds:us-east-1:123456789012:cluster:prod-aurora", Kind: "aurora-cluster",
		Members: []cluster.Member{
			{ID: "prod-aurora-instance-1", Role: cluster.RoleWriter, ARN: "arn:aws:rds:us-east-1:123456789012:db:prod-aurora-instance-1"},
			{ID: "prod-aurora-instance-2", Role: cluster.RoleReader, ARN: "arn:aws:rds:us-east-1:123456789012:db:prod-aurora-instance-2"},
		}}
	r, err := List(context.Background(), api, tp, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range r.Actions {
		got = append(got, a.Urgency+" "+a.Resource+" "+a.Action+" "+a.ForcedApplyUTC)
	}
	want := []string{
		"critical prod-aurora-instance-1 os-upgrade 2026-11-28T00:00:00Z",
		"warning prod-aurora-instance-2 os-upgrade 2026-12-09T00:00:00Z",
		"info prod-aurora system-update 2027-01-15T00:00:00Z",
		"info prod-aurora-instance-2 ca-certificate-rotation ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("actions\n%q\nwant\n%q", got, want)
	}
	reqs := rp.Requests("DescribePendingMaintenanceActions")
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	f := reqs[1].Form
	if f.Get("Filters.Filter.1.Values.Value.1") != "prod-aurora-instance-1" || f.Get("Filters.Filter.1.Values.Value.2") != "prod-aurora-instance-2" ||
		f.Get("MaxRecords") != "100" || f.Get("Marker") != "" || reqs[2].Form.Get("Marker") == "" {
		t.Errorf("member requests %v / %v", f, reqs[2].Form)
	}
	if reqs[0].Form.Get("Filters.Filter.1.Values.Value.1") != "prod-aurora" {
		t.Errorf("cluster request %v", reqs[0].Form)
	}
}

type failingClients struct {
	*demo.Fleet
	err error
}

func (f failingClients) RDS(region string) awsclient.RDSAPI {
	return failingRDS{f.Fleet.RDS(region), f.err}
}

type failingRDS struct {
	awsclient.RDSAPI
	err error
}

func (f failingRDS) DescribePendingMaintenanceActions(context.Context, *rds.DescribePendingMaintenanceActionsInput, ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	return nil, f.err
}

func session(t *testing.T, c awsclient.Clients) *testkit.Session {
	return testkit.Client(t, Tools(c, tools.Env{Now: func() time.Time { return now }}))
}

func TestGetPendingMaintenanceDemo(t *testing.T) {
	f := demo.New(now)
	s := session(t, f)
	res := s.Call("get_pending_maintenance", map[string]any{"cluster_id": "orders-prod"})
	var out Output
	testkit.Decode(t, res, &out)
	if out.Region != "ap-northeast-2" || out.Timezone != "Asia/Seoul" || len(out.Actions) != 2 || out.Counts != (Counts{Critical: 1, Info: 1}) {
		t.Fatalf("output %+v", out)
	}
	a := out.Actions[0]
	if a.Urgency != tools.SeverityCritical || a.Resource != f.Incident.OSUpgradeOn || a.Action != "os-upgrade" || a.Role != "writer" ||
		a.ForcedApplyUTC != f.Incident.OSUpgradeDue.Format(time.RFC3339) || a.DaysUntilForced == nil || *a.DaysUntilForced > 5 || *a.DaysUntilForced <= 4 {
		t.Errorf("os-upgrade %+v", a)
	}
	if len(out.Findings) != 1 || out.Findings[0].Code != "maintenance_forced_soon" {
		t.Errorf("findings %+v", out.Findings)
	}
	text := testkit.Text(res)
	for _, w := range []string{"1 critical", "| critical | orders-prod-1 (writer) | os-upgrade", "Asia/Seoul", "forced date regardless"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	testkit.Decode(t, s.Call("get_pending_maintenance", map[string]any{"cluster_id": "billing-pg", "timezone": "UTC"}), &out)
	if out.Counts != (Counts{Info: 2}) || out.Actions[0].Action != "db-upgrade" || len(out.Findings) != 0 || out.Timezone != "UTC" || !strings.HasSuffix(out.Actions[0].ForcedApplyLocal, "Z") {
		t.Errorf("billing-pg %+v", out)
	}
	testkit.Decode(t, s.Call("get_pending_maintenance", map[string]any{"cluster_id": "legacy-mysql"}), &out)
	if len(out.Actions) != 0 || !strings.Contains(testkit.Text(s.Call("get_pending_maintenance", map[string]any{"cluster_id": "legacy-mysql"})), "No pending maintenance") {
		t.Errorf("legacy-mysql %+v", out)
	}
}

func TestGetPendingMaintenanceErrors(t *testing.T) {
	s := session(t, demo.New(now))
	cases := []struct{ args, want string }{
		{`{"cluster_id":"orders-prod","timezone":"Mars/Olympus"}`, "not an IANA time zone"},
		{`{"cluster_id":"orders-prod","since":"7d"}`, "valid arguments: cluster_id (string, required), region (string), timezone (string)"},
		{`{}`, `missing required argument "cluster_id"`},
		{`{"cluster_id":"graph-neptune"}`, "does not diagnose"},
	}
	for _, c := range cases {
		if msg := testkit.ErrorText(t, s.Call("get_pending_maintenance", c.args)); !strings.Contains(msg, c.want) {
			t.Errorf("%s → %q, want %q", c.args, msg, c.want)
		}
	}
	denied := &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribePendingMaintenanceActions",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}}
	msg := testkit.ErrorText(t, session(t, failingClients{demo.New(now), denied}).Call("get_pending_maintenance", map[string]any{"cluster_id": "orders-prod"}))
	if !strings.Contains(msg, "rds:DescribePendingMaintenanceActions") || !strings.Contains(msg, "orders-prod") {
		t.Errorf("AccessDenied → %q", msg)
	}
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
	}
}

func BenchmarkList(b *testing.B) {
	var rs []rdstypes.ResourcePendingMaintenanceActions
	for i := 0; i < 100; i++ {
		rs = append(rs, res("arn:aws:rds:us-east-1:1:db:c1-a", rdstypes.PendingMaintenanceAction{
			Action: aws.String("os-upgrade"), Description: aws.String(strings.Repeat("x", i)), ForcedApplyDate: aws.Time(now.Add(time.Duration(i) * time.Hour))}))
	}
	f := &fakePending{pages: map[string][][]rdstypes.ResourcePendingMaintenanceActions{"db-instance-id": {rs}}}
	b.ReportAllocs()
	for b.Loop() {
		f.sent = f.sent[:0]
		if _, err := List(context.Background(), f, topo(), now, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
