package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// Alarms (issue: events/maintenance/alarms).
//
// orders-prod has a role-series writer CPU alarm that went OK→ALARM five minutes into the storm and back to OK
// after it ended (the storm followed the writer role through the failover, so the role series stayed in
// ALARM), a per-instance CPU alarm on the old writer that recovered at the failover although the storm went
// on (why role series are recommended), a reader-lag alarm, a composite over both, and a reader DBLoad alarm
// with insufficient data (DBLoad has no datapoints when idle). billing-pg has the recommended alarms but one with an older threshold:
// it has a writer CPU alarm with a lower threshold than recommended and a storage alarm that is in ALARM now
// (VolumeBytesUsed crossed its threshold three days ago, following the fleet's storage growth). The
// standalone instance and an unrelated load balancer alarm complete the account.

const alarmTopic = "arn:aws:sns:" + Region + ":" + Account + ":db-oncall"

// alarmHistoryRetention is how long CloudWatch keeps alarm history.
const alarmHistoryRetention = 14 * 24 * time.Hour

type alarmSet struct {
	metric    []cwtypes.MetricAlarm
	composite []cwtypes.CompositeAlarm
	history   []cwtypes.AlarmHistoryItem // oldest first
}

type alarmTransition struct {
	at       time.Time
	from, to string
	reason   string
}

// alarmVolumeBytes is VolumeBytesUsed of c at t under the fleet's linear storage growth.
func alarmVolumeBytes(c *Cluster, t time.Time) float64 {
	return c.StorageStartBytes + c.StorageGrowthPerDay*t.Sub(c.Created).Hours()/24
}

