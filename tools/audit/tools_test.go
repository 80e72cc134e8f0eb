package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/health"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

// session serves the audit tools over c with a fake-clock pacer (no real sleeping).
func session(t *testing.T, c awsclient.Clients) (*testkit.Session, *fakeClock) {
	clock := newClock()
	env := tools.Env{Now: func() time.Time { return now }}
	return testkit.Client(t, newFamily(c, env, clock.pacer).tools()), clock
}

func TestCloudTrailDemo(t *testing.T) {
	fleet := demo.New(now)
	s, clock := session(t, fleet)
	res := s.Call("get_cloudtrail_events", map[string]any{"cluster_id": "orders-prod"})
	var out TrailResult
	testkit.Decode(t, res, &out)
	if len(out.Lookups) != 7 || out.ReadOnlySkipped == 0 || out.IncludeReadOnly {
		t.Errorf("lookups %d, read-only skipped %d", len(out.Lookups), out.ReadOnlySkipped)
	}
	if el := clock.Now().Sub(now); el < 3*time.Second {
		t.Errorf("7 lookups paced in %v", el)
	}
	var names []string
	for _, e := range out.Events {
		names = append(names, e.EventName)
	}
	if strings.Join(names, ",") != "ModifyDBInstance,RebootDBInstance,RebootDBInstance,ModifyDBClusterParameterGroup,CreateDBClusterSnapshot" {
		t.Fatalf("events = %v", names)
	}
	reboot := out.Events[1]
	if reboot.Time != fleet.Incident.RebootAt.Format(time.RFC3339) || reboot.Actor != "OpsOperator/oncall-minsu" || reboot.SourceIP != "198.51.100.7" ||
		reboot.Resources[0] != fleet.Incident.LaggingReader || reboot.ErrorCode != "" {
		t.Errorf("reboot = %+v", reboot)
	}
	if out.Events[2].ErrorCode != "InvalidDBInstanceState" {
		t.Errorf("failed reboot = %+v", out.Events[2])
	}
	pg := out.Events[3]
	if pg.Actor != "dba-jiho" || pg.PrincipalType != "IAMUser" || !strings.Contains(pg.Request, "aurora_parallel_query=OFF (immediate)") ||
		pg.Time >= fleet.Incident.Start.Format(time.RFC3339) {
		t.Errorf("parameter change = %+v", pg)
	}
	text := testkit.Text(res)
	for _, w := range []string{"ModifyDBClusterParameterGroup", "dba-jiho (IAMUser)", "FAILED InvalidDBInstanceState", "7 LookupEvents calls"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}

	// billing-pg over a week: Terraform lowered the backup retention; its password is redacted.
	res = s.Call("get_cloudtrail_events", map[string]any{"cluster_id": "billing-pg", "since": "7d"})
	testkit.Decode(t, res, &out)
	if len(out.Events) != 1 || out.Events[0].EventName != "ModifyDBCluster" || strings.Contains(testkit.Text(res), "Sup3r") ||
		!strings.Contains(out.Events[0].Request, "masterUserPassword=[redacted]") || out.Events[0].Actor != "TerraformDeployer/terraform-ci" {
		t.Errorf("billing-pg: %+v", out.Events)
	}
	// read-only calls on request; a window reaching past 90 days is clamped with a note.
	testkit.Decode(t, s.Call("get_cloudtrail_events", map[string]any{"cluster_id": "billing-pg", "include_read_only": true, "since": "100d"}), &out)
	if out.ReadOnlySkipped != 0 || !out.Events[0].ReadOnly || !out.Window.Clamped || !strings.Contains(out.Window.Note, "90d retention") {
		t.Errorf("read-only/clamp: %+v %+v", out.Window, out.Events[0])
	}
}

