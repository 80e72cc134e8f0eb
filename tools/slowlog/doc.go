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
// Fingerprinter runs a five-step pipeline per statement. (1) Our byte lexer (MySQL or PostgreSQL rules;
// the same lexer the parsers' boundary detection and example masking use) splits the statement and its
// literals are masked (strings → an empty string literal, numbers → 0). (2) github.com/DataDog/go-sqllexer obfuscates and
// normalizes the masked text (DBMSMySQL / DBMSPostgres rules: literals, NULL, booleans and $n → ?, comments
// dropped, runs of ? in brackets grouped, identifiers, their quotes and aliases kept). (3) A skeleton check
// compares its output with the statement: the same words (case-folded), quoted identifiers and operators
// in the same order, each run of literals still a run. go-sqllexer loses some of these — it reads k+1 as
// "k" and the number "+1", X'41'/b'1'/E'x' as a word and a string, drops the literal after a non-literal
// in a grouped list, and drops /*! versioned comments */ (those statements skip it) — so (4) a statement
// that fails the check, or that go-sqllexer returns an error or panics on, goes through our lexer alone
// (counted in Fingerprinter.Fallbacks; 10 of the ~430 statement shapes of the Aurora corpus, 1 of 72 of
// the PostgreSQL one). (5) Both paths end in the pt-compatible pass: lower case, IN lists → in(?+),
// multi-row VALUES → values(?+), LIMIT a,b / LIMIT a OFFSET b → limit ?, signs folded into literals in
// operand position, digits inside identifiers → ? (optional, on by default like pt), and canonical spacing
// so case, whitespace, backtick and operator-spacing variants share a class. Results are cached per masked
// shape (at most 8,192 shapes of ≤ 4 KiB per Fingerprinter, so memory stays bounded), so go-sqllexer runs
// once per distinct shape, not per entry, and the fingerprint is a function of the masked text alone
// (independent of arrival order and worker). Longer statements (multi-row INSERTs, 1000-value IN lists)
// skip go-sqllexer and the cache: its cost on them is out of proportion and our lexer is linear. ClassID
// is a 64-bit FNV-1a hash of the fingerprint.
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
