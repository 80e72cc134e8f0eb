package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Roles of a member.
const (
	RoleWriter     = "writer"
	RoleReader     = "reader"
	RoleStandalone = "standalone"
)

// Topology is what the rest of kida knows about one cluster (or standalone instance).
type Topology struct {
	Region              string             `json:"region"`
	ID                  string             `json:"id"`
	ARN                 string             `json:"arn"`
	Kind                string             `json:"kind" jsonschema:"enum=aurora-cluster,enum=multi-az-cluster,enum=instance" jsonschema_description:"aurora-cluster, multi-az-cluster (RDS Multi-AZ DB cluster) or instance (standalone RDS)."`
	Engine              string             `json:"engine"`
	EngineVersion       string             `json:"engine_version"`
	Status              string             `json:"status"`
	Writer              string             `json:"writer,omitempty"`
	Readers             []string           `json:"readers"`
	Members             []Member           `json:"members"`
	Serverless          *Serverless        `json:"serverless_v2,omitempty"`
	LogExports          []string           `json:"log_exports"`
	LogExportsMissing   []string           `json:"log_exports_missing" jsonschema_description:"Useful log types for this engine that are not exported to CloudWatch Logs."`
	SlowLog             []SlowLogSetting   `json:"slow_log" jsonschema_description:"Effective slow-log settings per instance."`
	PerformanceInsights PerformanceInsight `json:"performance_insights"`
	BackupRetentionDays int                `json:"backup_retention_days"`
	DeletionProtection  bool               `json:"deletion_protection"`
	StorageEncrypted    bool               `json:"storage_encrypted"`
	IAMAuth             bool               `json:"iam_auth"`
	PubliclyAccessible  []string           `json:"publicly_accessible" jsonschema_description:"Members reachable from the internet."`
	TLS                 TLSSetting         `json:"tls"`
	ParameterGroup      string             `json:"parameter_group,omitempty"`
	Endpoint            string             `json:"endpoint,omitempty"`
	ReaderEndpoint      string             `json:"reader_endpoint,omitempty"`
	ResourceID          string             `json:"resource_id,omitempty"`
	Hints               []string           `json:"hints,omitempty"`
}

// Member is one DB instance of the topology.
type Member struct {
	ID                 string `json:"id"`
	Role               string `json:"role" jsonschema:"enum=writer,enum=reader,enum=standalone"`
	Class              string `json:"class"`
	AZ                 string `json:"az"`
	Status             string `json:"status"`
	PromotionTier      int    `json:"promotion_tier"`
	VCPU               int    `json:"vcpu,omitempty"`
	MemoryBytes        int64  `json:"memory_bytes,omitempty"`
	ParameterGroup     string `json:"parameter_group,omitempty"`
	ResourceID         string `json:"resource_id" jsonschema_description:"DbiResourceId, the Performance Insights identifier."`
	ARN                string `json:"arn"`
	PIEnabled          bool   `json:"performance_insights_enabled"`
	PubliclyAccessible bool   `json:"publicly_accessible"`
}

// Serverless is the Serverless v2 capacity range.
type Serverless struct {
	MinACU float64 `json:"min_acu"`
	MaxACU float64 `json:"max_acu"`
}

// SlowLogSetting is the effective slow-log configuration of one instance.
type SlowLogSetting struct {
	Instance string `json:"instance"`
	Enabled  bool   `json:"enabled"`
	// MySQL family.
	SlowQueryLog   string  `json:"slow_query_log,omitempty"`
	LongQueryTimeS float64 `json:"long_query_time_s,omitempty"`
	LogOutput      string  `json:"log_output,omitempty"`
	// PostgreSQL family (-1 = disabled).
	LogMinDurationMs *float64 `json:"log_min_duration_statement_ms,omitempty"`
	// Source says where each value came from: instance parameter group, cluster group, or engine default.
	Source string `json:"source"`
}

