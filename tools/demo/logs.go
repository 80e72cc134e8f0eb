package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// CloudWatch Logs: the exported slow query, error and postgresql logs of the demo fleet, generated
// deterministically over the 7 days before Fleet.Now:
//   - /aws/rds/cluster/orders-prod/slowquery: Aurora MySQL 3 slow-log events (one event per entry) from the
//     writer of the moment (Fleet.WriterAt) and a little read traffic on the other member with
//     slow_query_log=1 (orders-prod-3 has it off). During Incident.Start..End the report query storm
//     (report_svc's regional revenue report) hammers the writer, moving to orders-prod-1 at FailoverAt;
//     the old writer logs a server preamble when it restarts. One bulk INSERT a day is larger than 256 KiB
//     and arrives as a headerless continuation event, as RDS splits it.
//   - /aws/rds/cluster/orders-prod/error: aborted connections, access denied (one user name carries
//     HTML/script text), a deadlock, "Too many connections" during the storm, the shutdown/restart and
//     promotion around FailoverAt.
//   - /aws/rds/cluster/billing-pg/postgresql: RDS PostgreSQL lines (log_min_duration_statement=1000):
//     duration statements and executes with parameters, checkpoints, autovacuum, a duplicate key error,
//     authentication failures, a statement timeout.
//   - /aws/rds/instance/legacy-mysql/error: the standalone MySQL instance's error log.

type logsAPI struct {
	f      *Fleet
	region string
}

// Logs implements awsclient.Clients.
func (f *Fleet) Logs(region string) awsclient.LogsAPI { return &logsAPI{f: f, region: region} }

// logEvent is one CloudWatch Logs event.
type logEvent struct {
	stream string
	ts     int64 // ms
	msg    string
}

var (
	logCacheMu sync.Mutex
	logCache   = map[string][]logEvent{}
)

// logGroup returns the events of a demo log group sorted by time (nil, false when the group does not exist).
func (f *Fleet) logGroup(group string) ([]logEvent, bool) {
	var gen func() []logEvent
	switch group {
	case "/aws/rds/cluster/orders-prod/slowquery":
		gen = f.ordersSlowLog
	case "/aws/rds/cluster/orders-prod/error":
		gen = f.ordersErrorLog
	case "/aws/rds/cluster/billing-pg/postgresql":
		gen = f.billingPostgresLog
	case "/aws/rds/instance/legacy-mysql/error":
		gen = f.legacyErrorLog
	default:
		return nil, false
	}
	key := f.Now.Format(time.RFC3339) + group
	logCacheMu.Lock()
	defer logCacheMu.Unlock()
	if evs, ok := logCache[key]; ok {
		return evs, true
	}
	if len(logCache) > 16 {
		clear(logCache)
	}
	evs := gen()
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].ts < evs[j].ts })
	logCache[key] = evs
	return evs, true
}

func (l *logsAPI) StartQuery(context.Context, *cloudwatchlogs.StartQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error) {
	return nil, opErr("CloudWatch Logs", "StartQuery", &logtypes.InvalidOperationException{Message: aws.String("Logs Insights is not simulated by the demo fleet; use FilterLogEvents")})
}

func (l *logsAPI) GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	return nil, opErr("CloudWatch Logs", "GetQueryResults", &logtypes.InvalidOperationException{Message: aws.String("Logs Insights is not simulated by the demo fleet")})
}

func (l *logsAPI) StopQuery(context.Context, *cloudwatchlogs.StopQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error) {
	return &cloudwatchlogs.StopQueryOutput{Success: true}, nil
}

