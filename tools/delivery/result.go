package delivery

import (
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Delivery channels.
const (
	ChannelS3            = "s3"
	ChannelEmail         = "email"
	ChannelSlackWorkflow = "slack-workflow"
	ChannelSlackIncoming = "slack-incoming"
	ChannelSNS           = "sns"
)

// Delivery is the outcome of one send: success with the message id, or the exact failure.
type Delivery struct {
	Channel string `json:"channel" jsonschema:"enum=s3,enum=email,enum=slack-workflow,enum=slack-incoming,enum=sns"`
	// Target names where it went without any secret: "s3://bucket/key", "2 recipients", a cluster for the
	// Slack workflow, the topic ARN. Never a webhook URL.
	Target    string `json:"target"`
	OK        bool   `json:"ok"`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema_description:"Built but not sent (--dry-run)."`
	Attempts  int    `json:"attempts,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Error     string `json:"error,omitempty" jsonschema_description:"Why the send failed: the service's answer, the HTTP status and body, or the classified AWS error."`
}

// String is one line for logs and text output.
func (d Delivery) String() string {
	switch {
	case d.DryRun:
		return fmt.Sprintf("%s → %s: dry run, not sent", d.Channel, d.Target)
	case d.OK:
		s := fmt.Sprintf("%s → %s: sent", d.Channel, d.Target)
		if d.MessageID != "" {
			s += " (" + d.MessageID + ")"
		}
		if d.Attempts > 1 {
			s += fmt.Sprintf(" after %d attempts", d.Attempts)
		}
		return s
	}
	return fmt.Sprintf("%s → %s: FAILED: %s", d.Channel, d.Target, d.Error)
}

// awsError is the model- and log-facing message of an AWS error, with secrets scrubbed.
func (d Deps) awsError(err error) string {
	return Scrub(tools.Classify(err, awsclient.Classify).Error(), d.secrets()...)
}

// DeliveriesText renders deliveries as bullet lines.
func DeliveriesText(ds []Delivery) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("- " + tools.Cell(d.String()) + "\n")
	}
	return b.String()
}
