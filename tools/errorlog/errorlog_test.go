package errorlog

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

func TestParseMySQLLine(t *testing.T) {
	l, ok := ParseMySQLLine([]byte("2026-11-22T04:35:12.123456Z 123 [Note] [MY-010914] [Server] Aborted connection 123 to db: 'orders' user: 'app' host: '10.0.3.15' (Got timeout reading communication packets)."))
	if !ok || l.Level != "Note" || l.Code != "MY-010914" || l.Source != "Server" || !strings.HasPrefix(l.Message, "Aborted connection 123") ||
		l.Time != time.Date(2026, 11, 22, 4, 35, 12, 123456000, time.UTC) {
		t.Fatalf("%+v %v", l, ok)
	}
	l, ok = ParseMySQLLine([]byte("2024-01-02 03:04:05 140 [Warning] Aborted connection 140 to db: 'x'"))
	if !ok || l.Level != "Warning" || l.Code != "" || l.Message != "Aborted connection 140 to db: 'x'" {
		t.Fatalf("5.7 style: %+v %v", l, ok)
	}
	for _, bad := range []string{"", "TRANSACTION 8842211, ACTIVE 2 sec", "2026-11-22T04:35:12Z 1 no brackets", "\xff\xfe"} {
		if _, ok := ParseMySQLLine([]byte(bad)); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestNormalizeAndClassify(t *testing.T) {
	cases := []struct{ in, want, class, level string }{
		{"Aborted connection 123 to db: 'orders' user: 'app' host: '10.0.3.15' (Got timeout reading communication packets).", "Aborted connection ? to db: '?' user: '?' host: '?' (Got timeout reading communication packets).", ClassAbortedConnection, "Note"},
		{"Access denied for user '<script>alert(1)</script>'@'203.0.113.77' (using password: YES)", "Access denied for user '?'@'?' (using password: YES)", ClassAuthFailure, "Note"},
		{"Too many connections", "Too many connections", ClassTooManyConnections, "Warning"},
		{"/rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process 1123", "/rdsdbbin/oscar/bin/mysqld (mysqld ?) starting as process ?", ClassRestart, "System"},
		{`duplicate key value violates unique constraint "invoices_pkey"`, `duplicate key value violates unique constraint "invoices_pkey"`, "", "ERROR"},
		{`password authentication failed for user "mallory"`, `password authentication failed for user "?"`, ClassAuthFailure, "FATAL"},
		{"out of memory", "out of memory", ClassOutOfMemory, "ERROR"},
		{"canceling statement due to statement timeout", "canceling statement due to statement timeout", ClassTimeout, "ERROR"},
		{"server process (PID 123) was terminated by signal 9: Killed", "server process (PID ?) was terminated by signal ?: Killed", ClassCrash, "LOG"},
		{"Transactions deadlock detected, dumping detailed information. (lock0lock.cc:6482)", "Transactions deadlock detected, dumping detailed information. (lock?lock.cc:?)", ClassDeadlock, "Note"},
		{"could not open file", "could not open file", ClassCrash, "PANIC"},
	}
	for _, c := range cases {
		pg := strings.ToUpper(c.level) == c.level
		if got := Normalize(c.in, pg); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Classify(c.level, c.in); got != c.class {
			t.Errorf("Classify(%q) = %q, want %q", c.in, got, c.class)
		}
	}
}

func TestSummarizerMySQL(t *testing.T) {
	s := NewSummarizer(time.Time{}, time.Time{})
	p := NewLineParser("db-1", false, s)
	for _, l := range []string{
		"2026-11-22T04:00:00.000000Z 15422 [Note] [MY-012468] [InnoDB] Transactions deadlock detected, dumping detailed information. (lock0lock.cc:6482)",
		"2026-11-22T04:00:00.000000Z 15422 [Note] [MY-012469] [InnoDB] *** (1) TRANSACTION:",
		"2026-11-22T04:00:00.000000Z 15422 [Note] [MY-012469] [InnoDB] TRANSACTION 8842211, ACTIVE 2 sec starting index read",
		"2026-11-22T04:00:00.000000Z 15422 [Note] [MY-012469] [InnoDB] *** WE ROLL BACK TRANSACTION (2)",
		"a continuation line without a prefix",
		"2026-11-22T04:01:00.000000Z 1 [Note] [MY-010914] [Server] Aborted connection 1 to db: 'a' user: 'u' host: '10.0.0.1' (Got timeout reading communication packets).",
		"2026-11-22T04:02:00.000000Z 2 [Note] [MY-010914] [Server] Aborted connection 2 to db: 'b' user: 'v' host: '10.0.0.2' (Got timeout reading communication packets).",
		"2026-11-22T04:03:00.000000Z 0 [ERROR] [MY-011971] [InnoDB] Tablespace 'x' Page [page id: space=1, page number=2] log sequence number 3 is in the future!",
	} {
		p.Line([]byte(l))
	}
	r := s.Result(0)
	if r.Lines != 4 || r.Skipped != 4 || r.Distinct != 3 {
		t.Fatalf("lines %d skipped %d distinct %d: %+v", r.Lines, r.Skipped, r.Distinct, r.Patterns)
	}
	if r.Patterns[0].Class != ClassDeadlock || r.Patterns[0].Count != 1 || r.Patterns[1].Class != ClassAbortedConnection || r.Patterns[1].Count != 2 ||
		r.Patterns[1].FirstSeen != "2026-11-22T04:01:00Z" || r.Patterns[1].LastSeen != "2026-11-22T04:02:00Z" || !strings.Contains(r.Patterns[1].Example, "Aborted connection 2 ") {
		t.Fatalf("patterns %+v", r.Patterns)
	}
	if len(r.Notable) != 2 || r.Notable[0].Class != ClassDeadlock {
		t.Errorf("notable %+v", r.Notable)
	}
	fs := Findings("c", r)
	if len(fs) != 2 || fs[0].Code != "errorlog_deadlock" || fs[0].Severity != "warning" {
		t.Errorf("findings %+v", fs)
	}
}

func TestSummarizerPostgres(t *testing.T) {
	s := NewSummarizer(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	p := NewLineParser("pg-1", true, s)
	for _, l := range []string{
		"2026-11-22 03:00:00 UTC:10.0.7.12(52314):billing@billing:[1]:ERROR:  duplicate key value violates unique constraint \"invoices_pkey\"",
		"2026-11-22 03:00:00 UTC:10.0.7.12(52314):billing@billing:[1]:DETAIL:  Key (id)=(5) already exists.",
		"2026-11-22 03:00:00 UTC:10.0.7.12(52314):billing@billing:[1]:STATEMENT:  INSERT INTO invoices VALUES (5)",
		"2026-11-22 03:00:01 UTC:[local]:a@b:[2]:LOG:  duration: 1500.000 ms  statement: SELECT 1",
		"2026-11-22 03:00:02 UTC::@:[3]:LOG:  checkpoint starting: time",
		"2026-11-22 03:00:03 UTC::@:[4]:LOG:  database system is ready to accept connections",
		"2026-11-22 03:00:04 UTC:2001:db8::1(5000):x@postgres:[5]:FATAL:  password authentication failed for user \"x\"",
		"\tcontinuation",
		"2026-11-21 23:59:59 UTC:[local]:a@b:[6]:ERROR:  outside the window",
	} {
		p.Line([]byte(l))
	}
	r := s.Result(10)
	if r.Lines != 3 || s.Outside() != 1 {
		t.Fatalf("lines %d outside %d: %+v", r.Lines, s.Outside(), r.Patterns)
	}
	classes := fmt.Sprint(r.Notable)
	if !strings.Contains(classes, ClassRestart) || !strings.Contains(classes, ClassAuthFailure) {
		t.Errorf("notable %s", classes)
	}
}

type fakeLogs struct {
	mu     sync.Mutex
	events []logtypes.FilteredLogEvent
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
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	for _, e := range f.events {
		if ts := aws.ToInt64(e.Timestamp); ts >= aws.ToInt64(in.StartTime) && ts <= aws.ToInt64(in.EndTime) {
			out.Events = append(out.Events, e)
		}
	}
	return out, nil
}

type fakeRDS struct {
	cluster.API
	data      string
	describes []rds.DescribeDBLogFilesInput
}

func (f *fakeRDS) DescribeDBLogFiles(_ context.Context, in *rds.DescribeDBLogFilesInput, _ ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error) {
	f.describes = append(f.describes, *in)
	return &rds.DescribeDBLogFilesOutput{DescribeDBLogFiles: []rdstypes.DescribeDBLogFilesDetails{{LogFileName: aws.String("error/mysql-error.log"), LastWritten: aws.Int64(time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC).UnixMilli()), Size: aws.Int64(int64(len(f.data)))}}}, nil
}

func (f *fakeRDS) DownloadDBLogFilePortion(_ context.Context, in *rds.DownloadDBLogFilePortionInput, _ ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error) {
	return &rds.DownloadDBLogFilePortionOutput{LogFileData: aws.String(f.data), Marker: aws.String("end"), AdditionalDataPending: aws.Bool(false)}, nil
}

func TestCollect(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	w := timewin.Window{Start: t0, End: t0.Add(2 * time.Hour), Loc: time.UTC}
	topo := cluster.Topology{Region: "ap-northeast-2", ID: "prod", Kind: "aurora-cluster", Engine: "aurora-mysql", LogExports: []string{"error"},
		Members: []cluster.Member{{ID: "prod-1"}, {ID: "prod-2"}}}
	var evs []logtypes.FilteredLogEvent
	for i := range 10 {
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		evs = append(evs, logtypes.FilteredLogEvent{LogStreamName: aws.String("prod-1"), Timestamp: aws.Int64(at.UnixMilli()), EventId: aws.String(fmt.Sprint(i)),
			Message: aws.String(at.Format("2006-01-02T15:04:05.000000Z") + " 0 [Warning] [MY-010908] [Server] Too many connections")})
	}
	logs := &fakeLogs{events: evs}
	res, err := Collect(context.Background(), logs, &fakeRDS{}, topo, w, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.Source != "cloudwatch_logs" || res.Summary.Lines != 10 || res.Summary.Patterns[0].Count != 10 || res.Findings[0].Code != "errorlog_too_many_connections" {
		t.Fatalf("%+v %+v", res.Summary, res.Findings)
	}
	starts := map[int64]bool{}
	for _, in := range logs.inputs {
		if aws.ToString(in.LogGroupName) != "/aws/rds/cluster/prod/error" || in.FilterPattern != nil || aws.ToInt64(in.EndTime)-aws.ToInt64(in.StartTime) != (15*time.Minute).Milliseconds()-1 {
			t.Fatalf("input %+v", in)
		}
		starts[aws.ToInt64(in.StartTime)] = true
	}
	if len(logs.inputs) != 8 || !starts[t0.UnixMilli()] || !starts[t0.Add(105*time.Minute).UnixMilli()] {
		t.Fatalf("%d calls, starts %v", len(logs.inputs), starts)
	}
	// not exported → files, with a finding
	topo.LogExports = nil
	api := &fakeRDS{data: "2026-11-22T00:30:00.000000Z 0 [ERROR] [MY-000000] [Server] Out of memory (Needed 1024 bytes)\n"}
	res, err = Collect(context.Background(), logs, api, topo, w, Request{Instance: "prod-2"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.Source != "log_files" || res.Summary.Lines != 1 || res.Findings[0].Code != "errorlog_out_of_memory" || res.Findings[0].Severity != "critical" {
		t.Fatalf("files: %+v %+v", res.Summary, res.Findings)
	}
	if len(api.describes) != 1 || aws.ToString(api.describes[0].DBInstanceIdentifier) != "prod-2" {
		t.Fatalf("describes %+v", api.describes)
	}
	// AWS error
	topo.LogExports = []string{"error"}
	denied := errors.New("AccessDeniedException")
	if _, err := Collect(context.Background(), &fakeLogs{err: denied}, api, topo, w, Request{}); !errors.Is(err, denied) {
		t.Fatalf("err %v", err)
	}
}
