package metrics

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// Engine families of the catalogue.
type Engine uint8

// Engine families, as bits so a catalogue row can name several.
const (
	AuroraMySQL Engine = 1 << iota
	AuroraPostgres
	MySQL
	Postgres
	MariaDB
	OtherRDS // Oracle, SQL Server, Db2: the metrics every RDS instance publishes

	Aurora    = AuroraMySQL | AuroraPostgres
	NonAurora = MySQL | Postgres | MariaDB | OtherRDS
	AllEngine = Aurora | NonAurora
)

// EngineOf maps an RDS engine name to its catalogue family.
func EngineOf(engine string) Engine {
	switch {
	case engine == "aurora" || strings.HasPrefix(engine, "aurora-mysql"):
		return AuroraMySQL
	case strings.HasPrefix(engine, "aurora-postgresql"):
		return AuroraPostgres
	case engine == "mysql":
		return MySQL
	case engine == "postgres":
		return Postgres
	case engine == "mariadb":
		return MariaDB
	}
	return OtherRDS
}

func (e Engine) String() string {
	names := []struct {
		e Engine
		n string
	}{{AuroraMySQL, "aurora-mysql"}, {AuroraPostgres, "aurora-postgresql"}, {MySQL, "mysql"}, {Postgres, "postgres"}, {MariaDB, "mariadb"}, {OtherRDS, "other RDS engines"}}
	var out []string
	for _, x := range names {
		if e&x.e != 0 {
			out = append(out, x.n)
		}
	}
	return strings.Join(out, ", ")
}

// Role restricts a metric to members with that role.
type Role uint8

// Roles, as bits.
const (
	Writer Role = 1 << iota
	Reader
	Standalone
	AnyRole = Writer | Reader | Standalone
)

// RoleOf maps a cluster.Member role to its bit.
func RoleOf(role string) Role {
	switch role {
	case cluster.RoleWriter:
		return Writer
	case cluster.RoleReader:
		return Reader
	}
	return Standalone
}

// Levels of a metric: per DB instance (dimension DBInstanceIdentifier) or per cluster (DBClusterIdentifier).
const (
	LevelInstance = "instance"
	LevelCluster  = "cluster"
)

// Metric is one row of the catalogue: a CloudWatch metric in AWS/RDS, where it applies, and how kida
// normalizes it. Some metrics have one row per engine family when the rules differ (SwapUsage, ReplicaLag).
type Metric struct {
	Name    string  // CloudWatch metric name
	Out     string  // normalized output name; the unit is in the name
	Unit    string  // CloudWatch unit of the raw values
	OutUnit string  // unit of the normalized values: pct, bytes, ms, count, per_s, acu, sessions
	Scale   float64 // raw × Scale = normalized (Seconds → ms: 1000; per 5 minutes → per second: 1/300)
	Level   string  // LevelInstance or LevelCluster
	Engines Engine
	Roles   Role // instance-level only
	// Serverless: published only by Serverless v2 (db.serverless) instances.
	Serverless bool
	// PI: published only with Performance Insights on, and only when there is load (a gap is not zero).
	PI bool
	// ClassPrefix: published only for instance classes with this prefix (e.g. "db.t").
	ClassPrefix string
	// Default: part of get_instance_metrics' default set.
	Default bool
	Stat    string // CloudWatch statistic requested
	// Worse is +1 when higher values are worse, -1 when lower ones are (drives "stands out" and anomaly wording).
	Worse int
	// MinDelta is the smallest deviation, in normalized units, worth calling an anomaly or a level shift.
	MinDelta float64
	// Note explains the applicability rule (shown in hints when the metric is absent).
	Note string
	// Verified is false for rows whose applicability the AWS docs leave unclear; kida queries them anyway
	// and explains an empty result.
	Verified bool
	Doc      string // source key in reference/aws.md §12
}

