package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/events"
	"github.com/kida-mcp/kida-mcp/tools/relay"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// relayUsage is appended to `kida-mcp relay --help`.
const relayUsage = ` [--dry-run] [--lambda] [FILE ...]

Relays CloudWatch alarm notifications (SNS, metric and composite alarms) and RDS events (EventBridge, RDS
event subscriptions) to Slack and/or email by the routes under relay: in --config, de-duplicated, and
archives RDS events to S3 when relay.archive is set.
  - As an AWS Lambda function (provided.al2023, the binary named bootstrap): detected from
    AWS_LAMBDA_RUNTIME_API; configuration from KIDA_CONFIG (a kida.yaml shipped next to bootstrap).
  - Locally: events as JSON from the FILEs, or stdin when there are none or FILE is -; a file may hold one
    event, a JSON array of events or several events one after another.
  - --demo replays the demo incident's alarms and RDS events into ./outbox (nothing leaves the machine).
Exit status: 0 every event relayed (unknown shapes are acknowledged), 1 a send or archive write failed,
2 bad configuration.

Relay flags:
  --dry-run             build every message and print it; send and archive nothing
  --lambda              serve Lambda invocations even without AWS_LAMBDA_RUNTIME_API`

// RelayFile is kida.yaml's relay: section. Webhook URLs are secrets: the file names the env var or file
// holding each one, or holds KMS ciphertext (or names the env var holding it).
type RelayFile struct {
	Timezone     string                          `yaml:"timezone"`
	ConsoleLinks *bool                           `yaml:"console_links"`
	ReportURL    string                          `yaml:"report_url"`
	DedupeWindow string                          `yaml:"dedupe_window"`
	Destinations map[string]RelayDestinationFile `yaml:"destinations"`
	Routes       []RelayRouteFile                `yaml:"routes"`
	Default      []string                        `yaml:"default"`
	Archive      *RelayArchiveFile               `yaml:"archive"`
}

// RelayDestinationFile is one destination: Slack and/or email.
type RelayDestinationFile struct {
	Slack *RelaySlackFile `yaml:"slack"`
	Email *struct {
		From   string   `yaml:"from"`
		To     []string `yaml:"to"`
		Region string   `yaml:"region"`
	} `yaml:"email"`
}

// RelaySlackFile says where a destination's incoming webhook URL comes from: exactly one of webhook_env,
// webhook_file, webhook_kms_env (an env var holding base64 KMS ciphertext, as the Lambda blueprint's
// kmsEncryptedHookUrl) or webhook_kms_ciphertext.
type RelaySlackFile struct {
	WebhookEnv           string            `yaml:"webhook_env"`
	WebhookFile          string            `yaml:"webhook_file"`
	WebhookKMSEnv        string            `yaml:"webhook_kms_env"`
	WebhookKMSCiphertext string            `yaml:"webhook_kms_ciphertext"`
	KMSEncryptionContext map[string]string `yaml:"kms_encryption_context"`
	KMSRegion            string            `yaml:"kms_region"`
	// Present only to refuse it with a useful message: URLs do not belong in kida.yaml.
	WebhookURL string `yaml:"webhook_url"`
}

// RelayRouteFile is one routing rule (see relay.Route).
type RelayRouteFile struct {
	Name        string   `yaml:"name"`
	Kinds       []string `yaml:"kinds"`
	States      []string `yaml:"states"`
	FromStates  []string `yaml:"from_states"`
	AlarmNames  []string `yaml:"alarm_names"`
	Categories  []string `yaml:"categories"`
	SourceTypes []string `yaml:"source_types"`
	Sources     []string `yaml:"sources"`
	To          []string `yaml:"to"`
}

// RelayArchiveFile is the S3 event archive.
type RelayArchiveFile struct {
	Bucket string `yaml:"bucket"`
	Prefix string `yaml:"prefix"`
	Region string `yaml:"region"`
	Alarms bool   `yaml:"alarms"`
}

// placeholderHook stands in for secrets when the section is checked without resolving them.
const placeholderHook = "https://hooks.slack.com/services/PLACEHOLDER"

