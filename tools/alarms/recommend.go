package alarms

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// Sources of the recommended alarm set. Values were checked against the AWS page and copies of its RDS section
// quoted by console-exported and library alarm definitions (see the comments on each rule); where AWS gives no
// number ("depends on your workload") the rule says how the threshold was derived.
const (
	// SourceAWS is the CloudWatch user guide's "Recommended alarms", Amazon RDS section.
	SourceAWS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#RDS"
	// SourceAurora is the Aurora guide's advice to alarm on Role=WRITER/READER series, which survive failovers.
	SourceAurora = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/creating_alarms.html"
	// SourceKida marks rules that are kida-mcp's own addition, not in the AWS list.
	SourceKida = "kida-mcp (not in the AWS list)"
)

// Dim is one alarm dimension.
type Dim struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Rule is one recommended alarm for one series of the cluster.
type Rule struct {
	Key               string  `json:"key" jsonschema_description:"Stable id, e.g. cpu-writer."`
	AlarmName         string  `json:"alarm_name" jsonschema_description:"Suggested name."`
	Namespace         string  `json:"namespace"`
	Metric            string  `json:"metric"`
	Dimensions        []Dim   `json:"dimensions"`
	Series            string  `json:"series" jsonschema_description:"writer, reader, cluster or an instance id."`
	Statistic         string  `json:"statistic" jsonschema_description:"Average, Maximum, Minimum, or a percentile such as p90."`
	Comparison        string  `json:"comparison" jsonschema_description:"CloudWatch ComparisonOperator."`
	Threshold         float64 `json:"threshold"`
	Unit              string  `json:"threshold_unit" jsonschema_description:"Unit of the threshold: percent, bytes, count, seconds, milliseconds, sessions."`
	Period            int32   `json:"period_s"`
	EvaluationPeriods int32   `json:"evaluation_periods"`
	DatapointsToAlarm int32   `json:"datapoints_to_alarm"`
	TreatMissingData  string  `json:"treat_missing_data"`
	Tolerance         float64 `json:"tolerance" jsonschema_description:"Relative threshold tolerance for matching existing alarms; 0 means any threshold counts (workload-dependent)."`
	Why               string  `json:"why" jsonschema_description:"How the threshold was chosen."`
	Source            string  `json:"source"`
}

// auroraMaxTiB is the Aurora cluster volume size limit used for AuroraVolumeBytesLeftTotal (128 TiB for
// current Aurora MySQL versions).
const auroraMaxTiB = 128

