// Package maintenance holds the maintenance toolset: get_pending_maintenance, and the engine function List
// that the health check and the report call.
//
//	func List(ctx context.Context, api API, t cluster.Topology, now time.Time, loc *time.Location) (Result, error)
//	func Urgency(forced *time.Time, now time.Time) string
//	func Findings(r Result) []tools.Finding
//
// List reads the pending maintenance actions of the cluster (filter db-cluster-id) and of its members (filter
// db-instance-id with every member id, one call), keeps only the cluster ARN and the member ARNs, explains the
// opt-in status in words and rates each action: critical when the forced apply date is within 7 days (or
// past), warning within 30 days, info otherwise (no forced date: AWS applies it in a maintenance window after
// the auto-applied date, or never without an opt-in). Actions are sorted by urgency, then by the date they
// will be applied.
//
// AWS calls: DescribePendingMaintenanceActions, two per cluster (one for a standalone instance), paginated
// with Marker. A failed call fails List with an error wrapped by awsclient.In (a gap for the health check).
package maintenance
