package demo

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// CloudWatch metrics (AWS/RDS). Alarms live in cloudwatch_alarms.go.
//
// Every member publishes 1-minute data from its creation up to Fleet.Now: a diurnal pattern (Seoul business
// hours) plus deterministic noise, per metric and per member. Which metrics exist follows AWS: role-bound
// metrics (AuroraReplicaLag on readers, AuroraReplicaLagMaximum on the writer) follow the role at each minute
// (Fleet.WriterAt), so after the failover orders-prod-2 reports replica lag and orders-prod-1 stops; Aurora
// MySQL on r6g classes publishes no SwapUsage; DBLoad exists only with PI on and only while there is load,
// and equals the Performance Insights model's db.load (pi.go).
//
// The orders-prod incident (Fleet.Incident): from Start to End the writer of the moment runs at ~95% CPU with
// a FreeableMemory dip, a connection surge, a buffer-cache-hit drop, deadlocks and latency; LaggingReader's
// AuroraReplicaLag spikes to seconds. The failover restarts both writers (2 minutes without data) and the
// reboot of LaggingReader leaves 3 minutes without data. billing-pg is calm; its VolumeBytesUsed grows
// steadily from StorageStartBytes (at cluster creation) by StorageGrowthPerDay.
//
// GetMetricData honours ids, exact dimension sets ({DBInstanceIdentifier}, {DBClusterIdentifier},
// {DBClusterIdentifier, Role}), Stat (Average, Minimum, Maximum, Sum, SampleCount, pNN), Period (no data
// when the period does not suit the age of StartTime, as in AWS), ScanBy, MaxDatapoints/NextToken paging,
// and the 500-query limit.

type cloudWatchAPI struct {
	f      *Fleet
	region string
}

// CloudWatch implements awsclient.Clients.
func (f *Fleet) CloudWatch(region string) awsclient.CloudWatchAPI {
	return &cloudWatchAPI{f: f, region: region}
}

var cwIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

func cwErr(op, code, msg string) error {
	return &smithy.OperationError{ServiceID: "CloudWatch", OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}}
}

const cwMaxDatapoints = 100800

