package awsclient

import (
	"context"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/health"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/pi"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Clients hands out per-region service clients. The real implementation is *Provider; tools/demo has the
// simulated fleet. Region arguments are already validated (see Region).
type Clients interface {
	DefaultRegion() string
	RDS(region string) RDSAPI
	CloudWatch(region string) CloudWatchAPI
	Logs(region string) LogsAPI
	PI(region string) PIAPI
	CloudTrail(region string) CloudTrailAPI
	// Health is the AWS Health API; it is served from us-east-1 whatever the cluster's region.
	Health() HealthAPI
	S3(region string) S3API
	S3Presign(region string) S3PresignAPI
	SES(region string) SESAPI
	SNS(region string) SNSAPI
	// CredentialsExpiry reports when the signing credentials expire (ok=false when they do not), so presigned
	// URLs are never promised past it.
	CredentialsExpiry(ctx context.Context) (exp time.Time, ok bool, err error)
}

// RDSAPI is the union of the RDS operations kida calls.
type RDSAPI interface {
	DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusterParameters(context.Context, *rds.DescribeDBClusterParametersInput, ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error)
	DescribeDBParameters(context.Context, *rds.DescribeDBParametersInput, ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error)
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
	DescribePendingMaintenanceActions(context.Context, *rds.DescribePendingMaintenanceActionsInput, ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error)
	DescribeDBRecommendations(context.Context, *rds.DescribeDBRecommendationsInput, ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error)
	DescribeDBLogFiles(context.Context, *rds.DescribeDBLogFilesInput, ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error)
	DownloadDBLogFilePortion(context.Context, *rds.DownloadDBLogFilePortionInput, ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error)
}

// CloudWatchAPI is the union of the CloudWatch operations kida calls.
type CloudWatchAPI interface {
	GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DescribeAlarmHistory(context.Context, *cloudwatch.DescribeAlarmHistoryInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error)
}

// LogsAPI is the union of the CloudWatch Logs operations kida calls.
type LogsAPI interface {
	StartQuery(context.Context, *cloudwatchlogs.StartQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
	StopQuery(context.Context, *cloudwatchlogs.StopQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error)
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// PIAPI is the union of the Performance Insights operations kida calls.
type PIAPI interface {
	GetResourceMetrics(context.Context, *pi.GetResourceMetricsInput, ...func(*pi.Options)) (*pi.GetResourceMetricsOutput, error)
	DescribeDimensionKeys(context.Context, *pi.DescribeDimensionKeysInput, ...func(*pi.Options)) (*pi.DescribeDimensionKeysOutput, error)
	GetDimensionKeyDetails(context.Context, *pi.GetDimensionKeyDetailsInput, ...func(*pi.Options)) (*pi.GetDimensionKeyDetailsOutput, error)
}

// CloudTrailAPI is the CloudTrail operation kida calls.
type CloudTrailAPI interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// HealthAPI is the union of the AWS Health operations kida calls.
type HealthAPI interface {
	DescribeEvents(context.Context, *health.DescribeEventsInput, ...func(*health.Options)) (*health.DescribeEventsOutput, error)
	DescribeEventDetails(context.Context, *health.DescribeEventDetailsInput, ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error)
	DescribeAffectedEntities(context.Context, *health.DescribeAffectedEntitiesInput, ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error)
}

// S3API is the S3 operation kida calls.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3ObjectsAPI writes, reads and lists objects: the relay's event archive (tools/relay). It is not part of
// Clients; *Provider and the demo fleet have an S3Objects method.
type S3ObjectsAPI interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// KMSAPI decrypts secrets stored as KMS ciphertext (the relay's webhook URLs). It is not part of Clients;
// *Provider has a KMS method.
type KMSAPI interface {
	Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// S3PresignAPI presigns GETs of uploaded reports.
type S3PresignAPI interface {
	PresignGetObject(context.Context, *s3.GetObjectInput, ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// SESAPI is the SES v2 operation kida calls.
type SESAPI interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SNSAPI is the SNS operation kida calls.
type SNSAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Compile-time checks: the SDK clients satisfy the interfaces.
var (
	_ RDSAPI        = (*rds.Client)(nil)
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
	_ LogsAPI       = (*cloudwatchlogs.Client)(nil)
	_ PIAPI         = (*pi.Client)(nil)
	_ CloudTrailAPI = (*cloudtrail.Client)(nil)
	_ HealthAPI     = (*health.Client)(nil)
	_ S3API         = (*s3.Client)(nil)
	_ S3PresignAPI  = (*s3.PresignClient)(nil)
	_ S3ObjectsAPI  = (*s3.Client)(nil)
	_ KMSAPI        = (*kms.Client)(nil)
	_ SESAPI        = (*sesv2.Client)(nil)
	_ SNSAPI        = (*sns.Client)(nil)
)