func (f *Fleet) alarms() alarmSet {
	var d alarmSet
	inc := f.Incident
	created := f.Now.AddDate(0, -3, 0).Truncate(24 * time.Hour)
	dims := func(kv ...string) []cwtypes.Dimension {
		var out []cwtypes.Dimension
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	metric := func(name, ns, metricName string, ds []cwtypes.Dimension, stat cwtypes.Statistic, period, dp, ev int32,
		op cwtypes.ComparisonOperator, th float64, ts []alarmTransition) {
		state, reason, since := "OK", "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].", created
		if n := len(ts); n > 0 {
			state, reason, since = ts[n-1].to, ts[n-1].reason, ts[n-1].at
		}
		d.metric = append(d.metric, cwtypes.MetricAlarm{
			AlarmName: aws.String(name), AlarmArn: aws.String(alarmARN(name)), Namespace: aws.String(ns), MetricName: aws.String(metricName),
			Dimensions: ds, Statistic: stat, Period: aws.Int32(period), DatapointsToAlarm: aws.Int32(dp), EvaluationPeriods: aws.Int32(ev),
			ComparisonOperator: op, Threshold: aws.Float64(th), TreatMissingData: aws.String("missing"),
			ActionsEnabled: aws.Bool(true), AlarmActions: []string{alarmTopic}, OKActions: []string{alarmTopic},
			StateValue: cwtypes.StateValue(state), StateReason: aws.String(reason),
			StateTransitionedTimestamp: aws.Time(since), StateUpdatedTimestamp: aws.Time(since),
			AlarmConfigurationUpdatedTimestamp: aws.Time(created),
		})
		d.history = append(d.history, alarmHistoryItems(name, cwtypes.AlarmTypeMetricAlarm, ts)...)
	}
	gt := cwtypes.ComparisonOperatorGreaterThanThreshold
	ms := func(t time.Time, ms int) time.Time { return t.Add(time.Duration(ms) * time.Millisecond) }

	// orders-prod.
	cpuUp := ms(inc.Start.Add(5*time.Minute), 812)
	cpuDown := ms(inc.End.Add(4*time.Minute), 337)
	metric("orders-prod-writer-cpu-high", "AWS/RDS", "CPUUtilization", dims("DBClusterIdentifier", "orders-prod", "Role", "WRITER"),
		cwtypes.StatisticAverage, 60, 5, 5, gt, 90, []alarmTransition{
			{cpuUp, "OK", "ALARM", alarmThresholdReason(5, 5, []float64{94.8, 95.6, 96.1, 95.2, 95.9}, inc.Start, "greater than", 90)},
			{cpuDown, "ALARM", "OK", alarmThresholdReason(1, 5, []float64{31.4}, inc.End.Add(3*time.Minute), "not greater than", 90)},
		})
	metric("orders-prod-2-cpu-high", "AWS/RDS", "CPUUtilization", dims("DBInstanceIdentifier", inc.OldWriter),
		cwtypes.StatisticAverage, 300, 1, 1, gt, 80, []alarmTransition{
			{ms(inc.Start.Add(5*time.Minute), 104), "OK", "ALARM", alarmThresholdReason(1, 1, []float64{93.7}, inc.Start, "greater than", 80)},
			{ms(inc.FailoverAt.Add(5*time.Minute), 551), "ALARM", "OK", alarmThresholdReason(1, 1, []float64{12.9}, inc.FailoverAt, "not greater than", 80)},
		})
	lagUp := ms(inc.Start.Add(9*time.Minute), 230)
	lagDown := ms(inc.End.Add(6*time.Minute), 918)
	metric("orders-prod-reader-lag", "AWS/RDS", "AuroraReplicaLag", dims("DBClusterIdentifier", "orders-prod", "Role", "READER"),
		cwtypes.StatisticMaximum, 60, 5, 5, gt, 1000, []alarmTransition{
			{lagUp, "OK", "ALARM", alarmThresholdReason(5, 5, []float64{1840, 2210, 2630, 2950, 3120}, inc.Start.Add(4*time.Minute), "greater than", 1000)},
			{lagDown, "ALARM", "OK", alarmThresholdReason(1, 5, []float64{18}, inc.End.Add(5*time.Minute), "not greater than", 1000)},
		})
	metric("orders-prod-reader-dbload", "AWS/RDS", "DBLoad", dims("DBClusterIdentifier", "orders-prod", "Role", "READER"),
		cwtypes.StatisticAverage, 60, 15, 15, gt, 2, []alarmTransition{
			{ms(inc.End.Add(40*time.Minute), 12), "OK", "INSUFFICIENT_DATA", "Insufficient Data: 15 datapoints were unknown."},
		})
	// billing-pg.
	metric("billing-pg-writer-cpu", "AWS/RDS", "CPUUtilization", dims("DBClusterIdentifier", "billing-pg", "Role", "WRITER"),
		cwtypes.StatisticAverage, 300, 3, 3, gt, 80, nil)
	// billing-pg has the rest of the recommended set (AWS guidance, role series that survive failovers); its
	// writer CPU alarm keeps an older 80% threshold.
	lt := cwtypes.ComparisonOperatorLessThanThreshold
	for _, role := range []string{"WRITER", "READER"} {
		r := strings.ToLower(role)
		ds := dims("DBClusterIdentifier", "billing-pg", "Role", role)
		avg := cwtypes.StatisticAverage
		if role == "READER" {
			metric("billing-pg-reader-CPUUtilization", "AWS/RDS", "CPUUtilization", ds, avg, 60, 5, 5, gt, 90, nil)
			metric("billing-pg-reader-AuroraReplicaLag", "AWS/RDS", "AuroraReplicaLag", ds, cwtypes.StatisticMaximum, 60, 5, 5, gt, 1000, nil)
		} else {
			metric("billing-pg-writer-WriteLatency", "AWS/RDS", "WriteLatency", ds, "", 60, 5, 5, gt, 0.02, nil)
			d.metric[len(d.metric)-1].ExtendedStatistic = aws.String("p90")
			metric("billing-pg-writer-EngineUptime", "AWS/RDS", "EngineUptime", ds, avg, 60, 2, 2, cwtypes.ComparisonOperatorLessThanOrEqualToThreshold, 0, nil)
			metric("billing-pg-writer-MaximumUsedTransactionIDs", "AWS/RDS", "MaximumUsedTransactionIDs", ds, avg, 60, 1, 1, gt, 1e9, nil)
		}
		metric("billing-pg-"+r+"-FreeableMemory", "AWS/RDS", "FreeableMemory", ds, avg, 60, 15, 15, lt, 858993459, nil)
		metric("billing-pg-"+r+"-DatabaseConnections", "AWS/RDS", "DatabaseConnections", ds, avg, 60, 5, 5, gt, 1621, nil)
		metric("billing-pg-"+r+"-DBLoad", "AWS/RDS", "DBLoad", ds, avg, 60, 15, 15, gt, 2, nil)
		metric("billing-pg-"+r+"-ReadLatency", "AWS/RDS", "ReadLatency", ds, "", 60, 5, 5, gt, 0.02, nil)
		d.metric[len(d.metric)-1].ExtendedStatistic = aws.String("p90")
		metric("billing-pg-"+r+"-BufferCacheHitRatio", "AWS/RDS", "BufferCacheHitRatio", ds, avg, 60, 10, 10, lt, 80, nil)
	}
	if c := f.Cluster("billing-pg"); c != nil && c.StorageGrowthPerDay > 0 {
		// Sized for a year of growth: OK.
		const step = 10 << 30
		th := math.Ceil((alarmVolumeBytes(c, f.Now)+365*c.StorageGrowthPerDay)/step) * step
		metric("billing-pg-storage-high", "AWS/RDS", "VolumeBytesUsed", dims("DBClusterIdentifier", "billing-pg"),
			cwtypes.StatisticAverage, 300, 1, 1, gt, th, nil)
	}
	// The standalone instance and something that is not a database.
	metric("legacy-mysql-cpu", "AWS/RDS", "CPUUtilization", dims("DBInstanceIdentifier", "legacy-mysql"),
		cwtypes.StatisticAverage, 60, 5, 5, gt, 90, nil)
	metric("web-alb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dims("LoadBalancer", "app/web/8d1c2b3a4e5f6071"),
		cwtypes.StatisticSum, 60, 3, 3, gt, 50, nil)

	// Composite over the orders-prod writer CPU and reader lag alarms.
	name := "orders-prod-degraded"
	ts := []alarmTransition{
		{ms(cpuUp, 450), "OK", "ALARM", alarmCompositeReason("orders-prod-writer-cpu-high", "ALARM", cpuUp)},
		{ms(lagDown, 380), "ALARM", "OK", alarmCompositeReason("orders-prod-reader-lag", "OK", lagDown)},
	}
	last := ts[len(ts)-1]
	d.composite = append(d.composite, cwtypes.CompositeAlarm{
		AlarmName: aws.String(name), AlarmArn: aws.String(alarmARN(name)),
		AlarmRule:      aws.String(`ALARM("orders-prod-writer-cpu-high") OR ALARM("orders-prod-reader-lag")`),
		ActionsEnabled: aws.Bool(true), AlarmActions: []string{alarmTopic},
		StateValue: cwtypes.StateValue(last.to), StateReason: aws.String(last.reason),
		StateTransitionedTimestamp: aws.Time(last.at), StateUpdatedTimestamp: aws.Time(last.at),
		AlarmConfigurationUpdatedTimestamp: aws.Time(created),
	})
	d.history = append(d.history, alarmHistoryItems(name, cwtypes.AlarmTypeCompositeAlarm, ts)...)
	sort.SliceStable(d.history, func(i, j int) bool { return d.history[i].Timestamp.Before(*d.history[j].Timestamp) })
	return d
}

func alarmARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", Region, Account, name)
}

