package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pi"
	pitypes "github.com/aws/aws-sdk-go-v2/service/pi/types"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Performance Insights (issue: database load and audit trail).
//
// Every member with PI on has a per-minute activity model: a list of (digest, wait event, user, host, db,
// load) rows whose loads add up to db.load.avg. orders-prod runs the orders app's mix on the writer and reads
// on the readers, plus the reporting queries on the reporting reader orders-prod-3; during the incident the
// regional revenue report (the slow log's storm query) runs on the writer of the moment (Fleet.WriterAt) and
// drives the load to ~3× its 4 vCPUs, waiting on CPU and io/table/sql/handler (a full scan). The failover and
// the reboot leave a gap in the data. billing-pg is calm, with a nightly ledger close.

type piAPI struct {
	f      *Fleet
	region string
}

// PI implements awsclient.Clients.
func (f *Fleet) PI(region string) awsclient.PIAPI { return &piAPI{f: f, region: region} }

// piDigest is one SQL digest of the demo workload.
type piDigest struct {
	id, dbID, text string
	example        string  // one concrete statement of the digest (db.sql)
	callsPerS      float64 // statistics returned as AdditionalMetrics
	msPerCall      float64
	rowsPerCall    float64
}

// The orders-prod digests, in Aurora MySQL's digest format. They match the slow query log of the demo
// (logs.go): the storm is report_svc's regional revenue report (DATE(created_at) and the joins make it scan
// orders), sent to the writer endpoint instead of the reporting reader; the everyday statements are the
// orders app's. piExportSQL is a long monthly export that normally runs on the reporting reader: its digest
// is longer than PI's 500-byte limit, so get_db_load fetches its full text.
const piExportSQL = "SELECT %s `c`.`customer_id`, `c`.`name`, `c`.`email`, `c`.`segment`, `c`.`country_code`, " +
	"COUNT(DISTINCT `o`.`order_id`) AS `orders`, SUM(`oi`.`quantity`) AS `units`, SUM(`oi`.`quantity` * `oi`.`unit_price`) AS `gross`, " +
	"SUM(`o`.`discount_amount`) AS `discounts`, SUM(`o`.`total_amount`) AS `revenue`, MAX(`o`.`created_at`) AS `last_order_at` " +
	"FROM `orders` `o` JOIN `order_items` `oi` ON `oi`.`order_id` = `o`.`order_id` JOIN `customers` `c` ON `c`.`customer_id` = `o`.`customer_id` " +
	"WHERE `o`.`created_at` BETWEEN %s AND %s AND `o`.`status` IN (%s) AND `c`.`segment` <> %s " +
	"GROUP BY `c`.`customer_id`, `c`.`name`, `c`.`email`, `c`.`segment`, `c`.`country_code` ORDER BY `revenue` DESC LIMIT %s"

const (
	piStorm  = 0 // digest indexes used by the model
	piLookup = 1
	piUpdate = 2
	piInsert = 3
	piEmail  = 4
	piCommit = 5
	piExport = 6
)

