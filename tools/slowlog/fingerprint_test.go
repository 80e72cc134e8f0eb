package slowlog

import (
	"fmt"
	"strings"
	"testing"
)

func fp(sql string, d Dialect) string {
	var f Fingerprinter
	return string(f.Fingerprint([]byte(sql), d))
}

func TestFingerprint(t *testing.T) {
	cases := []struct {
		name, sql, want string
		d               Dialect
	}{
		{"literals", "SELECT * FROM orders WHERE id = 42 AND status = 'paid'", "select * from orders where id = ? and status = ?", MySQL},
		{"numeric zoo", "SELECT -12.5, 1e3, +7, .5, 1E+4, 0x1F, X'4142', b'101', 5., DATE '2024-01-01'", "select ?, ?, ?, ?, ?, ?, ?, ?, ?, date ?", MySQL},
		{"quotes", `SELECT 'O''Reilly', 'it\'s', "double", '\0' FROM t`, "select ?, ?, ?, ? from t", MySQL},
		{"comments", "SELECT /* c */ id -- trailing\n FROM t # hash\n WHERE id = 1", "select id from t where id = ?", MySQL},
		{"versioned comment", "SELECT /*!40001 SQL_NO_CACHE */ id FROM t", "select sql_no_cache id from t", MySQL},
		{"hint comment", "SELECT /*+ MAX_EXECUTION_TIME(1000) */ id FROM t", "select id from t", MySQL},
		{"in list", "SELECT * FROM t WHERE id IN (1, 2, 3) AND k IN ('a')", "select * from t where id in(?+) and k in(?+)", MySQL},
		{"in subquery", "SELECT * FROM t WHERE id NOT IN (SELECT id FROM u)", "select * from t where id not in(select id from u)", MySQL},
		{"values rows", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, NULL)", "insert into t(a, b) values(?+)", MySQL},
		{"values with functions", "INSERT INTO t (a, ts) VALUES (1, NOW()), (2, NOW())", "insert into t(a, ts) values(?, now())", MySQL},
		{"upsert", "INSERT INTO c (n) VALUES (1) ON DUPLICATE KEY UPDATE n=VALUES(n)", "insert into c(n) values(?+) on duplicate key update n = values(n)", MySQL},
		{"limit offset", "SELECT a FROM t LIMIT 10 OFFSET 20", "select a from t limit ?", MySQL},
		{"limit comma", "SELECT a FROM t LIMIT 20, 10", "select a from t limit ?", MySQL},
		{"digits in identifiers", "SELECT c FROM sbtest7 WHERE id=5", "select c from sbtest? where id = ?", MySQL},
		{"events table", "SELECT kind FROM `events_2024_02`", "select kind from events_?_?", MySQL},
		{"call", "CALL bump('signups', 1)", "call bump", MySQL},
		{"use", "USE shop", "use ?", MySQL},
		{"admin", "administrator command: Ping", "administrator command: Ping", MySQL},
		{"mysqldump", "SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders`", "mysqldump", MySQL},
		{"quoted identifier kept when not simple", "SELECT `sp ace` FROM t", "select `sp ace` from t", MySQL},
		{"booleans null", "UPDATE t SET a = TRUE, b = NULL WHERE c IS NOT NULL", "update t set a = ?, b = ? where c is not ?", MySQL},
		{"unary minus", "SELECT * FROM t WHERE a = -5 AND b > - 3", "select * from t where a = ? and b > ?", MySQL},
		{"binary minus kept", "UPDATE t SET k = k - 1", "update t set k = k - ?", MySQL},
		{"json operators", "SELECT doc->>'$.a' FROM t", "select doc ->> ? from t", MySQL},
		{"trailing semicolon", "SELECT 1;", "select ?", MySQL},
		{"empty", ";", "", MySQL},
		{"pg params", "SELECT abalance FROM pgbench_accounts WHERE aid = $1", "select abalance from pgbench_accounts where aid = ?", Postgres},
		{"pg escape string", "SELECT E'it\\'s', 'a''b'", "select ?, ?", Postgres},
		{"pg dollar quoting", "SELECT $$a'b$$, $fn$ body $fn$", "select ?, ?", Postgres},
		{"pg casts and arrays", "SELECT '{1,2}'::int[], x::text FROM t WHERE id = ANY(ARRAY[1,2,3])", "select ?::int[], x::text from t where id = any (array[?+])", Postgres},
		{"pg quoted identifier", `SELECT "Name" FROM "My Table"`, `select name from "my table"`, Postgres},
		{"pg hash is an operator", "SELECT 5 # 3", "select ? # ?", Postgres},
		{"pg dash dash always comment", "SELECT 1 --comment\n", "select ?", Postgres},
	}
	for _, c := range cases {
		if got := fp(c.sql, c.d); got != c.want {
			t.Errorf("%s: %q\n got %q\nwant %q", c.name, c.sql, got, c.want)
		}
	}
}

