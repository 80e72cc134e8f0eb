package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// Config is everything the binary can be told. Precedence: flags > KIDA_* env > kida.yaml > defaults.
type Config struct {
	ConfigFile string

	// AWS
	Region             string
	Profile            string
	RoleARN            string
	AWSEndpoint        string
	CloudWatchProtocol string
	MaxAttempts        int
	Demo               bool

	// Tool selection
	Toolsets     []string
	Tools        []string
	ExcludeTools []string
	ReadOnly     bool

	// Transport
	Transport      string
	Addr           string
	AuthToken      string
	AllowedOrigins []string
	MaxBodyBytes   int64
	SessionIdle    time.Duration

	// Logging
	LogLevel  string
	LogFile   string
	LogFormat string

	// Checks and reports
	Window      string
	Timezone    string
	Lang        string // en or ko: the HTML report, email, Slack and CLI summaries (tool results stay English)
	ReportDir   string
	Concurrency int
	Clusters    []ClusterRef

	// File holds the parsed kida.yaml (zero when none), for sections other issues read (delivery, …).
	File File

	// Delivery is where reports go (kida.yaml delivery:, secrets resolved from the env vars / files it names).
	Delivery delivery.Config

	// Args are the positional arguments (cluster ids for check/report, event files for relay).
	Args []string
}

// ClusterRef is one configured cluster.
type ClusterRef struct {
	ID      string `yaml:"id"`
	Region  string `yaml:"region"`
	Profile string `yaml:"profile"`
	RoleARN string `yaml:"role_arn"`
	Lang    string `yaml:"lang"` // this cluster's HTML report language (default: the global lang)
}

// File is kida.yaml. Unknown keys are errors.
type File struct {
	Region             string        `yaml:"region"`
	Profile            string        `yaml:"profile"`
	RoleARN            string        `yaml:"role_arn"`
	AWSEndpoint        string        `yaml:"aws_endpoint"`
	CloudWatchProtocol string        `yaml:"cloudwatch_protocol"`
	Window             string        `yaml:"window"`
	Timezone           string        `yaml:"timezone"`
	Lang               string        `yaml:"lang"`
	ReportDir          string        `yaml:"report_dir"`
	Concurrency        int           `yaml:"concurrency"`
	Toolsets           []string      `yaml:"toolsets"`
	ExcludeTools       []string      `yaml:"exclude_tools"`
	ReadOnly           bool          `yaml:"read_only"`
	Clusters           []ClusterRef  `yaml:"clusters"`
	Delivery           *DeliveryFile `yaml:"delivery"`
	Relay              *RelayFile    `yaml:"relay"`
}

// DeliveryFile is the delivery: section of kida.yaml. Webhook URLs are secrets: the file names the env var
// or file holding each one, never the URL itself.
type DeliveryFile struct {
	S3 *struct {
		Bucket   string `yaml:"bucket"`
		Prefix   string `yaml:"prefix"`
		Region   string `yaml:"region"`
		Expiry   string `yaml:"expiry"`
		SSE      string `yaml:"sse"`
		KMSKeyID string `yaml:"kms_key_id"`
	} `yaml:"s3"`
	Email *struct {
		From   string   `yaml:"from"`
		To     []string `yaml:"to"`
		Region string   `yaml:"region"`
	} `yaml:"email"`
	Slack *struct {
		WorkflowWebhookEnv  string `yaml:"workflow_webhook_env"`
		WorkflowWebhookFile string `yaml:"workflow_webhook_file"`
		IncomingWebhookEnv  string `yaml:"incoming_webhook_env"`
		IncomingWebhookFile string `yaml:"incoming_webhook_file"`
		// Present only to refuse them with a useful message: URLs do not belong in kida.yaml.
		WorkflowWebhookURL string `yaml:"workflow_webhook_url"`
		IncomingWebhookURL string `yaml:"incoming_webhook_url"`
		WebhookURL         string `yaml:"webhook_url"`
	} `yaml:"slack"`
	SNS *struct {
		TopicARN string `yaml:"topic_arn"`
	} `yaml:"sns"`
}

// flagDoc describes one flag for --help and the README's generated table.
type flagDoc struct {
	Name, Env, Default, Usage string
}

