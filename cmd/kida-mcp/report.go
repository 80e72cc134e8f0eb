package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// demoOutbox is where the demo fleet's delivery writes what it would send.
const demoOutbox = "outbox"

// demoReportDir is the demo's report directory when none is configured.
const demoReportDir = "reports"

// reportUsage is appended to `kida-mcp report --help`.
const reportUsage = ` [--dry-run] [--shard i/n] [--date YYYY-MM-DD]

Runs the daily job for every cluster under clusters: in --config: check → render the HTML report into
--report-dir → upload to delivery.s3 → presign (≤ 7 days and never past the credentials' expiry), then one
email, Slack (one post per cluster to a workflow webhook, one summary to an incoming webhook) and one SNS
message. A cluster that fails is a row with its reason; the others are still delivered.
Exit status: 0 all delivered, 1 some cluster or send failed, 2 bad configuration.

Report flags:
  --dry-run             check and render, upload and send nothing; print what would be sent
  --shard i/n           only clusters i, i+n, i+2n, … of the list (0 ≤ i < n; i = JOB_COMPLETION_INDEX)
  --date YYYY-MM-DD     report for that day (window ending at the next midnight; default: today, ending now)`

// reportOptions are the flags only `report` takes.
type reportOptions struct {
	DryRun         bool
	Shard, NShards int
	Date           string
}

// splitReportFlags removes --dry-run, --shard and --date from args (the rest are the common flags).
func splitReportFlags(args []string) (reportOptions, []string, error) {
	o := reportOptions{NShards: 1}
	var rest []string
	value := func(i *int, name string) (string, error) {
		a := args[*i]
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, nil
		}
		if *i+1 >= len(args) {
			return "", fmt.Errorf("%s needs a value", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		norm := "--" + strings.TrimLeft(a, "-")
		name, _, _ := strings.Cut(norm, "=")
		switch name {
		case "--dry-run":
			v := true
			if _, s, ok := strings.Cut(norm, "="); ok {
				b, err := strconv.ParseBool(s)
				if err != nil {
					return o, nil, fmt.Errorf("--dry-run=%q: want true or false", s)
				}
				v = b
			}
			o.DryRun = v
		case "--shard":
			args[i] = norm
			v, err := value(&i, "--shard")
			if err != nil {
				return o, nil, err
			}
			is, ns, ok := strings.Cut(v, "/")
			si, err1 := strconv.Atoi(is)
			sn, err2 := strconv.Atoi(ns)
			if !ok || err1 != nil || err2 != nil || sn < 1 || si < 0 || si >= sn {
				return o, nil, fmt.Errorf("--shard %q: want i/n with 0 ≤ i < n, e.g. 0/4 (i is 0-based, like JOB_COMPLETION_INDEX)", v)
			}
			o.Shard, o.NShards = si, sn
		case "--date":
			args[i] = norm
			v, err := value(&i, "--date")
			if err != nil {
				return o, nil, err
			}
			o.Date = v
		default:
			rest = append(rest, a)
		}
	}
	return o, rest, nil
}

// reportRuntime is what runReport needs besides the configuration; tests replace parts of it.
type reportRuntime struct {
	Stdout io.Writer
	Logger *slog.Logger
	Now    func() time.Time
	// Base signs delivery and reads clusters without their own profile/role; nil → built from cfg.
	Base awsclient.Clients
	// ClientsFor returns the clients for one cluster (its profile / role); nil → Provider.With.
	ClientsFor func(ctx context.Context, ref ClusterRef) (awsclient.Clients, error)
	HTTP       delivery.Doer
	Check      delivery.CheckFunc // nil → check.Run
}

// reportMain is `kida-mcp report`. It returns the exit status: 0 all delivered, 1 some failed, 2 bad
// configuration.
func reportMain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	ro, rest, err := splitReportFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp report: %v (see kida-mcp report --help)\n", err)
		return 2
	}
	explicitDir := slicesContainsPrefix(rest, "--report-dir", "-report-dir") || getenv("KIDA_REPORT_DIR") != ""
	cfg, err := parseConfig("report", rest, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp report: configuration: %v\n", err)
		return 2
	}
	if cfg.Demo && !explicitDir && (cfg.File.ReportDir == "") {
		cfg.ReportDir = demoReportDir
	}
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kida-mcp report: configuration: %v\n", err)
		return 2
	}
	defer closeLog()
	return runReport(ctx, cfg, ro, reportRuntime{Stdout: stdout, Logger: logger, Now: time.Now})
}