// checkRelayFile validates the relay: section without reading any secret (every command loads kida.yaml;
// only `relay` resolves the webhooks).
func checkRelayFile(f *RelayFile) error {
	if f == nil {
		return nil
	}
	_, err := buildRelayConfig(f, "UTC", func(string, *RelaySlackFile) (delivery.Secret, error) {
		return delivery.NewSecret(placeholderHook), nil
	})
	return err
}

var (
	ctxVarRE    = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	kmsRegionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)
)

// buildRelayConfig turns the section into relay.Config; slack resolves one destination's webhook.
func buildRelayConfig(f *RelayFile, tz string, slack func(key string, s *RelaySlackFile) (delivery.Secret, error)) (relay.Config, error) {
	c := relay.Config{Destinations: map[string]relay.Destination{}, Default: f.Default, DedupeWindow: relay.DefaultDedupeWindow}
	if f.DedupeWindow != "" {
		d, err := parseExpiry(f.DedupeWindow)
		if err != nil && strings.TrimSpace(f.DedupeWindow) != "0" {
			return c, fmt.Errorf("relay.dedupe_window: %q is not a duration; use e.g. 30m, 1h or 0 to turn de-duplication off", f.DedupeWindow)
		}
		c.DedupeWindow = d
	}
	if f.Timezone != "" {
		tz = f.Timezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || !tzNameRE.MatchString(tz) {
		return c, fmt.Errorf("relay.timezone: %q is not an IANA time zone (e.g. Asia/Seoul)", tz)
	}
	c.Format = relay.Format{Location: loc, ConsoleLinks: f.ConsoleLinks == nil || *f.ConsoleLinks, ReportURL: strings.TrimSpace(f.ReportURL)}
	names := make([]string, 0, len(f.Destinations))
	for n := range f.Destinations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		d := f.Destinations[name]
		key := "relay.destinations." + name
		var dest relay.Destination
		if s := d.Slack; s != nil {
			if err := checkSlackSource(key+".slack", s); err != nil {
				return c, err
			}
			sec, err := slack(key+".slack", s)
			if err != nil {
				return c, err
			}
			dest.Slack = sec
		}
		if e := d.Email; e != nil {
			dest.Email = &delivery.EmailConfig{From: strings.TrimSpace(e.From), To: e.To, Region: e.Region}
		}
		c.Destinations[name] = dest
	}
	for _, r := range f.Routes {
		c.Routes = append(c.Routes, relay.Route{Name: r.Name, Kinds: r.Kinds, States: r.States, FromStates: r.FromStates, AlarmNames: r.AlarmNames,
			Categories: r.Categories, SourceTypes: r.SourceTypes, Sources: r.Sources, To: r.To})
	}
	if a := f.Archive; a != nil {
		if strings.TrimSpace(a.Bucket) == "" {
			return c, fmt.Errorf("relay.archive.bucket: missing; name the bucket that keeps RDS events (e.g. kida-events-123456789012) or remove relay.archive")
		}
		c.Archive = &relay.ArchiveConfig{Bucket: strings.TrimSpace(a.Bucket), Prefix: a.Prefix, Region: a.Region, Alarms: a.Alarms}
	}
	return c, c.Validate()
}

