package audit

import (
	"context"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// BenchmarkTrailDemo: Trail over the demo fleet for orders-prod (7 lookups) with a fake-clock pacer, i.e. the
// engine's own cost without the 2 calls/s wait.
func BenchmarkTrailDemo(b *testing.B) {
	fleet := demo.New(now)
	topo, err := cluster.Describe(context.Background(), fleet.RDS(demo.Region), demo.Region, "orders-prod")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		clock := newClock()
		if _, err := Trail(context.Background(), fleet.CloudTrail(demo.Region), topo, win(7*24*time.Hour), TrailOptions{Pacer: clock.pacer(), Now: now, IncludeReadOnly: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHealthAndRecommendationsDemo(b *testing.B) {
	fleet := demo.New(now)
	topo, err := cluster.Describe(context.Background(), fleet.RDS(demo.Region), demo.Region, "orders-prod")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Health(context.Background(), fleet.Health(), demo.Region, &topo, win(24*time.Hour), HealthOptions{Now: now}); err != nil {
			b.Fatal(err)
		}
		if _, err := Recommendations(context.Background(), fleet.RDS(demo.Region), topo); err != nil {
			b.Fatal(err)
		}
	}
}
