package slowlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Request tunes Collect.
type Request struct {
	Instance    string // only this member (default: every member)
	TopN        int    // classes to return (default 10)
	OrderBy     string // one of OrderBys (default total)
	RawExamples bool   // keep literals in examples
	KeepDigits  bool   // keep digits inside identifiers in fingerprints
	MaxEvents   int64  // CloudWatch event budget (default 200,000)
	Budget      time.Duration
	Probe       bool // read a quiet log in one call (EventRequest.Probe)
}

// Result is what Collect found.
type Result struct {
	Engine    string          `json:"engine"`
	Dialect   string          `json:"dialect" jsonschema:"enum=mysql,enum=postgresql"`
	Instances []string        `json:"instances" jsonschema_description:"Members whose log was read."`
	Coverage  Coverage        `json:"coverage"`
	Digest    Digest          `json:"digest"`
	Findings  []tools.Finding `json:"findings" jsonschema_description:"Why the slow log may be empty or partial: logging off, long_query_time too high, log_output not FILE, not exported."`
	Hints     []string        `json:"hints"`
}

// slowFindings are the posture codes that explain a missing or thin slow log.
var slowFindings = []string{"slowlog_disabled", "slowlog_not_file", "long_query_time_high", "log_not_exported"}

// Diagnose returns the findings of the topology that limit what the slow log can show (logging off,
// long_query_time too high, log_output not FILE, the log not exported), for the given members.
func Diagnose(t cluster.Topology, members []string) []tools.Finding {
	out := []tools.Finding{}
	for _, f := range cluster.Posture(t) {
		if !slices.Contains(slowFindings, f.Code) {
			continue
		}
		if f.Code == "log_not_exported" && !strings.HasPrefix(f.Title, slowLogType(t.Engine)+" ") {
			continue
		}
		if f.Resource != t.ID && !slices.Contains(members, f.Resource) {
			continue
		}
		out = append(out, f)
	}
	tools.SortFindings(out)
	return out
}

func slowLogType(engine string) string {
	if cluster.IsPostgres(engine) {
		return "postgresql"
	}
	return "slowquery"
}

// Collect digests the slow query log of topology t over window w: from the CloudWatch Logs export
// (/aws/rds/cluster/<id>/slowquery or …/postgresql; /aws/rds/instance/<id>/… for standalone instances)
// with FilterLogEvents, or, when the log is not exported (or its group does not exist), from the members'
// log files (DescribeDBLogFiles + DownloadDBLogFilePortion). Entries outside the window are skipped. The
// result carries the read's coverage and the configuration findings that explain an empty or partial log.
// AWS failures are returned as errors (wrapped with region and cluster id) for the caller to report.
func Collect(ctx context.Context, logs LogsAPI, api RDSAPI, t cluster.Topology, w timewin.Window, req Request) (Result, error) {
	var d Dialect
	switch {
	case cluster.IsMySQL(t.Engine):
		d = MySQL
	case cluster.IsPostgres(t.Engine):
		d = Postgres
	default:
		return Result{}, tools.Errorf("%s runs %s, which has no slow query log kida can read (MySQL and PostgreSQL engines only)", t.ID, t.Engine)
	}
	if req.OrderBy == "" {
		req.OrderBy = OrderTotal
	}
	if !slices.Contains(OrderBys, req.OrderBy) {
		return Result{}, tools.Errorf("order_by %q is not one of %s", req.OrderBy, strings.Join(OrderBys, ", "))
	}
	if req.TopN <= 0 {
		req.TopN = 10
	}
	members := make([]string, 0, len(t.Members))
	for _, m := range t.Members {
		members = append(members, m.ID)
	}
	if req.Instance != "" {
		if !slices.Contains(members, req.Instance) {
			return Result{}, tools.Errorf("instance %q is not a member of %s; send one of %s, or omit instance for all members", req.Instance, t.ID, strings.Join(members, ", "))
		}
		members = []string{req.Instance}
	}
	res := Result{Engine: t.Engine, Dialect: d.String(), Instances: members, Findings: Diagnose(t, members), Hints: []string{}}
	opt := Options{KeepDigits: req.KeepDigits, RawExamples: req.RawExamples, From: w.Start, To: w.End}
	logType := slowLogType(t.Engine)

	var parts []*Digester
	var orphans int64
	exported := slices.Contains(t.LogExports, logType)
	fetched := false
	if exported {
		var mu sync.Mutex
		er := EventRequest{Group: LogGroup(t.Kind, t.ID, logType), From: w.Start, To: w.End, MaxEvents: req.MaxEvents, Budget: req.Budget, Probe: req.Probe}
		if req.Instance != "" {
			er.Streams = []string{req.Instance}
		}
		if d == Postgres {
			er.FilterPattern = "?duration ?statement"
		}
		var sinks []*digestSink
		cov, err := FetchEvents(ctx, logs, er, func() EventSink {
			s := &digestSink{d: NewDigester(opt)}
			s.p = NewEventParser(d, s.d.Add)
			mu.Lock()
			sinks = append(sinks, s)
			mu.Unlock()
			return s
		})
		switch {
		case errors.Is(err, ErrLogGroupNotFound):
			res.Hints = append(res.Hints, fmt.Sprintf("the %s export is enabled but log group %s does not exist yet (nothing has been logged since the export was enabled); read the instances' log files instead", logType, er.Group))
		case err != nil:
			return Result{}, awsclient.In(t.Region, t.ID, err)
		default:
			fetched = true
			res.Coverage = cov
			for _, s := range sinks {
				parts = append(parts, s.d)
				orphans += s.p.Orphans
			}
		}
	}
	if !fetched {
		dg := NewDigester(opt)
		contains := "slowquery"
		if d == Postgres {
			contains = "postgresql.log"
		}
		cov, err := FetchLogFiles(ctx, api, FileRequest{Instances: members, Contains: contains, From: w.Start, To: w.End, Budget: req.Budget},
			func(inst, _ string) LineSink {
				if d == Postgres {
					return pgLines{newPGParser(inst, dg.Add)}
				}
				return mysqlLines{newMySQLParser(inst, dg.Add)}
			})
		if err != nil {
			return Result{}, awsclient.In(t.Region, t.ID, err)
		}
		res.Coverage = cov
		parts = append(parts, dg)
		if !exported {
			res.Hints = append(res.Hints, fmt.Sprintf("the %s log is not exported to CloudWatch Logs: read the instances' log files with DownloadDBLogFilePortion (slower; only what the instances still keep)", logType))
		}
	}
	all := NewDigester(opt)
	for _, p := range parts {
		all.Merge(p)
	}
	res.Digest = all.Result(req.TopN, req.OrderBy, 3)
	res.Hints = append(res.Hints, hintsFor(t, members, res, orphans)...)
	return res, nil
}

