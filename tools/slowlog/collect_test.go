package slowlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// fakeLogs serves FilterLogEvents from a list of events and records every input.
type fakeLogs struct {
	mu     sync.Mutex
	events []logtypes.FilteredLogEvent
	page   int
	err    error
	inputs []cloudwatchlogs.FilterLogEventsInput
}

func (f *fakeLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, *in)
	if f.err != nil {
		return nil, f.err
	}
	off := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &off)
	}
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	n := 0
	i := off
	for ; i < len(f.events); i++ {
		e := f.events[i]
		ts := aws.ToInt64(e.Timestamp)
		if ts < aws.ToInt64(in.StartTime) || ts > aws.ToInt64(in.EndTime) {
			continue
		}
		if n == f.page {
			out.NextToken = aws.String(fmt.Sprint(i))
			break
		}
		out.Events = append(out.Events, e)
		n++
	}
	return out, nil
}

type fakeRDS struct {
	cluster.API
	files     map[string]map[string]string // instance → file → content
	err       error
	describes []rds.DescribeDBLogFilesInput
	downloads []rds.DownloadDBLogFilePortionInput
	portion   int
}

func (f *fakeRDS) DescribeDBLogFiles(_ context.Context, in *rds.DescribeDBLogFilesInput, _ ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error) {
	f.describes = append(f.describes, *in)
	if f.err != nil {
		return nil, f.err
	}
	out := &rds.DescribeDBLogFilesOutput{}
	for name, data := range f.files[aws.ToString(in.DBInstanceIdentifier)] {
		out.DescribeDBLogFiles = append(out.DescribeDBLogFiles, rdstypes.DescribeDBLogFilesDetails{LogFileName: aws.String(name), Size: aws.Int64(int64(len(data))), LastWritten: aws.Int64(t0.Add(time.Hour).UnixMilli())})
	}
	out.DescribeDBLogFiles = append(out.DescribeDBLogFiles,
		rdstypes.DescribeDBLogFilesDetails{LogFileName: aws.String("error/mysql-error-running.log"), Size: aws.Int64(10), LastWritten: aws.Int64(t0.Add(time.Hour).UnixMilli())},
		rdstypes.DescribeDBLogFilesDetails{LogFileName: aws.String("slowquery/mysql-slowquery.log.2026-11-20.10"), Size: aws.Int64(10), LastWritten: aws.Int64(t0.Add(-36 * time.Hour).UnixMilli())})
	return out, nil
}

func (f *fakeRDS) DownloadDBLogFilePortion(_ context.Context, in *rds.DownloadDBLogFilePortionInput, _ ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error) {
	f.downloads = append(f.downloads, *in)
	data := f.files[aws.ToString(in.DBInstanceIdentifier)][aws.ToString(in.LogFileName)]
	var off int
	fmt.Sscan(aws.ToString(in.Marker), &off)
	end := min(off+f.portion, len(data))
	return &rds.DownloadDBLogFilePortionOutput{LogFileData: aws.String(data[off:end]), Marker: aws.String(fmt.Sprint(end)), AdditionalDataPending: aws.Bool(end < len(data))}, nil
}

var (
	t0   = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	win  = timewin.Window{Start: t0, End: t0.Add(4 * time.Hour), Loc: time.UTC}
	topo = cluster.Topology{
		Region: "ap-northeast-2", ID: "prod", Kind: "aurora-cluster", Engine: "aurora-mysql", LogExports: []string{"slowquery"},
		Members: []cluster.Member{{ID: "prod-1", Role: cluster.RoleWriter}, {ID: "prod-2", Role: cluster.RoleReader}},
		SlowLog: []cluster.SlowLogSetting{{Instance: "prod-1", Enabled: true, SlowQueryLog: "1", LongQueryTimeS: 0.5, LogOutput: "FILE"},
			{Instance: "prod-2", Enabled: false, SlowQueryLog: "0", LongQueryTimeS: 10, LogOutput: "FILE"}},
	}
)

func slowEntry(at time.Time, qt, sql string) string {
	return fmt.Sprintf("# Time: %s\n# User@Host: app[app] @  [10.0.0.1]  Id:    7\n# Query_time: %s  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 100\nSET timestamp=%d;\n%s;",
		at.Format("2006-01-02T15:04:05.000000Z"), qt, at.Unix(), sql)
}

