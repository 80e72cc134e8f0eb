package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// CloudTrail facts.
const (
	// TrailRetention is how far back LookupEvents reaches (management events, per region).
	TrailRetention = 90 * 24 * time.Hour
	// TrailTPS is LookupEvents' rate limit per account and region.
	TrailTPS             = 2
	lookupPageSize       = 50 // LookupEvents' maximum MaxResults
	defaultMaxEvents     = 100
	defaultPagesPerName  = 5
	rdsEventSource       = "rds.amazonaws.com"
	requestSummaryLength = 300
)

// TrailOptions tune Trail. The zero value asks for the defaults.
type TrailOptions struct {
	IncludeReadOnly bool      // also return read-only calls (Describe*, List*…)
	Pacer           *Pacer    // shared per-region pacer (default: a new one at TrailTPS on the real clock)
	MaxEvents       int       // events returned, newest first (default 100)
	PagesPerName    int       // LookupEvents pages per resource name (default 5, 50 events each)
	Now             time.Time // for the retention check (default: the window's end)
}

// TrailResult lists the RDS API calls made on a cluster, its members and its parameter groups.
type TrailResult struct {
	Region             string       `json:"region"`
	ClusterID          string       `json:"cluster_id"`
	Window             timewin.Echo `json:"window"`
	IncludeReadOnly    bool         `json:"include_read_only"`
	Lookups            []Lookup     `json:"lookups" jsonschema_description:"One LookupEvents sequence per resource name, paced at 2 calls/s."`
	Events             []TrailEvent `json:"events" jsonschema_description:"Newest first."`
	ByEventName        []NameCount  `json:"by_event_name"`
	TotalEvents        int          `json:"total_events" jsonschema_description:"Matching events found (before the max_events cap)."`
	ReadOnlySkipped    int          `json:"read_only_skipped" jsonschema_description:"Read-only calls left out (include_read_only=false)."`
	Truncated          bool         `json:"truncated" jsonschema_description:"More events exist than returned (cap or page limit)."`
	MissingPermissions []string     `json:"missing_permissions,omitempty"`
	Hints              []string     `json:"hints,omitempty"`
}

// Lookup is the LookupEvents sequence for one resource name.
type Lookup struct {
	Resource  string `json:"resource"`
	Kind      string `json:"kind" jsonschema:"enum=cluster,enum=instance,enum=cluster_parameter_group,enum=parameter_group"`
	Calls     int    `json:"calls"`
	Events    int    `json:"events" jsonschema_description:"RDS events returned for this name (before filtering and de-duplication)."`
	Truncated bool   `json:"truncated,omitempty" jsonschema_description:"The page limit stopped this lookup."`
}

// TrailEvent is one CloudTrail record, reduced to who did what from where.
type TrailEvent struct {
	Time          string   `json:"time" jsonschema_description:"RFC 3339 UTC."`
	TimeLocal     string   `json:"time_local"`
	EventName     string   `json:"event_name"`
	Resources     []string `json:"resources"`
	ReadOnly      bool     `json:"read_only"`
	PrincipalType string   `json:"principal_type" jsonschema_description:"IAMUser, AssumedRole, Root, AWSService, FederatedUser…"`
	Principal     string   `json:"principal" jsonschema_description:"ARN of the caller (for a role: the role session)."`
	Actor         string   `json:"actor" jsonschema_description:"Short name: user name, role/session, or service."`
	SourceIP      string   `json:"source_ip,omitempty"`
	UserAgent     string   `json:"user_agent,omitempty"`
	ErrorCode     string   `json:"error_code,omitempty" jsonschema_description:"Set when the call failed."`
	ErrorMessage  string   `json:"error_message,omitempty"`
	Request       string   `json:"request,omitempty" jsonschema_description:"Request parameters, summarised, secrets removed. Untrusted text."`
	EventID       string   `json:"event_id"`
}

