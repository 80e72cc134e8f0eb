// Command kida-mcp serves Aurora/RDS diagnostics to AI agents over MCP (serve) and runs the same checks from
// the command line (check, call, tools). See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// commands lists the subcommands for help.
var commands = []struct{ name, usage string }{
	{"serve", "serve MCP tools over stdio (default) or Streamable HTTP"},
	{"check", "run the health check of clusters from the shell: findings, or --format markdown|json|html"},
	{"report", "daily job: check every configured cluster, render, upload, presign, email/Slack/SNS (exit 1 if any failed)"},
	{"call", "call one tool once: kida-mcp call describe_cluster '{\"cluster_id\":\"x\"}'"},
	{"tools", "print the tool catalogue (--format markdown|json)"},
	{"digest", "digest local slow-log files like pt-query-digest: kida-mcp digest [--format text|json|markdown] FILE…"},
	{"steering", "install the Kiro steering files and the kida entry in mcp.json: kida-mcp steering install [--kiro-dir ~/.kiro] [--workspace DIR] [--dry-run]"},
	{"relay", "relay CloudWatch alarms (SNS) and RDS events (EventBridge) to Slack/email, archive RDS events to S3; as AWS Lambda or from files/stdin: kida-mcp relay [--dry-run] [FILE…]"},
	{"version", "print the version"},
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 && getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		// Lambda (provided.al2023) runs the binary, named bootstrap, without arguments: it is the relay.
		return relayMain(ctx, nil, stdin, stdout, stderr, getenv)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout, "")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = withConfig(cmd, rest, stdout, getenv, func(cfg Config) error { return serve(ctx, cfg, stdin, stdout, stderr) })
	case "check":
		err = checkMain(ctx, rest, stdout, stderr, getenv)
	case "report":
		return reportMain(ctx, rest, stdout, stderr, getenv)
	case "call":
		err = callCmd(ctx, rest, stdout, stderr, getenv)
	case "tools":
		err = toolsCmd(rest, stdout)
	case "digest":
		err = digestCmd(ctx, rest, stdin, stdout, stderr)
	case "steering":
		err = steeringCmd(rest, stdout, getenv)
	case "relay":
		return relayMain(ctx, rest, stdin, stdout, stderr, getenv)
	case "version", "--version":
		fmt.Fprintln(stdout, "kida-mcp", version)
	default:
		fmt.Fprintf(stderr, "kida-mcp: unknown command %q\n\n", cmd)
		printUsage(stderr, "")
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errExit):
		return 1
	default:
		fmt.Fprintln(stderr, "kida-mcp:", err)
		return 1
	}
}

// errExit means "already reported, exit 1".
var errExit = errors.New("exit 1")

func withConfig(cmd string, args []string, out io.Writer, getenv func(string) string, fn func(Config) error) error {
	cfg, err := parseConfig(cmd, args, getenv, out)
	if err != nil {
		return err
	}
	return fn(cfg)
}

func printUsage(w io.Writer, cmd string) {
	if cmd == "" {
		fmt.Fprintf(w, "kida-mcp %s — Aurora/RDS diagnostics for AI agents (MCP) and cron\n\nUsage:\n  kida-mcp <command> [flags]\n\nCommands:\n", version)
		for _, c := range commands {
			fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
		}
		fmt.Fprintf(w, "\nExamples:\n  kida-mcp serve --demo                 # MCP over stdio on the built-in demo fleet\n  kida-mcp check --demo                 # check every demo cluster from the shell\n  kida-mcp serve --transport http --addr 127.0.0.1:8080\n  kida-mcp tools --format markdown\n\nRun 'kida-mcp <command> --help' for the flags. Every flag has a KIDA_* environment variable.\n")
		return
	}
	fmt.Fprintf(w, "Usage: kida-mcp %s [flags]", cmd)
	if cmd == "check" {
		fmt.Fprint(w, " [cluster-id[@region] ...]")
	}
	if cmd == "report" {
		fmt.Fprint(w, reportUsage)
	}
	if cmd == "relay" {
		fmt.Fprint(w, relayUsage)
	}
	fmt.Fprint(w, "\n\nFlags (flag > env > kida.yaml > default):\n")
	for _, f := range Flags() {
		def := ""
		if f.Default != "" && f.Default != "false" {
			def = " (default " + f.Default + ")"
		}
		fmt.Fprintf(w, "  --%-20s %s%s [%s]\n", f.Name, f.Usage, def, f.Env)
	}
}

// newLogger logs to stderr (or --log-file); stdout belongs to JSON-RPC.
func newLogger(cfg Config, stderr io.Writer) (*slog.Logger, func(), error) {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToLower(cfg.LogLevel)))
	w, closeFn := stderr, func() {}
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %v", err)
		}
		w, closeFn = f, func() { _ = f.Close() }
	}
	var h slog.Handler = slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: redact})
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: redact})
	}
	return slog.New(h), closeFn, nil
}

// redact keeps secrets out of logs whatever a caller passes.
func redact(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range []string{"token", "secret", "password", "webhook", "authorization"} {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	return a
}

// newClients returns the demo fleet or the real AWS provider.
func newClients(ctx context.Context, cfg Config) (awsclient.Clients, error) {
	if cfg.Demo {
		f := demo.New(time.Now())
		f.OutboxDir = demoOutbox // delivery tools write what they would send here
		return f, nil
	}
	return loadProvider(ctx, cfg)
}

// loadProvider loads the AWS clients cfg names (region, profile, role, endpoint, retries).
func loadProvider(ctx context.Context, cfg Config) (*awsclient.Provider, error) {
	return awsclient.Load(ctx, awsclient.Options{
		Region: cfg.Region, Profile: cfg.Profile, RoleARN: cfg.RoleARN, Endpoint: cfg.AWSEndpoint,
		CloudWatchProtocol: cfg.CloudWatchProtocol, MaxAttempts: cfg.MaxAttempts, Version: version,
	})
}

// demoClusterRefs lists every cluster of the demo fleet (check and report with --demo and no ids).
func demoClusterRefs(ctx context.Context, c awsclient.Clients) ([]ClusterRef, error) {
	cs, _, _, err := cluster.List(ctx, c.RDS(demo.Region), demo.Region)
	if err != nil {
		return nil, err
	}
	refs := make([]ClusterRef, 0, len(cs))
	for _, c := range cs {
		refs = append(refs, ClusterRef{ID: c.ID, Region: c.Region})
	}
	return refs, nil
}

// selected builds and filters the tool list for cfg.
func selected(cfg Config, c awsclient.Clients, env tools.Env) ([]tools.Tool, error) {
	return selectedWithStore(cfg, c, env, check.NewStore(cfg.ReportDir, 0))
}

// selectedWithStore is selected with the server's one check store.
func selectedWithStore(cfg Config, c awsclient.Clients, env tools.Env, store *check.Store) ([]tools.Tool, error) {
	return tools.Select(allToolsWithStore(c, env, cfg, store), tools.Selection{
		Toolsets: cfg.Toolsets, Tools: cfg.Tools, Exclude: cfg.ExcludeTools, ReadOnly: cfg.ReadOnly,
	})
}
