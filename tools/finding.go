package tools

import "sort"

// Severity of a finding, most urgent first.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// Finding is one prioritized observation shared by every family and the health check: what was seen, the
// evidence (with times and instance ids), and what to do about it.
type Finding struct {
	Severity string `json:"severity" jsonschema:"enum=critical,enum=warning,enum=info"`
	Code     string `json:"code" jsonschema_description:"Stable identifier of the rule, e.g. slowlog_disabled."`
	Title    string `json:"title"`
	Evidence string `json:"evidence"`
	Action   string `json:"action" jsonschema_description:"Recommended action."`
	Resource string `json:"resource,omitempty" jsonschema_description:"Cluster or instance id the finding is about."`
	DocURL   string `json:"doc_url,omitempty"`
}

// SeverityRank orders severities (critical=0).
func SeverityRank(s string) int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityWarning:
		return 1
	default:
		return 2
	}
}

// SortFindings orders findings by severity, then code, then resource, deterministically.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if SeverityRank(a.Severity) != SeverityRank(b.Severity) {
			return SeverityRank(a.Severity) < SeverityRank(b.Severity)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Resource < b.Resource
	})
}
