package check

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/audit"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/i18n"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Deps are what a check needs.
type Deps struct {
	Clients awsclient.Clients
	Env     tools.Env
	// Pacers, when set, paces CloudTrail LookupEvents per region across concurrent checks (2 calls/s per
	// account and region); without it each check paces itself.
	Pacers *Pacers
}

// Pacers hands out one CloudTrail pacer per region.
type Pacers struct {
	mu sync.Mutex
	m  map[string]*audit.Pacer
}

// NewPacers returns an empty set.
func NewPacers() *Pacers { return &Pacers{m: map[string]*audit.Pacer{}} }

// For returns the region's pacer (nil receiver → nil: the engine makes its own).
func (p *Pacers) For(region string) *audit.Pacer {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m[region] == nil {
		p.m[region] = audit.NewPacer(audit.TrailTPS, nil, nil)
	}
	return p.m[region]
}

// Options tune one check.
type Options struct {
	Window         timewin.Input
	SectionTimeout time.Duration // per section; default 45 s (the whole check stays under Kiro's 120 s)
	Concurrency    int           // sections at once; default 4
	// Progress, when set, is called after each section (done of total).
	Progress func(done, total int, section string)
}

// state is shared by the sections of one check. Sections write only their own parts of c, under mu.
type state struct {
	region string
	topo   cluster.Topology
	win    timewin.Window
	deps   Deps
	mu     sync.Mutex
	c      *report.Check
	raw    raw // engine results kept for the rules
}

// section is one unit of the check.
type section struct {
	tab  string // report tab (report.Sec*)
	name string
	run  func(ctx context.Context, s *state) (summary, error)
	// fix explains how to close the gap when run fails with a non-AWS error.
	fix string
}

// Run checks one cluster. It returns an error only when the cluster itself cannot be resolved (bad id,
// region, credentials); every later failure becomes a gap in the returned check.
func Run(ctx context.Context, d Deps, clusterID, region string, o Options) (report.Check, error) {
	if o.SectionTimeout <= 0 {
		o.SectionTimeout = 45 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	now := d.Env.Clock().UTC()
	region, err := awsclient.Region(d.Clients, region)
	if err != nil {
		return report.Check{}, err
	}
	win, err := timewin.Resolve(o.Window, timewin.Options{Now: now, Region: region})
	if err != nil {
		return report.Check{}, err
	}
	tctx, cancel := context.WithTimeout(ctx, o.SectionTimeout)
	topo, err := cluster.Describe(tctx, d.Clients.RDS(region), region, clusterID)
	cancel()
	if err != nil {
		return report.Check{}, err
	}
	c := &report.Check{
		Cluster: topo.ID, Region: region, Engine: topo.Engine, EngineVersion: topo.EngineVersion, Kind: topo.Kind,
		GeneratedAt: now, Window: report.Window{Start: win.Start, End: win.End, Timezone: win.Loc.String()},
	}
	c.ID = checkID(topo.ID, region, win, now)
	s := &state{region: region, topo: topo, win: win, deps: d, c: c}
	topologySection(s)

	secs := sections()
	total := len(secs) + 1
	results := make([]report.Section, len(secs))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	var done int
	var doneMu sync.Mutex
	if o.Progress != nil {
		o.Progress(1, total, "topology")
	}
	for i, sec := range secs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = report.Section{ID: sec.tab, Name: sec.name, Status: "gap", Summary: "cancelled"}
				return
			}
			defer func() { <-sem }()
			results[i] = runSection(ctx, s, sec, o.SectionTimeout)
			if o.Progress != nil {
				// reported under the lock so the counts reach the client in order
				doneMu.Lock()
				done++
				o.Progress(done+1, total, sec.name)
				doneMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return report.Check{}, tools.Errorf("health check of %s was cancelled before it finished", topo.ID)
	}
	ts := say("sum.topology", len(topo.Members), topo.Writer)
	c.Sections = append([]report.Section{{ID: report.SecTopology, Name: "topology", Status: "ok",
		Summary: ts.text, SummaryKey: ts.key, SummaryArgs: ts.args}}, results...)
	c.Findings = append(c.Findings, deriveFindings(s)...)
	finish(c)
	return *c, nil
}