// FilterLogEvents pages through a group like CloudWatch Logs: StartTime/EndTime inclusive (ms), stream
// names, plain and ?-alternative filter terms, at most Limit (10,000) events or 1 MB per page.
func (l *logsAPI) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	group := aws.ToString(in.LogGroupName)
	evs, ok := l.f.logGroup(group)
	if l.region != Region || !ok {
		return nil, opErr("CloudWatch Logs", "FilterLogEvents", &logtypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")})
	}
	start, end := int64(0), int64(1<<62)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	limit := 10000
	if in.Limit != nil && *in.Limit > 0 {
		limit = int(*in.Limit)
	}
	off := 0
	if in.NextToken != nil {
		off, _ = strconv.Atoi(strings.TrimPrefix(*in.NextToken, "demo/"))
	}
	streams := map[string]bool{}
	for _, s := range in.LogStreamNames {
		streams[s] = true
	}
	match := filterMatcher(aws.ToString(in.FilterPattern))
	i := sort.Search(len(evs), func(i int) bool { return evs[i].ts >= start })
	i = max(i, off)
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	size := 0
	for ; i < len(evs) && evs[i].ts <= end; i++ {
		e := evs[i]
		if (len(streams) > 0 && !streams[e.stream]) || !match(e.msg) {
			continue
		}
		if len(out.Events) >= limit || size+len(e.msg) > 1<<20 && len(out.Events) > 0 {
			out.NextToken = aws.String("demo/" + strconv.Itoa(i))
			break
		}
		size += len(e.msg)
		out.Events = append(out.Events, logtypes.FilteredLogEvent{
			LogStreamName: aws.String(e.stream), Timestamp: aws.Int64(e.ts), IngestionTime: aws.Int64(e.ts + 1500),
			Message: aws.String(e.msg), EventId: aws.String(fmt.Sprintf("%056d", i)),
		})
	}
	return out, nil
}

// filterMatcher implements the plain subset of the filter pattern syntax: "a b" (all terms) and
// "?a ?b" (any term); empty matches everything.
func filterMatcher(p string) func(string) bool {
	terms := strings.Fields(p)
	if len(terms) == 0 {
		return func(string) bool { return true }
	}
	anyOf := strings.HasPrefix(terms[0], "?")
	for i, t := range terms {
		terms[i] = strings.Trim(strings.TrimPrefix(t, "?"), `"`)
	}
	return func(s string) bool {
		for _, t := range terms {
			has := strings.Contains(s, t)
			if anyOf && has {
				return true
			}
			if !anyOf && !has {
				return false
			}
		}
		return !anyOf
	}
}

func (l *logsAPI) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	if l.region != Region {
		return out, nil
	}
	for _, g := range []string{"/aws/rds/cluster/billing-pg/postgresql", "/aws/rds/cluster/orders-prod/error", "/aws/rds/cluster/orders-prod/slowquery", "/aws/rds/instance/legacy-mysql/error"} {
		if p := aws.ToString(in.LogGroupNamePrefix); p != "" && !strings.HasPrefix(g, p) {
			continue
		}
		out.LogGroups = append(out.LogGroups, logtypes.LogGroup{
			LogGroupName: aws.String(g), Arn: aws.String(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", Region, Account, g)),
			CreationTime: aws.Int64(l.f.Now.AddDate(0, -6, 0).UnixMilli()),
		})
	}
	return out, nil
}

// --- generators -------------------------------------------------------------------------------------

const logSpan = 7 * 24 * time.Hour

// mysqlEntry renders one Aurora MySQL 3 slow-log entry as its CloudWatch event message.
type mysqlEntry struct {
	end          time.Time
	user, ip     string
	thread       int
	qt, lock     float64
	sent, exam   int64
	db           string // written as "use db;" when it differs from the stream's previous entry
	sql          string
	adminCommand string
}

func (e mysqlEntry) message(prevDB *string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Time: %s\n", e.end.UTC().Format("2006-01-02T15:04:05.000000Z"))
	fmt.Fprintf(&b, "# User@Host: %s[%s] @  [%s]  Id: %5d\n", e.user, e.user, e.ip, e.thread)
	fmt.Fprintf(&b, "# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d\n", e.qt, e.lock, e.sent, e.exam)
	if e.db != "" && e.db != *prevDB {
		fmt.Fprintf(&b, "use %s;\n", e.db)
		*prevDB = e.db
	}
	start := e.end.Add(-time.Duration(e.qt * float64(time.Second)))
	fmt.Fprintf(&b, "SET timestamp=%d;\n", start.Unix())
	if e.adminCommand != "" {
		fmt.Fprintf(&b, "# administrator command: %s;", e.adminCommand)
	} else {
		b.WriteString(e.sql + ";")
	}
	return b.String()
}