// Recommended returns the recommended alarm set for t's engine and topology, and hints for alarms it could not
// size (unknown instance class, Serverless v2, Performance Insights off, …). Aurora clusters get role series
// (DBClusterIdentifier + Role=WRITER|READER) because instance roles change on failover [SourceAurora];
// standalone instances and Multi-AZ DB clusters get per-instance series.
func Recommended(t cluster.Topology) ([]Rule, []string) {
	var rules []Rule
	var hints []string
	aurora := t.Kind == "aurora-cluster"
	pg := cluster.IsPostgres(t.Engine)
	mysql := cluster.IsMySQL(t.Engine)
	type series struct {
		name, key string
		dims      []Dim
		members   []cluster.Member
	}
	var all []series
	if aurora {
		byRole := map[string][]cluster.Member{}
		for _, m := range t.Members {
			byRole[m.Role] = append(byRole[m.Role], m)
		}
		all = append(all, series{"writer", "writer", []Dim{{"DBClusterIdentifier", t.ID}, {"Role", "WRITER"}}, byRole[cluster.RoleWriter]})
		if len(byRole[cluster.RoleReader]) > 0 {
			all = append(all, series{"reader", "reader", []Dim{{"DBClusterIdentifier", t.ID}, {"Role", "READER"}}, byRole[cluster.RoleReader]})
		}
	} else {
		for _, m := range t.Members {
			all = append(all, series{m.ID, m.ID, []Dim{{"DBInstanceIdentifier", m.ID}}, []cluster.Member{m}})
		}
	}
	for _, s := range all {
		mem, vcpu, class := smallest(s.members)
		add := func(r Rule) {
			r.Key = r.Key + "-" + s.key
			r.Series = s.name
			r.Dimensions = s.dims
			rules = append(rules, r)
		}
		// CPUUtilization: Average > 90 %, 60 s, 5 of 5 [SourceAWS; console-exported copies, e.g. find_string
		// ids 53253965647 and 36982111625 in the public index].
		add(Rule{Key: "cpu", Metric: "CPUUtilization", Statistic: "Average", Comparison: gt, Threshold: 90, Unit: "percent",
			Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5, Tolerance: 0.1, Source: SourceAWS,
			Why: "sustained high CPU slows every request; AWS recommends 90%"})
		// FreeableMemory: Average < ~25 % of memory (Aurora: close to 5 %), 60 s, 15 of 15 [SourceAWS threshold
		// justification, quoted by the CDK recommended-alarms library and console exports].
		if mem > 0 {
			pct := 25.0
			if aurora {
				pct = 5
			}
			add(Rule{Key: "freeable-memory", Metric: "FreeableMemory", Statistic: "Average", Comparison: lt,
				Threshold: math.Round(float64(mem) * pct / 100), Unit: "bytes", Period: 60, EvaluationPeriods: 15, DatapointsToAlarm: 15,
				Tolerance: 0.5, Source: SourceAWS,
				Why: fmt.Sprintf("%s%% of the %s memory of %s (AWS: 25%% of memory; for Aurora close to 5%%)", num(pct), gib(mem), class)})
		} else {
			hints = append(hints, fmt.Sprintf("FreeableMemory (%s): instance class %q has no fixed memory; size the threshold yourself", s.name, class))
		}
		// DatabaseConnections: Average > 90–95 % of max_connections, 60 s, 5 of 5 [SourceAWS].
		if maxc, how := estimateMaxConnections(t.Engine, aurora, class, mem); maxc > 0 {
			add(Rule{Key: "connections", Metric: "DatabaseConnections", Statistic: "Average", Comparison: gt,
				Threshold: math.Floor(0.9 * float64(maxc)), Unit: "count", Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5,
				Tolerance: 0, Source: SourceAWS,
				Why: fmt.Sprintf("90%% of max_connections ≈ %d (%s; check SHOW max_connections and use 90–95%% of it)", maxc, how)})
		} else {
			hints = append(hints, fmt.Sprintf("DatabaseConnections (%s): cannot estimate max_connections for %q; alarm at 90–95%% of it", s.name, class))
		}
		// DBLoad: Average > vCPU count, 60 s, 15 of 15; needs Performance Insights; not for serverless [SourceAWS].
		switch {
		case !t.PerformanceInsights.Enabled:
			hints = append(hints, fmt.Sprintf("DBLoad (%s) is published only with Performance Insights on; enable it to alarm on load vs vCPUs", s.name))
		case vcpu == 0:
			hints = append(hints, fmt.Sprintf("DBLoad (%s): no fixed vCPU count for %q (AWS does not recommend this alarm for serverless)", s.name, class))
		default:
			add(Rule{Key: "dbload", Metric: "DBLoad", Statistic: "Average", Comparison: gt, Threshold: float64(vcpu), Unit: "sessions",
				Period: 60, EvaluationPeriods: 15, DatapointsToAlarm: 15, Tolerance: 0.5, Source: SourceAWS,
				Why: fmt.Sprintf("more active sessions than the %d vCPUs of %s means queuing", vcpu, class)})
		}
		// ReadLatency / WriteLatency: p90 > 20 ms (metric unit seconds → 0.02), 60 s, 5 of 5 [SourceAWS].
		add(Rule{Key: "read-latency", Metric: "ReadLatency", Statistic: "p90", Comparison: gt, Threshold: 0.02, Unit: "seconds",
			Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5, Tolerance: 0.5, Source: SourceAWS,
			Why: "read latency above 20 ms is worth investigating (AWS; workload-dependent)"})
		if s.key != "reader" {
			add(Rule{Key: "write-latency", Metric: "WriteLatency", Statistic: "p90", Comparison: gt, Threshold: 0.02, Unit: "seconds",
				Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5, Tolerance: 0.5, Source: SourceAWS,
				Why: "write latency above 20 ms is worth investigating (AWS; workload-dependent)"})
		}
		if aurora {
			// BufferCacheHitRatio: Average < 80 %, 60 s, 10 of 10 [SourceAWS as exported by the console,
			// find_string id 36982111625].
			add(Rule{Key: "buffer-cache", Metric: "BufferCacheHitRatio", Statistic: "Average", Comparison: lt, Threshold: 80, Unit: "percent",
				Period: 60, EvaluationPeriods: 10, DatapointsToAlarm: 10, Tolerance: 0.1, Source: SourceAWS,
				Why: "a hit ratio below 80% means reads go to storage (AWS)"})
		} else {
			// EBSByteBalance% / EBSIOBalance%: Average < 10 %, 60 s, 3 of 3; not for Aurora [SourceAWS].
			for _, m := range []string{"EBSByteBalance%", "EBSIOBalance%"} {
				add(Rule{Key: strings.ToLower(strings.TrimSuffix(m, "%")), Metric: m, Statistic: "Average", Comparison: lt, Threshold: 10, Unit: "percent",
					Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, Tolerance: 0.1, Source: SourceAWS,
					Why: "burst credits below 10% throttle throughput/IOPS (AWS)"})
			}
			if pg {
				rules = append(rules, txidRule(s.dims, s.name, s.key))
			}
		}
	}
	if aurora {
		cl := []Dim{{"DBClusterIdentifier", t.ID}}
		w := []Dim{{"DBClusterIdentifier", t.ID}, {"Role", "WRITER"}}
		// EngineUptime (Role=WRITER): Average <= 0, 60 s, 2 of 2, missing data breaching: the writer is down
		// [SourceAWS as exported by the console, find_string id 36982111625].
		rules = append(rules, Rule{Key: "engine-uptime-writer", Metric: "EngineUptime", Dimensions: w, Series: "writer",
			Statistic: "Average", Comparison: lte, Threshold: 0, Unit: "seconds", Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2,
			TreatMissingData: "breaching", Tolerance: 0.1, Source: SourceAWS,
			Why: "detects a writer that is down (crash or failover); service normally returns within 60 s (AWS)"})
		if mysql {
			// AuroraVolumeBytesLeftTotal: Average < 10–20 % of the volume size limit, 60 s, 5 of 5, Aurora MySQL
			// only [SourceAWS as quoted by the CDK recommended-alarms library].
			limit := float64(auroraMaxTiB) * (1 << 40)
			rules = append(rules, Rule{Key: "volume-left", Metric: "AuroraVolumeBytesLeftTotal", Dimensions: cl, Series: "cluster",
				Statistic: "Average", Comparison: lt, Threshold: math.Round(limit * 0.1), Unit: "bytes", Period: 60, EvaluationPeriods: 5,
				DatapointsToAlarm: 5, Tolerance: 0.5, Source: SourceAWS,
				Why: fmt.Sprintf("10%% of the %d TiB volume limit left (AWS: 10–20%%, by growth rate)", auroraMaxTiB)})
		}
		if pg {
			rules = append(rules, txidRule(w, "writer", "writer"))
		}
		if len(t.Readers) > 0 {
			// AuroraReplicaLag (Role=READER): Maximum > 1000 ms, 60 s, 5 of 5. Not in the AWS list; readers serving
			// data a second stale is kida's line [SourceKida].
			rules = append(rules, Rule{Key: "replica-lag-reader", Metric: "AuroraReplicaLag", Dimensions: []Dim{{"DBClusterIdentifier", t.ID}, {"Role", "READER"}},
				Series: "reader", Statistic: "Maximum", Comparison: gt, Threshold: 1000, Unit: "milliseconds", Period: 60,
				EvaluationPeriods: 5, DatapointsToAlarm: 5, Tolerance: 0.5, Source: SourceKida,
				Why: "readers more than 1 s behind the writer serve stale data (Aurora lag is normally under 100 ms)"})
		}
	} else {
		hints = append(hints, "FreeStorageSpace (Minimum < 10% of allocated storage, 5 of 5 x 60s; AWS) is not sized here: allocated storage is not known to kida — skip it with storage autoscaling")
	}
	for i := range rules {
		r := &rules[i]
		r.Namespace = "AWS/RDS"
		if r.TreatMissingData == "" {
			r.TreatMissingData = "missing"
		}
		r.AlarmName = alarmName(t.ID, r)
	}
	return rules, hints
}

