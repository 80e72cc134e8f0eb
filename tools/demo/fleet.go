package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Region is where the demo fleet lives.
const Region = "ap-northeast-2"

// Account is the demo account id used in ARNs.
const Account = "123456789012"

// Seed makes every random series reproducible.
const Seed = 20261122

// Fleet is the simulated account. All times derive from Now.
type Fleet struct {
	Now        time.Time
	Clusters   []*Cluster
	Standalone []*Instance
	// ClusterParams and InstanceParams are parameter groups by name: parameter → value (user-set only).
	ClusterParams  map[string]map[string]string
	InstanceParams map[string]map[string]string
	Incident       Incident
	// OutboxDir receives what delivery would send (S3 objects, emails, Slack and SNS payloads).
	OutboxDir string
}

// Incident is the scripted problem on orders-prod. A slow-query storm starts at Start on the writer of the
// time (OldWriter); its CPU pins at ~95% and at FailoverAt Aurora fails over to Writer (the current writer),
// where the storm goes on until End (40 minutes in all). LaggingReader's replica lag spikes during the storm.
type Incident struct {
	Start, End    time.Time // the 40-minute slow-query storm
	OldWriter     string    // writer until FailoverAt (orders-prod-2)
	Writer        string    // writer from FailoverAt on (orders-prod-1, the current writer)
	LaggingReader string    // the reader with replica lag during the storm
	FailoverAt    time.Time // the failover, 25 minutes into the storm
	RebootAt      time.Time // a reboot of LaggingReader after the storm
	OSUpgradeDue  time.Time // forced os-upgrade date on OSUpgradeOn (5 days ahead)
	OSUpgradeOn   string
}

// WriterAt returns the id of the writer of cluster id at t (the demo's only role change is the failover).
func (f *Fleet) WriterAt(id string, t time.Time) string {
	if id == "orders-prod" && t.Before(f.Incident.FailoverAt) {
		return f.Incident.OldWriter
	}
	if c := f.Cluster(id); c != nil {
		for _, m := range c.Members {
			if m.Writer {
				return m.ID
			}
		}
	}
	return ""
}

// Cluster is one simulated DB cluster.
type Cluster struct {
	ID, Engine, EngineVersion string
	ParamGroup                string
	LogExports                []string
	Members                   []*Instance
	BackupRetention           int32
	DeletionProtection        bool
	Encrypted                 bool
	IAMAuth                   bool
	PIEnabled                 bool
	DatabaseInsightsMode      string
	ServerlessMin             float64 // 0 when not serverless v2
	ServerlessMax             float64
	Port                      int32
	ResourceID                string
	Created                   time.Time
	// StorageStartBytes and StorageGrowthPerDay drive VolumeBytesUsed.
	StorageStartBytes   float64
	StorageGrowthPerDay float64
}

// Instance is one simulated DB instance.
type Instance struct {
	ID, Class, AZ, Status string
	Engine, EngineVersion string
	Writer                bool
	PromotionTier         int32
	ParamGroup            string
	PIEnabled             bool
	ResourceID            string // DbiResourceId, the Performance Insights key
	Cluster               *Cluster
	Public                bool
	Created               time.Time
}

// ARN returns the instance ARN.
func (i *Instance) ARN() string { return fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", Region, Account, i.ID) }

// ARN returns the cluster ARN.
func (c *Cluster) ARN() string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", Region, Account, c.ID)
}

// Class facts used by the demo and by metrics (vCPU, memory).
var classes = map[string]struct {
	VCPU   int
	MemGiB float64
}{
	"db.r6g.large": {2, 16}, "db.r6g.xlarge": {4, 32}, "db.m6g.large": {2, 8}, "db.serverless": {0, 0},
}