func (c *cloudWatchAPI) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	const op = "GetMetricData"
	switch {
	case len(in.MetricDataQueries) == 0:
		return nil, cwErr(op, "InvalidParameterValue", "The parameter MetricDataQueries is required.")
	case len(in.MetricDataQueries) > 500:
		return nil, cwErr(op, "InvalidParameterValue", fmt.Sprintf("The collection MetricDataQueries must not have a size greater than 500 (got %d).", len(in.MetricDataQueries)))
	case in.StartTime == nil || in.EndTime == nil:
		return nil, cwErr(op, "InvalidParameterValue", "StartTime and EndTime are required.")
	case !in.StartTime.Before(*in.EndTime):
		return nil, cwErr(op, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.")
	}
	seen := map[string]bool{}
	for _, q := range in.MetricDataQueries {
		id := aws.ToString(q.Id)
		if !cwIDRE.MatchString(id) {
			return nil, cwErr(op, "InvalidParameterValue", fmt.Sprintf("The value %s for parameter MetricDataQueries.member.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.", id))
		}
		if seen[id] {
			return nil, cwErr(op, "InvalidParameterValue", "The values for parameter id in MetricDataQueries are not unique.")
		}
		seen[id] = true
		if q.MetricStat == nil && q.Expression == nil {
			return nil, cwErr(op, "InvalidParameterValue", "Each MetricDataQuery needs MetricStat or Expression.")
		}
		if q.MetricStat != nil && (q.MetricStat.Metric == nil || q.MetricStat.Period == nil || q.MetricStat.Stat == nil) {
			return nil, cwErr(op, "InvalidParameterValue", "MetricStat needs Metric, Period and Stat.")
		}
	}
	results := make([]cwtypes.MetricDataResult, 0, len(in.MetricDataQueries))
	var msgs []cwtypes.MessageData
	for _, q := range in.MetricDataQueries {
		r := cwtypes.MetricDataResult{Id: q.Id, Label: q.Label, StatusCode: cwtypes.StatusCodeComplete, Timestamps: []time.Time{}, Values: []float64{}}
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		if q.MetricStat == nil {
			r.Messages = []cwtypes.MessageData{{Code: aws.String("Unsupported"), Value: aws.String("the demo fleet does not evaluate metric math or Metrics Insights")}}
			results = append(results, r)
			continue
		}
		if r.Label == nil {
			r.Label = q.MetricStat.Metric.MetricName
		}
		if c.region == Region {
			r.Timestamps, r.Values = c.f.cwSeries(q.MetricStat, *in.StartTime, *in.EndTime)
		}
		if in.ScanBy != cwtypes.ScanByTimestampAscending {
			slicesReverse(r.Timestamps)
			slicesReverse(r.Values)
		}
		results = append(results, r)
	}
	// MaxDatapoints / NextToken: the token is the number of points already returned, across results in order.
	limit := cwMaxDatapoints
	if in.MaxDatapoints != nil && *in.MaxDatapoints > 0 {
		limit = int(*in.MaxDatapoints)
	}
	offset := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "demo-"))
		if err != nil || !strings.HasPrefix(tok, "demo-") || n < 0 {
			return nil, cwErr(op, "InvalidNextToken", "The service couldn't process the NextToken.")
		}
		offset = n
	}
	skip, room, more := offset, limit, false
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
	out := &cloudwatch.GetMetricDataOutput{MetricDataResults: results, Messages: msgs}
	if more {
		out.NextToken = aws.String(fmt.Sprintf("demo-%d", offset+limit))
	}
	return out, nil
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// cwSeries evaluates one MetricStat over [start, end).
func (f *Fleet) cwSeries(ms *cwtypes.MetricStat, start, end time.Time) ([]time.Time, []float64) {
	ts, vs := []time.Time{}, []float64{}
	m := ms.Metric
	if aws.ToString(m.Namespace) != "AWS/RDS" {
		return ts, vs
	}
	gen := f.cwGenerator(aws.ToString(m.MetricName), m.Dimensions)
	if gen == nil {
		return ts, vs
	}
	period := int64(aws.ToInt32(ms.Period))
	// AWS: the period must suit the age of StartTime (60 s multiples < 15 d, 300 s < 63 d, 3600 s beyond),
	// otherwise no datapoints; StartTime is rounded down to that step.
	age := f.Now.Sub(start)
	step := int64(60)
	switch {
	case age > 63*24*time.Hour:
		step = 3600
	case age > 15*24*time.Hour:
		step = 300
	}
	if period < 60 || period%step != 0 {
		return ts, vs
	}
	stat := aws.ToString(ms.Stat)
	stride := time.Minute
	if period > 3600 {
		stride = time.Duration(period/60) * time.Second
		stride = stride.Truncate(time.Minute)
	}
	p := time.Duration(period) * time.Second
	buf := make([]float64, 0, 64)
	for b := start.UTC().Truncate(time.Duration(step) * time.Second); b.Before(end); b = b.Add(p) {
		buf = buf[:0]
		for t := b; t.Before(b.Add(p)) && t.Before(end); t = t.Add(stride) {
			if t.Before(start) || !t.Before(f.Now) {
				continue
			}
			if v, ok := gen(t); ok {
				buf = append(buf, v)
			}
		}
		if len(buf) == 0 {
			continue
		}
		if v, ok := cwAggregate(stat, buf); ok {
			ts = append(ts, b)
			vs = append(vs, v)
		}
	}
	return ts, vs
}