// NameCount counts events by name.
type NameCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Trail looks up the RDS API calls on topo — the cluster, each member, and the custom cluster and instance
// parameter groups (parameter changes are recorded on the group) — with one LookupEvents sequence per
// resource name (LookupEvents takes a single lookup attribute), each page paced by opt.Pacer. Events are
// merged, de-duplicated by event id, kept when their source is rds.amazonaws.com and, unless
// opt.IncludeReadOnly, when they are write calls.
//
// Why per resource name rather than EventSource=rds.amazonaws.com filtered here: the event-source lookup
// returns every RDS call in the account and region — mostly Describe* polling by monitoring tools, kida
// included — so covering a day can take hundreds of paced pages; per-name lookups return only this
// cluster's events, in a number of calls bounded by the member count.
//
// An AccessDenied is a hint (missing_permissions), not an error; other failures are returned.
func Trail(ctx context.Context, api TrailAPI, topo cluster.Topology, w timewin.Window, opt TrailOptions) (TrailResult, error) {
	if opt.Pacer == nil {
		opt.Pacer = NewPacer(TrailTPS, nil, nil)
	}
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = defaultMaxEvents
	}
	if opt.PagesPerName <= 0 {
		opt.PagesPerName = defaultPagesPerName
	}
	if opt.Now.IsZero() {
		opt.Now = w.End
	}
	res := TrailResult{Region: topo.Region, ClusterID: topo.ID, IncludeReadOnly: opt.IncludeReadOnly,
		Lookups: []Lookup{}, Events: []TrailEvent{}, ByEventName: []NameCount{}}
	w, note, err := clampWindow(w, opt.Now, TrailRetention, "CloudTrail event history")
	if err != nil {
		return TrailResult{}, err
	}
	if note != "" {
		res.Hints = append(res.Hints, note)
	}
	res.Window = w.Echo()

	seen := map[string]bool{}
	var all []TrailEvent
	for _, lk := range lookupNames(topo) {
		lk, events, err := lookup(ctx, api, opt, w, lk)
		res.Lookups = append(res.Lookups, lk)
		if err != nil {
			if a, ok := deniedAction(err, "cloudtrail:LookupEvents"); ok {
				res.MissingPermissions = addOnce(res.MissingPermissions, a)
				res.Hints = append(res.Hints, fmt.Sprintf("AccessDenied on %s: grant it to the role kida-mcp runs as to see who changed %s", a, topo.ID))
				break
			}
			return TrailResult{}, awsclient.In(topo.Region, lk.Resource, err)
		}
		res.Truncated = res.Truncated || lk.Truncated
		for _, e := range events {
			if seen[aws.ToString(e.EventId)] {
				continue
			}
			seen[aws.ToString(e.EventId)] = true
			te := toTrailEvent(e, w.Loc)
			if te.ReadOnly && !opt.IncludeReadOnly {
				res.ReadOnlySkipped++
				continue
			}
			all = append(all, te)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Time != all[j].Time {
			return all[i].Time > all[j].Time
		}
		return all[i].EventID < all[j].EventID
	})
	res.TotalEvents = len(all)
	counts := map[string]int{}
	for _, e := range all {
		counts[e.EventName]++
	}
	for n, c := range counts {
		res.ByEventName = append(res.ByEventName, NameCount{Name: n, Count: c})
	}
	sort.Slice(res.ByEventName, func(i, j int) bool {
		a, b := res.ByEventName[i], res.ByEventName[j]
		return a.Count > b.Count || (a.Count == b.Count && a.Name < b.Name)
	})
	if len(all) > opt.MaxEvents {
		all = all[:opt.MaxEvents]
		res.Truncated = true
	}
	res.Events = append(res.Events, all...)
	if res.Truncated {
		res.Hints = append(res.Hints, "more events exist than shown: narrow the window (start/end around the change you are after)")
	}
	if len(res.Events) == 0 && len(res.MissingPermissions) == 0 {
		what := "write calls"
		if opt.IncludeReadOnly {
			what = "calls"
		}
		res.Hints = append(res.Hints, fmt.Sprintf("no RDS %s on %s in the window; CloudTrail keeps 90 days (widen with since like \"30d\"), and events take up to ~5 minutes to appear", what, topo.ID))
	}
	return res, nil
}

// lookupNames lists the resource names to look up: the cluster, the members, the custom parameter groups.
func lookupNames(topo cluster.Topology) []Lookup {
	var out []Lookup
	seen := map[string]bool{}
	add := func(name, kind string) {
		if name == "" || seen[name] || strings.HasPrefix(name, "default.") { // default groups cannot change
			return
		}
		seen[name] = true
		out = append(out, Lookup{Resource: name, Kind: kind})
	}
	if topo.Kind != "instance" {
		add(topo.ID, "cluster")
	}
	for _, m := range topo.Members {
		add(m.ID, "instance")
	}
	add(topo.ParameterGroup, "cluster_parameter_group")
	var pgs []string
	for _, m := range topo.Members {
		pgs = append(pgs, m.ParameterGroup)
	}
	sort.Strings(pgs)
	for _, pg := range pgs {
		add(pg, "parameter_group")
	}
	return out
}

