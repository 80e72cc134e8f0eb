package main

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/audit"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/perf"
)

// allTools is the one registration site: every family's tools, concatenated in toolset order.
func allTools(c awsclient.Clients, env tools.Env, _ Config) []tools.Tool {
	var all []tools.Tool
	all = append(all, cluster.Tools(c, env)...)
	all = append(all, perf.Tools(c, env)...)
	all = append(all, audit.Tools(c, env)...)
	return all
}
