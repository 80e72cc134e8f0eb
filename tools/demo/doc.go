// Package demo is the built-in simulated AWS account behind --demo: a deterministic fleet (fixed seed, time
// anchored to the moment it is created) that implements awsclient.Clients with SDK-shaped inputs and outputs,
// so every tool, the check, the report and delivery run through their real code paths without an account.
//
// The fleet (region ap-northeast-2):
//   - orders-prod: Aurora MySQL 3 (writer orders-prod-1, readers orders-prod-2 and orders-prod-3) carrying an
//     incident: a slow-query storm that drives writer CPU to ~95% for 40 minutes, replica lag on orders-prod-3,
//     a failover event, a forced OS upgrade due in 5 days, slow_query_log exported to CloudWatch Logs.
//   - billing-pg: a healthy Aurora PostgreSQL 16 cluster whose storage grows steadily.
//   - legacy-mysql: a standalone RDS for MySQL instance.
//   - graph-neptune: a Neptune cluster, which kida must filter out.
//
// One file per service: fleet.go holds the model every service reads; rds.go, cloudwatch.go, logs.go, pi.go,
// cloudtrail.go, health.go and delivery.go implement the service interfaces.
package demo
