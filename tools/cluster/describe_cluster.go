package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// DescribeInput is the input of describe_cluster.
type DescribeInput struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
}

// DescribeOutput is the output of describe_cluster.
type DescribeOutput struct {
	Topology
	Findings []tools.Finding `json:"findings"`
}

// Text renders the compact mirror.
func (o DescribeOutput) Text() string {
	var b strings.Builder
	t := o.Topology
	fmt.Fprintf(&b, "## %s (%s, %s %s) — %s, status %s\n", t.ID, t.Kind, t.Engine, t.EngineVersion, t.Region, t.Status)
	rows := make([][]string, 0, len(t.Members))
	for _, m := range t.Members {
		rows = append(rows, []string{m.ID, m.Role, m.Class, m.AZ, m.Status, fmt.Sprint(m.PromotionTier), onOff(m.PIEnabled)})
	}
	b.WriteString(tools.Table([]string{"instance", "role", "class", "az", "status", "tier", "PI"}, rows))
	if t.Serverless != nil {
		fmt.Fprintf(&b, "- Serverless v2: %s–%s ACU\n", tools.Num(t.Serverless.MinACU, 1), tools.Num(t.Serverless.MaxACU, 1))
	}
	fmt.Fprintf(&b, "- Log exports: %s; missing: %s\n", list(t.LogExports), list(t.LogExportsMissing))
	for _, s := range t.SlowLog {
		if s.LogMinDurationMs != nil {
			fmt.Fprintf(&b, "- Slow log %s: log_min_duration_statement=%s ms (%s)\n", s.Instance, tools.Num(*s.LogMinDurationMs, 0), s.Source)
		} else {
			fmt.Fprintf(&b, "- Slow log %s: slow_query_log=%s long_query_time=%ss log_output=%s (%s)\n", s.Instance, s.SlowQueryLog, tools.Num(s.LongQueryTimeS, 3), s.LogOutput, s.Source)
		}
	}
	fmt.Fprintf(&b, "- Performance Insights: %s (mode %s); backups %d d; deletion protection %s; encrypted %s; IAM auth %s; TLS enforced %s (%s=%s); public: %s\n",
		onOff(t.PerformanceInsights.Enabled), t.PerformanceInsights.Mode, t.BackupRetentionDays, onOff(t.DeletionProtection),
		onOff(t.StorageEncrypted), onOff(t.IAMAuth), onOff(t.TLS.Enforced), t.TLS.Parameter, t.TLS.Value, list(t.PubliclyAccessible))
	for _, h := range t.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	writeFindings(&b, o.Findings)
	return b.String()
}

func writeFindings(b *strings.Builder, fs []tools.Finding) {
	if len(fs) == 0 {
		b.WriteString("Findings: none\n")
		return
	}
	b.WriteString("Findings:\n")
	for _, f := range fs {
		fmt.Fprintf(b, "- [%s] %s: %s — %s (%s)\n", f.Severity, f.Resource, f.Title, tools.Cell(f.Evidence), f.Action)
	}
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func describeTool(c awsclient.Clients) tools.Tool {
	return tools.New(tools.Spec{
		Name: "describe_cluster", Toolset: "cluster", Title: "Describe an Aurora/RDS cluster",
		Description: "Configuration of one cluster (or standalone instance): writer/readers with class, AZ and promotion tier, engine version, " +
			"Serverless v2 range, log exports (enabled and missing), effective slow-log parameters per instance, Performance Insights mode, " +
			"and posture findings (backups, deletion protection, encryption, public access, IAM auth, TLS). " +
			"NEXT: run_health_check for a full diagnosis, or get_instance_metrics.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in DescribeInput) (DescribeOutput, error) {
		region, err := awsclient.Region(c, in.Region)
		if err != nil {
			return DescribeOutput{}, err
		}
		t, err := Describe(ctx, c.RDS(region), region, in.ClusterID)
		if err != nil {
			return DescribeOutput{}, err
		}
		return DescribeOutput{Topology: t, Findings: nonNilFindings(Posture(t))}, nil
	})
}

func nonNilFindings(fs []tools.Finding) []tools.Finding {
	if fs == nil {
		return []tools.Finding{}
	}
	return fs
}
