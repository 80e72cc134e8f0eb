package delivery

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// SNS limits: Subject < 100 ASCII characters without line breaks; message ≤ 256 KiB.
const (
	maxSNSSubject = 99
	maxSNSMessage = 256 * 1024
)

// SNSMessage is the subject and body published to the topic.
type SNSMessage struct {
	Subject string
	Message string
}

// BuildSNS builds the SNS summary: an ASCII subject (e.g. "[kida] 2026-11-22 - CRITICAL: 3 clusters: 1
// critical, 1 healthy, 1 failed") and the email's text part as the message, which carries the links.
func BuildSNS(e Email, rows []Row, date string) SNSMessage {
	t := Count(rows)
	subj := asciiLine(fmt.Sprintf("[kida] %s - %s: %s", date, t.Worst(), t))
	if len(subj) > maxSNSSubject {
		subj = subj[:maxSNSSubject-3] + "..."
	}
	msg := e.Text
	if len(msg) > maxSNSMessage {
		cut := msg[:maxSNSMessage-200]
		for !strings.HasSuffix(cut, "\n") && len(cut) > 0 { // do not split a line (or a UTF-8 sequence)
			cut = cut[:len(cut)-1]
		}
		msg = cut + "\n[truncated: the message was over SNS's 256 KiB limit; see the email for every cluster]\n"
	}
	return SNSMessage{Subject: subj, Message: msg}
}

// asciiLine keeps printable ASCII only (SNS subjects must be ASCII, no control characters).
func asciiLine(s string) string {
	s = strings.NewReplacer("—", "-", "–", "-", "·", "-", "…", "...").Replace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return strings.TrimSpace(b.String())
}

// PublishSNS publishes m to the configured topic (in the topic's region).
func (d Deps) PublishSNS(ctx context.Context, m SNSMessage) Delivery {
	del := Delivery{Channel: ChannelSNS}
	cfg := d.Config.SNS
	if cfg == nil {
		del.Error = "no SNS topic is configured (delivery.sns in kida.yaml)"
		return del
	}
	del.Target = cfg.TopicARN
	region := d.region(cfg.Region())
	out, err := d.Clients.SNS(region).Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(cfg.TopicARN), Subject: aws.String(m.Subject), Message: aws.String(m.Message),
	})
	del.Attempts = 1
	if err != nil {
		del.Error = d.awsError(awsclient.In(region, cfg.TopicARN, err))
		return del
	}
	del.OK, del.MessageID = true, aws.ToString(out.MessageId)
	return del
}
