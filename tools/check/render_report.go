package check

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// RenderInput is the input of render_report.
type RenderInput struct {
	CheckID   string `json:"check_id,omitempty" jsonschema:"maxLength=128" jsonschema_description:"A check id from run_health_check. Or send cluster_id to run a check first."`
	ClusterID string `json:"cluster_id,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Run a health check of this cluster and render it (when no check_id)."`
	Region    string `json:"region,omitempty" jsonschema_description:"AWS region for cluster_id. Default: the server's region."`
	Format    string `json:"format,omitempty" jsonschema:"enum=html,enum=markdown,enum=json" jsonschema_description:"html (default; self-contained, 9 tabs), markdown or json."`
	Lang      string `json:"lang,omitempty" jsonschema:"enum=en,enum=ko" jsonschema_description:"Language of the HTML report people read: en (default) or ko. This result stays English."`
	timewin.Input
}

// Validate requires exactly one of check_id and cluster_id.
func (in RenderInput) Validate() error {
	switch {
	case in.CheckID == "" && in.ClusterID == "":
		return tools.Errorf("send check_id (from run_health_check) or cluster_id (to run a check now)")
	case in.CheckID != "" && in.ClusterID != "":
		return tools.Errorf("send check_id or cluster_id, not both")
	case in.CheckID != "" && (in.Since != "" || in.Start != "" || in.End != ""):
		return tools.Errorf("a stored check already has its window; drop since/start/end or send cluster_id instead of check_id")
	}
	return nil
}

// RenderOutput is the output of render_report.
type RenderOutput struct {
	CheckID   string `json:"check_id"`
	Cluster   string `json:"cluster"`
	Region    string `json:"region"`
	Format    string `json:"format"`
	Path      string `json:"path" jsonschema_description:"Absolute path of the rendered file on the server's machine."`
	SizeBytes int64  `json:"size_bytes"`
	Resource  string `json:"resource" jsonschema_description:"MCP resource URI of the report."`
	Verdict   string `json:"verdict"`
	Headline  string `json:"headline"`
	Counts    Counts `json:"counts"`
	Gaps      int    `json:"gaps"`
	// Markdown holds the rendered Markdown when format=markdown (truncated past 12 KB; the file is complete).
	Markdown  string `json:"markdown,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Text renders the compact mirror.
func (o RenderOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Report written: %s (%s, %s) — %s\n", o.Path, o.Format, tools.Bytes(float64(o.SizeBytes)), o.Headline)
	fmt.Fprintf(&b, "check_id %s · resource %s\n", o.CheckID, o.Resource)
	if o.Markdown != "" {
		b.WriteString("\n" + o.Markdown + "\n")
	}
	b.WriteString("NEXT: publish_report / send_report_email / notify_slack deliver it to the configured destinations (when enabled).\n")
	return b.String()
}

const maxInlineMarkdown = 12 << 10

func renderTool(d Deps, store *Store) tools.Tool {
	return tools.New(tools.Spec{
		Name: "render_report", Toolset: "report", Title: "Render a health-check report",
		Description: "Renders a stored health check (check_id from run_health_check), or runs one for cluster_id, into the report " +
			"directory: a self-contained HTML report with 9 tabs (default), Markdown or JSON. Returns the path, size and verdict. " +
			"NEXT: the delivery tools, when configured.",
		ReadOnly: true, Idempotent: true, OpenWorld: false,
	}, func(ctx context.Context, in RenderInput) (RenderOutput, error) {
		var c report.Check
		var err error
		if in.CheckID != "" {
			c, err = store.Get(in.CheckID)
		} else {
			c, err = Run(ctx, d, in.ClusterID, in.Region, Options{Window: in.Input,
				Progress: func(done, total int, section string) {
					tools.Progress(ctx, float64(done), float64(total), section+" done")
				}})
			if err == nil {
				if perr := store.Put(c); perr != nil {
					d.Env.Log().Warn("could not save check", "id", c.ID, "err", perr)
				}
			}
		}
		if err != nil {
			return RenderOutput{}, err
		}
		format := in.Format
		if format == "" {
			format = "html"
		}
		dir := store.Dir
		if dir == "" {
			dir = os.TempDir()
		}
		path, size, err := report.WriteLang(dir, c, format, in.Lang)
		if err != nil {
			return RenderOutput{}, fmt.Errorf("write report: %w", err)
		}
		crit, warn, info := c.Counts()
		out := RenderOutput{CheckID: c.ID, Cluster: c.Cluster, Region: c.Region, Format: format, Path: path, SizeBytes: size,
			Resource: "kida://reports/" + c.ID, Verdict: c.Verdict, Headline: c.Headline, Counts: Counts{crit, warn, info}, Gaps: len(c.Gaps)}
		if format == "markdown" {
			var b strings.Builder
			if err := report.Markdown(&b, c); err == nil {
				out.Markdown = b.String()
				if len(out.Markdown) > maxInlineMarkdown {
					out.Markdown, out.Truncated = tools.Truncate(out.Markdown, maxInlineMarkdown), true
				}
			}
		}
		return out, nil
	})
}

// RenderCheck runs a check and writes it in format to dir (used by `kida-mcp check --format`).
func RenderCheck(ctx context.Context, d Deps, clusterID, region string, o Options, dir, format string) (report.Check, string, int64, error) {
	c, err := Run(ctx, d, clusterID, region, o)
	if err != nil {
		return report.Check{}, "", 0, err
	}
	path, size, err := report.Write(dir, c, format)
	return c, path, size, err
}
