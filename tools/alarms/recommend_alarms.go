package alarms

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// RecommendInput is the input of recommend_alarms.
type RecommendInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
}

// RecommendOutput is the output of recommend_alarms.
type RecommendOutput struct {
	Region         string   `json:"region"`
	ClusterID      string   `json:"cluster_id"`
	Engine         string   `json:"engine"`
	Recommended    int      `json:"recommended"`
	Present        int      `json:"present"`
	ThresholdDiff  int      `json:"threshold_differs"`
	Missing        int      `json:"missing"`
	Items          []Item   `json:"items" jsonschema_description:"Missing first, then threshold_differs, then present."`
	CloudFormation string   `json:"cloudformation,omitempty" jsonschema_description:"CloudFormation YAML creating the missing alarms."`
	Hints          []string `json:"hints,omitempty"`
}

// Text renders the compact mirror: the status table, the CLI commands and the CloudFormation snippet.
func (o RecommendOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Recommended alarms for %s (%s, %s)\n", o.ClusterID, o.Engine, o.Region)
	fmt.Fprintf(&b, "%d recommended: %d present, %d with a different threshold, %d missing. Nothing was changed.\n",
		o.Recommended, o.Present, o.ThresholdDiff, o.Missing)
	rows := make([][]string, 0, len(o.Items))
	for _, it := range o.Items {
		existing := strings.Join(it.Existing, ", ")
		switch {
		case it.Note != "" && existing != "":
			existing += " — " + it.Note
		case it.Note != "":
			existing = it.Note
		}
		rows = append(rows, []string{it.Status, it.Series, it.Metric, fmt.Sprintf("%s %s %s, %d/%d x %ds", it.Statistic,
			opSymbols[cwComparison(it.Comparison)], humanThreshold(it.Threshold, it.Unit), it.DatapointsToAlarm, it.EvaluationPeriods, it.Period), tools.OrDash(existing)})
	}
	b.WriteString(tools.Table([]string{"status", "series", "metric", "recommended", "existing"}, rows))
	if o.Missing > 0 {
		b.WriteString("\n### AWS CLI for the missing alarms (add --alarm-actions <sns-topic-arn> to be notified)\n```sh\n")
		for _, it := range o.Items {
			if it.Command != "" {
				b.WriteString(it.Command + "\n")
			}
		}
		b.WriteString("```\n\n### CloudFormation (add AlarmActions to notify)\n```yaml\n" + o.CloudFormation + "```\n")
	}
	b.WriteString("Sources: AWS recommended alarms (" + SourceAWS + "); role series per " + SourceAurora + ".\n")
	for _, h := range o.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}

// humanThreshold renders a threshold in a readable unit (bytes as GiB/TiB, seconds as ms).
func humanThreshold(v float64, unit string) string {
	switch unit {
	case "bytes":
		return tools.Bytes(v)
	case "seconds":
		if v != 0 && v < 1 {
			return num(v*1000) + " ms"
		}
		return num(v) + " s"
	case "milliseconds":
		return num(v) + " ms"
	case "percent":
		return num(v) + "%"
	}
	return num(v) + " " + unit
}

func recommendTool(c awsclient.Clients) tools.Tool {
	return tools.New(tools.Spec{
		Name: "recommend_alarms", Toolset: "alarms", Title: "Recommended alarms for a cluster",
		Description: "The AWS-recommended CloudWatch alarm set for this cluster (role series that survive failover, thresholds sized to " +
			"the instance classes), which of them already exist, and for the missing ones ready-to-run `aws cloudwatch put-metric-alarm` " +
			"commands and a CloudFormation snippet. Changes nothing. NEXT: get_alarms for current states.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in RecommendInput) (RecommendOutput, error) {
		region, err := awsclient.Region(c, in.Region)
		if err != nil {
			return RecommendOutput{}, err
		}
		t, err := cluster.Describe(ctx, c.RDS(region), region, in.ClusterID)
		if err != nil {
			return RecommendOutput{}, err
		}
		rec, err := Recommend(ctx, c.CloudWatch(region), t)
		if err != nil {
			return RecommendOutput{}, err
		}
		return RecommendOutput{
			Region: region, ClusterID: t.ID, Engine: t.Engine, Recommended: len(rec.Items), Present: rec.Present,
			ThresholdDiff: rec.Differs, Missing: rec.Missing, Items: rec.Items, CloudFormation: rec.CloudFormation,
			Hints: append(append([]string{}, t.Hints...), rec.Hints...),
		}, nil
	})
}