func TestHealthAndRecommendationsDemo(t *testing.T) {
	fleet := demo.New(now)
	s, _ := session(t, fleet)
	res := s.Call("get_health_events", map[string]any{"cluster_id": "orders-prod"})
	var h HealthResult
	testkit.Decode(t, res, &h)
	if !h.Available || len(h.Events) != 1 || h.OpenCount != 1 || h.AffectingCluster != 1 || h.Events[0].TypeCode != "AWS_RDS_MAINTENANCE_SCHEDULED" ||
		h.Events[0].Affects[0] != fleet.Incident.OSUpgradeOn || !strings.Contains(h.Events[0].Description, "operating system update") {
		t.Errorf("health: %+v", h)
	}
	h = HealthResult{}
	testkit.Decode(t, s.Call("get_health_events", map[string]any{"since": "14d"}), &h)
	if len(h.Events) != 2 || h.Events[1].Status != "closed" || h.Events[1].Scope != "PUBLIC" || h.ClusterID != "" {
		t.Errorf("health 14d: %+v", h.Events)
	}
	testkit.Decode(t, s.Call("get_health_events", map[string]any{"region": "eu-west-1"}), &h)
	if len(h.Events) != 0 || !strings.Contains(strings.Join(h.Hints, " "), "no AWS Health events for RDS in eu-west-1") {
		t.Errorf("empty region: %+v", h)
	}

	var r RecommendationsResult
	res = s.Call("get_recommendations", map[string]any{"cluster_id": "orders-prod"})
	testkit.Decode(t, res, &r)
	if len(r.Recommendations) != 1 || r.Recommendations[0].Resource != "orders-prod" || r.Recommendations[0].Actions[0].Operation != "ModifyDBInstance" ||
		!strings.Contains(testkit.Text(res), "DBInstanceClass=db.r6g.xlarge") {
		t.Errorf("orders-prod: %+v\n%s", r, testkit.Text(res))
	}
	testkit.Decode(t, s.Call("get_recommendations", map[string]any{"cluster_id": "billing-pg"}), &r)
	if len(r.Recommendations) != 0 {
		t.Errorf("billing-pg (both of its recommendations are resolved and left out): %+v", r.Recommendations)
	}
	testkit.Decode(t, s.Call("get_recommendations", map[string]any{"cluster_id": "legacy-mysql"}), &r)
	if len(r.Recommendations) != 0 || len(r.Hints) != 1 {
		t.Errorf("legacy-mysql: %+v", r)
	}
}

func TestArgumentErrors(t *testing.T) {
	s, _ := session(t, demo.New(now))
	cases := []struct {
		tool string
		args any
		want []string
	}{
		{"get_cloudtrail_events", `{}`, []string{`missing required argument "cluster_id"`, "include_read_only (boolean)"}},
		{"get_cloudtrail_events", `{"cluster_id":"orders-prod","include_read_only":"yes"}`, []string{`"include_read_only" must be a boolean`}},
		{"get_cloudtrail_events", `{"cluster_id":"orders-prod","start":"2025-01-01T00:00:00Z","end":"2025-01-02T00:00:00Z"}`, []string{"older than the 90d retention"}},
		{"get_cloudtrail_events", `{"cluster_id":"nope"}`, []string{"list_clusters"}},
		{"get_health_events", `{"region":"moon-1"}`, []string{`region "moon-1" is not an AWS region`}},
		{"get_health_events", `{"since":"24h","start":"2026-11-21T00:00:00Z"}`, []string{"cannot be combined"}},
		{"get_health_events", `{"cluster":"orders-prod"}`, []string{`unknown argument "cluster"`, "valid arguments: region (string), cluster_id (string)"}},
		{"get_recommendations", `{"cluster_id":""}`, []string{`"cluster_id" must have at least 1 characters`}},
		{"get_recommendations", `{"cluster_id":"graph-neptune"}`, []string{"does not diagnose"}},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			text := testkit.ErrorText(t, s.Call(c.tool, c.args))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s error %q lacks %q", c.tool, text, w)
				}
			}
		})
	}
}

// failing serves the demo fleet with CloudTrail, Health and recommendations failing with err.
type failing struct {
	*demo.Fleet
	err error
}