// checkSlackSource checks that exactly one source is named and that names are names, not values.
func checkSlackSource(key string, s *RelaySlackFile) error {
	if s.WebhookURL != "" {
		return fmt.Errorf("%s.webhook_url: webhook URLs are secrets and are not read from kida.yaml; put it in an environment variable named by webhook_env, a file named by webhook_file, or encrypt it with KMS (webhook_kms_env / webhook_kms_ciphertext), and remove it from this file", key)
	}
	n := 0
	for _, v := range []string{s.WebhookEnv, s.WebhookFile, s.WebhookKMSEnv, s.WebhookKMSCiphertext} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%s: set exactly one of webhook_env, webhook_file, webhook_kms_env or webhook_kms_ciphertext (%d set)", key, n)
	}
	for _, env := range []string{s.WebhookEnv, s.WebhookKMSEnv} {
		if env != "" && !envNameRE.MatchString(env) {
			return fmt.Errorf("%s: webhook_env / webhook_kms_env must name an environment variable (e.g. KIDA_RELAY_WEBHOOK), not hold the value", key)
		}
	}
	kms := s.WebhookKMSEnv != "" || s.WebhookKMSCiphertext != ""
	if !kms && (len(s.KMSEncryptionContext) > 0 || s.KMSRegion != "") {
		return fmt.Errorf("%s: kms_encryption_context and kms_region are only used with webhook_kms_env or webhook_kms_ciphertext", key)
	}
	if s.KMSRegion != "" && !kmsRegionRE.MatchString(s.KMSRegion) {
		return fmt.Errorf("%s.kms_region: %q is not an AWS region", key, s.KMSRegion)
	}
	for k, v := range s.KMSEncryptionContext {
		if k == "" || strings.Contains(strings.ReplaceAll(v, "${", ""), "$") {
			return fmt.Errorf("%s.kms_encryption_context: %q: keys must be non-empty and values plain text or ${ENV_VAR}", key, k)
		}
	}
	return nil
}

// relaySecrets resolves webhooks: env and file like delivery's, KMS ciphertext with kms:Decrypt at start.
type relaySecrets struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
	kms      func(region string) (awsclient.KMSAPI, error)
	region   string
	ctx      context.Context
}

func (r relaySecrets) resolve(key string, s *RelaySlackFile) (delivery.Secret, error) {
	if s.WebhookEnv != "" || s.WebhookFile != "" {
		return readSecret(key+".webhook", s.WebhookEnv, s.WebhookFile, r.getenv, r.readFile, false, "")
	}
	ks := relay.KMSSecret{Key: key, Ciphertext: s.WebhookKMSCiphertext, From: "webhook_kms_ciphertext in kida.yaml", Region: s.KMSRegion, Context: map[string]string{}}
	if s.WebhookKMSEnv != "" {
		ks.From = "env " + s.WebhookKMSEnv
		ks.Ciphertext = strings.TrimSpace(r.getenv(s.WebhookKMSEnv))
		if ks.Ciphertext == "" {
			return delivery.Secret{}, fmt.Errorf("%s.webhook_kms_env: environment variable %s is not set; set it to the base64 CiphertextBlob of `aws kms encrypt`", key, s.WebhookKMSEnv)
		}
	}
	for k, v := range s.KMSEncryptionContext {
		var missing string
		ks.Context[k] = ctxVarRE.ReplaceAllStringFunc(v, func(m string) string {
			name := ctxVarRE.FindStringSubmatch(m)[1]
			val := r.getenv(name)
			if val == "" {
				missing = name
			}
			return val
		})
		if missing != "" {
			return delivery.Secret{}, fmt.Errorf("%s.kms_encryption_context.%s: environment variable %s is not set (Lambda sets AWS_LAMBDA_FUNCTION_NAME; locally, export it)", key, k, missing)
		}
	}
	if ks.Region == "" {
		ks.Region = r.region
	}
	api, err := r.kms(ks.Region)
	if err != nil {
		return delivery.Secret{}, fmt.Errorf("%s: %v", key, err)
	}
	return relay.Decrypt(r.ctx, api, ks)
}

// objectsClients and kmsClients are the accessors the relay needs beyond awsclient.Clients: *Provider has
// both, the demo fleet has S3Objects.
type (
	objectsClients interface {
		S3Objects(region string) awsclient.S3ObjectsAPI
	}
	kmsClients interface {
		KMS(region string) awsclient.KMSAPI
	}
)

// eventArchive is the archive get_rds_events reads when kida.yaml configures relay.archive.
func eventArchive(c awsclient.Clients, cfg Config) []events.Archive {
	f := cfg.File.Relay
	if f == nil || f.Archive == nil || strings.TrimSpace(f.Archive.Bucket) == "" {
		return nil
	}
	oc, ok := c.(objectsClients)
	if !ok {
		return nil
	}
	return []events.Archive{archiveFor(oc, f.Archive, orDefault(cfg.Region, c.DefaultRegion()))}
}

