// Package perf holds the perf toolset: get_db_load, database load from Performance Insights / Database
// Insights, and the engine function Load that the health check and the report call.
//
// Engine API (plain Go, no MCP types):
//
//	Load(ctx, api API, topo cluster.Topology, w timewin.Window, opt Options) (Result, error)
//	Findings(r Result) []tools.Finding
//	MaskSQL(sql string, postgres bool) string
//
// Load keys Performance Insights by each member's DbiResourceId (cluster.Member.ResourceID) and compares the
// load with the member's vCPU count (cluster.Member.VCPU). Per member with PI on it makes:
//   - one GetResourceMetrics: db.load.avg in total and grouped by each requested dimension (wait event, user,
//     host, …; GroupBy Limit = top_n), period chosen with timewin.PeriodFrom among 60, 300, 3600 and
//     86400 s (PI's allowed values but 1 s) for at most 720 points, aligned to period starts → average, peak
//     (and when), breakdowns with shares, and the waits during the peak period;
//   - one DescribeDimensionKeys grouped by db.sql_tokenized (top_n digests) partitioned by db.wait_event, with
//     per-digest statistics as AdditionalMetrics (calls/s, time per call, rows per call; retried without
//     them when the engine rejects them);
//   - when the peak exceeds the vCPU count: one DescribeDimensionKeys over the peak period alone (top 3
//     digests), since a spike's statement is often not the window-long top one;
//   - for each digest PI cut at its 500-byte limit: one DescribeDimensionKeys grouped by db.sql filtered on
//     db.sql.tokenized_id (the heaviest concrete statement of the digest) and one GetDimensionKeyDetails
//     (db.sql.statement) for its full text.
//
// SQL text is untrusted: literals are masked (MaskSQL) unless Options.RawSQL, statements are capped at 4 KiB,
// and text output escapes them. Members with PI off produce a hint on enabling Database Insights (Standard
// mode is the default), not an error; so does an AccessDenied (listed in MissingPermissions with the IAM
// action). A window partly older than the PI retention (7 days unless the cluster says otherwise) is clamped
// with a note; one entirely older is a caller error. Other AWS failures are returned, wrapped with the member
// id, for the caller to record as a gap.
package perf
