package report

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowser opens the 5 × 10 × 1440 report in Debian's chromium through playwright-core
// (testdata/browser/verify.mjs): every tab shows its panel, charts draw, hover shows a synced readout,
// legend entries toggle series, #slow-queries deep-links, the injection strings show as text and fire no
// dialog, no request leaves the file, dark mode, print and JS-off show what they should. Screenshots go to
// $KIDA_ARTIFACTS/report-browser (or a temporary directory) and are logged.
//
// It skips when chromium, node or the npm packages are missing (make e2e-deps installs them), except under
// CI=true or KIDA_REQUIRE_E2E=1, where it fails instead.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	need := func(ok bool, what string) {
		t.Helper()
		if ok {
			return
		}
		if os.Getenv("CI") == "true" || os.Getenv("KIDA_REQUIRE_E2E") == "1" {
			t.Fatalf("%s is missing (CI=true requires it; apt-get install chromium, make e2e-deps)", what)
		}
		t.Skipf("%s is missing; apt-get install chromium and run make e2e-deps (required when CI=true)", what)
	}
	chromium := os.Getenv("KIDA_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err := os.Stat(chromium)
	need(err == nil, "chromium ("+chromium+")")
	node, err := exec.LookPath("node")
	need(err == nil, "node")
	script, _ := filepath.Abs(filepath.Join("testdata", "browser", "verify.mjs"))
	_, err = os.Stat(filepath.Join("testdata", "browser", "node_modules", "playwright-core", "package.json"))
	need(err == nil, "playwright-core in tools/report/testdata/browser/node_modules")

	out := t.TempDir()
	if a := os.Getenv("KIDA_ARTIFACTS"); a != "" {
		out = filepath.Join(a, "report-browser")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file, size, err := Write(out, SampleCheck(5, 10, 1440), "html")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report %s (%d bytes)", file, size)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, file, out)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	stdout, err := cmd.Output()
	var res struct {
		Checks []struct {
			Name   string
			OK     bool
			Detail string
		}
		Screenshots []string
	}
	if jerr := json.Unmarshal(stdout, &res); jerr != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("verify.mjs: %v / %v\nstdout: %s\nstderr: %s", err, jerr, stdout, stderr)
	}
	for _, c := range res.Checks {
		if c.OK {
			t.Logf("ok   %s", c.Name)
		} else {
			t.Errorf("FAIL %s: %s", c.Name, c.Detail)
		}
	}
	for _, s := range res.Screenshots {
		t.Logf("screenshot %s", s)
	}
	if err != nil && !t.Failed() {
		t.Errorf("verify.mjs: %v", err)
	}
}