// txidRule is MaximumUsedTransactionIDs: Average > 1,000,000,000, 60 s, 1 of 1, PostgreSQL only [SourceAWS
// threshold justification, console export find_string id 36982111625].
func txidRule(dims []Dim, series, key string) Rule {
	return Rule{Key: "txid-" + key, Metric: "MaximumUsedTransactionIDs", Dimensions: dims, Series: series,
		Statistic: "Average", Comparison: gt, Threshold: 1e9, Unit: "count", Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1,
		Tolerance: 0.2, Source: SourceAWS,
		Why: "1 billion used transaction ids leaves time before wraparound (autovacuum_freeze_max_age is 200 million) (AWS)"}
}

const (
	gt  = string(cwtypes.ComparisonOperatorGreaterThanThreshold)
	lt  = string(cwtypes.ComparisonOperatorLessThanThreshold)
	lte = string(cwtypes.ComparisonOperatorLessThanOrEqualToThreshold)
)

// smallest returns the smallest memory and vCPU count among members (0 when a class is unknown) and the
// class they belong to.
func smallest(ms []cluster.Member) (mem int64, vcpu int, class string) {
	for i, m := range ms {
		if m.MemoryBytes == 0 || m.VCPU == 0 {
			return 0, 0, m.Class
		}
		if i == 0 || m.MemoryBytes < mem {
			mem, vcpu, class = m.MemoryBytes, m.VCPU, m.Class
		}
	}
	return mem, vcpu, class
}

