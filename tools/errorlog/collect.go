package errorlog

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
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Request tunes Collect.
type Request struct {
	Instance  string // only this member (default: every member)
	TopN      int    // patterns to return (default 20)
	MaxEvents int64  // CloudWatch event budget (default 200,000)
	Budget    time.Duration
	Probe     bool // read a quiet log in one call (slowlog.EventRequest.Probe)
}

// Result is the error-log summary of a cluster.
type Result struct {
	Engine    string           `json:"engine"`
	Instances []string         `json:"instances" jsonschema_description:"Members whose log was read."`
	Coverage  slowlog.Coverage `json:"coverage"`
	Summary   Summary          `json:"summary"`
	Findings  []tools.Finding  `json:"findings"`
	Hints     []string         `json:"hints"`
}

func logType(engine string) string {
	if cluster.IsPostgres(engine) {
		return "postgresql"
	}
	return "error"
}

// Collect summarizes the error log of topology t over window w: the CloudWatch Logs export
// (/aws/rds/cluster/<id>/error, or …/postgresql for PostgreSQL engines; /aws/rds/instance/<id>/… for
// standalone instances) read with FilterLogEvents, or the members' log files when the log is not exported.
// Messages are grouped by normalized pattern; notable classes (deadlock, too many connections, out of
// memory, aborted connections, restart, failover, replication, authentication failures, timeouts, crashes)
// are summed and turned into findings. AWS failures are returned as errors wrapped with region and id.
func Collect(ctx context.Context, logs LogsAPI, api RDSAPI, t cluster.Topology, w timewin.Window, req Request) (Result, error) {
	pg := cluster.IsPostgres(t.Engine)
	if !pg && !cluster.IsMySQL(t.Engine) {
		return Result{}, tools.Errorf("%s runs %s, which has no error log kida can read (MySQL and PostgreSQL engines only)", t.ID, t.Engine)
	}
	if req.TopN <= 0 {
		req.TopN = 20
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
	res := Result{Engine: t.Engine, Instances: members, Findings: []tools.Finding{}, Hints: []string{}}
	lt := logType(t.Engine)
	all := NewSummarizer(w.Start, w.End)
	exported := slices.Contains(t.LogExports, lt)
	fetched := false
	if exported {
		var mu sync.Mutex
		var parts []*Summarizer
		er := slowlog.EventRequest{Group: slowlog.LogGroup(t.Kind, t.ID, lt), From: w.Start, To: w.End, MaxEvents: req.MaxEvents, Budget: req.Budget, Probe: req.Probe}
		if req.Instance != "" {
			er.Streams = []string{req.Instance}
		}
		cov, err := slowlog.FetchEvents(ctx, logs, er, func() slowlog.EventSink {
			s := NewSummarizer(w.Start, w.End)
			mu.Lock()
			parts = append(parts, s)
			mu.Unlock()
			return &eventSink{pg: pg, s: s, streams: map[string]*LineParser{}}
		})
		switch {
		case errors.Is(err, slowlog.ErrLogGroupNotFound):
			res.Hints = append(res.Hints, fmt.Sprintf("the %s export is enabled but log group %s does not exist yet; read the instances' log files instead", lt, er.Group))
		case err != nil:
			return Result{}, awsclient.In(t.Region, t.ID, err)
		default:
			fetched = true
			res.Coverage = cov
			for _, p := range parts {
				all.Merge(p)
			}
		}
	}
	if !fetched {
		contains := "error"
		if pg {
			contains = "postgresql.log"
		}
		cov, err := slowlog.FetchLogFiles(ctx, api, slowlog.FileRequest{Instances: members, Contains: contains, From: w.Start, To: w.End, Budget: req.Budget},
			func(inst, _ string) slowlog.LineSink { return NewLineParser(inst, pg, all) })
		if err != nil {
			return Result{}, awsclient.In(t.Region, t.ID, err)
		}
		res.Coverage = cov
		if !exported {
			res.Hints = append(res.Hints, fmt.Sprintf("the %s log is not exported to CloudWatch Logs: read the instances' log files (only what they still keep); export it for history", lt))
			res.Findings = append(res.Findings, tools.Finding{Severity: tools.SeverityWarning, Code: "log_not_exported", Resource: t.ID,
				Title: lt + " log is not exported to CloudWatch Logs", Evidence: "log_exports=" + strings.Join(t.LogExports, ","),
				Action: "Enable the " + lt + " export (EnableCloudwatchLogsExports) so its history is kept and kida can read it."})
		}
	}
	res.Summary = all.Result(req.TopN)
	res.Findings = append(res.Findings, Findings(t.ID, res.Summary)...)
	tools.SortFindings(res.Findings)
	if res.Summary.Lines == 0 {
		res.Hints = append(res.Hints, "no error, warning or notable message in the window")
	}
	if !res.Coverage.Complete && res.Coverage.Reason != "" {
		res.Hints = append(res.Hints, "partial read: "+res.Coverage.Reason)
	}
	if n := all.Outside(); n > 0 {
		res.Hints = append(res.Hints, fmt.Sprintf("%d lines read outside the window were skipped", n))
	}
	return res, nil
}

// Findings turns the notable classes of a summary into findings about resource (the cluster id).
func Findings(resource string, s Summary) []tools.Finding {
	out := []tools.Finding{}
	for _, n := range s.Notable {
		sev, title, action := tools.SeverityInfo, "", ""
		switch n.Class {
		case ClassCrash:
			sev, title, action = tools.SeverityCritical, "The database process crashed", "Check the error log around the crash and the RDS events; open a support case if it repeats."
		case ClassOutOfMemory:
			sev, title, action = tools.SeverityCritical, "Out-of-memory errors", "Check FreeableMemory and memory-hungry settings or queries; consider a larger instance class."
		case ClassFailover:
			sev, title, action = tools.SeverityWarning, "Failover in the error log", "Correlate with get_rds_events and the slow-query digest to find the cause."
		case ClassRestart:
			sev, title, action = tools.SeverityWarning, "Database restarts", "Check get_rds_events for reboots, maintenance or failover around these times."
		case ClassTooManyConnections:
			sev, title, action = tools.SeverityWarning, "Connections exhausted (too many connections)", "Use a connection pool or RDS Proxy, find the client opening connections, and check max_connections."
		case ClassDeadlock:
			sev, title, action = tools.SeverityWarning, "Deadlocks", "Make transactions touch rows in one order and keep them short; see the deadlock dump in the log."
		case ClassReplication:
			sev, title, action = tools.SeverityWarning, "Replication messages", "Check replica lag metrics and the writer's load."
		case ClassTimeout:
			title, action = "Statement or lock timeouts", "Find the statements in the slow-query digest; tune them or the timeout."
		case ClassAuthFailure:
			title, action = "Authentication failures", "Check for misconfigured clients or scanning from unexpected addresses; restrict security groups."
		case ClassAbortedConnection:
			title, action = "Aborted connections", "Usually clients closing without COM_QUIT or idle timeouts; investigate if the rate is rising."
		}
		out = append(out, tools.Finding{Severity: sev, Code: "errorlog_" + n.Class, Resource: resource, Title: title,
			Evidence: fmt.Sprintf("%d messages %s → %s on %s", n.Count, n.FirstSeen, n.LastSeen, strings.Join(n.Instances, ", ")), Action: action})
	}
	return out
}
