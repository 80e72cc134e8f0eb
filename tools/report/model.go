package report

import "time"

// Check is everything a report shows: the result of one health check of one cluster. The check engine
// (tools/check) fills it from the families' engine functions; this package only renders it. All times are
// UTC; Window.Timezone says how to show them locally. Absent data is an empty slice plus a Gap, never a
// zero that could be mistaken for a measurement.
type Check struct {
	ID            string    `json:"id"`
	Cluster       string    `json:"cluster"`
	Region        string    `json:"region"`
	Engine        string    `json:"engine"`
	EngineVersion string    `json:"engine_version"`
	Kind          string    `json:"kind"` // aurora-cluster, multi-az-cluster, instance
	GeneratedAt   time.Time `json:"generated_at"`
	Window        Window    `json:"window"`
	// Verdict is healthy, warning or critical (the worst finding severity), or "incomplete" when the
	// topology itself could not be read.
	Verdict  string    `json:"verdict"`
	Headline string    `json:"headline"` // one sentence: the verdict and the most important finding
	Findings []Finding `json:"findings"` // prioritized, most severe first
	Gaps     []Gap     `json:"gaps"`
	Sections []Section `json:"sections"` // every section that ran, in display order

	Topology        Topology           `json:"topology"`
	Metrics         []MetricPanel      `json:"metrics"`         // instance metrics: one panel per metric, one series per member
	ClusterMetrics  []MetricPanel      `json:"cluster_metrics"` // cluster-level series (VolumeBytesUsed, …)
	Events          []Event            `json:"events"`          // newest first
	Maintenance     []Maintenance      `json:"maintenance"`     // most urgent first
	SlowQueries     SlowQueries        `json:"slow_queries"`
	ErrorLog        ErrorLog           `json:"error_log"`
	DBLoad          []InstanceLoad     `json:"db_load"`
	Alarms          []Alarm            `json:"alarms"`
	AlarmAdvice     []RecommendedAlarm `json:"recommended_alarms"`
	Recommendations []Recommendation   `json:"recommendations"`
	CloudTrail      []TrailEvent       `json:"cloudtrail"`
	Health          []HealthEvent      `json:"health"`
}

// Window is the resolved time window.
type Window struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Timezone string    `json:"timezone"` // IANA name, e.g. Asia/Seoul
}

// Finding is one prioritized observation.
type Finding struct {
	Severity string `json:"severity"` // critical, warning, info
	Code     string `json:"code"`
	Title    string `json:"title"`
	Evidence string `json:"evidence"`
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	DocURL   string `json:"doc_url,omitempty"`
	// Section is the tab the finding belongs to (a Section.ID), for links from the summary.
	Section string `json:"section,omitempty"`
	// Start/End bound the time the finding is about, when it has one.
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
	// LikelyCause names the correlated cause first (e.g. the slow-query class behind a CPU storm).
	LikelyCause string `json:"likely_cause,omitempty"`
	// Metric is the CloudWatch metric the finding is about (e.g. CPUUtilization), when it has one: the report
	// shades Start–End on that metric's chart (a prefix also matches: AuroraReplicaLag marks
	// AuroraReplicaLagMaximum too). Optional; without it the report guesses from the code and title.
	Metric string `json:"metric,omitempty"`
}

// Gap is data the check could not get, why, and how to fix it.
type Gap struct {
	Section string `json:"section"` // a Section.ID
	What    string `json:"what"`
	Why     string `json:"why"`
	Fix     string `json:"fix"`
	// Code names the fix, so the report can say it in other languages: the section's key ("metrics",
	// "slow-queries", …) for its standard fix, GapFixGrant, GapFixIAMAction or GapFixRetry. Optional: without
	// it the report recognizes the fix's known forms and otherwise shows Fix as it is.
	Code string `json:"code,omitempty"`
}

// Section IDs double as the report's tab anchors.
const (
	SecSummary         = "summary"
	SecTopology        = "topology"
	SecMetrics         = "metrics"
	SecEvents          = "events"
	SecMaintenance     = "maintenance"
	SecSlowQueries     = "slow-queries"
	SecLogs            = "logs"
	SecDBLoad          = "db-load"
	SecRecommendations = "recommendations"
)

