package relay

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
)

// emailTmpl is a small 600-px table with inline styles; html/template escapes every value.
var emailTmpl = template.Must(template.New("relay").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background-color:#f4f6f8;font-family:Arial,Helvetica,sans-serif;color:#1a202c;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f6f8;"><tr><td style="padding:24px 8px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" align="center" style="width:600px;max-width:600px;background-color:#ffffff;border:1px solid #e2e8f0;border-top:6px solid {{.Color}};">
<tr><td style="padding:16px 24px;font-size:18px;line-height:24px;font-weight:bold;">{{.Title}}</td></tr>
{{range .Rows}}<tr><td style="padding:4px 24px;font-size:13px;line-height:19px;"><span style="display:inline-block;width:110px;color:#4a5568;font-weight:bold;vertical-align:top;">{{.Label}}</span><span style="white-space:pre-wrap;">{{if .URL}}<a href="{{.URL}}" style="color:#2b6cb0;">{{.Value}}</a>{{else}}{{.Value}}{{end}}</span></td></tr>
{{end}}<tr><td style="padding:16px 24px 20px 24px;font-size:11px;line-height:16px;color:#718096;">Sent by kida-mcp relay.</td></tr>
</table></td></tr></table></body></html>
`))

type emailRow struct {
	Label, Value string
	URL          template.URL
}

// Email builds the email of n: a subject (ASCII-safe for SNS too), an HTML part and a text part.
func (f Format) Email(n Notification) delivery.Email {
	var title, color string
	var rows []emailRow
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			rows = append(rows, emailRow{Label: label, Value: value})
		}
	}
	link := func(label, text, u string) {
		if u != "" {
			rows = append(rows, emailRow{Label: label, Value: text, URL: template.URL(u)})
		}
	}
	switch {
	case n.Alarm != nil:
		a := n.Alarm
		_, color = stateStyle(a.State)
		title = fmt.Sprintf("%s: %s", a.State, oneLine(a.Name))
		from := a.OldState
		if from == "" {
			from = "?"
		}
		add("Change", from+" → "+a.State)
		add("When", f.when(a.Time))
		add("Alarm", oneLine(a.Name))
		add("Region", a.Region)
		add("Account", a.AccountID)
		add("Reason", tools.Truncate(a.Reason, 4000))
		if t := a.Trigger; t != nil {
			if t.MetricName != "" {
				add("Metric", strings.TrimSpace(t.Namespace+" "+t.MetricName+" · "+strings.ToLower(t.Statistic)+" over "+period(t.Period)))
			}
			add("Threshold", condition(t))
		}
		add("Rule", a.Rule)
		add("Triggered by", strings.Join(a.Children, ", "))
		res := f.resolve(a.Resource())
		if res.ID != "" {
			add("Database", plainResource(res))
		}
		add("Description", tools.Truncate(a.Description, 4000))
		link("Console", "Open the alarm", f.alarmConsoleURL(a))
		link("Report", "Latest kida report", f.reportURL(res, a.Region))
	case n.RDS != nil:
		e := n.RDS
		_, color = groupStyle(e.Group, e.Message)
		title = fmt.Sprintf("RDS %s: %s", strings.ReplaceAll(e.Group, "_", " "), oneLine(e.SourceID))
		res := f.resolve(e.Resource())
		add("Message", tools.Truncate(e.Message, 4000))
		add("Source", plainResource(res))
		add("When", f.when(e.Time))
		add("Categories", strings.Join(e.Categories, ", "))
		add("Event id", e.EventID)
		add("Region", e.Region)
		add("Account", e.Account)
		link("Console", "Open in the RDS console", f.rdsConsoleURL(res, e.Region))
		link("Report", "Latest kida report", f.reportURL(res, e.Region))
	default:
		return delivery.Email{Subject: "[kida] unknown event", Text: "unknown event\n"}
	}
	subject := tools.Truncate(oneLine("[kida] "+title), 150)
	var text strings.Builder
	text.WriteString(title + "\n\n")
	for _, r := range rows {
		v := r.Value
		if r.URL != "" {
			v = string(r.URL)
		}
		fmt.Fprintf(&text, "%-13s %s\n", r.Label+":", v)
	}
	text.WriteString("\nSent by kida-mcp relay.\n")
	var html bytes.Buffer
	_ = emailTmpl.Execute(&html, map[string]any{"Subject": subject, "Title": title, "Color": template.CSS(color), "Rows": rows})
	return delivery.Email{Subject: subject, HTML: html.String(), Text: text.String()}
}

func plainResource(r Resource) string {
	kind := r.Kind
	switch kind {
	case "instance", "cluster", "snapshot", "cluster snapshot":
		kind = "DB " + kind
	}
	s := strings.TrimSpace(kind + " " + oneLine(r.ID))
	var extra []string
	if r.Cluster != "" {
		extra = append(extra, "cluster "+r.Cluster)
	}
	if r.Role != "" {
		extra = append(extra, r.Role)
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}
