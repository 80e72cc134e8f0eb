package events

import (
	"context"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// defaultLimit is how many events the answer lists by default; counts always cover all of them.
const defaultLimit = 100

// Input is the input of get_rds_events.
type Input struct {
	ClusterID string `json:"cluster_id" jsonschema:"required,minLength=1,maxLength=63" jsonschema_description:"Aurora/RDS cluster identifier, or a standalone RDS instance identifier."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region, e.g. ap-northeast-2. Default: the server's region."`
	timewin.Input
	Categories []string `json:"categories,omitempty" jsonschema:"maxItems=11,enum=failover,enum=failure,enum=reboot,enum=low_storage,enum=maintenance,enum=backup,enum=configuration_change,enum=creation_deletion,enum=read_replica,enum=notification,enum=other" jsonschema_description:"Only these categories. Default: all."`
	Limit      int      `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Most events to list, newest first (default 100). Counts always cover every event in the window."`
}

// Output is the output of get_rds_events.
type Output struct {
	Region    string       `json:"region"`
	ClusterID string       `json:"cluster_id"`
	Window    timewin.Echo `json:"window"`
	Sources   []Source     `json:"sources" jsonschema_description:"The DescribeEvents sources read."`
	Parts     []Part       `json:"parts,omitempty" jsonschema_description:"With an event archive: which part of the window came from the RDS API and which from the archive."`
	Total     int          `json:"total" jsonschema_description:"Events in the window (after filters and de-duplication)."`
	Counts    []GroupCount `json:"counts" jsonschema_description:"Events per category, in report order."`
	Events    []Event      `json:"events" jsonschema_description:"Newest first."`
	Truncated bool         `json:"truncated" jsonschema_description:"More events exist than are listed."`
	Hints     []string     `json:"hints,omitempty"`
}

// Text renders the compact mirror: counts, then the events grouped by category.
func (o Output) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## RDS events of %s (%s)\nWindow: %s\n", o.ClusterID, o.Region, echoString(o.Window))
	if o.Window.Note != "" {
		fmt.Fprintf(&b, "- note: %s\n", tools.Cell(o.Window.Note))
	}
	b.WriteString(partsText(o.Parts))
	if o.Total == 0 {
		b.WriteString("No events in the window.\n")
	} else {
		parts := make([]string, len(o.Counts))
		for i, c := range o.Counts {
			parts[i] = fmt.Sprintf("%s %d", c.Group, c.Count)
		}
		fmt.Fprintf(&b, "%d events: %s\n", o.Total, strings.Join(parts, ", "))
		if o.Truncated {
			fmt.Fprintf(&b, "(listing the newest %d)\n", len(o.Events))
		}
		for _, c := range o.Counts {
			var rows [][]string
			for _, e := range o.Events {
				if e.Group == c.Group {
					rows = append(rows, []string{localShort(e.TimeLocal), e.TimeUTC, e.Source, originMark(e) + e.Message})
				}
			}
			if len(rows) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n### %s (%d)\n", c.Group, c.Count)
			b.WriteString(tools.Table([]string{"local", "utc", "source", "message"}, rows))
		}
	}
	for _, h := range o.Hints {
		b.WriteString("- hint: " + tools.Cell(h) + "\n")
	}
	return b.String()
}

// echoString is the one-line window for text: "start → end local (zone) = utc".
func echoString(e timewin.Echo) string {
	return fmt.Sprintf("%s → %s (%s) = %s → %s", localShort(e.StartLocal), localShort(e.EndLocal), e.Timezone, e.StartUTC, e.EndUTC)
}

// localShort trims an RFC 3339 time to "2006-01-02 15:04".
func localShort(s string) string {
	if len(s) >= 16 {
		return strings.Replace(s[:16], "T", " ", 1)
	}
	return s
}

func getEventsTool(c awsclient.Clients, env tools.Env, arch Archive) tools.Tool {
	return tools.New(withArchive(tools.Spec{
		Name: "get_rds_events", Toolset: "events", Title: "RDS events of a cluster",
		Description: "RDS events of the cluster and every member (failover, failure, reboot, maintenance, backup, configuration change, " +
			"low storage, …) grouped by category with counts, newest first, times in UTC and local. RDS keeps 14 days; longer windows " +
			"are clamped with a note. Default window 24h. NEXT: get_instance_metrics around a failover or reboot time.",
		ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, arch), func(ctx context.Context, in Input) (Output, error) {
		maxAge := Retention
		if arch != nil {
			maxAge = ArchiveMaxAge
		}
		t, w, err := cluster.Resolve(ctx, c, in.ClusterID, in.Region, in.Input, timewin.Options{Now: env.Clock(), MaxAge: maxAge, Clamp: true})
		if err != nil {
			return Output{}, err
		}
		api := c.RDS(t.Region)
		if arch != nil {
			res, parts, err := ListMerged(ctx, api, arch, t, w, env.Clock(), Options{Groups: in.Categories})
			if err != nil {
				return Output{}, err
			}
			out := buildOutput(t, w, res, in.Limit)
			out.Parts = parts
			return out, nil
		}
		res, err := List(ctx, api, t, w, Options{Groups: in.Categories})
		if err != nil {
			return Output{}, err
		}
		return buildOutput(t, w, res, in.Limit), nil
	})
}

func buildOutput(t cluster.Topology, w timewin.Window, res Result, limit int) Output {
	if limit <= 0 {
		limit = defaultLimit
	}
	out := Output{
		Region: t.Region, ClusterID: t.ID, Window: w.Echo(), Sources: res.Sources, Total: len(res.Events),
		Counts: res.Counts, Events: res.Events, Truncated: res.Truncated, Hints: append([]string{}, t.Hints...),
	}
	if len(out.Events) > limit {
		out.Events = out.Events[:limit]
		out.Truncated = true
	}
	out.Events = capMessages(out.Events, maxMessage)
	out.Hints = append(out.Hints, res.Hints...)
	if w.Clamped {
		out.Hints = append(out.Hints, "RDS keeps events for 14 days only; the window was clamped (see window.note). Older history: CloudTrail (get_cloudtrail_events) or an EventBridge archive.")
	}
	if out.Total == 0 {
		out.Hints = append(out.Hints, fmt.Sprintf("no events for %s or its members in the window; widen it with since up to \"14d\"", t.ID))
	}
	return out
}

// maxMessage bounds one event's message in an answer: RDS messages are a sentence or two, and a longer one
// (noise, or text planted to crowd the model's context) must not make the answer unbounded.
const maxMessage = 500

// capMessages cuts messages longer than n runes, copying evs only when one is cut.
func capMessages(evs []Event, n int) []Event {
	var out []Event
	for i, e := range evs {
		if len([]rune(e.Message)) <= n {
			continue
		}
		if out == nil {
			out = append([]Event(nil), evs...)
		}
		out[i].Message = tools.Truncate(e.Message, n)
	}
	if out == nil {
		return evs
	}
	return out
}
