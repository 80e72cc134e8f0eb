package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/i18n"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// summaryKO is the Korean `kida-mcp check` summary: the verdict, the counts and each finding's title and
// action (written per finding code; evidence values stay as measured).
func summaryKO(c report.Check, loc *time.Location) string {
	p := i18n.For(i18n.KO)
	var b strings.Builder
	crit, warn, info := c.Counts()
	verdict := p.TOr("sev."+c.Verdict, c.Verdict)
	fmt.Fprintf(&b, "%s\n", p.T("cli.checkHead", c.Cluster, c.Region, verdict))
	fmt.Fprintf(&b, "%s · %s · %s\n", p.T("r.countsLine", crit, warn, info), p.T("r.gapsN", len(c.Gaps)), p.Stamp(c.GeneratedAt, loc))
	if len(c.Findings) == 0 {
		b.WriteString(p.T("r.noFindings") + "\n")
	}
	for _, f := range c.Findings {
		title, action := i18n.Finding(i18n.KO, f.Code, f.Title, f.Action)
		fmt.Fprintf(&b, "\n- [%s] %s", p.TOr("sev."+f.Severity, f.Severity), title)
		if f.Resource != "" {
			fmt.Fprintf(&b, " (%s)", f.Resource)
		}
		b.WriteString("\n")
		if f.Evidence != "" {
			fmt.Fprintf(&b, "  %s\n", f.Evidence)
		}
		if action != "" {
			fmt.Fprintf(&b, "  %s %s\n", p.T("r.action"), action)
		}
	}
	return b.String()
}
