// Package alarms holds the alarms toolset: get_alarms and recommend_alarms, and the engine functions the
// health check and the report call.
//
//	func Fetch(ctx context.Context, api API, region string) (Inventory, error)
//	func List(ctx context.Context, api API, t cluster.Topology, w timewin.Window) (ListResult, error)
//	func ListFrom(ctx context.Context, api API, t cluster.Topology, w timewin.Window, inv Inventory) (ListResult, error)
//	func Recommended(t cluster.Topology) ([]Rule, []string)
//	func Recommend(ctx context.Context, api API, t cluster.Topology) (Recommendation, error)
//	func RecommendFrom(t cluster.Topology, inv Inventory) Recommendation
//	func Match(t cluster.Topology, rules []Rule, inv Inventory) []Item
//	func Command(r Rule, region string) string
//	func CloudFormation(rules []Rule) string
//
// Fetch pages through DescribeAlarms with AlarmTypes MetricAlarm and CompositeAlarm (AWS hides composite
// alarms otherwise) and no server-side filter; relevance is decided here (Relevant): a metric alarm concerns
// the cluster when its dimensions (or those of its metric-math queries) name the cluster, one of its
// Role=WRITER|READER series or a member; a composite alarm when its rule names such an alarm or its name
// contains the cluster id. List adds the state changes in the window from one account-wide, paginated
// DescribeAlarmHistory (HistoryItemType StateUpdate, both alarm types, explicit StartDate/EndDate) filtered to
// those alarms; CloudWatch keeps alarm history for 14 days (HistoryRetention).
//
// Recommended is the AWS recommended alarm set for RDS (CloudWatch user guide, "Recommended alarms"), sized
// to the topology: for Aurora it alarms on the role series, which follow failovers (Aurora user guide,
// "Creating CloudWatch alarms"); thresholds that AWS leaves to the workload are derived from the instance
// classes and explained in Rule.Why. Match compares the set with existing metric alarms (metric, dimension
// set, comparison direction, threshold within Rule.Tolerance). Command and CloudFormation render the missing
// alarms as text; nothing here changes the account.
//
// AWS calls: DescribeAlarms (paginated; usually one call) and, for List, DescribeAlarmHistory (paginated).
// Failures are returned wrapped by awsclient.In (a gap for the health check).
package alarms
