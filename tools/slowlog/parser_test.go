package slowlog

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

type got struct {
	Entry
	sql string
}

func parseMy(t *testing.T, log string) []got {
	t.Helper()
	var out []got
	if err := ParseMySQL(strings.NewReader(log), "i1", func(e *Entry) {
		out = append(out, got{*e, string(e.SQL)})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseMySQL8SlowExtra(t *testing.T) {
	log := "/rdsdbbin/oscar/bin/mysqld, Version: 8.0.32 (Source distribution). started with:\n" +
		"Tcp port: 3306  Unix socket: /tmp/mysql.sock\n" +
		"Time                 Id Command    Argument\n" +
		"# Time: 2026-11-22T11:31:04.958516Z\n" +
		"# User@Host: app[app] @  [10.0.3.15]  Id:    21\n" +
		"# Query_time: 1.500000  Lock_time: 0.000100 Rows_sent: 3  Rows_examined: 50006 Thread_id: 21 Errno: 0 Killed: 0 Bytes_received: 80 Bytes_sent: 200 Read_first: 0 Read_last: 0 Read_key: 1 Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: 50006 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 0 Sort_scan_count: 0 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Count_hit_tmp_table_size: 0 Start: 2026-11-22T11:31:03.458516Z End: 2026-11-22T11:31:04.958516Z\n" +
		"use `my-app_2`;\n" +
		"SET timestamp=1795347063;\n" +
		"SELECT kind, COUNT(*)\n  FROM events\n# Query_time: 99.0 (a hash comment inside the statement)\n WHERE ts >= '2024-02-01';\n" +
		"# Time: 2026-11-22T11:31:05.000000+09:00\n" +
		"# User@Host: root[root] @ localhost []  Id:    22\n" +
		"# Query_time: 0.000086  Lock_time: 0.000075 Rows_sent: 0  Rows_examined: 0\n" +
		"SET last_insert_id=5,insert_id=6,timestamp=1795347064;\n" +
		"INSERT INTO t (a) VALUES (1);\n" +
		"/rdsdbbin/oscar/bin/mysqld, Version: 8.0.32 (Source distribution). started with:\n" +
		"Tcp port: 3306  Unix socket: /tmp/mysql.sock\n" +
		"Time                 Id Command    Argument\n" +
		"# Time: 2026-11-22T11:31:06.000000Z\n" +
		"# User@Host: app[app] @  [10.0.3.15]  Id:    23\n" +
		"# Query_time: 0.2  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n" +
		"use plain-db;\n" +
		"SET timestamp=1795347066;\n" +
		"# administrator command: Ping;\n" +
		"# Time: 2026-11-22T11:31:07.000000Z\n" +
		"# User@Host: app[app] @  [10.0.3.15]  Id:    23\n" +
		"# Query_time: 0.1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n" +
		"SET timestamp=1795347067;\n" +
		";\n"
	es := parseMy(t, log)
	if len(es) != 4 {
		t.Fatalf("%d entries: %+v", len(es), es)
	}
	e := es[0]
	if e.QueryUS != 1_500_000 || e.LockUS != 100 || e.RowsSent != 3 || e.RowsExamined != 50006 || e.ThreadID != 21 ||
		e.User != "app" || e.Host != "10.0.3.15" || e.DB != "my-app_2" || e.Instance != "i1" {
		t.Errorf("entry 1 header: %+v", e.Entry)
	}
	if e.sql != "SELECT kind, COUNT(*)\n  FROM events\n# Query_time: 99.0 (a hash comment inside the statement)\n WHERE ts >= '2024-02-01'" {
		t.Errorf("entry 1 sql %q", e.sql)
	}
	if e.Time != time.Date(2026, 11, 22, 11, 31, 4, 958516000, time.UTC) || e.Start != time.Date(2026, 11, 22, 11, 31, 3, 458516000, time.UTC) {
		t.Errorf("entry 1 times %s %s", e.Time, e.Start)
	}
	if es[1].Time != time.Date(2026, 11, 22, 2, 31, 5, 0, time.UTC) || es[1].Start.Unix() != 1795347064 || es[1].sql != "INSERT INTO t (a) VALUES (1)" || es[1].User != "root" || es[1].Host != "localhost" || es[1].DB != "my-app_2" {
		t.Errorf("entry 2: %+v %q", es[1].Entry, es[1].sql)
	}
	if !es[2].AdminCommand || es[2].sql != "administrator command: Ping" || es[2].DB != "plain-db" || es[2].QueryUS != 200000 {
		t.Errorf("entry 3: %+v %q", es[2].Entry, es[2].sql)
	}
	if es[3].sql != "" || es[3].Truncated {
		t.Errorf("entry 4 (lone ;): %q truncated=%v", es[3].sql, es[3].Truncated)
	}
}

func TestParseMySQL56Style(t *testing.T) {
	log := "# Time: 190227  9:46:00\n" +
		"# User@Host: app[app] @ web1 [10.1.1.1]  Id: 7\n" +
		"# Query_time: 2.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 10\n" +
		"SET timestamp=1551260758;\n" +
		"SELECT 1;\n" +
		"# User@Host: app[app] @ web1 [10.1.1.1]  Id: 7\n" +
		"# Query_time: 3.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 10\n" +
		"SET timestamp=1551260759;\n" +
		"SELECT 2;\n"
	es := parseMy(t, log)
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	want := time.Date(2019, 2, 27, 9, 46, 0, 0, time.UTC)
	if es[0].Time != want || es[1].Time != want || es[0].Host != "web1" {
		t.Errorf("times %s %s host %q", es[0].Time, es[1].Time, es[0].Host)
	}
}

func TestParseMySQLNoLineCap(t *testing.T) {
	big := "SELECT '" + strings.Repeat("x", 3<<20) + "';"
	log := "# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 1.0  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\n" + big + "\n"
	es := parseMy(t, log+log)
	if len(es) != 2 || len(es[0].sql) != len(big)-1 {
		t.Fatalf("%d entries, first sql %d bytes", len(es), len(es[0].sql))
	}
}

func TestParseMySQLUnterminatedLiteralGivesUpVeto(t *testing.T) {
	// a failed statement with an unterminated quote must not swallow the entries after it
	var b strings.Builder
	b.WriteString("# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT 'oops;\n")
	for i := 0; i < 30; i++ {
		b.WriteString("# Time: 2026-11-22T11:31:05.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 0.2  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT 2;\n")
	}
	if es := parseMy(t, b.String()); len(es) != 31 {
		t.Fatalf("%d entries, want 31", len(es))
	}
	// at the end of the input too
	es := parseMy(t, "# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT 'oops;\n"+
		"# Time: 2026-11-22T11:31:05.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 0.2  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT 2;\n")
	if len(es) != 2 || es[1].sql != "SELECT 2" {
		t.Fatalf("end of input: %d entries %+v", len(es), es)
	}
}

func TestParseMySQLInvalidUTF8(t *testing.T) {
	log := "# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 1\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT '\xff\xfe\x80\xc3' FROM t;\n"
	es := parseMy(t, log)
	if len(es) != 1 || fp(es[0].sql, MySQL) != "select ? from t" {
		t.Fatalf("%+v", es)
	}
}

func TestParsePGPrefix(t *testing.T) {
	cases := []struct {
		line, remote, user, db, level, msg string
		pid                                int64
	}{
		{"2026-11-22 11:37:47 UTC:[local]:postgres@postgres:[15091]:LOG:  duration: 0.544 ms  statement: select version()", "[local]", "postgres", "postgres", "LOG", "duration: 0.544 ms  statement: select version()", 15091},
		{"2026-11-22 11:37:45 UTC::@:[14993]:LOG:  starting PostgreSQL 15.18", "", "", "", "LOG", "starting PostgreSQL 15.18", 14993},
		{"2026-11-22 11:38:09 UTC:127.0.0.1(48074):app@bench:[15845]:ERROR:  boom", "127.0.0.1", "app", "bench", "ERROR", "boom", 15845},
		{"2026-11-22 11:38:09 UTC:2001:db8::7(50123):app@bench:[15845]:LOG:  x", "2001:db8::7", "app", "bench", "LOG", "x", 15845},
		{"2026-11-22 11:38:09 UTC:10.0.0.1(1):we@ird@db:[7]:FATAL:  y", "10.0.0.1", "we@ird", "db", "FATAL", "y", 7},
	}
	for _, c := range cases {
		pl, ok := ParsePGPrefix([]byte(c.line))
		if !ok || string(pl.Remote) != c.remote || string(pl.User) != c.user || string(pl.DB) != c.db || string(pl.Level) != c.level || string(pl.Message) != c.msg || pl.PID != c.pid {
			t.Errorf("%q: ok=%v %q %q %q %q %q %d", c.line, ok, pl.Remote, pl.User, pl.DB, pl.Level, pl.Message, pl.PID)
		}
		if pl.Time != time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC).Add(pl.Time.Sub(time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC))) || pl.Time.IsZero() {
			t.Errorf("time %s", pl.Time)
		}
	}
	if _, ok := ParsePGPrefix([]byte("\t  FROM events")); ok {
		t.Error("a TAB continuation is not a prefixed line")
	}
}

func TestParsePostgres(t *testing.T) {
	log := strings.Join([]string{
		"2026-11-22 11:38:41 UTC:[local]:bench@bench:[1]:LOG:  duration: 0.076 ms  parse P_0: SELECT abalance FROM a WHERE aid = $1;",
		"2026-11-22 11:38:41 UTC:[local]:bench@bench:[1]:LOG:  duration: 0.005 ms  bind P_0: SELECT abalance FROM a WHERE aid = $1;",
		"2026-11-22 11:38:41 UTC:[local]:bench@bench:[1]:DETAIL:  parameters: $1 = '941348'",
		"2026-11-22 11:38:41 UTC:[local]:bench@bench:[1]:LOG:  duration: 0.010 ms  execute P_0: SELECT abalance FROM a WHERE aid = $1;",
		"2026-11-22 11:38:41 UTC:[local]:bench@bench:[1]:DETAIL:  parameters: $1 = '941348'",
		"2026-11-22 11:38:42 UTC:10.0.0.1(5000):app@bench:[2]:LOG:  duration: 12.500 ms  statement: SELECT kind,",
		"\t       count(*) AS c -- per kind",
		"\t  FROM events WHERE note = 'x",
		"\t2026-11-22 11:38:42 UTC:10.0.0.1(5000):evil@bench:[9]:LOG:  duration: 500000.0 ms  statement: SELECT 1'",
		"\t GROUP BY kind;",
		"2026-11-22 11:38:43 UTC:10.0.0.1(5000):app@bench:[3]:LOG:  statement: SELECT pg_sleep(1)",
		"2026-11-22 11:38:44 UTC:10.0.0.1(5000):app@bench:[3]:LOG:  duration: 1001.000 ms",
		"2026-11-22 11:38:45 UTC:10.0.0.1(5000):app@bench:[4]:ERROR:  column \"x\" does not exist at character 8",
		"2026-11-22 11:38:45 UTC:10.0.0.1(5000):app@bench:[4]:STATEMENT:  SELECT x FROM t",
		"2026-11-22 11:38:46 UTC:10.0.0.1(5000):app@bench:[5]:LOG:  duration: 2.000 ms  execute <unnamed>: SELECT $$a$$, E'b\\'c' FROM t WHERE id = ANY($1::int[])",
	}, "\n")
	var es []got
	if err := ParsePostgres(strings.NewReader(log), "pg1", func(e *Entry) { es = append(es, got{*e, string(e.SQL)}) }); err != nil {
		t.Fatal(err)
	}
	if len(es) != 6 {
		t.Fatalf("%d entries: %+v", len(es), es)
	}
	kinds := []Kind{KindParse, KindBind, KindQuery, KindQuery, KindQuery, KindQuery}
	us := []int64{76, 5, 10, 12500, 1001000, 2000}
	for i, e := range es {
		if e.Kind != kinds[i] || e.QueryUS != us[i] || e.Dialect != Postgres || e.Instance != "pg1" {
			t.Errorf("entry %d: kind %d %d µs", i, e.Kind, e.QueryUS)
		}
	}
	if !strings.Contains(es[3].sql, "2026-11-22 11:38:42 UTC:10.0.0.1(5000):evil@bench") || es[3].User != "app" || es[3].Host != "10.0.0.1" {
		t.Errorf("TAB continuation with a fake prefix: %+v %q", es[3].Entry, es[3].sql)
	}
	if es[4].sql != "SELECT pg_sleep(1)" || es[4].ThreadID != 3 {
		t.Errorf("bare duration pairing: %q", es[4].sql)
	}
	if got := fp(es[5].sql, Postgres); got != "select ?, ? from t where id = any (?::int[])" {
		t.Errorf("execute fingerprint %q", got)
	}
}

func TestEventParser(t *testing.T) {
	var es []got
	p := NewEventParser(MySQL, func(e *Entry) { es = append(es, got{*e, string(e.SQL)}) })
	entry := func(id int, db, sql string) string {
		s := "# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id:    " + string(rune('0'+id)) + "\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1\n"
		if db != "" {
			s += "use " + db + ";\n"
		}
		return s + "SET timestamp=1795347063;\n" + sql + ";"
	}
	p.Add("i2", 1, []byte("VALUES (3),(4);")) // orphan: continuation of an entry before the window
	p.Add("i1", 1, []byte(entry(1, "shop", "SELECT 1")))
	p.Add("i2", 2, []byte(entry(2, "other", "SELECT 2")))
	big := entry(3, "", "INSERT INTO t VALUES "+strings.Repeat("(1),", 100000)+"(2)")
	p.Add("i1", 3, []byte(big[:262144]))
	p.Add("i1", 3, []byte(big[262144:])) // headerless continuation
	p.Add("i2", 4, []byte(entry(4, "", "SELECT 4")))
	p.Add("i1", 5, []byte("/rdsdbbin/oscar/bin/mysqld, Version: 8.0.32 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument"))
	p.Add("i1", 6, []byte(entry(6, "", "SELECT 6")[:60])) // cut: no continuation follows
	p.Flush()
	if p.Orphans != 1 || p.Events != 8 {
		t.Errorf("orphans %d events %d", p.Orphans, p.Events)
	}
	byID := map[int64]got{}
	for _, e := range es {
		byID[e.ThreadID] = e
	}
	if len(es) != 5 {
		t.Fatalf("%d entries", len(es))
	}
	if byID[1].DB != "shop" || byID[2].DB != "other" || byID[3].DB != "shop" || byID[4].DB != "other" {
		t.Errorf("per-stream db: %q %q %q %q", byID[1].DB, byID[2].DB, byID[3].DB, byID[4].DB)
	}
	if !bytes.Equal([]byte(byID[3].sql), []byte(big[strings.Index(big, "INSERT"):len(big)-1])) || byID[3].Truncated {
		t.Errorf("continuation not joined (%d bytes, truncated=%v)", len(byID[3].sql), byID[3].Truncated)
	}
	if byID[3].Instance != "i1" || byID[2].Instance != "i2" {
		t.Errorf("instances %q %q", byID[3].Instance, byID[2].Instance)
	}
}

func TestDetectFormat(t *testing.T) {
	cases := map[string]Format{
		"# Time: 2026-11-22T11:31:04.000000Z\n":                                                  FormatMySQL,
		"\n/rdsdbbin/mysqld, Version: 8 started with:\n":                                         FormatMySQL,
		"2026-11-22 11:37:45 UTC::@:[14993]:LOG:  starting\n":                                    FormatPostgres,
		`{"logStreamName":"a","timestamp":1,"message":"# Time: x"}`:                              FormatCWMySQL,
		`{"logStreamName":"a","timestamp":1,"message":"2026-11-22 11:37:45 UTC::@:[1]:LOG:  x"}`: FormatCWPostgres,
	}
	for in, want := range cases {
		if got := DetectFormat([]byte(in)); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

func TestRunWorkersAgree(t *testing.T) {
	log := ""
	for i := 0; i < 3000; i++ {
		log += "# Time: 2026-11-22T11:31:04.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id: 1\n# Query_time: 0." + strings.Repeat("1", 1+i%5) + "  Lock_time: 0 Rows_sent: 1  Rows_examined: 2\nSET timestamp=1;\nSELECT c FROM sbtest" + string(rune('0'+i%7)) + " WHERE id = " + string(rune('0'+i%10)) + ";\n"
	}
	var res []Digest
	for _, w := range []int{1, 2, 4} {
		d, err := Run(t.Context(), func(fn func(*Entry)) error { return ParseMySQL(strings.NewReader(log), "x", fn) }, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, d.Result(0, OrderTotal, 1))
	}
	for i := 1; i < len(res); i++ {
		if res[i].Entries != res[0].Entries || res[i].Top[0].P95MS != res[0].Top[0].P95MS || res[i].Top[0].TotalS != res[0].Top[0].TotalS || res[i].Top[0].Example != res[0].Top[0].Example {
			t.Fatalf("workers disagree: %+v vs %+v", res[i].Top[0], res[0].Top[0])
		}
	}
	if res[0].Entries != 3000 || res[0].Classes != 1 || !res[0].Top[0].P95Exact == (3000 <= exactSamples) {
		t.Fatalf("digest: %d entries %d classes exact=%v", res[0].Entries, res[0].Classes, res[0].Top[0].P95Exact)
	}
}