func slicesContainsPrefix(args []string, prefixes ...string) bool {
	for _, a := range args {
		for _, p := range prefixes {
			if a == p || strings.HasPrefix(a, p+"=") {
				return true
			}
		}
	}
	return false
}

// configError is a problem with the configuration (exit 2).
type configError struct{ error }

// runReport runs the pipeline for cfg and prints the summary; it returns the exit status.
func runReport(ctx context.Context, cfg Config, ro reportOptions, rt reportRuntime) int {
	log := rt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if rt.Now == nil {
		rt.Now = time.Now
	}
	plan, err := planReport(ctx, cfg, ro, &rt)
	if err != nil {
		var ce configError
		if errors.As(err, &ce) {
			fmt.Fprintf(rt.Stdout, "kida-mcp report: configuration: %v\n", err)
			log.Error("bad configuration", "err", err.Error())
			return 2
		}
		fmt.Fprintf(rt.Stdout, "kida-mcp report: %v\n", tools.Classify(err, awsclient.Classify))
		return 1
	}
	env := tools.Env{Logger: log, Now: rt.Now}
	store := check.NewStore(cfg.ReportDir, 0)
	pacers := check.NewPacers() // one CloudTrail pacer per region across the concurrent checks
	checkFn := rt.Check
	if checkFn == nil {
		checkFn = func(ctx context.Context, c awsclient.Clients, id, region string) (report.Check, error) {
			return check.Run(ctx, check.Deps{Clients: c, Env: env, Pacers: pacers}, id, region, check.Options{Window: plan.window})
		}
	}
	s := delivery.NewSender(delivery.Deps{
		Clients: rt.Base, Config: plan.delivery, HTTP: rt.HTTP, Env: env, Render: renderIn(cfg),
		ReportDir: cfg.ReportDir, Location: plan.loc, Lang: cfg.Lang,
	})
	log.Info("report starting", "date", plan.date.Format("2006-01-02"), "clusters", len(plan.targets), "shard", fmt.Sprintf("%d/%d", ro.Shard, ro.NShards),
		"destinations", strings.Join(plan.delivery.Destinations(), ","), "dry_run", ro.DryRun, "demo", cfg.Demo)
	start := time.Now()
	out := s.RunPipeline(ctx, plan.targets, delivery.PipelineOptions{
		Date: plan.date, Concurrency: cfg.Concurrency, DryRun: ro.DryRun, Check: checkFn,
		Saved: func(c report.Check) {
			if err := store.Put(c); err != nil {
				log.Warn("could not store check", "cluster", c.Cluster, "err", err)
			}
		},
	})
	printOutcome(rt.Stdout, out, cfg, ro, start, plan.loc)
	if ro.DryRun {
		printDryRun(rt.Stdout, out, plan.delivery, cfg.ReportDir, log)
	}
	if cfg.Demo {
		printOutbox(rt.Stdout, demoOutbox, start)
	}
	log.Info("report finished", "clusters", len(out.Rows), "failed_clusters", out.FailedClusters(),
		"failed_deliveries", out.FailedDeliveries(), "duration_ms", time.Since(start).Milliseconds())
	if !out.OK() {
		return 1
	}
	return 0
}

// reportPlan is the resolved run: clients, targets, date, window and destinations.
type reportPlan struct {
	targets  []delivery.Target
	date     time.Time
	loc      *time.Location
	window   timewin.Input
	delivery delivery.Config
}

