package cluster

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the cluster toolset.
func Tools(c awsclient.Clients, _ tools.Env) []tools.Tool {
	return []tools.Tool{listTool(c), describeTool(c)}
}
