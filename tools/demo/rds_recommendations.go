package demo

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// RDS recommendations (issue: database load and audit trail): orders-prod mixes instance classes (the
// reporting reader orders-prod-3 is half the size of the others), billing-pg kept backups for one day only (resolved: it
// now keeps 7); an older enhanced-monitoring recommendation on billing-pg-1 is resolved.

type demoRec struct {
	rec         rdstypes.DBRecommendation
	clusterRes  string // cluster resource id, for cluster-level recommendations
	instanceRes string // DbiResourceId, for instance-level ones
}

func (f *Fleet) recommendations() []demoRec {
	orders, billing := f.Cluster("orders-prod"), f.Cluster("billing-pg")
	if orders == nil || billing == nil {
		return nil
	}
	lagging := f.Instance(f.Incident.LaggingReader)
	day := 24 * time.Hour
	return []demoRec{
		{clusterRes: orders.ResourceID, rec: rdstypes.DBRecommendation{
			RecommendationId: aws.String("a8f3c2d1-5b7e-4c9a-9e21-0d4b6f1a7c32"),
			TypeId:           aws.String("config_recommendation::db_cluster_heterogeneous_instance_classes"),
			Severity:         aws.String("medium"), Status: aws.String("active"), Category: aws.String("performance efficiency"),
			Source: aws.String("RDS"), ResourceArn: aws.String(orders.ARN()),
			Description: aws.String("The DB cluster orders-prod has DB instances of different classes: orders-prod-1 and orders-prod-2 are " +
				"db.r6g.xlarge, orders-prod-3 is " + lagging.Class + "."),
			Reason: aws.String("A smaller reader cannot keep up with the writer's change rate under load, which shows as replica lag, " +
				"and becomes an undersized writer if it is promoted by a failover."),
			Recommendation: aws.String("Use the same DB instance class for every instance of the cluster."),
			Impact:         aws.String("Lower replica lag and predictable performance after a failover."),
			RecommendedActions: []rdstypes.RecommendedAction{{
				ActionId: aws.String("modify-orders-prod-3-class"), Title: aws.String("Modify orders-prod-3 to db.r6g.xlarge"),
				Description: aws.String("Change the instance class of the reader so it matches the writer."),
				Operation:   aws.String("ModifyDBInstance"), ApplyModes: []string{"immediately", "next-maintenance-window"},
				Parameters: []rdstypes.RecommendedActionParameter{
					{Key: aws.String("DBInstanceIdentifier"), Value: aws.String(lagging.ID)},
					{Key: aws.String("DBInstanceClass"), Value: aws.String("db.r6g.xlarge")},
				},
			}},
			Links:       []rdstypes.DocLink{{Text: aws.String("Aurora DB instance classes"), Url: aws.String("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.html")}},
			CreatedTime: aws.Time(f.Now.Add(-20 * day).Truncate(time.Hour)), UpdatedTime: aws.Time(f.Now.Add(-1 * day).Truncate(time.Hour)),
		}},
		{clusterRes: billing.ResourceID, rec: rdstypes.DBRecommendation{
			RecommendationId: aws.String("3c9e1f70-2a6b-4d85-b3c4-91e7f0a2d5b8"),
			TypeId:           aws.String("config_recommendation::backup_retention_period"),
			Severity:         aws.String("high"), Status: aws.String("resolved"), Category: aws.String("reliability"),
			Source: aws.String("RDS"), ResourceArn: aws.String(billing.ARN()),
			Description:    aws.String("The DB cluster billing-pg keeps automated backups for 1 day."),
			Reason:         aws.String("With a 1-day retention, point-in-time recovery cannot go back further than yesterday; a problem noticed later cannot be undone."),
			Recommendation: aws.String("Set the backup retention period to at least 7 days."),
			Impact:         aws.String("Longer point-in-time recovery window; backup storage beyond the cluster volume size is billed."),
			RecommendedActions: []rdstypes.RecommendedAction{{
				ActionId: aws.String("raise-billing-pg-retention"), Title: aws.String("Raise the backup retention period to 7 days"),
				Operation: aws.String("ModifyDBCluster"), ApplyModes: []string{"immediately"},
				Parameters: []rdstypes.RecommendedActionParameter{
					{Key: aws.String("DBClusterIdentifier"), Value: aws.String(billing.ID)},
					{Key: aws.String("BackupRetentionPeriod"), Value: aws.String("7")},
				},
			}},
			Links:       []rdstypes.DocLink{{Text: aws.String("Backing up an Aurora DB cluster"), Url: aws.String("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html")}},
			CreatedTime: aws.Time(f.Now.Add(-3 * day).Truncate(time.Hour)), UpdatedTime: aws.Time(f.Now.Add(-3 * day).Truncate(time.Hour)),
		}},
		{instanceRes: billing.Members[0].ResourceID, rec: rdstypes.DBRecommendation{
			RecommendationId: aws.String("f1d27a3e-8c4b-4e6f-a9d0-5b3c7e2f1a64"),
			TypeId:           aws.String("config_recommendation::enhanced_monitoring"),
			Severity:         aws.String("low"), Status: aws.String("resolved"), Category: aws.String("operational excellence"),
			Source: aws.String("RDS"), ResourceArn: aws.String(billing.Members[0].ARN()),
			Description: aws.String("Enhanced Monitoring is turned off for billing-pg-1."),
			CreatedTime: aws.Time(f.Now.Add(-60 * day).Truncate(time.Hour)), UpdatedTime: aws.Time(f.Now.Add(-41 * day).Truncate(time.Hour)),
		}},
	}
}

func (r *rdsAPI) DescribeDBRecommendations(_ context.Context, in *rds.DescribeDBRecommendationsInput, _ ...func(*rds.Options)) (*rds.DescribeDBRecommendationsOutput, error) {
	var out []rdstypes.DBRecommendation
	if r.here() {
	next:
		for _, d := range r.f.recommendations() {
			for _, fl := range in.Filters {
				var v string
				switch aws.ToString(fl.Name) {
				case "cluster-resource-id":
					v = d.clusterRes
				case "dbi-resource-id":
					v = d.instanceRes
				case "status":
					v = aws.ToString(d.rec.Status)
				case "severity":
					v = aws.ToString(d.rec.Severity)
				case "recommendation-id":
					v = aws.ToString(d.rec.RecommendationId)
				case "type-id":
					v = aws.ToString(d.rec.TypeId)
				default:
					continue
				}
				if v == "" || !slices.Contains(fl.Values, v) {
					continue next
				}
			}
			if in.LastUpdatedAfter != nil && d.rec.UpdatedTime.Before(*in.LastUpdatedAfter) {
				continue
			}
			out = append(out, d.rec)
		}
	}
	items, marker := page(out, in.Marker, in.MaxRecords)
	return &rds.DescribeDBRecommendationsOutput{DBRecommendations: items, Marker: marker}, nil
}
