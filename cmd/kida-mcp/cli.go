package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// toolsCmd prints the catalogue of every tool (all toolsets, including delivery), independent of AWS.
func toolsCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("kida-mcp tools", flag.ContinueOnError)
	fs.SetOutput(out)
	format := fs.String("format", "markdown", "markdown, json, or flags (the flag/env table)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	list := allTools(demo.New(time.Unix(0, 0)), tools.Env{}, Config{})
	switch *format {
	case "markdown":
		_, err := io.WriteString(out, catalogueMarkdown(list))
		return err
	case "flags":
		_, err := io.WriteString(out, flagsMarkdown())
		return err
	case "json":
		defs := make([]mcp.Tool, len(list))
		for i, t := range list {
			defs[i] = t.Def
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"tools": defs})
	}
	return fmt.Errorf("--format %q: want markdown or json", *format)
}

// flagsMarkdown renders the flag/env table (the README embeds this output).
func flagsMarkdown() string {
	var b strings.Builder
	b.WriteString("| flag | env | default | meaning |\n|---|---|---|---|\n")
	for _, f := range Flags() {
		def := f.Default
		if def == "" {
			def = "—"
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s |\n", f.Name, f.Env, tools.Cell(def), tools.Cell(f.Usage))
	}
	return b.String()
}

// catalogueMarkdown renders the toolset and tool tables (the README embeds this output).
func catalogueMarkdown(list []tools.Tool) string {
	var b strings.Builder
	b.WriteString("| toolset | tool | read-only | what it answers |\n|---|---|---|---|\n")
	for _, ts := range tools.Toolsets {
		for _, t := range list {
			if t.Toolset != ts.ID {
				continue
			}
			ro := "yes"
			if !t.ReadOnly {
				ro = "no"
			}
			desc := t.Description
			if i := strings.Index(desc, " NEXT:"); i > 0 {
				desc = desc[:i]
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", ts.ID, t.Name, ro, tools.Cell(desc))
		}
	}
	return b.String()
}

// callCmd runs one tool through a real in-process MCP session and prints its text (or --json).
func callCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var asJSON bool
	var rest []string
	for _, a := range args {
		if a == "--json" {
			asJSON = true
			continue
		}
		rest = append(rest, a)
	}
	// the first two positional args are the tool and its JSON arguments; the rest are flags
	var pos []string
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && len(pos) < 2 {
		pos, rest = append(pos, rest[0]), rest[1:]
	}
	if len(pos) == 0 {
		if slices.Contains(rest, "-h") || slices.Contains(rest, "--help") {
			printUsage(stdout, "call <tool> ['{json args}']")
			return flag.ErrHelp
		}
		return fmt.Errorf("usage: kida-mcp call <tool> ['{\"arg\":\"value\"}'] [flags]; see kida-mcp tools")
	}
	cfg, err := parseConfig("call", rest, getenv, stdout)
	if err != nil {
		return err
	}
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	s, _, err := newMCPServer(ctx, cfg, logger)
	if err != nil {
		return err
	}
	c, err := client.NewInProcessClientWithOptions(s, client.WithProtocolVersion("2025-11-25"))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	if err := c.Start(ctx); err != nil {
		return err
	}
	ir := mcp.InitializeRequest{}
	ir.Params.ProtocolVersion = "2025-11-25"
	ir.Params.ClientInfo = mcp.Implementation{Name: "kida-mcp-cli", Version: version}
	if _, err := c.Initialize(ctx, ir); err != nil {
		return err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = pos[0]
	raw := "{}"
	if len(pos) > 1 {
		raw = pos[1]
	}
	req.Params.Arguments = json.RawMessage(raw)
	req.Params.RawArguments = json.RawMessage(raw)
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return err
	}
	if asJSON && !res.IsError {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.StructuredContent)
	}
	for _, ct := range res.Content {
		if tc, ok := ct.(mcp.TextContent); ok {
			fmt.Fprintln(stdout, tc.Text)
		}
	}
	if res.IsError {
		return errExit
	}
	return nil
}

// checkCmd describes each configured (or given) cluster — every demo cluster with --demo and no ids — and prints
// topology and findings. Exit status 1 when any cluster failed, after printing the others.
func checkCmd(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	clients, err := newClients(ctx, cfg)
	if err != nil {
		return err
	}
	refs := cfg.Clusters
	if len(refs) == 0 && cfg.Demo {
		cs, _, _, err := cluster.List(ctx, clients.RDS(demo.Region), demo.Region)
		if err != nil {
			return err
		}
		for _, c := range cs {
			refs = append(refs, ClusterRef{ID: c.ID, Region: c.Region})
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("no clusters: pass ids (kida-mcp check my-cluster@ap-northeast-2), list them under clusters: in --config, or use --demo")
	}
	failed := 0
	for _, ref := range refs {
		region, err := awsclient.Region(clients, ref.Region)
		if err == nil {
			var t cluster.Topology
			t, err = cluster.Describe(ctx, clients.RDS(region), region, ref.ID)
			if err == nil {
				fmt.Fprintln(stdout, cluster.DescribeOutput{Topology: t, Findings: cluster.Posture(t)}.Text())
				continue
			}
		}
		failed++
		msg := tools.Classify(err, awsclient.Classify).Error()
		logger.Error("check failed", "cluster", ref.ID, "err", msg)
		fmt.Fprintf(stdout, "## %s — FAILED: %s\n\n", ref.ID, msg)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "kida-mcp: %d of %d clusters failed\n", failed, len(refs))
		return errExit
	}
	return nil
}
