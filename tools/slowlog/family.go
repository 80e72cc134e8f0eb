package slowlog

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the slowlog toolset.
func Tools(c awsclient.Clients, env tools.Env) []tools.Tool {
	return []tools.Tool{slowQueriesTool(deps{c: c, env: env})}
}
