package slowlog

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// firstEvents returns the first n entries of the shared CloudWatch corpus (head event plus its
// continuations), re-timed to end one hour before now and spread over streams round-robin by entry.
func firstEvents(t *testing.T, n int, streams []string, now time.Time) (map[string][]logtypes.InputLogEvent, []string) {
	f, err := os.Open(sharedData(t, "aurora-mysql3-cloudwatch.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 4<<20)
	out := map[string][]logtypes.InputLogEvent{}
	var entries []string // whole entries, for the file digest
	var first int64
	base := now.Add(-time.Hour).Truncate(time.Second)
	stream := ""
	for sc.Scan() {
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		head := strings.HasPrefix(ev.Message, "# Time: ")
		if head && len(entries) == n {
			break
		}
		if first == 0 {
			first = ev.Timestamp
		}
		at := base.Add(time.Duration(ev.Timestamp-first) * time.Millisecond)
		msg := ev.Message
		if head {
			// the entry's own time moves with the event, so the window filter sees it
			nl := strings.IndexByte(msg, '\n')
			msg = "# Time: " + at.UTC().Format("2006-01-02T15:04:05.000000Z") + msg[nl:]
			stream = streams[len(entries)%len(streams)]
			entries = append(entries, msg)
		} else {
			entries[len(entries)-1] += msg
		}
		out[stream] = append(out[stream], logtypes.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg)})
	}
	if len(entries) != n {
		t.Fatalf("read %d entries", len(entries))
	}
	return out, entries
}