var piOrdersDigests = []piDigest{
	piStorm: {id: "A1C5E0F3B9D24C7E8F6A0B1C2D3E4F50", dbID: "8c1e62f0a4b9d3e7",
		text: "SELECT `c` . `region` , DATE ( `o` . `created_at` ) AS `d` , SUM ( `oi` . `qty` * `oi` . `price` ) AS `revenue` " +
			"FROM `orders` `o` JOIN `customers` `c` ON `c` . `id` = `o` . `customer_id` JOIN `order_items` `oi` ON `oi` . `order_id` = `o` . `id` " +
			"WHERE `o` . `created_at` >= ? AND `o` . `status` IN (...) GROUP BY `c` . `region` , `d` ORDER BY `revenue` DESC LIMIT ?",
		example: "/* report:regional_revenue */ SELECT c.region, DATE(o.created_at) AS d, SUM(oi.qty * oi.price) AS revenue\n" +
			"  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n  JOIN order_items oi ON oi.order_id = o.id\n" +
			" WHERE o.created_at >= '2026-10-23' AND o.status IN ('paid', 'shipped')\n GROUP BY c.region, d\n ORDER BY revenue DESC\n LIMIT 100",
		callsPerS: 0.2, msPerCall: 15800, rowsPerCall: 4.1e7},
	piLookup: {id: "B2D6F1A4C0E35D8F9A7B1C2D3E4F5061", dbID: "1f0a9e7d3c2b4a65",
		text:      "SELECT `o` . `id` , `o` . `status` , `o` . `total` FROM `orders` `o` WHERE `o` . `customer_id` = ? ORDER BY `o` . `created_at` DESC LIMIT ?",
		example:   "SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = 48213 ORDER BY o.created_at DESC LIMIT 20",
		callsPerS: 310, msPerCall: 0.7, rowsPerCall: 190},
	piUpdate: {id: "C3E7A2B5D1F46E9A0B8C2D3E4F506172", dbID: "2a1b0f8e4d3c5b76",
		text:      "UPDATE `inventory` SET `reserved` = `reserved` + ? WHERE `sku` = ? AND `warehouse_id` = ?",
		example:   "UPDATE inventory SET reserved = reserved + 2 WHERE sku = 'SKU-20318' AND warehouse_id = 3",
		callsPerS: 85, msPerCall: 2.6, rowsPerCall: 1},
	piInsert: {id: "D4F8B3C6E2A57FAB1C9D3E4F50617283", dbID: "3b2c1a9f5e4d6c87",
		text:      "INSERT INTO `order_events` ( `order_id` , `kind` , `payload` , `created_at` ) VALUES (...) /* , ... */",
		example:   "INSERT INTO order_events (order_id, kind, payload, created_at) VALUES (5123417, 'paid', '{\"by\": \"checkout\"}', NOW(6)),(5123418, 'created', '{\"by\": \"checkout\"}', NOW(6))",
		callsPerS: 95, msPerCall: 1.9, rowsPerCall: 0},
	piEmail: {id: "E5A9C4D7F3B68ABC2D0E4F5061728394", dbID: "4c3d2b0a6f5e7d98",
		text:      "SELECT * FROM `customers` WHERE `email` = ?",
		example:   "SELECT * FROM customers WHERE email = 'park.seoyeon42@example.com'",
		callsPerS: 0.4, msPerCall: 640, rowsPerCall: 1.25e6},
	piCommit: {id: "F6BAD5E8A4C79BCD3E1F5061728394A5", dbID: "5d4e3c1b7a6f8ea9",
		text: "COMMIT", example: "COMMIT", callsPerS: 180, msPerCall: 1.1},
	piExport: {id: "07CBE6F9B5D8ACDE4F2061728394A5B6", dbID: "6e5f4d2c8b7a9fba",
		text:      fmt.Sprintf(piExportSQL, "", "?", "?", "...", "?", "?"),
		example:   fmt.Sprintf(piExportSQL, "/* export:monthly_customers */", "'2026-10-01 00:00:00'", "'2026-10-31 23:59:59'", "'paid', 'shipped', 'delivered'", "'internal'", "5000"),
		callsPerS: 0.05, msPerCall: 7300, rowsPerCall: 3.2e6},
}

var piBillingDigests = []piDigest{
	{id: "9A1B2C3D4E5F60718293A4B5C6D7E8F9", dbID: "-5843117740023651180",
		text:      "SELECT invoice_id, amount, currency, issued_at FROM invoices WHERE account_id = $1 ORDER BY issued_at DESC LIMIT $2",
		example:   "SELECT invoice_id, amount, currency, issued_at FROM invoices WHERE account_id = 40021 ORDER BY issued_at DESC LIMIT 20",
		callsPerS: 140, msPerCall: 0.9, rowsPerCall: 20},
	{id: "8B2C3D4E5F607182939A4B5C6D7E8F90", dbID: "2291846630012457733",
		text:      "INSERT INTO ledger_entries (account_id, invoice_id, amount, currency, booked_at) VALUES ($1, $2, $3, $4, $5)",
		example:   "INSERT INTO ledger_entries (account_id, invoice_id, amount, currency, booked_at) VALUES (40021, 7781002, 129.00, 'KRW', now())",
		callsPerS: 60, msPerCall: 2.1, rowsPerCall: 1},
	{id: "7C3D4E5F6071829394A5B6C7D8E9F0A1", dbID: "-771203948810227345",
		text:      "UPDATE accounts SET balance = balance + $1, updated_at = now() WHERE account_id = $2",
		example:   "UPDATE accounts SET balance = balance + 129.00, updated_at = now() WHERE account_id = 40021",
		callsPerS: 58, msPerCall: 1.7, rowsPerCall: 1},
	{id: "6D4E5F607182939405B6C7D8E9F0A1B2", dbID: "4410293847561029384",
		text:      "SELECT date_trunc($1, booked_at) AS day, sum(amount) FROM ledger_entries WHERE booked_at >= $2 GROUP BY 1",
		example:   "SELECT date_trunc('day', booked_at) AS day, sum(amount) FROM ledger_entries WHERE booked_at >= '2026-11-01' GROUP BY 1",
		callsPerS: 0.02, msPerCall: 5400, rowsPerCall: 30},
}

