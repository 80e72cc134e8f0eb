package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// fakeRDS is a func-field fake that records the inputs it was sent.
type fakeRDS struct {
	clusters  func(*rds.DescribeDBClustersInput) (*rds.DescribeDBClustersOutput, error)
	instances func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error)
	cparams   map[string][]rdstypes.Parameter
	iparams   map[string][]rdstypes.Parameter
	sent      []any
}

func (f *fakeRDS) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	f.sent = append(f.sent, in)
	return f.clusters(in)
}
func (f *fakeRDS) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	f.sent = append(f.sent, in)
	return f.instances(in)
}
func (f *fakeRDS) DescribeDBClusterParameters(_ context.Context, in *rds.DescribeDBClusterParametersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error) {
	f.sent = append(f.sent, in)
	return &rds.DescribeDBClusterParametersOutput{Parameters: f.cparams[aws.ToString(in.DBClusterParameterGroupName)]}, nil
}
func (f *fakeRDS) DescribeDBParameters(_ context.Context, in *rds.DescribeDBParametersInput, _ ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error) {
	f.sent = append(f.sent, in)
	p, ok := f.iparams[aws.ToString(in.DBParameterGroupName)]
	if !ok {
		return nil, &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBParameters", Err: &rdstypes.DBParameterGroupNotFoundFault{Message: aws.String("nope")}}
	}
	return &rds.DescribeDBParametersOutput{Parameters: p}, nil
}

func param(name, value, source string) rdstypes.Parameter {
	return rdstypes.Parameter{ParameterName: aws.String(name), ParameterValue: aws.String(value), Source: aws.String(source)}
}

func mysqlFake() *fakeRDS {
	return &fakeRDS{
		clusters: func(in *rds.DescribeDBClustersInput) (*rds.DescribeDBClustersOutput, error) {
			if aws.ToString(in.DBClusterIdentifier) != "c1" {
				return nil, &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBClusters", Err: &rdstypes.DBClusterNotFoundFault{Message: aws.String("not found")}}
			}
			return &rds.DescribeDBClustersOutput{DBClusters: []rdstypes.DBCluster{{
				DBClusterIdentifier: aws.String("c1"), Engine: aws.String("aurora-mysql"), EngineVersion: aws.String("8.0.mysql_aurora.3.05.2"),
				Status: aws.String("available"), DBClusterParameterGroup: aws.String("cpg"), EnabledCloudwatchLogsExports: []string{"error"},
				BackupRetentionPeriod: aws.Int32(1), StorageEncrypted: aws.Bool(true),
				DBClusterMembers: []rdstypes.DBClusterMember{
					{DBInstanceIdentifier: aws.String("c1-b"), IsClusterWriter: aws.Bool(false), PromotionTier: aws.Int32(1)},
					{DBInstanceIdentifier: aws.String("c1-a"), IsClusterWriter: aws.Bool(true), PromotionTier: aws.Int32(0)},
				},
			}}}, nil
		},
		instances: func(in *rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error) {
			mk := func(id, pg, az string) rdstypes.DBInstance {
				return rdstypes.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.r6g.large"), AvailabilityZone: aws.String(az),
					DBInstanceStatus: aws.String("available"), DBClusterIdentifier: aws.String("c1"),
					DBParameterGroups: []rdstypes.DBParameterGroupStatus{{DBParameterGroupName: aws.String(pg)}}}
			}
			return &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{mk("c1-a", "ipg-a", "us-east-1a"), mk("c1-b", "ipg-b", "us-east-1a")}}, nil
		},
		cparams: map[string][]rdstypes.Parameter{"cpg": {param("slow_query_log", "1", "user"), param("long_query_time", "0.5", "user")}},
		iparams: map[string][]rdstypes.Parameter{
			"ipg-a": {param("slow_query_log", "0", "engine-default"), param("log_output", "FILE", "engine-default")},
			"ipg-b": {param("long_query_time", "5", "user"), param("log_output", "TABLE", "user")},
		},
	}
}

