package events

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the events toolset. An archive (at most one; the relay's S3 event archive) lets
// get_rds_events answer for the part of a window older than the API's 14 days.
func Tools(c awsclient.Clients, env tools.Env, archive ...Archive) []tools.Tool {
	var arch Archive
	if len(archive) > 0 {
		arch = archive[0]
	}
	return []tools.Tool{getEventsTool(c, env, arch)}
}
