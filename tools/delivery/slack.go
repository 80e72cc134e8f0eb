package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// Slack Block Kit limits (reference/aws.md §8.4).
const (
	MaxBlocks       = 50
	MaxSectionText  = 3000
	MaxHeaderText   = 150
	MaxContextItems = 10
	MaxButtonURL    = 3000
	maxRetryAfter   = 60 * time.Second
)

// WorkflowPayload is the body for a Slack Workflow Builder webhook: exactly the two variables users define
// today, single-line strings. A failed cluster's title says so and carries the reason.
func WorkflowPayload(r Row, date string) map[string]string {
	return WorkflowPayloadLang(r, date, i18n.EN)
}

// WorkflowPayloadLang is WorkflowPayload in a language: Korean titles read
// "[KIDA] 일일 점검 보고서: <cluster> (<region>) — <YYYYMMDD>".
func WorkflowPayloadLang(r Row, date, lang string) map[string]string {
	p := i18n.For(lang)
	d := date
	if p.KO() {
		d = strings.ReplaceAll(date, "-", "")
	}
	title := p.T("slack.title", r.Cluster, r.Region, d)
	u := ""
	switch {
	case r.Failed():
		title += p.T("slack.titleFailed", tools.Truncate(oneLine(r.Error), 300))
		u = p.T("slack.noReport", r.Stage)
	case r.Link != nil:
		u = r.Link.URL
	default:
		u = p.T("slack.noLink", oneLine(r.LinkNote))
	}
	return map[string]string{"report_title": oneLine(title), "report_url": u}
}

// EscapeMrkdwn escapes the three characters Slack's mrkdwn treats as control characters, so untrusted text
// (cluster ids, finding titles, AWS messages) cannot form links or mentions (<!channel>, <url|text>).
func EscapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Block Kit types (only what the summary uses).
type (
	// Message is an incoming-webhook body.
	Message struct {
		Text   string  `json:"text"`
		Blocks []Block `json:"blocks"`
	}
	// Block is a header, section, context or divider block.
	Block struct {
		Type      string   `json:"type"`
		Text      *Text    `json:"text,omitempty"`
		Elements  []Text   `json:"elements,omitempty"`
		Accessory *Element `json:"accessory,omitempty"`
	}
	// Text is a plain_text or mrkdwn text object.
	Text struct {
		Type  string `json:"type"`
		Text  string `json:"text"`
		Emoji bool   `json:"emoji,omitempty"`
	}
	// Element is a button.
	Element struct {
		Type     string `json:"type"`
		Text     *Text  `json:"text,omitempty"`
		URL      string `json:"url,omitempty"`
		ActionID string `json:"action_id,omitempty"`
	}
)

func verdictEmoji(r Row) string {
	switch {
	case r.Failed():
		return ":x:"
	case r.Verdict == "critical":
		return ":red_circle:"
	case r.Verdict == "warning":
		return ":large_orange_circle:"
	case r.Verdict == "healthy":
		return ":large_green_circle:"
	}
	return ":white_circle:"
}

// IncomingMessage builds the Block Kit summary for an incoming webhook: a header, the tally, one section per
// cluster (verdict, counts, top findings, a link button or the failure reason) and the link lifetime. It
// stays within Slack's limits: ≤ 50 blocks (clusters past that are summarised in one section), ≤ 3,000
// characters per section, header ≤ 150.
func IncomingMessage(rows []Row, date string) Message {
	return IncomingMessageLang(rows, date, nil, i18n.EN)
}

// IncomingMessageLang is IncomingMessage in a language; loc shows the link expiry (nil → UTC).
func IncomingMessageLang(rows []Row, date string, loc *time.Location, lang string) Message {
	p := i18n.For(lang)
	t := Count(rows)
	m := Message{Text: p.T("slack.fallback", date, t.worstIn(p), t.In(p))}
	m.Blocks = append(m.Blocks,
		Block{Type: "header", Text: &Text{Type: "plain_text", Text: tools.Truncate(p.T("slack.header", date), MaxHeaderText), Emoji: true}},
		Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: "*" + EscapeMrkdwn(t.worstIn(p)) + "* — " + EscapeMrkdwn(t.In(p))}},
	)
	note := expiryNoteIn(p, rows, loc)
	room := MaxBlocks - len(m.Blocks)
	if note != "" {
		room--
	}
	shown := rows
	if len(rows) > room {
		shown = rows[:room-1]
	}
	for _, r := range shown {
		m.Blocks = append(m.Blocks, clusterBlock(r, p))
	}
	if len(shown) < len(rows) {
		var names []string
		for _, r := range rows[len(shown):] {
			names = append(names, r.Cluster)
		}
		txt := p.T("slack.more", len(names), strings.Join(names, ", "))
		m.Blocks = append(m.Blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: FitMrkdwn(txt)}})
	}
	if note != "" {
		m.Blocks = append(m.Blocks, Block{Type: "context", Elements: []Text{{Type: "mrkdwn", Text: FitMrkdwn(note)}}})
	}
	return m
}

