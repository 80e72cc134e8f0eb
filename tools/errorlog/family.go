package errorlog

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the errorlog toolset.
func Tools(c awsclient.Clients, env tools.Env) []tools.Tool {
	return []tools.Tool{summaryTool(c, env)}
}
