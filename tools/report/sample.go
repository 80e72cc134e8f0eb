package report

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Injections are the hostile strings SampleCheck plants in untrusted text (SQL, log lines, event messages,
// alarm reasons, recommendations). Renderers must show them as text and execute none of them.
var Injections = []string{
	`</script><script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`<!-- <script>`,
	"\u2028",
	"${x}",
	"javascript:alert(1)",
	"</style>",
}

// SampleCheck builds a realistic, deterministic check of an Aurora MySQL cluster with the given number of
// instances (1 writer + readers), instance metrics and points per series over a 24-hour window. It carries an
// incident (a slow-query storm driving writer CPU to ~100% for 40 minutes, replica lag on a reader, a
// failover), a 7-minute reboot gap, isolated spikes, Performance Insights off on one reader, data gaps, and
// the Injections in every kind of untrusted text. Benchmarks and other packages' tests use it; the same
// arguments always give the same Check.
func SampleCheck(instances, metrics, points int) Check {
	instances = max(1, instances)
	metrics = max(0, metrics)
	points = max(2, points)
	r := &rng{s: 0x6b696461}
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	end := start.Add(24 * time.Hour)
	step := 24 * time.Hour / time.Duration(points)
	at := func(h, m int) time.Time { return start.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	tp := func(t time.Time) *time.Time { return &t }
	stormA, stormB := at(14, 10), at(14, 50)
	failover := at(14, 38)

	c := Check{
		ID:            "prod-orders-aurora-20261122t0007z-7c1e",
		Cluster:       "prod-orders-aurora",
		Region:        "ap-northeast-2",
		Engine:        "aurora-mysql",
		EngineVersion: "8.0.mysql_aurora.3.08.0",
		Kind:          "aurora-cluster",
		GeneratedAt:   time.Date(2026, 11, 22, 0, 7, 0, 0, time.UTC),
		Window:        Window{Start: start, End: end, Timezone: "Asia/Seoul"},
	}

	// topology
	names := make([]string, instances)
	classes := []string{"db.r7g.2xlarge", "db.r7g.2xlarge", "db.r7g.xlarge", "db.r7g.xlarge", "db.r6g.large"}
	azs := []string{"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"}
	piOff := ""
	if instances >= 3 {
		piOff = fmt.Sprintf("prod-orders-r%d", instances-1)
	}
	for i := range names {
		role := "reader"
		names[i] = fmt.Sprintf("prod-orders-r%d", i)
		if i == 0 {
			role, names[i] = "writer", "prod-orders-w1"
			c.Topology.Writer = names[i]
		} else {
			c.Topology.Readers = append(c.Topology.Readers, names[i])
		}
		cl := classes[min(i, len(classes)-1)]
		vcpu := map[string]int{"db.r7g.2xlarge": 8, "db.r7g.xlarge": 4, "db.r6g.large": 2}[cl]
		c.Topology.Members = append(c.Topology.Members, Member{ID: names[i], Role: role, Class: cl, AZ: azs[i%3],
			Status: "available", VCPU: vcpu, MemoryBytes: int64(vcpu) * 8 << 30, PIEnabled: names[i] != piOff})
	}
	c.Topology.Settings = []Setting{
		{Name: "Log exports", Value: "audit, error, slowquery", OK: true},
		{Name: "slow_query_log", Value: "1", Note: "cluster parameter group prod-orders-cpg", OK: true},
		{Name: "long_query_time", Value: "2 s", Note: "overridden by instance parameter group prod-orders-ipg (cluster group says 0.5 s)", OK: false},
		{Name: "Performance Insights", Value: fmt.Sprintf("on for %d of %d instances", instances-boolInt(piOff != ""), instances), OK: piOff == ""},
		{Name: "Backup retention", Value: "7 days", OK: true},
		{Name: "Deletion protection", Value: "on", OK: true},
		{Name: "Storage encryption", Value: "on (aws/rds)", OK: true},
		{Name: "TLS", Value: "require_secure_transport = OFF", Note: "clients may connect without TLS", OK: false},
		{Name: "IAM authentication", Value: "off", OK: false},
	}
	c.Topology.Posture = []Finding{
		{Severity: "warning", Code: "posture-tls", Title: "TLS is not enforced", Evidence: "require_secure_transport is OFF in prod-orders-cpg.",
			Action: "Set require_secure_transport = ON in the cluster parameter group.", Section: SecTopology,
			DocURL: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html"},
		{Severity: "info", Code: "posture-iam-auth", Title: "IAM database authentication is off", Evidence: "IAMDatabaseAuthenticationEnabled = false.",
			Action: "Consider IAM authentication for human access.", Section: SecTopology, DocURL: "javascript:alert(1)"},
	}

	// instance metrics
	defs := sampleMetrics()
	var ts []time.Time
	for t := start; t.Before(end); t = t.Add(step) {
		ts = append(ts, t)
	}
	rebootA, rebootB := at(16, 2), at(16, 2).Add(max(7*time.Minute, 3*step))
	for m := 0; m < metrics; m++ {
		def := defs[m%len(defs)]
		p := MetricPanel{Metric: def.metric, Title: def.title, Unit: def.unit, Note: def.note}
		if m >= len(defs) {
			p.Metric = fmt.Sprintf("%s%d", def.metric, m/len(defs)+1)
			p.Title = fmt.Sprintf("%s (%d)", def.title, m/len(defs)+1)
		}
		for i, name := range names {
			role := c.Topology.Members[i].Role
			if def.readersOnly && role == "writer" {
				continue
			}
			s := Series{Instance: name, Role: role}
			for _, t := range ts {
				if i == 1 && !t.Before(rebootA) && t.Before(rebootB) {
					continue // the reader's reboot: absent, never zero
				}
				hour := t.Sub(start).Hours()
				diurnal := math.Sin((hour - 6) / 24 * 2 * math.Pi)
				v := def.gen(r, i, role, diurnal, t, stormA, stormB)
				if r.f() < 0.002 { // isolated one-minute spikes
					v *= 2.2 + r.f()
				}
				s.Points = append(s.Points, Point{T: t, V: def.clamp(v)})
			}
			fillStats(&s)
			p.Series = append(p.Series, s)
		}
		c.Metrics = append(c.Metrics, p)
	}
	vol := Series{Instance: c.Cluster, Role: "cluster"}
	for i := 0; i < len(ts); i += 5 {
		vol.Points = append(vol.Points, Point{T: ts[i], V: 412e9 + float64(i)*2.1e6 + r.f()*1e6})
	}
	fillStats(&vol)
	c.ClusterMetrics = []MetricPanel{{Metric: "VolumeBytesUsed", Title: "Volume bytes used", Unit: "bytes", Series: []Series{vol}}}

	// events, newest first
	nEvents := min(40, 8*instances)
	cats := []struct{ cat, msg string }{
		{"backup", "Automated backup of the DB cluster is complete"},
		{"notification", "The parameter max_connections was set by the customer " + Injections[0]},
		{"configuration change", `Updated parameter group prod-orders-ipg: long_query_time "><img src=x onerror=alert(1)>`},
		{"maintenance", "Applying off-line patches to DB instance <!-- <script> done"},
		{"notification", "DB instance shutdown\u2028and restart requested by ${x}"},
		{"backup", "Backing up DB cluster"},
		{"notification", "Storage volume grew </style> javascript:alert(1)"},
	}
	for i := 0; i < nEvents; i++ {
		e := cats[i%len(cats)]
		t := end.Add(-time.Duration(i+1) * 24 * time.Hour / time.Duration(nEvents+1))
		src := names[i%len(names)]
		typ := "db-instance"
		if i%3 == 0 {
			src, typ = c.Cluster, "db-cluster"
		}
		c.Events = append(c.Events, Event{Time: t, Source: src, SourceType: typ, Category: e.cat, Message: e.msg})
	}
	c.Events = append(c.Events, Event{Time: failover, Source: c.Cluster, SourceType: "db-cluster", Category: "failover",
		Message: "Completed failover to DB instance: prod-orders-w1"})
	if instances > 1 {
		c.Events = append(c.Events, Event{Time: rebootA, Source: names[1], SourceType: "db-instance", Category: "reboot",
			Message: "DB instance restarted"})
	}
	slices.SortStableFunc(c.Events, func(a, b Event) int { return b.Time.Compare(a.Time) })

	// maintenance, most urgent first
	c.Maintenance = []Maintenance{
		{Resource: names[0], Action: "system-update", Description: "New Operating System update is available " + Injections[1],
			ForcedApply: tp(c.GeneratedAt.Add(5 * 24 * time.Hour)), AutoAppliedAfter: tp(c.GeneratedAt.Add(3 * 24 * time.Hour)),
			OptIn: "none", Urgency: "critical"},
		{Resource: c.Cluster, Action: "db-upgrade", Description: "Upgrade to Aurora MySQL 3.08.2",
			AutoAppliedAfter: tp(c.GeneratedAt.Add(21 * 24 * time.Hour)), OptIn: "next-maintenance", Urgency: "info"},
	}

	// slow queries
	nClasses := min(25, 5*instances)
	fps := []struct{ fp, ex string }{
		{"SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = ? AND o.created_at > ? ORDER BY o.created_at DESC",
			"SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'S' AND o.created_at > 'S' ORDER BY o.created_at DESC"},
		{"UPDATE inventory SET qty = qty - ? WHERE sku = ?", "UPDATE inventory SET qty = qty - N WHERE sku = '</script><script>alert(1)</script>'"},
		{"SELECT * FROM audit_log WHERE msg LIKE ?", `SELECT * FROM audit_log WHERE msg LIKE '%"><img src=x onerror=alert(1)>%'`},
		{"DELETE FROM sessions WHERE expires_at < ?", "DELETE FROM sessions WHERE expires_at < 'S' /* <!-- <script> </style> */"},
		{"SELECT sku, SUM(qty) FROM order_items WHERE order_id IN (?+) GROUP BY sku", "SELECT sku, SUM(qty) FROM order_items WHERE order_id IN (N, N, N) GROUP BY sku"},
		{"INSERT INTO events (kind, payload) VALUES (?, ?)", "INSERT INTO events (kind, payload) VALUES ('S', '${x}\u2028javascript:alert(1)')"},
		{"SELECT COUNT(*) FROM orders WHERE customer_id = ?", "SELECT COUNT(*) FROM orders WHERE customer_id = N"},
	}
	var total float64
	var count int64
	for i := 0; i < nClasses; i++ {
		f := fps[i%len(fps)]
		n := int64(4000/(i+1)) + int64(r.f()*50)
		avg := 2.0 + 9/float64(i+1) + r.f()
		q := QueryClass{ID: fmt.Sprintf("%016x", r.u64())[:12], Fingerprint: f.fp, Example: f.ex, Count: n, TotalS: float64(n) * avg,
			AvgS: avg, P95S: avg * 2.1, MaxS: avg * 4.3, LockS: avg * 0.02 * float64(n), RowsSent: n * 12, RowsExamined: n * 48000 / int64(i+1),
			FirstSeen: at(0, 3+i), LastSeen: at(23, 50-i), Instances: []string{names[i%len(names)]}}
		if i > nClasses-3 && i > 0 {
			q.Fingerprint += " /* variant " + fmt.Sprint(i) + " */"
		}
		total += q.TotalS
		count += n
		c.SlowQueries.Classes = append(c.SlowQueries.Classes, q)
	}
	for i := range c.SlowQueries.Classes {
		c.SlowQueries.Classes[i].SharePct = c.SlowQueries.Classes[i].TotalS / total * 100
	}
	c.SlowQueries.Total = QueryTotals{Count: count, TotalS: total}
	c.SlowQueries.Source = "CloudWatch Logs /aws/rds/cluster/prod-orders-aurora/slowquery"
	c.SlowQueries.Coverage = fmt.Sprintf("%s events read, all in window", group(count))
	for h := 0; h < 24; h++ {
		w := 0.4 + 0.6*math.Max(0, math.Sin(float64(h-6)/24*2*math.Pi))
		if h == 14 {
			w = 6
		}
		n := int64(float64(count) / 40 * w)
		c.SlowQueries.Hourly = append(c.SlowQueries.Hourly, HourBucket{Hour: at(h, 0), Count: n, TotalS: float64(n) * 3.1})
	}
	c.SlowQueries.Hints = []string{"long_query_time is 2 s on the instances (instance parameter group overrides the cluster's 0.5 s): faster queries are not logged."}

	// error log
	nPatterns := min(20, 4*instances)
	pats := []struct{ class, pat, ex string }{
		{"deadlock", "InnoDB: Transactions deadlock detected, dumping detailed information.", "2026-11-21T14:22:31.123456Z 1234 [Note] InnoDB: Transactions deadlock detected </script><script>alert(1)</script>"},
		{"aborted_connection", "Aborted connection ? to db: ? user: ? host: ? (Got an error reading communication packets)", `Aborted connection 88 to db: 'orders' user: 'app' host: '"><img src=x onerror=alert(1)>'`},
		{"too_many_connections", "Too many connections", "[ERROR] [MY-010000] Too many connections <!-- <script>"},
		{"restart", "mysqld: ready for connections. Version: ?", "mysqld: ready for connections.\u2028Version: '8.0.39' ${x}"},
		{"other", "Access denied for user ?@? (using password: YES)", "Access denied for user 'javascript:alert(1)'@'10.0.3.7' </style>"},
	}
	for i := 0; i < nPatterns; i++ {
		p := pats[i%len(pats)]
		c.ErrorLog.Patterns = append(c.ErrorLog.Patterns, ErrorPattern{Pattern: p.pat, Class: p.class, Count: int64(300 / (i + 1)),
			FirstSeen: at(1+i%20, 5), LastSeen: at(22, 40+i%15), Example: p.ex, Instances: []string{names[i%len(names)]}})
	}
	c.ErrorLog.Source = "CloudWatch Logs /aws/rds/cluster/prod-orders-aurora/error"
	c.ErrorLog.Hints = []string{}

	// database load
	waits := []Share{{"CPU", 2.8, 41}, {"io/table/sql/handler", 1.3, 19}, {"synch/mutex/innodb/trx_sys_mutex", 0.7, 10}, {"io/aurora_redo_log_flush", 0.5, 7}}
	top := []Share{{fps[0].fp, 2.31, 41}, {fps[1].ex, 1.12, 20}, {fps[2].ex, 0.61, 11}, {fps[3].ex, 0.33, 6}}
	for i, name := range names {
		m := c.Topology.Members[i]
		l := InstanceLoad{Instance: name, Role: m.Role, VCPU: m.VCPU, Enabled: m.PIEnabled}
		if !l.Enabled {
			l.Note = "Turn on Performance Insights (or Database Insights) to see load by wait event and SQL."
			l.Waits, l.TopSQL, l.Series = []Share{}, []Share{}, []Point{}
			c.DBLoad = append(c.DBLoad, l)
			continue
		}
		var sum float64
		for _, t := range ts {
			hour := t.Sub(start).Hours()
			v := 1.2 + 0.8*math.Sin((hour-6)/24*2*math.Pi) + r.f()*0.6
			if i == 0 && !t.Before(stormA) && t.Before(stormB) {
				v = 9 + r.f()*3
			}
			v = math.Max(0, v) / float64(i+1)
			l.Series = append(l.Series, Point{T: t, V: math.Round(v*100) / 100})
			sum += v
			if v > l.MaxLoad {
				l.MaxLoad, l.MaxAt = math.Round(v*100)/100, t
			}
		}
		l.AvgLoad = math.Round(sum/float64(len(ts))*100) / 100
		l.Waits, l.TopSQL = waits, top
		c.DBLoad = append(c.DBLoad, l)
	}

	// alarms and advice
	c.Alarms = []Alarm{
		{Name: "prod-orders-cpu-high", State: "ALARM", Metric: "CPUUtilization", Updated: at(14, 12),
			Reason:  "Threshold Crossed: 3 datapoints [99.1, 98.7, 97.9] were greater than the threshold (90.0) " + Injections[1],
			History: []AlarmChange{{Time: at(14, 12), Summary: "Alarm updated from OK to ALARM"}, {Time: at(9, 3), Summary: "Alarm updated from ALARM to OK"}}},
		{Name: "prod-orders-replica-lag", State: "OK", Metric: "AuroraReplicaLag", Updated: at(15, 5), Reason: "Threshold Crossed: 1 datapoint [12.0] was not greater than the threshold (1000.0)",
			History: []AlarmChange{}},
		{Name: "prod-orders-free-storage", State: "INSUFFICIENT_DATA", Metric: "FreeLocalStorage", Updated: at(3, 0), Reason: "Insufficient Data: 1 datapoint was unknown.", History: []AlarmChange{}},
	}
	c.AlarmAdvice = []RecommendedAlarm{
		{Name: "CPU utilization high", Metric: "CPUUtilization", Threshold: "> 90% for 15 min", Exists: true},
		{Name: "Replica lag high", Metric: "AuroraReplicaLag", Threshold: "> 1 s for 10 min", Exists: true},
		{Name: "Freeable memory low", Metric: "FreeableMemory", Threshold: "< 5% of instance memory for 15 min",
			Command: "aws cloudwatch put-metric-alarm --alarm-name prod-orders-freeable-memory --namespace AWS/RDS --metric-name FreeableMemory --dimensions Name=DBInstanceIdentifier,Value=prod-orders-w1 --statistic Minimum --period 300 --evaluation-periods 3 --threshold 3435973836 --comparison-operator LessThanThreshold"},
		{Name: "Database connections near limit", Metric: "DatabaseConnections", Threshold: "> 80% of max_connections",
			Command: "aws cloudwatch put-metric-alarm --alarm-name prod-orders-connections --namespace AWS/RDS --metric-name DatabaseConnections --dimensions Name=DBClusterIdentifier,Value=prod-orders-aurora --statistic Maximum --period 300 --evaluation-periods 3 --threshold 2400 --comparison-operator GreaterThanThreshold"},
		{Name: "Deadlocks", Metric: "Deadlocks", Threshold: "> 0 for 5 min",
			Command: "aws cloudwatch put-metric-alarm --alarm-name prod-orders-deadlocks --namespace AWS/RDS --metric-name Deadlocks --statistic Sum --period 300 --evaluation-periods 1 --threshold 0 --comparison-operator GreaterThanThreshold"},
	}
	c.Recommendations = []Recommendation{
		{Resource: names[len(names)-1], Severity: "warning", Title: "Mixed instance classes", Detail: fmt.Sprintf("%s is %s; a failover to it would reduce capacity.", names[len(names)-1], c.Topology.Members[len(names)-1].Class), Action: "Use the writer's class on promotion-tier-0 readers."},
		{Resource: c.Cluster, Severity: "info", Title: "Enable Enhanced Monitoring", Detail: "OS metrics at 1 s granularity help tell CPU steal from query load. " + Injections[2] + Injections[6], Action: "Set MonitoringInterval to 1–60 s."},
		{Resource: c.Cluster, Severity: "info", Title: "Untrusted text " + Injections[0], Detail: Injections[1] + " " + Injections[4] + Injections[3] + Injections[5], Action: "none"},
	}
	c.CloudTrail = []TrailEvent{
		{Time: at(13, 55), Name: "ModifyDBParameterGroup", User: "arn:aws:iam::123456789012:user/deploy-bot", SourceIP: "10.0.7.21", Resource: "prod-orders-ipg"},
		{Time: at(14, 37), Name: "FailoverDBCluster", User: "arn:aws:sts::123456789012:assumed-role/oncall/" + Injections[1], SourceIP: "203.0.113.9", Resource: c.Cluster},
	}
	c.Health = []HealthEvent{}

	// gaps, findings, sections
	// What, Fix and Code as tools/check writes them
	c.Gaps = []Gap{{Section: SecEvents, What: "health", Why: "SubscriptionRequiredException: the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan.",
		Fix: "AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan and health:DescribeEvents", Code: GapFixHealth}}
	if piOff != "" {
		c.Gaps = append(c.Gaps, Gap{Section: SecDBLoad, What: "database load", Why: "Performance Insights is off on " + piOff + ".",
			Fix: "aws rds modify-db-instance --db-instance-identifier " + piOff + " --enable-performance-insights --apply-immediately"})
	}
	lag := "prod-orders-r2"
	if instances < 3 {
		lag = names[len(names)-1]
	}
	c.Findings = []Finding{
		{Severity: "critical", Code: "cpu-high-writer", Title: "Writer CPU saturated for 40 minutes", Section: SecMetrics, Resource: names[0],
			Evidence:    "CPUUtilization on prod-orders-w1 above 90% from 14:10 to 14:50 UTC, peak 100%; DBLoad 12 AAS on 8 vCPU.",
			LikelyCause: "slow-query class " + c.SlowQueries.Classes[0].ID + " (SELECT o.*, c.name FROM orders o JOIN customers c …) took 61% of slow-query time in the same window",
			Action:      "Add an index on orders(status, created_at) or rewrite the query; see the Slow queries tab.", Start: tp(stormA), End: tp(stormB),
			DocURL: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.BestPractices.html"},
		{Severity: "critical", Code: "alarm-in-alarm", Title: "Alarm prod-orders-cpu-high is in ALARM", Section: SecRecommendations, Resource: "prod-orders-cpu-high",
			Evidence: "In ALARM since 14:12 UTC.", Action: "Resolve the CPU storm; the alarm clears by itself.", Start: tp(at(14, 12))},
		{Severity: "warning", Code: "replica-lag", Title: "Replica lag on " + lag, Section: SecMetrics, Resource: lag,
			Evidence: "AuroraReplicaLag peaked at 812 ms at 14:33 UTC (threshold 500 ms).", Action: "Check the reader's load during the storm.",
			Start: tp(at(14, 20)), End: tp(at(15, 0))},
		{Severity: "warning", Code: "failover", Title: "Failover at 14:38 UTC", Section: SecEvents, Resource: c.Cluster,
			Evidence: "Completed failover to DB instance: prod-orders-w1", Action: "Confirm the application reconnected.", Start: tp(failover)},
		{Severity: "warning", Code: "maintenance-forced", Title: "Forced OS upgrade in 5 days", Section: SecMaintenance, Resource: names[0],
			Evidence: "system-update is forced on 2026-11-27.", Action: "Apply it in your next maintenance window."},
		{Severity: "warning", Code: "alarms-missing", Title: "3 recommended alarms are missing", Section: SecRecommendations,
			Evidence: "FreeableMemory, DatabaseConnections, Deadlocks have no alarm.", Action: "Create them with the commands in the Recommendations & alarms tab."},
		{Severity: "info", Code: "slow-log-threshold", Title: "Slow log misses queries under 2 s", Section: SecSlowQueries,
			Evidence: "Example class: UPDATE inventory SET qty = qty - N WHERE sku = '" + Injections[0] + "'", Action: "Set long_query_time to 0.5 s in prod-orders-ipg."},
		{Severity: "info", Code: "deadlocks", Title: "Deadlocks on the writer", Section: SecLogs, Resource: names[0],
			Evidence: "12 deadlocks between 14:15 and 14:45 UTC " + Injections[1], Action: "Order row locks consistently."},
	}
	if piOff != "" {
		c.Findings = append(c.Findings, Finding{Severity: "info", Code: "pi-off", Title: "Performance Insights off on " + piOff, Section: SecDBLoad, Resource: piOff,
			Evidence: "Database load cannot be broken down for this reader.", Action: "Enable Performance Insights."})
	}
	c.Verdict = "critical"
	c.Headline = "Critical: the writer's CPU was saturated 14:10–14:50 UTC; likely cause: slow-query class " + c.SlowQueries.Classes[0].ID + "."
	c.Sections = []Section{
		{ID: SecTopology, Name: "topology", Status: "ok", Summary: fmt.Sprintf("%d instances, 1 writer", instances), DurationMs: 212},
		{ID: SecMetrics, Name: "metrics", Status: "ok", Summary: fmt.Sprintf("%d metrics × %d instances", metrics, instances), DurationMs: 1840},
		{ID: SecEvents, Name: "events", Status: "ok", Summary: fmt.Sprintf("%d events", len(c.Events)), DurationMs: 301},
		{ID: SecEvents, Name: "cloudtrail", Status: "ok", Summary: "2 management events", DurationMs: 903},
		{ID: SecEvents, Name: "health", Status: "gap", Summary: "AWS Health needs a support plan", DurationMs: 120},
		{ID: SecMaintenance, Name: "maintenance", Status: "ok", Summary: "2 pending actions", DurationMs: 150},
		{ID: SecSlowQueries, Name: "slow queries", Status: "ok", Summary: fmt.Sprintf("%d classes", nClasses), DurationMs: 2650},
		{ID: SecLogs, Name: "error log", Status: "ok", Summary: fmt.Sprintf("%d patterns", nPatterns), DurationMs: 1210},
		{ID: SecDBLoad, Name: "database load", Status: "ok", Summary: "Performance Insights", DurationMs: 760},
		{ID: SecRecommendations, Name: "alarms", Status: "ok", Summary: "3 alarms, 1 in ALARM", DurationMs: 180},
		{ID: SecRecommendations, Name: "recommendations", Status: "ok", Summary: "3 recommendations", DurationMs: 240},
	}
	return c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fillStats computes a series' statistics from its points, as the check engine does.
func fillStats(s *Series) {
	if len(s.Points) == 0 {
		return
	}
	vs := make([]float64, len(s.Points))
	sum := 0.0
	s.Max = math.Inf(-1)
	for i, p := range s.Points {
		vs[i] = p.V
		sum += p.V
		if p.V > s.Max {
			s.Max, s.MaxAt = p.V, p.T
		}
	}
	slices.Sort(vs)
	s.Min = vs[0]
	s.Avg = sum / float64(len(vs))
	s.P95 = vs[int(math.Ceil(0.95*float64(len(vs))))-1]
	s.Last = s.Points[len(s.Points)-1].V
}

type sampleMetric struct {
	metric, title, unit, note string
	readersOnly               bool
	lo, hi                    float64
	gen                       func(r *rng, i int, role string, diurnal float64, t, a, b time.Time) float64
}

func (m sampleMetric) clamp(v float64) float64 {
	v = math.Max(m.lo, v)
	if m.hi > m.lo {
		v = math.Min(m.hi, v)
	}
	return math.Round(v*1000) / 1000
}

func inStorm(t, a, b time.Time) bool { return !t.Before(a) && t.Before(b) }

func sampleMetrics() []sampleMetric {
	w := func(role string) float64 {
		if role == "writer" {
			return 1.25
		}
		return 1
	}
	return []sampleMetric{
		{metric: "CPUUtilization", title: "CPU utilization", unit: "%", hi: 100, gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) {
				return 94 + r.f()*7
			}
			return (28+18*d)*w(role) - float64(i)*2 + r.f()*10 - 5
		}},
		{metric: "FreeableMemory", title: "Freeable memory", unit: "bytes", lo: 1 << 30, gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			return (9.5-float64(i)*0.7)*(1<<30) - d*1.2*(1<<30) + r.f()*0.2*(1<<30)
		}},
		{metric: "DatabaseConnections", title: "Database connections", unit: "count", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) {
				return 640 + r.f()*60
			}
			return math.Round((180 + 120*d) * w(role) * (1 + r.f()*0.15))
		}},
		{metric: "ReadIOPS", title: "Read IOPS", unit: "per_s", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) {
				return 5800 + r.f()*500
			}
			return (1400 + 1100*d) * w(role) * (1 + r.f()*0.3)
		}},
		{metric: "WriteIOPS", title: "Write IOPS", unit: "per_s", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role != "writer" {
				return 8 + r.f()*4
			}
			return (900 + 600*d) * (1 + r.f()*0.2)
		}},
		{metric: "ReadLatency", title: "Read latency", unit: "ms", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) {
				return 6 + r.f()*4
			}
			return 0.8 + 0.3*d + r.f()*0.4
		}},
		{metric: "WriteLatency", title: "Write latency", unit: "ms", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			return 1.4 + 0.4*d + r.f()*0.5
		}},
		{metric: "AuroraReplicaLag", title: "Replica lag", unit: "ms", note: "readers only: the writer has no replica lag", readersOnly: true,
			gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
				if i == 2 && inStorm(t, a.Add(10*time.Minute), b.Add(10*time.Minute)) {
					return 500 + r.f()*312
				}
				return 14 + 6*d + r.f()*8
			}},
		{metric: "BufferCacheHitRatio", title: "Buffer cache hit ratio", unit: "%", hi: 100, gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) {
				return 97.5 + r.f()
			}
			return 99.4 + r.f()*0.5
		}},
		{metric: "Deadlocks", title: "Deadlocks", unit: "per_s", gen: func(r *rng, i int, role string, d float64, t, a, b time.Time) float64 {
			if role == "writer" && inStorm(t, a, b) && r.f() < 0.4 {
				return 0.02 + r.f()*0.05
			}
			return 0
		}},
	}
}

// rng is splitmix64: tiny, and its sequence never changes between Go releases (golden files depend on it).
type rng struct{ s uint64 }

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// f is uniform in [0, 1).
func (r *rng) f() float64 { return float64(r.u64()>>11) / (1 << 53) }
