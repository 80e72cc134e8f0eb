package perf

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// GetDBLoadInput is the input of get_db_load.
type GetDBLoadInput struct {
	ClusterID  string `json:"cluster_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier (or a standalone instance id): every member is loaded. Send this or instance_id."`
	InstanceID string `json:"instance_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"One DB instance identifier: only this instance is loaded. Send this or cluster_id."`
	Region     string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	GroupBy []string `json:"group_by,omitempty" jsonschema:"maxItems=7,enum=wait_event,enum=wait_event_type,enum=sql,enum=user,enum=host,enum=database,enum=application" jsonschema_description:"Breakdowns to return. Default: wait_event, sql, user, host. application is PostgreSQL only."`
	TopN    int      `json:"top_n,omitempty" jsonschema:"minimum=1,maximum=10" jsonschema_description:"Keys per breakdown and top SQL statements. Default 5."`
	RawSQL  bool     `json:"raw_sql,omitempty" jsonschema_description:"Keep literal values in full SQL text fetched for long statements. Default false: literals are masked."`
}

// Validate requires exactly one of cluster_id and instance_id.
func (in *GetDBLoadInput) Validate() error {
	switch {
	case in.ClusterID == "" && in.InstanceID == "":
		return tools.Errorf("send cluster_id (every member) or instance_id (one instance); list_clusters shows the ids")
	case in.ClusterID != "" && in.InstanceID != "":
		return tools.Errorf("send either cluster_id or instance_id, not both (instance_id %q already names its cluster)", in.InstanceID)
	}
	return nil
}

func loadTool(c awsclient.Clients, env tools.Env) tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_db_load", Toolset: "perf", Title: "Database load (Performance Insights)",
		Description: "Database load from Performance Insights / Database Insights per member: average and peak load (average active " +
			"sessions) against vCPUs, load by wait event (also at the peak), top SQL by load with waits and per-call stats (full text, " +
			"literals masked), top users and hosts; a hint on enabling PI where it is off. Window default 24h, within PI retention " +
			"(7 days unless extended). NEXT: get_slow_queries for the top statement, get_instance_metrics for CPU.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in GetDBLoadInput) (Result, error) {
		region, err := awsclient.Region(c, in.Region)
		if err != nil {
			return Result{}, err
		}
		now := env.Clock()
		w, err := timewin.Resolve(in.Input, timewin.Options{Now: now, Region: region})
		if err != nil {
			return Result{}, err
		}
		opt := Options{TopN: in.TopN, GroupBy: in.GroupBy, RawSQL: in.RawSQL, Now: now}
		if err := opt.withDefaults(w).validate(); err != nil {
			return Result{}, err
		}
		id := in.ClusterID
		if in.InstanceID != "" {
			id = in.InstanceID
			opt.Instances = []string{in.InstanceID}
		}
		topo, err := cluster.Describe(ctx, c.RDS(region), region, id)
		if err != nil {
			return Result{}, err
		}
		res, err := Load(ctx, c.PI(region), topo, w, opt)
		if err != nil {
			return Result{}, err
		}
		return res, nil
	})
}