func (f failing) CloudTrail(string) awsclient.CloudTrailAPI { return failingAPI(f) }
func (f failing) Health() awsclient.HealthAPI               { return failingAPI(f) }
func (f failing) RDS(region string) awsclient.RDSAPI {
	return failingRDS{RDSAPI: f.Fleet.RDS(region), err: f.err}
}

type failingAPI failing

func (f failingAPI) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return nil, opError("CloudTrail", "LookupEvents", f.err)
}
func (f failingAPI) DescribeEvents(context.Context, *health.DescribeEventsInput, ...func(*health.Options)) (*health.DescribeEventsOutput, error) {
	return nil, opError("Health", "DescribeEvents", f.err)
}
func (f failingAPI) DescribeEventDetails(context.Context, *health.DescribeEventDetailsInput, ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error) {
	return nil, opError("Health", "DescribeEventDetails", f.err)
}
func (f failingAPI) DescribeAffectedEntities(context.Context, *health.DescribeAffectedEntitiesInput, ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error) {
	return nil, opError("Health", "DescribeAffectedEntities", f.err)
}

type failingRDS struct {
	awsclient.RDSAPI
	err error
}

func (f failingRDS) DescribeDBRecommendations(context.Context, *rds.DescribeDBRecommendationsInput, ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error) {
	return nil, opError("RDS", "DescribeDBRecommendations", f.err)
}

func opError(svc, op string, err error) error {
	return &smithy.OperationError{ServiceID: svc, OperationName: op, Err: err}
}

func TestAWSFailures(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	s, _ := session(t, failing{demo.New(now), throttled})
	for tool, want := range map[string]string{
		"get_cloudtrail_events": "CloudTrail LookupEvents for orders-prod in ap-northeast-2",
		"get_health_events":     "Health DescribeEvents",
		"get_recommendations":   "RDS DescribeDBRecommendations for orders-prod in ap-northeast-2",
	} {
		text := testkit.ErrorText(t, s.Call(tool, map[string]any{"cluster_id": "orders-prod"}))
		if !strings.Contains(text, "Throttled") || !strings.Contains(text, want) {
			t.Errorf("%s: %q lacks %q", tool, text, want)
		}
	}

	// AccessDenied degrades to a hint naming the IAM action, isError false.
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}
	s, _ = session(t, failing{demo.New(now), denied})
	for tool, action := range map[string]string{"get_cloudtrail_events": "cloudtrail:LookupEvents", "get_health_events": "health:DescribeEvents", "get_recommendations": "rds:DescribeDBRecommendations"} {
		res := s.Call(tool, map[string]any{"cluster_id": "orders-prod"})
		var out struct {
			MissingPermissions []string `json:"missing_permissions"`
		}
		testkit.Decode(t, res, &out)
		if len(out.MissingPermissions) != 1 || out.MissingPermissions[0] != action || !strings.Contains(testkit.Text(res), action) {
			t.Errorf("%s: missing %v\n%s", tool, out.MissingPermissions, testkit.Text(res))
		}
	}

	// No support plan: a hint, isError false.
	s, _ = session(t, failing{demo.New(now), &smithy.GenericAPIError{Code: "SubscriptionRequiredException", Message: "The AWS Premium Support Subscription is required to use this service."}})
	res := s.Call("get_health_events", map[string]any{})
	var h HealthResult
	testkit.Decode(t, res, &h)
	if h.Available || !strings.Contains(testkit.Text(res), "AWS Health API not available") || !strings.Contains(testkit.Text(res), "Business, Enterprise On-Ramp or Enterprise Support") {
		t.Errorf("subscription: %s", testkit.Text(res))
	}
}

func TestSnapshots(t *testing.T) {
	ts := Tools(demo.New(now), tools.Env{})
	if len(ts) != 3 {
		t.Fatalf("%d tools", len(ts))
	}
	for _, tl := range ts {
		if tl.Toolset != "audit" || !tl.ReadOnly || tl.Destructive || !tl.OpenWorld {
			t.Errorf("%s spec = %+v", tl.Name, tl.Spec)
		}
		testkit.Snapshot(t, tl)
	}
}