func cwAggregate(stat string, xs []float64) (float64, bool) {
	switch stat {
	case "Average":
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs)), true
	case "Sum":
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s, true
	case "Minimum":
		m := xs[0]
		for _, x := range xs {
			m = math.Min(m, x)
		}
		return m, true
	case "Maximum":
		m := xs[0]
		for _, x := range xs {
			m = math.Max(m, x)
		}
		return m, true
	case "SampleCount":
		return float64(len(xs)), true
	}
	if strings.HasPrefix(stat, "p") {
		p, err := strconv.ParseFloat(stat[1:], 64)
		if err != nil || p < 0 || p > 100 {
			return 0, false
		}
		s := append([]float64(nil), xs...)
		sort.Float64s(s)
		i := int(math.Ceil(p/100*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))], true
	}
	return 0, false
}

// cwGenerator returns the per-minute value function of a metric with an exact dimension set, or nil when the
// fleet publishes no such metric.
func (f *Fleet) cwGenerator(name string, dims []cwtypes.Dimension) func(time.Time) (float64, bool) {
	d := map[string]string{}
	for _, x := range dims {
		d[aws.ToString(x.Name)] = aws.ToString(x.Value)
	}
	switch {
	case len(d) == 1 && d["DBInstanceIdentifier"] != "":
		if inst := f.Instance(d["DBInstanceIdentifier"]); inst != nil {
			return f.cwInstanceGen(inst, name)
		}
	case len(d) == 1 && d["DBClusterIdentifier"] != "":
		if c := f.Cluster(d["DBClusterIdentifier"]); c != nil {
			return f.cwClusterGen(c, name)
		}
	case len(d) == 2 && d["DBClusterIdentifier"] != "" && (d["Role"] == "WRITER" || d["Role"] == "READER"):
		c := f.Cluster(d["DBClusterIdentifier"])
		if c == nil || !strings.HasPrefix(c.Engine, "aurora") {
			return nil
		}
		var gens []func(time.Time) (float64, bool)
		var ids []string
		for _, m := range c.Members {
			if g := f.cwInstanceGen(m, name); g != nil {
				gens, ids = append(gens, g), append(ids, m.ID)
			}
		}
		if len(gens) == 0 {
			return nil
		}
		wantWriter := d["Role"] == "WRITER"
		return func(t time.Time) (float64, bool) {
			w := f.WriterAt(c.ID, t)
			sum, n := 0.0, 0
			for i, g := range gens {
				if (ids[i] == w) != wantWriter {
					continue
				}
				if v, ok := g(t); ok {
					sum += v
					n++
				}
			}
			if n == 0 {
				return 0, false
			}
			return sum / float64(n), true
		}
	}
	return nil
}

// cwNoise is a deterministic value in [-1, 1) for a series key and a minute.
func cwNoise(key uint64, t time.Time) float64 {
	x := key ^ uint64(t.Unix()/60)*0x9E3779B97F4A7C15
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11)/(1<<52) - 1
}

// cwDay is the diurnal shape, 0 at 04:00 and 1 at 16:00 in Seoul (UTC+9).
func cwDay(t time.Time) float64 {
	h := float64((t.UTC().Hour()+9)%24) + float64(t.Minute())/60
	return 0.5 - 0.5*math.Cos(2*math.Pi*(h-4)/24)
}

func cwIn(t, from time.Time, d time.Duration) bool { return !t.Before(from) && t.Before(from.Add(d)) }

// cwStorm is 0 outside the incident and ramps 0→1 over its first 4 minutes and back over its last 2.
func (f *Fleet) cwStorm(t time.Time) float64 {
	inc := f.Incident
	if !cwIn(t, inc.Start, inc.End.Sub(inc.Start)) {
		return 0
	}
	r := math.Min(1, float64(t.Sub(inc.Start)/time.Minute+1)/4)
	if left := inc.End.Sub(t); left < 2*time.Minute {
		r = math.Min(r, float64(left/time.Minute+1)/3)
	}
	return r
}

