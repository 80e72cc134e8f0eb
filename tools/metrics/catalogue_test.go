package metrics

import (
	"slices"
	"strings"
	"testing"
)

func applicable(e Engine, tg Target) []string {
	var out []string
	for _, m := range DefaultSet(e) {
		if m.Level != LevelInstance {
			continue
		}
		if ok, _ := m.Applies(e, tg); ok {
			out = append(out, m.Name)
		}
	}
	return out
}

func TestCatalogueDefaultSets(t *testing.T) {
	common := []string{"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency"}
	pi := []string{"DBLoad", "DBLoadCPU", "DBLoadNonCPU"}
	cases := []struct {
		name    string
		engine  string
		tg      Target
		want    []string // exactly these, in catalogue order
		cluster []string
	}{
		{"aurora-mysql writer, r6g, PI on", "aurora-mysql", Target{Role: Writer, Class: "db.r6g.large", PIEnabled: true},
			cat(common, []string{"BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLagMaximum"}, pi, []string{"CommitLatency", "DMLLatency", "SelectLatency"}),
			[]string{"VolumeBytesUsed", "AuroraVolumeBytesLeftTotal"}},
		{"aurora-mysql reader, t4g (swap), PI off", "aurora-mysql", Target{Role: Reader, Class: "db.t4g.medium"},
			cat(common, []string{"SwapUsage", "BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLag", "CommitLatency", "DMLLatency", "SelectLatency"}),
			[]string{"VolumeBytesUsed", "AuroraVolumeBytesLeftTotal"}},
		{"aurora-postgresql reader", "aurora-postgresql", Target{Role: Reader, Class: "db.r6g.large", PIEnabled: true},
			cat(common, []string{"SwapUsage", "BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLag"}, pi, []string{"CommitLatency"}),
			[]string{"VolumeBytesUsed"}},
		{"aurora-postgresql serverless writer", "aurora-postgresql", Target{Role: Writer, Class: "db.serverless"},
			cat(common, []string{"SwapUsage", "BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLagMaximum", "ServerlessDatabaseCapacity", "ACUUtilization", "CommitLatency"}),
			[]string{"VolumeBytesUsed"}},
		{"mysql standalone", "mysql", Target{Role: Standalone, Class: "db.m6g.large"},
			cat(common, []string{"SwapUsage", "FreeStorageSpace", "ReplicaLag", "DiskQueueDepth"}), nil},
		{"postgres multi-AZ writer", "postgres", Target{Role: Writer, Class: "db.m6g.large", PIEnabled: true},
			cat(common, []string{"SwapUsage"}, pi, []string{"FreeStorageSpace", "DiskQueueDepth"}), nil},
		{"sqlserver (other RDS)", "sqlserver-se", Target{Role: Standalone, Class: "db.m6i.large"},
			cat(common, []string{"FreeStorageSpace", "ReplicaLag", "DiskQueueDepth"}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := EngineOf(c.engine)
			if got := applicable(e, c.tg); !slices.Equal(got, c.want) {
				t.Errorf("instance metrics:\n got %v\nwant %v", got, c.want)
			}
			var cl []string
			for _, m := range DefaultSet(e) {
				if m.Level == LevelCluster {
					cl = append(cl, m.Name)
				}
			}
			if !slices.Equal(cl, c.cluster) {
				t.Errorf("cluster metrics: got %v want %v", cl, c.cluster)
			}
		})
	}
}