// alarmThresholdReason is CloudWatch's state reason text for a threshold evaluation.
func alarmThresholdReason(n, of int, vals []float64, first time.Time, verb string, th float64) string {
	pts := make([]string, len(vals))
	for i, v := range vals {
		pts[i] = fmt.Sprintf("%s (%s)", strconv.FormatFloat(v, 'f', -1, 64), first.Add(time.Duration(i)*time.Minute).UTC().Format("02/01/06 15:04:05"))
	}
	noun, were := "datapoints", "were"
	if n == 1 {
		noun, were = "datapoint", "was"
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d %s [%s] %s %s the threshold (%s) (minimum %d datapoint for transition).",
		n, of, noun, strings.Join(pts, ", "), were, verb, strconv.FormatFloat(th, 'f', 1, 64), n)
}

func alarmCompositeReason(child, state string, at time.Time) string {
	return fmt.Sprintf("%s transitioned to %s at %s", alarmARN(child), state, at.UTC().Format("Monday 02 January, 2006 15:04:05 UTC"))
}

func alarmHistoryItems(name string, typ cwtypes.AlarmType, ts []alarmTransition) []cwtypes.AlarmHistoryItem {
	var out []cwtypes.AlarmHistoryItem
	for _, t := range ts {
		data, _ := json.Marshal(map[string]any{
			"version":  "1.0",
			"oldState": map[string]any{"stateValue": t.from},
			"newState": map[string]any{"stateValue": t.to, "stateReason": t.reason},
		})
		out = append(out, cwtypes.AlarmHistoryItem{
			AlarmName: aws.String(name), AlarmType: typ, Timestamp: aws.Time(t.at.UTC()),
			HistoryItemType: cwtypes.HistoryItemTypeStateUpdate, HistorySummary: aws.String("Alarm updated from " + t.from + " to " + t.to),
			HistoryData: aws.String(string(data)),
		})
	}
	return out
}

func alarmErr(op, code, msg string) error {
	return opErr("CloudWatch", op, &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient})
}

// alarmPage pages items with NextToken = offset, like page does for RDS markers.
func alarmPage[T any](items []T, token *string, max *int32, def int) ([]T, *string, error) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(*token)
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("invalid token")
		}
		start = n
	}
	n := def
	if max != nil && *max > 0 {
		n = int(*max)
	}
	start = min(start, len(items))
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = aws.String(strconv.Itoa(end))
	}
	return items[start:end], next, nil
}

