package check

import (
	"strings"
	"testing"

	"github.com/kida-mcp/kida-mcp/tools/report"
)

// TestGapFixesLocalized: every section's standard fix, as runSection writes it, reads in Korean in the
// report (no section added without its Korean fix), and so does its name.
func TestGapFixesLocalized(t *testing.T) {
	for _, sec := range sections() {
		g := report.Gap{Section: sec.tab, What: sec.name, Why: "timed out after 45s", Fix: sec.fix, Code: strings.ReplaceAll(sec.name, " ", "-")}
		ko := report.LocalizeGap("ko", g)
		if ko.Fix == g.Fix || ko.What == g.What || ko.Why == g.Why {
			t.Errorf("%s: not localized: %+v", sec.name, ko)
		}
		if en := report.LocalizeGap("en", g); en != g {
			t.Errorf("%s: English changed: %+v", sec.name, en)
		}
	}
}
