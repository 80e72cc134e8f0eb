package errorlog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestWireMotoErrorLogGroup: error-log events in two streams of a moto log group, summarized by the tool
// over the real SDK.
func TestWireMotoErrorLogGroup(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, "us-east-1")
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "wire-aurora", Instances: 2, LogExports: []string{"error"}})
	now := time.Now().UTC().Truncate(time.Second)
	group := "/aws/rds/cluster/wire-aurora/error"
	for i, id := range ids {
		var evs []logtypes.InputLogEvent
		for k := range 30 {
			at := now.Add(-time.Duration(90-k) * time.Minute)
			msg := fmt.Sprintf("%s %d [Note] [MY-010914] [Server] Aborted connection %d to db: 'orders' user: 'app' host: '10.0.3.%d' (Got timeout reading communication packets).",
				at.Format("2006-01-02T15:04:05.000000Z"), 100+k, 100+k, k)
			if i == 0 && k%10 == 0 {
				msg = at.Format("2006-01-02T15:04:05.000000Z") + " 0 [Warning] [MY-010908] [Server] Too many connections"
			}
			evs = append(evs, logtypes.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg)})
		}
		awstest.SeedLogEvents(t, cfg, group, id, evs...)
	}
	p, err := awsclient.Load(context.Background(), awsclient.Options{Region: "us-east-1", Endpoint: moto.URL(), MaxAttempts: 1, Isolated: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	s := testkit.Client(t, Tools(p, tools.Env{Now: func() time.Time { return now }}))
	var out SummaryOutput
	testkit.Decode(t, s.Call("get_error_log_summary", map[string]any{"cluster_id": "wire-aurora", "region": "us-east-1", "since": "3h"}), &out)
	if out.Coverage.LogGroup != group || out.Coverage.EventsRead != 60 || out.Summary.Lines != 60 {
		t.Fatalf("coverage %+v lines %d", out.Coverage, out.Summary.Lines)
	}
	if len(out.Summary.Notable) != 2 || out.Summary.Notable[0].Class != ClassTooManyConnections || out.Summary.Notable[0].Count != 3 ||
		out.Summary.Notable[1].Class != ClassAbortedConnection || out.Summary.Notable[1].Count != 57 || len(out.Summary.Notable[1].Instances) != 2 {
		t.Fatalf("notable %+v", out.Summary.Notable)
	}
}
