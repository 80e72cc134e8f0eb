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

// TestBrowserLayoutKorean opens the Korean (and English) 5 × 10 × 1440 report at 1280 px in chromium
// (testdata/browser/verify-layout.mjs) and measures the tab bar and every table header: no tab name is
// truncated and no header overflows its cell. A screenshot of the Summary tab goes to
// $KIDA_ARTIFACTS/report-browser-<lang> (or a temporary directory) and is logged.
// It skips like TestBrowser when chromium, node or playwright-core are missing.
func TestBrowserLayoutKorean(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := os.Getenv("KIDA_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, nerr := exec.LookPath("node")
	_, cerr := os.Stat(chromium)
	_, perr := os.Stat(filepath.Join("testdata", "browser", "node_modules", "playwright-core", "package.json"))
	if nerr != nil || cerr != nil || perr != nil {
		if os.Getenv("CI") == "true" || os.Getenv("KIDA_REQUIRE_E2E") == "1" {
			t.Fatalf("chromium, node or playwright-core is missing (make e2e-deps)")
		}
		t.Skip("chromium, node or playwright-core is missing (make e2e-deps)")
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "browser", "verify-layout.mjs"))
	for _, lang := range []string{"ko", "en"} {
		t.Run(lang, func(t *testing.T) {
			out := t.TempDir()
			if a := os.Getenv("KIDA_ARTIFACTS"); a != "" {
				out = filepath.Join(a, "report-browser-"+lang)
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			file, _, err := WriteLang(out, SampleCheck(5, 10, 1440), "html", lang)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, script, file, out)
			cmd.Dir = filepath.Dir(script)
			cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
			stdout, err := cmd.Output()
			var res struct {
				Checks []struct {
					Name, Detail string
					OK           bool
				}
				Screenshots []string
			}
			if jerr := json.Unmarshal(stdout, &res); jerr != nil {
				t.Fatalf("verify-layout.mjs: %v / %v\n%s", err, jerr, stdout)
			}
			for _, c := range res.Checks {
				if c.OK {
					t.Logf("ok   %s: %s", c.Name, c.Detail)
				} else {
					t.Errorf("FAIL %s: %s", c.Name, c.Detail)
				}
			}
			for _, s := range res.Screenshots {
				t.Logf("screenshot %s", s)
			}
		})
	}
}
