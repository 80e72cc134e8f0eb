// Package prompts holds kida's MCP prompts: Markdown templates (embedded) with typed, validated arguments.
// A prompt is served only when the tools it needs are enabled, so a disabled toolset hides its prompts;
// optional steps naming other tools appear only when those tools are enabled too.
package prompts

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

//go:embed *.md
var files embed.FS

// Arg is one prompt argument. MCP sends every argument as a string; Check enforces its type.
type Arg struct {
	Name        string
	Description string
	Required    bool
	Default     string               // used when the argument is absent or empty
	Check       func(v string) error // nil: any non-empty text up to 500 characters
}

// Prompt is one MCP prompt.
type Prompt struct {
	Name        string
	Title       string
	Description string
	Toolset     string   // the toolset it belongs to (docs, grouping)
	Requires    []string // tools that must be enabled for the prompt to be served
	Args        []Arg
	tmpl        *template.Template
}

var (
	clusterIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,62}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	sinceRE     = regexp.MustCompile(`^[1-9][0-9]{0,3}[mhdw]$`)
)

func clusterID(v string) error {
	if !clusterIDRE.MatchString(v) {
		return fmt.Errorf("must be a cluster or instance identifier (letters, digits and hyphens, starting with a letter, at most 63), got %q", trunc(v))
	}
	return nil
}

func region(v string) error {
	if !regionRE.MatchString(v) {
		return fmt.Errorf("must be an AWS region such as ap-northeast-2, got %q", trunc(v))
	}
	return nil
}

func since(v string) error {
	if !sinceRE.MatchString(v) {
		return fmt.Errorf("must be a relative window such as 90m, 24h, 7d or 2w, got %q", trunc(v))
	}
	return nil
}

func rfc3339(v string) error {
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return fmt.Errorf("must be an RFC 3339 time such as 2026-11-22T15:00:00+09:00, got %q", trunc(v))
	}
	return nil
}

func days(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 30 || n > 455 {
		return fmt.Errorf("must be a whole number of days from 30 to 455 (CloudWatch keeps hourly data 455 days), got %q", trunc(v))
	}
	return nil
}

func text(v string) error {
	if len([]rune(v)) > 500 {
		return fmt.Errorf("must be at most 500 characters")
	}
	return nil
}

func trunc(v string) string {
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}

var (
	argCluster = Arg{Name: "cluster_id", Required: true, Check: clusterID,
		Description: "Aurora/RDS cluster identifier (or a standalone instance identifier), e.g. orders-prod."}
	argRegion = Arg{Name: "region", Check: region,
		Description: "AWS region, e.g. ap-northeast-2. Default: the server's region."}
)

// all is the prompt table.
var all = []Prompt{
	{Name: "daily_check", Toolset: "check", Title: "Daily health check and report",
		Description: "Check one cluster over the last 24 hours and produce the HTML report in at most three tool calls (run_health_check, render_report, optional delivery).",
		Requires:    []string{"run_health_check", "render_report"},
		Args:        []Arg{argCluster, argRegion}},
	{Name: "incident_analysis", Toolset: "check", Title: "Incident analysis",
		Description: "Explain an incident on a cluster from a symptom and a time window: first look, hypotheses, evidence, timeline, cause and fix.",
		Requires:    []string{"run_health_check"},
		Args: []Arg{argCluster, argRegion,
			{Name: "start", Required: true, Check: rfc3339, Description: "Start of the incident window, RFC 3339 with offset, e.g. 2026-11-22T15:00:00+09:00."},
			{Name: "end", Check: rfc3339, Description: "End of the window, RFC 3339. Default: now."},
			{Name: "symptom", Required: true, Check: text, Description: "What was observed, e.g. \"checkout API timeouts\" or \"replica lag alarm\"."}}},
	{Name: "slow_query_review", Toolset: "slowlog", Title: "Slow query review",
		Description: "Review the slow query log digest (and database load when available) and propose a fix for the top query classes.",
		Requires:    []string{"get_slow_queries"},
		Args: []Arg{argCluster, argRegion,
			{Name: "since", Default: "24h", Check: since, Description: "Relative window ending now, e.g. 24h or 7d. Default 24h."}}},
	{Name: "capacity_plan", Toolset: "metrics", Title: "Capacity plan",
		Description: "Trend and forecast of storage, CPU, connections and memory over at least 30 days, with the date each would reach its limit.",
		Requires:    []string{"get_instance_metrics", "analyze_metric"},
		Args: []Arg{argCluster, argRegion,
			{Name: "days", Default: "30", Check: days, Description: "Days of history to analyze, 30 to 455. Default 30."}}},
	{Name: "security_posture", Toolset: "audit", Title: "Security posture review",
		Description: "Posture findings (encryption, public access, IAM auth, TLS, deletion protection), CloudTrail write calls and authentication failures in the error log.",
		Requires:    []string{"get_cloudtrail_events"},
		Args:        []Arg{argCluster, argRegion}},
}