func TestFingerprintVariantsCollapse(t *testing.T) {
	groups := [][]string{
		{"SELECT `id` FROM `t` WHERE id=1", "select id from t where id = 2", "SELECT id\n  FROM t\tWHERE  `id`  =  3", "Select ID From T Where Id=4"},
		{"SELECT a FROM t LIMIT 1", "SELECT a FROM t LIMIT 5, 10", "SELECT a FROM t LIMIT 10 OFFSET 5"},
	}
	// IN lists of 1…1000 values and multi-row VALUES of 1…50 rows collapse to one class each
	var in, vals []string
	for i := 1; i <= 1000; i++ {
		vals = append(vals, fmt.Sprint(i))
		if i == 1 || i == 2 || i == 17 || i == 1000 {
			in = append(in, "SELECT * FROM t WHERE id IN ("+strings.Join(vals, ",")+")")
		}
	}
	var ins, rows []string
	for i := 1; i <= 50; i++ {
		rows = append(rows, fmt.Sprintf("(%d,'v%d')", i, i))
		if i == 1 || i == 2 || i == 50 {
			ins = append(ins, "INSERT INTO t (id, v) VALUES "+strings.Join(rows, ","))
		}
	}
	groups = append(groups, in, ins)
	for gi, g := range groups {
		want := fp(g[0], MySQL)
		for _, s := range g[1:] {
			if got := fp(s, MySQL); got != want {
				t.Errorf("group %d: %q → %q, want %q", gi, tail(s), got, want)
			}
		}
	}
	// digits in identifiers: collapsed by default, kept on request
	if fp("SELECT c FROM sbtest1", MySQL) != fp("SELECT c FROM sbtest2", MySQL) {
		t.Error("sbtest1 and sbtest2 should share a class by default")
	}
	f := Fingerprinter{KeepDigits: true}
	if a, b := string(f.Fingerprint([]byte("SELECT c FROM sbtest1"), MySQL)), "select c from sbtest1"; a != b {
		t.Errorf("KeepDigits: %q, want %q", a, b)
	}
}

func tail(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func TestFingerprintHugeAndBroken(t *testing.T) {
	var b strings.Builder
	b.WriteString("INSERT INTO t VALUES ")
	for i := 0; i < 30000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(%d,'%d')", i, i)
	}
	if got := fp(b.String(), MySQL); got != "insert into t values(?+)" {
		t.Errorf("30000-row VALUES: %q", tail(got))
	}
	for _, s := range []string{"SELECT '\xff\xfe\x80\xc3", "SELECT 'unterminated", "/* open", "SELECT `x", "SELECT 'emoji 😀', 'CJK 漢字' FROM t", "\x00\x01", "SELECT $$open"} {
		_ = fp(s, MySQL)
		_ = fp(s, Postgres)
	}
	if got := fp("SELECT 'emoji 😀', 名前 FROM t", MySQL); got != "select ?, 名前 from t" {
		t.Errorf("unicode: %q", got)
	}
}

func TestClassIDStable(t *testing.T) {
	if a, b := ClassID("select ?"), ClassID("select ?"); a != b || len(a) != 16 {
		t.Fatalf("ClassID %q %q", a, b)
	}
	if ClassID("select ?") == ClassID("select ?, ?") {
		t.Fatal("different fingerprints share an id")
	}
}

func TestMask(t *testing.T) {
	got := Mask([]byte("SELECT /* search:<b>x</b> */ id FROM t WHERE email = 'kim@example.com' AND n > 42"), MySQL)
	if want := "SELECT /* search:<b>x</b> */ id FROM t WHERE email = ? AND n > ?"; got != want {
		t.Errorf("Mask: %q, want %q", got, want)
	}
}

func TestFingerprintPipeline(t *testing.T) {
	var f Fingerprinter
	// go-sqllexer normalizes; the pt pass folds case and the IN list
	if got := string(f.Fingerprint([]byte("SELECT c FROM sbtest3 WHERE id IN (1, 2, 3)"), MySQL)); got != "select c from sbtest? where id in(?+)" || f.Normalized != 1 {
		t.Errorf("got %q (normalized %d)", got, f.Normalized)
	}
	// the same shape with other literals comes from the cache
	if got := string(f.Fingerprint([]byte("SELECT c FROM sbtest3 WHERE id IN (7, 8, 9)"), MySQL)); got != "select c from sbtest? where id in(?+)" || f.CacheHits != 1 || f.Normalized != 1 {
		t.Errorf("got %q (cache hits %d)", got, f.CacheHits)
	}
	// go-sqllexer reads k+1 as "k" and "+1" and drops the operator: the skeleton check sends it to our lexer
	if got := string(f.Fingerprint([]byte("UPDATE sbtest1 SET k=k+1 WHERE id=5"), MySQL)); got != "update sbtest? set k = k + ? where id = ?" || f.Fallbacks != 1 {
		t.Errorf("got %q (fallbacks %d)", got, f.Fallbacks)
	}
	if a, b := fp("UPDATE t SET k=k+1", MySQL), fp("UPDATE t SET k=k-1", MySQL); a == b {
		t.Errorf("k+1 and k-1 share a class: %q", a)
	}
	// literals never reach go-sqllexer or the cache: the shape is masked first
	f.Fingerprint([]byte("SELECT * FROM users WHERE email = 'kim@example.com'"), MySQL)
	for k := range f.cache[MySQL] {
		if strings.Contains(k, "kim@") {
			t.Errorf("cache key holds a literal: %q", k)
		}
	}
}
