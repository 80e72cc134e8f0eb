package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
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

// checkOptions are the flags only `check` takes.
type checkOptions struct {
	format string // text (findings), markdown, json or html
	out    string // file to write; "" → stdout for text/markdown/json, the report dir for html
	since  string
}

// checkMain parses check's own flags (--format, --out, --since), then the shared ones.
func checkMain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var o checkOptions
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "format" && name != "out" && name != "since") {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return fmt.Errorf("--%s needs a value (see kida-mcp check --help)", name)
			}
			i++
			val = args[i]
		}
		switch name {
		case "format":
			o.format = val
		case "out":
			o.out = val
		case "since":
			o.since = val
		}
	}
	switch o.format {
	case "", "text", "markdown", "json", "html":
	default:
		return fmt.Errorf("--format %q: want text, markdown, json or html", o.format)
	}
	cfg, err := parseConfig("check", rest, getenv, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, "\nCheck flags:\n  --format text|markdown|json|html   output (default text: verdict and findings)\n  --out FILE                         write the output to FILE (html defaults to --report-dir)\n  --since 24h                        window ending now (default --window)\n")
		}
		return err
	}
	if o.since != "" {
		cfg.Window = o.since
	}
	return checkCmd(ctx, cfg, o, stdout, stderr)
}

// checkCmd runs the full health check of each configured (or given) cluster — every demo cluster with
// --demo and no ids — and prints the verdict and findings, or renders markdown/json/html. Exit status 1
// when any cluster failed, after the others were printed.
func checkCmd(ctx context.Context, cfg Config, o checkOptions, stdout, stderr io.Writer) error {
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
		if refs, err = demoClusterRefs(ctx, clients); err != nil {
			return err
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("no clusters: pass ids (kida-mcp check my-cluster@ap-northeast-2), list them under clusters: in --config, or use --demo")
	}
	if o.out != "" && len(refs) > 1 && o.format != "html" {
		return fmt.Errorf("--out takes one cluster; got %d", len(refs))
	}
	env := tools.Env{Logger: logger, Now: time.Now}
	deps := check.Deps{Clients: clients, Env: env, Pacers: check.NewPacers()}
	store := check.NewStore(cfg.ReportDir, 0)
	failed := 0
	for _, ref := range refs {
		c, err := check.Run(ctx, deps, ref.ID, ref.Region, check.Options{Window: timewin.Input{Since: cfg.Window, Timezone: cfg.Timezone}})
		if err != nil {
			failed++
			msg := tools.Classify(err, awsclient.Classify).Error()
			logger.Error("check failed", "cluster", ref.ID, "err", msg)
			fmt.Fprintf(stdout, "%s\n\n", i18n.For(cfg.Lang).T("cli.checkFailed", ref.ID, msg))
			continue
		}
		if err := store.Put(c); err != nil {
			logger.Warn("could not save check", "id", c.ID, "err", err)
		}
		if err := writeCheck(c, cfg, o, stdout); err != nil {
			return err
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "kida-mcp: %d of %d clusters failed\n", failed, len(refs))
		return errExit
	}
	return nil
}

func writeCheck(c report.Check, cfg Config, o checkOptions, stdout io.Writer) error {
	var w io.Writer = stdout
	var f *os.File
	if o.out != "" && o.format != "html" {
		var err error
		if f, err = os.Create(o.out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch o.format {
	case "markdown":
		return report.Markdown(w, c)
	case "json":
		return report.JSON(w, c)
	case "html":
		dir := cfg.ReportDir
		if o.out != "" {
			dir = filepath.Dir(o.out)
		}
		path, size, err := renderIn(cfg)(dir, c, "html")
		if err != nil {
			return err
		}
		if o.out != "" && path != o.out {
			if err := os.Rename(path, o.out); err != nil {
				return err
			}
			path = o.out
		}
		fmt.Fprintf(stdout, "%s: %s — %s (%s)\n", c.Cluster, c.Verdict, path, tools.Bytes(float64(size)))
		return nil
	}
	loc, err := time.LoadLocation(c.Window.Timezone)
	if err != nil {
		loc = time.UTC
	}
	if cfg.Lang == i18n.KO {
		_, err = io.WriteString(w, summaryKO(c, loc)+"\n")
		return err
	}
	_, err = io.WriteString(w, check.Summarize(c, loc).Text()+"\n")
	return err
}