// New builds the fleet anchored at now (truncated to the minute).
func New(now time.Time) *Fleet {
	now = now.UTC().Truncate(time.Minute)
	f := &Fleet{Now: now}
	storm := now.Add(-6 * time.Hour).Truncate(time.Hour).Add(10 * time.Minute)
	f.Incident = Incident{
		Start: storm, End: storm.Add(40 * time.Minute),
		OldWriter: "orders-prod-2", Writer: "orders-prod-1", LaggingReader: "orders-prod-3",
		FailoverAt:   storm.Add(25 * time.Minute),
		RebootAt:     storm.Add(55 * time.Minute),
		OSUpgradeDue: now.Add(5 * 24 * time.Hour).Truncate(24 * time.Hour),
		OSUpgradeOn:  "orders-prod-1",
	}
	created := now.AddDate(-1, -2, 0).Truncate(24 * time.Hour)

	orders := &Cluster{
		ID: "orders-prod", Engine: "aurora-mysql", EngineVersion: "8.0.mysql_aurora.3.05.2",
		ParamGroup: "orders-prod-cluster", LogExports: []string{"error", "slowquery"},
		BackupRetention: 7, DeletionProtection: true, Encrypted: true, PIEnabled: true, DatabaseInsightsMode: "standard",
		Port: 3306, ResourceID: "cluster-7QKXA2ORDERSPRODDEMO1", Created: created,
		StorageStartBytes: 412 << 30, StorageGrowthPerDay: 0.6 * (1 << 30),
	}
	orders.Members = []*Instance{
		{ID: "orders-prod-1", Class: "db.r6g.xlarge", AZ: "ap-northeast-2a", Writer: true, PromotionTier: 0, ParamGroup: "orders-prod-instance", ResourceID: "db-ORDERSPROD1DEMOAAAAAAAAAA"},
		{ID: "orders-prod-2", Class: "db.r6g.xlarge", AZ: "ap-northeast-2b", PromotionTier: 1, ParamGroup: "orders-prod-instance", ResourceID: "db-ORDERSPROD2DEMOBBBBBBBBBB"},
		{ID: "orders-prod-3", Class: "db.r6g.large", AZ: "ap-northeast-2c", PromotionTier: 2, ParamGroup: "orders-reporting-instance", ResourceID: "db-ORDERSPROD3DEMOCCCCCCCCCC"},
	}
	billing := &Cluster{
		ID: "billing-pg", Engine: "aurora-postgresql", EngineVersion: "16.4",
		ParamGroup: "billing-pg-cluster", LogExports: []string{"postgresql"},
		BackupRetention: 7, DeletionProtection: true, Encrypted: true, IAMAuth: true, PIEnabled: true, DatabaseInsightsMode: "standard",
		Port: 5432, ResourceID: "cluster-9BILLINGPGDEMO22222222", Created: created.AddDate(0, 3, 0),
		StorageStartBytes: 180 << 30, StorageGrowthPerDay: 3.5 * (1 << 30),
	}
	billing.Members = []*Instance{
		{ID: "billing-pg-1", Class: "db.r6g.large", AZ: "ap-northeast-2a", Writer: true, PromotionTier: 1, ParamGroup: "default.aurora-postgresql16", ResourceID: "db-BILLINGPG1DEMODDDDDDDDDD"},
		{ID: "billing-pg-2", Class: "db.r6g.large", AZ: "ap-northeast-2c", PromotionTier: 1, ParamGroup: "default.aurora-postgresql16", ResourceID: "db-BILLINGPG2DEMOEEEEEEEEEE"},
	}
	neptune := &Cluster{ID: "graph-neptune", Engine: "neptune", EngineVersion: "1.3.2.1", Port: 8182, ResourceID: "cluster-NEPTUNEDEMO", Created: created}
	neptune.Members = []*Instance{{ID: "graph-neptune-1", Class: "db.r6g.large", AZ: "ap-northeast-2a", Writer: true, ResourceID: "db-NEPTUNE1DEMO"}}
	for _, c := range []*Cluster{orders, billing, neptune} {
		for _, m := range c.Members {
			m.Cluster, m.Engine, m.EngineVersion, m.Status, m.Created = c, c.Engine, c.EngineVersion, "available", c.Created
			m.PIEnabled = c.PIEnabled
		}
	}
	legacy := &Instance{ID: "legacy-mysql", Class: "db.m6g.large", AZ: "ap-northeast-2b", Status: "available",
		Engine: "mysql", EngineVersion: "8.0.39", ParamGroup: "legacy-mysql-params", ResourceID: "db-LEGACYMYSQLDEMOFFFFFFFFFF",
		Public: true, Created: created.AddDate(-2, 0, 0), Writer: true}
	f.Clusters = []*Cluster{orders, billing, neptune}
	f.Standalone = []*Instance{legacy}
	f.ClusterParams = map[string]map[string]string{
		"orders-prod-cluster": {"slow_query_log": "1", "long_query_time": "0.5", "log_output": "FILE", "require_secure_transport": "OFF", "binlog_format": "ROW"},
		"billing-pg-cluster":  {"log_min_duration_statement": "1000", "rds.force_ssl": "1", "log_lock_waits": "1"},
	}
	f.InstanceParams = map[string]map[string]string{
		"orders-prod-instance":        {},
		"orders-reporting-instance":   {"slow_query_log": "0"},
		"default.aurora-postgresql16": {},
		"legacy-mysql-params":         {"slow_query_log": "1", "long_query_time": "2", "log_output": "TABLE"},
	}
	return f
}

// Cluster returns the cluster with id, or nil.
func (f *Fleet) Cluster(id string) *Cluster {
	for _, c := range f.Clusters {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Instance returns the instance with id (cluster member or standalone), or nil.
func (f *Fleet) Instance(id string) *Instance {
	for _, i := range f.Instances() {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// Instances lists every instance: cluster members first, then standalone ones.
func (f *Fleet) Instances() []*Instance {
	var out []*Instance
	for _, c := range f.Clusters {
		out = append(out, c.Members...)
	}
	return append(out, f.Standalone...)
}

// VCPU returns the vCPU count of an instance class (0 when unknown).
func VCPU(class string) int { return classes[class].VCPU }

// DefaultRegion implements awsclient.Clients.
func (f *Fleet) DefaultRegion() string { return Region }

// CredentialsExpiry implements awsclient.Clients: demo credentials last 6 hours, like an instance profile's.
func (f *Fleet) CredentialsExpiry(context.Context) (time.Time, bool, error) {
	return f.Now.Add(6 * time.Hour), true, nil
}

var _ awsclient.Clients = (*Fleet)(nil)