// Catalogue is the metric catalogue, in display order. Sources: reference/aws.md §1 (AUR-MET-2023 archived
// Aurora user guide tables, RDS-MET-2023, PI-CW, AUR-SV2).
var Catalogue = []Metric{
	{Name: "CPUUtilization", Out: "cpu_pct", Unit: "Percent", OutUnit: "pct", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 5, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "FreeableMemory", Out: "freeable_memory_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: -1, MinDelta: 256 << 20, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "DatabaseConnections", Out: "connections", Unit: "Count", OutUnit: "count", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 10, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "ReadIOPS", Out: "read_iops_per_s", Unit: "Count/Second", OutUnit: "per_s", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 50, Verified: false, Doc: "AUR-MET-2023",
		Note: "documented for Aurora PostgreSQL and RDS; Aurora MySQL may not publish it"},
	{Name: "WriteIOPS", Out: "write_iops_per_s", Unit: "Count/Second", OutUnit: "per_s", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 50, Verified: false, Doc: "AUR-MET-2023",
		Note: "documented for Aurora PostgreSQL and RDS; Aurora MySQL may not publish it"},
	{Name: "ReadLatency", Out: "read_latency_ms", Unit: "Seconds", OutUnit: "ms", Scale: 1000, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 1, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "WriteLatency", Out: "write_latency_ms", Unit: "Seconds", OutUnit: "ms", Scale: 1000, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 1, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "SwapUsage", Out: "swap_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelInstance, Engines: AuroraMySQL, Roles: AnyRole, ClassPrefix: "db.t",
		Default: true, Stat: "Average", Worse: 1, MinDelta: 64 << 20, Verified: true, Doc: "AUR-MET-2023",
		Note: "Aurora MySQL publishes it for db.t* classes only"},
	{Name: "SwapUsage", Out: "swap_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelInstance, Engines: AuroraPostgres | MySQL | Postgres | MariaDB, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 64 << 20, Verified: false, Doc: "AUR-MET-2023",
		Note: "Aurora PostgreSQL publishes it for some instance classes only"},
	{Name: "BufferCacheHitRatio", Out: "buffer_cache_hit_pct", Unit: "Percent", OutUnit: "pct", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: -1, MinDelta: 1, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "Deadlocks", Out: "deadlocks_per_s", Unit: "Count/Second", OutUnit: "per_s", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 0.05, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "AuroraReplicaLag", Out: "replica_lag_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: Reader,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 100, Verified: true, Doc: "AUR-MET-2023",
		Note: "published by Aurora readers (replicas) only"},
	{Name: "AuroraReplicaLagMaximum", Out: "replica_lag_max_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: Writer,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 100, Verified: true, Doc: "AUR-MET-2023",
		Note: "published by the Aurora writer only, and only when the cluster has readers"},
	{Name: "ServerlessDatabaseCapacity", Out: "capacity_acu", Unit: "Count", OutUnit: "acu", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole, Serverless: true,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 1, Verified: true, Doc: "AUR-SV2",
		Note: "published by Aurora Serverless v2 (db.serverless) instances only"},
	{Name: "ACUUtilization", Out: "acu_utilization_pct", Unit: "Percent", OutUnit: "pct", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole, Serverless: true,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 5, Verified: true, Doc: "AUR-SV2",
		Note: "published by Aurora Serverless v2 (db.serverless) instances only"},
	{Name: "DBLoad", Out: "db_load_sessions", Unit: "None", OutUnit: "sessions", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole, PI: true,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 0.5, Verified: true, Doc: "PI-CW",
		Note: "published only with Performance Insights on, and only while there is load"},
	{Name: "DBLoadCPU", Out: "db_load_cpu_sessions", Unit: "None", OutUnit: "sessions", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole, PI: true,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 0.5, Verified: true, Doc: "PI-CW",
		Note: "published only with Performance Insights on, and only while there is load"},
	{Name: "DBLoadNonCPU", Out: "db_load_non_cpu_sessions", Unit: "None", OutUnit: "sessions", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole, PI: true,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 0.5, Verified: true, Doc: "PI-CW",
		Note: "published only with Performance Insights on, and only while there is load"},
	{Name: "CommitLatency", Out: "commit_latency_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 2, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "DMLLatency", Out: "dml_latency_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: AuroraMySQL, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 2, Verified: true, Doc: "AUR-MET-2023", Note: "Aurora MySQL only"},
	{Name: "SelectLatency", Out: "select_latency_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: AuroraMySQL, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 2, Verified: true, Doc: "AUR-MET-2023", Note: "Aurora MySQL only"},
	// Non-Aurora instances (EBS storage, RDS replication).
	{Name: "FreeStorageSpace", Out: "free_storage_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelInstance, Engines: NonAurora, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: -1, MinDelta: 1 << 30, Verified: true, Doc: "RDS-MET-2023",
		Note: "EBS-backed RDS only; Aurora uses the cluster volume (VolumeBytesUsed)"},
	{Name: "ReplicaLag", Out: "replica_lag_ms", Unit: "Seconds", OutUnit: "ms", Scale: 1000, Level: LevelInstance, Engines: NonAurora, Roles: Reader | Standalone,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 1000, Verified: true, Doc: "RDS-MET-2023",
		Note: "published by RDS read replicas only (seconds, reported here in ms)"},
	{Name: "DiskQueueDepth", Out: "disk_queue_depth", Unit: "Count", OutUnit: "count", Scale: 1, Level: LevelInstance, Engines: NonAurora, Roles: AnyRole,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 2, Verified: true, Doc: "RDS-MET-2023"},
	// Cluster volume (Aurora).
	{Name: "VolumeBytesUsed", Out: "volume_used_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelCluster, Engines: Aurora,
		Default: true, Stat: "Average", Worse: 1, MinDelta: 1 << 30, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "AuroraVolumeBytesLeftTotal", Out: "volume_left_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelCluster, Engines: AuroraMySQL,
		Default: true, Stat: "Average", Worse: -1, MinDelta: 1 << 30, Verified: true, Doc: "AUR-MET-2023", Note: "Aurora MySQL only"},
	// Available on request (metrics argument), not in the default set.
	{Name: "AuroraReplicaLagMinimum", Out: "replica_lag_min_ms", Unit: "Milliseconds", OutUnit: "ms", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: Writer,
		Stat: "Average", Worse: 1, MinDelta: 100, Verified: true, Doc: "AUR-MET-2023", Note: "published by the Aurora writer only"},
	{Name: "DBLoadRelativeToNumVCPUs", Out: "db_load_per_vcpu", Unit: "None", OutUnit: "ratio", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole, PI: true,
		Stat: "Average", Worse: 1, MinDelta: 0.25, Verified: true, Doc: "PI-CW",
		Note: "published only with Performance Insights on, and only while there is load"},
	{Name: "DiskQueueDepth", Out: "disk_queue_depth", Unit: "Count", OutUnit: "count", Scale: 1, Level: LevelInstance, Engines: AuroraPostgres, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 2, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "FreeLocalStorage", Out: "free_local_storage_bytes", Unit: "Bytes", OutUnit: "bytes", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole,
		Stat: "Average", Worse: -1, MinDelta: 1 << 30, Verified: true, Doc: "AUR-MET-2023", Note: "not published by Serverless v2 instances"},
	{Name: "NetworkReceiveThroughput", Out: "network_receive_bytes_per_s", Unit: "Bytes/Second", OutUnit: "bytes_per_s", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 1 << 20, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "NetworkTransmitThroughput", Out: "network_transmit_bytes_per_s", Unit: "Bytes/Second", OutUnit: "bytes_per_s", Scale: 1, Level: LevelInstance, Engines: AllEngine, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 1 << 20, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "CommitThroughput", Out: "commits_per_s", Unit: "Count/Second", OutUnit: "per_s", Scale: 1, Level: LevelInstance, Engines: Aurora, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 10, Verified: true, Doc: "AUR-MET-2023"},
	{Name: "Queries", Out: "queries_per_s", Unit: "Count/Second", OutUnit: "per_s", Scale: 1, Level: LevelInstance, Engines: AuroraMySQL, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 10, Verified: true, Doc: "AUR-MET-2023", Note: "Aurora MySQL only"},
	{Name: "MaximumUsedTransactionIDs", Out: "max_used_xids", Unit: "Count", OutUnit: "count", Scale: 1, Level: LevelInstance, Engines: AuroraPostgres | Postgres, Roles: AnyRole,
		Stat: "Average", Worse: 1, MinDelta: 1e7, Verified: true, Doc: "AUR-MET-2023", Note: "PostgreSQL only"},
	{Name: "VolumeReadIOPs", Out: "volume_read_iops_per_s", Unit: "Count", OutUnit: "per_s", Scale: 1.0 / 300, Level: LevelCluster, Engines: Aurora,
		Stat: "Average", Worse: 1, MinDelta: 50, Verified: true, Doc: "AUR-MET-2023", Note: "billed I/O, reported per 5 minutes (shown per second)"},
	{Name: "VolumeWriteIOPs", Out: "volume_write_iops_per_s", Unit: "Count", OutUnit: "per_s", Scale: 1.0 / 300, Level: LevelCluster, Engines: Aurora,
		Stat: "Average", Worse: 1, MinDelta: 50, Verified: true, Doc: "AUR-MET-2023", Note: "billed I/O, reported per 5 minutes (shown per second)"},
}

// ServerlessClass is the instance class of Aurora Serverless v2 instances.
const ServerlessClass = "db.serverless"

// Target is one member (or the cluster itself, for cluster-level metrics) a metric may be queried on.
type Target struct {
	ID        string
	Role      Role
	Class     string // db.serverless means an Aurora Serverless v2 instance
	PIEnabled bool
}

// Applies reports whether m is published for a target of engine e, with the reason when it is not.
func (m Metric) Applies(e Engine, t Target) (bool, string) {
	switch {
	case m.Engines&e == 0:
		return false, fmt.Sprintf("not published for %s (%s)", e, m.engineNote())
	case m.Level == LevelCluster:
		return true, ""
	case m.Roles&t.Role == 0:
		return false, m.noteOr(fmt.Sprintf("not published for a %s", roleName(t.Role)))
	case m.Serverless && t.Class != ServerlessClass:
		return false, m.noteOr("Serverless v2 only")
	case m.PI && !t.PIEnabled:
		return false, "Performance Insights is off on this instance"
	case m.ClassPrefix != "" && !strings.HasPrefix(t.Class, m.ClassPrefix):
		return false, m.noteOr("not published for class " + t.Class)
	case m.Name == "FreeLocalStorage" && t.Class == ServerlessClass:
		return false, m.Note
	}
	return true, ""
}

func (m Metric) noteOr(s string) string {
	if m.Note != "" {
		return m.Note
	}
	return s
}

func (m Metric) engineNote() string {
	return "published for " + m.allEngines().String()
}

// allEngines is the union of the engines of every row with m's name.
func (m Metric) allEngines() Engine {
	var e Engine
	for _, r := range Catalogue {
		if r.Name == m.Name {
			e |= r.Engines
		}
	}
	return e
}

func roleName(r Role) string {
	switch r {
	case Writer:
		return "writer"
	case Reader:
		return "reader"
	}
	return "standalone instance"
}

// Lookup finds the catalogue row for a metric name (CloudWatch name or normalized output name,
// case-insensitive) and engine family. ok is false when no row matches the name at all; when rows match the
// name but none covers the engine, it returns the first of them with ok true (Applies then explains why it
// does not apply).
func Lookup(name string, e Engine) (Metric, bool) {
	name = strings.TrimSpace(name)
	var first *Metric
	for i := range Catalogue {
		r := &Catalogue[i]
		if !strings.EqualFold(r.Name, name) && !strings.EqualFold(r.Out, name) {
			continue
		}
		if r.Engines&e != 0 {
			return *r, true
		}
		if first == nil {
			first = r
		}
	}
	if first == nil {
		return Metric{}, false
	}
	return *first, true
}

// Names lists the distinct CloudWatch metric names of the catalogue, sorted, for error messages.
func Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range Catalogue {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	}
	sort.Strings(out)
	return out
}

// DefaultSet returns the default metrics for engine e, one row per name, in catalogue order.
func DefaultSet(e Engine) []Metric {
	var out []Metric
	for _, r := range Catalogue {
		if r.Default && r.Engines&e != 0 {
			out = append(out, r)
		}
	}
	return out
}
