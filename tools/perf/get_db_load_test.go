package perf

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pi"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

func demoSession(t *testing.T, c awsclient.Clients) *testkit.Session {
	return testkit.Client(t, Tools(c, tools.Env{Now: func() time.Time { return now }}))
}

const stormDigest = "A1C5E0F3B9D24C7E8F6A0B1C2D3E4F50" // the demo's reporting query

func TestGetDBLoadDemoIncident(t *testing.T) {
	fleet := demo.New(now)
	s := demoSession(t, fleet)
	res := s.Call("get_db_load", map[string]any{"cluster_id": "orders-prod"})
	var out Result
	testkit.Decode(t, res, &out)
	if out.Region != "ap-northeast-2" || out.Engine != "aurora-mysql" || out.PeriodS != 300 || len(out.Members) != 3 {
		t.Fatalf("result: region %s engine %s period %d members %d", out.Region, out.Engine, out.PeriodS, len(out.Members))
	}
	inc := fleet.Incident
	for _, m := range out.Members {
		switch m.Instance {
		case inc.Writer, inc.OldWriter: // each was the writer for part of the storm
			peak, _ := time.Parse(time.RFC3339, m.PeakAt)
			if m.VCPU != 4 || m.PeakLoad < 2*float64(m.VCPU) || peak.Before(inc.Start) || !peak.Before(inc.End) {
				t.Errorf("%s: peak %v at %s on %d vCPU, storm %v–%v", m.Instance, m.PeakLoad, m.PeakAt, m.VCPU, inc.Start, inc.End)
			}
			if len(m.WaitsAtPeak) < 2 || m.WaitsAtPeak[0].Name != "CPU" || m.WaitsAtPeak[1].Name != "io/table/sql/handler" {
				t.Errorf("%s waits at peak = %+v", m.Instance, m.WaitsAtPeak)
			}
			if len(m.TopSQLAtPeak) == 0 || m.TopSQLAtPeak[0].ID != stormDigest || m.TopSQLAtPeak[0].SharePct < 60 ||
				!strings.Contains(m.TopSQLAtPeak[0].Statement, "DATE ( `o` . `created_at` )") {
				t.Errorf("%s top SQL at peak = %+v", m.Instance, m.TopSQLAtPeak)
			}
		case inc.LaggingReader:
			if m.PeakLoad > float64(m.VCPU) || len(m.TopSQL) < 2 || m.TopSQL[0].ID != stormDigest {
				t.Fatalf("%s: peak %v, top SQL %+v", m.Instance, m.PeakLoad, m.TopSQL)
			}
			// the monthly export's digest is over 500 bytes: its full text was fetched, literals masked
			export := m.TopSQL[1]
			if !export.FullText || export.StatementBytes <= 500 || strings.Contains(export.Statement, "2026-10-01") ||
				!strings.Contains(export.Statement, "BETWEEN ? AND ?") || !strings.HasSuffix(export.Statement, "LIMIT ?") {
				t.Errorf("export statement: %+v", export)
			}
		}
	}
	if len(out.Findings) != 2 || out.Findings[0].Severity != tools.SeverityCritical {
		t.Errorf("findings = %+v", out.Findings)
	}
	text := testkit.Text(res)
	for _, want := range []string{"| orders-prod-1 | writer | db.r6g.xlarge | 4 |", "io/table/sql/handler", "Top SQL during the peak period", "[full text, 794 bytes]", "[critical] orders-prod-1"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if n := len(text) / 4; n > 4000 {
		t.Errorf("text is ~%d tokens", n)
	}

	// billing-pg is calm.
	testkit.Decode(t, s.Call("get_db_load", map[string]any{"cluster_id": "billing-pg", "group_by": []string{"wait_event", "application"}, "top_n": 3}), &out)
	if len(out.Findings) != 0 || len(out.Members) != 2 || !out.Members[0].HasData || out.Members[0].PeakLoad >= 2 || len(out.Members[0].TopSQL) != 0 {
		t.Errorf("billing-pg: %+v", out)
	}
	if len(out.Members[0].Breakdowns) != 2 || out.Members[0].Breakdowns[1].Dimension != "application" || len(out.Members[0].Breakdowns[1].Keys) == 0 {
		t.Errorf("billing-pg breakdowns: %+v", out.Members[0].Breakdowns)
	}

	// One instance.
	testkit.Decode(t, s.Call("get_db_load", map[string]any{"instance_id": "orders-prod-3", "since": "2h"}), &out)
	if len(out.Members) != 1 || out.Members[0].Instance != "orders-prod-3" || out.PeriodS != 60 {
		t.Errorf("instance_id: %+v", out.Members)
	}
}

func TestGetDBLoadPIOffIsAHint(t *testing.T) {
	s := demoSession(t, demo.New(now))
	res := s.Call("get_db_load", map[string]any{"cluster_id": "legacy-mysql"})
	var out Result
	testkit.Decode(t, res, &out)
	if out.Members[0].PIEnabled || out.Members[0].HasData || !strings.Contains(testkit.Text(res), "Performance Insights is off on legacy-mysql") ||
		!strings.Contains(testkit.Text(res), "modify-db-instance --db-instance-identifier legacy-mysql --enable-performance-insights") {
		t.Errorf("PI off: %s", testkit.Text(res))
	}
}

func TestGetDBLoadErrors(t *testing.T) {
	s := demoSession(t, demo.New(now))
	cases := []struct {
		name string
		args any
		want []string
	}{
		{"no id", `{}`, []string{"send cluster_id", "instance_id"}},
		{"both ids", `{"cluster_id":"orders-prod","instance_id":"orders-prod-1"}`, []string{"either cluster_id or instance_id"}},
		{"top_n too big", `{"cluster_id":"orders-prod","top_n":11}`, []string{`"top_n" must be ≤ 10`, "valid arguments: cluster_id (string), instance_id (string)"}},
		{"bad group_by", `{"cluster_id":"orders-prod","group_by":["wait_event","planets"]}`, []string{`must be one of wait_event, wait_event_type, sql`}},
		{"unknown argument", `{"cluster_id":"orders-prod","cluster":"x"}`, []string{`unknown argument "cluster"`}},
		{"window outside retention", `{"cluster_id":"orders-prod","start":"2026-11-01T00:00:00Z","end":"2026-11-02T00:00:00Z"}`, []string{"retention of 7 days"}},
		{"bad since", `{"cluster_id":"orders-prod","since":"yesterday"}`, []string{`since "yesterday" is not a duration`}},
		{"unknown cluster", `{"cluster_id":"nope"}`, []string{"list_clusters", "ap-northeast-2"}},
		{"not a member", `{"instance_id":"orders-prod-9"}`, []string{"orders-prod-9"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := testkit.ErrorText(t, s.Call("get_db_load", c.args))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("error %q lacks %q", text, w)
				}
			}
		})
	}
}