var (
	firstNames = []string{"kim.minji", "lee.jiho", "park.seoyeon", "choi.dohyun", "jung.hana", "kang.yuna", "cho.minho", "yoon.sora"}
	skus       = []string{"SKU-10442", "SKU-20318", "SKU-33107", "SKU-40021", "SKU-51877"}
	appIPs     = []string{"10.0.3.15", "10.0.3.27", "10.0.3.41", "10.0.4.9"}
)

// backgroundQuery returns one everyday slow statement of the orders app.
func backgroundQuery(r *rand.Rand, at time.Time, storm bool) mysqlEntry {
	e := mysqlEntry{user: "app", ip: appIPs[r.IntN(len(appIPs))], thread: 10000 + r.IntN(5000), db: "orders"}
	slow := 1.0
	if storm {
		slow = 3 + 4*r.Float64() // everything crawls while the CPU is pinned
	}
	switch k := r.IntN(100); {
	case k < 30:
		e.sql = fmt.Sprintf("SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = %d ORDER BY o.created_at DESC LIMIT 20", 1000+r.IntN(90000))
		e.qt, e.sent, e.exam = (0.5+0.4*r.Float64())*slow, 20, int64(180000+r.IntN(40000))
	case k < 50:
		e.sql = fmt.Sprintf("UPDATE inventory SET reserved = reserved + %d WHERE sku = '%s' AND warehouse_id = %d", 1+r.IntN(3), skus[r.IntN(len(skus))], 1+r.IntN(4))
		e.qt, e.exam = (0.5+0.8*r.Float64())*slow, 1
		e.lock = e.qt * (0.6 + 0.3*r.Float64()) // row lock waits
	case k < 65:
		e.sql = fmt.Sprintf("SELECT * FROM customers WHERE email = '%s%d@example.com'", firstNames[r.IntN(len(firstNames))], r.IntN(100))
		e.qt, e.sent, e.exam = (0.6+0.3*r.Float64())*slow, 1, 1250000
	case k < 78:
		e.sql = fmt.Sprintf("SELECT COUNT(*) FROM order_items WHERE created_at >= '%s'", at.Add(-24*time.Hour).Format("2006-01-02 15:04:05"))
		e.qt, e.sent, e.exam = (0.7+0.5*r.Float64())*slow, 1, int64(2400000+r.IntN(300000))
	case k < 88:
		n := 2 + r.IntN(4)
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf("(%d, '%s', '{\"by\": \"checkout\"}', NOW(6))", 5000000+r.IntN(999999), []string{"created", "paid", "shipped"}[r.IntN(3)])
		}
		e.sql = "INSERT INTO order_events (order_id, kind, payload, created_at) VALUES " + strings.Join(vals, ",")
		e.qt, e.lock = (0.5+0.3*r.Float64())*slow, 0.0002
	case k < 95:
		// a product search from the storefront; the search box lets anything through
		term := []string{"wireless earbuds", "usb-c cable", "<script>alert(1)</script>", "gift card"}[r.IntN(4)]
		e.sql = fmt.Sprintf("SELECT /* search:%s */ id, name, price FROM products WHERE name LIKE '%%%s%%' ORDER BY popularity DESC LIMIT 50", term, term)
		e.qt, e.sent, e.exam = (0.5+0.5*r.Float64())*slow, int64(r.IntN(50)), 420000
	default:
		e.user, e.ip, e.db = "ops", "10.0.9.4", "ops"
		e.sql = "DELETE FROM cart_items WHERE updated_at < NOW() - INTERVAL 30 DAY LIMIT 5000"
		e.qt, e.exam = (1.5+r.Float64())*slow, 5000
	}
	if e.lock == 0 {
		e.lock = 0.00005 + 0.0002*r.Float64()
	}
	return e
}