// cwDown reports minutes without data: both writers restart during the failover, LaggingReader reboots.
func (f *Fleet) cwDown(inst *Instance, t time.Time) bool {
	if inst.Cluster == nil || inst.Cluster.ID != "orders-prod" {
		return false
	}
	inc := f.Incident
	if (inst.ID == inc.OldWriter || inst.ID == inc.Writer) && cwIn(t, inc.FailoverAt, 2*time.Minute) {
		return true
	}
	return inst.ID == inc.LaggingReader && cwIn(t, inc.RebootAt, 3*time.Minute)
}

// cwPublished lists the metrics each engine publishes per instance (role-bound ones are checked per minute).
var cwPublished = map[string][]string{
	"aurora-mysql": {"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency",
		"BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLag", "AuroraReplicaLagMaximum", "AuroraReplicaLagMinimum", "DBLoad", "DBLoadCPU",
		"DBLoadNonCPU", "DBLoadRelativeToNumVCPUs", "CommitLatency", "CommitThroughput", "DMLLatency", "SelectLatency", "Queries",
		"NetworkReceiveThroughput", "NetworkTransmitThroughput", "FreeLocalStorage", "EngineUptime"},
	"aurora-postgresql": {"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency",
		"SwapUsage", "BufferCacheHitRatio", "Deadlocks", "AuroraReplicaLag", "AuroraReplicaLagMaximum", "AuroraReplicaLagMinimum", "DBLoad",
		"DBLoadCPU", "DBLoadNonCPU", "DBLoadRelativeToNumVCPUs", "CommitLatency", "CommitThroughput", "DiskQueueDepth", "MaximumUsedTransactionIDs",
		"NetworkReceiveThroughput", "NetworkTransmitThroughput", "FreeLocalStorage", "EngineUptime"},
	"mysql": {"CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency", "SwapUsage",
		"FreeStorageSpace", "DiskQueueDepth", "NetworkReceiveThroughput", "NetworkTransmitThroughput", "BurstBalance"},
}

// cwClusterPublished lists the cluster-level metrics ({DBClusterIdentifier}) per engine.
var cwClusterPublished = map[string][]string{
	"aurora-mysql":      {"VolumeBytesUsed", "AuroraVolumeBytesLeftTotal", "VolumeReadIOPs", "VolumeWriteIOPs"},
	"aurora-postgresql": {"VolumeBytesUsed", "VolumeReadIOPs", "VolumeWriteIOPs"},
}

func cwHas(list []string, name string) bool {
	for _, x := range list {
		if x == name {
			return true
		}
	}
	return false
}

