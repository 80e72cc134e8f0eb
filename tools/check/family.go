package check

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the check toolset (run_health_check) and the report toolset (render_report), which share
// the check store.
func Tools(c awsclient.Clients, env tools.Env, store *Store) []tools.Tool {
	d := Deps{Clients: c, Env: env, Pacers: NewPacers()}
	return []tools.Tool{healthCheckTool(d, store), renderTool(d, store)}
}