func lookup(ctx context.Context, api TrailAPI, opt TrailOptions, w timewin.Window, lk Lookup) (Lookup, []cttypes.Event, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String(lk.Resource)}},
		StartTime:        aws.Time(w.Start), EndTime: aws.Time(w.End), MaxResults: aws.Int32(lookupPageSize),
	}
	var events []cttypes.Event
	for {
		if lk.Calls == opt.PagesPerName {
			lk.Truncated = true
			break
		}
		if err := opt.Pacer.Wait(ctx); err != nil {
			return lk, events, err
		}
		lk.Calls++
		out, err := api.LookupEvents(ctx, in)
		if err != nil {
			return lk, events, err
		}
		for _, e := range out.Events {
			if aws.ToString(e.EventSource) == rdsEventSource {
				events = append(events, e)
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		next := *in
		next.NextToken = out.NextToken
		in = &next
	}
	lk.Events = len(events)
	return lk, events, nil
}

// ctRecord is the part of a CloudTrail record (Event.CloudTrailEvent) we read.
type ctRecord struct {
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	SourceIPAddress   string          `json:"sourceIPAddress"`
	UserAgent         string          `json:"userAgent"`
	ErrorCode         string          `json:"errorCode"`
	ErrorMessage      string          `json:"errorMessage"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ReadOnly          *bool           `json:"readOnly"`
}

func toTrailEvent(e cttypes.Event, loc *time.Location) TrailEvent {
	te := TrailEvent{EventName: aws.ToString(e.EventName), EventID: aws.ToString(e.EventId), Resources: []string{}, Actor: aws.ToString(e.Username)}
	if e.EventTime != nil {
		te.Time = e.EventTime.UTC().Format(time.RFC3339)
		if loc == nil {
			loc = time.UTC
		}
		te.TimeLocal = e.EventTime.In(loc).Format(time.RFC3339)
	}
	for _, r := range e.Resources {
		if n := aws.ToString(r.ResourceName); n != "" {
			te.Resources = append(te.Resources, n)
		}
	}
	te.ReadOnly = strings.EqualFold(aws.ToString(e.ReadOnly), "true")
	var rec ctRecord
	if e.CloudTrailEvent != nil && json.Unmarshal([]byte(*e.CloudTrailEvent), &rec) == nil {
		if e.ReadOnly == nil && rec.ReadOnly != nil {
			te.ReadOnly = *rec.ReadOnly
		}
		id := rec.UserIdentity
		te.PrincipalType, te.Principal = id.Type, id.ARN
		switch id.Type {
		case "IAMUser":
			te.Actor = id.UserName
		case "AssumedRole":
			role := id.SessionContext.SessionIssuer.UserName
			session := id.ARN[strings.LastIndex(id.ARN, "/")+1:]
			if role != "" {
				te.Actor = role + "/" + session
			}
		case "Root":
			te.Actor = "root"
		case "AWSService":
			te.Actor = id.InvokedBy
		}
		if te.Actor == "" {
			te.Actor = id.ARN
		}
		te.SourceIP = tools.Truncate(rec.SourceIPAddress, 100)
		te.UserAgent = tools.Truncate(rec.UserAgent, 160)
		te.ErrorCode = tools.Truncate(rec.ErrorCode, 100)
		te.ErrorMessage = tools.Truncate(rec.ErrorMessage, 300)
		te.Request = summarizeRequest(rec.RequestParameters)
	}
	return te
}

var secretKey = regexp.MustCompile(`(?i)password|secret|token|credential|private_?key|passphrase|auth_?key|sessionkey`)

// summarizeRequest renders request parameters as "key=value" pairs (sorted), secrets replaced by
// [redacted], parameter lists as name=value, nested values as compact JSON; at most ~300 characters.
func summarizeRequest(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return tools.Truncate(string(raw), requestSummaryLength)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+summaryValue(k, m[k]))
	}
	return tools.Truncate(strings.Join(parts, ", "), requestSummaryLength)
}

func summaryValue(key string, v any) string {
	if secretKey.MatchString(key) {
		return "[redacted]"
	}
	switch x := v.(type) {
	case string:
		return tools.Truncate(x, 120)
	case nil:
		return "null"
	case []any:
		var items []string
		for _, it := range x {
			if obj, ok := it.(map[string]any); ok {
				if name, ok := obj["parameterName"].(string); ok {
					s := name + "=" + summaryValue(name, obj["parameterValue"])
					if am, ok := obj["applyMethod"].(string); ok {
						s += " (" + am + ")"
					}
					items = append(items, s)
					continue
				}
			}
			items = append(items, summaryValue("", it))
		}
		return "[" + strings.Join(items, "; ") + "]"
	case map[string]any:
		red := map[string]any{}
		for k, vv := range x {
			if secretKey.MatchString(k) {
				red[k] = "[redacted]"
			} else {
				red[k] = vv
			}
		}
		b, _ := json.Marshal(red)
		return tools.Truncate(string(b), 120)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// clampWindow keeps w within retention of now: a window entirely older is a caller error, a partly older one
// starts at the oldest point with a note.
func clampWindow(w timewin.Window, now time.Time, retention time.Duration, what string) (timewin.Window, string, error) {
	oldest := now.Add(-retention)
	days := int(retention / (24 * time.Hour))
	switch {
	case !w.End.After(oldest):
		return w, "", tools.Errorf("the window ends %s, before the %d days %s keeps (oldest %s); send a window within the last %d days, e.g. since \"7d\"",
			w.End.UTC().Format(time.RFC3339), days, what, oldest.UTC().Format(time.RFC3339), days)
	case w.Start.Before(oldest):
		w.Start, w.Clamped = oldest, true
		note := fmt.Sprintf("start moved to %s: %s keeps %d days", oldest.UTC().Format(time.RFC3339), what, days)
		if w.Note != "" {
			note = w.Note + "; " + note
		}
		w.Note = note
		return w, note, nil
	}
	return w, "", nil
}
