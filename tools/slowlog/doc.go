// Package slowlog holds the slowlog toolset (get_slow_queries) and the slow-query digest engine: streaming
// parsers for every slow-log form Aurora and RDS produce, pt-query-digest compatible fingerprints, a
// parallel digest, and the fetch from CloudWatch Logs or the instances' log files.
//
// # Parsers (streaming, byte-oriented, no line-length cap, invalid UTF-8 tolerated)
//
//   - ParseMySQL: MySQL 8 / Aurora MySQL 3 files (ISO "# Time" on every entry, "Id:" in User@Host, generic
//     "Key: value" header pairs so log_slow_extra fields parse too), MariaDB and 5.6 style ("# Time" only
//     when the second changes and inherited, Thread_id/Schema lines, EXPLAIN lines), server preambles at
//     any point, `use db;` state, the first SET timestamp line as metadata. An entry boundary is a
//     "# Time:"/"# User@Host:" line after a line ending in ";" with the statement's lexer state closed, so
//     string literals holding newlines and fake headers stay inside their statement; a safety valve gives
//     the veto up after 16 vetoed headers, 8 MiB, or at the end of input with the literal still open.
//   - EventParser: the CloudWatch Logs export, one event per entry, headerless events continue the previous
//     event of their stream (RDS splits entries over 256 KiB), `use db` carried per stream; PostgreSQL
//     events are lines. ParseEventsJSONL reads `aws logs filter-log-events` events as JSON lines.
//   - ParsePostgres: the RDS prefix %t:%r:%u@%d:[%p]: (remote "[local]", empty, or host(port) incl. IPv6),
//     TAB continuations, "duration: X ms  statement|execute …" as statements, parse/bind steps counted apart,
//     bare "duration:" paired with the process's preceding "statement:".
//   - ParseAuto / DetectFormat pick the parser from the first line.
//
// # Fingerprints and digest
//
// Fingerprinter lexes the statement (MySQL or PostgreSQL rules) and renders a canonical fingerprint: lower
// case, comments dropped (/*! versioned */ content kept), literals and parameters → ?, IN lists → in(?+),
// multi-row VALUES → values(?+), LIMIT a,b / LIMIT a OFFSET b → limit ?, digits inside identifiers → ?
// (optional, on by default like pt), and canonical spacing so case, whitespace, backtick and
// operator-spacing variants share a class. ClassID is a 64-bit FNV-1a hash of the fingerprint. (The issue
// asked for github.com/DataDog/go-sqllexer underneath; it is not in go.mod, so the lexer is our own.)
//
// Digester aggregates per class: count, total/avg/p95/min/max query time, lock time, rows sent, examined
// and affected, first/last seen, instances, databases, users, the slowest execution as example (literals
// masked unless raw examples are asked for), and per-hour counts; memory is O(classes) (p95 is exact up to
// 512 values per class, then from 1 %-wide log buckets, ±0.5 %). Run parses on one goroutine and
// fingerprints on GOMAXPROCS workers, merging their digests.
//
// # Engine functions (plain Go; what run_health_check and `kida-mcp digest` call)
//
//	func Collect(ctx context.Context, logs LogsAPI, api RDSAPI, t cluster.Topology, w timewin.Window, req Request) (Result, error)
//	func Diagnose(t cluster.Topology, members []string) []tools.Finding
//	func Run(ctx context.Context, parse func(fn func(*Entry)) error, opt Options) (*Digester, error)
//	func FetchEvents(ctx context.Context, api LogsAPI, req EventRequest, newSink func() EventSink) (Coverage, error)
//	func FetchLogFiles(ctx context.Context, api RDSAPI, req FileRequest, newSink func(instance, file string) LineSink) (Coverage, error)
//
// Collect reads /aws/rds/cluster/<id>/slowquery (or …/postgresql; /aws/rds/instance/<id>/… for standalone
// instances) with FilterLogEvents — full event text, which Logs Insights truncates — in up to 24 time
// slices read 4 at a time, each with an equal share of the event budget (200,000 events, 60 s by default),
// so a cut read is a sample of the whole window; Coverage says which. When the log is not exported, or its
// group does not exist, it reads the members' log files with DescribeDBLogFiles and
// DownloadDBLogFilePortion. Any AWS error is returned (wrapped with region and cluster id) so the health
// check can record it as a gap.
//
// AWS calls: logs:FilterLogEvents; rds:DescribeDBLogFiles, rds:DownloadDBLogFilePortion (fallback); plus
// cluster.Describe's RDS calls.
package slowlog