// cwInstanceGen builds the per-minute model of one instance metric.
func (f *Fleet) cwInstanceGen(inst *Instance, name string) func(time.Time) (float64, bool) {
	if !cwHas(cwPublished[inst.Engine], name) {
		return nil
	}
	if strings.HasPrefix(name, "DBLoad") && !inst.PIEnabled {
		return nil
	}
	series := name
	if strings.HasPrefix(name, "DBLoad") {
		series = "DBLoad" // the parts share DBLoad's noise and gaps, so they add up
	}
	r := rng(inst.ID + "/" + series)
	key := r.Uint64()
	lvl := 0.9 + 0.2*r.Float64() // per-series level
	mem := classes[inst.Class].MemGiB * (1 << 30)
	vcpu := float64(max(1, classes[inst.Class].VCPU))
	clusterID := ""
	if inst.Cluster != nil {
		clusterID = inst.Cluster.ID
	}
	orders := clusterID == "orders-prod"
	reporting := orders && inst.ID == f.Incident.LaggingReader
	isWriter := func(t time.Time) bool {
		if inst.Cluster == nil {
			return true
		}
		return f.WriterAt(clusterID, t) == inst.ID
	}
	hot := func(t time.Time) float64 {
		if !orders || !isWriter(t) {
			return 0
		}
		return f.cwStorm(t)
	}
	n := func(t time.Time) float64 { return cwNoise(key, t) }
	blend := func(a, b, w float64) float64 { return a + (b-a)*w }
	// readerLag is AuroraReplicaLag of a reader at t (ms).
	readerLag := func(rd *Instance, rkey uint64, t time.Time) float64 {
		v := 12 + 6*cwDay(t) + 2*cwNoise(rkey, t)
		if rd.Cluster.ID == "orders-prod" && rd.ID == f.Incident.LaggingReader {
			inc := f.Incident
			if s := f.cwStorm(t); s > 0 {
				prog := float64(t.Sub(inc.Start)) / float64(inc.End.Sub(inc.Start))
				v = blend(v, 1800+4700*math.Sin(math.Pi*prog)+300*cwNoise(rkey, t), s)
			} else if after := t.Sub(inc.End); after >= 0 && after < 6*time.Minute {
				v += 1500 * math.Exp(-float64(after/time.Minute))
			}
		}
		return math.Max(1, v)
	}
	// db.load (average active sessions) and its CPU part come from the Performance Insights model (pi.go),
	// so CloudWatch's DBLoad and PI's db.load.avg agree minute by minute.
	load := func(t time.Time) (total, cpu float64, ok bool) {
		acts := f.piActivity(inst, t.Truncate(time.Minute))
		for _, a := range acts {
			total += a.load
			if a.wait == "CPU" {
				cpu += a.load
			}
		}
		return total, cpu, len(acts) > 0
	}
	var g func(t time.Time) (float64, bool)
	switch name {
	case "CPUUtilization":
		g = func(t time.Time) (float64, bool) {
			d := cwDay(t)
			v := (9 + 12*d) * lvl
			switch {
			case inst.Cluster == nil:
				v = (12 + 10*d) * lvl
			case isWriter(t):
				v = (20 + 26*d) * lvl
			case reporting:
				v += 8
			}
			v += 2 * n(t)
			if reporting && f.cwStorm(t) > 0 {
				v += 12 * f.cwStorm(t) // applying the writer's redo faster
			}
			v = blend(v, 94.5+2*n(t), hot(t))
			return math.Min(99.8, math.Max(0.5, v)), true
		}
	case "FreeableMemory":
		g = func(t time.Time) (float64, bool) {
			share := 0.52 - 0.04*cwDay(t)
			if isWriter(t) {
				share = 0.36 - 0.05*cwDay(t)
			}
			share += 0.004 * n(t)
			share = blend(share, 0.085+0.004*n(t), hot(t))
			return mem * share, true
		}
	case "DatabaseConnections":
		g = func(t time.Time) (float64, bool) {
			d := cwDay(t)
			v := (30 + 28*d) * lvl
			switch {
			case inst.Cluster == nil:
				v = (18 + 14*d) * lvl
			case isWriter(t):
				v = (100 + 90*d) * lvl
			}
			v += 3 * n(t)
			v = blend(v, 620+25*n(t), hot(t))
			return math.Round(math.Max(0, v)), true
		}
	case "ReadIOPS":
		g = func(t time.Time) (float64, bool) {
			v := (350 + 600*cwDay(t)) * lvl
			if isWriter(t) {
				v = (850 + 1300*cwDay(t)) * lvl
			}
			v *= 1 + 0.05*n(t)
			return blend(v, 4200+200*n(t), hot(t)), true
		}
	case "WriteIOPS":
		g = func(t time.Time) (float64, bool) {
			v := 4 + 2*n(t)
			if isWriter(t) {
				v = (650 + 900*cwDay(t)) * lvl * (1 + 0.05*n(t))
			}
			return math.Max(0, blend(v, 2100+150*n(t), hot(t))), true
		}
	case "ReadLatency":
		g = func(t time.Time) (float64, bool) {
			v := (0.0008 + 0.0004*cwDay(t)) * lvl * (1 + 0.1*n(t))
			return blend(v, 0.0046+0.0004*n(t), hot(t)), true
		}
	case "WriteLatency":
		g = func(t time.Time) (float64, bool) {
			v := 0.0003 * (1 + 0.1*n(t))
			if isWriter(t) {
				v = (0.0011 + 0.0005*cwDay(t)) * lvl * (1 + 0.1*n(t))
			}
			return blend(v, 0.0062+0.0005*n(t), hot(t)), true
		}
	case "SwapUsage":
		g = func(t time.Time) (float64, bool) { return math.Max(0, (3+0.5*n(t))*(1<<20)), true }
	case "BufferCacheHitRatio":
		g = func(t time.Time) (float64, bool) {
			v := 99.72 + 0.12*n(t)
			if reporting && f.cwStorm(t) == 0 {
				v -= 0.6
			}
			return math.Min(100, blend(v, 93.8+0.6*n(t), hot(t))), true
		}
	case "Deadlocks":
		g = func(t time.Time) (float64, bool) {
			v := 0.0
			if orders && isWriter(t) && n(t) > 0.96 {
				v = 1.0 / 60
			}
			return blend(v, 0.28+0.08*n(t), hot(t)), true
		}
	case "AuroraReplicaLag":
		g = func(t time.Time) (float64, bool) {
			if isWriter(t) {
				return 0, false
			}
			return readerLag(inst, key, t), true
		}
	case "AuroraReplicaLagMaximum", "AuroraReplicaLagMinimum":
		if inst.Cluster == nil {
			return nil
		}
		type rd struct {
			inst *Instance
			key  uint64
		}
		var rds []rd
		for _, m := range inst.Cluster.Members {
			rds = append(rds, rd{m, rng(m.ID + "/AuroraReplicaLag").Uint64()})
		}
		wantMax := name == "AuroraReplicaLagMaximum"
		g = func(t time.Time) (float64, bool) {
			if !isWriter(t) {
				return 0, false
			}
			best, ok := 0.0, false
			for _, x := range rds {
				if x.inst.ID == inst.ID || f.cwDown(x.inst, t) {
					continue
				}
				v := readerLag(x.inst, x.key, t)
				if !ok || (wantMax && v > best) || (!wantMax && v < best) {
					best, ok = v, true
				}
			}
			return best, ok
		}
	case "DBLoad", "DBLoadCPU", "DBLoadNonCPU", "DBLoadRelativeToNumVCPUs":
		g = func(t time.Time) (float64, bool) {
			l, cpu, ok := load(t)
			switch name {
			case "DBLoadCPU":
				return cpu, ok
			case "DBLoadNonCPU":
				return l - cpu, ok
			case "DBLoadRelativeToNumVCPUs":
				return l / vcpu, ok
			}
			return l, ok
		}
	case "CommitLatency":
		g = func(t time.Time) (float64, bool) {
			v := 0.4 + 0.1*n(t)
			if isWriter(t) {
				v = (1.7 + 0.8*cwDay(t)) * lvl * (1 + 0.08*n(t))
			}
			return blend(v, 31+4*n(t), hot(t)), true
		}
	case "CommitThroughput":
		g = func(t time.Time) (float64, bool) {
			if !isWriter(t) {
				return 0, true
			}
			return blend((150+240*cwDay(t))*lvl*(1+0.05*n(t)), 90+10*n(t), hot(t)), true
		}
	case "DMLLatency":
		g = func(t time.Time) (float64, bool) {
			if !isWriter(t) {
				return 0, true
			}
			return blend((0.42+0.2*cwDay(t))*lvl*(1+0.08*n(t)), 17+3*n(t), hot(t)), true
		}
	case "SelectLatency":
		g = func(t time.Time) (float64, bool) {
			v := (0.32 + 0.22*cwDay(t)) * lvl * (1 + 0.08*n(t))
			if reporting {
				v = 1.1 + 0.6*cwDay(t) + 0.1*n(t)
			}
			return blend(v, 44+6*n(t), hot(t)), true
		}
	case "Queries":
		g = func(t time.Time) (float64, bool) {
			v := (800 + 1200*cwDay(t)) * lvl
			if isWriter(t) {
				v = (2000 + 2800*cwDay(t)) * lvl
			}
			return blend(v*(1+0.05*n(t)), 1400+80*n(t), hot(t)), true
		}
	case "NetworkReceiveThroughput", "NetworkTransmitThroughput":
		g = func(t time.Time) (float64, bool) {
			v := (0.8e6 + 1.6e6*cwDay(t)) * lvl
			if isWriter(t) {
				v = (2.4e6 + 4e6*cwDay(t)) * lvl
			}
			return v * (1 + 0.06*n(t)), true
		}
	case "FreeLocalStorage":
		local := map[string]float64{"db.r6g.large": 32, "db.r6g.xlarge": 64}[inst.Class] * (1 << 30)
		g = func(t time.Time) (float64, bool) { return local * (0.82 + 0.01*n(t)), local > 0 }
	case "EngineUptime":
		g = func(t time.Time) (float64, bool) {
			since := inst.Created
			inc := f.Incident
			if orders && (inst.ID == inc.OldWriter || inst.ID == inc.Writer) && !t.Before(inc.FailoverAt) {
				since = inc.FailoverAt.Add(2 * time.Minute)
			}
			if orders && inst.ID == inc.LaggingReader && !t.Before(inc.RebootAt) {
				since = inc.RebootAt.Add(3 * time.Minute)
			}
			return t.Sub(since).Seconds(), true
		}
	case "DiskQueueDepth":
		g = func(t time.Time) (float64, bool) { return math.Max(0, (0.5+0.9*cwDay(t))*lvl+0.15*n(t)), true }
	case "MaximumUsedTransactionIDs":
		g = func(t time.Time) (float64, bool) {
			// autovacuum freezes every 2 days: a sawtooth
			h := float64((t.Unix() / 3600) % 48)
			return math.Round(1.1e8 + 2.6e6*h), true
		}
	case "FreeStorageSpace":
		const allocated = 200 << 30
		g = func(t time.Time) (float64, bool) {
			used := 140.0*(1<<30) + 0.35*(1<<30)*t.Sub(f.Now).Hours()/24
			return math.Max(0, allocated-used+40*(1<<20)*n(t)), true
		}
	case "BurstBalance":
		g = func(t time.Time) (float64, bool) { return math.Min(100, 97+2*n(t)), true }
	}
	if g == nil {
		return nil
	}
	return func(t time.Time) (float64, bool) {
		if t.Before(inst.Created) || f.cwDown(inst, t) {
			return 0, false
		}
		v, ok := g(t)
		if !ok {
			return 0, false
		}
		if strings.HasPrefix(name, "DBLoad") {
			if l, _, _ := load(t); l < 0.05 || cwNoise(key^0xD1B54A32D192ED03, t) > 0.96 {
				return 0, false // PI publishes only while there is load, and misses some minutes
			}
		}
		return v, true
	}
}

