package main

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/alarms"
	"github.com/kida-mcp/kida-mcp/tools/audit"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/errorlog"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/maintenance"
	"github.com/kida-mcp/kida-mcp/tools/metrics"
	"github.com/kida-mcp/kida-mcp/tools/perf"
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// allTools is allToolsWithStore with a check store of its own (catalogue, tests).
func allTools(c awsclient.Clients, env tools.Env, cfg Config) []tools.Tool {
	return allToolsWithStore(c, env, cfg, check.NewStore(cfg.ReportDir, 0))
}

// allToolsWithStore is the one registration site: every family's tools, concatenated in toolset order.
// store is the one check store of a server, shared by the check, report and delivery tools and the
// kida://reports and kida://checks resources.
func allToolsWithStore(c awsclient.Clients, env tools.Env, cfg Config, store *check.Store) []tools.Tool {
	var all []tools.Tool
	all = append(all, cluster.Tools(c, env)...)
	all = append(all, metrics.Tools(c, env)...)
	all = append(all, events.Tools(c, env, eventArchive(c, cfg)...)...)
	all = append(all, maintenance.Tools(c, env)...)
	all = append(all, slowlog.Tools(c, env)...)
	all = append(all, errorlog.Tools(c, env)...)
	all = append(all, perf.Tools(c, env)...)
	all = append(all, alarms.Tools(c, env)...)
	all = append(all, audit.Tools(c, env)...)
	all = append(all, check.Tools(c, env, store)...)
	all = append(all, deliveryTools(c, env, cfg, store)...)
	return all
}