// DescribeAlarms serves the alarms like CloudWatch: metric alarms only unless AlarmTypes asks for composite
// ones; AlarmNames, AlarmNamePrefix (not both), StateValue and ActionPrefix all apply; NextToken paging
// (MaxRecords 1–100, default 50).
func (c *cloudWatchAPI) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	const op = "DescribeAlarms"
	if in.AlarmNamePrefix != nil && len(in.AlarmNames) > 0 {
		return nil, alarmErr(op, "InvalidParameterCombination", "AlarmNamePrefix and AlarmNames cannot both be specified")
	}
	if in.MaxRecords != nil && (*in.MaxRecords < 1 || *in.MaxRecords > 100) {
		return nil, alarmErr(op, "InvalidParameterValue", "MaxRecords must be between 1 and 100")
	}
	types := in.AlarmTypes
	if len(types) == 0 {
		types = []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}
	}
	type entry struct {
		m *cwtypes.MetricAlarm
		c *cwtypes.CompositeAlarm
	}
	keep := func(name string, state cwtypes.StateValue, actions []string) bool {
		switch {
		case len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, name):
		case in.AlarmNamePrefix != nil && !strings.HasPrefix(name, *in.AlarmNamePrefix):
		case in.StateValue != "" && state != in.StateValue:
		case in.ActionPrefix != nil && !slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, *in.ActionPrefix) }):
		default:
			return true
		}
		return false
	}
	var all []entry
	if c.region == Region {
		d := c.f.alarms()
		if slices.Contains(types, cwtypes.AlarmTypeMetricAlarm) {
			for i := range d.metric {
				m := &d.metric[i]
				if keep(aws.ToString(m.AlarmName), m.StateValue, m.AlarmActions) {
					all = append(all, entry{m: m})
				}
			}
		}
		if slices.Contains(types, cwtypes.AlarmTypeCompositeAlarm) {
			for i := range d.composite {
				a := &d.composite[i]
				if keep(aws.ToString(a.AlarmName), a.StateValue, a.AlarmActions) {
					all = append(all, entry{c: a})
				}
			}
		}
	}
	items, next, err := alarmPage(all, in.NextToken, in.MaxRecords, 50)
	if err != nil {
		return nil, alarmErr(op, "InvalidNextToken", "The service cannot process the next token")
	}
	out := &cloudwatch.DescribeAlarmsOutput{NextToken: next}
	for _, e := range items {
		if e.m != nil {
			out.MetricAlarms = append(out.MetricAlarms, *e.m)
		} else {
			out.CompositeAlarms = append(out.CompositeAlarms, *e.c)
		}
	}
	return out, nil
}

// DescribeAlarmHistory serves the alarm history like CloudWatch: 14 days kept, metric alarms only unless
// AlarmTypes says otherwise, AlarmName, HistoryItemType and StartDate/EndDate filters, newest first unless
// ScanBy is TimestampAscending, NextToken paging (MaxRecords 1–100, default 100).
func (c *cloudWatchAPI) DescribeAlarmHistory(_ context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	const op = "DescribeAlarmHistory"
	if in.MaxRecords != nil && (*in.MaxRecords < 1 || *in.MaxRecords > 100) {
		return nil, alarmErr(op, "InvalidParameterValue", "MaxRecords must be between 1 and 100")
	}
	types := in.AlarmTypes
	if len(types) == 0 {
		types = []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}
	}
	oldest := c.f.Now.Add(-alarmHistoryRetention)
	var out []cwtypes.AlarmHistoryItem
	if c.region == Region {
		for _, h := range c.f.alarms().history {
			at := *h.Timestamp
			switch {
			case at.Before(oldest) || at.After(c.f.Now):
			case in.AlarmName != nil && aws.ToString(h.AlarmName) != *in.AlarmName:
			case !slices.Contains(types, h.AlarmType):
			case in.HistoryItemType != "" && h.HistoryItemType != in.HistoryItemType:
			case in.StartDate != nil && at.Before(*in.StartDate):
			case in.EndDate != nil && at.After(*in.EndDate):
			default:
				out = append(out, h)
			}
		}
	}
	if in.ScanBy != cwtypes.ScanByTimestampAscending {
		slices.Reverse(out)
	}
	items, next, err := alarmPage(out, in.NextToken, in.MaxRecords, 100)
	if err != nil {
		return nil, alarmErr(op, "InvalidNextToken", "The service cannot process the next token")
	}
	return &cloudwatch.DescribeAlarmHistoryOutput{AlarmHistoryItems: items, NextToken: next}, nil
}
