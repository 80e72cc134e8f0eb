package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// RecommendationsResult lists the RDS recommendations for a cluster and its members.
type RecommendationsResult struct {
	Region             string           `json:"region"`
	ClusterID          string           `json:"cluster_id"`
	Recommendations    []Recommendation `json:"recommendations" jsonschema_description:"Active and pending recommendations, most severe first."`
	BySeverity         []NameCount      `json:"by_severity"`
	Truncated          bool             `json:"truncated"`
	MissingPermissions []string         `json:"missing_permissions,omitempty"`
	Hints              []string         `json:"hints,omitempty"`
}

// Recommendation is one RDS recommendation (DescribeDBRecommendations). Text fields come from AWS and are
// shown as untrusted text.
type Recommendation struct {
	ID             string   `json:"id"`
	TypeID         string   `json:"type_id"`
	Resource       string   `json:"resource" jsonschema_description:"The cluster or member id the recommendation is about."`
	ResourceARN    string   `json:"resource_arn"`
	Category       string   `json:"category,omitempty"`
	Severity       string   `json:"severity" jsonschema:"enum=high,enum=medium,enum=low,enum=informational"`
	Status         string   `json:"status" jsonschema:"enum=active,enum=pending,enum=resolved,enum=dismissed"`
	Description    string   `json:"description,omitempty"`
	Reason         string   `json:"reason,omitempty"`
	Recommendation string   `json:"recommendation,omitempty"`
	Impact         string   `json:"impact,omitempty"`
	Actions        []Action `json:"actions"`
	Created        string   `json:"created,omitempty"`
	Updated        string   `json:"updated,omitempty"`
	Links          []string `json:"links,omitempty"`
}

// Action is one recommended action.
type Action struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Operation   string   `json:"operation,omitempty" jsonschema_description:"The RDS API operation that applies it, e.g. ModifyDBInstance."`
	Parameters  []string `json:"parameters,omitempty" jsonschema_description:"name=value pairs for the operation."`
	ApplyModes  []string `json:"apply_modes,omitempty"`
}

// Recommendations reads DescribeDBRecommendations for topo: one sequence filtered on the cluster's
// resource id (cluster-resource-id) and one on the members' DbiResourceIds (dbi-resource-id) — RDS ANDs
// different filters, so they cannot share a call — both restricted to status active and pending, paginated
// and de-duplicated. AccessDenied is a hint; other failures are returned.
func Recommendations(ctx context.Context, api RecommendationsAPI, topo cluster.Topology) (RecommendationsResult, error) {
	res := RecommendationsResult{Region: topo.Region, ClusterID: topo.ID, Recommendations: []Recommendation{}, BySeverity: []NameCount{}}
	status := rdstypes.Filter{Name: aws.String("status"), Values: []string{"active", "pending"}}
	var filters [][]rdstypes.Filter
	if topo.Kind != "instance" && topo.ResourceID != "" {
		filters = append(filters, []rdstypes.Filter{{Name: aws.String("cluster-resource-id"), Values: []string{topo.ResourceID}}, status})
	}
	var dbis []string
	for _, m := range topo.Members {
		if m.ResourceID != "" {
			dbis = append(dbis, m.ResourceID)
		}
	}
	if len(dbis) > 0 {
		filters = append(filters, []rdstypes.Filter{{Name: aws.String("dbi-resource-id"), Values: dbis}, status})
	}
	names := map[string]string{topo.ARN: topo.ID}
	for _, m := range topo.Members {
		names[m.ARN] = m.ID
	}
	seen := map[string]bool{}
	for _, f := range filters {
		recs, more, err := describeRecommendations(ctx, api, f)
		if err != nil {
			if a, ok := deniedAction(err, "rds:DescribeDBRecommendations"); ok {
				res.MissingPermissions = addOnce(res.MissingPermissions, a)
				res.Hints = append(res.Hints, fmt.Sprintf("AccessDenied on %s: grant it to the role kida-mcp runs as to see RDS recommendations", a))
				break
			}
			return RecommendationsResult{}, awsclient.In(topo.Region, topo.ID, err)
		}
		res.Truncated = res.Truncated || more
		for _, r := range recs {
			id := aws.ToString(r.RecommendationId)
			if seen[id] {
				continue
			}
			seen[id] = true
			res.Recommendations = append(res.Recommendations, toRecommendation(r, names))
		}
	}
	sort.SliceStable(res.Recommendations, func(i, j int) bool {
		a, b := res.Recommendations[i], res.Recommendations[j]
		if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.ID < b.ID
	})
	counts := map[string]int{}
	for _, r := range res.Recommendations {
		counts[r.Severity]++
	}
	for _, s := range []string{"high", "medium", "low", "informational"} {
		if counts[s] > 0 {
			res.BySeverity = append(res.BySeverity, NameCount{Name: s, Count: counts[s]})
		}
	}
	if len(res.Recommendations) == 0 && len(res.MissingPermissions) == 0 {
		res.Hints = append(res.Hints, "RDS has no active recommendations for "+topo.ID+" or its members; describe_cluster's posture findings still apply")
	}
	return res, nil
}

