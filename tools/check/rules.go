package check

import "github.com/kida-mcp/kida-mcp/tools/report"

// deriveFindings runs the rules over the sections' results (posture findings are added by the topology
// section).
func deriveFindings(s *state) []report.Finding {
	return nil
}
