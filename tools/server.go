package tools

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// ServerOptions configure NewServer.
type ServerOptions struct {
	Name, Version string
	Instructions  string // "" → Instructions(tools)
	Logger        *slog.Logger
	Classify      Classifier
	Extra         []server.ServerOption // prompts/resources capabilities etc.
}

// NewServer builds the MCP server for a tool list with the production middleware: errors become isError
// results (HardError excepted), panics are recovered, every call is logged (name, duration, outcome class),
// and queued notifications are flushed before the result so progress/log messages arrive first.
func NewServer(opts ServerOptions, list []Tool) *server.MCPServer {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	instr := opts.Instructions
	if instr == "" {
		instr = Instructions(list)
	}
	sopts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithLogging(),
		server.WithRecovery(),
		server.WithInstructions(instr),
		server.WithToolHandlerMiddleware(flushNotifications),
		server.WithToolHandlerMiddleware(logCalls(log)),
		server.WithToolHandlerMiddleware(errorResults(opts.Classify, log)),
	}
	sopts = append(sopts, opts.Extra...)
	s := server.NewMCPServer(opts.Name, opts.Version, sopts...)
	for _, t := range list {
		s.AddTool(t.Def, t.Handler)
	}
	return s
}

// errorResults turns tool errors into isError results with a model-facing message.
func errorResults(classify Classifier, log *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := next(ctx, req)
			if err == nil {
				return res, nil
			}
			var pe *panicError
			if errors.As(err, &pe) {
				log.Error("tool panicked", "tool", req.Params.Name, "panic", pe.val, "stack", string(pe.stack))
				return mcp.NewToolResultError("internal error in " + req.Params.Name + " (a bug in kida-mcp, please report it); the other tools still work"), nil
			}
			if ctx.Err() != nil {
				return mcp.NewToolResultError(req.Params.Name + " was cancelled or timed out before it finished; retry with a shorter window"), nil
			}
			c := Classify(err, classify)
			var hard *HardError
			if errors.As(c, &hard) {
				log.Error("server error", "tool", req.Params.Name, "err", hard.Err)
				return nil, hard
			}
			return mcp.NewToolResultError(c.Error()), nil
		}
	}
}

// logCalls logs one line per tool call: name, duration and outcome class. Arguments are logged only at debug.
func logCalls(log *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			start := time.Now()
			res, err := next(ctx, req)
			outcome := "ok"
			switch {
			case err != nil:
				outcome = "protocol_error"
			case res != nil && res.IsError:
				outcome = "tool_error"
			}
			log.Info("tool call", "tool", req.Params.Name, "duration_ms", time.Since(start).Milliseconds(), "outcome", outcome)
			if log.Enabled(ctx, slog.LevelDebug) {
				log.Debug("tool arguments", "tool", req.Params.Name, "arguments", string(rawArgs(req)))
			}
			return res, err
		}
	}
}

// flushNotifications waits briefly for the session's queued notifications (progress, log messages) to be
// written before the result is, because mcp-go writes them from another goroutine and the result could
// otherwise overtake them (reference/mcp.md §2.6).
func flushNotifications(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := next(ctx, req)
		if sess := server.ClientSessionFromContext(ctx); sess != nil {
			ch := sess.NotificationChannel()
			if len(ch) > 0 || req.Params.Meta != nil {
				for i := 0; i < 100 && len(ch) > 0; i++ {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(3 * time.Millisecond)
			}
		}
		return res, err
	}
}

type requestKey struct{}

// Progress sends a progress notification when the caller asked for one (a progress token was sent).
// It is a no-op otherwise; Kiro ignores progress, so nothing may depend on it.
func Progress(ctx context.Context, progress, total float64, msg string) {
	req, _ := ctx.Value(requestKey{}).(*mcp.CallToolRequest)
	if req == nil || req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return
	}
	_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
		"progressToken": req.Params.Meta.ProgressToken, "progress": progress, "total": total, "message": msg,
	})
}