// summary is a section's one-line result: the English text, plus the message key (tools/i18n "sum.*")
// and preformatted arguments renderers use to localize it.
type summary struct {
	text string
	key  string
	args []string
}

// say formats the English text of key with args and keeps them for localization.
func say(key string, args ...any) summary {
	strs := make([]string, len(args))
	for i, a := range args {
		strs[i] = fmt.Sprint(a)
		args[i] = strs[i] // the catalogue's placeholders are %s
	}
	return summary{text: i18n.For(i18n.EN).T(key, args...), key: key, args: strs}
}

// runSection runs one section with its timeout and turns any failure (error, panic, timeout) into a gap.
func runSection(ctx context.Context, s *state, sec section, timeout time.Duration) (res report.Section) {
	start := time.Now()
	res = report.Section{ID: sec.tab, Name: sec.name}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var sum summary
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error: %v", r)
				s.deps.Env.Log().Error("check section panicked", "section", sec.name, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		sum, err = sec.run(sctx, s)
	}()
	res.DurationMs = time.Since(start).Milliseconds()
	if err == nil {
		res.Status, res.Summary, res.SummaryKey, res.SummaryArgs = "ok", sum.text, sum.key, sum.args
		if sum.text == "" {
			res.Status = "empty"
		}
		return res
	}
	why := tools.Classify(err, awsclient.Classify).Error()
	if sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		why = fmt.Sprintf("timed out after %s", timeout)
	}
	fix, code := sec.fix, strings.ReplaceAll(sec.name, " ", "-")
	if i := strings.Index(why, "Grant the IAM action "); i >= 0 {
		fix, code = why[i:], report.GapFixIAMAction
	}
	if fix == "" {
		fix, code = "retry later; the rest of the check is unaffected", report.GapFixRetry
	}
	res.Status, res.Summary = "gap", why
	s.mu.Lock()
	s.c.Gaps = append(s.c.Gaps, report.Gap{Section: sec.tab, What: sec.name, Why: why, Fix: fix, Code: code})
	s.mu.Unlock()
	return res
}

// finish sorts findings, sets the verdict and headline, and makes slices non-nil.
func finish(c *report.Check) {
	sort.SliceStable(c.Findings, func(i, j int) bool {
		a, b := c.Findings[i], c.Findings[j]
		if tools.SeverityRank(a.Severity) != tools.SeverityRank(b.Severity) {
			return tools.SeverityRank(a.Severity) < tools.SeverityRank(b.Severity)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Resource < b.Resource
	})
	sort.SliceStable(c.Gaps, func(i, j int) bool { return c.Gaps[i].What < c.Gaps[j].What })
	c.Verdict = "healthy"
	for _, f := range c.Findings {
		if f.Severity == tools.SeverityCritical {
			c.Verdict = "critical"
			break
		}
		if f.Severity == tools.SeverityWarning {
			c.Verdict = "warning"
		}
	}
	crit, warn, info := c.Counts()
	c.Headline = fmt.Sprintf("%s: %s — %d critical, %d warning, %d info", c.Cluster, c.Verdict, crit, warn, info)
	if len(c.Findings) > 0 && c.Findings[0].Severity != tools.SeverityInfo {
		f := c.Findings[0]
		c.Headline += "; top: " + f.Title
		if f.Resource != "" {
			c.Headline += " (" + f.Resource + ")"
		}
		if f.LikelyCause != "" {
			c.Headline += " — likely cause: " + f.LikelyCause
		}
	}
	if len(c.Gaps) > 0 {
		c.Headline += fmt.Sprintf("; %d section(s) incomplete", len(c.Gaps))
	}
}

// checkID is stable for the same cluster, region and window end, and unique per run time.
func checkID(clusterID, region string, w timewin.Window, now time.Time) string {
	h := sha256.Sum256([]byte(clusterID + "|" + region + "|" + w.Start.String() + "|" + w.End.String() + "|" + now.String()))
	var b strings.Builder
	for _, r := range strings.ToLower(clusterID) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		}
	}
	return fmt.Sprintf("%s-%s-%s", b.String(), w.End.UTC().Format("20060102t1504z"), hex.EncodeToString(h[:])[:6])
}