func TestDescribeEffectiveParametersAndRequests(t *testing.T) {
	f := mysqlFake()
	topo, err := Describe(context.Background(), f, "us-east-1", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if topo.Writer != "c1-a" || len(topo.Readers) != 1 || topo.Readers[0] != "c1-b" {
		t.Fatalf("roles: writer=%q readers=%v", topo.Writer, topo.Readers)
	}
	if got := topo.Members[0].VCPU; got != 2 {
		t.Errorf("vcpu of db.r6g.large = %d, want 2", got)
	}
	// c1-a: cluster sets slow_query_log=1 and the instance group only has an engine default → cluster wins.
	a, b := topo.SlowLog[0], topo.SlowLog[1]
	if a.Instance != "c1-a" || a.SlowQueryLog != "1" || a.LongQueryTimeS != 0.5 || a.LogOutput != "FILE" || !a.Enabled {
		t.Errorf("c1-a slow log = %+v", a)
	}
	// c1-b: the instance group's user values override the cluster group.
	if b.LongQueryTimeS != 5 || b.LogOutput != "TABLE" || b.Enabled || !strings.Contains(b.Source, "long_query_time=instance") {
		t.Errorf("c1-b slow log = %+v", b)
	}
	if strings.Join(topo.LogExportsMissing, ",") != "slowquery,general,audit" {
		t.Errorf("missing exports = %v", topo.LogExportsMissing)
	}
	// exact requests: clusters by id, instances by cluster filter, params filtered by name
	ci := f.sent[0].(*rds.DescribeDBClustersInput)
	if aws.ToString(ci.DBClusterIdentifier) != "c1" {
		t.Errorf("DescribeDBClusters id = %v", ci.DBClusterIdentifier)
	}
	ii := f.sent[1].(*rds.DescribeDBInstancesInput)
	if len(ii.Filters) != 1 || aws.ToString(ii.Filters[0].Name) != "db-cluster-id" || ii.Filters[0].Values[0] != "c1" {
		t.Errorf("DescribeDBInstances filters = %+v", ii.Filters)
	}
	cp := f.sent[2].(*rds.DescribeDBClusterParametersInput)
	if aws.ToString(cp.Filters[0].Name) != "parameter-name" || len(cp.Filters[0].Values) != len(mysqlParams) {
		t.Errorf("cluster params filter = %+v", cp.Filters)
	}
	if len(f.sent) != 5 {
		t.Errorf("sent %d requests, want 5 (clusters, instances, cluster params, 2 instance groups)", len(f.sent))
	}
	codes := map[string]bool{}
	for _, fd := range Posture(topo) {
		codes[fd.Code+"/"+fd.Resource] = true
	}
	for _, want := range []string{"slowlog_not_file/c1-b", "short_backup_retention/c1", "single_az/c1", "log_not_exported/c1", "no_deletion_protection/c1", "tls_not_enforced/c1"} {
		if !codes[want] {
			t.Errorf("missing finding %s; got %v", want, codes)
		}
	}
}

func TestDescribeNotFoundNamesRegion(t *testing.T) {
	f := mysqlFake()
	f.instances = func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error) {
		return nil, &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBInstances", Err: &rdstypes.DBInstanceNotFoundFault{Message: aws.String("nope")}}
	}
	_, err := Describe(context.Background(), f, "eu-west-1", "ghost")
	var te *tools.Error
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "eu-west-1") || !strings.Contains(te.Msg, "list_clusters") {
		t.Fatalf("err = %v", err)
	}
}

func TestClassInfo(t *testing.T) {
	cases := []struct {
		class string
		vcpu  int
		gib   int64
		ok    bool
	}{
		{"db.r6g.large", 2, 16, true}, {"db.r6g.xlarge", 4, 32, true}, {"db.r7g.16xlarge", 64, 512, true},
		{"db.m6g.large", 2, 8, true}, {"db.t4g.medium", 2, 4, true}, {"db.x2g.2xlarge", 8, 128, true},
		{"db.serverless", 0, 0, false}, {"nonsense", 0, 0, false},
	}
	for _, c := range cases {
		v, m, ok := ClassInfo(c.class)
		if v != c.vcpu || m != c.gib<<30 || ok != c.ok {
			t.Errorf("%s: got %d vCPU %d B %v", c.class, v, m, ok)
		}
	}
}

func demoSession(t *testing.T) *testkit.Session {
	return testkit.Client(t, Tools(demo.New(now), tools.Env{Now: func() time.Time { return now }}))
}

func TestDescribeClusterRoundTripDemo(t *testing.T) {
	s := demoSession(t)
	var out DescribeOutput
	res := s.Call("describe_cluster", map[string]any{"cluster_id": "orders-prod"})
	testkit.Decode(t, res, &out)
	if out.Writer != "orders-prod-1" || len(out.Readers) != 2 || out.Region != "ap-northeast-2" {
		t.Fatalf("topology: %+v", out.Topology)
	}
	text := testkit.Text(res)
	for _, want := range []string{"orders-prod-3", "slow_query_log=0", "Slow query log is off", "require_secure_transport=OFF"} {
		if !strings.Contains(text, want) {
			t.Errorf("text mirror lacks %q:\n%s", want, text)
		}
	}
	// standalone instance ids are accepted
	testkit.Decode(t, s.Call("describe_cluster", map[string]any{"cluster_id": "legacy-mysql"}), &out)
	if out.Kind != "instance" || out.Writer != "legacy-mysql" || len(out.PubliclyAccessible) != 1 {
		t.Fatalf("standalone: %+v", out.Topology)
	}
}

