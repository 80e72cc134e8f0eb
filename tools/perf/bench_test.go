package perf

import (
	"context"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

func BenchmarkMaskSQL(b *testing.B) {
	stmt := longStatement()
	b.SetBytes(int64(len(stmt)))
	for b.Loop() {
		MaskSQL(stmt, false)
	}
}

// BenchmarkLoadDemo: the engine over the demo fleet's PI model for orders-prod, 24 h (the demo computes its
// answers, so this is engine + model cost, no network).
func BenchmarkLoadDemo(b *testing.B) {
	fleet := demo.New(now)
	topo, err := cluster.Describe(context.Background(), fleet.RDS(demo.Region), demo.Region, "orders-prod")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(context.Background(), fleet.PI(demo.Region), topo, window(24*time.Hour), Options{Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadFake: the engine alone against canned responses.
func BenchmarkLoadFake(b *testing.B) {
	f := happyPI(longStatement())
	for b.Loop() {
		f.sent = nil
		if _, err := Load(context.Background(), f, testTopo(), window(time.Hour), Options{Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}