// piAct is one row of the activity model: load of one digest waiting on one event for one user/host.
type piAct struct {
	sql        int
	wait, typ  string
	user, host string
	db, app    string
	load       float64
}

// Wait events (name, type) used by the model.
var (
	piWaitCPU       = [2]string{"CPU", "CPU"}
	piWaitHandler   = [2]string{"io/table/sql/handler", "io"}
	piWaitRedoFlush = [2]string{"io/aurora_redo_log_flush", "io"}
	piWaitHashLocks = [2]string{"synch/sxlock/innodb/hash_table_locks", "synch"}
	piWaitRowLock   = [2]string{"synch/cond/innodb/row_lock_wait", "synch"}
	piWaitRespond   = [2]string{"io/aurora_respond_to_client", "io"}
	piWaitPGRead    = [2]string{"IO:DataFileRead", "IO"}
	piWaitPGXact    = [2]string{"IO:XactSync", "IO"}
	piWaitPGWAL     = [2]string{"LWLock:WALWrite", "LWLock"}
	piWaitPGClient  = [2]string{"Client:ClientRead", "Client"}
)

// piActivity is the model: what instance inst was doing during minute t (nil when PI has no data: off,
// another region, before creation, or the instance was restarting).
func (f *Fleet) piActivity(inst *Instance, t time.Time) []piAct {
	if !inst.PIEnabled || inst.Cluster == nil || t.Before(inst.Created) || !t.Before(f.Now) {
		return nil
	}
	inc := f.Incident
	in := func(from time.Time, d time.Duration) bool { return !t.Before(from) && t.Before(from.Add(d)) }
	c := inst.Cluster
	// daytime shape in Seoul: busier from 9 to 21 local
	h := float64((t.Hour()+9)%24) + float64(t.Minute())/60
	day := 0.55 + 0.65*math.Exp(-(h-14)*(h-14)/20)
	noise := func(k string) float64 { return 0.8 + 0.4*piNoise(inst.ID+"/"+k, t) }
	act := func(sql int, w [2]string, user, host string, load float64) piAct {
		a := piAct{sql: sql, wait: w[0], typ: w[1], user: user, host: host, load: load}
		if c.Engine == "aurora-postgresql" {
			a.db, a.app = "billing", "billing-api"
			if user == "billing_batch" {
				a.app = "ledger-close"
			}
		} else {
			a.db = "orders"
		}
		return a
	}
	var acts []piAct
	switch c.ID {
	case "orders-prod":
		if in(inc.FailoverAt, 2*time.Minute) && (inst.ID == inc.OldWriter || inst.ID == inc.Writer) {
			return nil // both restart during the failover
		}
		if inst.ID == inc.LaggingReader && in(inc.RebootAt, 3*time.Minute) {
			return nil
		}
		const app1, app2, app3, report = "10.0.3.15", "10.0.3.27", "10.0.4.9", "10.0.4.21" // as in the slow log
		if f.WriterAt(c.ID, t) == inst.ID {
			acts = append(acts,
				act(piLookup, piWaitCPU, "app", app1, 0.2*day*noise("1c")),
				act(piLookup, piWaitCPU, "app", app2, 0.16*day*noise("1c2")),
				act(piLookup, piWaitRespond, "app", app3, 0.04*day*noise("1r")),
				act(piUpdate, piWaitRowLock, "app", app1, 0.08*day*noise("2l")),
				act(piUpdate, piWaitCPU, "app", app2, 0.05*day*noise("2c")),
				act(piInsert, piWaitRedoFlush, "app", app2, 0.14*day*noise("3r")),
				act(piInsert, piWaitCPU, "app", app3, 0.05*day*noise("3c")),
				act(piEmail, piWaitCPU, "app", app3, 0.1*day*noise("4c")),
				act(piEmail, piWaitHandler, "app", app1, 0.06*day*noise("4h")),
				act(piCommit, piWaitRedoFlush, "app", app1, 0.1*day*noise("5r")),
			)
			if in(inc.Start, inc.End.Sub(inc.Start)) {
				// the storm: the regional revenue report, sent to the writer endpoint, scans orders over and over
				ramp := math.Min(1, float64(t.Sub(inc.Start)/time.Minute+1)/4)
				if left := inc.End.Sub(t); left < 2*time.Minute {
					ramp = math.Min(ramp, float64(left/time.Minute+1)/3)
				}
				acts = append(acts,
					act(piStorm, piWaitCPU, "report_svc", report, 6.1*ramp*noise("s0c")),
					act(piStorm, piWaitHandler, "report_svc", report, 3.7*ramp*noise("s0h")),
					act(piStorm, piWaitHashLocks, "report_svc", report, 0.5*ramp*noise("s0x")),
					act(piLookup, piWaitCPU, "app", app1, 0.9*ramp*noise("s1c")),
					act(piUpdate, piWaitRowLock, "app", app2, 0.4*ramp*noise("s2l")),
				)
			}
		} else {
			acts = append(acts,
				act(piLookup, piWaitCPU, "app", app1, 0.12*day*noise("r1c")),
				act(piLookup, piWaitRespond, "app", app2, 0.03*day*noise("r1r")),
				act(piEmail, piWaitCPU, "app", app3, 0.05*day*noise("r4c")),
			)
			if inst.ID == inc.LaggingReader { // the reporting reader: the report and the export normally run here
				acts = append(acts,
					act(piStorm, piWaitCPU, "report_svc", report, 0.25*noise("r0c")),
					act(piStorm, piWaitHandler, "report_svc", report, 0.15*noise("r0h")),
					act(piExport, piWaitCPU, "report_svc", report, 0.2*noise("r6c")),
					act(piExport, piWaitHandler, "report_svc", report, 0.12*noise("r6h")),
				)
			}
		}
	case "billing-pg":
		const api1, api2, batch = "10.30.1.21", "10.30.2.8", "10.30.4.2"
		if inst.Writer {
			acts = append(acts,
				act(0, piWaitCPU, "billing_app", api1, 0.16*day*noise("0c")),
				act(0, piWaitPGRead, "billing_app", api2, 0.06*day*noise("0r")),
				act(1, piWaitPGXact, "billing_app", api1, 0.09*day*noise("1x")),
				act(1, piWaitPGWAL, "billing_app", api2, 0.04*day*noise("1w")),
				act(2, piWaitCPU, "billing_app", api1, 0.06*day*noise("2c")),
				act(0, piWaitPGClient, "billing_app", api2, 0.05*day*noise("0l")),
			)
			if t.Hour() == 17 && t.Minute() < 25 { // nightly ledger close at 02:00 KST
				acts = append(acts, act(3, piWaitPGRead, "billing_batch", batch, 0.7*noise("3r")), act(3, piWaitCPU, "billing_batch", batch, 0.45*noise("3c")))
			}
		} else {
			acts = append(acts,
				act(0, piWaitCPU, "billing_app", api1, 0.1*day*noise("r0c")),
				act(0, piWaitPGRead, "billing_app", api2, 0.03*day*noise("r0r")),
			)
		}
	}
	return acts
}

