package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// longTests reports whether the long variants run (make test-long sets KIDA_TEST_LONG=1).
func longTests() bool { b, _ := strconv.ParseBool(os.Getenv("KIDA_TEST_LONG")); return b }

// httpServer is a `serve --transport http --demo` process on a loopback port.
type httpServer struct {
	url string // http://127.0.0.1:PORT/mcp
	cmd *exec.Cmd
}

// startServer runs the built binary over Streamable HTTP and waits for /healthz. It is stopped with SIGINT
// on cleanup.
func startServer(t *testing.T, extra ...string) *httpServer {
	t.Helper()
	bin := buildBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--transport", "http", "--addr", addr, "--demo", "--report-dir", t.TempDir()}, extra...)...)
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("server did not shut down within 10s of SIGINT")
		}
	})
	for i := 0; i < 200; i++ {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return &httpServer{url: "http://" + addr + "/mcp", cmd: cmd}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not start")
	return nil
}

// kib reads a "Key: N kB" line of the server's /proc status (VmHWM is the peak RSS).
func (s *httpServer) kib(t *testing.T, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Logf("no /proc: %v", err)
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key) {
			n, _ := strconv.ParseInt(strings.Fields(strings.TrimPrefix(l, key))[0], 10, 64)
			return n
		}
	}
	return 0
}

func httpSession(ctx context.Context, url string, headers map[string]string) (*client.Client, error) {
	c, err := client.NewStreamableHttpClient(url, transport.WithHTTPHeaders(headers), transport.WithHTTPTimeout(60*time.Second))
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	ir := mcp.InitializeRequest{}
	ir.Params.ProtocolVersion = "2025-11-25"
	ir.Params.ClientInfo = mcp.Implementation{Name: "kida-load", Version: "1"}
	if _, err := c.Initialize(ctx, ir); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// loadCalls is the mix of tool calls each session makes, round robin: what an agent asks in a daily check.
var loadCalls = []struct {
	name string
	args map[string]any
}{
	{"list_clusters", map[string]any{}},
	{"describe_cluster", map[string]any{"cluster_id": "orders-prod"}},
	{"get_rds_events", map[string]any{"cluster_id": "orders-prod", "since": "24h"}},
	{"get_pending_maintenance", map[string]any{"cluster_id": "orders-prod"}},
	{"get_alarms", map[string]any{"cluster_id": "billing-pg", "since": "24h"}},
	{"recommend_alarms", map[string]any{"cluster_id": "billing-pg"}},
}

// TestHTTPLoad: concurrent Streamable HTTP sessions against `serve --demo`, each making a round of tool
// calls: zero errors, every session cleaned up after close (its id is refused afterwards). make test runs
// 10 sessions × 20 calls; KIDA_TEST_LONG=1 (make test-long) runs 50 × 100. p50/p99 latency and the server's
// peak RSS are logged (they are figures, not assertions: the machine is shared).
func TestHTTPLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	sessions, calls := 10, 20
	if longTests() {
		sessions, calls = 50, 100
	}
	srv := startServer(t)
	idle := srv.kib(t, "VmRSS:")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var lat []time.Duration
	var errs []string
	var ids []string
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < sessions; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(format string, a ...any) {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("session %d: ", i)+fmt.Sprintf(format, a...))
				mu.Unlock()
			}
			c, err := httpSession(ctx, srv.url, nil)
			if err != nil {
				fail("initialize: %v", err)
				return
			}
			mine := make([]time.Duration, 0, calls)
			for k := 0; k < calls; k++ {
				call := loadCalls[(i+k)%len(loadCalls)]
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = call.name, call.args
				t0 := time.Now()
				res, err := c.CallTool(ctx, req)
				mine = append(mine, time.Since(t0))
				switch {
				case err != nil:
					fail("%s: %v", call.name, err)
				case res.IsError:
					fail("%s: tool error %v", call.name, res.Content)
				}
			}
			id := c.GetTransport().(*transport.StreamableHTTP).GetSessionId()
			if err := c.Close(); err != nil {
				fail("close: %v", err)
			}
			mu.Lock()
			lat = append(lat, mine...)
			ids = append(ids, id)
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	for _, e := range errs[:min(len(errs), 10)] {
		t.Error(e)
	}
	if len(errs) > 0 || len(lat) != sessions*calls {
		t.Fatalf("%d errors, %d of %d calls made", len(errs), len(lat), sessions*calls)
	}
	// Closed sessions are gone: their ids are refused.
	for _, id := range ids[:min(len(ids), 5)] {
		if code := rawPost(t, srv.url, map[string]string{"Mcp-Session-Id": id}, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`); code != http.StatusNotFound {
			t.Errorf("closed session %s answered HTTP %d, want 404", id, code)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	t.Logf("HTTP load: %d sessions × %d calls = %d calls in %s (%.0f calls/s), 0 errors; latency p50 %s p99 %s max %s; server RSS idle %.1f MB, peak %.1f MB",
		sessions, calls, len(lat), wall.Round(time.Millisecond), float64(len(lat))/wall.Seconds(), p(0.50).Round(10*time.Microsecond),
		p(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(time.Millisecond), float64(idle)/1024, float64(srv.kib(t, "VmHWM:"))/1024)
}

// rawPost sends one JSON-RPC POST and returns the HTTP status.
func rawPost(t *testing.T, url string, headers map[string]string, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
