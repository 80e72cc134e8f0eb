package maintenance

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// Urgency thresholds on the forced apply date.
const (
	CriticalWithin = 7 * 24 * time.Hour
	WarningWithin  = 30 * 24 * time.Hour
)

// Action is one pending maintenance action of the cluster or a member.
type Action struct {
	Resource            string   `json:"resource" jsonschema_description:"Cluster or instance id."`
	ResourceType        string   `json:"resource_type" jsonschema:"enum=cluster,enum=instance"`
	Role                string   `json:"role,omitempty" jsonschema_description:"writer or reader, for members."`
	ARN                 string   `json:"arn"`
	Action              string   `json:"action" jsonschema_description:"e.g. os-upgrade, system-update, db-upgrade, hardware-maintenance, ca-certificate-rotation."`
	Description         string   `json:"description"`
	AutoAppliedAfterUTC string   `json:"auto_applied_after_utc,omitempty" jsonschema_description:"Applied in the first maintenance window after this date."`
	ForcedApplyUTC      string   `json:"forced_apply_utc,omitempty" jsonschema_description:"Applied on this date regardless of the maintenance window."`
	ForcedApplyLocal    string   `json:"forced_apply_local,omitempty"`
	CurrentApplyUTC     string   `json:"current_apply_utc,omitempty" jsonschema_description:"When it will actually be applied, given opt-in and the dates."`
	CurrentApplyLocal   string   `json:"current_apply_local,omitempty"`
	OptInStatus         string   `json:"opt_in_status,omitempty" jsonschema_description:"Raw opt-in status: immediate, next-maintenance, undo-opt-in, or empty."`
	OptIn               string   `json:"opt_in" jsonschema_description:"The opt-in status explained."`
	Urgency             string   `json:"urgency" jsonschema:"enum=critical,enum=warning,enum=info" jsonschema_description:"critical: forced within 7 days; warning: within 30 days; info otherwise."`
	DaysUntilForced     *float64 `json:"days_until_forced,omitempty"`

	Forced, AutoApplied, Current time.Time `json:"-"` // zero when absent
}

// Result is what List returns.
type Result struct {
	Actions []Action // sorted by urgency, then by the date they apply
	Hints   []string
	Calls   int
}

// List reads the pending maintenance of t at now; local times are in loc (nil: UTC). See the package
// documentation.
func List(ctx context.Context, api API, t cluster.Topology, now time.Time, loc *time.Location) (Result, error) {
	if loc == nil {
		loc = time.UTC
	}
	var res Result
	var filters [][]rdstypes.Filter
	if t.Kind != "instance" {
		filters = append(filters, []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{t.ID}}})
	}
	if len(t.Members) > 0 {
		ids := make([]string, len(t.Members))
		for i, m := range t.Members {
			ids[i] = m.ID
		}
		filters = append(filters, []rdstypes.Filter{{Name: aws.String("db-instance-id"), Values: ids}})
	}
	seen := map[string]bool{}
	for _, f := range filters {
		in := &rds.DescribePendingMaintenanceActionsInput{Filters: f, MaxRecords: aws.Int32(100)}
		for page := 1; ; page++ {
			out, err := api.DescribePendingMaintenanceActions(ctx, in)
			res.Calls++
			if err != nil {
				return Result{}, awsclient.In(t.Region, t.ID, err)
			}
			for _, rp := range out.PendingMaintenanceActions {
				arn := aws.ToString(rp.ResourceIdentifier)
				id, typ, role, ok := resolve(t, arn)
				if !ok {
					continue
				}
				for _, p := range rp.PendingMaintenanceActionDetails {
					a := convert(p, now, loc)
					a.Resource, a.ResourceType, a.Role, a.ARN = id, typ, role, arn
					key := arn + "\x00" + a.Action + "\x00" + a.Description
					if seen[key] {
						continue
					}
					seen[key] = true
					res.Actions = append(res.Actions, a)
				}
			}
			if aws.ToString(out.Marker) == "" {
				break
			}
			if page >= maxPages {
				res.Hints = append(res.Hints, "more pending actions exist than were read; the list is partial")
				break
			}
			in.Marker = out.Marker
		}
	}
	sortActions(res.Actions)
	return res, nil
}

// resolve maps an ARN to the cluster or one of its members.
func resolve(t cluster.Topology, arn string) (id, typ, role string, ok bool) {
	if t.Kind != "instance" && (arn == t.ARN || strings.HasSuffix(arn, ":cluster:"+t.ID)) {
		return t.ID, "cluster", "", true
	}
	for _, m := range t.Members {
		if (m.ARN != "" && arn == m.ARN) || strings.HasSuffix(arn, ":db:"+m.ID) {
			r := m.Role
			if r == cluster.RoleStandalone {
				r = ""
			}
			return m.ID, "instance", r, true
		}
	}
	return "", "", "", false
}

