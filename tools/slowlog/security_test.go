package slowlog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// digestOf digests a MySQL slow log held in memory and returns the top-10 result.
func digestOf(t *testing.T, log string) Digest {
	t.Helper()
	d, err := Run(context.Background(), func(fn func(*Entry)) error { return ParseMySQL(strings.NewReader(log), "file", fn) }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Result(10, OrderTotal, 0)
}

func entry(i int, sql string) string {
	return fmt.Sprintf("# Time: 2026-11-22T09:%02d:%02d.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id: %d\n# Query_time: 1.5  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 10\nSET timestamp=1795338000;\n%s\n",
		i/60%60, i%60, i, sql)
}

// TestOutputCapsPathologicalInput: a 10 MB statement and 100,000 distinct classes still give a bounded
// digest (the example and fingerprint are cut, the top list is N long, the classes are counted).
func TestOutputCapsPathologicalInput(t *testing.T) {
	// a 10 MB literal (masked away) and a 10 MB column list (cut)
	literal := "SELECT * FROM t WHERE note = '" + strings.Repeat("<script>x</script>", 10<<20/17) + "' AND id IN (" + strings.Repeat("1,", 1000) + "1);"
	columns := "SELECT " + strings.Repeat("col_abc, ", 10<<20/9) + "x FROM t;"
	res := digestOf(t, entry(0, literal)+entry(1, columns)+entry(2, "SELECT 1;"))
	b, _ := json.Marshal(res)
	if res.Entries != 3 || len(res.Top) != 3 || len(literal) < 10<<20 || len(columns) < 10<<20 {
		t.Fatalf("entries %d, top %d, statements %d and %d bytes", res.Entries, len(res.Top), len(literal), len(columns))
	}
	for _, c := range res.Top {
		if len(c.Example) > maxExampleLen || strings.Contains(c.Example, "<script>") {
			t.Errorf("example of %.40q: %d bytes", c.Fingerprint, len(c.Example))
		}
		if strings.HasPrefix(c.Example, "SELECT col_abc") && !c.ExampleTruncated {
			t.Errorf("the cut example is not marked truncated")
		}
		t.Logf("10 MB statement: fingerprint %d bytes, example %d bytes (truncated %v)", len(c.Fingerprint), len(c.Example), c.ExampleTruncated)
	}
	if len(b) > 64<<10 {
		t.Errorf("digest of two 10 MB statements is %d bytes of JSON", len(b))
	}
	t.Logf("digest JSON %d bytes", len(b))

	var sb strings.Builder
	const classes = 100_000
	for i := 0; i < classes; i++ {
		sb.WriteString(entry(i, fmt.Sprintf("SELECT c FROM t%s WHERE id = %d;", letters(i), i))) // digits in names are masked
	}
	res = digestOf(t, sb.String())
	b, _ = json.Marshal(res)
	if res.Classes != classes || len(res.Top) != 10 || !res.Truncated {
		t.Errorf("100,000 classes: classes %d, top %d, truncated %v", res.Classes, len(res.Top), res.Truncated)
	}
	if len(b) > 64<<10 {
		t.Errorf("digest of 100,000 classes is %d bytes of JSON", len(b))
	}
	t.Logf("100,000 classes: digest JSON %d bytes", len(b))
}

// letters spells i in base 26 (a, b, …, aa, …).
func letters(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('a' + i%26)}, b...)
		i /= 26
		if i == 0 {
			return string(b)
		}
		i--
	}
}
