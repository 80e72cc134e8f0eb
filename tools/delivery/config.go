package delivery

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// MaxExpiry is the longest a SigV4 presigned URL can live (S3 rejects longer ones at use time).
const MaxExpiry = 7 * 24 * time.Hour

// Config is where reports go. It comes only from the server's configuration (kida.yaml and the environment
// variables / files it names); no tool input can change it. A nil section means "not configured": the tools
// for that destination are not registered and the pipeline skips it.
type Config struct {
	S3    *S3Config
	Email *EmailConfig
	Slack *SlackConfig
	SNS   *SNSConfig
}

// S3Config is the report bucket. Objects are written to <Prefix>reports/YYYYMMDD/<cluster>.html.
type S3Config struct {
	Bucket string
	Prefix string // "" or ending in "/"
	Region string // "" → the default region
	// Expiry is the requested presigned-URL lifetime; the effective one is also capped at 7 days and at the
	// signing credentials' expiry (see EffectiveExpiry).
	Expiry   time.Duration
	SSE      string // "", SSEAES256 or SSEKMS
	KMSKeyID string // with SSEKMS; "" → the bucket's / AWS-managed key
}

// Server-side encryption modes.
const (
	SSEAES256 = "AES256"
	SSEKMS    = "aws:kms"
)

// EmailConfig is the SES v2 sender and recipients.
type EmailConfig struct {
	From   string
	To     []string
	Region string // "" → the default region
}

// SlackConfig holds the webhook URLs, which are secrets: read from an env var or a file named in kida.yaml,
// never from kida.yaml itself, and never logged or echoed.
type SlackConfig struct {
	// Workflow is a Slack Workflow Builder webhook (https://hooks.slack.com/triggers/…) taking the variables
	// report_title and report_url, posted once per cluster.
	Workflow Secret
	// Incoming is an incoming webhook (https://hooks.slack.com/services/…) taking a Block Kit message, posted
	// once per run with every cluster.
	Incoming Secret
}

// SNSConfig is the topic the summary is published to.
type SNSConfig struct {
	TopicARN string
}

// Region returns the topic's region (from its ARN).
func (s SNSConfig) Region() string {
	p := strings.Split(s.TopicARN, ":")
	if len(p) < 6 {
		return ""
	}
	return p[3]
}

// Configured reports whether any destination is configured.
func (c Config) Configured() bool {
	return c.S3 != nil || c.Email != nil || c.Slack != nil || c.SNS != nil
}

// Destinations lists the configured destinations for logs ("s3", "email", "slack-workflow", …).
func (c Config) Destinations() []string {
	var out []string
	if c.S3 != nil {
		out = append(out, "s3")
	}
	if c.Email != nil {
		out = append(out, "email")
	}
	if c.Slack != nil && c.Slack.Workflow.Set() {
		out = append(out, "slack-workflow")
	}
	if c.Slack != nil && c.Slack.Incoming.Set() {
		out = append(out, "slack-incoming")
	}
	if c.SNS != nil {
		out = append(out, "sns")
	}
	return out
}

// Secret is a value that must never be printed: String, GoString, JSON and slog all show "[redacted]".
// Reveal returns the value for the one place that needs it (the HTTP request).
type Secret struct{ v string }

// NewSecret wraps v.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.v }

// Set reports whether the secret has a value.
func (s Secret) Set() bool { return s.v != "" }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// MarshalJSON never marshals the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

const redacted = "[redacted]"