// Section is the status of one section of the check.
type Section struct {
	ID         string `json:"id"`     // the tab it renders in (Sec* constants)
	Name       string `json:"name"`   // e.g. "metrics", "cloudtrail"
	Status     string `json:"status"` // ok, empty, gap
	Summary    string `json:"summary"`
	DurationMs int64  `json:"duration_ms"`
	// SummaryKey and SummaryArgs, when set, let renderers localize Summary (tools/i18n "sum.*" keys; the
	// arguments are preformatted strings).
	SummaryKey  string   `json:"summary_key,omitempty"`
	SummaryArgs []string `json:"summary_args,omitempty"`
}

// Topology is the Topology & configuration tab.
type Topology struct {
	Writer   string    `json:"writer"`
	Readers  []string  `json:"readers"`
	Members  []Member  `json:"members"`
	Settings []Setting `json:"settings"` // configuration facts: log exports, slow log, PI, backups, TLS, …
	Posture  []Finding `json:"posture"`
}

// Member is one instance.
type Member struct {
	ID          string `json:"id"`
	Role        string `json:"role"` // writer, reader, standalone
	Class       string `json:"class"`
	AZ          string `json:"az"`
	Status      string `json:"status"`
	VCPU        int    `json:"vcpu"`
	MemoryBytes int64  `json:"memory_bytes"`
	PIEnabled   bool   `json:"pi_enabled"`
}

// Setting is one configuration fact with an optional note (e.g. "overridden by instance parameter group").
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
	OK    bool   `json:"ok"` // false renders as a warning
}

// MetricPanel is one chart: one metric, one series per instance (or one for the cluster).
type MetricPanel struct {
	Metric string   `json:"metric"` // CloudWatch name, e.g. CPUUtilization
	Title  string   `json:"title"`  // e.g. "CPU utilization"
	Unit   string   `json:"unit"`   // display unit: %, ms, bytes, count, per_s, …
	Series []Series `json:"series"`
	Note   string   `json:"note,omitempty"` // e.g. "readers only"
}

// Series is one instance's series with its statistics. Points are downsampled preserving min and max;
// a missing point is absent, never zero.
type Series struct {
	Instance string    `json:"instance"`
	Role     string    `json:"role"`
	Points   []Point   `json:"points"`
	Min      float64   `json:"min"`
	Avg      float64   `json:"avg"`
	P95      float64   `json:"p95"`
	Max      float64   `json:"max"`
	MaxAt    time.Time `json:"max_at"`
	Last     float64   `json:"last"`
}

// Point is one datapoint.
type Point struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}

// Event is one RDS event.
type Event struct {
	Time       time.Time `json:"time"`
	Source     string    `json:"source"`      // cluster or instance id
	SourceType string    `json:"source_type"` // db-cluster, db-instance, …
	Category   string    `json:"category"`    // failover, reboot, backup, maintenance, …
	Message    string    `json:"message"`     // untrusted text
}

// Maintenance is one pending maintenance action.
type Maintenance struct {
	Resource         string     `json:"resource"`
	Action           string     `json:"action"`
	Description      string     `json:"description"`
	AutoAppliedAfter *time.Time `json:"auto_applied_after,omitempty"`
	ForcedApply      *time.Time `json:"forced_apply,omitempty"`
	CurrentApply     *time.Time `json:"current_apply,omitempty"`
	OptIn            string     `json:"opt_in"`
	Urgency          string     `json:"urgency"` // critical, warning, info
}

// SlowQueries is the slow-query tab.
type SlowQueries struct {
	Source   string       `json:"source"`   // e.g. "CloudWatch Logs /aws/rds/cluster/x/slowquery"
	Coverage string       `json:"coverage"` // e.g. "12,345 events read, all in window"
	Total    QueryTotals  `json:"total"`
	Classes  []QueryClass `json:"classes"` // top N by total time
	Hourly   []HourBucket `json:"hourly"`
	Hints    []string     `json:"hints"`
}

// QueryTotals sums every class.
type QueryTotals struct {
	Count  int64   `json:"count"`
	TotalS float64 `json:"total_s"`
}

