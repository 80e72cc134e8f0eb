package relay

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/delivery"
	"github.com/kida-mcp/kida-mcp/tools/events"
)

// Config is the relay's configuration: kida.yaml's relay: section with its secrets already resolved by
// cmd/kida-mcp (webhook URLs from env, file or KMS ciphertext).
type Config struct {
	// Destinations by name.
	Destinations map[string]Destination
	// Routes are tried in order; the first that matches decides where a notification goes.
	Routes []Route
	// Default are the destinations of notifications no route matches; empty → dropped.
	Default []string
	// DedupeWindow is how long a delivered notification is remembered, so a repeated delivery (SNS and
	// EventBridge are at-least-once) is not posted again; 0 turns de-duplication off.
	DedupeWindow time.Duration
	// Archive, when set, keeps every RDS event (and alarm transitions with Alarms) in S3.
	Archive *ArchiveConfig
	Format  Format
}

// Destination is where one route's notifications go: a Slack incoming webhook and/or an email.
type Destination struct {
	Slack delivery.Secret
	Email *delivery.EmailConfig
}

// Route selects notifications. Empty fields match everything; fields of one kind (States, FromStates,
// AlarmNames for alarms; Categories, SourceTypes for RDS events) make the route match only that kind.
type Route struct {
	Name        string
	Kinds       []string // alarm, rds
	States      []string // the alarm's new state: ALARM, OK, INSUFFICIENT_DATA
	FromStates  []string // the alarm's previous state
	AlarmNames  []string // glob patterns (path.Match) on the alarm name
	Categories  []string // kida groups (backup, failover, …) or RDS categories ("configuration change", …)
	SourceTypes []string // db-instance, db-cluster, db-cluster-snapshot, …
	Sources     []string // glob patterns on the database / cluster / source id
	// To lists destination names; empty drops what the route matches.
	To []string
}

// ArchiveConfig is the S3 event archive: <Prefix>YYYY/MM/DD/<kind>-<HHMMSS>-<source>-<id>.jsonl.
type ArchiveConfig struct {
	Bucket string
	Prefix string // default "events/"
	Region string // "" → the default region
	Alarms bool   // also archive alarm transitions
}

// DefaultArchivePrefix is where archived events go when no prefix is configured.
const DefaultArchivePrefix = "events/"

// DefaultDedupeWindow covers SNS redeliveries and Lambda's asynchronous retries of a failed invocation.
const DefaultDedupeWindow = time.Hour

// rdsCategories are the RDS event categories (USER_Events.Messages) a route may name besides kida's groups.
var rdsCategories = []string{
	"availability", "backtrack", "backup", "configuration change", "creation", "deletion", "failover", "failure",
	"global failover", "low storage", "maintenance", "notification", "read replica", "recovery", "restoration",
	"security", "security patching", "serverless",
}

