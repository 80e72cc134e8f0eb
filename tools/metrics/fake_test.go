package metrics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kida-mcp/kida-mcp/tools/cluster"
)

// fakeCW is a func-field fake of API: data maps "<metric>|<dim>=<value>[,...]" to a value function of the
// bucket time (ok=false: no point). It records every input and can page (pageSize points per page) or fail.
type fakeCW struct {
	data     map[string]func(t time.Time) (float64, bool)
	pageSize int
	fail     error
	messages []cwtypes.MessageData
	sent     []*cloudwatch.GetMetricDataInput
}

func dimKey(metric string, dims []cwtypes.Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
	}
	return metric + "|" + strings.Join(parts, ",")
}

func (f *fakeCW) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	cp := *in
	f.sent = append(f.sent, &cp)
	if f.fail != nil {
		return nil, f.fail
	}
	var results []cwtypes.MetricDataResult
	for _, q := range in.MetricDataQueries {
		r := cwtypes.MetricDataResult{Id: q.Id, Label: q.Label, StatusCode: cwtypes.StatusCodeComplete}
		fn := f.data[dimKey(aws.ToString(q.MetricStat.Metric.MetricName), q.MetricStat.Metric.Dimensions)]
		if fn != nil {
			p := time.Duration(aws.ToInt32(q.MetricStat.Period)) * time.Second
			for t := *in.StartTime; t.Before(*in.EndTime); t = t.Add(p) {
				if v, ok := fn(t); ok {
					r.Timestamps = append(r.Timestamps, t)
					r.Values = append(r.Values, v)
				}
			}
		}
		results = append(results, r)
	}
	out := &cloudwatch.GetMetricDataOutput{Messages: f.messages}
	if f.pageSize <= 0 {
		out.MetricDataResults = results
		return out, nil
	}
	// page: the token is the number of points already served
	offset := 0
	if in.NextToken != nil {
		_, _ = fmt.Sscanf(*in.NextToken, "p%d", &offset)
	}
	skip, room, more := offset, f.pageSize, false
	for i := range results {
		r := &results[i]
		n := len(r.Values)
		from := min(skip, n)
		skip -= from
		take := min(room, n-from)
		room -= take
		r.Timestamps, r.Values = r.Timestamps[from:from+take], r.Values[from:from+take]
		if from+take < n {
			r.StatusCode = cwtypes.StatusCodePartialData
			more = true
		}
	}
	out.MetricDataResults = results
	if more {
		out.NextToken = aws.String(fmt.Sprintf("p%d", offset+f.pageSize))
	}
	return out, nil
}

// topo builds an Aurora topology: the first id is the writer.
func topo(engine, class string, ids ...string) cluster.Topology {
	t := cluster.Topology{Region: "us-east-1", ID: "c1", Kind: "aurora-cluster", Engine: engine, Readers: []string{}}
	if !strings.HasPrefix(engine, "aurora") {
		t.Kind = "instance"
	}
	for i, id := range ids {
		m := cluster.Member{ID: id, Role: cluster.RoleReader, Class: class}
		m.VCPU, m.MemoryBytes, _ = cluster.ClassInfo(class)
		if i == 0 {
			m.Role = cluster.RoleWriter
			if t.Kind == "instance" {
				m.Role = cluster.RoleStandalone
			}
			t.Writer = id
		} else {
			t.Readers = append(t.Readers, id)
		}
		t.Members = append(t.Members, m)
	}
	return t
}