// PerformanceInsight is the PI / Database Insights state.
type PerformanceInsight struct {
	Enabled       bool   `json:"enabled"`
	Mode          string `json:"mode" jsonschema_description:"Database Insights mode: standard, advanced, or off."`
	RetentionDays int    `json:"retention_days,omitempty"`
}

// TLSSetting is the TLS enforcement parameter and whether it enforces TLS.
type TLSSetting struct {
	Parameter string `json:"parameter,omitempty"`
	Value     string `json:"value,omitempty"`
	Enforced  bool   `json:"enforced"`
}

// IsMySQL reports whether the engine is in the MySQL family (Aurora MySQL, MySQL, MariaDB).
func IsMySQL(engine string) bool {
	return strings.HasPrefix(engine, "aurora-mysql") || engine == "aurora" || engine == "mysql" || engine == "mariadb"
}

// IsPostgres reports whether the engine is in the PostgreSQL family.
func IsPostgres(engine string) bool {
	return strings.HasPrefix(engine, "aurora-postgresql") || engine == "postgres"
}

// IsAurora reports whether the engine is Aurora.
func IsAurora(engine string) bool { return strings.HasPrefix(engine, "aurora") }

// Supported reports whether kida diagnoses this engine (Neptune and DocumentDB share the RDS API but not
// the engines).
func Supported(engine string) bool {
	return engine != "" && !strings.HasPrefix(engine, "neptune") && !strings.HasPrefix(engine, "docdb")
}

// Member returns the member with id.
func (t Topology) Member(id string) (Member, bool) {
	for _, m := range t.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// NotFoundError says an id matched neither a cluster nor an instance in a region.
type NotFoundError struct{ ID, Region string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no Aurora/RDS cluster or instance %q in region %s; call list_clusters (optionally with regions) to see the ids that exist, or pass the right region", e.ID, e.Region)
}

// Describe resolves id (a cluster id, or a standalone instance id) in region into a Topology.
func Describe(ctx context.Context, api API, region, id string) (Topology, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return Topology{}, tools.Errorf("cluster_id is empty; send a cluster or instance identifier (list_clusters shows them)")
	}
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	switch {
	case err == nil && len(out.DBClusters) > 0:
		c := out.DBClusters[0]
		if !Supported(aws.ToString(c.Engine)) {
			return Topology{}, tools.Errorf("%q in %s is a %s cluster, which kida-mcp does not diagnose (Aurora and RDS engines only)", id, region, aws.ToString(c.Engine))
		}
		return describeCluster(ctx, api, region, c)
	case err != nil && !isNotFound(err):
		return Topology{}, awsclient.In(region, id, err)
	}
	iout, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		if isNotFound(err) {
			return Topology{}, &tools.Error{Msg: (&NotFoundError{ID: id, Region: region}).Error(), Err: err}
		}
		return Topology{}, awsclient.In(region, id, err)
	}
	if len(iout.DBInstances) == 0 {
		return Topology{}, &tools.Error{Msg: (&NotFoundError{ID: id, Region: region}).Error()}
	}
	inst := iout.DBInstances[0]
	if cid := aws.ToString(inst.DBClusterIdentifier); cid != "" {
		// An instance of a cluster: describe its cluster and say so.
		t, err := Describe(ctx, api, region, cid)
		if err == nil {
			t.Hints = append(t.Hints, fmt.Sprintf("%s is a member of cluster %s; described the whole cluster", id, cid))
		}
		return t, err
	}
	if !Supported(aws.ToString(inst.Engine)) {
		return Topology{}, tools.Errorf("%q in %s runs %s, which kida-mcp does not diagnose", id, region, aws.ToString(inst.Engine))
	}
	return describeInstance(ctx, api, region, inst)
}

func isNotFound(err error) bool {
	var a *rdstypes.DBClusterNotFoundFault
	var b *rdstypes.DBInstanceNotFoundFault
	return errors.As(err, &a) || errors.As(err, &b)
}

