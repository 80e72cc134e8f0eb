package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// Events and pending maintenance (issue: events/maintenance/alarms).
//
// The event history follows the Incident: the failover of orders-prod at FailoverAt (db-cluster events, as
// AWS emits them), the old writer restarting as a reader, the reboot of LaggingReader at RebootAt, an old
// restart 15 days ago (beyond the 14-day retention, so never returned), daily automated snapshots of both
// clusters and backups of the standalone instance, and a parameter group change on billing-pg. Pending
// maintenance: the forced os-upgrade of OSUpgradeOn due OSUpgradeDue (critical), a minor version upgrade of
// billing-pg forced in 60 days (info), an engine update of orders-prod forced in 45 days and a CA
// certificate rotation of billing-pg-1 without a forced date (info).

// eventRetention is how long RDS keeps events.
const eventRetention = 14 * 24 * time.Hour

func rdsBadParam(op, msg string) error {
	return opErr("RDS", op, &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: msg, Fault: smithy.FaultClient})
}

func rdsCheckMaxRecords(op string, max *int32) error {
	if max != nil && (*max < 20 || *max > 100) {
		return rdsBadParam(op, fmt.Sprintf("Invalid value %d for MaxRecords. Must be between 20 and 100", *max))
	}
	return nil
}

// events returns the fleet's whole event history, oldest first (DescribeEvents filters it).
func (f *Fleet) events() []rdstypes.Event {
	inc := f.Incident
	var out []rdstypes.Event
	add := func(at time.Time, typ rdstypes.SourceType, id, arn, msg string, cats ...string) {
		out = append(out, rdstypes.Event{
			Date: aws.Time(at.UTC()), SourceType: typ, SourceIdentifier: aws.String(id), SourceArn: aws.String(arn),
			Message: aws.String(msg), EventCategories: cats,
		})
	}
	inst := func(id string) string { return f.Instance(id).ARN() }
	if c := f.Cluster("orders-prod"); c != nil {
		// RDS-EVENT-0073 / RDS-EVENT-0071: failover events come from the db-cluster source only.
		add(inc.FailoverAt, rdstypes.SourceTypeDbCluster, c.ID, c.ARN(), "Started cross AZ failover to DB instance: "+inc.Writer, "failover")
		add(inc.FailoverAt.Add(14*time.Second), rdstypes.SourceTypeDbInstance, inc.OldWriter, inst(inc.OldWriter), "DB instance restarted", "availability")
		add(inc.FailoverAt.Add(31*time.Second), rdstypes.SourceTypeDbCluster, c.ID, c.ARN(), "Completed failover to DB instance: "+inc.Writer, "failover")
		// The reboot of the lagging reader after the storm.
		add(inc.RebootAt, rdstypes.SourceTypeDbInstance, inc.LaggingReader, inst(inc.LaggingReader), "DB instance shutdown", "availability")
		add(inc.RebootAt.Add(47*time.Second), rdstypes.SourceTypeDbInstance, inc.LaggingReader, inst(inc.LaggingReader), "DB instance restarted", "availability")
		// Beyond the retention: must never be returned.
		add(f.Now.Add(-15*24*time.Hour), rdstypes.SourceTypeDbInstance, inc.Writer, inst(inc.Writer), "DB instance restarted", "availability")
	}
	if c := f.Cluster("billing-pg"); c != nil {
		at := f.Now.Add(-9 * 24 * time.Hour).Truncate(time.Hour).Add(22 * time.Minute)
		add(at, rdstypes.SourceTypeDbCluster, c.ID, c.ARN(), "Updated to use DBClusterParameterGroup "+c.ParamGroup, "configuration change")
	}
	// Daily automated backups for 16 days (the oldest two are beyond the retention).
	day := f.Now.Truncate(24 * time.Hour)
	for d := 16; d >= 0; d-- {
		base := day.AddDate(0, 0, -d)
		for _, c := range f.Clusters {
			if c.BackupRetention == 0 {
				continue
			}
			r := rng("backup/" + c.ID + base.Format("2006-01-02"))
			start := base.Add(18*time.Hour + time.Duration(r.IntN(10))*time.Minute) // 03:xx KST, the backup window
			if c.ID == "billing-pg" {
				start = start.Add(75 * time.Minute)
			}
			if !start.Before(f.Now) {
				continue
			}
			snap := "rds:" + c.ID + "-" + start.Format("2006-01-02-15-04")
			arn := fmt.Sprintf("arn:aws:rds:%s:%s:cluster-snapshot:%s", Region, Account, snap)
			add(start, rdstypes.SourceTypeDbClusterSnapshot, snap, arn, "Creating automated cluster snapshot", "backup")
			if end := start.Add(time.Duration(3+r.IntN(5)) * time.Minute); end.Before(f.Now) {
				add(end, rdstypes.SourceTypeDbClusterSnapshot, snap, arn, "Automated cluster snapshot created", "backup")
			}
		}
		for _, i := range f.Standalone {
			r := rng("backup/" + i.ID + base.Format("2006-01-02"))
			start := base.Add(17*time.Hour + time.Duration(30+r.IntN(10))*time.Minute)
			if !start.Before(f.Now) {
				continue
			}
			// RDS-EVENT-0001 / RDS-EVENT-0002.
			add(start, rdstypes.SourceTypeDbInstance, i.ID, i.ARN(), "Backing up DB instance", "backup")
			if end := start.Add(time.Duration(6+r.IntN(6)) * time.Minute); end.Before(f.Now) {
				add(end, rdstypes.SourceTypeDbInstance, i.ID, i.ARN(), "Finished DB Instance backup", "backup")
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(*out[j].Date) })
	return out
}

// DescribeEvents serves the event history like RDS: the last hour unless StartTime/EndTime/Duration say
// otherwise, never older than 14 days, filtered by source and categories, oldest first, Marker paging.
func (r *rdsAPI) DescribeEvents(_ context.Context, in *rds.DescribeEventsInput, _ ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	const op = "DescribeEvents"
	if in.SourceIdentifier != nil && in.SourceType == "" {
		return nil, opErr("RDS", op, &smithy.GenericAPIError{Code: "InvalidParameterCombination", Message: "Cannot specify source identifier without source type", Fault: smithy.FaultClient})
	}
	if err := rdsCheckMaxRecords(op, in.MaxRecords); err != nil {
		return nil, err
	}
	end := r.f.Now
	if in.EndTime != nil {
		end = *in.EndTime
	}
	start := end.Add(-60 * time.Minute) // the API's default: one hour
	if in.Duration != nil {
		start = end.Add(-time.Duration(*in.Duration) * time.Minute)
	}
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if oldest := r.f.Now.Add(-eventRetention); start.Before(oldest) {
		start = oldest
	}
	var out []rdstypes.Event
	if r.here() {
		for _, e := range r.f.events() {
			switch {
			case e.Date.Before(start) || e.Date.After(end):
			case in.SourceType != "" && e.SourceType != in.SourceType:
			case in.SourceIdentifier != nil && aws.ToString(e.SourceIdentifier) != *in.SourceIdentifier:
			case len(in.EventCategories) > 0 && !anyIn(in.EventCategories, e.EventCategories):
			default:
				out = append(out, e)
			}
		}
	}
	items, next := page(out, in.Marker, in.MaxRecords)
	return &rds.DescribeEventsOutput{Events: items, Marker: next}, nil
}

func anyIn(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

type pendingAction struct {
	arn string
	act rdstypes.PendingMaintenanceAction
}

// pending returns the fleet's pending maintenance actions.
func (f *Fleet) pending() []pendingAction {
	day := 24 * time.Hour
	today := f.Now.Truncate(day)
	window := func(t time.Time) *time.Time { return aws.Time(t.Truncate(day).Add(18 * time.Hour)) } // Sun 03:00 KST-ish window
	var out []pendingAction
	if i := f.Instance(f.Incident.OSUpgradeOn); i != nil {
		out = append(out, pendingAction{i.ARN(), rdstypes.PendingMaintenanceAction{
			Action: aws.String("os-upgrade"), Description: aws.String("New Operating System update is available"),
			ForcedApplyDate: aws.Time(f.Incident.OSUpgradeDue), CurrentApplyDate: aws.Time(f.Incident.OSUpgradeDue),
		}})
	}
	if c := f.Cluster("orders-prod"); c != nil {
		auto := today.Add(20 * day)
		out = append(out, pendingAction{c.ARN(), rdstypes.PendingMaintenanceAction{
			Action: aws.String("system-update"), Description: aws.String("Upgrade to Aurora MySQL 3.08.2"),
			AutoAppliedAfterDate: aws.Time(auto), ForcedApplyDate: aws.Time(today.Add(45 * day)), CurrentApplyDate: window(auto),
		}})
	}
	if c := f.Cluster("billing-pg"); c != nil {
		out = append(out, pendingAction{c.ARN(), rdstypes.PendingMaintenanceAction{
			Action: aws.String("db-upgrade"), Description: aws.String("Upgrade to Aurora PostgreSQL 16.6"),
			AutoAppliedAfterDate: aws.Time(today.Add(35 * day)), ForcedApplyDate: aws.Time(today.Add(60 * day)),
			CurrentApplyDate: window(today.Add(35 * day)),
		}})
		if i := f.Instance("billing-pg-1"); i != nil {
			out = append(out, pendingAction{i.ARN(), rdstypes.PendingMaintenanceAction{
				Action: aws.String("ca-certificate-rotation"), Description: aws.String("Certificate rotation to rds-ca-rsa2048-g1"),
				AutoAppliedAfterDate: aws.Time(today.Add(60 * day)), CurrentApplyDate: window(today.Add(60 * day)),
			}})
		}
	}
	return out
}

// DescribePendingMaintenanceActions serves pending actions by ResourceIdentifier (ARN) or by the
// db-cluster-id / db-instance-id filters (ids or ARNs), with Marker paging.
func (r *rdsAPI) DescribePendingMaintenanceActions(_ context.Context, in *rds.DescribePendingMaintenanceActionsInput, _ ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	const op = "DescribePendingMaintenanceActions"
	if err := rdsCheckMaxRecords(op, in.MaxRecords); err != nil {
		return nil, err
	}
	for _, fl := range in.Filters {
		if n := aws.ToString(fl.Name); n != "db-cluster-id" && n != "db-instance-id" {
			return nil, rdsBadParam(op, "Unrecognized filter name: "+n)
		}
	}
	byARN := map[string]*rdstypes.ResourcePendingMaintenanceActions{}
	var order []string
	if r.here() {
		for _, p := range r.f.pending() {
			if in.ResourceIdentifier != nil && *in.ResourceIdentifier != p.arn {
				continue
			}
			if !r.matchPending(in.Filters, p.arn) {
				continue
			}
			rp, ok := byARN[p.arn]
			if !ok {
				rp = &rdstypes.ResourcePendingMaintenanceActions{ResourceIdentifier: aws.String(p.arn)}
				byARN[p.arn] = rp
				order = append(order, p.arn)
			}
			rp.PendingMaintenanceActionDetails = append(rp.PendingMaintenanceActionDetails, p.act)
		}
	}
	list := make([]rdstypes.ResourcePendingMaintenanceActions, 0, len(order))
	for _, a := range order {
		list = append(list, *byARN[a])
	}
	items, next := page(list, in.Marker, in.MaxRecords)
	return &rds.DescribePendingMaintenanceActionsOutput{PendingMaintenanceActions: items, Marker: next}, nil
}

func (r *rdsAPI) matchPending(fs []rdstypes.Filter, arn string) bool {
	for _, fl := range fs {
		ok := false
		for _, v := range fl.Values {
			switch aws.ToString(fl.Name) {
			case "db-cluster-id":
				if c := r.f.Cluster(v); (c != nil && c.ARN() == arn) || v == arn && arnIsKind(arn, "cluster") {
					ok = true
				}
			case "db-instance-id":
				if i := r.f.Instance(v); (i != nil && i.ARN() == arn) || v == arn && arnIsKind(arn, "db") {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// arnIsKind reports whether an RDS ARN (arn:aws:rds:region:account:kind:name) names a resource of kind.
func arnIsKind(arn, kind string) bool {
	parts := strings.Split(arn, ":")
	return len(parts) >= 7 && parts[5] == kind
}