func describeRecommendations(ctx context.Context, api RecommendationsAPI, filters []rdstypes.Filter) ([]rdstypes.DBRecommendation, bool, error) {
	in := &rds.DescribeDBRecommendationsInput{Filters: filters, MaxRecords: aws.Int32(100)}
	var out []rdstypes.DBRecommendation
	for page := 0; ; page++ {
		if page == maxPages {
			return out, true, nil
		}
		o, err := api.DescribeDBRecommendations(ctx, in)
		if err != nil {
			return nil, false, err
		}
		out = append(out, o.DBRecommendations...)
		if aws.ToString(o.Marker) == "" {
			return out, false, nil
		}
		next := *in
		next.Marker = o.Marker
		in = &next
	}
}

func toRecommendation(r rdstypes.DBRecommendation, names map[string]string) Recommendation {
	arn := aws.ToString(r.ResourceArn)
	res := names[arn]
	if res == "" {
		res = arn[strings.LastIndex(arn, ":")+1:]
	}
	out := Recommendation{
		ID: aws.ToString(r.RecommendationId), TypeID: aws.ToString(r.TypeId), Resource: res, ResourceARN: arn,
		Category: aws.ToString(r.Category), Severity: strings.ToLower(aws.ToString(r.Severity)), Status: strings.ToLower(aws.ToString(r.Status)),
		Description: clip(r.Description, 600), Reason: clip(r.Reason, 400), Recommendation: clip(r.Recommendation, 400),
		Impact: clip(r.Impact, 400), Created: stamp(r.CreatedTime), Updated: stamp(r.UpdatedTime), Actions: []Action{},
	}
	if out.Description == "" {
		out.Description = clip(r.TypeDetection, 600)
	}
	if out.Recommendation == "" {
		out.Recommendation = clip(r.TypeRecommendation, 400)
	}
	for _, a := range r.RecommendedActions {
		act := Action{Title: clip(a.Title, 200), Description: clip(a.Description, 400), Operation: aws.ToString(a.Operation), ApplyModes: a.ApplyModes}
		for _, p := range a.Parameters {
			act.Parameters = append(act.Parameters, aws.ToString(p.Key)+"="+tools.Truncate(aws.ToString(p.Value), 100))
		}
		out.Actions = append(out.Actions, act)
	}
	for _, l := range r.Links {
		if u := aws.ToString(l.Url); u != "" {
			out.Links = append(out.Links, u)
		}
	}
	return out
}

func clip(s *string, n int) string { return tools.Truncate(strings.TrimSpace(aws.ToString(s)), n) }

func severityRank(s string) int {
	switch s {
	case "high":
		return 0
	case "medium":
		return 1
	case "low":
		return 2
	}
	return 3
}