// auroraMySQLMaxConn is the default max_connections of Aurora MySQL by instance size (AuroraMySQL.Managing.
// Performance, "Maximum connections to an Aurora MySQL DB instance").
var auroraMySQLMaxConn = map[string]int{
	"small": 45, "medium": 90, "large": 1000, "xlarge": 2000, "2xlarge": 3000, "4xlarge": 4000, "8xlarge": 5000,
	"12xlarge": 6000, "16xlarge": 6000, "24xlarge": 7000,
}

// estimateMaxConnections estimates the engine's default max_connections for a class.
func estimateMaxConnections(engine string, aurora bool, class string, mem int64) (int, string) {
	switch {
	case aurora && cluster.IsMySQL(engine):
		parts := strings.Split(strings.TrimPrefix(class, "db."), ".")
		if len(parts) != 2 {
			return 0, ""
		}
		if strings.HasPrefix(parts[0], "t") && parts[1] == "large" {
			return 135, "Aurora MySQL default for " + class
		}
		if n, ok := auroraMySQLMaxConn[parts[1]]; ok {
			return n, "Aurora MySQL default for " + class
		}
	case cluster.IsPostgres(engine) && mem > 0:
		// LEAST({DBInstanceClassMemory/9531392}, 5000), with total memory for DBInstanceClassMemory.
		return min(int(mem/9531392), 5000), "PostgreSQL default LEAST(memory/9531392, 5000)"
	case cluster.IsMySQL(engine) && mem > 0:
		// RDS for MySQL/MariaDB: {DBInstanceClassMemory/12582880}.
		return int(mem / 12582880), "MySQL default memory/12582880"
	}
	return 0, ""
}

func gib(b int64) string { return strconv.FormatInt(b>>30, 10) + " GiB" }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// alarmName is "<cluster>-<series>-<metric>", or "<instance>-<metric>" for a standalone instance.
func alarmName(id string, r *Rule) string {
	if r.Series == id {
		return id + "-" + nameUnsafe.ReplaceAllString(r.Metric, "")
	}
	return id + "-" + nameUnsafe.ReplaceAllString(r.Series+"-"+r.Metric, "")
}

// Status of a recommended alarm.
const (
	StatusPresent          = "present"
	StatusThresholdDiffers = "threshold_differs"
	StatusMissing          = "missing"
)

// Item is one recommended alarm with what exists.
type Item struct {
	Rule
	Status   string   `json:"status" jsonschema:"enum=present,enum=threshold_differs,enum=missing"`
	Existing []string `json:"existing" jsonschema_description:"Alarms that match (present) or match all but the threshold (threshold_differs)."`
	Note     string   `json:"note,omitempty"`
	Command  string   `json:"cli,omitempty" jsonschema_description:"aws cloudwatch put-metric-alarm command, for missing alarms."`
}