// cwClusterGen builds the per-minute model of one cluster-level metric.
func (f *Fleet) cwClusterGen(c *Cluster, name string) func(time.Time) (float64, bool) {
	if !cwHas(cwClusterPublished[c.Engine], name) {
		return nil
	}
	key := rng(c.ID + "/" + name).Uint64()
	used := func(t time.Time) float64 {
		days := t.Sub(c.Created).Hours() / 24
		return c.StorageStartBytes + c.StorageGrowthPerDay*days + 24*(1<<20)*math.Sin(float64(t.Unix()/60)/97)
	}
	var g func(time.Time) (float64, bool)
	switch name {
	case "VolumeBytesUsed":
		g = func(t time.Time) (float64, bool) { return used(t), true }
	case "AuroraVolumeBytesLeftTotal":
		g = func(t time.Time) (float64, bool) { return 128*(1<<40) - used(t), true }
	case "VolumeReadIOPs", "VolumeWriteIOPs":
		base := 300 * (400 + 600*0.5)
		if name == "VolumeWriteIOPs" {
			base = 300 * (700 + 500*0.5)
		}
		g = func(t time.Time) (float64, bool) {
			if t.Minute()%5 != 0 { // billed I/O is reported every 5 minutes
				return 0, false
			}
			v := base * (0.5 + cwDay(t)) * (1 + 0.05*cwNoise(key, t))
			if c.ID == "orders-prod" && f.cwStorm(t) > 0 {
				v *= 3
			}
			return v, true
		}
	}
	return func(t time.Time) (float64, bool) {
		if t.Before(c.Created) {
			return 0, false
		}
		return g(t)
	}
}

