package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
)

// newMCPServer wires config → clients → tools → MCP server. It makes no network call.
func newMCPServer(ctx context.Context, cfg Config, logger *slog.Logger) (*server.MCPServer, []tools.Tool, error) {
	clients, err := newClients(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	env := tools.Env{Logger: logger, Now: time.Now}
	store := check.NewStore(cfg.ReportDir, 0) // the server's one check store: tools and resources share it
	list, err := selectedWithStore(cfg, clients, env, store)
	if err != nil {
		return nil, nil, err
	}
	s := tools.NewServer(tools.ServerOptions{
		Name: "kida-mcp", Version: version, Logger: logger, Classify: awsclient.Classify,
		Extra: []server.ServerOption{
			server.WithResourceCapabilities(true, false),
			server.WithPromptCapabilities(false),
			server.WithCompletions(),
			server.WithToolHandlerMiddleware(clientLog),
		},
	}, list)
	addPrompts(s, list)
	addResources(s, store)
	return s, list, nil
}

func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	s, list, err := newMCPServer(ctx, cfg, logger)
	if err != nil {
		return err
	}
	logger.Info("kida-mcp starting", "version", version, "transport", cfg.Transport, "tools", len(list), "demo", cfg.Demo, "read_only", cfg.ReadOnly)
	if cfg.Transport == "http" {
		return serveHTTP(ctx, cfg, s, logger)
	}
	stdio := server.NewStdioServer(s)
	stdio.SetErrorLogger(log.New(stderr, "kida-mcp: ", log.LstdFlags))
	stdio.SetContextFunc(func(ctx context.Context) context.Context {
		return server.WithSupportedProtocolVersions(ctx, mcp.LegacyProtocolVersions())
	})
	err = stdio.Listen(ctx, stdin, stdout)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// httpHandler wraps the Streamable HTTP handler with the Origin guard, bearer auth and a body cap.
func httpHandler(cfg Config, h http.Handler, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	var hnd http.Handler = h
	hnd = limitBody(cfg.MaxBodyBytes, hnd)
	if cfg.AuthToken != "" {
		hnd = bearer(cfg.AuthToken, hnd)
	}
	hnd = originGuard(cfg.AllowedOrigins, logger, hnd)
	mux.Handle("/mcp", hnd)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux
}

func serveHTTP(ctx context.Context, cfg Config, s *server.MCPServer, logger *slog.Logger) error {
	h := server.NewStreamableHTTPServer(s,
		server.WithStateful(true),
		server.WithSessionIdleTTL(cfg.SessionIdle),
		server.WithStreamableHTTPProtocolVersions(mcp.LegacyProtocolVersions()...),
		server.WithHeartbeatInterval(30*time.Second),
	)
	srv := &http.Server{Handler: httpHandler(cfg, h, logger), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %v", cfg.Addr, err)
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if !isLoopback(host) {
		logger.Warn("listening on a non-loopback address; every request needs the bearer token", "addr", ln.Addr().String())
	}
	logger.Info("serving Streamable HTTP", "url", "http://"+ln.Addr().String()+"/mcp")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight calls")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h.CloseSessions(sctx)
	err = srv.Shutdown(sctx)
	_ = h.Shutdown(sctx)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// originGuard rejects browser requests from origins that are neither loopback nor explicitly allowed
// (MCP 2025-11-25: servers MUST validate Origin), defeating DNS-rebinding and drive-by pages.
func originGuard(allowed []string, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		if o != "" && !originAllowed(o, allowed) {
			logger.Warn("rejected request from disallowed origin", "origin", tools.Truncate(o, 100))
			http.Error(w, "forbidden origin; start kida-mcp with --allowed-origins to allow it", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func originAllowed(origin string, allowed []string) bool {
	if slices.Contains(allowed, origin) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return isLoopback(u.Hostname())
}

// bearer requires Authorization: Bearer <token>, compared in constant time.
func bearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kida-mcp"`)
			http.Error(w, "unauthorized: send Authorization: Bearer <token>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; larger ones get 413.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			http.Error(w, fmt.Sprintf("request body larger than %d bytes", n), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}