// planReport resolves everything before any cluster is touched; configuration problems are configError.
func planReport(ctx context.Context, cfg Config, ro reportOptions, rt *reportRuntime) (reportPlan, error) {
	var p reportPlan
	p.delivery = cfg.Delivery
	if cfg.Demo {
		f := demo.New(rt.Now())
		f.OutboxDir = demoOutbox
		if rt.Base == nil {
			rt.Base = f
		}
		if rt.HTTP == nil {
			rt.HTTP = f.HTTPClient()
		}
		if !p.delivery.Configured() {
			p.delivery = delivery.Demo()
		}
	}
	if rt.Base == nil {
		prov, err := loadProvider(ctx, cfg)
		if err != nil {
			return p, configError{err}
		}
		rt.Base = prov
		if rt.ClientsFor == nil {
			rt.ClientsFor = providerFor(prov)
		}
	}
	if rt.HTTP == nil {
		rt.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if err := p.delivery.Validate(); err != nil {
		return p, configError{err}
	}
	refs := cfg.Clusters
	if len(refs) == 0 && cfg.Demo {
		var err error
		if refs, err = demoClusterRefs(ctx, rt.Base); err != nil {
			return p, err
		}
	}
	if len(refs) == 0 {
		return p, configError{errors.New("no clusters: list them under clusters: in kida.yaml (--config), pass ids (kida-mcp report my-cluster@ap-northeast-2), or use --demo")}
	}
	for i, r := range refs {
		if i%ro.NShards != ro.Shard {
			continue
		}
		t := delivery.Target{Cluster: r.ID, Region: r.Region}
		if t.Region == "" {
			t.Region = cfg.Region
		}
		if t.Region == "" {
			t.Region = rt.Base.DefaultRegion()
		}
		if (r.Profile != "" || r.RoleARN != "") && rt.ClientsFor != nil {
			t.Clients, t.Err = rt.ClientsFor(ctx, r)
		}
		p.targets = append(p.targets, t)
	}
	if len(p.targets) == 0 {
		return p, configError{fmt.Errorf("--shard %d/%d selects none of the %d clusters", ro.Shard, ro.NShards, len(refs))}
	}
	// time zone: --timezone, else the region's
	tz := cfg.Timezone
	if tz == "" {
		region := cfg.Region
		if region == "" {
			region = p.targets[0].Region
		}
		tz = timewin.RegionTimezone(region)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return p, configError{fmt.Errorf("--timezone / KIDA_TIMEZONE: %q is not an IANA time zone (e.g. Asia/Seoul)", tz)}
	}
	p.loc = loc
	length, err := timewin.ParseSince(cfg.Window)
	if err != nil {
		return p, configError{fmt.Errorf("--window / KIDA_WINDOW: %v", err)}
	}
	now := rt.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	p.date = today
	end := now
	if ro.Date != "" {
		d, err := time.ParseInLocation("2006-01-02", ro.Date, loc)
		if err != nil {
			return p, configError{fmt.Errorf("--date %q: want YYYY-MM-DD, e.g. %s", ro.Date, today.Format("2006-01-02"))}
		}
		if d.After(today) {
			return p, configError{fmt.Errorf("--date %s is in the future (today is %s in %s)", ro.Date, today.Format("2006-01-02"), loc)}
		}
		if d.Before(today) {
			end = d.AddDate(0, 0, 1)
		}
		p.date = d
	}
	p.window = timewin.Input{Start: end.Add(-length).UTC().Format(time.RFC3339), End: end.UTC().Format(time.RFC3339), Timezone: cfg.Timezone}
	return p, nil
}

// providerFor returns per-cluster clients from a base provider, one provider per profile/role pair.
func providerFor(base *awsclient.Provider) func(context.Context, ClusterRef) (awsclient.Clients, error) {
	var mu sync.Mutex
	cache := map[string]*awsclient.Provider{}
	return func(ctx context.Context, r ClusterRef) (awsclient.Clients, error) {
		key := r.Profile + "|" + r.RoleARN
		mu.Lock()
		defer mu.Unlock()
		if p, ok := cache[key]; ok {
			return p, nil
		}
		p, err := base.With(ctx, r.Profile, r.RoleARN)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: profile %q / role %q: %w", r.ID, r.Profile, r.RoleARN, err)
		}
		cache[key] = p
		return p, nil
	}
}

