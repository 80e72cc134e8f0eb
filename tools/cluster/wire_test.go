package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoClients loads the production awsclient.Provider pointed at moto, exactly as a user would with
// --aws-endpoint and --cloudwatch-protocol json.
func motoClients(t *testing.T, m *awstest.Moto) awsclient.Clients {
	t.Helper()
	p, err := awsclient.Load(context.Background(), awsclient.Options{
		Region: "ap-northeast-2", Endpoint: m.URL(), CloudWatchProtocol: awsclient.ProtocolJSON, MaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Isolated: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDescribeClusterOverMoto(t *testing.T) {
	m := awstest.StartMoto(t)
	ids := awstest.SeedAuroraCluster(t, m.Config(t, "ap-northeast-2"), awstest.ClusterSpec{
		ID: "wire-mysql", Engine: "aurora-mysql", Instances: 3,
		ClusterParams: map[string]string{"slow_query_log": "1", "long_query_time": "0.5"},
		LogExports:    []string{"slowquery", "error"},
	})
	s := testkit.Client(t, Tools(motoClients(t, m), tools.Env{}))

	var out DescribeOutput
	res := s.Call("describe_cluster", map[string]any{"cluster_id": "wire-mysql"})
	testkit.Decode(t, res, &out)
	if out.Writer != ids[0] || len(out.Readers) != 2 || out.Readers[0] != ids[1] || out.Readers[1] != ids[2] {
		t.Fatalf("writer %q readers %v, seeded %v", out.Writer, out.Readers, ids)
	}
	if strings.Join(out.LogExports, ",") != "slowquery,error" || strings.Join(out.LogExportsMissing, ",") != "general,audit" {
		t.Errorf("exports %v missing %v", out.LogExports, out.LogExportsMissing)
	}
	if len(out.SlowLog) != 3 {
		t.Fatalf("slow log settings: %+v", out.SlowLog)
	}
	for _, sl := range out.SlowLog {
		if sl.SlowQueryLog != "1" || sl.LongQueryTimeS != 0.5 || !strings.Contains(sl.Source, "slow_query_log=cluster") {
			t.Errorf("%s: %+v", sl.Instance, sl)
		}
	}
	if out.ParameterGroup != awstest.ClusterParamGroupName("wire-mysql") {
		t.Errorf("parameter group %q", out.ParameterGroup)
	}
	text := testkit.Text(res)
	for _, w := range []string{"slow_query_log=1", "long_query_time=0.5s", ids[2], "slowquery"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}

	// unknown id → isError naming the region and the next tool
	msg := testkit.ErrorText(t, s.Call("describe_cluster", map[string]any{"cluster_id": "no-such-cluster"}))
	if !strings.Contains(msg, "ap-northeast-2") || !strings.Contains(msg, "list_clusters") || !strings.Contains(msg, "no-such-cluster") {
		t.Errorf("not-found message: %s", msg)
	}
	// bad arguments → isError listing the valid arguments
	for _, args := range []string{`{"cluster_id":42}`, `{"cluster_id":"wire-mysql","extra":true}`} {
		msg := testkit.ErrorText(t, s.Call("describe_cluster", args))
		if !strings.Contains(msg, "valid arguments: cluster_id (string, required), region (string)") {
			t.Errorf("%s → %s", args, msg)
		}
	}

	var list ListOutput
	testkit.Decode(t, s.Call("list_clusters", map[string]any{"regions": []string{"ap-northeast-2", "us-east-1"}}), &list)
	if len(list.Clusters) != 1 || list.Clusters[0].ID != "wire-mysql" || list.Clusters[0].Writer != ids[0] || len(list.Clusters[0].Members) != 3 {
		t.Errorf("list: %+v", list)
	}
}

func TestNetworkErrorIsAToolError(t *testing.T) {
	p, err := awsclient.Load(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: "http://127.0.0.1:1", MaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Isolated: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := testkit.Client(t, Tools(p, tools.Env{}))
	msg := testkit.ErrorText(t, s.Call("describe_cluster", map[string]any{"cluster_id": "x"}))
	if !strings.Contains(msg, "Network error") || !strings.Contains(msg, "RDS DescribeDBClusters") {
		t.Errorf("msg = %s", msg)
	}
}