// parseConfig parses args (without the subcommand) with env lookups through getenv. It returns flag.ErrHelp
// after printing usage to out when -h/--help is given.
func parseConfig(cmd string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("kida-mcp "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var toolsets, toolsList, exclude, origins string
	var maxBody int64
	bind := func(p any, name, def, usage string) {
		switch v := p.(type) {
		case *string:
			fs.StringVar(v, name, def, usage)
		case *bool:
			b, _ := strconv.ParseBool(def)
			fs.BoolVar(v, name, b, usage)
		case *int:
			n, _ := strconv.Atoi(def)
			fs.IntVar(v, name, n, usage)
		case *int64:
			n, _ := strconv.ParseInt(def, 10, 64)
			fs.Int64Var(v, name, n, usage)
		case *time.Duration:
			d, _ := time.ParseDuration(def)
			fs.DurationVar(v, name, d, usage)
		}
	}
	for _, f := range flagTable(&c, &toolsets, &toolsList, &exclude, &origins, &maxBody) {
		bind(f.ptr, f.Name, f.Default, f.Usage+" (env "+f.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(out, cmd)
			return c, flag.ErrHelp
		}
		return c, fmt.Errorf("%v (see kida-mcp %s --help)", err, cmd)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// env fallback for flags not given
	for _, f := range flagTable(&c, &toolsets, &toolsList, &exclude, &origins, &maxBody) {
		if set[f.Name] {
			continue
		}
		if v := getenv(f.Env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				return c, fmt.Errorf("env %s=%q: %v", f.Env, v, err)
			}
			set[f.Name] = true
		}
	}
	c.MaxBodyBytes = maxBody
	if c.ConfigFile != "" {
		if err := c.loadFile(set, &toolsets, &exclude); err != nil {
			return c, err
		}
	}
	c.Toolsets, c.Tools, c.ExcludeTools, c.AllowedOrigins = splitList(toolsets), splitList(toolsList), splitList(exclude), splitList(origins)
	c.Clusters = append(c.Clusters, clusterArgs(fs.Args(), c.Region)...)
	c.Args = fs.Args()
	var err error
	if c.Delivery, err = resolveDelivery(c.File.Delivery, getenv, os.ReadFile, c.Demo); err != nil {
		return c, err
	}
	if err := checkRelayFile(c.File.Relay); err != nil {
		return c, err
	}
	return c, c.Validate()
}

type flagEntry struct {
	flagDoc
	ptr any
}

// flagTable is the single list of flags: name, env var, default and usage.
func flagTable(c *Config, toolsets, toolsList, exclude, origins *string, maxBody *int64) []flagEntry {
	e := func(p any, name, env, def, usage string) flagEntry {
		return flagEntry{flagDoc{Name: name, Env: env, Default: def, Usage: usage}, p}
	}
	return []flagEntry{
		e(&c.ConfigFile, "config", "KIDA_CONFIG", "", "path to kida.yaml (clusters, window, report and delivery settings)"),
		e(&c.Demo, "demo", "KIDA_DEMO", "false", "use the built-in simulated fleet instead of AWS (no account needed)"),
		e(&c.Region, "region", "KIDA_REGION", "", "default AWS region (else AWS_REGION / the profile's region)"),
		e(&c.Profile, "profile", "KIDA_PROFILE", "", "AWS shared-config profile (else AWS_PROFILE / default chain)"),
		e(&c.RoleARN, "role-arn", "KIDA_ROLE_ARN", "", "IAM role to assume for every AWS call"),
		e(&c.AWSEndpoint, "aws-endpoint", "KIDA_AWS_ENDPOINT", "", "endpoint override for every AWS service, e.g. http://127.0.0.1:5000 for moto (AWS_ENDPOINT_URL also works)"),
		e(&c.CloudWatchProtocol, "cloudwatch-protocol", "KIDA_CLOUDWATCH_PROTOCOL", "cbor", "CloudWatch wire protocol: cbor (AWS SDK default), json or query (emulators such as moto need json or query)"),
		e(&c.MaxAttempts, "max-attempts", "KIDA_MAX_ATTEMPTS", "3", "attempts per AWS call including retries"),
		e(toolsets, "toolsets", "KIDA_TOOLSETS", "default", "comma-separated toolsets to serve (all, default, or ids from `kida-mcp tools`)"),
		e(toolsList, "tools", "KIDA_TOOLS", "", "comma-separated extra tools to serve"),
		e(exclude, "exclude-tools", "KIDA_EXCLUDE_TOOLS", "", "comma-separated tools to hide"),
		e(&c.ReadOnly, "read-only", "KIDA_READ_ONLY", "false", "serve only read-only tools (drops delivery)"),
		e(&c.Transport, "transport", "KIDA_TRANSPORT", "stdio", "stdio or http (Streamable HTTP on --addr, path /mcp)"),
		e(&c.Addr, "addr", "KIDA_ADDR", "127.0.0.1:8080", "listen address for --transport http"),
		e(&c.AuthToken, "auth-token", "KIDA_AUTH_TOKEN", "", "bearer token required on HTTP requests (mandatory off loopback); prefer the env var"),
		e(origins, "allowed-origins", "KIDA_ALLOWED_ORIGINS", "", "comma-separated extra allowed Origin values for HTTP (loopback origins are always allowed)"),
		e(maxBody, "max-body-bytes", "KIDA_MAX_BODY_BYTES", "1048576", "largest accepted HTTP request body"),
		e(&c.SessionIdle, "session-idle", "KIDA_SESSION_IDLE", "30m", "idle HTTP sessions are closed after this long"),
		e(&c.LogLevel, "log-level", "KIDA_LOG_LEVEL", "info", "debug, info, warn or error (logs go to stderr)"),
		e(&c.LogFile, "log-file", "KIDA_LOG_FILE", "", "write logs to this file instead of stderr"),
		e(&c.LogFormat, "log-format", "KIDA_LOG_FORMAT", "text", "log line format: text (human-readable) or json"),
		e(&c.Window, "window", "KIDA_WINDOW", "24h", "default window for checks and reports (e.g. 24h, 7d)"),
		e(&c.Timezone, "timezone", "KIDA_TIMEZONE", "", "IANA time zone for local times (default: the region's)"),
		e(&c.Lang, "lang", "KIDA_LANG", "en", "language of what people read — HTML report, email, Slack, report/check summaries: en or ko (tool results stay English)"),
		e(&c.ReportDir, "report-dir", "KIDA_REPORT_DIR", "./kida-reports", "where reports and stored checks are written"),
		e(&c.Concurrency, "concurrency", "KIDA_CONCURRENCY", "4", "clusters checked at once by check/report"),
	}
}

// Flags returns the flag documentation (for --help and the README table).
func Flags() []flagDoc {
	var c Config
	var a, b, d, e string
	var m int64
	var out []flagDoc
	for _, f := range flagTable(&c, &a, &b, &d, &e, &m) {
		out = append(out, f.flagDoc)
	}
	return out
}

func (c *Config) loadFile(set map[string]bool, toolsets, exclude *string) error {
	b, err := os.ReadFile(c.ConfigFile)
	if err != nil {
		return fmt.Errorf("config file: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %v", c.ConfigFile, err)
	}
	c.File = f
	str := func(flagName string, dst *string, v string) {
		if !set[flagName] && v != "" {
			*dst = v
		}
	}
	str("region", &c.Region, f.Region)
	str("profile", &c.Profile, f.Profile)
	str("role-arn", &c.RoleARN, f.RoleARN)
	str("aws-endpoint", &c.AWSEndpoint, f.AWSEndpoint)
	str("cloudwatch-protocol", &c.CloudWatchProtocol, f.CloudWatchProtocol)
	str("window", &c.Window, f.Window)
	str("timezone", &c.Timezone, f.Timezone)
	str("lang", &c.Lang, f.Lang)
	str("report-dir", &c.ReportDir, f.ReportDir)
	if !set["concurrency"] && f.Concurrency > 0 {
		c.Concurrency = f.Concurrency
	}
	if !set["toolsets"] && len(f.Toolsets) > 0 {
		*toolsets = strings.Join(f.Toolsets, ",")
	}
	if !set["exclude-tools"] && len(f.ExcludeTools) > 0 {
		*exclude = strings.Join(f.ExcludeTools, ",")
	}
	if !set["read-only"] && f.ReadOnly {
		c.ReadOnly = true
	}
	for i, cl := range f.Clusters {
		if cl.ID == "" {
			return fmt.Errorf("config file %s: clusters[%d] has no id", c.ConfigFile, i)
		}
		c.Clusters = append(c.Clusters, cl)
	}
	return nil
}

// clusterArgs turns positional arguments ("id" or "region/id" or "id@region") into cluster refs.
func clusterArgs(args []string, region string) []ClusterRef {
	var out []ClusterRef
	for _, a := range args {
		ref := ClusterRef{ID: a, Region: region}
		if i := strings.LastIndexByte(a, '@'); i > 0 {
			ref.ID, ref.Region = a[:i], a[i+1:]
		}
		out = append(out, ref)
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks values that flags cannot; messages name the flag and its env var.
func (c *Config) Validate() error {
	lang, err := i18n.Parse(c.Lang)
	if err != nil {
		return fmt.Errorf("--lang / KIDA_LANG (lang in kida.yaml): %v", err)
	}
	c.Lang = lang
	for i, r := range c.Clusters {
		if r.Lang == "" {
			continue
		}
		l, err := i18n.Parse(r.Lang)
		if err != nil {
			return fmt.Errorf("clusters[%d] (%s) lang in kida.yaml: %v", i, r.ID, err)
		}
		c.Clusters[i].Lang = l
	}
	switch c.Transport {
	case "stdio", "http":
	default:
		return fmt.Errorf("--transport / KIDA_TRANSPORT: %q is not stdio or http", c.Transport)
	}
	switch c.CloudWatchProtocol {
	case "cbor", "json", "query":
	default:
		return fmt.Errorf("--cloudwatch-protocol / KIDA_CLOUDWATCH_PROTOCOL: %q is not cbor, json or query", c.CloudWatchProtocol)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level / KIDA_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format / KIDA_LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 10 {
		return fmt.Errorf("--max-attempts / KIDA_MAX_ATTEMPTS: %d is outside 1..10", c.MaxAttempts)
	}
	if c.Concurrency < 1 || c.Concurrency > 64 {
		return fmt.Errorf("--concurrency / KIDA_CONCURRENCY: %d is outside 1..64", c.Concurrency)
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("--max-body-bytes / KIDA_MAX_BODY_BYTES: %d is below 1024", c.MaxBodyBytes)
	}
	if c.Transport == "http" {
		host, _, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return fmt.Errorf("--addr / KIDA_ADDR: %q is not host:port (%v)", c.Addr, err)
		}
		if !isLoopback(host) && c.AuthToken == "" {
			return fmt.Errorf("refusing to listen on %s without a bearer token: anyone who can reach it could read your database diagnostics. Set --auth-token or KIDA_AUTH_TOKEN, or bind 127.0.0.1", c.Addr)
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