// Scrub replaces every occurrence of the secrets in s with "[redacted]" — for URL secrets also their path
// and their token-like path segments, since servers and proxies echo those back in error bodies.
func Scrub(s string, secrets ...Secret) string {
	for _, sec := range secrets {
		for _, v := range sec.variants() {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

// variants lists the forms of the secret to scrub, longest first.
func (s Secret) variants() []string {
	if s.v == "" {
		return nil
	}
	out := []string{s.v}
	u, err := url.Parse(s.v)
	if err != nil || u.Host == "" {
		return out
	}
	if u.RawQuery != "" {
		out = append(out, u.RawQuery)
	}
	if len(u.Path) > 1 {
		out = append(out, u.EscapedPath(), u.Path)
		for _, seg := range strings.Split(u.Path, "/") {
			if len(seg) >= 8 && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz") != "" {
				out = append(out, seg)
			}
		}
	}
	return out
}

var (
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	topicRE  = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]*$`)
)

// Validate checks every configured destination. Messages name the kida.yaml key (delivery.…) and the fix,
// and never contain a secret.
func (c Config) Validate() error {
	if s := c.S3; s != nil {
		switch {
		case !bucketRE.MatchString(s.Bucket) || strings.Contains(s.Bucket, ".."):
			return fmt.Errorf("delivery.s3.bucket: %q is not a valid S3 bucket name (3–63 lowercase letters, digits, dots and hyphens); set the bucket's exact name", s.Bucket)
		case s.Region != "" && !regionRE.MatchString(s.Region):
			return fmt.Errorf("delivery.s3.region: %q is not an AWS region; use e.g. ap-northeast-2, or omit it for the default region", s.Region)
		case !prefixRE.MatchString(s.Prefix) || strings.HasPrefix(s.Prefix, "/") || strings.Contains(s.Prefix, "//") || strings.Contains(s.Prefix, ".."):
			return fmt.Errorf("delivery.s3.prefix: %q is not a safe key prefix; use letters, digits and / - _ . (no leading /, no ..), e.g. team-a/", s.Prefix)
		case s.Expiry <= 0:
			return fmt.Errorf("delivery.s3.expiry: must be positive; use e.g. 24h or 7d")
		case s.Expiry > MaxExpiry:
			return fmt.Errorf("delivery.s3.expiry: %s is longer than 7 days, the most a presigned URL can live; use at most 7d", Human(s.Expiry))
		case s.Expiry < 15*time.Minute:
			return fmt.Errorf("delivery.s3.expiry: %s is too short for a report link; use at least 15m", Human(s.Expiry))
		}
		switch s.SSE {
		case "", SSEAES256:
			if s.KMSKeyID != "" {
				return fmt.Errorf("delivery.s3.kms_key_id: only used with sse: aws:kms; set sse: aws:kms or remove kms_key_id")
			}
		case SSEKMS:
		default:
			return fmt.Errorf("delivery.s3.sse: %q is not AES256, aws:kms or none", s.SSE)
		}
	}
	if e := c.Email; e != nil {
		if _, err := mail.ParseAddress(e.From); err != nil || e.From == "" {
			return fmt.Errorf("delivery.email.from: %q is not an email address; use the SES-verified sender, e.g. kida@example.com", e.From)
		}
		if len(e.To) == 0 {
			return fmt.Errorf("delivery.email.to: no recipients; list at least one address")
		}
		if len(e.To) > 50 {
			return fmt.Errorf("delivery.email.to: %d recipients; SES takes at most 50 per message, use a mailing list address", len(e.To))
		}
		for i, to := range e.To {
			if _, err := mail.ParseAddress(to); err != nil || to == "" {
				return fmt.Errorf("delivery.email.to[%d]: %q is not an email address", i, to)
			}
		}
		if e.Region != "" && !regionRE.MatchString(e.Region) {
			return fmt.Errorf("delivery.email.region: %q is not an AWS region; use the region where the SES identity is verified, e.g. us-east-1", e.Region)
		}
	}
	if s := c.Slack; s != nil {
		if !s.Workflow.Set() && !s.Incoming.Set() {
			return fmt.Errorf("delivery.slack: neither a workflow nor an incoming webhook is configured; set workflow_webhook_env / workflow_webhook_file or incoming_webhook_env / incoming_webhook_file")
		}
		for name, sec := range map[string]Secret{"workflow_webhook": s.Workflow, "incoming_webhook": s.Incoming} {
			if !sec.Set() {
				continue
			}
			if err := CheckWebhook(sec.v); err != nil {
				return fmt.Errorf("delivery.slack.%s: the configured URL %s; copy the webhook URL from Slack again (the value itself is not shown)", name, err)
			}
		}
	}
	if s := c.SNS; s != nil && !topicRE.MatchString(s.TopicARN) {
		return fmt.Errorf("delivery.sns.topic_arn: %q is not an SNS topic ARN; use arn:aws:sns:<region>:<account>:<topic>", s.TopicARN)
	}
	return nil
}

// CheckWebhook accepts https URLs (and http on loopback, for tests and local receivers); the error never
// contains the URL.
func CheckWebhook(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("is not an absolute URL")
	case strings.ContainsAny(raw, " \t\r\n"):
		return fmt.Errorf("contains whitespace")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return fmt.Errorf("is not an https URL")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Demo is the delivery configuration of the demo fleet when kida.yaml has none: every destination, all of
// which the demo writes to its local outbox.
func Demo() Config {
	return Config{
		S3:    &S3Config{Bucket: "kida-demo-reports", Expiry: MaxExpiry, SSE: SSEAES256},
		Email: &EmailConfig{From: "kida@example.com", To: []string{"dba-team@example.com"}},
		Slack: &SlackConfig{Workflow: NewSecret(DemoWorkflowURL), Incoming: NewSecret(DemoIncomingURL)},
		SNS:   &SNSConfig{TopicARN: "arn:aws:sns:ap-northeast-2:123456789012:kida-demo-reports"},
	}
}

// Placeholder webhook URLs of the demo: the demo's HTTP client writes to the outbox and never dials them.
const (
	DemoWorkflowURL = "https://hooks.slack.com/triggers/DEMO/kida-demo/workflow"
	DemoIncomingURL = "https://hooks.slack.com/services/DEMO/kida-demo/incoming"
)
