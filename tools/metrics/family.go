package metrics

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the metrics toolset.
func Tools(c awsclient.Clients, env tools.Env) []tools.Tool {
	return []tools.Tool{getTool(c, env), analyzeTool(c, env)}
}
