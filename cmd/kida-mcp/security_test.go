package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// syncBuf is a goroutine-safe buffer for a child's stderr.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestHTTPSecurityOfTheBinary re-verifies the HTTP guards on the real `serve` process (not a test-built
// handler): bearer token, Origin, DNS-rebinding Host, made-up and deleted sessions, the body cap with and
// without Content-Length, and that the token never reaches the log.
func TestHTTPSecurityOfTheBinary(t *testing.T) {
	const token = "tok-SENTINEL-9f2d1c"
	bin := buildBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var stderr syncBuf
	cmd := exec.Command(bin, "serve", "--transport", "http", "--addr", addr, "--demo", "--report-dir", t.TempDir(),
		"--max-body-bytes", "65536", "--log-level", "debug")
	cmd.Env = append(os.Environ(), "KIDA_AUTH_TOKEN="+token)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if strings.Contains(stderr.String(), token) {
			t.Errorf("the bearer token appears in the server log")
		}
	}()
	url := "http://" + addr + "/mcp"
	for i := 0; ; i++ {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("server did not start: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	initBody := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	auth := "Bearer " + token
	do := func(method, body string, hdr map[string]string, chunked bool) *http.Response {
		var rd io.Reader = strings.NewReader(body)
		if chunked {
			rd = io.MultiReader(strings.NewReader(body)) // unknown length: sent chunked, no Content-Length
		}
		req, _ := http.NewRequest(method, url, rd)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range hdr {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for name, tc := range map[string]struct {
		hdr  map[string]string
		want int
	}{
		"no token":         {nil, 401},
		"wrong token":      {map[string]string{"Authorization": "Bearer nope"}, 401},
		"token prefix":     {map[string]string{"Authorization": auth[:len(auth)-1]}, 401},
		"basic auth":       {map[string]string{"Authorization": "Basic " + token}, 401},
		"evil origin":      {map[string]string{"Authorization": auth, "Origin": "http://evil.example"}, 403},
		"null origin":      {map[string]string{"Authorization": auth, "Origin": "null"}, 403},
		"lookalike origin": {map[string]string{"Authorization": auth, "Origin": "http://127.0.0.1.evil.example"}, 403},
		"rebinding host":   {map[string]string{"Authorization": auth, "Host": "evil.example:80"}, 403},
		"loopback origin":  {map[string]string{"Authorization": auth, "Origin": "http://localhost:5173"}, 200},
	} {
		if r := do("POST", initBody, tc.hdr, false); r.StatusCode != tc.want {
			t.Errorf("%s: HTTP %d, want %d", name, r.StatusCode, tc.want)
		}
	}
	r := do("POST", initBody, map[string]string{"Authorization": auth}, false)
	sid := r.Header.Get("Mcp-Session-Id")
	if r.StatusCode != 200 || sid == "" {
		t.Fatalf("initialize: HTTP %d, session %q", r.StatusCode, sid)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	withSID := map[string]string{"Authorization": auth, "Mcp-Session-Id": sid}
	if r := do("POST", list, withSID, false); r.StatusCode != 200 {
		t.Errorf("live session: HTTP %d", r.StatusCode)
	}
	if r := do("POST", list, map[string]string{"Authorization": auth, "Mcp-Session-Id": "mcp-session-6f1c2b7e-0000-4000-8000-000000000000"}, false); r.StatusCode != 404 {
		t.Errorf("made-up session: HTTP %d, want 404", r.StatusCode)
	}
	big := `{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 200_000) + `"}}`
	if r := do("POST", big, withSID, false); r.StatusCode != 413 {
		t.Errorf("oversized body: HTTP %d, want 413", r.StatusCode)
	}
	if r := do("POST", big, withSID, true); r.StatusCode != 400 && r.StatusCode != 413 {
		t.Errorf("oversized chunked body: HTTP %d, want 400 or 413 (cut at the cap)", r.StatusCode)
	}
	if r := do("DELETE", "", withSID, false); r.StatusCode != 200 {
		t.Errorf("DELETE session: HTTP %d", r.StatusCode)
	}
	if r := do("POST", list, withSID, false); r.StatusCode != 404 {
		t.Errorf("deleted session: HTTP %d, want 404", r.StatusCode)
	}
}

// TestPathTraversalRejected: check ids, report paths and resource URIs that try to leave the report
// directory are refused with a tool or resource error, on the production server wiring.
func TestPathTraversalRejected(t *testing.T) {
	dir := t.TempDir()
	s := demoServer(t, "--report-dir", dir)
	c, err := client.NewInProcessClientWithOptions(s, client.WithProtocolVersion("2025-11-25"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ir := mcp.InitializeRequest{}
	ir.Params.ProtocolVersion = "2025-11-25"
	if _, err := c.Initialize(ctx, ir); err != nil {
		t.Fatal(err)
	}
	bad := []string{"../../etc/passwd", "..%2f..%2fetc%2fpasswd", "/etc/passwd", "orders-prod/../../x", "..\\..\\x", "orders-prod\x00.json", "%2e%2e", "~root"}
	for _, id := range bad {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = "render_report", map[string]any{"check_id": id}
		res, err := c.CallTool(ctx, req)
		if err != nil || !res.IsError {
			t.Errorf("render_report check_id %q: err %v, result %+v", id, err, res)
		}
		for _, uri := range []string{"kida://reports/" + id, "kida://checks/" + id} {
			rr := mcp.ReadResourceRequest{}
			rr.Params.URI = uri
			if res, err := c.ReadResource(ctx, rr); err == nil {
				t.Errorf("resources/read %q answered %d contents", uri, len(res.Contents))
			}
		}
	}
	// real report-named files outside the directory, and a symlink inside it that points out
	parent := filepath.Dir(dir)
	outside := filepath.Join(parent, "orders-prod-20261122-0900.html")
	if err := os.WriteFile(outside, []byte("<html>not a report of this server</html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "billing-pg-20261122-0900.html")
	if err := os.Symlink("/etc/hostname", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../../etc/passwd", "/etc/passwd", dir + "/../x.html", dir + "/../../etc/hosts", outside,
		dir + "/../orders-prod-20261122-0900.html", link} {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = "publish_report", map[string]any{"report_path": p}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("publish_report: %v (is the demo's delivery toolset registered?)", err)
		}
		if !res.IsError {
			t.Errorf("publish_report report_path %q was accepted: %+v", p, res.Content)
		} else {
			t.Logf("publish_report %q → %v", p, res.Content)
		}
	}
}