// stormQuery is the incident's report query: a regional revenue report run in a loop by report_svc.
func stormQuery(r *rand.Rand, at time.Time) mysqlEntry {
	since := at.AddDate(0, 0, -30).Format("2006-01-02")
	return mysqlEntry{
		user: "report_svc", ip: "10.0.4.21", thread: 20000 + r.IntN(64), db: "orders",
		sql: "/* report:regional_revenue */ SELECT c.region, DATE(o.created_at) AS d, SUM(oi.qty * oi.price) AS revenue\n" +
			"  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n  JOIN order_items oi ON oi.order_id = o.id\n" +
			fmt.Sprintf(" WHERE o.created_at >= '%s' AND o.status IN ('paid', 'shipped')\n GROUP BY c.region, d\n ORDER BY revenue DESC\n LIMIT %d", since, 100),
		qt: 9 + 14*r.Float64(), lock: 0.0001 + 0.0004*r.Float64(), sent: 100, exam: int64(38_000_000 + r.IntN(6_000_000)),
	}
}

func (f *Fleet) ordersSlowLog() []logEvent {
	r := rng("logs/orders-prod/slowquery")
	inc := f.Incident
	from := f.Now.Add(-logSpan)
	type item struct {
		stream   string
		e        mysqlEntry
		preamble bool
	}
	var items []item
	add := func(stream string, e mysqlEntry) {
		if !e.end.Before(from) && e.end.Before(f.Now) {
			items = append(items, item{stream: stream, e: e})
		}
	}
	// background: the writer of the moment logs a slow statement every ~3 minutes (every ~20 s during the
	// storm), the other member with slow_query_log=1 a slow read now and then
	for t := from; t.Before(f.Now); {
		storm := !t.Before(inc.Start) && t.Before(inc.End)
		step := time.Duration(60+r.IntN(240)) * time.Second
		if storm {
			step = time.Duration(8+r.IntN(24)) * time.Second
		}
		t = t.Add(step)
		if !t.Before(inc.FailoverAt) && t.Before(inc.FailoverAt.Add(40*time.Second)) {
			continue // no writer during the failover
		}
		e := backgroundQuery(r, t, storm)
		e.end = t
		add(f.WriterAt("orders-prod", t), e)
		if r.IntN(5) == 0 {
			reader := "orders-prod-1"
			if f.WriterAt("orders-prod", t) == "orders-prod-1" {
				reader = "orders-prod-2"
			}
			e := backgroundQuery(r, t, false)
			if e.user == "app" && !strings.HasPrefix(e.sql, "SELECT") {
				e.sql = fmt.Sprintf("SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = %d ORDER BY o.created_at DESC LIMIT 20", 1000+r.IntN(90000))
				e.sent, e.exam, e.lock = 20, int64(180000+r.IntN(40000)), 0.0001
			}
			e.end = t.Add(time.Duration(1+r.IntN(60)) * time.Second)
			add(reader, e)
		}
	}
	// the storm: report_svc fires the report every few seconds against the writer endpoint
	for t := inc.Start.Add(5 * time.Second); t.Before(inc.End); t = t.Add(time.Duration(3+r.IntN(5)) * time.Second) {
		if !t.Before(inc.FailoverAt) && t.Before(inc.FailoverAt.Add(40*time.Second)) {
			continue
		}
		e := stormQuery(r, t)
		e.end = t.Add(time.Duration(e.qt * float64(time.Second)))
		add(f.WriterAt("orders-prod", t), e)
	}
	// connection pool health checks show up as administrator commands while the writer is slow
	for t := inc.Start.Add(2 * time.Minute); t.Before(inc.End); t = t.Add(7 * time.Minute) {
		add(f.WriterAt("orders-prod", t), mysqlEntry{end: t, user: "app", ip: "10.0.3.15", thread: 10001, qt: 0.8 + r.Float64(), adminCommand: "Ping"})
	}
	// a nightly bulk load whose statement is over 256 KiB: RDS splits its event, the rest arrives headerless
	for d := from.Truncate(24 * time.Hour).Add(24*time.Hour + 17*time.Hour + 5*time.Minute); d.Before(f.Now); d = d.Add(24 * time.Hour) {
		var vals strings.Builder
		for i := 0; vals.Len() < 300<<10; i++ {
			if i > 0 {
				vals.WriteByte(',')
			}
			fmt.Fprintf(&vals, "(%d,%d,%d,%.2f)", 9000000+i, 1000+i%4000, 1+i%5, 3.5+float64(i%400)/4)
		}
		add(f.WriterAt("orders-prod", d), mysqlEntry{end: d, user: "etl", ip: "10.0.8.30", thread: 30001, qt: 4.2 + r.Float64(), lock: 0.0012, db: "orders",
			sql: "INSERT INTO order_items_archive (order_id, product_id, qty, price) VALUES " + vals.String()})
	}
	// the old writer restarts as a reader after the failover: mysqld writes its preamble into the log
	if at := inc.FailoverAt.Add(25 * time.Second); at.Before(f.Now) && !at.Before(from) {
		items = append(items, item{stream: inc.OldWriter, e: mysqlEntry{end: at}, preamble: true})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].e.end.Before(items[j].e.end) })
	// render in time order: "use db;" only when the stream's database changes
	prevDB := map[string]string{}
	var evs []logEvent
	for _, it := range items {
		ts := it.e.end.UnixMilli()
		if it.preamble {
			evs = append(evs, logEvent{stream: it.stream, ts: ts,
				msg: "/rdsdbbin/oscar/bin/mysqld, Version: 8.0.32 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument"})
			prevDB[it.stream] = ""
			continue
		}
		db := prevDB[it.stream]
		msg := it.e.message(&db)
		prevDB[it.stream] = db
		const chunk = 262144
		for k := 0; k < len(msg); k += chunk {
			evs = append(evs, logEvent{stream: it.stream, ts: ts, msg: msg[k:min(k+chunk, len(msg))]})
		}
	}
	return evs
}

