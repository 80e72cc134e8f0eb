package delivery

import (
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Checks finds stored checks by id (check.Store).
type Checks interface {
	Get(id string) (report.Check, error)
}

// Tools returns the delivery toolset: only the tools whose destination is configured (publish_report needs
// delivery.s3, send_report_email delivery.email, notify_slack delivery.slack, publish_sns delivery.sns).
// They share one Sender, so a report published once is not uploaded again for the messages. Every tool is
// readOnly=false; --read-only removes them all.
func Tools(d Deps, checks Checks) []tools.Tool {
	if err := d.Config.Validate(); err != nil {
		d.Env.Log().Error("delivery configuration invalid; delivery tools disabled", "err", err)
		return nil
	}
	s := NewSender(d)
	var out []tools.Tool
	if d.Config.S3 != nil {
		out = append(out, publishReportTool(s, checks))
	}
	if d.Config.Email != nil {
		out = append(out, sendEmailTool(s, checks))
	}
	if d.Config.Slack != nil {
		out = append(out, notifySlackTool(s, checks))
	}
	if d.Config.SNS != nil {
		out = append(out, publishSNSTool(s, checks))
	}
	return out
}
