package perf

import (
	"strings"
	"testing"
)

func TestMaskSQL(t *testing.T) {
	cases := []struct {
		name, in, want string
		pg             bool
	}{
		{"numbers and strings", "SELECT * FROM t1 WHERE id = 42 AND name = 'bob' AND x > -1.5e3", "SELECT * FROM t1 WHERE id = ? AND name = ? AND x > -?", false},
		{"mysql double quotes are strings", `SELECT a FROM t WHERE b = "x" AND c = 'it''s' AND d = 'a\'b'`, "SELECT a FROM t WHERE b = ? AND c = ? AND d = ?", false},
		{"pg double quotes are identifiers", `SELECT "Name" FROM "Users" WHERE id = $1 AND tag = 'x'`, `SELECT "Name" FROM "Users" WHERE id = $1 AND tag = ?`, true},
		{"in list collapses", "SELECT * FROM t WHERE id IN (1, 2,3 , 4)", "SELECT * FROM t WHERE id IN (?+)", false},
		{"values rows collapse", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", "INSERT INTO t (a, b) VALUES (?+), (?+)", false},
		{"single placeholder list kept", "SELECT f(1)", "SELECT f(?)", false},
		{"identifiers with digits kept", "SELECT col2, t3.c4 FROM db1.t3", "SELECT col2, t3.c4 FROM db1.t3", false},
		{"hex and bit literals", "SELECT 0xFF, X'0A', b'101', N'ü'", "SELECT ?, ?, ?, ?", false},
		{"backticks kept", "SELECT `order`, `2col` FROM `t` WHERE `x`=7", "SELECT `order`, `2col` FROM `t` WHERE `x`=?", false},
		{"comments kept, white space squeezed", "SELECT /* report 7 */ a\n\t FROM t -- note 3\nWHERE b=1", "SELECT /* report 7 */ a FROM t -- note 3\nWHERE b=?", false},
		{"pg dollar quotes", "SELECT $$it's 42$$, $tag$x$tag$, $1", "SELECT ?, ?, $1", true},
		{"pg escape string", `SELECT E'a\'b', 'c'`, "SELECT ?, ?", true},
		{"unterminated string masks to end", "SELECT 'abc", "SELECT ?", false},
		{"placeholders untouched", "SELECT * FROM t WHERE a = ? AND b = :p1 AND c = @v2", "SELECT * FROM t WHERE a = ? AND b = :p1 AND c = @v2", false},
		{"digest ellipsis kept", "SELECT * FROM t WHERE id IN (...)", "SELECT * FROM t WHERE id IN (...)", false},
		{"non-ascii identifiers", "SELECT 이름 FROM 고객 WHERE 나이 > 30", "SELECT 이름 FROM 고객 WHERE 나이 > ?", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MaskSQL(c.in, c.pg); got != c.want {
				t.Errorf("MaskSQL(%q) =\n  %q\nwant\n  %q", c.in, got, c.want)
			}
		})
	}
}

// FuzzMaskSQL: masking is idempotent and never lets the content of a string literal through.
func FuzzMaskSQL(f *testing.F) {
	for _, s := range []string{"SELECT * FROM t WHERE a = 'SECRETVALUE' AND b IN (1,2)", `x = "SECRETVALUE"`, "$q$SECRETVALUE$q$",
		"E'SECRETVALUE\\'", "-- c\n'SECRETVALUE'", "0x1F 1.5e-3 'SECRETVALUE'''", "(?, ?)", "/* unterminated"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, pg bool) {
		m := MaskSQL(s, pg)
		if again := MaskSQL(m, pg); again != m {
			t.Fatalf("not idempotent:\n in  %q\n 1st %q\n 2nd %q", s, m, again)
		}
		// A literal appended after any quote-free, comment-free text must vanish.
		const marker = "Zq7SECRETx"
		stripped := strings.NewReplacer("'", "", `"`, "", "`", "", `\`, "", "$", "").Replace(s)
		if strings.Contains(stripped, "--") || strings.Contains(stripped, "/*") || strings.Contains(stripped, marker) {
			return
		}
		if probe := MaskSQL(stripped+" AND z = '"+marker+"'", pg); strings.Contains(probe, marker) {
			t.Fatalf("literal leaked: %q → %q", stripped, probe)
		}
	})
}