// piNoise is a deterministic value in [0,1) for a key and a minute.
func piNoise(key string, t time.Time) float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	x := h.Sum64() ^ uint64(t.Unix()/60)*0x9E3779B97F4A7C15
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

func (p *piAPI) instance(op string, id *string) (*Instance, error) {
	if p.region == Region {
		for _, i := range p.f.Instances() {
			if i.ResourceID == aws.ToString(id) {
				if !i.PIEnabled {
					return nil, piErr(op, "InvalidArgumentException", "Performance Insights is not enabled for "+i.ResourceID)
				}
				return i, nil
			}
		}
	}
	return nil, piErr(op, "InvalidArgumentException", fmt.Sprintf("No resource with identifier %s in %s", aws.ToString(id), p.region))
}

func piErr(op, code, msg string) error {
	return &smithy.OperationError{ServiceID: "PI", OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}}
}

func piDigestsOf(inst *Instance) []piDigest {
	if inst.Engine == "aurora-postgresql" {
		return piBillingDigests
	}
	return piOrdersDigests
}

// piKeyDims are the dimensions of an activity row in a PI dimension group.
func piKeyDims(group string, a piAct, ds []piDigest) map[string]string {
	switch group {
	case "db.wait_event":
		return map[string]string{"db.wait_event.name": a.wait, "db.wait_event.type": a.typ}
	case "db.wait_event_type":
		return map[string]string{"db.wait_event_type.name": a.typ}
	case "db.user":
		return map[string]string{"db.user.name": a.user, "db.user.id": a.user}
	case "db.host":
		return map[string]string{"db.host.name": a.host, "db.host.id": "host-" + strings.ReplaceAll(a.host, ".", "-")}
	case "db":
		return map[string]string{"db.name": a.db}
	case "db.application":
		if a.app == "" {
			return nil
		}
		return map[string]string{"db.application.name": a.app}
	case "db.sql_tokenized":
		d := ds[a.sql]
		return map[string]string{"db.sql_tokenized.id": d.id, "db.sql_tokenized.db_id": d.dbID, "db.sql_tokenized.statement": piCut500(d.text)}
	case "db.sql":
		d := ds[a.sql]
		return map[string]string{"db.sql.id": "S" + d.id[1:], "db.sql.db_id": d.dbID, "db.sql.statement": piCut500(d.example), "db.sql.tokenized_id": d.id}
	}
	return nil
}

