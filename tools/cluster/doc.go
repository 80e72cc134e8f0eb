// Package cluster holds the cluster toolset: list_clusters and describe_cluster, and the engine function
// Describe that every other family and the health check build on. Describe returns a Topology: the writer and
// readers with class, AZ, vCPU and memory, engine and version, Serverless v2 range, exported log types and the
// missing ones, effective slow-log settings per instance (an instance parameter group overrides the cluster
// group), Performance Insights / Database Insights mode, and the configuration posture (backups, deletion
// protection, encryption, public access, IAM auth, TLS) with findings.
//
// AWS calls: DescribeDBClusters, DescribeDBInstances (filter db-cluster-id), DescribeDBClusterParameters and
// DescribeDBParameters (filter parameter-name) — four to five calls per cluster.
package cluster