func describeCluster(ctx context.Context, api API, region string, c rdstypes.DBCluster) (Topology, error) {
	t := Topology{
		Region: region, ID: aws.ToString(c.DBClusterIdentifier), ARN: aws.ToString(c.DBClusterArn),
		Kind: "aurora-cluster", Engine: aws.ToString(c.Engine), EngineVersion: aws.ToString(c.EngineVersion),
		Status: aws.ToString(c.Status), LogExports: nonNil(c.EnabledCloudwatchLogsExports),
		BackupRetentionDays: int(aws.ToInt32(c.BackupRetentionPeriod)), DeletionProtection: aws.ToBool(c.DeletionProtection),
		StorageEncrypted: aws.ToBool(c.StorageEncrypted), IAMAuth: aws.ToBool(c.IAMDatabaseAuthenticationEnabled),
		ParameterGroup: aws.ToString(c.DBClusterParameterGroup), Endpoint: aws.ToString(c.Endpoint),
		ReaderEndpoint: aws.ToString(c.ReaderEndpoint), ResourceID: aws.ToString(c.DbClusterResourceId),
		Readers: []string{}, PubliclyAccessible: []string{},
	}
	if !IsAurora(t.Engine) {
		t.Kind = "multi-az-cluster"
	}
	if s := c.ServerlessV2ScalingConfiguration; s != nil && s.MaxCapacity != nil {
		t.Serverless = &Serverless{MinACU: aws.ToFloat64(s.MinCapacity), MaxACU: aws.ToFloat64(s.MaxCapacity)}
	}
	writers := map[string]bool{}
	tiers := map[string]int{}
	for _, m := range c.DBClusterMembers {
		writers[aws.ToString(m.DBInstanceIdentifier)] = aws.ToBool(m.IsClusterWriter)
		tiers[aws.ToString(m.DBInstanceIdentifier)] = int(aws.ToInt32(m.PromotionTier))
	}
	insts, err := clusterInstances(ctx, api, t.ID)
	if err != nil {
		return Topology{}, awsclient.In(region, t.ID, err)
	}
	for _, in := range insts {
		id := aws.ToString(in.DBInstanceIdentifier)
		if _, ok := writers[id]; !ok {
			continue
		}
		m := member(in)
		m.PromotionTier = tiers[id]
		m.Role = RoleReader
		if writers[id] {
			m.Role = RoleWriter
		}
		t.Members = append(t.Members, m)
	}
	sortMembers(t.Members)
	finishMembers(&t)
	t.PerformanceInsights = piState(aws.ToBool(c.PerformanceInsightsEnabled), string(c.DatabaseInsightsMode), aws.ToInt32(c.PerformanceInsightsRetentionPeriod), t.Members)
	t.LogExportsMissing = missingExports(t.Engine, t.LogExports)
	readParams(ctx, api, &t)
	return t, nil
}

func describeInstance(ctx context.Context, api API, region string, in rdstypes.DBInstance) (Topology, error) {
	m := member(in)
	m.Role = RoleStandalone
	t := Topology{
		Region: region, ID: m.ID, ARN: m.ARN, Kind: "instance", Engine: aws.ToString(in.Engine),
		EngineVersion: aws.ToString(in.EngineVersion), Status: m.Status, Members: []Member{m},
		LogExports: nonNil(in.EnabledCloudwatchLogsExports), BackupRetentionDays: int(aws.ToInt32(in.BackupRetentionPeriod)),
		DeletionProtection: aws.ToBool(in.DeletionProtection), StorageEncrypted: aws.ToBool(in.StorageEncrypted),
		IAMAuth: aws.ToBool(in.IAMDatabaseAuthenticationEnabled), ResourceID: m.ResourceID,
		Readers: []string{}, PubliclyAccessible: []string{},
	}
	if in.Endpoint != nil {
		t.Endpoint = aws.ToString(in.Endpoint.Address)
	}
	finishMembers(&t)
	t.PerformanceInsights = piState(m.PIEnabled, string(in.DatabaseInsightsMode), aws.ToInt32(in.PerformanceInsightsRetentionPeriod), t.Members)
	t.LogExportsMissing = missingExports(t.Engine, t.LogExports)
	readParams(ctx, api, &t)
	return t, nil
}

