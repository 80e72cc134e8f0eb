package delivery

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// Email is one message for every cluster: a subject with the date and the worst outcome, an HTML part
// (600-px table layout, inline styles only, no script, SVG or data: images) and a text part.
type Email struct {
	Subject string
	HTML    string
	Text    string
}

// maxEmailHTML keeps the HTML under Gmail's clipping threshold (~102 KB): heat strips go first.
const maxEmailHTML = 100_000

// styles is the constant inline-style table of the email; st panics on an unknown key so a typo fails the
// tests instead of shipping an unstyled mail.
var styles = map[string]string{
	"body":        "margin:0;padding:0;background-color:#f4f6f8;color:#1a202c;font-family:Arial,Helvetica,sans-serif;",
	"preheader":   "display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f4f6f8;",
	"outer":       "background-color:#f4f6f8;",
	"outerCell":   "padding:24px 8px;",
	"main":        "width:600px;max-width:600px;background-color:#ffffff;border:1px solid #e2e8f0;",
	"header":      "padding:20px 24px;background-color:#1a365d;",
	"h1":          "font-family:Arial,Helvetica,sans-serif;font-size:20px;line-height:26px;font-weight:bold;color:#ffffff;",
	"sub":         "font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:20px;color:#cbd5e0;padding-top:4px;",
	"pad":         "padding:16px 24px 8px 24px;",
	"th":          "font-family:Arial,Helvetica,sans-serif;font-size:11px;line-height:16px;font-weight:bold;color:#4a5568;text-transform:uppercase;padding:6px 6px;border-bottom:2px solid #e2e8f0;",
	"td":          "font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:18px;color:#1a202c;padding:8px 6px;",
	"tdName":      "font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:18px;color:#1a202c;font-weight:bold;padding:8px 6px;word-break:break-all;",
	"tdFail":      "font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:18px;color:#c53030;padding:8px 6px;",
	"badge":       "display:inline-block;padding:2px 8px;border-radius:10px;font-size:11px;line-height:16px;font-weight:bold;color:#ffffff;",
	"muted":       "color:#718096;font-size:12px;",
	"small":       "font-family:Arial,Helvetica,sans-serif;font-size:11px;line-height:15px;color:#718096;padding-top:4px;",
	"button":      "display:inline-block;padding:6px 12px;background-color:#2b6cb0;border-radius:4px;color:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:12px;font-weight:bold;text-decoration:none;",
	"finding":     "font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:17px;color:#2d3748;padding:0 6px 4px 6px;",
	"sev":         "display:inline-block;width:64px;font-size:10px;line-height:14px;font-weight:bold;",
	"heatWrap":    "padding:0 6px 8px 6px;",
	"heatCaption": "font-family:Arial,Helvetica,sans-serif;font-size:10px;line-height:14px;color:#718096;padding-bottom:2px;",
	"heatLabel":   "font-family:Arial,Helvetica,sans-serif;font-size:10px;line-height:12px;color:#4a5568;padding-right:6px;white-space:nowrap;",
	"heatCell":    "width:16px;height:12px;font-size:1px;line-height:1px;border:1px solid #ffffff;",
	"rule":        "border-bottom:1px solid #edf2f7;font-size:1px;line-height:1px;height:1px;",
	"footer":      "font-family:Arial,Helvetica,sans-serif;font-size:11px;line-height:16px;color:#718096;padding:12px 24px 20px 24px;",
}

//go:embed email.html.tmpl
var emailTmplText string

// emailTmpls holds the template once per language ("t" prints that language's catalogue text).
var emailTmpls = sync.OnceValue(func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, l := range i18n.Langs {
		p := i18n.For(l)
		m[l] = template.Must(template.New("email").Funcs(template.FuncMap{
			"st": func(k string) template.CSS {
				s, ok := styles[k]
				if !ok {
					panic("delivery: unknown email style " + k)
				}
				return template.CSS(s)
			},
			"t": func(key string, args ...any) string { return p.T(key, args...) },
		}).Parse(emailTmplText))
	}
	return m
})

// verdictStyle is the badge label and colour of a verdict.
func verdictStyle(v string) (label, color string) {
	switch v {
	case "critical":
		return "CRITICAL", "#c53030"
	case "warning":
		return "WARNING", "#dd6b20"
	case "healthy":
		return "HEALTHY", "#2f855a"
	}
	return strings.ToUpper(v), "#718096"
}

type emailRow struct {
	Row
	Label, Color string
	URL          template.URL // produced by our presigner, not untrusted input; still attribute-escaped
	Until        string
	Heat         []heatRow
	Lines        []emailLine
}

type emailLine struct {
	Label, Color, Text string
}

// Subject is e.g. "[kida] 2026-11-22 — CRITICAL: 3 clusters: 1 critical, 1 healthy, 1 failed".
func Subject(rows []Row, date string) string {
	t := Count(rows)
	return fmt.Sprintf("[kida] %s — %s: %s", date, t.Worst(), t)
}

// BuildEmail renders the email for rows (in display order) on date (YYYY-MM-DD); loc shows times.
func BuildEmail(rows []Row, date string, loc *time.Location, now time.Time) (Email, error) {
	return BuildEmailLang(rows, date, loc, now, i18n.EN)
}