func TestDescribeClusterErrors(t *testing.T) {
	s := demoSession(t)
	cases := []struct {
		name string
		args any
		want []string
	}{
		{"wrong type", `{"cluster_id": 42}`, []string{`"cluster_id" must be a string`, "valid arguments: cluster_id (string, required), region (string)"}},
		{"unknown field", `{"cluster_id":"orders-prod","bogus":1}`, []string{`unknown argument "bogus"`, "valid arguments"}},
		{"missing", `{}`, []string{`missing required argument "cluster_id"`}},
		{"not found", `{"cluster_id":"nope"}`, []string{"ap-northeast-2", "list_clusters"}},
		{"bad region", `{"cluster_id":"orders-prod","region":"mars"}`, []string{`region "mars" is not an AWS region`}},
		{"neptune", `{"cluster_id":"graph-neptune"}`, []string{"neptune", "does not diagnose"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := testkit.ErrorText(t, s.Call("describe_cluster", c.args))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("error %q lacks %q", text, w)
				}
			}
		})
	}
}

func TestListClustersDemoExcludesNeptune(t *testing.T) {
	s := demoSession(t)
	var out ListOutput
	testkit.Decode(t, s.Call("list_clusters", map[string]any{}), &out)
	if len(out.Clusters) != 2 || out.Excluded != 1 || len(out.Instances) != 1 {
		t.Fatalf("got %d clusters, %d instances, %d excluded", len(out.Clusters), len(out.Instances), out.Excluded)
	}
	if out.Clusters[0].ID != "orders-prod" || out.Clusters[0].Members[0].Role != RoleWriter || out.Clusters[0].Members[0].Class != "db.r6g.xlarge" {
		t.Fatalf("first cluster = %+v", out.Clusters[0])
	}
	// another region of the demo is empty, and says where to look
	res := s.Call("list_clusters", map[string]any{"regions": []string{"us-east-1"}})
	testkit.Decode(t, res, &out)
	if len(out.Clusters) != 0 || !strings.Contains(testkit.Text(res), "No Aurora/RDS databases found") {
		t.Fatalf("us-east-1: %s", testkit.Text(res))
	}
}

func TestAWSErrorsBecomeToolErrors(t *testing.T) {
	denied := &fakeRDS{clusters: func(*rds.DescribeDBClustersInput) (*rds.DescribeDBClustersOutput, error) {
		return nil, &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBClusters",
			Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::1:user/x is not authorized"}}
	}}
	c := fixedClients{rds: denied}
	s := testkit.Client(t, Tools(c, tools.Env{}))
	text := testkit.ErrorText(t, s.Call("describe_cluster", map[string]any{"cluster_id": "c1", "region": "us-west-2"}))
	for _, w := range []string{"AccessDenied", "rds:DescribeDBClusters", "us-west-2", "c1"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q lacks %q", text, w)
		}
	}
}

// fixedClients serves one RDS fake for every region.
type fixedClients struct {
	awsclient.Clients
	rds API
}

func (f fixedClients) DefaultRegion() string       { return "us-east-1" }
func (f fixedClients) RDS(string) awsclient.RDSAPI { return rdsOnly{f.rds} }

type rdsOnly struct{ API }

func (rdsOnly) DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	return nil, errors.New("unused")
}
func (rdsOnly) DescribePendingMaintenanceActions(context.Context, *rds.DescribePendingMaintenanceActionsInput, ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	return nil, errors.New("unused")
}
func (rdsOnly) DescribeDBRecommendations(context.Context, *rds.DescribeDBRecommendationsInput, ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error) {
	return nil, errors.New("unused")
}
func (rdsOnly) DescribeDBLogFiles(context.Context, *rds.DescribeDBLogFilesInput, ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error) {
	return nil, errors.New("unused")
}
func (rdsOnly) DownloadDBLogFilePortion(context.Context, *rds.DownloadDBLogFilePortionInput, ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error) {
	return nil, errors.New("unused")
}

func TestSnapshots(t *testing.T) {
	for _, tl := range Tools(demo.New(now), tools.Env{}) {
		testkit.Snapshot(t, tl)
		var in map[string]any
		if err := json.Unmarshal(tl.Def.RawInputSchema, &in); err != nil || in["type"] != "object" || in["additionalProperties"] != false {
			t.Errorf("%s input schema root: %v", tl.Name, in)
		}
	}
}
