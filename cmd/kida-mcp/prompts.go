package main

import (
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/prompts"
	"github.com/kida-mcp/kida-mcp/tools"
)

// addPrompts registers the prompts whose tools are enabled: a disabled toolset (or an excluded tool)
// hides the prompts that need it, and optional steps naming disabled tools are left out.
func addPrompts(s *server.MCPServer, list []tools.Tool) {
	names := make([]string, len(list))
	for i, t := range list {
		names[i] = t.Name
	}
	if ps := prompts.Server(names); len(ps) > 0 {
		s.AddPrompts(ps...)
	}
}