// Match compares rules with the region's metric alarms: present when an alarm watches the same metric and
// dimension set with the same comparison direction and a threshold within the rule's tolerance;
// threshold_differs when only the threshold is off; missing otherwise (a per-instance alarm on a member of a
// role series is noted but does not count: it stops watching the right instance after a failover).
func Match(t cluster.Topology, rules []Rule, inv Inventory) []Item {
	items := make([]Item, 0, len(rules))
	for _, r := range rules {
		it := Item{Rule: r, Status: StatusMissing, Existing: []string{}}
		var differs []string
		var perInstance []string
		for _, m := range inv.Metric {
			s, ok := specOf(m)
			if !ok || s.namespace != r.Namespace || s.metric != r.Metric || !sameDirection(string(m.ComparisonOperator), r.Comparison) {
				continue
			}
			switch {
			case sameDims(s.dims, r.Dimensions):
				if m.Threshold != nil && within(*m.Threshold, r.Threshold, r.Tolerance) {
					it.Existing = append(it.Existing, aws.ToString(m.AlarmName))
				} else {
					differs = append(differs, fmt.Sprintf("%s (threshold %s)", aws.ToString(m.AlarmName), num(aws.ToFloat64(m.Threshold))))
				}
			case len(r.Dimensions) == 2 && onMember(t, s.dims):
				perInstance = append(perInstance, aws.ToString(m.AlarmName))
			}
		}
		switch {
		case len(it.Existing) > 0:
			it.Status = StatusPresent
		case len(differs) > 0:
			it.Status = StatusThresholdDiffers
			it.Existing = differs
			it.Note = fmt.Sprintf("recommended threshold %s %s", num(r.Threshold), r.Unit)
		default:
			it.Command = Command(r, t.Region)
			if len(perInstance) > 0 {
				it.Note = "per-instance alarm(s) " + strings.Join(perInstance, ", ") + " exist but do not follow failovers; the role series does"
			}
		}
		items = append(items, it)
	}
	return items
}

// onMember reports whether dims name exactly one member of t; roles change on failover, so an instance alarm
// on any member is reported against the role series.
func onMember(t cluster.Topology, dims []cwtypes.Dimension) bool {
	if len(dims) != 1 || aws.ToString(dims[0].Name) != "DBInstanceIdentifier" {
		return false
	}
	_, ok := t.Member(aws.ToString(dims[0].Value))
	return ok
}

func sameDirection(a, b string) bool {
	up := func(s string) int {
		switch s {
		case gt, string(cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold):
			return 1
		case lt, lte:
			return -1
		}
		return 0
	}
	return up(a) != 0 && up(a) == up(b)
}