// mysqlErrorLine renders an Aurora MySQL 3 error-log line.
func mysqlErrorLine(t time.Time, thread int, prio, code, subsystem, msg string) string {
	return fmt.Sprintf("%s %d [%s] [%s] [%s] %s", t.UTC().Format("2006-01-02T15:04:05.000000Z"), thread, prio, code, subsystem, msg)
}

func (f *Fleet) ordersErrorLog() []logEvent {
	r := rng("logs/orders-prod/error")
	inc := f.Incident
	from := f.Now.Add(-logSpan)
	var evs []logEvent
	add := func(stream string, t time.Time, thread int, prio, code, sub, msg string) {
		if t.Before(from) || !t.Before(f.Now) {
			return
		}
		evs = append(evs, logEvent{stream: stream, ts: t.UnixMilli(), msg: mysqlErrorLine(t, thread, prio, code, sub, msg)})
	}
	members := []string{"orders-prod-1", "orders-prod-2", "orders-prod-3"}
	// background: aborted connections from idle pool connections killed by wait_timeout, now and then
	for t := from; t.Before(f.Now); t = t.Add(time.Duration(20+r.IntN(70)) * time.Minute) {
		m := members[r.IntN(len(members))]
		th := 10000 + r.IntN(9000)
		add(m, t, th, "Note", "MY-010914", "Server", fmt.Sprintf("Aborted connection %d to db: 'orders' user: 'app' host: '%s' (Got timeout reading communication packets).", th, appIPs[r.IntN(len(appIPs))]))
	}
	// a credential scanner hitting the writer endpoint once a day, one attempt with markup in the user name
	for d := from.Truncate(24 * time.Hour).Add(27 * time.Hour); d.Before(f.Now); d = d.Add(24 * time.Hour) {
		for i, u := range []string{"admin", "root", "test", "<script>alert(1)</script>"} {
			add(f.WriterAt("orders-prod", d), d.Add(time.Duration(i*3)*time.Second), 40000+i, "Note", "MY-010926", "Server",
				fmt.Sprintf("Access denied for user '%s'@'203.0.113.77' (using password: YES)", u))
		}
	}
	// a deadlock between checkout and the inventory sync job this morning
	if dl := f.Now.Add(-9 * time.Hour).Truncate(time.Minute).Add(17 * time.Second); dl.After(from) {
		w := f.WriterAt("orders-prod", dl)
		add(w, dl, 15422, "Note", "MY-012468", "InnoDB", "Transactions deadlock detected, dumping detailed information. (lock0lock.cc:6482)")
		add(w, dl, 15422, "Note", "MY-012469", "InnoDB", "*** (1) TRANSACTION:")
		add(w, dl, 15422, "Note", "MY-012469", "InnoDB", "TRANSACTION 8842211, ACTIVE 2 sec starting index read mysql tables in use 1, locked 1 LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s) MySQL thread id 15422, OS thread handle 70368744, query id 99211 10.0.3.27 app updating UPDATE inventory SET reserved = reserved + 1 WHERE sku = 'SKU-10442' AND warehouse_id = 2")
		add(w, dl, 15422, "Note", "MY-012469", "InnoDB", "*** (2) TRANSACTION:")
		add(w, dl, 15422, "Note", "MY-012469", "InnoDB", "TRANSACTION 8842214, ACTIVE 1 sec starting index read mysql tables in use 1, locked 1 MySQL thread id 15501, OS thread handle 70368801, query id 99230 10.0.4.9 app updating UPDATE inventory SET reserved = reserved - 1 WHERE sku = 'SKU-20318' AND warehouse_id = 2")
		add(w, dl, 15422, "Note", "MY-012469", "InnoDB", "*** WE ROLL BACK TRANSACTION (2)")
	}
	// the storm: connections pile up on the writer of the moment
	for t := inc.Start.Add(9 * time.Minute); t.Before(inc.End); t = t.Add(time.Duration(15+r.IntN(40)) * time.Second) {
		if !t.Before(inc.FailoverAt.Add(-20*time.Second)) && t.Before(inc.FailoverAt.Add(90*time.Second)) {
			continue
		}
		w := f.WriterAt("orders-prod", t)
		add(w, t, 0, "Warning", "MY-010908", "Server", "Too many connections")
		if r.IntN(2) == 0 {
			th := 20000 + r.IntN(64)
			add(w, t.Add(2*time.Second), th, "Note", "MY-010914", "Server", fmt.Sprintf("Aborted connection %d to db: 'orders' user: 'report_svc' host: '10.0.4.21' (Got an error writing communication packets).", th))
		}
	}
	// the failover: the old writer shuts down and comes back as a reader, the new writer is promoted
	fo := inc.FailoverAt
	old, nw := inc.OldWriter, inc.Writer
	add(old, fo.Add(-8*time.Second), 0, "Warning", "MY-010000", "Server", "Aurora: health check failed: writer did not respond within 30 seconds, starting failover")
	add(old, fo.Add(-3*time.Second), 0, "System", "MY-013172", "Server", "Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 8.0.32).")
	add(old, fo.Add(2*time.Second), 0, "System", "MY-010910", "Server", "/rdsdbbin/oscar/bin/mysqld: Shutdown complete (mysqld 8.0.32)  Source distribution.")
	add(nw, fo, 0, "System", "MY-010000", "Server", "Aurora: this instance is being promoted to writer (failover)")
	add(nw, fo.Add(11*time.Second), 0, "System", "MY-010000", "Server", "Aurora: promotion to writer complete")
	add(old, fo.Add(21*time.Second), 0, "System", "MY-010116", "Server", "/rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process 1123")
	add(old, fo.Add(29*time.Second), 0, "System", "MY-010931", "Server", "/rdsdbbin/oscar/bin/mysqld: ready for connections. Version: '8.0.32'  socket: '/tmp/mysql.sock'  port: 3306  Source distribution.")
	// the lagging reader is rebooted after the storm
	rb := inc.RebootAt
	add(inc.LaggingReader, rb, 0, "System", "MY-013172", "Server", "Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 8.0.32).")
	add(inc.LaggingReader, rb.Add(4*time.Second), 0, "System", "MY-010910", "Server", "/rdsdbbin/oscar/bin/mysqld: Shutdown complete (mysqld 8.0.32)  Source distribution.")
	add(inc.LaggingReader, rb.Add(38*time.Second), 0, "System", "MY-010116", "Server", "/rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process 977")
	add(inc.LaggingReader, rb.Add(46*time.Second), 0, "System", "MY-010931", "Server", "/rdsdbbin/oscar/bin/mysqld: ready for connections. Version: '8.0.32'  socket: '/tmp/mysql.sock'  port: 3306  Source distribution.")
	// replica lag during the storm shows on the lagging reader
	add(inc.LaggingReader, inc.Start.Add(18*time.Minute), 0, "Warning", "MY-010000", "Server", "Aurora: replica lag 41823 ms exceeds 30000 ms; reads may be stale")
	return evs
}

