// Package audit holds the audit toolset — get_cloudtrail_events (who changed the cluster), get_health_events
// (AWS Health for RDS) and get_recommendations (RDS recommendations) — and their engine functions, which the
// health check and the report call:
//
//	Trail(ctx, api TrailAPI, topo cluster.Topology, w timewin.Window, opt TrailOptions) (TrailResult, error)
//	Health(ctx, api HealthAPI, region string, topo *cluster.Topology, w timewin.Window, opt HealthOptions) (HealthResult, error)
//	Recommendations(ctx, api RecommendationsAPI, topo cluster.Topology) (RecommendationsResult, error)
//	NewPacer(perSecond float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *Pacer
//
// CloudTrail: LookupEvents takes one lookup attribute per call, allows 2 calls per second per account and
// region and reaches back 90 days. Trail looks up ResourceName for the cluster, each member and each custom
// parameter group (parameter changes are recorded on the group, not the cluster): one paginated sequence
// per name, every page paced by a shared Pacer, results merged, de-duplicated by event id, restricted to
// rds.amazonaws.com and, by default, to write calls. A cluster with three members and two custom groups
// costs six to seven calls (~3 s). Looking up EventSource=rds.amazonaws.com instead would page through every
// RDS call of the account, monitoring's Describe* polling included, so it is not used.
//
// AWS Health: the API is global, served from us-east-1 (awsclient.Clients.Health), and needs a Business,
// Enterprise On-Ramp or Enterprise Support plan. Health filters on service RDS and the region: open and
// upcoming events, plus events updated in the window; then descriptions and affected entities for the first
// 20. SubscriptionRequiredException becomes Available=false with a hint.
//
// Recommendations: DescribeDBRecommendations filtered on the cluster resource id and on the members'
// DbiResourceIds (two sequences, since RDS ANDs different filters), status active or pending.
//
// All three degrade to a hint naming the IAM action on AccessDenied (MissingPermissions); other AWS failures
// are returned for the caller to record as a gap. Event text, request parameters and recommendation text are
// untrusted: secrets are removed from request parameters, and text output escapes everything.
package audit