// topologySection fills the Topology tab and the posture findings.
func topologySection(s *state) {
	t := s.topo
	rt := report.Topology{Writer: t.Writer, Readers: t.Readers}
	for _, m := range t.Members {
		rt.Members = append(rt.Members, report.Member{ID: m.ID, Role: m.Role, Class: m.Class, AZ: m.AZ, Status: m.Status,
			VCPU: m.VCPU, MemoryBytes: m.MemoryBytes, PIEnabled: m.PIEnabled})
	}
	set := func(name, value, note string, ok bool) {
		rt.Settings = append(rt.Settings, report.Setting{Name: name, Value: value, Note: note, OK: ok})
	}
	set("Engine", t.Engine+" "+t.EngineVersion, t.Kind, true)
	if t.Serverless != nil {
		set("Serverless v2", fmt.Sprintf("%s–%s ACU", tools.Num(t.Serverless.MinACU, 1), tools.Num(t.Serverless.MaxACU, 1)), "", true)
	}
	set("Log exports", joinOr(t.LogExports, "none"), "missing: "+joinOr(t.LogExportsMissing, "none"), len(t.LogExportsMissing) == 0)
	for _, sl := range t.SlowLog {
		if sl.LogMinDurationMs != nil {
			set("Slow log "+sl.Instance, fmt.Sprintf("log_min_duration_statement=%s ms", tools.Num(*sl.LogMinDurationMs, 0)), sl.Source, sl.Enabled)
		} else {
			set("Slow log "+sl.Instance, fmt.Sprintf("slow_query_log=%s long_query_time=%ss log_output=%s", sl.SlowQueryLog, tools.Num(sl.LongQueryTimeS, 3), sl.LogOutput), sl.Source, sl.Enabled)
		}
	}
	set("Performance Insights", t.PerformanceInsights.Mode, fmt.Sprintf("retention %d d", t.PerformanceInsights.RetentionDays), t.PerformanceInsights.Enabled)
	set("Backup retention", fmt.Sprintf("%d days", t.BackupRetentionDays), "", t.BackupRetentionDays >= 7)
	set("Deletion protection", onOff(t.DeletionProtection), "", t.DeletionProtection)
	set("Storage encryption", onOff(t.StorageEncrypted), "", t.StorageEncrypted)
	set("IAM authentication", onOff(t.IAMAuth), "", t.IAMAuth)
	set("TLS enforced", onOff(t.TLS.Enforced), t.TLS.Parameter+"="+t.TLS.Value, t.TLS.Enforced)
	set("Publicly accessible", joinOr(t.PubliclyAccessible, "none"), "", len(t.PubliclyAccessible) == 0)
	for _, f := range cluster.Posture(t) {
		rf := fromTools(f, report.SecTopology)
		rt.Posture = append(rt.Posture, rf)
		s.c.Findings = append(s.c.Findings, rf)
	}
	for _, h := range t.Hints {
		s.c.Gaps = append(s.c.Gaps, report.Gap{Section: report.SecTopology, What: "parameters", Why: h, Fix: "grant rds:DescribeDBParameters and rds:DescribeDBClusterParameters", Code: report.GapFixParameters})
	}
	s.c.Topology = rt
}

func fromTools(f tools.Finding, tab string) report.Finding {
	return report.Finding{Severity: f.Severity, Code: f.Code, Title: f.Title, Evidence: f.Evidence, Action: f.Action,
		Resource: f.Resource, DocURL: f.DocURL, Section: tab}
}

func joinOr(xs []string, empty string) string {
	if len(xs) == 0 {
		return empty
	}
	return strings.Join(xs, ", ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