var (
	destNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	bucketRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	regionRE   = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)
	prefixRE   = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]*$`)
	srcTypeRE  = regexp.MustCompile(`^[a-z][a-z-]{1,40}$`)
)

// Validate checks the configuration; messages name the kida.yaml key (relay.…) and never a secret.
func (c Config) Validate() error {
	if len(c.Destinations) == 0 {
		return fmt.Errorf("relay.destinations: none configured; add one, e.g. relay.destinations.oncall.slack.webhook_env: KIDA_RELAY_ONCALL_WEBHOOK")
	}
	for _, name := range c.DestinationNames() {
		d := c.Destinations[name]
		key := "relay.destinations." + name
		if !destNameRE.MatchString(name) {
			return fmt.Errorf("%s: destination names are lowercase letters, digits, - and _ (e.g. oncall)", key)
		}
		if !d.Slack.Set() && d.Email == nil {
			return fmt.Errorf("%s: neither slack nor email is configured", key)
		}
		if d.Slack.Set() {
			if err := delivery.CheckWebhook(d.Slack.Reveal()); err != nil {
				return fmt.Errorf("%s.slack: the webhook URL %v (the value is not shown); copy the incoming webhook URL from Slack again", key, err)
			}
		}
		if e := d.Email; e != nil {
			if err := (delivery.Config{Email: e}).Validate(); err != nil {
				return fmt.Errorf("%s.email: %s", key, strings.TrimPrefix(err.Error(), "delivery.email."))
			}
		}
	}
	known := func(names []string, key string) error {
		for _, n := range names {
			if _, ok := c.Destinations[n]; !ok {
				return fmt.Errorf("%s: unknown destination %q; known: %s", key, n, strings.Join(c.DestinationNames(), ", "))
			}
		}
		return nil
	}
	if err := known(c.Default, "relay.default"); err != nil {
		return err
	}
	for i, r := range c.Routes {
		key := fmt.Sprintf("relay.routes[%d]", i)
		if r.Name != "" {
			key += " (" + r.Name + ")"
		}
		if err := known(r.To, key+".to"); err != nil {
			return err
		}
		for _, k := range r.Kinds {
			if k != KindAlarm && k != KindRDS {
				return fmt.Errorf("%s.kinds: %q is not alarm or rds", key, k)
			}
		}
		for _, s := range append(slices.Clone(r.States), r.FromStates...) {
			switch s {
			case StateAlarm, StateOK, StateInsufficientData:
			default:
				return fmt.Errorf("%s.states: %q is not ALARM, OK or INSUFFICIENT_DATA", key, s)
			}
		}
		for _, cat := range r.Categories {
			if !slices.Contains(events.Groups, cat) && !slices.Contains(rdsCategories, cat) {
				return fmt.Errorf("%s.categories: %q is neither a kida category (%s) nor an RDS event category (%s)", key, cat,
					strings.Join(events.Groups, ", "), strings.Join(rdsCategories, ", "))
			}
		}
		for _, st := range r.SourceTypes {
			if !srcTypeRE.MatchString(st) {
				return fmt.Errorf("%s.source_types: %q is not an RDS source type such as db-instance, db-cluster or db-cluster-snapshot", key, st)
			}
		}
		for _, p := range append(slices.Clone(r.AlarmNames), r.Sources...) {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("%s: %q is not a valid glob pattern (use * and ?)", key, p)
			}
		}
		if len(r.Kinds) > 0 && ((len(r.States)+len(r.FromStates)+len(r.AlarmNames) > 0 && !slices.Contains(r.Kinds, KindAlarm)) ||
			(len(r.Categories)+len(r.SourceTypes) > 0 && !slices.Contains(r.Kinds, KindRDS))) {
			return fmt.Errorf("%s: its filters can never match the kinds %v (states and alarm_names are for alarms; categories and source_types for rds)", key, r.Kinds)
		}
	}
	if c.DedupeWindow < 0 || c.DedupeWindow > 7*24*time.Hour {
		return fmt.Errorf("relay.dedupe_window: %s is outside 0..7d", c.DedupeWindow)
	}
	if a := c.Archive; a != nil {
		switch {
		case !bucketRE.MatchString(a.Bucket) || strings.Contains(a.Bucket, ".."):
			return fmt.Errorf("relay.archive.bucket: %q is not a valid S3 bucket name", a.Bucket)
		case a.Region != "" && !regionRE.MatchString(a.Region):
			return fmt.Errorf("relay.archive.region: %q is not an AWS region", a.Region)
		case !prefixRE.MatchString(a.Prefix) || strings.HasPrefix(a.Prefix, "/") || strings.Contains(a.Prefix, "//") || strings.Contains(a.Prefix, ".."):
			return fmt.Errorf("relay.archive.prefix: %q is not a safe key prefix; use letters, digits and / - _ . (no leading /, no ..), e.g. events/", a.Prefix)
		}
	}
	if u := c.Format.ReportURL; u != "" {
		if err := checkReportURL(u); err != nil {
			return fmt.Errorf("relay.report_url: %v", err)
		}
	}
	return nil
}

// DestinationNames lists the destinations in name order.
func (c Config) DestinationNames() []string {
	var out []string
	for n := range c.Destinations {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func checkReportURL(u string) error {
	probe := strings.NewReplacer("{cluster}", "c", "{region}", "r").Replace(u)
	if !strings.HasPrefix(probe, "https://") && !strings.HasPrefix(probe, "http://") {
		return fmt.Errorf("%q is not an http(s) URL", u)
	}
	if safeURL(probe) == "" {
		return fmt.Errorf("%q contains a space, quote, <, > or |", u)
	}
	return nil
}

// Targets returns where n goes and the rule that decided: the first matching route (its name, or
// routes[i]), else "default" with the Default destinations.
func (c Config) Targets(n Notification) (names []string, rule string) {
	for i, r := range c.Routes {
		if r.matches(n) {
			if r.Name == "" {
				return r.To, fmt.Sprintf("routes[%d]", i)
			}
			return r.To, r.Name
		}
	}
	return c.Default, "default"
}

func (r Route) matches(n Notification) bool {
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, n.Kind) {
		return false
	}
	alarmOnly := len(r.States)+len(r.FromStates)+len(r.AlarmNames) > 0
	rdsOnly := len(r.Categories)+len(r.SourceTypes) > 0
	var res Resource
	switch {
	case n.Alarm != nil:
		if rdsOnly {
			return false
		}
		a := n.Alarm
		if len(r.States) > 0 && !slices.Contains(r.States, a.State) {
			return false
		}
		if len(r.FromStates) > 0 && !slices.Contains(r.FromStates, a.OldState) {
			return false
		}
		if len(r.AlarmNames) > 0 && !globAny(r.AlarmNames, a.Name) {
			return false
		}
		res = a.Resource()
	case n.RDS != nil:
		if alarmOnly {
			return false
		}
		e := n.RDS
		if len(r.Categories) > 0 && !slices.Contains(r.Categories, e.Group) && !slices.ContainsFunc(e.Categories, func(c string) bool {
			return slices.Contains(r.Categories, strings.ToLower(strings.TrimSpace(c)))
		}) {
			return false
		}
		if len(r.SourceTypes) > 0 && !slices.Contains(r.SourceTypes, e.SourceType) {
			return false
		}
		res = e.Resource()
	default:
		return false
	}
	if len(r.Sources) > 0 && !globAny(r.Sources, res.ID) && (res.Cluster == "" || !globAny(r.Sources, res.Cluster)) {
		return false
	}
	return true
}

func globAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}