func clusterBlock(r Row, p *i18n.P) Block {
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s* (%s) — ", verdictEmoji(r), EscapeMrkdwn(r.Cluster), EscapeMrkdwn(r.Region))
	if r.Failed() {
		b.WriteString(p.T("slack.failedAt", EscapeMrkdwn(r.Stage), EscapeMrkdwn(tools.Truncate(oneLine(r.Error), 1500))))
		return Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: FitMrkdwn(b.String())}}
	}
	label, _ := verdictLabel(p, r.Verdict)
	b.WriteString(p.T("slack.counts", EscapeMrkdwn(label), r.Critical, r.Warning, r.Info))
	if r.Gaps > 0 {
		b.WriteString(p.T("mail.textGaps", r.Gaps))
	}
	for _, f := range r.Top {
		line := f.Title
		sev := f.Severity
		if p.KO() {
			line, _ = i18n.Finding(p.Lang, f.code, f.Title, "")
			sev = p.TOr("sev."+sev, sev)
		}
		if f.Resource != "" {
			line += " (" + f.Resource + ")"
		}
		fmt.Fprintf(&b, "\n• [%s] %s", EscapeMrkdwn(sev), EscapeMrkdwn(tools.Truncate(oneLine(line), 300)))
	}
	blk := Block{Type: "section"}
	switch {
	case r.Link != nil && utf8.RuneCountInString(r.Link.URL) <= MaxButtonURL:
		blk.Accessory = &Element{Type: "button", Text: &Text{Type: "plain_text", Text: p.T("slack.open")}, URL: r.Link.URL, ActionID: "open-" + tools.Truncate(safeName(r.Cluster), 200)}
	case r.Link != nil:
		b.WriteString("\n" + p.T("slack.longLink"))
	case r.LinkNote != "":
		b.WriteString("\n_" + EscapeMrkdwn(oneLine(r.LinkNote)) + "_")
	}
	blk.Text = &Text{Type: "mrkdwn", Text: FitMrkdwn(b.String())}
	return blk
}

