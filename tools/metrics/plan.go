package metrics

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Request is one series to fetch: a metric with its exact dimension set and statistic.
type Request struct {
	Key        string // caller's key for the series, unique within a Fetch
	MetricName string
	Dimensions []Dimension // the exact dimension set; order is kept
	Stat       string
}

// Dimension is one CloudWatch dimension.
type Dimension struct{ Name, Value string }

// InstanceDims is the dimension set of an instance-level metric.
func InstanceDims(id string) []Dimension { return []Dimension{{"DBInstanceIdentifier", id}} }

// ClusterDims is the dimension set of a cluster-level metric.
func ClusterDims(id string) []Dimension { return []Dimension{{"DBClusterIdentifier", id}} }

// Raw is one fetched series, sorted by time.
type Raw struct {
	Timestamps []time.Time
	Values     []float64
	Status     string   // Complete, PartialData or InternalError of the last page
	Messages   []string // per-result messages from CloudWatch
}

// Fetched is the outcome of Fetch.
type Fetched struct {
	Series   map[string]*Raw // by Request.Key
	Calls    int             // GetMetricData requests sent (batches × pages)
	Batches  int             // ceil(requests/500)
	Messages []string        // top-level messages from CloudWatch
}

// Plan splits reqs into GetMetricData inputs of at most 500 queries each, all over [start, end) with one
// period. Query ids are "q<index in batch>"; keys[b][i] is the Request.Key of query i of batch b.
func Plan(reqs []Request, start, end time.Time, period int32) (inputs []*cloudwatch.GetMetricDataInput, keys [][]string) {
	for len(reqs) > 0 {
		n := min(MaxQueriesPerCall, len(reqs))
		batch := reqs[:n]
		reqs = reqs[n:]
		in := &cloudwatch.GetMetricDataInput{
			StartTime:         aws.Time(start),
			EndTime:           aws.Time(end),
			ScanBy:            cwtypes.ScanByTimestampAscending,
			MetricDataQueries: make([]cwtypes.MetricDataQuery, n),
		}
		ks := make([]string, n)
		for i, r := range batch {
			dims := make([]cwtypes.Dimension, len(r.Dimensions))
			for j, d := range r.Dimensions {
				dims[j] = cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
			}
			in.MetricDataQueries[i] = cwtypes.MetricDataQuery{
				Id:    aws.String(fmt.Sprintf("q%d", i)),
				Label: aws.String(r.Key),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String(Namespace), MetricName: aws.String(r.MetricName), Dimensions: dims},
					Period: aws.Int32(period),
					Stat:   aws.String(r.Stat),
				},
				ReturnData: aws.Bool(true),
			}
			ks[i] = r.Key
		}
		inputs = append(inputs, in)
		keys = append(keys, ks)
	}
	return inputs, keys
}

// Align widens [start, end) to whole periods (start down, end up, from the Unix epoch), as CloudWatch
// aligns buckets and recommends aligned requests.
func Align(start, end time.Time, period int32) (time.Time, time.Time) {
	p := time.Duration(period) * time.Second
	if p <= 0 {
		return start, end
	}
	ps := int64(period)
	s := time.Unix(floorDiv(start.Unix(), ps)*ps, 0)
	e := time.Unix(floorDiv(end.Unix(), ps)*ps, 0)
	if e.Before(end) {
		e = e.Add(p)
	}
	return s.UTC(), e.UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Fetch runs the plan for reqs: ceil(len/500) GetMetricData batches, each followed through NextToken,
// and returns every series sorted by time. Results with StatusCode PartialData after the page cap and all
// CloudWatch messages are reported in the series' Status/Messages and Fetched.Messages. Any failed call
// fails the whole fetch with the SDK error (callers wrap it with awsclient.In).
func Fetch(ctx context.Context, api API, reqs []Request, start, end time.Time, period int32) (Fetched, error) {
	inputs, keys := Plan(reqs, start, end, period)
	out := Fetched{Series: make(map[string]*Raw, len(reqs)), Batches: len(inputs)}
	for _, r := range reqs {
		out.Series[r.Key] = &Raw{}
	}
	seenMsg := map[string]bool{}
	for b, in := range inputs {
		byID := make(map[string]string, len(keys[b]))
		for i, q := range in.MetricDataQueries {
			byID[aws.ToString(q.Id)] = keys[b][i]
		}
		var token *string
		for page := 0; page < maxPagesPerBatch; page++ {
			req := *in
			req.NextToken = token
			resp, err := api.GetMetricData(ctx, &req)
			out.Calls++
			if err != nil {
				return out, err
			}
			for _, m := range resp.Messages {
				s := msgText(m)
				if !seenMsg[s] {
					seenMsg[s] = true
					out.Messages = append(out.Messages, s)
				}
			}
			for _, r := range resp.MetricDataResults {
				key, ok := byID[aws.ToString(r.Id)]
				if !ok {
					continue
				}
				raw := out.Series[key]
				n := min(len(r.Timestamps), len(r.Values))
				if raw.Timestamps == nil { // first page: take the response's slices, no copy
					raw.Timestamps, raw.Values = r.Timestamps[:n:n], r.Values[:n:n]
				} else {
					raw.Timestamps = append(raw.Timestamps, r.Timestamps[:n]...)
					raw.Values = append(raw.Values, r.Values[:n]...)
				}
				raw.Status = string(r.StatusCode)
				for _, m := range r.Messages {
					if s := msgText(m); !contains(raw.Messages, s) {
						raw.Messages = append(raw.Messages, s)
					}
				}
			}
			token = resp.NextToken
			if aws.ToString(token) == "" {
				break
			}
			if page == maxPagesPerBatch-1 {
				out.Messages = append(out.Messages, fmt.Sprintf("stopped after %d pages of one GetMetricData batch; data is partial — narrow the window or the metric list", maxPagesPerBatch))
			}
		}
	}
	for _, raw := range out.Series {
		raw.sort()
	}
	return out, nil
}

func msgText(m cwtypes.MessageData) string {
	c, v := aws.ToString(m.Code), aws.ToString(m.Value)
	switch {
	case c == "":
		return v
	case v == "":
		return c
	}
	return c + ": " + v
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// sort orders points by time and drops duplicate timestamps (a page boundary may repeat one).
func (r *Raw) sort() {
	if sort.SliceIsSorted(r.Timestamps, func(i, j int) bool { return r.Timestamps[i].Before(r.Timestamps[j]) }) && !hasDup(r.Timestamps) {
		return
	}
	idx := make([]int, len(r.Timestamps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.Timestamps[idx[a]].Before(r.Timestamps[idx[b]]) })
	ts := make([]time.Time, 0, len(idx))
	vs := make([]float64, 0, len(idx))
	for _, i := range idx {
		if n := len(ts); n > 0 && ts[n-1].Equal(r.Timestamps[i]) {
			continue
		}
		ts = append(ts, r.Timestamps[i])
		vs = append(vs, r.Values[i])
	}
	r.Timestamps, r.Values = ts, vs
}

func hasDup(ts []time.Time) bool {
	for i := 1; i < len(ts); i++ {
		if ts[i].Equal(ts[i-1]) {
			return true
		}
	}
	return false
}

// seriesKey builds a Request.Key.
func seriesKey(target, metric, stat string) string {
	return strings.Join([]string{target, metric, stat}, "/")
}
