package slowlog

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the shared test data, a sibling of the repository checkout (CI clones with shared/ beside it).
const sharedDir = "../../../shared/data/slowlog"

// sharedData returns the path of a shared test file. When it is missing the test is skipped with a clear
// message locally, but fails in CI (CI=true), where the data must be present.
func sharedData(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(sharedDir, name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared test data %s is missing (%v); CI must run with shared/ beside the clone", p, err)
		}
		tb.Skipf("shared test data %s not found (%v): put the project's shared/ folder beside the repository to run this test", p, err)
	}
	return p
}
