package slowlog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func digestFile(t *testing.T, name string, opt Options) *Digester {
	t.Helper()
	f, err := os.Open(sharedData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	d, err := Run(context.Background(), func(fn func(*Entry)) error {
		_, err := ParseAuto(r, FormatAuto, name, fn)
		return err
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type ptRow struct {
	count                  int64
	sumUS, p95US, maxUS    int64
	lockUS, sent, examined int64
	fp                     string
}

func readPtTop20(t *testing.T) []ptRow {
	f, err := os.Open(sharedData(t, "reference/ptqd-top20-aurora-mysql3.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []ptRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 11 || c[0] == "rank" {
			continue
		}
		us := func(s string) int64 {
			v, ok := parseMicros([]byte(s))
			if !ok {
				t.Fatalf("bad number %q", s)
			}
			return v
		}
		n, _ := strconv.ParseInt(c[2], 10, 64)
		sent, _ := strconv.ParseInt(c[8], 10, 64)
		exam, _ := strconv.ParseInt(c[9], 10, 64)
		rows = append(rows, ptRow{count: n, sumUS: us(c[3]), p95US: us(c[5]), maxUS: us(c[6]), lockUS: us(c[7]), sent: sent, examined: exam, fp: c[10]})
	}
	if len(rows) != 20 {
		t.Fatalf("reference has %d rows, want 20", len(rows))
	}
	return rows
}

// normFP reduces pt's and our fingerprints to a comparable skeleton: pt keeps the source's spacing and
// backticks and folds signs into literals (k=k+1 → k=k?), we use canonical spacing.
func normFP(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" `?+-", r) {
			return -1
		}
		return r
	}, s)
}

func checkAgainstPt(t *testing.T, d *Digester) {
	t.Helper()
	ref := readPtTop20(t)
	got := d.Result(20, OrderTotal, 0)
	if len(got.Top) != 20 {
		t.Fatalf("got %d classes", len(got.Top))
	}
	for i, r := range ref {
		c := got.Top[i]
		if c.Count != r.count || int64(math.Round(c.TotalS*1e6)) != r.sumUS {
			t.Errorf("rank %d: count %d total %.6f s, pt says %d and %.6f s (%s)", i+1, c.Count, c.TotalS, r.count, float64(r.sumUS)/1e6, r.fp)
		}
		if normFP(c.Fingerprint) != normFP(r.fp) {
			t.Errorf("rank %d: fingerprint %q, pt %q", i+1, c.Fingerprint, r.fp)
		}
		if int64(math.Round(c.MaxMS*1e3)) != r.maxUS || int64(math.Round(c.LockTotalS*1e6)) != r.lockUS || c.RowsSent != r.sent || c.RowsExamined != r.examined {
			t.Errorf("rank %d: max %.3f ms lock %.6f s rows %d/%d; pt max %d µs lock %d µs rows %d/%d", i+1, c.MaxMS, c.LockTotalS, c.RowsSent, c.RowsExamined, r.maxUS, r.lockUS, r.sent, r.examined)
		}
		// pt's p95 is the floor of a 5% bucket at rank ⌊0.95n⌋: ours (nearest rank) may be up to ~10% higher
		if p95 := c.P95MS * 1e3; math.Abs(p95-float64(r.p95US)) > 0.10*float64(r.p95US) {
			t.Errorf("rank %d: p95 %.3f ms, pt %.3f ms (> 10%% apart)", i+1, c.P95MS, float64(r.p95US)/1e3)
		}
	}
}

func TestAuroraFileMatchesPtQueryDigest(t *testing.T) {
	d := digestFile(t, "aurora-mysql3-slow.log.gz", Options{})
	if d.Entries() != 262870 {
		t.Errorf("entries = %d, want 262,870 (pt: 262.87k)", d.Entries())
	}
	checkAgainstPt(t, d)
}

func TestCloudWatchFormEqualsFileDigest(t *testing.T) {
	file := digestFile(t, "aurora-mysql3-slow.log.gz", Options{}).Result(0, OrderTotal, 0)
	cw := digestFile(t, "aurora-mysql3-cloudwatch.jsonl.gz", Options{}).Result(0, OrderTotal, 0)
	if file.Entries != cw.Entries || file.Classes != cw.Classes || file.TotalQueryTimeS != cw.TotalQueryTimeS {
		t.Fatalf("file: %d entries %d classes %.6f s; cloudwatch: %d, %d, %.6f s", file.Entries, file.Classes, file.TotalQueryTimeS, cw.Entries, cw.Classes, cw.TotalQueryTimeS)
	}
	if cw.TruncatedEntries != 0 {
		t.Errorf("cloudwatch: %d truncated entries; the split events must be joined", cw.TruncatedEntries)
	}
	for i := range file.Top {
		a, b := file.Top[i], cw.Top[i]
		a.Instances, b.Instances, a.ExampleInstance, b.ExampleInstance = nil, nil, "", ""
		if !classEqual(a, b) {
			t.Fatalf("class %d differs:\nfile       %+v\ncloudwatch %+v", i+1, a, b)
		}
	}
}

func classEqual(a, b Class) bool {
	return a.ID == b.ID && a.Count == b.Count && a.TotalS == b.TotalS && a.P95MS == b.P95MS && a.MaxMS == b.MaxMS &&
		a.LockTotalS == b.LockTotalS && a.RowsSent == b.RowsSent && a.RowsExamined == b.RowsExamined &&
		a.FirstSeen == b.FirstSeen && a.LastSeen == b.LastSeen && a.Example == b.Example &&
		strings.Join(a.Databases, ",") == strings.Join(b.Databases, ",") && strings.Join(a.Users, ",") == strings.Join(b.Users, ",")
}

var pgbadgerLine = regexp.MustCompile(`^(\d+)\) (\S+) - ([\d,]+) - `)

func pgbadgerMS(s string) float64 {
	var ms float64
	for _, m := range regexp.MustCompile(`(\d+)(ms|m|s|h)`).FindAllStringSubmatch(s, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		switch m[2] {
		case "ms":
			ms += v
		case "s":
			ms += v * 1e3
		case "m":
			ms += v * 60e3
		case "h":
			ms += v * 3600e3
		}
	}
	return ms
}

func TestPostgresMatchesPgbadger(t *testing.T) {
	raw, err := os.ReadFile(sharedData(t, "reference/pgbadger-top20.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := digestFile(t, "aurora-postgresql.log.gz", Options{})
	got := d.Result(20, OrderTotal, 0)
	if got.Entries != 199999 {
		t.Errorf("entries = %d, want 199,999 (pgbadger)", got.Entries)
	}
	if got.ParseBindCount == 0 {
		t.Errorf("parse/bind steps were not counted apart")
	}
	n := 0
	for _, line := range strings.Split(string(raw), "\n") {
		m := pgbadgerLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rank, _ := strconv.Atoi(m[1])
		count, _ := strconv.ParseInt(strings.ReplaceAll(m[3], ",", ""), 10, 64)
		want := pgbadgerMS(m[2])
		c := got.Top[rank-1]
		if c.Count != count || math.Abs(c.TotalS*1e3-want) > 1 {
			t.Errorf("rank %d: %d × %.3f ms, pgbadger %d × %.0f ms (%s)", rank, c.Count, c.TotalS*1e3, count, want, c.Fingerprint)
		}
		n++
	}
	if n != 20 {
		t.Fatalf("read %d pgbadger rows", n)
	}
}

func TestMariaDBEdgeLog(t *testing.T) {
	raw, err := os.ReadFile(sharedData(t, "mariadb-edge.log"))
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	if err := ParseMySQL(bytes.NewReader(raw), "edge", func(e *Entry) {
		c := *e
		c.SQL = bytes.Clone(e.SQL)
		got = append(got, c)
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 18 {
		t.Fatalf("got %d entries, want exactly 18", len(got))
	}
	for i, e := range got {
		if e.QueryUS >= 1_000_000 || e.User != "app" {
			t.Errorf("entry %d: %d µs by %q: a phantom entry from text inside a literal", i+1, e.QueryUS, e.User)
		}
	}
	checks := []struct {
		i        int
		sql      string
		db       string
		queryUS  int64
		lockUS   int64
		examined int64
	}{
		{0, "SELECT DATABASE()", "", 173, 0, 0},
		{1, "SET timestamp=1700000000", "shop", 15, 0, 0}, // the client's SET, after the meta SET line
		{3, "SET timestamp=DEFAULT", "shop", 10, 0, 0},
		{4, "SELECT 1 -- trailing comment, terminator on next line", "shop", 14, 0, 0},
		{5, "INSERT INTO notes (body) VALUES ('x;\n# User@Host: evil[evil] @ localhost []\n# Query_time: 500.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT 2;')", "shop", 567, 247, 0},
		{6, "SELECT 'semicolon at end of line;\n# Time: 240101 00:00:00' AS tricky", "shop", 26, 0, 0},
		{12, "SELECT * FROM orders WHERE status IN ('a','b') AND id NOT IN (SELECT 1)", "shop", 41743, 64, 200000},
		{15, "SELECT id FROM orders WHERE id = 1 # hash comment at end", "shop", 44, 15, 1},
	}
	for _, c := range checks {
		e := got[c.i]
		if string(e.SQL) != c.sql || e.DB != c.db || e.QueryUS != c.queryUS || e.LockUS != c.lockUS || e.RowsExamined != c.examined {
			t.Errorf("entry %d: sql %q db %q qt %d lock %d examined %d; want %q %q %d %d %d", c.i+1, e.SQL, e.DB, e.QueryUS, e.LockUS, e.RowsExamined, c.sql, c.db, c.queryUS, c.lockUS, c.examined)
		}
	}
	// # Time only on second change: entries inherit it; the client-set timestamp shows in # Time too
	if ts := got[1].Time.Format("2006-01-02 15:04:05"); ts != "2023-11-14 22:13:20" {
		t.Errorf("entry 2 time %s", ts)
	}
	if ts := got[3].Time.Format("2006-01-02 15:04:05"); ts != "2023-11-14 22:13:20" {
		t.Errorf("entry 4 inherits the previous # Time, got %s", ts)
	}
	if ts := got[17].Time.Format("2006-01-02 15:04:05"); ts != "2026-11-22 11:40:06" {
		t.Errorf("entry 18 time %s", ts)
	}
	if got[0].ThreadID != 64 || got[0].Host != "127.0.0.1" {
		t.Errorf("entry 1: thread %d host %q", got[0].ThreadID, got[0].Host)
	}
}