// printOutcome prints the run's summary: one block per cluster and one line per send.
func printOutcome(w io.Writer, out delivery.Outcome, cfg Config, ro reportOptions, start time.Time, loc *time.Location) {
	p := i18n.For(cfg.Lang)
	t := delivery.Count(out.Rows)
	worst := p.TOr("verdict."+t.Worst(), t.Worst())
	fmt.Fprint(w, p.T("cli.head", out.Date, worst, t.In(p)))
	if ro.NShards > 1 {
		fmt.Fprint(w, p.T("cli.shard", ro.Shard, ro.NShards))
	}
	fmt.Fprintf(w, " — %s\n\n", time.Since(start).Round(time.Millisecond))
	const indent = "             "
	for _, r := range out.Rows {
		name := fmt.Sprintf("%s (%s)", r.Cluster, r.Region)
		if r.Failed() {
			fmt.Fprintf(w, "  %-10s %s\n%s%s\n", p.T("verdict.FAILED"), name, indent, p.T("cli.failedAt", r.Stage, r.Error))
			if r.ReportPath != "" {
				fmt.Fprintf(w, "%s%s\n", indent, p.T("cli.report", r.ReportPath))
			}
			continue
		}
		verdict := strings.ToUpper(r.Verdict)
		fmt.Fprintf(w, "  %-10s %s", p.TOr("verdict."+verdict, verdict), p.T("cli.row", name, r.Critical, r.Warning, r.Info))
		if r.Gaps > 0 {
			fmt.Fprint(w, p.T("mail.textGaps", r.Gaps))
		}
		fmt.Fprintln(w)
		if r.ReportPath != "" {
			fmt.Fprintf(w, "%s%s\n", indent, p.T("cli.report", r.ReportPath))
		}
		switch {
		case r.Link != nil:
			note := r.Link.Note
			if p.KO() {
				note = p.T("mail.linkNote", p.Duration(time.Duration(r.Link.ExpiresInS)*time.Second), p.Stamp(r.Link.ExpiresAt, loc))
			}
			fmt.Fprintf(w, "%ss3://%s/%s\n%s%s\n%s%s\n", indent, r.Link.Bucket, r.Link.Key, indent, p.T("cli.link", r.Link.URL), indent[2:], p.T("mail.textLink", note))
		case r.LinkNote != "":
			fmt.Fprintf(w, "%s%s\n", indent, r.LinkNote)
		}
	}
	if len(out.Deliveries) > 0 {
		fmt.Fprintln(w, "\n"+p.T("cli.deliveries"))
		for _, d := range out.Deliveries {
			fmt.Fprintf(w, "  - %s\n", d)
		}
	} else {
		fmt.Fprintln(w, "\n"+p.T("cli.noDest"))
	}
	if n, m := out.FailedClusters(), out.FailedDeliveries(); n+m > 0 {
		fmt.Fprintln(w, "\n"+p.T("cli.someFailed", n, m))
	}
}

// renderIn renders each cluster's report in its language: the cluster's lang in kida.yaml, else --lang.
func renderIn(cfg Config) delivery.Renderer {
	return func(dir string, c report.Check, format string) (string, int64, error) {
		lang := cfg.Lang
		for _, r := range cfg.Clusters {
			if r.ID == c.Cluster && r.Lang != "" && (r.Region == "" || r.Region == c.Region) {
				lang = r.Lang
				break
			}
		}
		return report.WriteLang(dir, c, format, lang)
	}
}