func (f *Fleet) legacyErrorLog() []logEvent {
	r := rng("logs/legacy-mysql/error")
	from := f.Now.Add(-logSpan)
	var evs []logEvent
	for t := from; t.Before(f.Now); t = t.Add(time.Duration(90+r.IntN(240)) * time.Minute) {
		th := 500 + r.IntN(900)
		evs = append(evs, logEvent{stream: "legacy-mysql", ts: t.UnixMilli(), msg: mysqlErrorLine(t, th, "Note", "MY-010914", "Server",
			fmt.Sprintf("Aborted connection %d to db: 'legacy' user: 'cron' host: '10.0.2.8' (Got an error reading communication packets).", th))})
	}
	for t := from.Add(5 * time.Hour); t.Before(f.Now); t = t.Add(19 * time.Hour) {
		evs = append(evs, logEvent{stream: "legacy-mysql", ts: t.UnixMilli(), msg: mysqlErrorLine(t, 0, "Warning", "MY-010055", "Server",
			"IP address '198.51.100.23' could not be resolved: Name or service not known")})
	}
	return evs
}

// pgLine renders an RDS PostgreSQL log line with the %t:%r:%u@%d:[%p]: prefix.
func pgLine(t time.Time, remote, user, db string, pid int, level, msg string) string {
	return fmt.Sprintf("%s UTC:%s:%s@%s:[%d]:%s:  %s", t.UTC().Format("2006-01-02 15:04:05"), remote, user, db, pid, level, msg)
}

