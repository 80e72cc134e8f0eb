package check

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kida-mcp/kida-mcp/tools/report"
)

// TestDemoReportGolden pins the HTML report of the demo fleet's orders-prod check in English and Korean
// (issue 12). UPDATE_GOLDEN=1 rewrites the files.
func TestDemoReportGolden(t *testing.T) {
	d, _ := demoDeps()
	c, err := Run(context.Background(), d, "orders-prod", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Sections {
		c.Sections[i].DurationMs = 0 // the only value that depends on the machine
	}
	for _, lang := range []string{"en", "ko"} {
		var b bytes.Buffer
		if err := report.HTMLLang(&b, c, lang); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "golden", "demo-orders-prod."+lang+".html")
		if os.Getenv("UPDATE_GOLDEN") == "1" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run UPDATE_GOLDEN=1 go test ./tools/check -run DemoReportGolden)", err)
		}
		if !bytes.Equal(want, b.Bytes()) {
			t.Errorf("%s differs from the rendered demo report (%d vs %d bytes); if intended, UPDATE_GOLDEN=1", path, len(want), b.Len())
		}
	}
}