// printDryRun prints what would have been sent; the email's HTML goes to a preview file.
func printDryRun(w io.Writer, out delivery.Outcome, dc delivery.Config, dir string, log *slog.Logger) {
	fmt.Fprintln(w, "\n--- dry run: nothing was uploaded or sent; this is what would be ---")
	if out.Email != nil && dc.Email != nil {
		fmt.Fprintf(w, "\n== email (SES %s) from %s to %s\nSubject: %s\n\n%s", orDefault(dc.Email.Region, "default region"),
			dc.Email.From, strings.Join(dc.Email.To, ", "), out.Email.Subject, out.Email.Text)
		p := filepath.Join(dir, "email-preview-"+strings.ReplaceAll(out.Date, "-", "")+".html")
		if err := os.MkdirAll(dir, 0o755); err == nil {
			if err := os.WriteFile(p, []byte(out.Email.HTML), 0o644); err == nil {
				fmt.Fprintf(w, "(HTML part, %d bytes: %s)\n", len(out.Email.HTML), p)
			} else {
				log.Warn("could not write the email preview", "err", err)
			}
		}
	}
	if len(out.Workflow) > 0 {
		fmt.Fprintln(w, "\n== Slack workflow webhook (URL from the configuration, not shown), one POST per cluster:")
		for _, p := range out.Workflow {
			b, _ := delivery.MarshalJSON(p)
			fmt.Fprintf(w, "%s\n", b)
		}
	}
	if out.Incoming != nil {
		b, _ := json.MarshalIndent(out.Incoming, "", "  ")
		fmt.Fprintf(w, "\n== Slack incoming webhook (URL from the configuration, not shown):\n%s\n", strings.ReplaceAll(string(b), `\u0026`, "&"))
	}
	if out.SNS != nil && dc.SNS != nil {
		fmt.Fprintf(w, "\n== SNS %s\nSubject: %s\n\n%s", dc.SNS.TopicARN, out.SNS.Subject, out.SNS.Message)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// printOutbox lists the files the demo wrote during this run.
func printOutbox(w io.Writer, dir string, since time.Time) {
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil && !info.ModTime().Before(since.Add(-time.Second)) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	fmt.Fprintf(w, "\nDemo outbox (nothing left this machine) — %s/:\n", dir)
	for _, f := range files {
		fmt.Fprintf(w, "  %s\n", f)
	}
}

var tzNameRE = regexp.MustCompile(`^[A-Za-z_+\-/0-9]+$`)

// deliveryTools registers the delivery toolset when a destination is configured — always on the demo
// fleet, whose destinations are its local outbox.
func deliveryTools(c awsclient.Clients, env tools.Env, cfg Config, store *check.Store) []tools.Tool {
	dc := cfg.Delivery
	var hc delivery.Doer = &http.Client{Timeout: 30 * time.Second}
	if f, ok := c.(*demo.Fleet); ok {
		if !dc.Configured() {
			dc = delivery.Demo()
		}
		hc = f.HTTPClient()
	}
	if !dc.Configured() {
		return nil
	}
	loc := time.UTC
	tz := cfg.Timezone
	if tz == "" {
		tz = timewin.RegionTimezone(orDefault(cfg.Region, c.DefaultRegion()))
	}
	if tzNameRE.MatchString(tz) {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	return delivery.Tools(delivery.Deps{Clients: c, Config: dc, HTTP: hc, Env: env, Render: renderIn(cfg), Lang: cfg.Lang,
		ReportDir: cfg.ReportDir, Location: loc}, store)
}

// resolveDelivery turns kida.yaml's delivery: section into delivery.Config, reading webhook URLs from the
// env vars or files it names. Errors name the key and the fix and never contain a secret. In demo mode a
// webhook whose variable is unset falls back to the demo placeholder (the demo never dials it).
func resolveDelivery(f *DeliveryFile, getenv func(string) string, readFile func(string) ([]byte, error), demoMode bool) (delivery.Config, error) {
	var c delivery.Config
	if f == nil {
		return c, nil
	}
	if s := f.S3; s != nil {
		exp := delivery.MaxExpiry
		if s.Expiry != "" {
			d, err := parseExpiry(s.Expiry)
			if err != nil {
				return c, fmt.Errorf("delivery.s3.expiry: %q is not a duration; use e.g. 24h or 7d (at most 7d)", s.Expiry)
			}
			exp = d
		}
		sse := ""
		switch strings.ToLower(strings.TrimSpace(s.SSE)) {
		case "", "none":
		case "aes256", "sse-s3", "s3":
			sse = delivery.SSEAES256
		case "aws:kms", "kms", "sse-kms":
			sse = delivery.SSEKMS
		default:
			return c, fmt.Errorf("delivery.s3.sse: %q is not AES256 (SSE-S3), aws:kms (SSE-KMS) or none", s.SSE)
		}
		prefix := strings.TrimSpace(s.Prefix)
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		c.S3 = &delivery.S3Config{Bucket: strings.TrimSpace(s.Bucket), Prefix: prefix, Region: s.Region, Expiry: exp, SSE: sse, KMSKeyID: s.KMSKeyID}
		if c.S3.Bucket == "" {
			return c, fmt.Errorf("delivery.s3.bucket: missing; name the report bucket (e.g. kida-reports-123456789012) or remove delivery.s3")
		}
	}
	if e := f.Email; e != nil {
		c.Email = &delivery.EmailConfig{From: strings.TrimSpace(e.From), To: e.To, Region: e.Region}
	}
	if s := f.Slack; s != nil {
		switch {
		case s.WorkflowWebhookURL != "":
			return c, fmt.Errorf("delivery.slack.workflow_webhook_url: webhook URLs are secrets and are not read from kida.yaml; put it in an environment variable named by workflow_webhook_env, or a file named by workflow_webhook_file (and remove it from this file)")
		case s.IncomingWebhookURL != "", s.WebhookURL != "":
			return c, fmt.Errorf("delivery.slack: webhook URLs are secrets and are not read from kida.yaml; put the incoming webhook URL in an environment variable named by incoming_webhook_env, or a file named by incoming_webhook_file (and remove it from this file)")
		}
		wf, err := readSecret("delivery.slack.workflow_webhook", s.WorkflowWebhookEnv, s.WorkflowWebhookFile, getenv, readFile, demoMode, delivery.DemoWorkflowURL)
		if err != nil {
			return c, err
		}
		in, err := readSecret("delivery.slack.incoming_webhook", s.IncomingWebhookEnv, s.IncomingWebhookFile, getenv, readFile, demoMode, delivery.DemoIncomingURL)
		if err != nil {
			return c, err
		}
		c.Slack = &delivery.SlackConfig{Workflow: wf, Incoming: in}
	}
	if s := f.SNS; s != nil {
		c.SNS = &delivery.SNSConfig{TopicARN: strings.TrimSpace(s.TopicARN)}
	}
	return c, c.Validate()
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// readSecret reads one webhook URL from the env var or file named in kida.yaml.
func readSecret(key, env, file string, getenv func(string) string, readFile func(string) ([]byte, error), demoMode bool, demoURL string) (delivery.Secret, error) {
	switch {
	case env == "" && file == "":
		return delivery.Secret{}, nil
	case env != "" && file != "":
		return delivery.Secret{}, fmt.Errorf("%s_env and %s_file are both set; keep one", key, key)
	case env != "":
		if !envNameRE.MatchString(env) {
			return delivery.Secret{}, fmt.Errorf("%s_env must name an environment variable (e.g. KIDA_SLACK_WEBHOOK_URL), not hold the URL; move the URL into that variable", key)
		}
		v := strings.TrimSpace(getenv(env))
		if v == "" {
			if demoMode {
				return delivery.NewSecret(demoURL), nil
			}
			return delivery.Secret{}, fmt.Errorf("%s_env: environment variable %s is not set; export it (e.g. EnvironmentFile= in the systemd unit) or use %s_file", key, env, key)
		}
		return delivery.NewSecret(v), nil
	}
	b, err := readFile(file)
	if err != nil {
		if demoMode {
			return delivery.NewSecret(demoURL), nil
		}
		return delivery.Secret{}, fmt.Errorf("%s_file: cannot read %s (%v); create it with the webhook URL on one line, mode 0600", key, file, errors.Unwrap(err))
	}
	v := strings.TrimSpace(string(b))
	if v == "" || strings.ContainsAny(v, "\n\r") {
		return delivery.Secret{}, fmt.Errorf("%s_file: %s must hold exactly one line, the webhook URL", key, file)
	}
	return delivery.NewSecret(v), nil
}

// parseExpiry parses "7d", "36h", "90m" or a Go duration.
func parseExpiry(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("bad days")
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
