// Package errorlog holds the errorlog toolset: get_error_log_summary and its engine.
//
// Engine functions (plain Go; what run_health_check calls):
//
//	func Collect(ctx context.Context, logs LogsAPI, api RDSAPI, t cluster.Topology, w timewin.Window, req Request) (Result, error)
//	func Findings(resource string, s Summary) []tools.Finding
//	func NewSummarizer(from, to time.Time) *Summarizer   // Add(Line), Merge, Result(n)
//	func NewLineParser(instance string, pg bool, s *Summarizer) *LineParser
//	func ParseMySQLLine(l []byte) (Line, bool)
//	func Normalize(msg string, pg bool) string
//	func Classify(level, msg string) string
//
// Collect reads the error log export (/aws/rds/cluster/<id>/error for the MySQL family,
// /aws/rds/cluster/<id>/postgresql for PostgreSQL; /aws/rds/instance/<id>/… for standalone instances) with
// slowlog.FetchEvents (FilterLogEvents, time-sliced, event and time budget), or the members' log files
// when the log is not exported. MySQL 8 / Aurora MySQL 3 lines ("<ts> <thread> [Level] [MY-code]
// [Subsystem] message") and 5.7 lines are parsed; an InnoDB deadlock dump counts once. For PostgreSQL the
// RDS prefix is parsed (slowlog.ParsePGPrefix) and ERROR, FATAL, PANIC lines plus notable LOG/WARNING lines
// are kept. Messages are grouped by Normalize (numbers, addresses, quoted values → ?); notable classes are
// summed and become findings (errorlog_<class>). Log text is untrusted and returned as data only.
//
// AWS calls: logs:FilterLogEvents; rds:DescribeDBLogFiles, rds:DownloadDBLogFilePortion (fallback); plus
// cluster.Describe's RDS calls.
package errorlog