func wireClients(t *testing.T, url string) awsclient.Clients {
	t.Helper()
	p, err := awsclient.Load(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: url, MaxAttempts: 1, Isolated: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWireMotoSlowQueryLogGroup: a slowquery log group with 2,000 entries across 3 streams, read by the
// tool over the real SDK, gives the same classes and counts as the file digest of the same entries.
func TestWireMotoSlowQueryLogGroup(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, "us-east-1")
	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{
		ID: "wire-aurora", Instances: 3, LogExports: []string{"slowquery", "error"},
		ClusterParams: map[string]string{"slow_query_log": "1", "long_query_time": "0", "log_output": "FILE"},
	})
	now := time.Now().UTC()
	byStream, entries := firstEvents(t, 2000, ids, now)
	group := "/aws/rds/cluster/wire-aurora/slowquery"
	events := 0
	for _, s := range ids {
		awstest.SeedLogEvents(t, cfg, group, s, byStream[s]...)
		events += len(byStream[s])
	}
	file, err := Run(context.Background(), func(fn func(*Entry)) error {
		return ParseMySQL(strings.NewReader(strings.Join(entries, "\n")+"\n"), "file", fn)
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := file.Result(10, OrderTotal, 0)

	s := testkit.Client(t, Tools(wireClients(t, moto.URL()), tools.Env{Now: func() time.Time { return now }}))
	res := s.Call("get_slow_queries", map[string]any{"cluster_id": "wire-aurora", "region": "us-east-1", "since": "3h", "top_n": 10})
	var out SlowQueriesOutput
	testkit.Decode(t, res, &out)
	got := out.Digest
	if out.Coverage.LogGroup != group || out.Coverage.EventsRead != int64(events) || !out.Coverage.Complete || len(out.Coverage.Streams) != 3 {
		t.Fatalf("coverage %+v (seeded %d events)", out.Coverage, events)
	}
	if got.Entries != 2000 || got.Entries != want.Entries || got.Classes != want.Classes || len(got.Top) != len(want.Top) {
		t.Fatalf("tool: %d entries %d classes; file: %d, %d", got.Entries, got.Classes, want.Entries, want.Classes)
	}
	for i := range want.Top {
		g, w := got.Top[i], want.Top[i]
		if g.ID != w.ID || g.Count != w.Count || g.TotalS != w.TotalS || g.MaxMS != w.MaxMS || g.RowsExamined != w.RowsExamined {
			t.Errorf("class %d: tool %s %d × %.6f s, file %s %d × %.6f s", i+1, g.Fingerprint, g.Count, g.TotalS, w.Fingerprint, w.Count, w.TotalS)
		}
	}
	if len(got.Instances) != 3 {
		t.Errorf("instances %+v", got.Instances)
	}
}

// TestWireReplayLogFiles: the log-file fallback over the real RDS client, against recorded
// DescribeDBLogFiles / DownloadDBLogFilePortion responses (moto has no DownloadDBLogFilePortion), with
// the exact request fields asserted.
func TestWireReplayLogFiles(t *testing.T) {
	rp := awstest.NewReplay(t,
		awstest.Route{Op: "DescribeDBLogFiles", File: "testdata/rds_describe_db_log_files.xml"},
		awstest.Route{Op: "DownloadDBLogFilePortion", File: "testdata/rds_download_db_log_file_portion_1.xml",
			Match: func(_ *http.Request, body []byte) bool {
				return strings.Contains(string(body), "Marker=0&") || strings.HasSuffix(string(body), "Marker=0")
			}},
		awstest.Route{Op: "DownloadDBLogFilePortion", File: "testdata/rds_download_db_log_file_portion_2.xml"},
	)
	api := rds.NewFromConfig(rp.Config(t, "ap-northeast-2"))
	from := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	dg := NewDigester(Options{From: from, To: from.Add(time.Hour)})
	cov, err := FetchLogFiles(context.Background(), api, FileRequest{Instances: []string{"prod-1"}, Contains: "slowquery", From: from, To: from.Add(time.Hour)},
		func(inst, _ string) LineSink { return mysqlLines{newMySQLParser(inst, dg.Add)} })
	if err != nil {
		t.Fatal(err)
	}
	res := dg.Result(5, OrderTotal, 0)
	if cov.Source != "log_files" || cov.Calls != 3 || res.Entries != 3 || res.Classes != 2 || res.Top[0].Count != 2 || res.Top[0].TotalS != 3.5 {
		t.Fatalf("coverage %+v digest %+v", cov, res)
	}
	d := rp.Requests("DescribeDBLogFiles")[0].Form
	if d.Get("DBInstanceIdentifier") != "prod-1" || d.Has("FilenameContains") || d.Has("FileLastWritten") {
		t.Errorf("DescribeDBLogFiles form %v", d)
	}
	dl := rp.Requests("DownloadDBLogFilePortion")
	if len(dl) != 2 || dl[0].Form.Get("Marker") != "0" || dl[1].Form.Get("Marker") != "0:1024" || dl[0].Form.Get("LogFileName") != "slowquery/mysql-slowquery.log" {
		t.Errorf("download forms %v / %v", dl[0].Form, dl[len(dl)-1].Form)
	}
}

// TestWireMotoNotExported: a cluster without the slowquery export falls back to the instances' log files;
// moto's DescribeDBLogFiles lists only its fake error log, so nothing is downloaded and the answer says why.
func TestWireMotoNotExported(t *testing.T) {
	moto := awstest.StartMoto(t)
	cfg := moto.Config(t, "us-east-1")
	awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{ID: "quiet-aurora", Instances: 2, ClusterParams: map[string]string{"slow_query_log": "1"}})
	now := time.Now().UTC()
	s := testkit.Client(t, Tools(wireClients(t, moto.URL()), tools.Env{Now: func() time.Time { return now }}))
	var out SlowQueriesOutput
	testkit.Decode(t, s.Call("get_slow_queries", map[string]any{"cluster_id": "quiet-aurora", "region": "us-east-1"}), &out)
	if out.Coverage.Source != "log_files" || out.Coverage.Calls != 2 || out.Digest.Entries != 0 {
		t.Fatalf("coverage %+v entries %d", out.Coverage, out.Digest.Entries)
	}
	codes := ""
	for _, f := range out.Findings {
		codes += f.Code + " "
	}
	if !strings.Contains(codes, "log_not_exported") || !strings.Contains(strings.Join(out.Hints, " "), "not exported") {
		t.Errorf("findings %s hints %v", codes, out.Hints)
	}
}
