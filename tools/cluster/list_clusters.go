package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// ListInput is the input of list_clusters.
type ListInput struct {
	Regions []string `json:"regions,omitempty" jsonschema:"maxItems=20" jsonschema_description:"Regions to list, e.g. [\"ap-northeast-2\",\"us-east-1\"]. Default: the server's region."`
}

// ListOutput is the output of list_clusters.
type ListOutput struct {
	Regions   []string        `json:"regions"`
	Clusters  []ClusterItem   `json:"clusters"`
	Instances []InstanceItem  `json:"instances" jsonschema_description:"Standalone RDS instances (not in any cluster)."`
	Excluded  int             `json:"excluded" jsonschema_description:"Neptune/DocumentDB clusters and instances left out."`
	Errors    []RegionFailure `json:"errors,omitempty"`
	Truncated bool            `json:"truncated,omitempty"`
}

// ClusterItem is one cluster in list_clusters.
type ClusterItem struct {
	ID            string       `json:"id"`
	Region        string       `json:"region"`
	Engine        string       `json:"engine"`
	EngineVersion string       `json:"engine_version"`
	Status        string       `json:"status"`
	Writer        string       `json:"writer,omitempty"`
	Members       []MemberItem `json:"members"`
	Serverless    bool         `json:"serverless_v2,omitempty"`
}

// MemberItem is one member in list_clusters.
type MemberItem struct {
	ID     string `json:"id"`
	Role   string `json:"role"`
	Class  string `json:"class,omitempty"`
	Status string `json:"status,omitempty"`
}

// InstanceItem is one standalone instance in list_clusters.
type InstanceItem struct {
	ID            string `json:"id"`
	Region        string `json:"region"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engine_version"`
	Class         string `json:"class"`
	Status        string `json:"status"`
}

// RegionFailure records a region that could not be listed; the others are still returned.
type RegionFailure struct {
	Region string `json:"region"`
	Error  string `json:"error"`
}

// Text renders the compact mirror.
func (o ListOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Regions: %s — %d clusters, %d standalone instances", strings.Join(o.Regions, ", "), len(o.Clusters), len(o.Instances))
	if o.Excluded > 0 {
		fmt.Fprintf(&b, " (%d Neptune/DocumentDB excluded)", o.Excluded)
	}
	b.WriteString("\n")
	if len(o.Clusters) > 0 {
		rows := make([][]string, 0, len(o.Clusters))
		for _, c := range o.Clusters {
			var ms []string
			for _, m := range c.Members {
				ms = append(ms, m.ID+"("+m.Role+","+m.Class+")")
			}
			rows = append(rows, []string{c.ID, c.Region, c.Engine + " " + c.EngineVersion, c.Status, strings.Join(ms, " ")})
		}
		b.WriteString(tools.Table([]string{"cluster", "region", "engine", "status", "members"}, rows))
	}
	if len(o.Instances) > 0 {
		rows := make([][]string, 0, len(o.Instances))
		for _, i := range o.Instances {
			rows = append(rows, []string{i.ID, i.Region, i.Engine + " " + i.EngineVersion, i.Class, i.Status})
		}
		b.WriteString(tools.Table([]string{"instance", "region", "engine", "class", "status"}, rows))
	}
	for _, e := range o.Errors {
		fmt.Fprintf(&b, "- %s failed: %s\n", e.Region, e.Error)
	}
	if len(o.Clusters)+len(o.Instances) == 0 && len(o.Errors) == 0 {
		b.WriteString("No Aurora/RDS databases found; pass regions to look elsewhere.\n")
	}
	b.WriteString("NEXT: describe_cluster or run_health_check with a cluster id.\n")
	return b.String()
}

// maxItems bounds the answer.
const maxItems = 200

