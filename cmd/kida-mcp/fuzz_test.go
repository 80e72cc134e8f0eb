package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// FuzzConfigFile: any kida.yaml either loads into a valid Config or is refused with an error naming the
// file; it never panics. (Seeds in testdata/fuzz/FuzzConfigFile and below.)
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"", "window: 24h\nclusters:\n  - id: orders-prod\n", "clusters:\n  - region: x\n", "nope: 1\n",
		"concurrency: 99\n", "delivery:\n  s3:\n    bucket: b\n    expiry: 9d\n",
		"delivery:\n  slack:\n    webhook_url: https://hooks.slack.com/services/T/B/X\n",
		"delivery:\n  email:\n    from: a@example.com\n    to: [b@example.com]\n",
		"aws_endpoint: http://127.0.0.1:5000\ncloudwatch_protocol: json\n", "toolsets: [all]\nexclude_tools: [x]\n",
		"clusters: {id: 1}\n", "window: -1h\n", "timezone: ../../etc/passwd\n", "report_dir: /dev/null\n", "- a\n- b\n", "{{{",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "kida.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Skip(err)
		}
		c, err := parseConfig("report", []string{"--config", p, "--report-dir", dir}, env(), io.Discard)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parseConfig accepted a config Validate refuses: %v", err)
		}
		for _, cl := range c.Clusters {
			if cl.ID == "" {
				t.Fatalf("accepted a cluster without id: %+v", c.Clusters)
			}
		}
	})
}

// FuzzConfigArgs: any command line and KIDA_* environment parse to a valid Config or an error.
func FuzzConfigArgs(f *testing.F) {
	for _, s := range [][2]string{
		{"--demo", ""}, {"--region\x00ap-northeast-2\x00orders-prod", ""}, {"--http\x00127.0.0.1:0", "KIDA_HTTP_TOKEN=t"},
		{"--toolsets\x00all\x00--read-only", ""}, {"--max-attempts\x0099", ""}, {"--concurrency\x00-1", "KIDA_WINDOW=7d"},
		{"--allowed-origins\x00http://a,https://b", ""}, {"us-east-1/orders\x00billing@eu-west-1", "KIDA_REGION=x"},
		{"--since\x00", "KIDA_CLOUDWATCH_PROTOCOL=cbor2"}, {"--help", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, args, envs string) {
		var argv []string
		if args != "" {
			argv = strings.Split(args, "\x00")
		}
		var kv []string
		for _, e := range strings.Split(envs, "\x00") {
			if k, v, ok := strings.Cut(e, "="); ok && strings.HasPrefix(k, "KIDA_") && !strings.HasSuffix(k, "_FILE") {
				kv = append(kv, k, v)
			}
		}
		c, err := parseConfig("serve", argv, env(kv...), io.Discard)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) || err.Error() != "" {
				return
			}
			t.Fatal("empty error")
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted %q / %q but Validate says %v", argv, kv, err)
		}
	})
}

// FuzzToolArguments: every read-only tool's argument decoding, over the demo fleet. Any arguments give
// either a result or a tool error whose text says what to send; never a panic or a protocol error, and the
// text stays bounded.
func FuzzToolArguments(f *testing.F) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	dir := f.TempDir()
	cfg, err := parseConfig("serve", []string{"--demo", "--report-dir", dir}, env(), io.Discard)
	if err != nil {
		f.Fatal(err)
	}
	var list []tools.Tool
	for _, t := range allTools(demo.New(now), tools.Env{Now: func() time.Time { return now }}, cfg) {
		if t.Spec.ReadOnly || t.Spec.Name == "render_report" { // render_report writes only into dir
			list = append(list, t)
		}
	}
	// Every tool gets the empty call, a typical call and a wrong-typed one; a few tools get the odd cases.
	for i, t := range list {
		f.Add(uint8(i), []byte(`{}`))
		f.Add(uint8(i), []byte(`{"cluster_id":"orders-prod","since":"24h"}`))
		f.Add(uint8(i), []byte(`{"cluster_id":1,"bogus":true}`))
		if i%5 == 0 {
			for _, s := range []string{`null`, `[]`, `"x"`, `{"cluster_id":"orders-prod","since":"yesterday"}`, `{"region":"../../etc"}`,
				`{"check_id":"../../../etc/passwd"}`, `{"cluster_id":"billing-pg","start":"2026-11-21T00:00:00Z","end":"2026-11-22T00:00:00Z","top_n":-5}`} {
				f.Add(uint8(i), []byte(s))
			}
		}
		_ = t
	}
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		tool := list[int(which)%len(list)]
		req := mcp.CallToolRequest{}
		req.Params.Name = tool.Spec.Name
		req.Params.Arguments = json.RawMessage(args)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := tool.Handler(ctx, req)
		if err != nil {
			// Handler errors are classified by the server middleware into tool errors; they must say something.
			if err.Error() == "" {
				t.Fatalf("%s(%s): empty error", tool.Spec.Name, args)
			}
			return
		}
		if res == nil {
			t.Fatalf("%s(%s): nil result", tool.Spec.Name, args)
		}
		n := 0
		for _, c := range res.Content {
			if tc, ok := c.(mcp.TextContent); ok {
				n += len(tc.Text)
			}
		}
		if res.IsError && n == 0 {
			t.Fatalf("%s(%s): error result without text", tool.Spec.Name, args)
		}
		if n > 64<<10 {
			t.Fatalf("%s(%s): %d bytes of text", tool.Spec.Name, args, n)
		}
	})
}