func archiveFor(oc objectsClients, a *RelayArchiveFile, defRegion string) *relay.Archive {
	region := orDefault(a.Region, defRegion)
	return &relay.Archive{S3: oc.S3Objects(region), Bucket: strings.TrimSpace(a.Bucket), Prefix: a.Prefix, Region: region, Alarms: a.Alarms, Version: version}
}

// demoRelayFile is the relay configuration of `kida-mcp relay --demo` when kida.yaml has no relay: section.
func demoRelayFile() *RelayFile {
	slack := func(dest string) *RelaySlackFile {
		return &RelaySlackFile{WebhookEnv: "KIDA_DEMO_RELAY_" + strings.ToUpper(dest)}
	}
	f := &RelayFile{
		Destinations: map[string]RelayDestinationFile{"oncall": {Slack: slack("oncall")}, "dba": {Slack: slack("dba")}},
		Routes: []RelayRouteFile{
			{Name: "alarms", Kinds: []string{"alarm"}, States: []string{"ALARM", "OK"}, To: []string{"oncall"}},
			{Name: "rds-important", Kinds: []string{"rds"}, Categories: []string{"backup", "failover", "failure", "maintenance"}, To: []string{"dba"}},
		},
		Archive: &RelayArchiveFile{Bucket: "kida-demo-events", Alarms: true},
	}
	dba := f.Destinations["dba"]
	dba.Email = &struct {
		From   string   `yaml:"from"`
		To     []string `yaml:"to"`
		Region string   `yaml:"region"`
	}{From: "kida@example.com", To: []string{"dba-team@example.com"}}
	f.Destinations["dba"] = dba
	return f
}

// relayOptions are the flags only `relay` takes.
type relayOptions struct {
	DryRun, Lambda bool
}

func splitRelayFlags(args []string) (relayOptions, []string, error) {
	var o relayOptions
	var rest []string
	for _, a := range args {
		norm := "--" + strings.TrimLeft(a, "-")
		name, val, hasVal := strings.Cut(norm, "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		var dst *bool
		switch name {
		case "--dry-run":
			dst = &o.DryRun
		case "--lambda":
			dst = &o.Lambda
		default:
			rest = append(rest, a)
			continue
		}
		*dst = true
		if hasVal {
			b, err := strconv.ParseBool(val)
			if err != nil {
				return o, nil, fmt.Errorf("%s=%q: want true or false", name, val)
			}
			*dst = b
		}
	}
	return o, rest, nil
}

// relayMain is `kida-mcp relay`; it returns the exit status.
func relayMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	ro, rest, err := splitRelayFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp relay: %v (see kida-mcp relay --help)\n", err)
		return 2
	}
	cfg, err := parseConfig("relay", rest, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp relay: configuration: %v\n", err)
		return 2
	}
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp relay: configuration: %v\n", err)
		return 2
	}
	defer closeLog()
	lambdaMode := ro.Lambda || getenv("AWS_LAMBDA_RUNTIME_API") != ""
	r, fleet, err := newRelay(ctx, cfg, ro, getenv, logger)
	if err != nil {
		logger.Error("relay: configuration", "err", err.Error())
		fmt.Fprintf(stderr, "kida-mcp relay: configuration: %v\n", err)
		return 2
	}
	if lambdaMode {
		logger.Info("relay: serving Lambda invocations", "runtime_api", getenv("AWS_LAMBDA_RUNTIME_API") != "")
		relay.StartLambda(ctx, r) // does not return
		return 0
	}
	start := time.Now()
	var inputs []relayInput
	if fleet != nil && len(cfg.Args) == 0 {
		for _, e := range fleet.RelayEvents() {
			inputs = append(inputs, relayInput{name: e.Name, raw: e.JSON})
		}
	} else {
		if inputs, err = readRelayInputs(cfg.Args, stdin); err != nil {
			fmt.Fprintf(stderr, "kida-mcp relay: %v\n", err)
			return 2
		}
	}
	failed := 0
	var tally relayTally
	for _, in := range inputs {
		out, err := r.Handle(ctx, in.raw)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", in.name, err)
			failed++
			continue
		}
		printRelayOutcome(stdout, in.name, out, ro.DryRun)
		tally.add(out)
		failed += out.Failed()
	}
	fmt.Fprintf(stdout, "\n%d event(s): %s\n", len(inputs), tally)
	if fleet != nil {
		printOutbox(stdout, demoOutbox, start)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d send(s) or archive write(s) failed. Exit status 1.\n", failed)
		return 1
	}
	return 0
}

