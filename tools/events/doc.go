// Package events holds the events toolset: get_rds_events, and the engine function List that the health
// check and the report call.
//
//	func List(ctx context.Context, api API, t cluster.Topology, w timewin.Window, opt Options) (Result, error)
//
// List reads RDS events of the cluster (source type db-cluster — failovers are only emitted there), of every
// member (db-instance) and, when backups are of interest, of the cluster's snapshots (db-cluster-snapshot, or
// db-snapshot for a standalone instance, filtered to snapshot ids naming the cluster). Every request carries an
// explicit StartTime and EndTime: DescribeEvents would otherwise return only the last hour. RDS keeps events for
// 14 days (Retention); windows reaching further back are clamped by the caller (timewin with MaxAge Retention and
// Clamp) and List drops anything outside the window whatever the API returned. Events are de-duplicated, sorted
// newest first and put in one group each (Groups: failover, failure, reboot, maintenance, backup, …) with
// counts.
//
// AWS calls: DescribeEvents once per source (1 + members + 1 for snapshots), paginated with Marker. Any failed
// call fails List with an error wrapped by awsclient.In, which the health check turns into a gap.
package events
