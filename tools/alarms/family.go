package alarms

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the alarms toolset.
func Tools(c awsclient.Clients, env tools.Env) []tools.Tool {
	return []tools.Tool{getAlarmsTool(c, env), recommendTool(c)}
}