// newRelay builds the relay for cfg: demo fleet or AWS, secrets resolved (KMS at cold start), archive.
func newRelay(ctx context.Context, cfg Config, ro relayOptions, getenv func(string) string, logger *slog.Logger) (*relay.Relay, *demo.Fleet, error) {
	file := cfg.File.Relay
	if file == nil && !cfg.Demo {
		return nil, nil, errors.New("no relay: section in the configuration (--config / KIDA_CONFIG); see examples/relay/kida.yaml, or try kida-mcp relay --demo")
	}
	clients, err := newClients(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	var hc delivery.Doer = &http.Client{Timeout: 15 * time.Second}
	fleet, _ := clients.(*demo.Fleet)
	if fleet != nil {
		hc = fleet.RelayHTTPClient()
		if file == nil {
			file = demoRelayFile()
		}
		base := getenv
		getenv = func(k string) string { // the demo's destinations post to the outbox
			if d, ok := strings.CutPrefix(k, "KIDA_DEMO_RELAY_"); ok {
				return demo.RelayWebhookURL(strings.ToLower(d))
			}
			return base(k)
		}
	}
	region := orDefault(cfg.Region, clients.DefaultRegion())
	tz := cfg.Timezone
	if tz == "" {
		tz = timewin.RegionTimezone(region)
	}
	sec := relaySecrets{getenv: getenv, readFile: os.ReadFile, region: region, ctx: ctx, kms: func(r string) (awsclient.KMSAPI, error) {
		if kc, ok := clients.(kmsClients); ok {
			return kc.KMS(r), nil
		}
		return nil, errors.New("KMS is not available in demo mode; use webhook_env or webhook_file")
	}}
	rc, err := buildRelayConfig(file, tz, sec.resolve)
	if err != nil {
		return nil, nil, err
	}
	refs := cfg.Clusters
	if fleet != nil && len(refs) == 0 {
		for _, c := range fleet.Clusters {
			refs = append(refs, ClusterRef{ID: c.ID})
		}
	}
	rc.Format.ClusterOf = clusterOf(refs)
	var arch *relay.Archive
	if file.Archive != nil {
		oc, ok := clients.(objectsClients)
		if !ok {
			return nil, nil, errors.New("relay.archive: these AWS clients cannot write S3 objects")
		}
		arch = archiveFor(oc, file.Archive, region)
	}
	env := tools.Env{Logger: logger, Now: time.Now}
	logger.Info("relay: ready", "destinations", strings.Join(rc.DestinationNames(), ","), "routes", len(rc.Routes),
		"archive", archiveLocation(arch), "dedupe_window", rc.DedupeWindow.String(), "dry_run", ro.DryRun, "demo", cfg.Demo)
	return relay.New(rc, relay.Options{Delivery: delivery.Deps{Clients: clients, HTTP: hc, Env: env, Lang: cfg.Lang}, Archive: arch, DryRun: ro.DryRun}), fleet, nil
}

// clusterOf maps an instance id to the configured cluster it belongs to by name: the cluster itself (a
// standalone instance is its own "cluster") or the longest cluster id it starts with followed by "-".
func clusterOf(refs []ClusterRef) func(string) string {
	if len(refs) == 0 {
		return nil
	}
	return func(id string) string {
		best := ""
		for _, r := range refs {
			if r.ID == id {
				return id
			}
			if strings.HasPrefix(id, r.ID+"-") && len(r.ID) > len(best) {
				best = r.ID
			}
		}
		return best
	}
}

func archiveLocation(a *relay.Archive) string {
	if a == nil {
		return "none"
	}
	return a.Location()
}

type relayInput struct {
	name string
	raw  json.RawMessage
}

// maxRelayInput bounds one input file or stdin.
const maxRelayInput = 64 << 20

// readRelayInputs reads events from files (stdin for none or "-"): one JSON value, a JSON array of events,
// or several values one after another.
func readRelayInputs(files []string, stdin io.Reader) ([]relayInput, error) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	var out []relayInput
	for _, f := range files {
		var b []byte
		var err error
		name := f
		if f == "-" {
			name = "stdin"
			b, err = io.ReadAll(io.LimitReader(stdin, maxRelayInput))
		} else {
			b, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %v", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for i := 1; ; i++ {
			var v json.RawMessage
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: event %d is not JSON: %v", name, i, err)
			}
			if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
				var arr []json.RawMessage
				if err := json.Unmarshal(t, &arr); err != nil {
					return nil, fmt.Errorf("%s: %v", name, err)
				}
				for j, e := range arr {
					out = append(out, relayInput{name: fmt.Sprintf("%s[%d]", name, j), raw: e})
				}
				continue
			}
			label := name
			if i > 1 || dec.More() {
				label = fmt.Sprintf("%s#%d", name, i)
			}
			out = append(out, relayInput{name: label, raw: v})
		}
	}
	return out, nil
}