// cut500 truncates like PI: every response element is at most 500 bytes.
func piCut500(s string) string {
	if len(s) <= 500 {
		return s
	}
	return s[:500]
}

func piMatchFilter(filter map[string]string, a piAct, ds []piDigest) bool {
	for k, v := range filter {
		group := k[:strings.LastIndex(k, ".")]
		if d := piKeyDims(group, a, ds); d == nil || d[k] != v {
			return false
		}
	}
	return true
}

// piKeyer maps activity rows to dimension keys of one group, memoised per distinct row (the model repeats
// the same rows every minute).
type piKeyer struct {
	group  string
	want   []string
	filter map[string]string
	ds     []piDigest
	cache  map[piTuple]piKeyed
}

type piTuple struct {
	sql                            int
	wait, typ, user, host, db, app string
}

type piKeyed struct {
	key  string
	dims map[string]string
	ok   bool
}

func newPIKeyer(group string, want []string, filter map[string]string, ds []piDigest) *piKeyer {
	return &piKeyer{group: group, want: want, filter: filter, ds: ds, cache: map[piTuple]piKeyed{}}
}

// of returns a's key in the group (ok=false when a is filtered out or has no such dimension).
func (k *piKeyer) of(a piAct) (string, map[string]string, bool) {
	t := piTuple{a.sql, a.wait, a.typ, a.user, a.host, a.db, a.app}
	if v, ok := k.cache[t]; ok {
		return v.key, v.dims, v.ok
	}
	v := piKeyed{}
	if piMatchFilter(k.filter, a, k.ds) {
		if k.group == "" {
			v.ok = true
		} else if d := piKeyDims(k.group, a, k.ds); d != nil {
			v.dims = piSelectDims(d, k.want)
			v.key, v.ok = piKeyOf(v.dims), true
		}
	}
	k.cache[t] = v
	return v.key, v.dims, v.ok
}

func piSelectDims(all map[string]string, want []string) map[string]string {
	if len(want) == 0 {
		return all
	}
	out := map[string]string{}
	for _, w := range want {
		if v, ok := all[w]; ok {
			out[w] = v
		}
	}
	return out
}

func piKeyOf(m map[string]string) string {
	ks := make([]string, 0, len(m))
	for k, v := range m {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return strings.Join(ks, "\x00")
}

func piPeriod(p *int32, start, end time.Time) time.Duration {
	if p != nil && *p >= 60 {
		return time.Duration(*p) * time.Second
	}
	if p != nil && *p > 0 {
		return time.Minute // the model has one value per minute
	}
	d := end.Sub(start) / 150 // PI aims at 100-200 points
	for _, s := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour} {
		if d <= s {
			return s
		}
	}
	return 24 * time.Hour
}

