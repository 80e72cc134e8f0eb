package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// HealthInput is the input of get_health_events.
type HealthInput struct {
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region whose RDS events to list, e.g. ap-northeast-2. Default: the server's region."`
	ClusterID string `json:"cluster_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Optional cluster (or standalone instance) id: events whose affected entities name it or its members are marked."`
	timewin.Input
}

func (f *family) healthTool() tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_health_events", Toolset: "audit", Title: "AWS Health events for RDS",
		Description: "AWS Health events for RDS in a region: open and upcoming ones (scheduled maintenance, issues) and those updated in " +
			"the window (default 24h, up to 90 days) with status, times, description and affected resources; with cluster_id, events " +
			"naming the cluster or its members are marked. Needs a Business or Enterprise support plan (the answer says so otherwise). " +
			"NEXT: get_pending_maintenance for the cluster's own pending actions.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in HealthInput) (HealthResult, error) {
		region, err := awsclient.Region(f.c, in.Region)
		if err != nil {
			return HealthResult{}, err
		}
		now := f.env.Clock()
		w, err := timewin.Resolve(in.Input, timewin.Options{Now: now, Region: region, MaxAge: HealthRetention, Clamp: true})
		if err != nil {
			return HealthResult{}, err
		}
		var topo *cluster.Topology
		if in.ClusterID != "" {
			t, err := cluster.Describe(ctx, f.c.RDS(region), region, in.ClusterID)
			if err != nil {
				return HealthResult{}, err
			}
			topo = &t
		}
		return Health(ctx, f.c.Health(), region, topo, w, HealthOptions{Now: now})
	})
}

// Text renders the compact mirror.
func (r HealthResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## AWS Health — RDS in %s\n", r.Region)
	fmt.Fprintf(&b, "Window %s → %s (%s)\n", r.Window.StartLocal, r.Window.EndLocal, r.Window.Timezone)
	if !r.Available {
		b.WriteString("AWS Health API not available.\n")
	} else {
		fmt.Fprintf(&b, "Events: %d (%d open or upcoming", len(r.Events), r.OpenCount)
		if r.ClusterID != "" {
			fmt.Fprintf(&b, ", %d naming %s", r.AffectingCluster, r.ClusterID)
		}
		b.WriteString(")\n")
	}
	for _, e := range r.Events {
		when := e.Start
		if e.End != "" {
			when += " → " + e.End
		}
		fmt.Fprintf(&b, "- [%s] %s (%s) %s", tools.Cell(e.Status), tools.Cell(e.TypeCode), tools.Cell(e.Category), when)
		if len(e.Affects) > 0 {
			fmt.Fprintf(&b, " — affects %s", strings.Join(e.Affects, ", "))
		} else if e.EntityCount > 0 {
			fmt.Fprintf(&b, " — %d entities: %s", e.EntityCount, tools.Cell(strings.Join(e.Entities, ", ")))
		}
		b.WriteString("\n")
		if e.Description != "" {
			b.WriteString("  " + tools.Cell(tools.Truncate(e.Description, 300)) + "\n")
		}
	}
	if r.Truncated {
		b.WriteString("- truncated: more events exist\n")
	}
	for _, h := range r.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}