// Text renders the compact mirror.
func (r Result) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Database load — %s (%s, %s)\n", r.ClusterID, r.Engine, r.Region)
	fmt.Fprintf(&b, "Window %s → %s (%s); Performance Insights period %d s\n", r.Window.StartLocal, r.Window.EndLocal, r.Window.Timezone, r.PeriodS)
	rows := make([][]string, 0, len(r.Members))
	for _, m := range r.Members {
		vcpu := "?"
		if m.VCPU > 0 {
			vcpu = fmt.Sprint(m.VCPU)
		}
		switch {
		case !m.PIEnabled:
			rows = append(rows, []string{m.Instance, m.Role, m.Class, vcpu, "PI off", "", "", ""})
		case !m.HasData:
			rows = append(rows, []string{m.Instance, m.Role, m.Class, vcpu, "no data", "", "", ""})
		default:
			perV := ""
			if m.VCPU > 0 {
				perV = tools.Num(m.PeakPerVCPU, 2)
			}
			rows = append(rows, []string{m.Instance, m.Role, m.Class, vcpu, tools.Num(m.AvgLoad, 2),
				tools.Num(m.PeakLoad, 2) + " at " + shortTime(m.PeakAt), perV, topKeys(m.waits(), 2)})
		}
	}
	b.WriteString(tools.Table([]string{"instance", "role", "class", "vCPU", "avg AAS", "peak AAS", "peak/vCPU", "top waits"}, rows))
	for _, m := range r.Members {
		if !m.HasData && len(m.Hints) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s (%s)\n", m.Instance, m.Role)
		for _, bd := range m.Breakdowns {
			if len(bd.Keys) > 0 {
				fmt.Fprintf(&b, "- %s: %s\n", strings.ReplaceAll(bd.Dimension, "_", " "), topKeys(bd.Keys, 5))
			}
		}
		if len(m.WaitsAtPeak) > 0 {
			fmt.Fprintf(&b, "- at peak (%s): %s\n", shortTime(m.PeakAt), topKeys(m.WaitsAtPeak, 4))
		}
		for i, s := range m.TopSQLAtPeak {
			if i == 0 {
				b.WriteString("Top SQL during the peak period:\n")
			}
			fmt.Fprintf(&b, "%d. %s AAS (%s%% of the peak) id %s: %s\n", i+1, tools.Num(s.AvgLoad, 2), tools.Num(s.SharePct, 0), tools.Cell(s.ID), tools.Cell(tools.Truncate(s.Statement, 160)))
		}
		if len(m.TopSQL) > 0 {
			srows := make([][]string, 0, len(m.TopSQL))
			for i, s := range m.TopSQL {
				stmt := tools.Truncate(s.Statement, 300)
				if s.FullText {
					stmt += fmt.Sprintf(" [full text, %d bytes]", s.StatementBytes)
				} else if s.Truncated {
					stmt += " [cut]"
				}
				srows = append(srows, []string{fmt.Sprint(i + 1), tools.Num(s.AvgLoad, 2), tools.Num(s.SharePct, 1) + "%",
					topKeys(s.Waits, 2), optNum(s.CallsPerS, 2), optNum(s.LatencyMs, 1), optNum(s.RowsPerCall, 0), stmt})
			}
			more := ""
			if m.SQLMore {
				more = " (more statements beyond top_n)"
			}
			b.WriteString("Top SQL over the window" + more + ":\n")
			b.WriteString(tools.Table([]string{"#", "AAS", "share", "waits", "calls/s", "ms/call", "rows/call", "statement (untrusted, literals masked)"}, srows))
		}
		for _, h := range m.Hints {
			b.WriteString("- hint: " + tools.Cell(h) + "\n")
		}
	}
	if len(r.Hints) > 0 {
		b.WriteString("\n")
	}
	for _, h := range r.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	if len(r.Findings) > 0 {
		b.WriteString("Findings:\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "- [%s] %s: %s — %s\n", f.Severity, f.Resource, f.Title, tools.Cell(f.Evidence))
		}
	}
	return b.String()
}

// waits is the wait-event breakdown, or the wait-event-type one when only that was asked for.
func (m MemberLoad) waits() []KeyLoad {
	if w := m.breakdown(DimWaitEvent); len(w) > 0 {
		return w
	}
	return m.breakdown(DimWaitEventType)
}

func (m MemberLoad) breakdown(dim string) []KeyLoad {
	for _, bd := range m.Breakdowns {
		if bd.Dimension == dim {
			return bd.Keys
		}
	}
	return nil
}

func topKeys(ks []KeyLoad, n int) string {
	var parts []string
	for i, k := range ks {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s%% (%s)", tools.Cell(k.Name), tools.Num(k.SharePct, 0), tools.Num(k.AvgLoad, 2)))
	}
	return strings.Join(parts, " · ")
}

func optNum(v *float64, digits int) string {
	if v == nil {
		return ""
	}
	return tools.Num(*v, digits)
}
