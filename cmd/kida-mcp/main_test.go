package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func demoServer(t *testing.T, args ...string) *server.MCPServer {
	t.Helper()
	cfg, err := parseConfig("serve", append([]string{"--demo"}, args...), env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := newMCPServer(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func listTools(t *testing.T, s *server.MCPServer) []mcp.Tool {
	t.Helper()
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
	res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tools
}

var toolNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestToolsListContract checks every tool the binary can serve, over a real tools/list.
func TestToolsListContract(t *testing.T) {
	listed := listTools(t, demoServer(t, "--toolsets", "all"))
	if len(listed) == 0 {
		t.Fatal("no tools")
	}
	toolset := map[string]string{}
	for _, tl := range allTools(demo.New(time.Now()), tools.Env{}, Config{}) {
		toolset[tl.Name] = tl.Toolset
	}
	seen := map[string]bool{}
	for _, tl := range listed {
		if seen[tl.Name] {
			t.Errorf("duplicate tool %s", tl.Name)
		}
		seen[tl.Name] = true
		if !toolNameRE.MatchString(tl.Name) || len(tl.Name) > 64 {
			t.Errorf("tool name %q breaks Kiro's rules", tl.Name)
		}
		if strings.TrimSpace(tl.Description) == "" || len(tl.Description) > 2000 {
			t.Errorf("%s: description length %d", tl.Name, len(tl.Description))
		}
		a := tl.Annotations
		if a.Title == "" || a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: annotations incomplete: %+v", tl.Name, a)
		} else if *a.ReadOnlyHint && *a.DestructiveHint {
			t.Errorf("%s: read-only and destructive", tl.Name)
		}
		if _, ok := tools.ToolsetByID(toolset[tl.Name]); !ok {
			t.Errorf("%s: not in a known toolset", tl.Name)
		}
		var wire struct {
			In  json.RawMessage `json:"inputSchema"`
			Out json.RawMessage `json:"outputSchema"`
		}
		b, err := json.Marshal(tl)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &wire); err != nil {
			t.Fatal(err)
		}
		for which, raw := range map[string]json.RawMessage{"input": wire.In, "output": wire.Out} {
			var sch map[string]any
			if err := json.Unmarshal(raw, &sch); err != nil {
				t.Errorf("%s %s schema: %v", tl.Name, which, err)
				continue
			}
			if sch["type"] != "object" {
				t.Errorf("%s %s schema root type = %v", tl.Name, which, sch["type"])
			}
			for _, bad := range []string{"$ref", "$defs", "oneOf", "anyOf", "allOf"} {
				if _, ok := sch[bad]; ok {
					t.Errorf("%s %s schema has top-level %s", tl.Name, which, bad)
				}
			}
			if which == "input" && sch["additionalProperties"] != false {
				t.Errorf("%s input schema allows additional properties", tl.Name)
			}
			if bytes.Contains(raw, []byte(`:true`)) && regexp.MustCompile(`"(items|additionalProperties|properties)":true`).Match(raw) {
				t.Errorf("%s %s schema has a bare boolean schema", tl.Name, which)
			}
		}
	}
	// read-only mode lists no write tool
	for _, tl := range listTools(t, demoServer(t, "--toolsets", "all", "--read-only")) {
		if tl.Annotations.ReadOnlyHint == nil || !*tl.Annotations.ReadOnlyHint {
			t.Errorf("--read-only still lists %s", tl.Name)
		}
	}
}

func TestUnknownNamesFailStartup(t *testing.T) {
	for _, args := range [][]string{{"--toolsets", "clusters"}, {"--exclude-tools", "describe_clusterz"}, {"--tools", "nope"}} {
		cfg, err := parseConfig("serve", append([]string{"--demo"}, args...), env(), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := newMCPServer(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

func TestConfigPrecedenceAndValidation(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/kida.yaml"
	os.WriteFile(file, []byte("region: eu-west-1\nwindow: 7d\nclusters:\n  - id: orders-prod\n    region: ap-northeast-2\n"), 0o600)
	cfg, err := parseConfig("check", []string{"--config", file, "--window", "48h"}, env("KIDA_REGION", "us-east-2", "KIDA_WINDOW", "1h"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-2" || cfg.Window != "48h" || len(cfg.Clusters) != 1 || cfg.Clusters[0].Region != "ap-northeast-2" {
		t.Errorf("precedence: region=%s window=%s clusters=%+v", cfg.Region, cfg.Window, cfg.Clusters)
	}
	os.WriteFile(file, []byte("regoin: eu-west-1\n"), 0o600)
	if _, err := parseConfig("check", []string{"--config", file}, env(), io.Discard); err == nil || !strings.Contains(err.Error(), "regoin") {
		t.Errorf("unknown yaml key should fail: %v", err)
	}
	bad := map[string][]string{
		"refusing to listen on 0.0.0.0:8080 without a bearer token": {"--transport", "http", "--addr", "0.0.0.0:8080"},
		"--transport / KIDA_TRANSPORT":                              {"--transport", "sse"},
		"--cloudwatch-protocol":                                     {"--cloudwatch-protocol", "xml"},
		"--max-attempts":                                            {"--max-attempts", "0"},
	}
	for want, args := range bad {
		if _, err := parseConfig("serve", args, env(), io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want %q", args, err, want)
		}
	}
	if _, err := parseConfig("serve", []string{"--transport", "http", "--addr", "0.0.0.0:8080"}, env("KIDA_AUTH_TOKEN", "s3cret"), io.Discard); err != nil {
		t.Errorf("token from env should allow 0.0.0.0: %v", err)
	}
}

func TestHTTPSecurity(t *testing.T) {
	cfg, err := parseConfig("serve", []string{"--demo", "--transport", "http", "--auth-token", "s3cret", "--allowed-origins", "https://ok.example"}, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := newMCPServer(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := server.NewStreamableHTTPServer(s, server.WithStateful(true), server.WithStreamableHTTPProtocolVersions(mcp.LegacyProtocolVersions()...))
	ts := httptest.NewServer(httpHandler(cfg, h, discardLogger()))
	defer ts.Close()
	initBody := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	post := func(body string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	auth := map[string]string{"Authorization": "Bearer s3cret"}
	if r := post(initBody, nil); r.StatusCode != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d", r.StatusCode)
	}
	if r := post(initBody, map[string]string{"Authorization": "Bearer wrong"}); r.StatusCode != 401 {
		t.Errorf("wrong token: %d", r.StatusCode)
	}
	if r := post(initBody, map[string]string{"Authorization": "Bearer s3cret", "Origin": "http://evil.example"}); r.StatusCode != 403 {
		t.Errorf("evil origin: %d", r.StatusCode)
	}
	if r := post(initBody, map[string]string{"Authorization": "Bearer s3cret", "Origin": "https://ok.example"}); r.StatusCode != 200 {
		t.Errorf("allowed origin: %d", r.StatusCode)
	}
	r := post(initBody, auth)
	sid := r.Header.Get("Mcp-Session-Id")
	if r.StatusCode != 200 || sid == "" {
		t.Fatalf("initialize: %d session %q", r.StatusCode, sid)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	if r := post(list, map[string]string{"Authorization": "Bearer s3cret", "Mcp-Session-Id": sid}); r.StatusCode != 200 {
		t.Errorf("real session: %d", r.StatusCode)
	}
	if r := post(list, map[string]string{"Authorization": "Bearer s3cret", "Mcp-Session-Id": "mcp-session-6f1c2b7e-0000-4000-8000-000000000000"}); r.StatusCode != 404 {
		t.Errorf("made-up session id: %d, want 404", r.StatusCode)
	}
	big := `{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
	if r := post(big, map[string]string{"Authorization": "Bearer s3cret", "Mcp-Session-Id": sid}); r.StatusCode != 413 {
		t.Errorf("oversized body: %d, want 413", r.StatusCode)
	}
}

func TestREADMEToolTableMatchesCatalogue(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start, end := "<!-- tools:start -->\n", "<!-- tools:end -->"
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README lacks the generated tool table markers")
	}
	var out bytes.Buffer
	if err := toolsCmd([]string{"--format", "markdown"}, &out); err != nil {
		t.Fatal(err)
	}
	if got := readme[i+len(start) : j]; got != out.String() {
		t.Errorf("README tool table is stale: run `make docs`\n--- want:\n%s", out.String())
	}
	fi, fj := strings.Index(readme, "<!-- flags:start -->\n"), strings.Index(readme, "<!-- flags:end -->")
	if fi < 0 || fj < fi {
		t.Fatal("README lacks the generated flag table markers")
	}
	if got := readme[fi+len("<!-- flags:start -->\n") : fj]; got != flagsMarkdown() {
		t.Errorf("README flag table is stale: run `make docs`\n--- want:\n%s", flagsMarkdown())
	}
}

func TestExampleClientConfigsUseRealFlags(t *testing.T) {
	files, _ := os.ReadDir("../../examples/clients")
	if len(files) < 4 {
		t.Fatalf("want Kiro, Claude Desktop, Claude Code and VS Code examples, got %d files", len(files))
	}
	known := map[string]bool{}
	for _, f := range Flags() {
		known["--"+f.Name] = true
		known[f.Env] = true
	}
	flagRE := regexp.MustCompile(`--[a-z][a-z-]+`)
	envRE := regexp.MustCompile(`KIDA_[A-Z_]+`)
	for _, f := range files {
		b, err := os.ReadFile("../../examples/clients/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name(), ".json") {
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s is not valid JSON: %v", f.Name(), err)
			}
		}
		for _, fl := range flagRE.FindAllString(string(b), -1) {
			if !known[fl] && externalFlags[fl] == "" && !strings.HasPrefix(fl, "--mcp") {
				t.Errorf("%s uses unknown flag %s", f.Name(), fl)
			}
		}
		for _, e := range envRE.FindAllString(string(b), -1) {
			if !known[e] {
				t.Errorf("%s uses unknown env %s", f.Name(), e)
			}
		}
		if !strings.Contains(string(b), "serve") && !strings.Contains(string(b), `"url"`) {
			t.Errorf("%s does not run kida-mcp serve", f.Name())
		}
		if strings.Contains(string(b), `"url"`) && (!strings.Contains(string(b), "/mcp\"") || !strings.Contains(string(b), "Bearer ${KIDA_AUTH_TOKEN}")) {
			t.Errorf("%s: an HTTP entry should point at /mcp and take the token from ${KIDA_AUTH_TOKEN}", f.Name())
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, nil, &out, &errb, env()); code != 0 || !strings.Contains(out.String(), "--demo") || !strings.Contains(out.String(), "KIDA_DEMO") {
		t.Errorf("serve --help: code %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, nil, &out, &errb, env()); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("unknown command: code %d %s", code, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"check", "--demo"}, nil, &out, &errb, env("KIDA_REPORT_DIR", t.TempDir())); code != 0 || !strings.Contains(out.String(), "orders-prod-1") {
		t.Errorf("check --demo: code %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"call", "describe_cluster", `{"cluster_id":"nope"}`, "--demo"}, nil, &out, &errb, env("KIDA_REPORT_DIR", t.TempDir())); code != 1 || !strings.Contains(out.String(), "list_clusters") {
		t.Errorf("call error: code %d\n%s", code, out.String())
	}
}