func sameDims(have []cwtypes.Dimension, want []Dim) bool {
	if len(have) != len(want) {
		return false
	}
	m := map[string]string{}
	for _, d := range have {
		m[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	for _, d := range want {
		if v, ok := m[d.Name]; !ok || v != d.Value {
			return false
		}
	}
	return true
}

// within reports whether have is within tol (relative; absolute when want is 0) of want; tol 0 accepts any.
func within(have, want, tol float64) bool {
	if tol == 0 {
		return true
	}
	return math.Abs(have-want) <= tol*math.Max(math.Abs(want), 1)
}

// Recommendation is what Recommend returns.
type Recommendation struct {
	Items          []Item
	Present        int
	Differs        int
	Missing        int
	CloudFormation string // YAML for the missing alarms ("" when none)
	Hints          []string
	Calls          int
}

// Recommend fetches the region's alarms and compares them with Recommended(t).
func Recommend(ctx context.Context, api API, t cluster.Topology) (Recommendation, error) {
	inv, err := Fetch(ctx, api, t.Region)
	if err != nil {
		return Recommendation{}, err
	}
	return RecommendFrom(t, inv), nil
}

// RecommendFrom is Recommend over an inventory already fetched.
func RecommendFrom(t cluster.Topology, inv Inventory) Recommendation {
	rules, hints := Recommended(t)
	rec := Recommendation{Items: Match(t, rules, inv), Hints: hints, Calls: inv.Calls}
	sortItems(rec.Items)
	if inv.Truncated {
		rec.Hints = append(rec.Hints, "the region has more alarms than were read; an alarm reported missing may exist")
	}
	var missing []Rule
	for _, it := range rec.Items {
		switch it.Status {
		case StatusPresent:
			rec.Present++
		case StatusThresholdDiffers:
			rec.Differs++
		default:
			rec.Missing++
			missing = append(missing, it.Rule)
		}
	}
	rec.CloudFormation = CloudFormation(missing)
	return rec
}

// Command renders the ready-to-run AWS CLI command creating r in region. Every value is shell-quoted where
// needed; alarm actions are left out (add --alarm-actions <sns-topic-arn>).
func Command(r Rule, region string) string {
	args := []string{"aws", "cloudwatch", "put-metric-alarm", "--region", region, "--alarm-name", r.AlarmName,
		"--namespace", r.Namespace, "--metric-name", r.Metric, "--dimensions"}
	for _, d := range r.Dimensions {
		args = append(args, "Name="+d.Name+",Value="+d.Value)
	}
	if isPercentile(r.Statistic) {
		args = append(args, "--extended-statistic", r.Statistic)
	} else {
		args = append(args, "--statistic", r.Statistic)
	}
	args = append(args,
		"--period", strconv.Itoa(int(r.Period)),
		"--evaluation-periods", strconv.Itoa(int(r.EvaluationPeriods)),
		"--datapoints-to-alarm", strconv.Itoa(int(r.DatapointsToAlarm)),
		"--threshold", num(r.Threshold),
		"--comparison-operator", r.Comparison,
		"--treat-missing-data", r.TreatMissingData)
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

func isPercentile(stat string) bool {
	return len(stat) > 1 && (stat[0] == 'p' || stat[0] == 'P') && strings.Trim(stat[1:], "0123456789.") == ""
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,%@+-]+$`)

// shellQuote quotes s for a POSIX shell (single quotes, ' as '\”).
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CloudFormation renders one YAML template with an AWS::CloudWatch::Alarm per rule ("" when rules is empty).
// Properties are written as one flow mapping per alarm to keep the snippet short.
func CloudFormation(rules []Rule) string {
	if len(rules) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nDescription: 'Recommended RDS alarms (kida-mcp)'\nResources:\n")
	used := map[string]bool{}
	for _, r := range rules {
		id := logicalID(r.AlarmName)
		for n := 2; used[id]; n++ {
			id = logicalID(r.AlarmName) + strconv.Itoa(n)
		}
		used[id] = true
		dims := make([]string, len(r.Dimensions))
		for i, d := range r.Dimensions {
			dims[i] = fmt.Sprintf("{Name: %s, Value: %s}", yq(d.Name), yq(d.Value))
		}
		stat := "Statistic: " + r.Statistic
		if isPercentile(r.Statistic) {
			stat = "ExtendedStatistic: " + yq(r.Statistic)
		}
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {AlarmName: %s, Namespace: %s, MetricName: %s, Dimensions: [%s], %s, Period: %d, EvaluationPeriods: %d, DatapointsToAlarm: %d, Threshold: %s, ComparisonOperator: %s, TreatMissingData: %s}\n",
			id, yq(r.AlarmName), yq(r.Namespace), yq(r.Metric), strings.Join(dims, ", "), stat,
			r.Period, r.EvaluationPeriods, r.DatapointsToAlarm, num(r.Threshold), r.Comparison, r.TreatMissingData)
	}
	return b.String()
}

var yamlPlain = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./%-]*$`)

// yq writes a YAML string scalar: plain when it is unambiguous, single-quoted otherwise.
func yq(s string) string {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
	default:
		if yamlPlain.MatchString(s) {
			return s
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// logicalID turns an alarm name into a CloudFormation logical id (alphanumeric, starting with a letter).
func logicalID(name string) string {
	var b strings.Builder
	for _, p := range idUnsafe.Split(name, -1) {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	id := b.String()
	if id == "" || !(id[0] >= 'A' && id[0] <= 'Z') {
		id = "Alarm" + id
	}
	return id
}

// sortItems orders items missing first, then threshold_differs, then present, keeping rule order within.
func sortItems(items []Item) {
	rank := map[string]int{StatusMissing: 0, StatusThresholdDiffers: 1, StatusPresent: 2}
	sort.SliceStable(items, func(i, j int) bool { return rank[items[i].Status] < rank[items[j].Status] })
}

func cwComparison(s string) cwtypes.ComparisonOperator { return cwtypes.ComparisonOperator(s) }

// Condition is the rule's alarm condition in words, as get_alarms shows existing ones: e.g.
// "Average > 90 for 5 of 5 x 60s" (byte thresholds as GiB/TiB).
func (r Rule) Condition() string {
	return condition(r.Statistic, cwtypes.ComparisonOperator(r.Comparison), r.Threshold, true, r.DatapointsToAlarm, r.EvaluationPeriods, r.Period, byteMetrics[r.Metric])
}
