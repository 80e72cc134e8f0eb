package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// TrailInput is the input of get_cloudtrail_events.
type TrailInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	IncludeReadOnly bool `json:"include_read_only,omitempty" jsonschema_description:"Also list read-only calls (Describe*, List*). Default false: write calls only (Modify*, Reboot*, Failover*, Create*, Delete*, parameter group and snapshot changes)."`
}

func (f *family) trailTool() tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_cloudtrail_events", Toolset: "audit", Title: "Who changed the cluster (CloudTrail)",
		Description: "Who changed the cluster: RDS API calls on the cluster, its members and their parameter groups from CloudTrail " +
			"(90 days; default window 24h) with time, call, principal, source IP, user agent, error code and request parameters " +
			"(secrets removed). Write calls only unless include_read_only. Paced at CloudTrail's 2 calls/s: takes a few seconds. " +
			"NEXT: get_rds_events for what RDS did in response.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in TrailInput) (TrailResult, error) {
		now := f.env.Clock()
		topo, w, err := cluster.Resolve(ctx, f.c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: now, MaxAge: TrailRetention, Clamp: true})
		if err != nil {
			return TrailResult{}, err
		}
		return Trail(ctx, f.c.CloudTrail(topo.Region), topo, w, TrailOptions{IncludeReadOnly: in.IncludeReadOnly, Pacer: f.pacer(topo.Region), Now: now})
	})
}

// Text renders the compact mirror.
func (r TrailResult) Text() string {
	var b strings.Builder
	kind := "write calls"
	if r.IncludeReadOnly {
		kind = "calls (read-only included)"
	}
	fmt.Fprintf(&b, "## CloudTrail — RDS %s on %s (%s)\n", kind, r.ClusterID, r.Region)
	fmt.Fprintf(&b, "Window %s → %s (%s)\n", r.Window.StartLocal, r.Window.EndLocal, r.Window.Timezone)
	var looked []string
	calls := 0
	for _, l := range r.Lookups {
		looked = append(looked, l.Resource)
		calls += l.Calls
	}
	fmt.Fprintf(&b, "Looked up %d resource names (%s) in %d LookupEvents calls; %d events", len(r.Lookups), strings.Join(looked, ", "), calls, r.TotalEvents)
	if r.ReadOnlySkipped > 0 {
		fmt.Fprintf(&b, ", %d read-only calls left out", r.ReadOnlySkipped)
	}
	b.WriteString("\n")
	if len(r.Events) > 0 {
		rows := make([][]string, 0, len(r.Events))
		for _, e := range r.Events {
			res := strings.Join(e.Resources, ", ")
			outcome := "ok"
			if e.ErrorCode != "" {
				outcome = "FAILED " + e.ErrorCode
			}
			rows = append(rows, []string{e.TimeLocal, e.EventName, res, e.Actor + " (" + e.PrincipalType + ")", e.SourceIP,
				tools.Truncate(e.UserAgent, 40), outcome, tools.Truncate(e.Request, 160)})
		}
		b.WriteString(tools.Table([]string{"time (local)", "call", "resources", "who", "source IP", "user agent", "result", "request (untrusted)"}, rows))
	}
	if r.Truncated {
		fmt.Fprintf(&b, "- truncated: showing %d of %d+ events\n", len(r.Events), r.TotalEvents)
	}
	for _, h := range r.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}
