package demo

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// rdsAPI serves the fleet's RDS operations for one region (other regions are empty).
type rdsAPI struct {
	f      *Fleet
	region string
}

// RDS implements awsclient.Clients.
func (f *Fleet) RDS(region string) awsclient.RDSAPI { return &rdsAPI{f: f, region: region} }

func (r *rdsAPI) here() bool { return r.region == Region }

func opErr(svc, op string, err error) error {
	return &smithy.OperationError{ServiceID: svc, OperationName: op, Err: err}
}

// page applies Marker/MaxRecords paging the way RDS does (marker = offset).
func page[T any](items []T, marker *string, max *int32) ([]T, *string) {
	start := 0
	if marker != nil {
		start, _ = strconv.Atoi(*marker)
	}
	n := 100
	if max != nil && *max > 0 {
		n = int(*max)
	}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = aws.String(strconv.Itoa(end))
	}
	return items[start:end], next
}

func (r *rdsAPI) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	var out []rdstypes.DBCluster
	if r.here() {
		for _, c := range r.f.Clusters {
			if in.DBClusterIdentifier != nil && *in.DBClusterIdentifier != c.ID && *in.DBClusterIdentifier != c.ARN() {
				continue
			}
			out = append(out, r.f.clusterType(c))
		}
	}
	if in.DBClusterIdentifier != nil && len(out) == 0 {
		return nil, opErr("RDS", "DescribeDBClusters", &rdstypes.DBClusterNotFoundFault{Message: aws.String("DBCluster " + *in.DBClusterIdentifier + " not found.")})
	}
	items, next := page(out, in.Marker, in.MaxRecords)
	return &rds.DescribeDBClustersOutput{DBClusters: items, Marker: next}, nil
}

func (f *Fleet) clusterType(c *Cluster) rdstypes.DBCluster {
	dc := rdstypes.DBCluster{
		DBClusterIdentifier:              aws.String(c.ID),
		DBClusterArn:                     aws.String(c.ARN()),
		Engine:                           aws.String(c.Engine),
		EngineVersion:                    aws.String(c.EngineVersion),
		EngineMode:                       aws.String("provisioned"),
		Status:                           aws.String("available"),
		DBClusterParameterGroup:          aws.String(c.ParamGroup),
		EnabledCloudwatchLogsExports:     c.LogExports,
		BackupRetentionPeriod:            aws.Int32(c.BackupRetention),
		DeletionProtection:               aws.Bool(c.DeletionProtection),
		StorageEncrypted:                 aws.Bool(c.Encrypted),
		IAMDatabaseAuthenticationEnabled: aws.Bool(c.IAMAuth),
		PerformanceInsightsEnabled:       aws.Bool(c.PIEnabled),
		DbClusterResourceId:              aws.String(c.ResourceID),
		Port:                             aws.Int32(c.Port),
		ClusterCreateTime:                aws.Time(c.Created),
		Endpoint:                         aws.String(c.ID + ".cluster-cdemo0example.ap-northeast-2.rds.amazonaws.com"),
		ReaderEndpoint:                   aws.String(c.ID + ".cluster-ro-cdemo0example.ap-northeast-2.rds.amazonaws.com"),
		MultiAZ:                          aws.Bool(len(c.Members) > 1),
		StorageType:                      aws.String("aurora"),
	}
	if c.DatabaseInsightsMode != "" {
		dc.DatabaseInsightsMode = rdstypes.DatabaseInsightsMode(c.DatabaseInsightsMode)
	}
	if c.PIEnabled {
		dc.PerformanceInsightsRetentionPeriod = aws.Int32(7)
	}
	if c.ServerlessMax > 0 {
		dc.ServerlessV2ScalingConfiguration = &rdstypes.ServerlessV2ScalingConfigurationInfo{MinCapacity: aws.Float64(c.ServerlessMin), MaxCapacity: aws.Float64(c.ServerlessMax)}
	}
	for _, m := range c.Members {
		dc.DBClusterMembers = append(dc.DBClusterMembers, rdstypes.DBClusterMember{
			DBInstanceIdentifier: aws.String(m.ID), IsClusterWriter: aws.Bool(m.Writer),
			PromotionTier: aws.Int32(m.PromotionTier), DBClusterParameterGroupStatus: aws.String("in-sync"),
		})
	}
	return dc
}

func (r *rdsAPI) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	var out []rdstypes.DBInstance
	if r.here() {
		for _, i := range r.f.Instances() {
			if in.DBInstanceIdentifier != nil && *in.DBInstanceIdentifier != i.ID && *in.DBInstanceIdentifier != i.ARN() {
				continue
			}
			if !matchFilters(in.Filters, i) {
				continue
			}
			out = append(out, instanceType(i))
		}
	}
	if in.DBInstanceIdentifier != nil && len(out) == 0 {
		return nil, opErr("RDS", "DescribeDBInstances", &rdstypes.DBInstanceNotFoundFault{Message: aws.String("DBInstance " + *in.DBInstanceIdentifier + " not found.")})
	}
	items, next := page(out, in.Marker, in.MaxRecords)
	return &rds.DescribeDBInstancesOutput{DBInstances: items, Marker: next}, nil
}