func (f *Fleet) billingPostgresLog() []logEvent {
	r := rng("logs/billing-pg/postgresql")
	from := f.Now.Add(-logSpan)
	var evs []logEvent
	add := func(stream string, t time.Time, msg string) {
		if !t.Before(from) && t.Before(f.Now) {
			evs = append(evs, logEvent{stream: stream, ts: t.UnixMilli(), msg: msg})
		}
	}
	w, rd := "billing-pg-1", "billing-pg-2"
	for t := from; t.Before(f.Now); t = t.Add(time.Duration(4+r.IntN(14)) * time.Minute) {
		pid := 20000 + r.IntN(9000)
		remote := fmt.Sprintf("10.0.7.%d(%d)", 10+r.IntN(20), 40000+r.IntN(20000))
		switch k := r.IntN(10); {
		case k < 4:
			acct := 1000 + r.IntN(8000)
			add(w, t, pgLine(t, remote, "billing", "billing", pid, "LOG", fmt.Sprintf("duration: %.3f ms  execute <unnamed>: SELECT sum(amount_cents) FROM usage_events WHERE account_id = $1 AND ts >= $2 AND ts < $3", 1000+1800*r.Float64())))
			add(w, t, pgLine(t, remote, "billing", "billing", pid, "DETAIL", fmt.Sprintf("parameters: $1 = '%d', $2 = '%s', $3 = '%s'", acct, t.AddDate(0, -1, 0).Format("2006-01-02"), t.Format("2006-01-02"))))
		case k < 6:
			add(w, t, pgLine(t, remote, "billing", "billing", pid, "LOG", fmt.Sprintf("duration: %.3f ms  statement: SELECT i.account_id, count(*) AS n, sum(li.amount_cents) AS total\n\t  FROM invoices i\n\t  JOIN line_items li ON li.invoice_id = i.id\n\t WHERE i.period = '%s'\n\t GROUP BY i.account_id\n\t ORDER BY total DESC\n\t LIMIT 500;", 1200+1500*r.Float64(), t.Format("2006-01"))))
		case k < 8:
			add(rd, t, pgLine(t, remote, "reporting", "billing", pid, "LOG", fmt.Sprintf("duration: %.3f ms  statement: SELECT date_trunc('day', ts) AS day, count(*) FROM usage_events WHERE ts > now() - interval '%d days' GROUP BY 1 ORDER BY 1", 1000+900*r.Float64(), 7+r.IntN(24))))
		case k < 9:
			add(w, t, pgLine(t, "", "", "", 412, "LOG", "checkpoint starting: time"))
			add(w, t.Add(2*time.Minute), pgLine(t.Add(2*time.Minute), "", "", "", 412, "LOG", fmt.Sprintf("checkpoint complete: wrote %d buffers (%.1f%%); 0 WAL file(s) added, 0 removed, 1 recycled; write=119.812 s, sync=0.004 s, total=119.844 s", 2000+r.IntN(9000), 1+5*r.Float64())))
		default:
			add(w, t, pgLine(t, "", "", "", 30000+r.IntN(999), "LOG", fmt.Sprintf("automatic vacuum of table \"billing.public.usage_events\": index scans: 1\n\tpages: 0 removed, %d remain, 0 skipped due to pins, 0 skipped frozen\n\ttuples: %d removed, %d remain, 0 are dead but not yet removable", 180000+r.IntN(9000), 20000+r.IntN(9000), 9000000+r.IntN(90000))))
		}
	}
	// errors: a retry storm on invoice creation (the application retries; no finding)
	for t := from.Add(3 * time.Hour); t.Before(f.Now); t = t.Add(time.Duration(5+r.IntN(8)) * time.Hour) {
		pid := 20000 + r.IntN(9000)
		remote := fmt.Sprintf("10.0.7.%d(%d)", 10+r.IntN(20), 40000+r.IntN(20000))
		id := 880000 + r.IntN(9999)
		add(w, t, pgLine(t, remote, "billing", "billing", pid, "ERROR", "duplicate key value violates unique constraint \"invoices_pkey\""))
		add(w, t, pgLine(t, remote, "billing", "billing", pid, "DETAIL", fmt.Sprintf("Key (id)=(%d) already exists.", id)))
		add(w, t, pgLine(t, remote, "billing", "billing", pid, "STATEMENT", fmt.Sprintf("INSERT INTO invoices (id, account_id, period, status) VALUES (%d, %d, '%s', 'open')", id, 1000+r.IntN(8000), t.Format("2006-01"))))
	}
	// harmless client warnings (a healthy cluster still has some): no finding comes from them
	for t := from.Add(11 * time.Hour); t.Before(f.Now); t = t.Add(26 * time.Hour) {
		add(w, t, pgLine(t, "10.0.7.31(50112)", "billing", "billing", 27001, "WARNING", "there is no transaction in progress"))
		add(rd, t.Add(time.Minute), pgLine(t.Add(time.Minute), "10.0.7.32(50113)", "reporting", "billing", 27002, "WARNING", "there is already a transaction in progress"))
	}
	return evs
}
