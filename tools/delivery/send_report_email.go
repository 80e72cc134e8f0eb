package delivery

import (
	"context"

	"github.com/kida-mcp/kida-mcp/tools"
)

func sendEmailTool(s *Sender, checks Checks) tools.Tool {
	return tools.New(tools.Spec{
		Name: "send_report_email", Toolset: "delivery", Title: "Email the report summary to the configured recipients",
		Description: "Sends one SES email (HTML table + text part) to the sender and recipients in the server's configuration: one row per check " +
			"with region, verdict, findings by severity and the report link (published to S3 first when a bucket is configured), and the links' real expiry. " +
			"Recipients cannot be chosen here. Reports success or the exact failure.",
		ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true,
	}, func(ctx context.Context, in ChecksInput) (SendOutput, error) {
		rows, date, loc, err := s.rowsFor(ctx, checks.Get, in.CheckIDs)
		if err != nil {
			return SendOutput{}, err
		}
		e, err := BuildEmailLang(rows, date, loc, s.Env.Clock(), s.Lang)
		if err != nil {
			return SendOutput{}, err
		}
		del := s.SendEmail(ctx, e)
		s.logDelivery(del)
		return sendOutput(rows, date, []Delivery{del}), nil
	})
}

func publishSNSTool(s *Sender, checks Checks) tools.Tool {
	return tools.New(tools.Spec{
		Name: "publish_sns", Toolset: "delivery", Title: "Publish the report summary to the configured SNS topic",
		Description: "Publishes one summary (subject with the date and worst verdict, ≤ 100 ASCII chars; message with every check's verdict, counts and report link) " +
			"to the SNS topic in the server's configuration. The topic cannot be chosen here.",
		ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true,
	}, func(ctx context.Context, in ChecksInput) (SendOutput, error) {
		rows, date, loc, err := s.rowsFor(ctx, checks.Get, in.CheckIDs)
		if err != nil {
			return SendOutput{}, err
		}
		e, err := BuildEmailLang(rows, date, loc, s.Env.Clock(), s.Lang)
		if err != nil {
			return SendOutput{}, err
		}
		del := s.PublishSNS(ctx, BuildSNS(e, rows, date))
		s.logDelivery(del)
		return sendOutput(rows, date, []Delivery{del}), nil
	})
}

// logDelivery logs one send (never a secret: Delivery holds none).
func (s *Sender) logDelivery(d Delivery) {
	if d.DryRun {
		s.Env.Log().Info("built, not sent (dry run)", "channel", d.Channel, "target", d.Target)
		return
	}
	if d.OK {
		attrs := []any{"channel", d.Channel, "target", d.Target, "attempts", d.Attempts}
		if d.MessageID != "" {
			attrs = append(attrs, "message_id", d.MessageID)
		}
		s.Env.Log().Info("delivered", attrs...)
		return
	}
	s.Env.Log().Error("delivery failed", "channel", d.Channel, "target", d.Target, "attempts", d.Attempts, "err", d.Error)
}