// FitMrkdwn cuts escaped mrkdwn to Slack's section limit without splitting an entity.
func FitMrkdwn(s string) string {
	if utf8.RuneCountInString(s) <= MaxSectionText {
		return s
	}
	r := []rune(s)[:MaxSectionText-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && i > len(cut)-6 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + "…"
}

// ValidateMessage checks a Block Kit message against Slack's limits; nil when Slack would accept it.
func ValidateMessage(m Message) error {
	if len(m.Blocks) > MaxBlocks {
		return fmt.Errorf("%d blocks, Slack allows %d", len(m.Blocks), MaxBlocks)
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("no fallback text")
	}
	for i, b := range m.Blocks {
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || utf8.RuneCountInString(b.Text.Text) > MaxHeaderText {
				return fmt.Errorf("block %d: header must be plain_text ≤ %d chars", i, MaxHeaderText)
			}
		case "section":
			if b.Text == nil || b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > MaxSectionText {
				return fmt.Errorf("block %d: section text must be 1..%d chars", i, MaxSectionText)
			}
			if a := b.Accessory; a != nil && (a.Type != "button" || a.URL == "" || utf8.RuneCountInString(a.URL) > MaxButtonURL) {
				return fmt.Errorf("block %d: button url must be 1..%d chars", i, MaxButtonURL)
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > MaxContextItems {
				return fmt.Errorf("block %d: context needs 1..%d elements", i, MaxContextItems)
			}
			for _, e := range b.Elements {
				if utf8.RuneCountInString(e.Text) > MaxSectionText {
					return fmt.Errorf("block %d: context element over %d chars", i, MaxSectionText)
				}
			}
		case "divider":
		default:
			return fmt.Errorf("block %d: unexpected type %q", i, b.Type)
		}
	}
	return nil
}

// MarshalJSON encodes v without HTML escaping (Slack and SNS payloads) and without a trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// PostWebhook posts body to a Slack webhook. It retries 429 after the Retry-After it names (≤ 60 s) and
// 5xx / network errors with jittered exponential backoff, up to WebhookAttempts; other 4xx answers
// (invalid_payload, no_service, …) are not retried. The URL never appears in the returned error.
func (d Deps) PostWebhook(ctx context.Context, hook Secret, body []byte) (attempts int, err error) {
	if !hook.Set() {
		return 0, errors.New("no webhook URL configured")
	}
	if d.HTTP == nil {
		return 0, errors.New("no HTTP client")
	}
	maxAttempts := d.WebhookAttempts
	if maxAttempts <= 0 {
		maxAttempts = 4
	}
	backoff := 500 * time.Millisecond
	for attempts = 1; ; attempts++ {
		wait, retry, err := d.postOnce(ctx, hook, body)
		if err == nil {
			return attempts, nil
		}
		err = errors.New(Scrub(err.Error(), d.secrets()...))
		if !retry || attempts >= maxAttempts || ctx.Err() != nil {
			if retry && attempts >= maxAttempts {
				err = fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
			}
			return attempts, err
		}
		if wait <= 0 {
			wait = backoff/2 + time.Duration(rand.Int64N(int64(backoff)))
			backoff = min(backoff*2, 8*time.Second)
		}
		d.Env.Log().Warn("slack webhook: retrying", "attempt", attempts, "wait", wait.String(), "reason", err.Error())
		if serr := d.sleep(ctx, wait); serr != nil {
			return attempts, fmt.Errorf("%w; then cancelled while waiting to retry", err)
		}
	}
}

// postOnce makes one attempt: (retry-after, retryable, error).
func (d Deps) postOnce(ctx context.Context, hook Secret, body []byte) (time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.Reveal(), bytes.NewReader(body))
	if err != nil {
		return 0, false, errors.New("the webhook URL is not valid")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := d.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // *url.Error repeats the URL: keep only the cause
			err = ue.Err
		}
		return 0, ctx.Err() == nil, fmt.Errorf("POST failed: %v", err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	answer := strings.TrimSpace(oneLine(string(msg)))
	if answer == "" {
		answer = http.StatusText(res.StatusCode)
	}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return 0, false, nil
	case res.StatusCode == http.StatusTooManyRequests:
		wait := retryAfter(res.Header.Get("Retry-After"), d.Env.Clock())
		return wait, true, fmt.Errorf("HTTP 429 rate limited (Retry-After %q): %s", res.Header.Get("Retry-After"), tools.Truncate(answer, 200))
	case res.StatusCode >= 500:
		return 0, true, fmt.Errorf("HTTP %d: %s", res.StatusCode, tools.Truncate(answer, 200))
	}
	return 0, false, fmt.Errorf("HTTP %d: %s", res.StatusCode, tools.Truncate(answer, 200))
}

// retryAfter parses Retry-After (seconds or an HTTP date), defaulting to 1 s and capping at 60 s.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	d := time.Second
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		d = time.Second
	}
	return min(d, maxRetryAfter)
}

// NotifyWorkflow posts WorkflowPayload for every row to the workflow webhook, one delivery per row.
func (d Deps) NotifyWorkflow(ctx context.Context, rows []Row, date string) []Delivery {
	var out []Delivery
	for _, r := range rows {
		del := Delivery{Channel: ChannelSlackWorkflow, Target: r.Cluster}
		body, err := MarshalJSON(WorkflowPayloadLang(r, date, d.Lang))
		if err == nil {
			del.Attempts, err = d.PostWebhook(ctx, d.slack().Workflow, body)
		}
		if err != nil {
			del.Error = err.Error()
		} else {
			del.OK = true
		}
		out = append(out, del)
	}
	return out
}

// NotifyIncoming posts the Block Kit summary to the incoming webhook.
func (d Deps) NotifyIncoming(ctx context.Context, rows []Row, date string) Delivery {
	del := Delivery{Channel: ChannelSlackIncoming, Target: fmt.Sprintf("summary of %d clusters", len(rows))}
	m := IncomingMessageLang(rows, date, d.loc(), d.Lang)
	if err := ValidateMessage(m); err != nil {
		del.Error = "message breaks Slack's limits: " + err.Error()
		return del
	}
	body, err := MarshalJSON(m)
	if err == nil {
		del.Attempts, err = d.PostWebhook(ctx, d.slack().Incoming, body)
	}
	if err != nil {
		del.Error = err.Error()
		return del
	}
	del.OK = true
	return del
}

func (d Deps) slack() SlackConfig {
	if d.Config.Slack == nil {
		return SlackConfig{}
	}
	return *d.Config.Slack
}