func (p *piAPI) GetResourceMetrics(_ context.Context, in *pi.GetResourceMetricsInput, _ ...func(*pi.Options)) (*pi.GetResourceMetricsOutput, error) {
	const op = "GetResourceMetrics"
	inst, err := p.instance(op, in.Identifier)
	if err != nil {
		return nil, err
	}
	if in.StartTime == nil || in.EndTime == nil || len(in.MetricQueries) == 0 {
		return nil, piErr(op, "InvalidArgumentException", "StartTime, EndTime and MetricQueries are required")
	}
	period := piPeriod(in.PeriodInSeconds, *in.StartTime, *in.EndTime)
	start := in.StartTime.UTC().Truncate(period)
	end := in.EndTime.UTC()
	ds := piDigestsOf(inst)
	type series struct {
		dims   map[string]string
		sum    float64
		points map[time.Time]float64
	}
	out := &pi.GetResourceMetricsOutput{Identifier: in.Identifier, AlignedStartTime: aws.Time(start), AlignedEndTime: aws.Time(end)}
	for _, q := range in.MetricQueries {
		if aws.ToString(q.Metric) != "db.load.avg" {
			out.MetricList = append(out.MetricList, pitypes.MetricKeyDataPoints{Key: &pitypes.ResponseResourceMetricKey{Metric: q.Metric}})
			continue
		}
		group := ""
		if q.GroupBy != nil {
			group = aws.ToString(q.GroupBy.Group)
		}
		var want []string
		if q.GroupBy != nil {
			want = q.GroupBy.Dimensions
		}
		keyer := newPIKeyer(group, want, q.Filter, ds)
		all := map[string]*series{}
		var order []string
		var buckets []time.Time
		for b := start; b.Before(end); b = b.Add(period) {
			var minutes, got int
			acc := map[string]float64{}
			for m := b; m.Before(b.Add(period)) && m.Before(end); m = m.Add(time.Minute) {
				minutes++
				acts := p.f.piActivity(inst, m)
				if acts == nil {
					continue
				}
				got++
				acc[""] += 0 // the period has data even when idle
				for _, a := range acts {
					k, d, ok := keyer.of(a)
					if !ok {
						continue
					}
					if group != "" && all[k] == nil {
						all[k] = &series{dims: d, points: map[time.Time]float64{}}
						order = append(order, k)
					}
					acc[k] += a.load
				}
			}
			if got == 0 {
				continue
			}
			buckets = append(buckets, b)
			for k, v := range acc {
				if k == "" && group != "" {
					continue
				}
				if all[k] == nil {
					all[k] = &series{points: map[time.Time]float64{}}
					order = append(order, k)
				}
				all[k].points[b] = v / float64(minutes)
				all[k].sum += v / float64(minutes)
			}
		}
		sort.SliceStable(order, func(i, j int) bool { return all[order[i]].sum > all[order[j]].sum })
		if group != "" && q.GroupBy.Limit != nil && int(*q.GroupBy.Limit) < len(order) {
			order = order[:*q.GroupBy.Limit]
		} else if group != "" && len(order) > 10 {
			order = order[:10]
		}
		for _, k := range order {
			s := all[k]
			mk := pitypes.MetricKeyDataPoints{Key: &pitypes.ResponseResourceMetricKey{Metric: q.Metric, Dimensions: s.dims}}
			for _, b := range buckets {
				mk.DataPoints = append(mk.DataPoints, pitypes.DataPoint{Timestamp: aws.Time(b), Value: aws.Float64(math.Round(s.points[b]*1000) / 1000)})
			}
			out.MetricList = append(out.MetricList, mk)
		}
	}
	return out, nil
}