// QueryClass is one fingerprint.
type QueryClass struct {
	ID           string    `json:"id"`          // short fingerprint hash
	Fingerprint  string    `json:"fingerprint"` // normalized text, untrusted
	Example      string    `json:"example"`     // literals masked, untrusted
	Count        int64     `json:"count"`
	TotalS       float64   `json:"total_s"`
	SharePct     float64   `json:"share_pct"`
	AvgS         float64   `json:"avg_s"`
	P95S         float64   `json:"p95_s"`
	MaxS         float64   `json:"max_s"`
	LockS        float64   `json:"lock_s"`
	RowsSent     int64     `json:"rows_sent"`
	RowsExamined int64     `json:"rows_examined"`
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	Instances    []string  `json:"instances"`
}

// HourBucket is one hour of the slow-query histogram.
type HourBucket struct {
	Hour   time.Time `json:"hour"`
	Count  int64     `json:"count"`
	TotalS float64   `json:"total_s"`
}

// ErrorLog is the Logs & errors tab.
type ErrorLog struct {
	Source   string         `json:"source"`
	Patterns []ErrorPattern `json:"patterns"`
	Hints    []string       `json:"hints"`
}

// ErrorPattern is one normalized error-log pattern.
type ErrorPattern struct {
	Pattern   string    `json:"pattern"` // untrusted
	Class     string    `json:"class"`   // deadlock, too_many_connections, out_of_memory, aborted_connection, restart, replication, other
	Count     int64     `json:"count"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Example   string    `json:"example"` // untrusted
	Instances []string  `json:"instances"`
}

// InstanceLoad is one instance's database load (Performance Insights).
type InstanceLoad struct {
	Instance string    `json:"instance"`
	Role     string    `json:"role"`
	VCPU     int       `json:"vcpu"`
	AvgLoad  float64   `json:"avg_load"`
	MaxLoad  float64   `json:"max_load"`
	MaxAt    time.Time `json:"max_at"`
	Series   []Point   `json:"series"`
	Waits    []Share   `json:"waits"`   // load by wait event
	TopSQL   []Share   `json:"top_sql"` // Name = tokenized SQL (untrusted)
	Enabled  bool      `json:"enabled"`
	Note     string    `json:"note,omitempty"`
}

// Share is one named contributor to load.
type Share struct {
	Name string  `json:"name"`
	Load float64 `json:"load"` // average active sessions
	Pct  float64 `json:"pct"`
}

// Alarm is one CloudWatch alarm with its state changes in the window.
type Alarm struct {
	Name    string        `json:"name"`
	State   string        `json:"state"` // ALARM, OK, INSUFFICIENT_DATA
	Metric  string        `json:"metric"`
	Reason  string        `json:"reason"`
	Updated time.Time     `json:"updated"`
	History []AlarmChange `json:"history"`
}

// AlarmChange is one state change.
type AlarmChange struct {
	Time    time.Time `json:"time"`
	Summary string    `json:"summary"`
}

// RecommendedAlarm is one alarm of the recommended set.
type RecommendedAlarm struct {
	Name      string `json:"name"`
	Metric    string `json:"metric"`
	Threshold string `json:"threshold"`
	Exists    bool   `json:"exists"`
	Command   string `json:"command,omitempty"` // aws cloudwatch put-metric-alarm … for missing ones
}

// Recommendation is one RDS recommendation (or kida's own advice).
type Recommendation struct {
	Resource string `json:"resource"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Action   string `json:"action"`
}

// TrailEvent is one CloudTrail management event on the cluster or a member.
type TrailEvent struct {
	Time     time.Time `json:"time"`
	Name     string    `json:"name"` // e.g. ModifyDBClusterParameterGroup
	User     string    `json:"user"`
	SourceIP string    `json:"source_ip"`
	Resource string    `json:"resource"`
}

// HealthEvent is one AWS Health event.
type HealthEvent struct {
	Start       time.Time `json:"start"`
	Type        string    `json:"type"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
}

// Counts returns the number of findings per severity.
func (c Check) Counts() (critical, warning, info int) {
	for _, f := range c.Findings {
		switch f.Severity {
		case "critical":
			critical++
		case "warning":
			warning++
		default:
			info++
		}
	}
	return
}