func convert(p rdstypes.PendingMaintenanceAction, now time.Time, loc *time.Location) Action {
	a := Action{
		Action: aws.ToString(p.Action), Description: aws.ToString(p.Description), OptInStatus: aws.ToString(p.OptInStatus),
	}
	if p.ForcedApplyDate != nil {
		a.Forced = p.ForcedApplyDate.UTC()
		a.ForcedApplyUTC = a.Forced.Format(time.RFC3339)
		a.ForcedApplyLocal = a.Forced.In(loc).Format(time.RFC3339)
		d := math.Round(a.Forced.Sub(now).Hours()/24*10) / 10
		a.DaysUntilForced = &d
	}
	if p.AutoAppliedAfterDate != nil {
		a.AutoApplied = p.AutoAppliedAfterDate.UTC()
		a.AutoAppliedAfterUTC = a.AutoApplied.Format(time.RFC3339)
	}
	if p.CurrentApplyDate != nil {
		a.Current = p.CurrentApplyDate.UTC()
		a.CurrentApplyUTC = a.Current.Format(time.RFC3339)
		a.CurrentApplyLocal = a.Current.In(loc).Format(time.RFC3339)
	}
	a.Urgency = Urgency(p.ForcedApplyDate, now)
	a.OptIn = ExplainOptIn(a.OptInStatus, p.ForcedApplyDate != nil, p.AutoAppliedAfterDate != nil)
	return a
}

// Urgency rates an action by its forced apply date: critical within 7 days (or already past), warning
// within 30 days, info beyond or without a forced date.
func Urgency(forced *time.Time, now time.Time) string {
	if forced == nil {
		return tools.SeverityInfo
	}
	switch d := forced.Sub(now); {
	case d <= CriticalWithin:
		return tools.SeverityCritical
	case d <= WarningWithin:
		return tools.SeverityWarning
	}
	return tools.SeverityInfo
}

// ExplainOptIn says in words what an opt-in status means for when the action is applied.
func ExplainOptIn(status string, forced, auto bool) string {
	switch status {
	case "immediate":
		return "opted in to apply immediately: it is being applied or will start shortly"
	case "next-maintenance":
		return "opted in to apply in the next maintenance window"
	case "undo-opt-in":
		return "an earlier opt-in was cancelled; it follows the auto-applied and forced dates"
	case "":
		switch {
		case auto && forced:
			return "no opt-in: applied in the first maintenance window after the auto-applied date, and on the forced date at the latest"
		case forced:
			return "no opt-in: applied on the forced date regardless of the maintenance window"
		case auto:
			return "no opt-in: applied in the first maintenance window after the auto-applied date"
		}
		return "no opt-in: not applied until you opt in (apply-pending-maintenance-action)"
	}
	return "opt-in status " + status
}

// applyAt is when the action will (at the latest) be applied, for sorting.
func (a Action) applyAt() time.Time {
	for _, t := range []time.Time{a.Current, a.Forced, a.AutoApplied} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func sortActions(as []Action) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if ra, rb := tools.SeverityRank(a.Urgency), tools.SeverityRank(b.Urgency); ra != rb {
			return ra < rb
		}
		ta, tb := a.applyAt(), b.applyAt()
		if !ta.Equal(tb) {
			if ta.IsZero() || tb.IsZero() {
				return tb.IsZero()
			}
			return ta.Before(tb)
		}
		return a.Resource < b.Resource
	})
}

// Findings turns the critical and warning actions into health-check findings.
func Findings(r Result) []tools.Finding {
	var out []tools.Finding
	for _, a := range r.Actions {
		if a.Urgency == tools.SeverityInfo || a.DaysUntilForced == nil {
			continue
		}
		when := fmt.Sprintf("in %s days", tools.Num(*a.DaysUntilForced, 1))
		if *a.DaysUntilForced < 0 {
			when = "already past its forced date"
		}
		out = append(out, tools.Finding{
			Severity: a.Urgency, Code: "maintenance_forced_soon", Resource: a.Resource,
			Title:    fmt.Sprintf("Forced %s on %s %s", a.Action, a.Resource, when),
			Evidence: fmt.Sprintf("%s; forced apply date %s; %s", a.Description, a.ForcedApplyUTC, a.OptIn),
			Action: fmt.Sprintf("Apply it in a maintenance window you choose before %s (aws rds apply-pending-maintenance-action --resource-identifier %s --apply-action %s --opt-in-type next-maintenance) and expect a restart; for the writer, plan the failover.",
				a.ForcedApplyUTC, a.ARN, a.Action),
			DocURL: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html",
		})
	}
	tools.SortFindings(out)
	return out
}