func clusterInstances(ctx context.Context, api API, clusterID string) ([]rdstypes.DBInstance, error) {
	var out []rdstypes.DBInstance
	p := rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{clusterID}}},
	})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.DBInstances...)
	}
	return out, nil
}

func member(in rdstypes.DBInstance) Member {
	m := Member{
		ID: aws.ToString(in.DBInstanceIdentifier), Class: aws.ToString(in.DBInstanceClass),
		AZ: aws.ToString(in.AvailabilityZone), Status: aws.ToString(in.DBInstanceStatus),
		ResourceID: aws.ToString(in.DbiResourceId), ARN: aws.ToString(in.DBInstanceArn),
		PIEnabled: aws.ToBool(in.PerformanceInsightsEnabled), PubliclyAccessible: aws.ToBool(in.PubliclyAccessible),
		PromotionTier: int(aws.ToInt32(in.PromotionTier)),
	}
	if len(in.DBParameterGroups) > 0 {
		m.ParameterGroup = aws.ToString(in.DBParameterGroups[0].DBParameterGroupName)
	}
	m.VCPU, m.MemoryBytes, _ = ClassInfo(m.Class)
	return m
}

func sortMembers(ms []Member) {
	sort.SliceStable(ms, func(i, j int) bool {
		if (ms[i].Role == RoleWriter) != (ms[j].Role == RoleWriter) {
			return ms[i].Role == RoleWriter
		}
		return ms[i].ID < ms[j].ID
	})
}

func finishMembers(t *Topology) {
	for _, m := range t.Members {
		switch m.Role {
		case RoleWriter, RoleStandalone:
			t.Writer = m.ID
		case RoleReader:
			t.Readers = append(t.Readers, m.ID)
		}
		if m.PubliclyAccessible {
			t.PubliclyAccessible = append(t.PubliclyAccessible, m.ID)
		}
	}
}

