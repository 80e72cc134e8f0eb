package relay

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/events"
)

// SlackMessage is an incoming-webhook body: the notification text and one attachment whose colour bar shows
// the state (Block Kit blocks have no colour of their own), holding the Block Kit blocks.
type SlackMessage struct {
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a coloured container of blocks.
type Attachment struct {
	Color  string           `json:"color"`
	Blocks []delivery.Block `json:"blocks"`
}

// Validate checks the message against Slack's Block Kit limits (delivery.ValidateMessage).
func (m SlackMessage) Validate() error {
	var blocks []delivery.Block
	for _, a := range m.Attachments {
		blocks = append(blocks, a.Blocks...)
	}
	return delivery.ValidateMessage(delivery.Message{Text: m.Text, Blocks: blocks})
}

// Colours and emoji by alarm state and event severity.
const (
	colorRed    = "#E01E5A"
	colorGreen  = "#2EB67D"
	colorAmber  = "#ECB22E"
	colorBlue   = "#1D9BD1"
	colorGrey   = "#9E9E9E"
	maxUntrusty = 1500 // runes of one untrusted field (reason, description, message) in a section
)

// Format holds what messages need besides the notification: the local time zone, the console links and the
// report link.
type Format struct {
	// Location shows local times next to UTC; nil → UTC only.
	Location *time.Location
	// ConsoleLinks adds links to the CloudWatch / RDS console.
	ConsoleLinks bool
	// ReportURL, when set, links the latest kida report of the cluster: {cluster} and {region} are replaced
	// (path-escaped), e.g. https://reports.example.com/{cluster}/latest.html.
	ReportURL string
	// ClusterOf names the cluster of a DB instance when the notification does not (an alarm on
	// DBInstanceIdentifier): cmd/kida-mcp derives it from kida.yaml's clusters. nil or "" → unknown.
	ClusterOf func(instanceID string) string
}

// resolve fills the cluster of an instance from ClusterOf.
func (f Format) resolve(r Resource) Resource {
	if r.Kind == "instance" && r.Cluster == "" && f.ClusterOf != nil {
		if c := f.ClusterOf(r.ID); c != "" && c != r.ID {
			r.Cluster = c
		}
	}
	return r
}

func stateStyle(state string) (emoji, color string) {
	switch state {
	case StateAlarm:
		return ":red_circle:", colorRed
	case StateOK:
		return ":large_green_circle:", colorGreen
	}
	return ":white_circle:", colorGrey
}

// groupStyle is the emoji and colour of an RDS event group; a message saying something failed is red.
func groupStyle(group, message string) (emoji, color string) {
	failed := strings.Contains(strings.ToLower(message), "fail") && group != events.GroupFailover
	switch {
	case group == events.GroupFailover:
		return ":twisted_rightwards_arrows:", colorRed
	case group == events.GroupFailure || failed:
		return ":x:", colorRed
	case group == events.GroupLowStorage:
		return ":warning:", colorRed
	case group == events.GroupReboot:
		return ":arrows_counterclockwise:", colorAmber
	case group == events.GroupMaintenance:
		return ":wrench:", colorAmber
	case group == events.GroupBackup:
		return ":floppy_disk:", colorGreen
	case group == events.GroupConfiguration:
		return ":gear:", colorBlue
	}
	return ":information_source:", colorBlue
}

// Slack builds the Block Kit message of n (an alarm or an RDS event).
func (f Format) Slack(n Notification) SlackMessage {
	switch {
	case n.Alarm != nil:
		return f.alarmSlack(n.Alarm)
	case n.RDS != nil:
		return f.rdsSlack(n.RDS)
	}
	return SlackMessage{Text: "unknown event"}
}

func (f Format) alarmSlack(a *Alarm) SlackMessage {
	emoji, color := stateStyle(a.State)
	esc := delivery.EscapeMrkdwn
	from := a.OldState
	if from == "" {
		from = "?"
	}
	m := SlackMessage{Text: fmt.Sprintf("%s %s: %s (%s) — %s → %s", emoji, a.State, esc(oneLine(a.Name)), esc(orQ(a.Region)), esc(from), esc(a.State))}
	var blocks []delivery.Block
	blocks = append(blocks, header(emoji+" "+a.State+": "+oneLine(a.Name)))

	var b strings.Builder
	fmt.Fprintf(&b, "*%s → %s* · %s\n", esc(from), esc(a.State), esc(f.when(a.Time)))
	kind := "Alarm"
	if a.Rule != "" {
		kind = "Composite alarm"
	}
	fmt.Fprintf(&b, "*%s:* %s · %s", kind, esc(tools.Truncate(oneLine(a.Name), 300)), esc(orQ(a.Region)))
	if a.AccountID != "" {
		fmt.Fprintf(&b, " · account %s", esc(a.AccountID))
	}
	first := section(b.String())
	if u := f.alarmConsoleURL(a); u != "" {
		first.Accessory = &delivery.Element{Type: "button", Text: &delivery.Text{Type: "plain_text", Text: "Open alarm"}, URL: u, ActionID: "open-alarm"}
	}
	blocks = append(blocks, first)
	if a.Reason != "" {
		blocks = append(blocks, section("*Reason:* "+esc(tools.Truncate(a.Reason, maxUntrusty))))
	}
	var d strings.Builder
	if t := a.Trigger; t != nil {
		if t.MetricName != "" {
			fmt.Fprintf(&d, "*Metric:* %s %s", esc(t.Namespace), esc(t.MetricName))
			if t.Statistic != "" || t.Period > 0 {
				fmt.Fprintf(&d, " · %s", esc(strings.TrimSpace(strings.ToLower(t.Statistic)+" over "+period(t.Period))))
			}
			d.WriteString("\n")
		}
		if cond := condition(t); cond != "" {
			fmt.Fprintf(&d, "*Threshold:* %s\n", esc(cond))
		}
		for i, q := range t.Metrics {
			if i == 4 {
				fmt.Fprintf(&d, "…and %d more queries\n", len(t.Metrics)-4)
				break
			}
			fmt.Fprintf(&d, "• %s\n", esc(tools.Truncate(q, 300)))
		}
	}
	if a.Rule != "" {
		fmt.Fprintf(&d, "*Rule:* %s\n", esc(tools.Truncate(a.Rule, 1000)))
		if len(a.Children) > 0 {
			fmt.Fprintf(&d, "*Triggered by:* %s\n", esc(tools.Truncate(strings.Join(a.Children, ", "), 1000)))
		}
	}
	res := f.resolve(a.Resource())
	if res.ID != "" {
		fmt.Fprintf(&d, "*Database:* %s\n", f.resourceText(res, a.Region))
	}
	if s := strings.TrimSpace(d.String()); s != "" {
		blocks = append(blocks, section(s))
	}
	if desc := strings.TrimSpace(a.Description); desc != "" {
		blocks = append(blocks, section("*Description:* "+esc(tools.Truncate(desc, maxUntrusty))))
	}
	if c := f.context(res, a.Region); c != nil {
		blocks = append(blocks, *c)
	}
	m.Attachments = []Attachment{{Color: color, Blocks: blocks}}
	return m
}

func (f Format) rdsSlack(e *RDSEvent) SlackMessage {
	emoji, color := groupStyle(e.Group, e.Message)
	esc := delivery.EscapeMrkdwn
	label := strings.ReplaceAll(e.Group, "_", " ")
	res := f.resolve(e.Resource())
	m := SlackMessage{Text: fmt.Sprintf("%s RDS %s: %s — %s", emoji, label, esc(oneLine(e.SourceID)), esc(tools.Truncate(oneLine(e.Message), 300)))}
	var blocks []delivery.Block
	blocks = append(blocks, header(emoji+" RDS "+label+": "+oneLine(e.SourceID)))
	msg := section("*" + esc(tools.Truncate(oneLine(e.Message), maxUntrusty)) + "*")
	if u := f.rdsConsoleURL(res, e.Region); u != "" {
		msg.Accessory = &delivery.Element{Type: "button", Text: &delivery.Text{Type: "plain_text", Text: "Open in RDS console"}, URL: u, ActionID: "open-rds"}
	}
	blocks = append(blocks, msg)
	var b strings.Builder
	fmt.Fprintf(&b, "*Source:* %s\n", f.resourceText(res, e.Region))
	fmt.Fprintf(&b, "*When:* %s\n", esc(f.when(e.Time)))
	cats := strings.Join(e.Categories, ", ")
	if cats == "" {
		cats = "none"
	}
	fmt.Fprintf(&b, "*Categories:* %s", esc(cats))
	if e.EventID != "" {
		fmt.Fprintf(&b, " · %s", esc(e.EventID))
	}
	fmt.Fprintf(&b, " · %s", esc(orQ(e.Region)))
	if e.Account != "" {
		fmt.Fprintf(&b, " · account %s", esc(e.Account))
	}
	blocks = append(blocks, section(b.String()))
	if c := f.context(res, e.Region); c != nil {
		blocks = append(blocks, *c)
	}
	m.Attachments = []Attachment{{Color: color, Blocks: blocks}}
	return m
}

// resourceText is "DB instance orders-prod-1 (cluster orders-prod, WRITER)", escaped.
func (f Format) resourceText(r Resource, region string) string {
	esc := delivery.EscapeMrkdwn
	kind := r.Kind
	switch kind {
	case "instance", "cluster", "snapshot", "cluster snapshot":
		kind = "DB " + kind
	}
	s := strings.TrimSpace(kind + " " + esc(tools.Truncate(oneLine(r.ID), 300)))
	var extra []string
	if r.Cluster != "" {
		extra = append(extra, "cluster "+esc(r.Cluster))
	}
	if r.Role != "" {
		extra = append(extra, esc(r.Role))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// context is the footer: the report link (when configured and the cluster is known) and the signature.
func (f Format) context(r Resource, region string) *delivery.Block {
	els := []delivery.Text{}
	if u := f.reportURL(r, region); u != "" {
		els = append(els, delivery.Text{Type: "mrkdwn", Text: "<" + u + "|Latest kida report>"})
	}
	els = append(els, delivery.Text{Type: "mrkdwn", Text: "kida-mcp relay"})
	return &delivery.Block{Type: "context", Elements: els}
}

// when is "2017-01-12 16:30:42 UTC (2017-01-13 01:30:42 KST)".
func (f Format) when(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	if f.Location != nil && f.Location != time.UTC && f.Location.String() != "UTC" {
		s += " (" + t.In(f.Location).Format("2006-01-02 15:04:05 MST") + ")"
	}
	return s
}

// consoleHost is the console's host for region ("" when the region is unknown).
func consoleHost(region string) string {
	if !regionOK(region) {
		return ""
	}
	return "https://" + region + ".console.aws.amazon.com"
}

func regionOK(r string) bool {
	if r == "" || len(r) > 30 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (f Format) alarmConsoleURL(a *Alarm) string {
	h := consoleHost(a.Region)
	if !f.ConsoleLinks || h == "" {
		return ""
	}
	return safeURL(h + "/cloudwatch/home?region=" + a.Region + "#alarmsV2:alarm/" + url.PathEscape(a.Name))
}

func (f Format) rdsConsoleURL(r Resource, region string) string {
	h := consoleHost(region)
	if !f.ConsoleLinks || h == "" {
		return ""
	}
	base := h + "/rds/home?region=" + region
	switch {
	case r.Kind == "instance":
		return safeURL(base + "#database:id=" + url.PathEscape(r.ID) + ";is-cluster=false")
	case r.Kind == "cluster":
		return safeURL(base + "#database:id=" + url.PathEscape(r.ID) + ";is-cluster=true")
	case r.Cluster != "":
		return safeURL(base + "#database:id=" + url.PathEscape(r.Cluster) + ";is-cluster=true")
	}
	return safeURL(base + "#events:")
}

func (f Format) reportURL(r Resource, region string) string {
	if f.ReportURL == "" {
		return ""
	}
	c := r.Cluster
	if c == "" && (r.Kind == "cluster" || r.Kind == "instance") {
		c = r.ID
	}
	if c == "" && strings.Contains(f.ReportURL, "{cluster}") {
		return ""
	}
	u := strings.NewReplacer("{cluster}", url.PathEscape(c), "{region}", url.PathEscape(region)).Replace(f.ReportURL)
	return safeURL(u)
}

// safeURL refuses anything that could break out of a mrkdwn link or a button.
func safeURL(u string) string {
	if strings.ContainsAny(u, "<>| \n\r\t\"") || utf8.RuneCountInString(u) > delivery.MaxButtonURL {
		return ""
	}
	return u
}

// condition is "CPUUtilization ≥ 90 for 5 of 5 periods of 1 min".
func condition(t *Trigger) string {
	if t.ComparisonOperator == "" {
		return ""
	}
	op, band := comparison(t.ComparisonOperator)
	var s string
	switch {
	case band:
		s = op
		if t.ThresholdMetricID != "" {
			s += " (band " + t.ThresholdMetricID + ")"
		}
	case t.Threshold != nil:
		s = op + " " + formatThreshold(*t.Threshold, t.MetricName)
	default:
		s = op
	}
	if t.MetricName != "" && !band {
		s = t.MetricName + " " + s
	}
	if t.EvaluationPeriods > 0 {
		n := t.DatapointsToAlarm
		if n == 0 {
			n = t.EvaluationPeriods
		}
		s += fmt.Sprintf(" for %d of %d period(s)", n, t.EvaluationPeriods)
		if t.Period > 0 {
			s += " of " + period(t.Period)
		}
	}
	return s
}

func comparison(op string) (string, bool) {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return "≥", false
	case "GreaterThanThreshold":
		return ">", false
	case "LessThanThreshold":
		return "<", false
	case "LessThanOrEqualToThreshold":
		return "≤", false
	case "LessThanLowerOrGreaterThanUpperThreshold":
		return "outside the expected band", true
	case "GreaterThanUpperThreshold":
		return "above the expected band", true
	case "LessThanLowerThreshold":
		return "below the expected band", true
	}
	return op, false
}

// formatThreshold prints a threshold plainly, with bytes as GiB/MiB for byte metrics.
func formatThreshold(v float64, metric string) string {
	plain := strconv.FormatFloat(v, 'f', -1, 64)
	switch metric {
	case "FreeableMemory", "FreeLocalStorage", "FreeStorageSpace", "VolumeBytesUsed", "SwapUsage", "AuroraVolumeBytesLeftTotal":
		switch {
		case math.Abs(v) >= 1<<30:
			return fmt.Sprintf("%s (%.1f GiB)", plain, v/(1<<30))
		case math.Abs(v) >= 1<<20:
			return fmt.Sprintf("%s (%.0f MiB)", plain, v/(1<<20))
		}
	}
	return plain
}

func period(s int) string {
	switch {
	case s <= 0:
		return ""
	case s%3600 == 0:
		return fmt.Sprintf("%d h", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d s", s)
}

func header(s string) delivery.Block {
	return delivery.Block{Type: "header", Text: &delivery.Text{Type: "plain_text", Text: tools.Truncate(s, delivery.MaxHeaderText), Emoji: true}}
}

func section(mrkdwn string) delivery.Block {
	return delivery.Block{Type: "section", Text: &delivery.Text{Type: "mrkdwn", Text: delivery.FitMrkdwn(mrkdwn)}}
}

// oneLine folds line breaks and tabs into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orQ(s string) string {
	if s == "" {
		return "unknown region"
	}
	return s
}