// List lists clusters and standalone instances in one region.
func List(ctx context.Context, api API, region string) (clusters []ClusterItem, instances []InstanceItem, excluded int, err error) {
	classes := map[string]MemberItem{}
	var standalone []InstanceItem
	ip := rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{})
	for i := 0; ip.HasMorePages() && i < maxPages; i++ {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return nil, nil, 0, awsclient.In(region, "", err)
		}
		for _, in := range page.DBInstances {
			id, eng := aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.Engine)
			classes[id] = MemberItem{ID: id, Class: aws.ToString(in.DBInstanceClass), Status: aws.ToString(in.DBInstanceStatus)}
			if aws.ToString(in.DBClusterIdentifier) != "" {
				continue
			}
			if !Supported(eng) {
				excluded++
				continue
			}
			standalone = append(standalone, InstanceItem{ID: id, Region: region, Engine: eng, EngineVersion: aws.ToString(in.EngineVersion),
				Class: aws.ToString(in.DBInstanceClass), Status: aws.ToString(in.DBInstanceStatus)})
		}
	}
	cp := rds.NewDescribeDBClustersPaginator(api, &rds.DescribeDBClustersInput{})
	for i := 0; cp.HasMorePages() && i < maxPages; i++ {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return nil, nil, 0, awsclient.In(region, "", err)
		}
		for _, c := range page.DBClusters {
			if !Supported(aws.ToString(c.Engine)) {
				excluded++
				continue
			}
			item := ClusterItem{ID: aws.ToString(c.DBClusterIdentifier), Region: region, Engine: aws.ToString(c.Engine),
				EngineVersion: aws.ToString(c.EngineVersion), Status: aws.ToString(c.Status), Members: []MemberItem{},
				Serverless: c.ServerlessV2ScalingConfiguration != nil && c.ServerlessV2ScalingConfiguration.MaxCapacity != nil}
			for _, m := range c.DBClusterMembers {
				mi := classes[aws.ToString(m.DBInstanceIdentifier)]
				mi.ID = aws.ToString(m.DBInstanceIdentifier)
				mi.Role = RoleReader
				if aws.ToBool(m.IsClusterWriter) {
					mi.Role = RoleWriter
					item.Writer = mi.ID
				}
				item.Members = append(item.Members, mi)
			}
			sort.SliceStable(item.Members, func(i, j int) bool {
				if (item.Members[i].Role == RoleWriter) != (item.Members[j].Role == RoleWriter) {
					return item.Members[i].Role == RoleWriter
				}
				return item.Members[i].ID < item.Members[j].ID
			})
			clusters = append(clusters, item)
		}
	}
	return clusters, standalone, excluded, nil
}

func listTool(c awsclient.Clients) tools.Tool {
	return tools.New(tools.Spec{
		Name: "list_clusters", Toolset: "cluster", Title: "List Aurora/RDS clusters",
		Description: "Lists Aurora/RDS clusters and standalone RDS instances in one or more regions with engine, version, status, " +
			"members and roles (Neptune/DocumentDB excluded). START HERE when you do not know the cluster id. NEXT: describe_cluster or run_health_check.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in ListInput) (ListOutput, error) {
		regions := in.Regions
		if len(regions) == 0 {
			regions = []string{""}
		}
		out := ListOutput{Clusters: []ClusterItem{}, Instances: []InstanceItem{}}
		seen := map[string]bool{}
		for _, r := range regions {
			region, err := awsclient.Region(c, r)
			if err != nil {
				return ListOutput{}, err
			}
			if !seen[region] {
				seen[region] = true
				out.Regions = append(out.Regions, region)
			}
		}
		type result struct {
			cs  []ClusterItem
			is  []InstanceItem
			ex  int
			err error
		}
		results := make([]result, len(out.Regions))
		var wg sync.WaitGroup
		for i, region := range out.Regions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cs, is, ex, err := List(ctx, c.RDS(region), region)
				results[i] = result{cs, is, ex, err}
			}()
		}
		wg.Wait()
		for i, r := range results {
			if r.err != nil {
				if len(out.Regions) == 1 {
					return ListOutput{}, r.err
				}
				out.Errors = append(out.Errors, RegionFailure{Region: out.Regions[i], Error: tools.Classify(r.err, awsclient.Classify).Error()})
				continue
			}
			out.Clusters = append(out.Clusters, r.cs...)
			out.Instances = append(out.Instances, r.is...)
			out.Excluded += r.ex
		}
		if len(out.Clusters) > maxItems {
			out.Clusters, out.Truncated = out.Clusters[:maxItems], true
		}
		if len(out.Instances) > maxItems {
			out.Instances, out.Truncated = out.Instances[:maxItems], true
		}
		return out, nil
	})
}