// piClients is the demo fleet with another PI.
type piClients struct {
	*demo.Fleet
	api API
}

func (c piClients) PI(string) awsclient.PIAPI { return c.api }

func TestGetDBLoadAWSFailures(t *testing.T) {
	throttled := &fakePI{grm: func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) {
		return nil, apiErr("GetResourceMetrics", "ThrottlingException", "Rate exceeded")
	}}
	s := demoSession(t, piClients{demo.New(now), throttled})
	text := testkit.ErrorText(t, s.Call("get_db_load", map[string]any{"cluster_id": "billing-pg"}))
	for _, w := range []string{"Throttled", "PI GetResourceMetrics", "billing-pg-", "ap-northeast-2"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q lacks %q", text, w)
		}
	}

	denied := &fakePI{grm: func(*pi.GetResourceMetricsInput) (*pi.GetResourceMetricsOutput, error) {
		return nil, apiErr("GetResourceMetrics", "NotAuthorizedException", "User is not authorized to perform pi:GetResourceMetrics")
	}}
	s = demoSession(t, piClients{demo.New(now), denied})
	res := s.Call("get_db_load", map[string]any{"cluster_id": "billing-pg"})
	var out Result
	testkit.Decode(t, res, &out) // isError false: a degraded answer
	if len(out.MissingPermissions) != 1 || out.MissingPermissions[0] != "pi:GetResourceMetrics" || !strings.Contains(testkit.Text(res), "Access denied for pi:GetResourceMetrics") {
		t.Errorf("denied: %+v\n%s", out.MissingPermissions, testkit.Text(res))
	}
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
	}
}

func TestTextMirrorEscapesSQL(t *testing.T) {
	evil := "SELECT 1 | x\n| row | from t"
	r := Result{Members: []MemberLoad{{Instance: "i", HasData: true, PIEnabled: true, PeakAt: "2026-11-22T08:00:00Z",
		Breakdowns: []Breakdown{{Dimension: DimUser, Keys: []KeyLoad{{Name: evil}}}},
		TopSQL:     []SQLLoad{{ID: "x", Statement: evil}}, TopSQLAtPeak: []SQLLoad{{ID: evil, Statement: evil}}}}}
	for _, line := range strings.Split(r.Text(), "\n") {
		if strings.HasPrefix(line, "| row") || strings.Contains(line, "1 | x") {
			t.Errorf("untrusted SQL broke the text: %q", line)
		}
	}
}
