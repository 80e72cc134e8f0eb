// Package check is the one-call health check: Run resolves the topology, then runs every section (metrics,
// events, maintenance, alarms, slow queries, error log, database load, CloudTrail, Health, recommendations)
// concurrently with a bounded pool and a per-section timeout, turns each failed section into a visible gap
// (what, why, how to fix — e.g. the IAM action to grant) and derives prioritized findings with the rules
// engine (rules.go), correlating metric anomalies with slow-query surges, configuration changes and events.
// The result is a report.Check, stored under a check id (Store: bounded in-memory LRU + JSON files).
//
// run_health_check (toolset check) and render_report (toolset report) are the MCP adapters; `kida-mcp
// check` and `kida-mcp report` call Run directly.
package check
