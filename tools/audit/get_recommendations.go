package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// RecommendationsInput is the input of get_recommendations.
type RecommendationsInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
}

func (f *family) recommendationsTool() tools.Tool {
	return tools.New(tools.Spec{
		Name: "get_recommendations", Toolset: "audit", Title: "RDS recommendations",
		Description: "Active and pending RDS recommendations (DescribeDBRecommendations) for the cluster and each member: category, " +
			"severity, status, what was detected, the recommended actions (with the API operation and parameters) and impact, most severe first. " +
			"NEXT: describe_cluster for the configuration they refer to, recommend_alarms for missing alarms.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in RecommendationsInput) (RecommendationsResult, error) {
		region, err := awsclient.Region(f.c, in.Region)
		if err != nil {
			return RecommendationsResult{}, err
		}
		topo, err := cluster.Describe(ctx, f.c.RDS(region), region, in.ClusterID)
		if err != nil {
			return RecommendationsResult{}, err
		}
		return Recommendations(ctx, f.c.RDS(region), topo)
	})
}

// Text renders the compact mirror.
func (r RecommendationsResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## RDS recommendations — %s (%s)\n", r.ClusterID, r.Region)
	var sev []string
	for _, c := range r.BySeverity {
		sev = append(sev, fmt.Sprintf("%d %s", c.Count, c.Name))
	}
	if len(sev) > 0 {
		fmt.Fprintf(&b, "%d active/pending: %s\n", len(r.Recommendations), strings.Join(sev, ", "))
	}
	for _, rec := range r.Recommendations {
		fmt.Fprintf(&b, "- [%s] %s — %s (%s, %s, %s)\n", tools.Cell(rec.Severity), tools.Cell(rec.Resource), tools.Cell(tools.Truncate(rec.Description, 200)),
			tools.Cell(rec.Category), tools.Cell(rec.Status), tools.Cell(rec.TypeID))
		if rec.Recommendation != "" {
			b.WriteString("  recommendation: " + tools.Cell(tools.Truncate(rec.Recommendation, 200)) + "\n")
		}
		if rec.Impact != "" {
			b.WriteString("  impact: " + tools.Cell(tools.Truncate(rec.Impact, 160)) + "\n")
		}
		for _, a := range rec.Actions {
			line := "  action: " + tools.Cell(a.Title)
			if a.Operation != "" {
				line += " — " + tools.Cell(a.Operation)
				if len(a.Parameters) > 0 {
					line += " " + tools.Cell(strings.Join(a.Parameters, " "))
				}
			}
			if len(a.ApplyModes) > 0 {
				line += " (" + tools.Cell(strings.Join(a.ApplyModes, "/")) + ")"
			}
			b.WriteString(line + "\n")
		}
	}
	if r.Truncated {
		b.WriteString("- truncated: more recommendations exist\n")
	}
	for _, h := range r.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}