func matchFilters(fs []rdstypes.Filter, i *Instance) bool {
	for _, f := range fs {
		var v string
		switch aws.ToString(f.Name) {
		case "db-cluster-id":
			if i.Cluster != nil {
				v = i.Cluster.ID
			}
		case "db-instance-id":
			v = i.ID
		case "engine":
			v = i.Engine
		default:
			continue
		}
		ok := false
		for _, want := range f.Values {
			if want == v || (i.Cluster != nil && want == i.Cluster.ARN()) || want == i.ARN() {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func instanceType(i *Instance) rdstypes.DBInstance {
	di := rdstypes.DBInstance{
		DBInstanceIdentifier:       aws.String(i.ID),
		DBInstanceArn:              aws.String(i.ARN()),
		DBInstanceClass:            aws.String(i.Class),
		DBInstanceStatus:           aws.String(i.Status),
		Engine:                     aws.String(i.Engine),
		EngineVersion:              aws.String(i.EngineVersion),
		AvailabilityZone:           aws.String(i.AZ),
		PromotionTier:              aws.Int32(i.PromotionTier),
		DbiResourceId:              aws.String(i.ResourceID),
		PerformanceInsightsEnabled: aws.Bool(i.PIEnabled),
		PubliclyAccessible:         aws.Bool(i.Public),
		InstanceCreateTime:         aws.Time(i.Created),
		MonitoringInterval:         aws.Int32(60),
		AutoMinorVersionUpgrade:    aws.Bool(true),
	}
	if i.ParamGroup != "" {
		di.DBParameterGroups = []rdstypes.DBParameterGroupStatus{{DBParameterGroupName: aws.String(i.ParamGroup), ParameterApplyStatus: aws.String("in-sync")}}
	}
	if i.PIEnabled {
		di.PerformanceInsightsRetentionPeriod = aws.Int32(7)
	}
	if i.Cluster != nil {
		di.DBClusterIdentifier = aws.String(i.Cluster.ID)
		di.StorageEncrypted = aws.Bool(i.Cluster.Encrypted)
		di.DatabaseInsightsMode = rdstypes.DatabaseInsightsMode(i.Cluster.DatabaseInsightsMode)
	} else {
		di.StorageEncrypted = aws.Bool(false)
		di.AllocatedStorage = aws.Int32(200)
		di.BackupRetentionPeriod = aws.Int32(3)
		di.DeletionProtection = aws.Bool(false)
		di.MultiAZ = aws.Bool(false)
		di.EnabledCloudwatchLogsExports = []string{"error"}
	}
	return di
}

func params(group map[string]string, names []string) []rdstypes.Parameter {
	var out []rdstypes.Parameter
	for _, n := range names {
		if v, ok := group[n]; ok {
			out = append(out, rdstypes.Parameter{ParameterName: aws.String(n), ParameterValue: aws.String(v), Source: aws.String("user"), ApplyType: aws.String("dynamic"), IsModifiable: aws.Bool(true)})
		}
	}
	return out
}

func filterNames(fs []rdstypes.Filter, group map[string]string) []string {
	for _, f := range fs {
		if aws.ToString(f.Name) == "parameter-name" {
			return f.Values
		}
	}
	var all []string
	for k := range group {
		all = append(all, k)
	}
	return sortStrings(all)
}

func (r *rdsAPI) DescribeDBClusterParameters(_ context.Context, in *rds.DescribeDBClusterParametersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error) {
	g, ok := r.f.ClusterParams[aws.ToString(in.DBClusterParameterGroupName)]
	if !ok || !r.here() {
		return nil, opErr("RDS", "DescribeDBClusterParameters", &rdstypes.DBParameterGroupNotFoundFault{Message: aws.String("DBClusterParameterGroup not found: " + aws.ToString(in.DBClusterParameterGroupName))})
	}
	return &rds.DescribeDBClusterParametersOutput{Parameters: params(g, filterNames(in.Filters, g))}, nil
}

func (r *rdsAPI) DescribeDBParameters(_ context.Context, in *rds.DescribeDBParametersInput, _ ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error) {
	g, ok := r.f.InstanceParams[aws.ToString(in.DBParameterGroupName)]
	if !ok || !r.here() {
		return nil, opErr("RDS", "DescribeDBParameters", &rdstypes.DBParameterGroupNotFoundFault{Message: aws.String("DBParameterGroup not found: " + aws.ToString(in.DBParameterGroupName))})
	}
	return &rds.DescribeDBParametersOutput{Parameters: params(g, filterNames(in.Filters, g))}, nil
}
