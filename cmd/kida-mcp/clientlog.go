package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
)

// clientLog sends MCP logging notifications about each tool call to the client: debug when it starts,
// info when it ends, warning for a failure and for each gap of a health check. They go through
// SendLogMessageToClient, which honours the level the client set with logging/setLevel (default: error,
// so nothing is sent until the client asks). Kiro writes them to its log; no behaviour depends on them.
func clientLog(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		srv := server.ServerFromContext(ctx)
		send := func(level mcp.LoggingLevel, msg string) {
			if srv != nil {
				_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(level, "kida", msg))
			}
		}
		name := req.Params.Name
		send(mcp.LoggingLevelDebug, name+" started")
		start := time.Now()
		res, err := next(ctx, req)
		ms := time.Since(start).Milliseconds()
		switch {
		case err != nil:
			send(mcp.LoggingLevelWarning, fmt.Sprintf("%s failed after %d ms: %s", name, ms, tools.Classify(err, awsclient.Classify).Error()))
		case res != nil && res.IsError:
			send(mcp.LoggingLevelWarning, fmt.Sprintf("%s returned an error after %d ms", name, ms))
		default:
			send(mcp.LoggingLevelInfo, fmt.Sprintf("%s finished in %d ms", name, ms))
			if res != nil {
				if out, ok := res.StructuredContent.(check.Output); ok {
					for _, g := range out.Gaps {
						send(mcp.LoggingLevelWarning, fmt.Sprintf("%s %s: gap in %s: %s", name, out.CheckID, g.What, g.Why))
					}
				}
			}
		}
		return res, err
	}
}
