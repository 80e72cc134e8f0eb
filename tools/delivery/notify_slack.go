package delivery

import (
	"context"

	"github.com/kida-mcp/kida-mcp/tools"
)

// SlackInput is the input of notify_slack.
type SlackInput struct {
	ChecksInput
	Channel string `json:"channel,omitempty" jsonschema:"enum=workflow,enum=incoming" jsonschema_description:"workflow: one post per check to the configured Slack Workflow webhook (report_title, report_url); incoming: one Block Kit summary to the configured incoming webhook. Default: workflow when configured, else incoming."`
}

func notifySlackTool(s *Sender, checks Checks) tools.Tool {
	return tools.New(tools.Spec{
		Name: "notify_slack", Toolset: "delivery", Title: "Post the reports to the configured Slack webhook",
		Description: "Posts to the Slack webhook in the server's configuration: workflow = one {report_title, report_url} post per check; incoming = one " +
			"Block Kit summary with verdicts, top findings, link buttons and the links' expiry. Reports are published to S3 first when a bucket is configured. " +
			"The webhook cannot be chosen here; rate limits (429) are retried after Retry-After.",
		ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true,
	}, func(ctx context.Context, in SlackInput) (SendOutput, error) {
		sc := s.slack()
		ch := in.Channel
		if ch == "" {
			ch = "workflow"
			if !sc.Workflow.Set() {
				ch = "incoming"
			}
		}
		switch {
		case ch == "workflow" && !sc.Workflow.Set():
			return SendOutput{}, tools.Errorf("no Slack workflow webhook is configured on this server; use channel \"incoming\"")
		case ch == "incoming" && !sc.Incoming.Set():
			return SendOutput{}, tools.Errorf("no Slack incoming webhook is configured on this server; use channel \"workflow\"")
		}
		rows, date, _, err := s.rowsFor(ctx, checks.Get, in.CheckIDs)
		if err != nil {
			return SendOutput{}, err
		}
		var ds []Delivery
		if ch == "workflow" {
			ds = s.NotifyWorkflow(ctx, rows, date)
		} else {
			ds = []Delivery{s.NotifyIncoming(ctx, rows, date)}
		}
		for _, d := range ds {
			s.logDelivery(d)
		}
		return sendOutput(rows, date, ds), nil
	})
}
