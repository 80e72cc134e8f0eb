package awstest

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// ClusterSpec describes an Aurora cluster for SeedAuroraCluster.
type ClusterSpec struct {
	ID            string            // DBClusterIdentifier (required)
	Engine        string            // "aurora-mysql" (default) or "aurora-postgresql"
	Instances     int               // number of DB instances; instance i (1-based) is "<ID>-instance-<i>"
	InstanceClass string            // default "db.r6g.large"
	ClusterParams map[string]string // if non-empty: cluster parameter group "<ID>-cluster-params" is created, modified with these, and attached
	LogExports    []string          // EnableCloudwatchLogsExports, e.g. {"slowquery", "error"}
}

// ClusterParamGroupName is the name SeedAuroraCluster gives the custom cluster parameter group of a cluster.
func ClusterParamGroupName(clusterID string) string { return clusterID + "-cluster-params" }

// SeedAuroraCluster creates an Aurora cluster through the real RDS client (against moto) and returns the
// DB instance identifiers in creation order. The first one is the writer (moto quirk: IsClusterWriter is
// true for the first instance created in the cluster, and nothing else decides it).
//
// moto quirks (5.2.x) to keep in mind when asserting on what you seeded:
//   - DbiResourceId is the same constant ("db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U") for every instance, so it cannot
//     key Performance Insights data; use Replay for PI.
//   - Without ClusterParams the cluster gets "default.aurora8.0" whatever the engine, and
//     DescribeDBClusterParameters on that default group fails with DBParameterGroupNotFound.
//   - DescribeDBClusterParameters on the custom group returns only the parameters set here (no engine
//     defaults; the Source filter is ignored).
//   - PerformanceInsightsEnabled / DatabaseInsightsMode are never returned.
//   - DescribeEvents has no db-cluster events (no failover history); dates are "now".
func SeedAuroraCluster(t testing.TB, cfg aws.Config, spec ClusterSpec) []string {
	t.Helper()
	if spec.ID == "" {
		t.Fatalf("awstest.SeedAuroraCluster: ClusterSpec.ID is required")
	}
	engine := spec.Engine
	if engine == "" {
		engine = "aurora-mysql"
	}
	class := spec.InstanceClass
	if class == "" {
		class = "db.r6g.large"
	}
	ctx := t.Context()
	client := rds.NewFromConfig(cfg)

	in := &rds.CreateDBClusterInput{
		DBClusterIdentifier:         aws.String(spec.ID),
		Engine:                      aws.String(engine),
		MasterUsername:              aws.String("admin"),
		MasterUserPassword:          aws.String("test-password-1"),
		EnableCloudwatchLogsExports: spec.LogExports,
	}
	if len(spec.ClusterParams) > 0 {
		pg := ClusterParamGroupName(spec.ID)
		family, ok := paramGroupFamily[engine]
		if !ok {
			t.Fatalf("awstest.SeedAuroraCluster: no parameter group family known for engine %q", engine)
		}
		if _, err := client.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
			DBClusterParameterGroupName: aws.String(pg),
			DBParameterGroupFamily:      aws.String(family),
			Description:                 aws.String("awstest cluster parameter group for " + spec.ID),
		}); err != nil {
			t.Fatalf("awstest.SeedAuroraCluster: CreateDBClusterParameterGroup %s: %v", pg, err)
		}
		names := make([]string, 0, len(spec.ClusterParams))
		for k := range spec.ClusterParams {
			names = append(names, k)
		}
		sort.Strings(names)
		for len(names) > 0 { // AWS accepts at most 20 parameters per call
			n := min(20, len(names))
			params := make([]rdstypes.Parameter, 0, n)
			for _, k := range names[:n] {
				params = append(params, rdstypes.Parameter{
					ParameterName:  aws.String(k),
					ParameterValue: aws.String(spec.ClusterParams[k]),
					ApplyMethod:    rdstypes.ApplyMethodImmediate,
				})
			}
			names = names[n:]
			if _, err := client.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{
				DBClusterParameterGroupName: aws.String(pg),
				Parameters:                  params,
			}); err != nil {
				t.Fatalf("awstest.SeedAuroraCluster: ModifyDBClusterParameterGroup %s: %v", pg, err)
			}
		}
		in.DBClusterParameterGroupName = aws.String(pg)
	}
	if _, err := client.CreateDBCluster(ctx, in); err != nil {
		t.Fatalf("awstest.SeedAuroraCluster: CreateDBCluster %s: %v", spec.ID, err)
	}

	ids := make([]string, 0, spec.Instances)
	for i := 1; i <= spec.Instances; i++ {
		id := fmt.Sprintf("%s-instance-%d", spec.ID, i)
		if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(id),
			DBClusterIdentifier:  aws.String(spec.ID),
			DBInstanceClass:      aws.String(class),
			Engine:               aws.String(engine),
		}); err != nil {
			t.Fatalf("awstest.SeedAuroraCluster: CreateDBInstance %s: %v", id, err)
		}
		ids = append(ids, id)
	}
	return ids
}

var paramGroupFamily = map[string]string{
	"aurora-mysql":      "aurora-mysql8.0",
	"aurora-postgresql": "aurora-postgresql16",
}

// SeedMetricData writes datums with PutMetricData (in batches of 1,000), e.g. fake "AWS/RDS" metrics —
// moto accepts the AWS/ namespaces. Give every datum an explicit Timestamp inside the window you will
// query and the exact dimension set you will query (moto, like AWS, matches dimension sets exactly).
// The CloudWatch client is built with CloudWatchJSON().
func SeedMetricData(t testing.TB, cfg aws.Config, namespace string, data ...cwtypes.MetricDatum) {
	t.Helper()
	cw := cloudwatch.NewFromConfig(cfg, CloudWatchJSON())
	for len(data) > 0 {
		n := min(1000, len(data))
		if _, err := cw.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{
			Namespace:  aws.String(namespace),
			MetricData: data[:n],
		}); err != nil {
			t.Fatalf("awstest.SeedMetricData: PutMetricData %s: %v", namespace, err)
		}
		data = data[n:]
	}
}

// SeedLogEvents creates the log group and stream if they do not exist yet and writes events with
// PutLogEvents (sorted by timestamp, batches of 10,000). Timestamps are epoch milliseconds. For Aurora
// exports use group "/aws/rds/cluster/<cluster-id>/<type>" and the DB instance id as stream.
func SeedLogEvents(t testing.TB, cfg aws.Config, group, stream string, events ...logtypes.InputLogEvent) {
	t.Helper()
	ctx := t.Context()
	logs := cloudwatchlogs.NewFromConfig(cfg)
	var exists *logtypes.ResourceAlreadyExistsException
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil && !errors.As(err, &exists) {
		t.Fatalf("awstest.SeedLogEvents: CreateLogGroup %s: %v", group, err)
	}
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
	}); err != nil && !errors.As(err, &exists) {
		t.Fatalf("awstest.SeedLogEvents: CreateLogStream %s/%s: %v", group, stream, err)
	}
	events = append([]logtypes.InputLogEvent(nil), events...)
	sort.SliceStable(events, func(i, j int) bool { return aws.ToInt64(events[i].Timestamp) < aws.ToInt64(events[j].Timestamp) })
	for len(events) > 0 {
		n := min(10000, len(events))
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events[:n],
		}); err != nil {
			t.Fatalf("awstest.SeedLogEvents: PutLogEvents %s/%s: %v", group, stream, err)
		}
		events = events[n:]
	}
}