type digestSink struct {
	p *EventParser
	d *Digester
}

func (s *digestSink) Add(stream string, ts int64, msg []byte) { s.p.Add(stream, ts, msg) }
func (s *digestSink) Flush()                                  { s.p.Flush() }

type mysqlLines struct{ p *mysqlParser }

func (m mysqlLines) Line(l []byte) { m.p.line(l) }
func (m mysqlLines) End()          { m.p.finish(false) }

type pgLines struct{ p *pgParser }

func (m pgLines) Line(l []byte) { m.p.line(l) }
func (m pgLines) End()          { m.p.flush() }

func hintsFor(t cluster.Topology, members []string, res Result, orphans int64) []string {
	var hs []string
	dg := res.Digest
	if dg.Entries == 0 {
		enabled := 0
		for _, s := range t.SlowLog {
			if slices.Contains(members, s.Instance) && s.Enabled {
				enabled++
			}
		}
		switch {
		case len(t.SlowLog) > 0 && enabled == 0:
			hs = append(hs, "no slow-log entries: slow query logging is off on every member read (see findings)")
		case res.Coverage.EventsRead == 0:
			hs = append(hs, "no slow-log entries in the window: nothing was logged (no statement exceeded the threshold, or logging is off on the members that ran the load)")
		default:
			hs = append(hs, fmt.Sprintf("%d events read but no statement entry found in the window", res.Coverage.EventsRead))
		}
	}
	if !res.Coverage.Complete && res.Coverage.Reason != "" {
		hs = append(hs, "partial read: "+res.Coverage.Reason)
	}
	if orphans > 0 {
		hs = append(hs, fmt.Sprintf("%d events continued an entry that started before the window or slice and were skipped", orphans))
	}
	if dg.TruncatedEntries > 0 {
		hs = append(hs, fmt.Sprintf("%d entries had cut text (a continuation event was missing); their fingerprints may differ", dg.TruncatedEntries))
	}
	if dg.OutsideWindow > 0 {
		hs = append(hs, fmt.Sprintf("%d entries read outside the window were skipped", dg.OutsideWindow))
	}
	for _, s := range t.SlowLog {
		if slices.Contains(members, s.Instance) && !s.Enabled {
			hs = append(hs, s.Instance+": slow logging is off there, so its slow statements are missing from this digest")
		}
	}
	if len(t.SlowLog) == 0 {
		hs = append(hs, "the slow-log parameters could not be read; the digest cannot say whether logging is complete")
	}
	return hs
}