func (p *piAPI) DescribeDimensionKeys(_ context.Context, in *pi.DescribeDimensionKeysInput, _ ...func(*pi.Options)) (*pi.DescribeDimensionKeysOutput, error) {
	const op = "DescribeDimensionKeys"
	inst, err := p.instance(op, in.Identifier)
	if err != nil {
		return nil, err
	}
	if in.StartTime == nil || in.EndTime == nil || in.GroupBy == nil {
		return nil, piErr(op, "InvalidArgumentException", "StartTime, EndTime and GroupBy are required")
	}
	ds := piDigestsOf(inst)
	group := aws.ToString(in.GroupBy.Group)
	type key struct {
		dims  map[string]string
		sql   int
		total float64
		parts map[string]float64
	}
	keyer := newPIKeyer(group, in.GroupBy.Dimensions, in.Filter, ds)
	var parter *piKeyer
	if in.PartitionBy != nil {
		parter = newPIKeyer(aws.ToString(in.PartitionBy.Group), in.PartitionBy.Dimensions, nil, ds)
	}
	keys := map[string]*key{}
	partTotals := map[string]float64{}
	partDims := map[string]map[string]string{}
	var minutes int
	for m := in.StartTime.UTC().Truncate(time.Minute); m.Before(*in.EndTime); m = m.Add(time.Minute) {
		acts := p.f.piActivity(inst, m)
		if acts == nil {
			continue
		}
		minutes++
		for _, a := range acts {
			k, d, ok := keyer.of(a)
			if !ok {
				continue
			}
			if keys[k] == nil {
				keys[k] = &key{dims: d, sql: a.sql, parts: map[string]float64{}}
			}
			keys[k].total += a.load
			if parter != nil {
				if pk, pd, ok := parter.of(a); ok {
					keys[k].parts[pk] += a.load
					partTotals[pk] += a.load
					partDims[pk] = pd
				}
			}
		}
	}
	out := &pi.DescribeDimensionKeysOutput{AlignedStartTime: in.StartTime, AlignedEndTime: in.EndTime, Keys: []pitypes.DimensionKeyDescription{}}
	if minutes == 0 {
		return out, nil
	}
	list := make([]*key, 0, len(keys))
	for _, k := range keys {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].total != list[j].total {
			return list[i].total > list[j].total
		}
		return piKeyOf(list[i].dims) < piKeyOf(list[j].dims)
	})
	var parts []string
	for pk := range partTotals {
		parts = append(parts, pk)
	}
	sort.Slice(parts, func(i, j int) bool { return partTotals[parts[i]] > partTotals[parts[j]] })
	if in.PartitionBy != nil && in.PartitionBy.Limit != nil && int(*in.PartitionBy.Limit) < len(parts) {
		parts = parts[:*in.PartitionBy.Limit]
	}
	for _, pk := range parts {
		out.PartitionKeys = append(out.PartitionKeys, pitypes.ResponsePartitionKey{Dimensions: partDims[pk]})
	}
	limit := 10
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = int(*in.MaxResults)
	}
	if len(list) > limit {
		out.NextToken = aws.String(fmt.Sprintf("demo-%d", limit))
		list = list[:limit]
	}
	n := float64(minutes)
	for _, k := range list {
		kd := pitypes.DimensionKeyDescription{Dimensions: k.dims, Total: aws.Float64(math.Round(k.total/n*1000) / 1000)}
		for _, pk := range parts {
			kd.Partitions = append(kd.Partitions, math.Round(k.parts[pk]/n*1000)/1000)
		}
		if len(in.AdditionalMetrics) > 0 && group == "db.sql_tokenized" {
			d := ds[k.sql]
			kd.AdditionalMetrics = map[string]float64{}
			for _, am := range in.AdditionalMetrics {
				switch {
				case strings.Contains(am, "calls_per_sec") || strings.Contains(am, "count_star_per_sec"):
					kd.AdditionalMetrics[am] = d.callsPerS
				case strings.Contains(am, "time_per_call") || strings.Contains(am, "timer_wait_per_call"):
					kd.AdditionalMetrics[am] = d.msPerCall
				case strings.Contains(am, "rows_per_call") || strings.Contains(am, "rows_examined_per_call"):
					kd.AdditionalMetrics[am] = d.rowsPerCall
				}
			}
		}
		out.Keys = append(out.Keys, kd)
	}
	return out, nil
}

func (p *piAPI) GetDimensionKeyDetails(_ context.Context, in *pi.GetDimensionKeyDetailsInput, _ ...func(*pi.Options)) (*pi.GetDimensionKeyDetailsOutput, error) {
	const op = "GetDimensionKeyDetails"
	inst, err := p.instance(op, in.Identifier)
	if err != nil {
		return nil, err
	}
	if aws.ToString(in.Group) != "db.sql" {
		return nil, piErr(op, "InvalidArgumentException", "Group must be db.sql")
	}
	for _, d := range piDigestsOf(inst) {
		if "S"+d.id[1:] == aws.ToString(in.GroupIdentifier) {
			return &pi.GetDimensionKeyDetailsOutput{Dimensions: []pitypes.DimensionKeyDetail{{
				Dimension: aws.String("db.sql.statement"), Value: aws.String(d.example), Status: pitypes.DetailStatusAvailable,
			}}}, nil
		}
	}
	return nil, piErr(op, "InvalidArgumentException", "unknown db.sql.id "+aws.ToString(in.GroupIdentifier))
}