func (c *cloudWatchAPI) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	var all []cwtypes.Metric
	add := func(name string, dims ...string) {
		m := cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(name)}
		for i := 0; i+1 < len(dims); i += 2 {
			m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
		}
		all = append(all, m)
	}
	if c.region == Region && (in.Namespace == nil || *in.Namespace == "AWS/RDS") {
		inc := c.f.Incident
		for _, inst := range c.f.Instances() {
			for _, name := range cwPublished[inst.Engine] {
				if strings.HasPrefix(name, "DBLoad") && !inst.PIEnabled {
					continue
				}
				// role-bound metrics are listed for whoever had the role in the last two weeks
				wasWriter := inst.Writer || (inst.Cluster != nil && inst.Cluster.ID == "orders-prod" && inst.ID == inc.OldWriter)
				wasReader := inst.Cluster != nil && (!inst.Writer || (inst.Cluster.ID == "orders-prod" && inst.ID == inc.Writer))
				if (name == "AuroraReplicaLag" && !wasReader) || (strings.HasPrefix(name, "AuroraReplicaLagM") && !wasWriter) {
					continue
				}
				add(name, "DBInstanceIdentifier", inst.ID)
			}
		}
		for _, cl := range c.f.Clusters {
			for _, name := range cwClusterPublished[cl.Engine] {
				add(name, "DBClusterIdentifier", cl.ID)
			}
			if strings.HasPrefix(cl.Engine, "aurora") {
				for _, name := range cwPublished[cl.Engine] {
					add(name, "DBClusterIdentifier", cl.ID, "Role", "WRITER")
					if name != "AuroraReplicaLagMaximum" && name != "AuroraReplicaLagMinimum" {
						add(name, "DBClusterIdentifier", cl.ID, "Role", "READER")
					}
				}
			}
		}
	}
	var out []cwtypes.Metric
	for _, m := range all {
		if in.MetricName != nil && *in.MetricName != aws.ToString(m.MetricName) {
			continue
		}
		if !cwDimsMatch(in.Dimensions, m.Dimensions) {
			continue
		}
		out = append(out, m)
	}
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "demo-"))
		if err != nil || n < 0 || n > len(out) {
			return nil, cwErr("ListMetrics", "InvalidNextToken", "The service couldn't process the NextToken.")
		}
		start = n
	}
	end := min(start+500, len(out))
	res := &cloudwatch.ListMetricsOutput{Metrics: out[start:end]}
	if end < len(out) {
		res.NextToken = aws.String(fmt.Sprintf("demo-%d", end))
	}
	return res, nil
}

// cwDimsMatch applies ListMetrics dimension filters: each filter names a dimension the metric has (and its
// value, when given).
func cwDimsMatch(filters []cwtypes.DimensionFilter, dims []cwtypes.Dimension) bool {
	for _, fl := range filters {
		ok := false
		for _, d := range dims {
			if aws.ToString(d.Name) == aws.ToString(fl.Name) && (fl.Value == nil || aws.ToString(fl.Value) == aws.ToString(d.Value)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
