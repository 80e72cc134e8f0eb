// Package testkit holds test-only helpers shared by the families: an in-process MCP client over the
// production server wiring, result accessors and per-tool schema snapshots. Import it only from _test.go.
package testkit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Session is an initialized in-process MCP client.
type Session struct {
	t *testing.T
	C *client.Client
}

// Client serves list through tools.NewServer (the production middleware and the AWS classifier) and returns
// an initialized mcp-go in-process client speaking 2025-11-25.
func Client(t *testing.T, list []tools.Tool) *Session {
	t.Helper()
	// Output-schema validation is on in tests: a result whose structured content does not match the tool's
	// output schema (e.g. null where an array is declared) becomes an error and fails Decode.
	s := tools.NewServer(tools.ServerOptions{Name: "kida-mcp", Version: "test", Classify: awsclient.Classify,
		Extra: []server.ServerOption{server.WithOutputSchemaValidation()}}, list)
	c, err := client.NewInProcessClientWithOptions(s, client.WithProtocolVersion(mcp.LATEST_PROTOCOL_VERSION))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = "2025-11-25"
	req.Params.ClientInfo = mcp.Implementation{Name: "testkit", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &Session{t: t, C: c}
}

// Call calls a tool with args (anything JSON-marshalable; a string is sent as raw JSON). A protocol error
// fails the test.
func (s *Session) Call(name string, args any) *mcp.CallToolResult {
	s.t.Helper()
	res, err := s.CallErr(name, args)
	if err != nil {
		s.t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

// CallErr is Call returning the protocol error instead of failing.
func (s *Session) CallErr(name string, args any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	if raw, ok := args.(string); ok {
		req.Params.Arguments = json.RawMessage(raw)
		req.Params.RawArguments = json.RawMessage(raw)
	} else {
		req.Params.Arguments = args
	}
	return s.C.CallTool(context.Background(), req)
}

// Text concatenates the text content of a result.
func Text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// Decode unmarshals the structured content of a successful result into out; an error result fails the test.
func Decode(t *testing.T, res *mcp.CallToolResult, out any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", Text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("structured content does not decode: %v\n%s", err, b)
	}
}

// ErrorText asserts res is an isError result and returns its text.
func ErrorText(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	if !res.IsError {
		t.Fatalf("want isError result, got success: %s", Text(res))
	}
	return Text(res)
}

// Snapshot compares the tool's definition (name, description, annotations, schemas) with
// testdata/toolsnaps/<name>.json in the calling package. UPDATE_SNAPSHOTS=1 rewrites it; a missing snapshot
// fails (write it with UPDATE_SNAPSHOTS=1 and commit it).
func Snapshot(t *testing.T, tool tools.Tool) {
	t.Helper()
	got, err := json.MarshalIndent(tool.Def, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "toolsnaps", tool.Name+".json")
	if os.Getenv("UPDATE_SNAPSHOTS") == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing schema snapshot %s: run UPDATE_SNAPSHOTS=1 go test ./... and commit it", path)
	}
	if string(want) != string(got) {
		t.Fatalf("schema of %s changed; if intended, run UPDATE_SNAPSHOTS=1 go test ./... and commit %s\n--- got:\n%s", tool.Name, path, got)
	}
}