func init() {
	for i := range all {
		p := &all[i]
		b, err := files.ReadFile(p.Name + ".md")
		if err != nil {
			panic(fmt.Sprintf("prompts: %s.md: %v", p.Name, err))
		}
		p.tmpl = template.Must(template.New(p.Name).Option("missingkey=zero").Funcs(template.FuncMap{"q": quote, "has": func(string) bool { return true }}).Parse(string(b)))
	}
}

// quote renders v as a JSON string (the templates show tool calls as JSON).
func quote(v any) string {
	b, _ := json.Marshal(fmt.Sprint(v))
	return string(b)
}

// All returns the prompt table.
func All() []Prompt { return all }

// data is what a template sees: the arguments by name. Templates call has "tool" for optional steps and
// q to quote a value as a JSON string.
type data map[string]any

// Render validates args and renders the prompt text. has reports whether a tool is enabled.
func (p Prompt) Render(args map[string]string, has func(tool string) bool) (string, error) {
	known := map[string]bool{}
	d := data{}
	var problems []string
	for _, a := range p.Args {
		known[a.Name] = true
		v := strings.TrimSpace(args[a.Name])
		if v == "" {
			if a.Required {
				problems = append(problems, fmt.Sprintf("missing required argument %q (%s)", a.Name, a.Description))
				continue
			}
			v = a.Default
		} else {
			check := a.Check
			if check == nil {
				check = text
			}
			if err := check(v); err != nil {
				problems = append(problems, fmt.Sprintf("argument %q %v", a.Name, err))
				continue
			}
		}
		d[a.Name] = v
	}
	for k := range args {
		if !known[k] {
			problems = append(problems, fmt.Sprintf("unknown argument %q", k))
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("prompt %s: %s; arguments: %s", p.Name, strings.Join(problems, "; "), p.argList())
	}
	if has == nil {
		has = func(string) bool { return true }
	}
	t, err := p.tmpl.Clone()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Funcs(template.FuncMap{"has": has}).Execute(&b, d); err != nil {
		return "", fmt.Errorf("prompt %s: %w", p.Name, err)
	}
	return b.String(), nil
}

func (p Prompt) argList() string {
	parts := make([]string, len(p.Args))
	for i, a := range p.Args {
		parts[i] = a.Name
		if a.Required {
			parts[i] += " (required)"
		}
	}
	return strings.Join(parts, ", ")
}

// MCP is the prompt's definition for prompts/list.
func (p Prompt) MCP() mcp.Prompt {
	opts := []mcp.PromptOption{mcp.WithPromptTitle(p.Title), mcp.WithPromptDescription(p.Description)}
	for _, a := range p.Args {
		aopts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.Description)}
		if a.Required {
			aopts = append(aopts, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.Name, aopts...))
	}
	return mcp.NewPrompt(p.Name, opts...)
}

// Enabled reports whether every tool the prompt requires is enabled.
func (p Prompt) Enabled(has func(string) bool) bool {
	for _, t := range p.Requires {
		if !has(t) {
			return false
		}
	}
	return true
}

// Server returns the prompts to register for the enabled tools, with handlers that validate their
// arguments (mcp-go does not enforce required arguments) and leave out steps naming disabled tools.
func Server(enabledTools []string) []server.ServerPrompt {
	set := map[string]bool{}
	for _, t := range enabledTools {
		set[t] = true
	}
	has := func(t string) bool { return set[t] }
	var out []server.ServerPrompt
	for _, p := range all {
		if !p.Enabled(has) {
			continue
		}
		out = append(out, server.ServerPrompt{Prompt: p.MCP(), Handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			txt, err := p.Render(req.Params.Arguments, has)
			if err != nil {
				return nil, err
			}
			return mcp.NewGetPromptResult(p.Description, []mcp.PromptMessage{
				mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(txt)),
			}), nil
		}})
	}
	return out
}