// relayTally counts outcomes for the closing line.
type relayTally struct{ notifications, sent, dupes, dropped, unknown, archived, failed int }

func (t *relayTally) add(o relay.Outcome) {
	for _, h := range o.Handled {
		t.notifications++
		switch {
		case h.Unknown != "":
			t.unknown++
		case h.Dropped:
			t.dropped++
		}
		if h.ArchiveNew {
			t.archived++
		}
		t.dupes += len(h.Duplicates)
		for _, d := range h.Deliveries {
			if d.OK {
				t.sent++
			}
		}
	}
	t.failed += o.Failed()
}

func (t relayTally) String() string {
	return fmt.Sprintf("%d notification(s): %d message(s) sent, %d duplicate(s) skipped, %d dropped by routing, %d unknown (acknowledged), %d newly archived, %d failed",
		t.notifications, t.sent, t.dupes, t.dropped, t.unknown, t.archived, t.failed)
}

func printRelayOutcome(w io.Writer, name string, o relay.Outcome, dry bool) {
	for _, h := range o.Handled {
		if h.Unknown != "" {
			fmt.Fprintf(w, "%s\n  unknown shape, acknowledged: %s\n", name, h.Unknown)
			continue
		}
		fmt.Fprintf(w, "%s\n  %s\n", name, h.Summary)
		switch {
		case h.Dropped:
			fmt.Fprintf(w, "  dropped by routing (%s)\n", h.Rule)
		}
		for _, d := range h.Deliveries {
			fmt.Fprintf(w, "  → %s (route %s)\n", d, h.Rule)
		}
		for _, d := range h.Duplicates {
			fmt.Fprintf(w, "  → %s: already delivered within the de-duplication window, not sent again\n", d)
		}
		switch {
		case h.ArchiveError != "":
			fmt.Fprintf(w, "  archive FAILED: %s\n", h.ArchiveError)
		case h.Archived != "" && dry:
			fmt.Fprintf(w, "  archive: would write %s\n", h.Archived)
		case h.Archived != "" && h.ArchiveNew:
			fmt.Fprintf(w, "  archived: %s\n", h.Archived)
		case h.Archived != "":
			fmt.Fprintf(w, "  archive: already held (%s)\n", h.Archived)
		}
		if dry {
			keys := make([]string, 0, len(h.Payloads))
			for k := range h.Payloads {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				var pretty bytes.Buffer
				_ = json.Indent(&pretty, h.Payloads[k], "  ", "  ")
				fmt.Fprintf(w, "  == %s (URL from the configuration, not shown):\n  %s\n", k, pretty.String())
			}
		}
	}
}
