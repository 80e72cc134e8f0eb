package delivery

import (
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
)

// ChecksInput names the checks a message is about — never where it goes.
type ChecksInput struct {
	CheckIDs []string `json:"check_ids" jsonschema:"required,minItems=1,maxItems=50" jsonschema_description:"Check ids from run_health_check, one per cluster; each becomes one row with its verdict, counts and report link."`
}

// SendOutput is the answer of the message tools: one row per cluster and the outcome of every send.
type SendOutput struct {
	Date       string     `json:"date" jsonschema_description:"Report date (YYYY-MM-DD) used in titles and object keys."`
	Summary    string     `json:"summary" jsonschema_description:"e.g. 3 clusters: 1 critical, 1 healthy, 1 failed."`
	Rows       []Row      `json:"rows"`
	Deliveries []Delivery `json:"deliveries"`
	AllOK      bool       `json:"all_ok" jsonschema_description:"Every send succeeded and every report was published."`
}

// Text renders the compact mirror.
func (o SendOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Delivery %s — %s\n", o.Date, o.Summary)
	var rows [][]string
	for _, r := range o.Rows {
		switch {
		case r.Failed():
			rows = append(rows, []string{r.Cluster, r.Region, "FAILED at " + r.Stage, r.Error})
		case r.Link != nil:
			rows = append(rows, []string{r.Cluster, r.Region, r.Verdict, fmt.Sprintf("%s (link %s)", r.Link.URL, r.Link.Note)})
		default:
			rows = append(rows, []string{r.Cluster, r.Region, r.Verdict, r.LinkNote})
		}
	}
	b.WriteString(tools.Table([]string{"cluster", "region", "verdict", "report"}, rows))
	b.WriteString("Sends:\n")
	b.WriteString(DeliveriesText(o.Deliveries))
	if !o.AllOK {
		b.WriteString("Some sends or clusters failed: tell the user which, with the reason above; do not claim they were delivered.\n")
	}
	return b.String()
}

func sendOutput(rows []Row, date string, ds []Delivery) SendOutput {
	o := SendOutput{Date: date, Summary: Count(rows).String(), Rows: rows, Deliveries: ds, AllOK: true}
	for _, r := range rows {
		if r.Failed() {
			o.AllOK = false
		}
	}
	for _, d := range ds {
		if !d.OK {
			o.AllOK = false
		}
	}
	return o
}
