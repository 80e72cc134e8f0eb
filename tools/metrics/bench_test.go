package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

func timewinDay() timewin.Window {
	return timewin.Window{Start: now.Add(-24 * time.Hour), End: now, Loc: time.UTC}
}

// cannedCW answers each GetMetricData batch with prebuilt results (keyed by the first query's label), so
// a benchmark measures kida's planning and statistics, not data generation.
type cannedCW struct {
	byLabel map[string]*cloudwatch.GetMetricDataOutput
}

func (c *cannedCW) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return c.byLabel[aws.ToString(in.MetricDataQueries[0].Label)], nil
}

var benchMetrics = []string{"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency",
	"WriteLatency", "BufferCacheHitRatio", "Deadlocks", "CommitLatency", "DMLLatency", "SelectLatency"}

// benchFleet is 50 Aurora MySQL instances × 12 metrics × 1,440 one-minute points (864,000 points) with a
// daily cycle, noise and a few spikes.
func benchFleet(b *testing.B) (*cannedCW, Options) {
	b.Helper()
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("db-%02d", i)
	}
	w := timewinDay()
	o := Options{Now: now, Metrics: benchMetrics}
	// plan once to learn the batches, then fill them
	var reqs []Request
	for _, id := range ids {
		for _, m := range benchMetrics {
			reqs = append(reqs, Request{Key: seriesKey(id, m, "Average"), MetricName: m, Dimensions: InstanceDims(id), Stat: "Average"})
		}
	}
	inputs, _ := Plan(reqs, w.Start, w.End, 60)
	c := &cannedCW{byLabel: map[string]*cloudwatch.GetMetricDataOutput{}}
	r := rand.New(rand.NewPCG(1, 2))
	ts := make([]time.Time, 1440)
	for i := range ts {
		ts[i] = w.Start.Add(time.Duration(i) * time.Minute)
	}
	for _, in := range inputs {
		out := &cloudwatch.GetMetricDataOutput{}
		for _, q := range in.MetricDataQueries {
			vs := make([]float64, 1440)
			base := 10 + 90*r.Float64()
			spike := r.IntN(1400)
			for i := range vs {
				vs[i] = base*(1+0.3*math.Sin(2*math.Pi*float64(i)/1440)) + r.NormFloat64()
				if i >= spike && i < spike+20 && r.IntN(4) == 0 {
					vs[i] += 5 * base
				}
			}
			out.MetricDataResults = append(out.MetricDataResults, cwtypes.MetricDataResult{Id: q.Id, Label: q.Label, StatusCode: cwtypes.StatusCodeComplete, Timestamps: ts, Values: vs})
		}
		c.byLabel[aws.ToString(in.MetricDataQueries[0].Label)] = out
	}
	return c, o
}

func BenchmarkCollect50x12x1440(b *testing.B) {
	api, o := benchFleet(b)
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("db-%02d", i)
	}
	tp := topo("aurora-mysql", "db.r6g.large", ids...)
	w := timewinDay()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := Collect(context.Background(), api, tp, w, o)
		if err != nil || r.Queries != 600 || r.Calls != 2 {
			b.Fatalf("queries %d calls %d err %v", r.Queries, r.Calls, err)
		}
	}
}

func BenchmarkPlan600(b *testing.B) {
	var reqs []Request
	for i := 0; i < 50; i++ {
		for _, m := range benchMetrics {
			id := fmt.Sprintf("db-%02d", i)
			reqs = append(reqs, Request{Key: seriesKey(id, m, "Average"), MetricName: m, Dimensions: InstanceDims(id), Stat: "Average"})
		}
	}
	w := timewinDay()
	b.ReportAllocs()
	for b.Loop() {
		if in, _ := Plan(reqs, w.Start, w.End, 60); len(in) != 2 {
			b.Fatal(len(in))
		}
	}
}

func BenchmarkSeriesStats1440(b *testing.B) {
	ts, vs := synth(1440, time.Minute, 1, 3, func(i int) float64 { return diurnal(i, 15, 45) })
	mt, _ := Lookup("CPUUtilization", AuroraMySQL)
	b.ReportAllocs()
	sc := &scratch{}
	for b.Loop() {
		seriesStats(mt, ts, vs, sc, 1440, false, time.UTC, Options{MaxAnomalies: 3})
	}
}