func cat(xs ...[]string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

func TestCatalogueReasons(t *testing.T) {
	cases := []struct {
		metric, engine string
		tg             Target
		want           string
	}{
		{"AuroraReplicaLag", "aurora-mysql", Target{Role: Writer}, "readers"},
		{"AuroraReplicaLagMaximum", "aurora-postgresql", Target{Role: Reader}, "writer only"},
		{"DBLoad", "aurora-mysql", Target{Role: Writer}, "Performance Insights is off"},
		{"SwapUsage", "aurora-mysql", Target{Role: Writer, Class: "db.r6g.large"}, "db.t*"},
		{"ACUUtilization", "aurora-mysql", Target{Role: Writer, Class: "db.r6g.large"}, "Serverless v2"},
		{"DMLLatency", "aurora-postgresql", Target{Role: Writer}, "aurora-mysql"},
		{"BufferCacheHitRatio", "mysql", Target{Role: Standalone}, "aurora-mysql, aurora-postgresql"},
		{"ReplicaLag", "postgres", Target{Role: Writer}, "read replicas"},
	}
	for _, c := range cases {
		e := EngineOf(c.engine)
		m, ok := Lookup(c.metric, e)
		if !ok {
			t.Fatalf("Lookup(%s) failed", c.metric)
		}
		applies, why := m.Applies(e, c.tg)
		if applies || !strings.Contains(why, c.want) {
			t.Errorf("%s on %s %+v: applies=%v why=%q, want a reason with %q", c.metric, c.engine, c.tg, applies, why, c.want)
		}
	}
}

func TestCatalogueConsistency(t *testing.T) {
	suffix := map[string]string{"pct": "_pct", "bytes": "_bytes", "ms": "_ms", "per_s": "_per_s", "acu": "_acu", "sessions": "_sessions", "bytes_per_s": "_bytes_per_s"}
	for i, a := range Catalogue {
		if s, ok := suffix[a.OutUnit]; ok && !strings.HasSuffix(a.Out, s) {
			t.Errorf("%s: output name %q does not carry its unit %q", a.Name, a.Out, a.OutUnit)
		}
		if a.Scale == 0 || a.Stat == "" || a.Engines == 0 || a.MinDelta <= 0 || (a.Level == LevelInstance && a.Roles == 0) {
			t.Errorf("%s: incomplete row %+v", a.Name, a)
		}
		for _, b := range Catalogue[i+1:] {
			if a.Name == b.Name && a.Engines&b.Engines != 0 {
				t.Errorf("%s: two rows cover %s", a.Name, a.Engines&b.Engines)
			}
		}
	}
	// unit conversions the issue calls out
	for name, scale := range map[string]float64{"ReadLatency": 1000, "WriteLatency": 1000, "AuroraReplicaLag": 1, "CommitLatency": 1} {
		if m, _ := Lookup(name, AuroraMySQL); m.Scale != scale || m.OutUnit != "ms" {
			t.Errorf("%s: scale %v unit %s", name, m.Scale, m.OutUnit)
		}
	}
	if m, _ := Lookup("ReplicaLag", MySQL); m.Scale != 1000 || m.Unit != "Seconds" {
		t.Errorf("RDS ReplicaLag: %+v", m)
	}
	if m, _ := Lookup("VolumeReadIOPs", AuroraPostgres); m.Scale != 1.0/300 {
		t.Errorf("VolumeReadIOPs is per 5 minutes: scale %v", m.Scale)
	}
}

func TestLookup(t *testing.T) {
	cases := []struct {
		name string
		e    Engine
		want string
		ok   bool
	}{
		{"cpu_pct", AuroraMySQL, "CPUUtilization", true},
		{"cpuutilization", Postgres, "CPUUtilization", true},
		{"replica_lag_ms", AuroraPostgres, "AuroraReplicaLag", true},
		{"replica_lag_ms", MySQL, "ReplicaLag", true},
		{"DiskQueueDepth", AuroraPostgres, "DiskQueueDepth", true},
		{"DMLLatency", AuroraPostgres, "DMLLatency", true}, // found, but Applies says why not
		{"nope", AuroraMySQL, "", false},
	}
	for _, c := range cases {
		m, ok := Lookup(c.name, c.e)
		if ok != c.ok || m.Name != c.want {
			t.Errorf("Lookup(%q, %s) = %q, %v", c.name, c.e, m.Name, ok)
		}
	}
	if m, _ := Lookup("DiskQueueDepth", AuroraPostgres); m.Default {
		t.Error("DiskQueueDepth is not in Aurora PostgreSQL's default set")
	}
}