func piState(enabled bool, mode string, retention int32, ms []Member) PerformanceInsight {
	for _, m := range ms {
		enabled = enabled || m.PIEnabled
	}
	p := PerformanceInsight{Enabled: enabled, Mode: mode, RetentionDays: int(retention)}
	if !enabled {
		p.Mode = "off"
	} else if p.Mode == "" {
		p.Mode = "standard"
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// missingExports lists the log types worth exporting for the engine that are not exported.
func missingExports(engine string, have []string) []string {
	var want []string
	switch {
	case IsMySQL(engine):
		want = []string{"error", "slowquery", "general", "audit"}
		if !IsAurora(engine) && engine != "mariadb" && engine != "mysql" {
			want = []string{"error", "slowquery", "general"}
		}
	case IsPostgres(engine):
		want = []string{"postgresql"}
	}
	out := []string{}
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// Parameter names read for slow-log and TLS posture.
var (
	mysqlParams = []string{"slow_query_log", "long_query_time", "log_output", "require_secure_transport"}
	pgParams    = []string{"log_min_duration_statement", "rds.force_ssl"}
)

type paramValue struct {
	value  string
	source string // "instance", "cluster", "default"
}

// readParams fills slow-log and TLS settings. Parameter read failures are hints, not errors: the topology is
// still useful without them.
func readParams(ctx context.Context, api API, t *Topology) {
	names := mysqlParams
	if IsPostgres(t.Engine) {
		names = pgParams
	} else if !IsMySQL(t.Engine) {
		return
	}
	filter := []rdstypes.Filter{{Name: aws.String("parameter-name"), Values: names}}
	cluster := map[string]string{}
	if t.ParameterGroup != "" {
		out, err := api.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String(t.ParameterGroup), Filters: filter})
		if err != nil {
			t.Hints = append(t.Hints, fmt.Sprintf("could not read cluster parameter group %s (%s); slow-log settings may be incomplete — grant rds:DescribeDBClusterParameters", t.ParameterGroup, short(err)))
		} else {
			for _, p := range out.Parameters {
				if p.ParameterValue != nil {
					cluster[aws.ToString(p.ParameterName)] = aws.ToString(p.ParameterValue)
				}
			}
		}
	}
	groups := map[string]map[string]paramValue{}
	for _, m := range t.Members {
		if m.ParameterGroup == "" || groups[m.ParameterGroup] != nil {
			continue
		}
		vals := map[string]paramValue{}
		groups[m.ParameterGroup] = vals
		out, err := api.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(m.ParameterGroup), Filters: filter})
		if err != nil {
			t.Hints = append(t.Hints, fmt.Sprintf("could not read instance parameter group %s (%s); assuming it overrides nothing", m.ParameterGroup, short(err)))
			continue
		}
		for _, p := range out.Parameters {
			if p.ParameterValue == nil {
				continue
			}
			src := aws.ToString(p.Source)
			// Only values modified in the instance group override the cluster group; engine defaults do not.
			if src == "user" || src == "" {
				vals[aws.ToString(p.ParameterName)] = paramValue{aws.ToString(p.ParameterValue), "instance"}
			} else if _, inCluster := cluster[aws.ToString(p.ParameterName)]; !inCluster {
				vals[aws.ToString(p.ParameterName)] = paramValue{aws.ToString(p.ParameterValue), "default"}
			}
		}
	}
	effective := func(m Member, name, def string) paramValue {
		if v, ok := groups[m.ParameterGroup][name]; ok && v.source == "instance" {
			return v
		}
		if v, ok := cluster[name]; ok {
			return paramValue{v, "cluster"}
		}
		if v, ok := groups[m.ParameterGroup][name]; ok {
			return v
		}
		return paramValue{def, "default"}
	}
	tlsEnforced := true
	for _, m := range t.Members {
		s := SlowLogSetting{Instance: m.ID}
		var srcs []string
		if IsMySQL(t.Engine) {
			sl := effective(m, "slow_query_log", "0")
			lq := effective(m, "long_query_time", "10")
			lo := effective(m, "log_output", "FILE")
			s.SlowQueryLog, s.LogOutput = sl.value, strings.ToUpper(lo.value)
			s.LongQueryTimeS, _ = strconv.ParseFloat(lq.value, 64)
			s.Enabled = truthy(sl.value) && strings.Contains(s.LogOutput, "FILE")
			srcs = []string{"slow_query_log=" + sl.source, "long_query_time=" + lq.source, "log_output=" + lo.source}
			tls := effective(m, "require_secure_transport", "OFF")
			t.TLS = TLSSetting{Parameter: "require_secure_transport", Value: tls.value}
			tlsEnforced = tlsEnforced && truthy(tls.value)
		} else {
			d := effective(m, "log_min_duration_statement", "-1")
			v, err := strconv.ParseFloat(d.value, 64)
			if err != nil {
				v = -1
			}
			s.LogMinDurationMs = &v
			s.Enabled = v >= 0
			srcs = []string{"log_min_duration_statement=" + d.source}
			tls := effective(m, "rds.force_ssl", "0")
			t.TLS = TLSSetting{Parameter: "rds.force_ssl", Value: tls.value}
			tlsEnforced = tlsEnforced && truthy(tls.value)
		}
		s.Source = strings.Join(srcs, ", ")
		t.SlowLog = append(t.SlowLog, s)
	}
	t.TLS.Enforced = tlsEnforced && len(t.Members) > 0
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "true":
		return true
	}
	return false
}

func short(err error) string {
	if c := awsclient.Classify(err); c != nil {
		return tools.Truncate(c.Error(), 160)
	}
	return tools.Truncate(err.Error(), 160)
}
