package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/steering"
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

const twoServers = `{
    "mcpServers": {
        "aws-mcp": {"command": "uvx", "args": ["mcp-proxy-for-aws@latest", "https://aws-mcp.us-east-1.api.aws/mcp"], "autoApprove": ["aws___call_aws"]},
        "cloudwatch-mcp": {"command": "uvx", "args": ["awslabs.cloudwatch-mcp-server@latest"], "env": {"AWS_REGION": "us-east-1", "FASTMCP_LOG_LEVEL": "ERROR"}, "disabled": false}
    }
}
`

func runSteering(t *testing.T, home string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), append([]string{"steering"}, args...), nil, &out, &errb, env("HOME", home))
	return out.String() + errb.String(), code
}

func readServers(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		MCPServers map[string]map[string]any `json:"mcpServers"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return v.MCPServers
}

// TestSteeringInstallKeepsOtherServers: ~/.kiro with two other MCP servers; install twice; both survive,
// kida is added once, a backup exists, the second run changes nothing.
func TestSteeringInstallKeepsOtherServers(t *testing.T) {
	home := t.TempDir()
	settings := filepath.Join(home, ".kiro", "settings", "mcp.json")
	if err := os.MkdirAll(filepath.Dir(settings), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(settings, []byte(twoServers), 0o600); err != nil {
		t.Fatal(err)
	}
	var before map[string]any
	json.Unmarshal([]byte(twoServers), &before)

	out, code := runSteering(t, home, "install", "--dry-run", "--command", "/opt/kida/kida-mcp")
	if code != 0 || !strings.Contains(out, "would write") {
		t.Fatalf("dry run: code %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(settings); string(b) != twoServers {
		t.Fatal("--dry-run changed mcp.json")
	}
	if _, err := os.Stat(filepath.Join(home, ".kiro", "steering")); !os.IsNotExist(err) {
		t.Fatal("--dry-run wrote steering files")
	}

	out, code = runSteering(t, home, "install", "--command", "/opt/kida/kida-mcp")
	if code != 0 {
		t.Fatalf("install: code %d\n%s", code, out)
	}
	for _, want := range []string{"kida entry added", "aws-mcp, cloudwatch-mcp", "backup"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	servers := readServers(t, settings)
	if len(servers) != 3 {
		t.Fatalf("servers after install: %v", servers)
	}
	for _, name := range []string{"aws-mcp", "cloudwatch-mcp"} {
		want, _ := json.Marshal(before["mcpServers"].(map[string]any)[name])
		got, _ := json.Marshal(servers[name])
		if string(want) != string(got) {
			t.Errorf("%s changed:\n got %s\nwant %s", name, got, want)
		}
	}
	kida := servers["kida"]
	if kida["command"] != "/opt/kida/kida-mcp" || kida["disabled"] != false {
		t.Errorf("kida entry: %v", kida)
	}
	var approve []string
	for _, v := range kida["autoApprove"].([]any) {
		approve = append(approve, v.(string))
	}
	if !slices.Equal(approve, readOnlyTools()) {
		t.Errorf("autoApprove = %v, want exactly the read-only tools %v", approve, readOnlyTools())
	}
	for _, tl := range allTools(demo.New(time.Unix(0, 0)), tools.Env{}, Config{}) {
		if slices.Contains(approve, tl.Name) != tl.ReadOnly {
			t.Errorf("autoApprove and read-only disagree on %s", tl.Name)
		}
	}
	baks, _ := filepath.Glob(settings + ".kida-backup-*")
	if len(baks) != 1 {
		t.Fatalf("backups: %v", baks)
	}
	if b, _ := os.ReadFile(baks[0]); string(b) != twoServers {
		t.Error("the backup is not the original file")
	}
	for _, f := range steering.All() {
		b, err := os.ReadFile(filepath.Join(home, ".kiro", "steering", f.FileName()))
		if err != nil || !bytes.Equal(b, f.Content) {
			t.Errorf("steering file %s not installed: %v", f.FileName(), err)
		}
	}
	first, _ := os.ReadFile(settings)

	// a user's own args survive a re-install; a second identical run is a no-op
	out, code = runSteering(t, home, "install", "--command", "/opt/kida/kida-mcp")
	if code != 0 || strings.Count(out, "unchanged") != len(steering.All())+1 {
		t.Fatalf("second install should change nothing: code %d\n%s", code, out)
	}
	if again, _ := os.ReadFile(settings); !bytes.Equal(first, again) {
		t.Error("second install rewrote mcp.json")
	}
	if baks, _ := filepath.Glob(settings + ".kida-backup-*"); len(baks) != 1 {
		t.Errorf("second install made another backup: %v", baks)
	}
	if strings.Count(string(first), `"kida"`) != 1 {
		t.Errorf("kida entry appears more than once:\n%s", first)
	}
}

func TestSteeringInstallUpdatesExistingEntry(t *testing.T) {
	dir := t.TempDir()
	settings := filepath.Join(dir, ".kiro", "settings", "mcp.json")
	os.MkdirAll(filepath.Dir(settings), 0o755)
	os.WriteFile(settings, []byte(`{"mcpServers":{"kida":{"command":"/old/kida","args":["serve","--region","eu-west-1"],"autoApprove":["*"],"timeout":60000},"x":{"url":"http://127.0.0.1:1/mcp"}}}`), 0o644)
	steerFile := filepath.Join(dir, ".kiro", "steering", "daily-report.md")
	os.MkdirAll(filepath.Dir(steerFile), 0o755)
	os.WriteFile(steerFile, []byte("my own edits\n"), 0o644)
	out, code := runSteering(t, dir, "install", "--workspace", dir, "--command", "/new/kida")
	if code != 0 || !strings.Contains(out, "kida entry updated") {
		t.Fatalf("code %d\n%s", code, out)
	}
	kida := readServers(t, settings)["kida"]
	if kida["command"] != "/new/kida" || kida["timeout"] != float64(60000) {
		t.Errorf("entry: %v", kida)
	}
	if args, _ := json.Marshal(kida["args"]); string(args) != `["serve","--region","eu-west-1"]` {
		t.Errorf("user args not kept: %s", args)
	}
	if a := kida["autoApprove"].([]any); len(a) != len(readOnlyTools()) || a[0] == "*" {
		t.Errorf("autoApprove should be the read-only tools, not %v", a)
	}
	if baks, _ := filepath.Glob(steerFile + ".kida-backup-*"); len(baks) != 1 {
		t.Errorf("an edited steering file should be backed up: %v", baks)
	}
	if mode := mustStat(t, settings).Mode().Perm(); mode != 0o644 {
		t.Errorf("mode changed to %v", mode)
	}
}

func TestSteeringInstallRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings", "mcp.json")
	os.MkdirAll(filepath.Dir(settings), 0o755)
	for _, bad := range []string{`{"mcpServers": {`, `[1,2]`, `{"mcpServers": []}`, `{"mcpServers": {"kida": 3}}`, `{} {}`} {
		os.WriteFile(settings, []byte(bad), 0o644)
		out, code := runSteering(t, dir, "install", "--kiro-dir", dir, "--command", "/k")
		if code == 0 {
			t.Errorf("%s: accepted\n%s", bad, out)
		}
		if b, _ := os.ReadFile(settings); string(b) != bad {
			t.Errorf("%s: file was changed", bad)
		}
	}
	if _, code := runSteering(t, dir, "install", "--kiro-dir", dir, "--workspace", dir); code == 0 {
		t.Error("--kiro-dir with --workspace should fail")
	}
	if _, code := runSteering(t, dir, "uninstall"); code == 0 {
		t.Error("unknown subcommand should fail")
	}
}

func mustStat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
