package cluster

import (
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
)

// Posture returns the configuration findings for a topology, sorted by severity.
func Posture(t Topology) []tools.Finding {
	var fs []tools.Finding
	add := func(sev, code, resource, title, evidence, action, doc string) {
		fs = append(fs, tools.Finding{Severity: sev, Code: code, Resource: resource, Title: title, Evidence: evidence, Action: action, DocURL: doc})
	}
	if len(t.PubliclyAccessible) > 0 {
		add(tools.SeverityCritical, "publicly_accessible", t.ID, "Instances are publicly accessible",
			"publicly_accessible=true on "+strings.Join(t.PubliclyAccessible, ", "),
			"Set PubliclyAccessible=false and reach the database through private subnets, a bastion or RDS Proxy.",
			"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html")
	}
	if !t.StorageEncrypted {
		add(tools.SeverityWarning, "storage_unencrypted", t.ID, "Storage is not encrypted",
			"storage_encrypted=false", "Encryption cannot be turned on in place: restore an encrypted snapshot copy into a new cluster.",
			"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html")
	}
	if t.BackupRetentionDays < 7 {
		add(tools.SeverityWarning, "short_backup_retention", t.ID, "Backup retention shorter than 7 days",
			fmt.Sprintf("backup_retention_days=%d", t.BackupRetentionDays), "Raise BackupRetentionPeriod to at least 7 days.",
			"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html")
	}
	if !t.DeletionProtection {
		add(tools.SeverityWarning, "no_deletion_protection", t.ID, "Deletion protection is off",
			"deletion_protection=false", "Enable DeletionProtection on production clusters.",
			"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html")
	}
	if !t.TLS.Enforced && t.TLS.Parameter != "" {
		add(tools.SeverityWarning, "tls_not_enforced", t.ID, "TLS is not enforced",
			fmt.Sprintf("%s=%s", t.TLS.Parameter, orDefault(t.TLS.Value)), fmt.Sprintf("Set %s to 1/ON in the parameter group once clients use TLS.", t.TLS.Parameter), "")
	}
	if t.Kind != "instance" && len(t.Readers) == 0 {
		add(tools.SeverityWarning, "no_failover_target", t.ID, "No reader to fail over to",
			"the cluster has only a writer", "Add a reader in another AZ so a failover takes seconds instead of a rebuild.", "")
	}
	azs := map[string]bool{}
	for _, m := range t.Members {
		azs[m.AZ] = true
		if m.Status != "" && m.Status != "available" {
			add(tools.SeverityWarning, "member_not_available", m.ID, "Instance is not available",
				fmt.Sprintf("%s status=%s", m.ID, m.Status), "Check get_rds_events for what is happening to it.", "")
		}
	}
	if len(t.Members) > 1 && len(azs) == 1 {
		add(tools.SeverityWarning, "single_az", t.ID, "All members are in one Availability Zone",
			"every member in "+t.Members[0].AZ, "Place readers in other AZs.", "")
	}
	for _, s := range t.SlowLog {
		switch {
		case s.LogMinDurationMs != nil && *s.LogMinDurationMs < 0:
			add(tools.SeverityWarning, "slowlog_disabled", s.Instance, "Slow statement logging is off",
				"log_min_duration_statement=-1 ("+s.Source+")", "Set log_min_duration_statement (e.g. 1000 ms) so get_slow_queries has data.", "")
		case s.LogMinDurationMs == nil && !truthy(s.SlowQueryLog):
			add(tools.SeverityWarning, "slowlog_disabled", s.Instance, "Slow query log is off",
				"slow_query_log="+orDefault(s.SlowQueryLog)+" ("+s.Source+")", "Set slow_query_log=1 in the instance's effective parameter group.", "")
		case s.LogMinDurationMs == nil && !strings.Contains(s.LogOutput, "FILE"):
			add(tools.SeverityWarning, "slowlog_not_file", s.Instance, "Slow query log is not written to FILE",
				"log_output="+s.LogOutput, "Set log_output=FILE so the log can be exported to CloudWatch Logs.", "")
		case s.LogMinDurationMs == nil && s.LongQueryTimeS > 2:
			add(tools.SeverityInfo, "long_query_time_high", s.Instance, "long_query_time is high",
				fmt.Sprintf("long_query_time=%gs", s.LongQueryTimeS), "Lower long_query_time (0.5–1 s) to see the queries that add up.", "")
		}
	}
	slowType := "slowquery"
	if IsPostgres(t.Engine) {
		slowType = "postgresql"
	}
	for _, miss := range t.LogExportsMissing {
		if miss == slowType || miss == "error" {
			add(tools.SeverityWarning, "log_not_exported", t.ID, miss+" log is not exported to CloudWatch Logs",
				"log_exports="+strings.Join(t.LogExports, ","), "Enable the "+miss+" export (EnableCloudwatchLogsExports) so kida can read it.", "")
		}
	}
	if !t.PerformanceInsights.Enabled {
		add(tools.SeverityInfo, "pi_off", t.ID, "Performance Insights / Database Insights is off",
			"performance_insights=off", "Enable Database Insights (Standard is free with 7-day retention) so get_db_load can explain load.", "")
	}
	if !t.IAMAuth {
		add(tools.SeverityInfo, "iam_auth_off", t.ID, "IAM database authentication is off",
			"iam_auth=false", "Consider IAM authentication to avoid long-lived passwords.", "")
	}
	tools.SortFindings(fs)
	return fs
}

func orDefault(v string) string {
	if v == "" {
		return "(default)"
	}
	return v
}