func events(n int) []logtypes.FilteredLogEvent {
	var out []logtypes.FilteredLogEvent
	for i := range n {
		at := t0.Add(time.Duration(i) * 4 * time.Hour / time.Duration(n))
		sql := fmt.Sprintf("SELECT * FROM orders WHERE id = %d", i)
		qt := "1.000000"
		if i%4 == 0 {
			sql, qt = fmt.Sprintf("UPDATE stock SET n = n - 1 WHERE sku = 'S%d'", i), "2.500000"
		}
		out = append(out, logtypes.FilteredLogEvent{LogStreamName: aws.String([]string{"prod-1", "prod-2"}[i%2]), Timestamp: aws.Int64(at.UnixMilli()),
			EventId: aws.String(fmt.Sprintf("%08d", i)), Message: aws.String(slowEntry(at, qt, sql))})
	}
	return out
}

func TestCollectCloudWatch(t *testing.T) {
	logs := &fakeLogs{events: events(400), page: 30}
	res, err := Collect(context.Background(), logs, &fakeRDS{}, topo, win, Request{TopN: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.Source != "cloudwatch_logs" || !res.Coverage.Complete || res.Coverage.EventsRead != 400 || res.Coverage.Slices != 8 {
		t.Fatalf("coverage %+v", res.Coverage)
	}
	d := res.Digest
	if d.Entries != 400 || d.Classes != 2 || d.Top[0].Count != 300 || d.Top[0].TotalS != 300 ||
		d.Top[1].Fingerprint != "update stock set n = n - ? where sku = ?" || d.Top[1].Count != 100 || d.Top[1].TotalS != 250 {
		t.Fatalf("digest %+v", d)
	}
	if d.Top[1].Example != "UPDATE stock SET n = n - ? WHERE sku = ?" || !d.Top[1].ExampleMasked || strings.Join(d.Top[0].Instances, ",") != "prod-2,prod-1" {
		t.Errorf("example %q instances %v", d.Top[1].Example, d.Top[0].Instances)
	}
	// exact SDK inputs: the window cut into 8 half-hour slices, [start, end) in ms, paging with NextToken
	seen := map[int64]bool{}
	for _, in := range logs.inputs {
		if aws.ToString(in.LogGroupName) != "/aws/rds/cluster/prod/slowquery" || in.FilterPattern != nil || len(in.LogStreamNames) != 0 {
			t.Fatalf("input %+v", in)
		}
		if got := aws.ToInt64(in.EndTime) - aws.ToInt64(in.StartTime); got != (30*time.Minute).Milliseconds()-1 {
			t.Fatalf("slice length %d ms", got)
		}
		seen[aws.ToInt64(in.StartTime)] = true
	}
	if len(seen) != 8 || !seen[t0.UnixMilli()] || len(logs.inputs) != 8*2 {
		t.Fatalf("%d slices, %d calls", len(seen), len(logs.inputs))
	}
	// findings from the topology: prod-2 has the slow log off
	if len(res.Findings) != 1 || res.Findings[0].Code != "slowlog_disabled" || res.Findings[0].Resource != "prod-2" {
		t.Errorf("findings %+v", res.Findings)
	}
}

func TestCollectInstanceAndBudget(t *testing.T) {
	logs := &fakeLogs{events: events(400), page: 10}
	res, err := Collect(context.Background(), logs, &fakeRDS{}, topo, win, Request{Instance: "prod-1", MaxEvents: 80})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.Complete || res.Coverage.SlicesCut == 0 || !strings.Contains(strings.Join(res.Hints, " "), "partial read") {
		t.Fatalf("budget: %+v %v", res.Coverage, res.Hints)
	}
	if in := logs.inputs[0]; len(in.LogStreamNames) != 1 || in.LogStreamNames[0] != "prod-1" {
		t.Fatalf("stream filter %v", in.LogStreamNames)
	}
	if _, err := Collect(context.Background(), logs, &fakeRDS{}, topo, win, Request{Instance: "nope"}); err == nil || !strings.Contains(err.Error(), "prod-1, prod-2") {
		t.Fatalf("unknown instance: %v", err)
	}
	if _, err := Collect(context.Background(), logs, &fakeRDS{}, topo, win, Request{OrderBy: "bogus"}); err == nil {
		t.Fatal("bad order_by accepted")
	}
}

func TestCollectFallbackToLogFiles(t *testing.T) {
	notFound := &logtypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")}
	var file strings.Builder
	for i := range 30 {
		file.WriteString(slowEntry(t0.Add(time.Duration(i)*time.Minute), "0.700000", fmt.Sprintf("SELECT %d", i)) + "\n")
	}
	api := &fakeRDS{portion: 1000, files: map[string]map[string]string{"prod-1": {"slowquery/mysql-slowquery.log": file.String()}}}
	res, err := Collect(context.Background(), &fakeLogs{err: notFound}, api, topo, win, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.Source != "log_files" || res.Digest.Entries != 30 || res.Digest.Top[0].Count != 30 {
		t.Fatalf("fallback: %+v %+v", res.Coverage, res.Digest)
	}
	// one DescribeDBLogFiles per member, no server-side filters; only the slow log written in the window is read
	if len(api.describes) != 2 || aws.ToString(api.describes[1].DBInstanceIdentifier) != "prod-2" || api.describes[0].FilenameContains != nil || api.describes[0].FileLastWritten != nil {
		t.Fatalf("DescribeDBLogFiles inputs %+v", api.describes)
	}
	for _, d := range api.downloads {
		if aws.ToString(d.LogFileName) != "slowquery/mysql-slowquery.log" {
			t.Fatalf("downloaded %s", aws.ToString(d.LogFileName))
		}
	}
	if aws.ToString(api.downloads[0].Marker) != "0" || aws.ToString(api.downloads[1].Marker) != "1000" || len(api.downloads) < 3 {
		t.Fatalf("download markers %+v", api.downloads)
	}
	if !strings.Contains(strings.Join(res.Hints, " "), "does not exist") {
		t.Errorf("hints %v", res.Hints)
	}
	// not exported at all → straight to the files, with the posture finding
	notExp := topo
	notExp.LogExports = []string{}
	notExp.LogExportsMissing = []string{"error", "slowquery"}
	res, err = Collect(context.Background(), &fakeLogs{}, api, notExp, win, Request{})
	if err != nil || res.Coverage.Source != "log_files" || res.Digest.Entries != 30 {
		t.Fatalf("not exported: %v %+v", err, res.Coverage)
	}
	codes := ""
	for _, f := range res.Findings {
		codes += f.Code + " "
	}
	if !strings.Contains(codes, "log_not_exported") {
		t.Errorf("findings %s", codes)
	}
}

func TestCollectAWSError(t *testing.T) {
	denied := errors.New("AccessDeniedException: not allowed")
	if _, err := Collect(context.Background(), &fakeLogs{err: denied}, &fakeRDS{}, topo, win, Request{}); err == nil || !errors.Is(err, denied) {
		t.Fatalf("err = %v", err)
	}
	notExp := topo
	notExp.LogExports = nil
	if _, err := Collect(context.Background(), &fakeLogs{}, &fakeRDS{err: denied}, notExp, win, Request{}); err == nil || !errors.Is(err, denied) {
		t.Fatalf("file fallback err = %v", err)
	}
}

func TestCollectPostgres(t *testing.T) {
	pg := topo
	pg.Engine, pg.LogExports = "aurora-postgresql", []string{"postgresql"}
	pg.SlowLog = nil
	logs := &fakeLogs{page: 100, events: []logtypes.FilteredLogEvent{
		{LogStreamName: aws.String("prod-1"), Timestamp: aws.Int64(t0.Add(time.Minute).UnixMilli()), EventId: aws.String("1"),
			Message: aws.String("2026-11-22 00:01:00 UTC:10.0.0.1(5000):app@db:[42]:LOG:  duration: 1500.000 ms  statement: SELECT pg_sleep(1.5)")},
	}}
	res, err := Collect(context.Background(), logs, &fakeRDS{}, pg, win, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dialect != "postgresql" || res.Digest.Entries != 1 || res.Digest.Top[0].Fingerprint != "select pg_sleep(?)" || aws.ToString(logs.inputs[0].FilterPattern) != "?duration ?statement" ||
		aws.ToString(logs.inputs[0].LogGroupName) != "/aws/rds/cluster/prod/postgresql" {
		t.Fatalf("%+v %+v", res.Digest, logs.inputs[0])
	}
}