// BuildEmailLang is BuildEmail in a language (en or ko).
func BuildEmailLang(rows []Row, date string, loc *time.Location, now time.Time, lang string) (Email, error) {
	p := i18n.For(lang)
	e := Email{Subject: SubjectLang(rows, date, p.Lang)}
	text, err := emailText(rows, date, loc, now, p)
	if err != nil {
		return Email{}, err
	}
	e.Text = text
	for _, withHeat := range []bool{true, false} {
		html, err := emailHTML(rows, date, loc, now, withHeat, p)
		if err != nil {
			return Email{}, err
		}
		e.HTML = html
		if len(html) <= maxEmailHTML {
			break
		}
	}
	return e, nil
}

func emailHTML(rows []Row, date string, loc *time.Location, now time.Time, withHeat bool, p *i18n.P) (string, error) {
	t := Count(rows)
	data := struct {
		Lang, Subject, Preheader, Date, Summary, ExpiryNote, Generated string
		Rows                                                           []emailRow
	}{Lang: p.Lang, Subject: SubjectLang(rows, date, p.Lang), Date: date, Summary: t.In(p), ExpiryNote: expiryNoteIn(p, rows, loc), Generated: p.Stamp(now, loc)}
	if p.KO() {
		data.Date = p.Date(mustDate(date, loc), loc)
	}
	data.Preheader = data.Summary
	heatRows := 0
	for _, r := range rows {
		er := emailRow{Row: r}
		er.Label, er.Color = verdictLabel(p, r.Verdict)
		for _, t := range r.Top {
			if t.Severity == "info" && r.Verdict != "healthy" {
				continue
			}
			l, c := verdictLabel(p, t.Severity)
			er.Lines = append(er.Lines, emailLine{Label: l, Color: c, Text: tools.Truncate(t.lineIn(p), 400)})
		}
		if r.Link != nil {
			er.URL = template.URL(r.Link.URL)
			er.Until = p.Stamp(r.Link.ExpiresAt, loc)
		} else if er.LinkNote == "" {
			er.LinkNote = p.T("mail.notPublished")
		}
		if withHeat && !r.Failed() && heatRows+len(r.heat) <= 30 {
			er.Heat = r.heat
			heatRows += len(r.heat)
		}
		data.Rows = append(data.Rows, er)
		if len(data.Preheader) < 120 && len(r.Top) > 0 && !r.Failed() && r.Verdict != "healthy" {
			data.Preheader += " · " + r.Cluster + ": " + r.Top[0].lineIn(p)
		}
	}
	var b bytes.Buffer
	if err := emailTmpls()[p.Lang].Execute(&b, data); err != nil {
		return "", fmt.Errorf("render email: %w", err)
	}
	return b.String(), nil
}

func emailText(rows []Row, date string, loc *time.Location, now time.Time, p *i18n.P) (string, error) {
	var b strings.Builder
	b.WriteString(p.T("mail.textHead", date) + "\n" + Count(rows).In(p) + "\n\n")
	for _, r := range rows {
		if r.Failed() {
			b.WriteString(p.T("mail.textFailed", r.Cluster, r.Region, r.Stage, oneLine(r.Error)) + "\n\n")
			continue
		}
		label, _ := verdictLabel(p, r.Verdict)
		b.WriteString(p.T("mail.textRow", r.Cluster, r.Region, label, r.Critical, r.Warning, r.Info))
		if r.Gaps > 0 {
			b.WriteString(p.T("mail.textGaps", r.Gaps))
		}
		b.WriteByte('\n')
		for _, t := range r.Top {
			sev := t.Severity
			if p.KO() {
				sev = p.TOr("sev."+sev, sev)
			}
			fmt.Fprintf(&b, "  - [%s] %s\n", sev, t.lineIn(p))
		}
		switch {
		case r.Link != nil:
			b.WriteString(p.T("mail.textReport", r.Link.URL) + "\n" + p.T("mail.textLink", linkNoteIn(p, r.Link, loc)) + "\n")
		case r.LinkNote != "":
			b.WriteString(p.T("mail.textReport", r.LinkNote) + "\n")
		}
		b.WriteByte('\n')
	}
	b.WriteString(p.T("mail.textGen", p.Stamp(now, loc)) + "\n")
	return b.String(), nil
}

// SendEmail sends e from the configured sender to the configured recipients with SES v2 (Simple content:
// HTML + text). The SDK's standard retryer retries throttling (TooManyRequests, LimitExceeded) with backoff.
func (d Deps) SendEmail(ctx context.Context, e Email) Delivery {
	cfg := d.Config.Email
	del := Delivery{Channel: ChannelEmail}
	if cfg == nil {
		del.Error = "no email destination is configured (delivery.email in kida.yaml)"
		return del
	}
	del.Target = recipients(len(cfg.To))
	region := d.region(cfg.Region)
	utf8 := aws.String("UTF-8")
	out, err := d.Clients.SES(region).SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(cfg.From),
		Destination:      &sestypes.Destination{ToAddresses: cfg.To},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(e.Subject), Charset: utf8},
			Body: &sestypes.Body{
				Html: &sestypes.Content{Data: aws.String(e.HTML), Charset: utf8},
				Text: &sestypes.Content{Data: aws.String(e.Text), Charset: utf8},
			},
		}},
	})
	del.Attempts = 1
	if err != nil {
		del.Error = d.awsError(awsclient.In(region, "SES identity "+cfg.From, err))
		return del
	}
	del.OK, del.MessageID = true, aws.ToString(out.MessageId)
	return del
}

func recipients(n int) string {
	if n == 1 {
		return "1 recipient"
	}
	return fmt.Sprintf("%d recipients", n)
}

// mustDate parses a YYYY-MM-DD report date as midday in loc (zero time when it does not parse).
func mustDate(date string, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return time.Time{}
	}
	return t.Add(12 * time.Hour)
}
