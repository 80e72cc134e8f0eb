package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func render(t testing.TB, f func(io.Writer, Check) error, c Check) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGolden pins the three renderings of a small sample; run with -update after an intended change and
// review the diff.
func TestGolden(t *testing.T) {
	c := SampleCheck(2, 3, 60)
	for _, g := range []struct {
		file string
		f    func(io.Writer, Check) error
	}{{"sample.html", HTML}, {"sample.md", Markdown}, {"sample.json", JSON},
		{"sample.ko.html", func(w io.Writer, c Check) error { return HTMLLang(w, c, "ko") }}} {
		t.Run(g.file, func(t *testing.T) {
			got := render(t, g.f, c)
			if again := render(t, g.f, c); again != got {
				t.Fatal("two renders of the same check differ")
			}
			path := filepath.Join("testdata", "golden", g.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if got != string(want) {
				a, b := string(want), got
				i := 0
				for i < len(a) && i < len(b) && a[i] == b[i] {
					i++
				}
				lo := max(0, i-120)
				t.Fatalf("%s differs at byte %d:\nwant …%q…\n got …%q…\n(run go test -run TestGolden -update if intended)",
					g.file, i, a[lo:min(len(a), i+120)], b[lo:min(len(b), i+120)])
			}
		})
	}
}

func TestDeterministicAcrossZones(t *testing.T) {
	// the host's zone must not matter: only Window.Timezone does
	c := SampleCheck(2, 2, 48)
	a := render(t, HTML, c)
	t.Setenv("TZ", "America/Los_Angeles")
	if b := render(t, HTML, c); a != b {
		t.Error("output depends on the host time zone")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	c := SampleCheck(2, 3, 60)
	c.Health = nil
	out := render(t, JSON, c)
	var back Check
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if back.Cluster != c.Cluster || len(back.Metrics) != 3 || len(back.Metrics[0].Series[0].Points) != 60 ||
		!back.Window.Start.Equal(c.Window.Start) || back.SlowQueries.Classes[1].Example != c.SlowQueries.Classes[1].Example {
		t.Error("JSON does not round-trip")
	}
	if !strings.Contains(out, `"health": []`) || strings.Contains(out, "null") {
		t.Error("nil lists must be written as []")
	}
	if c.Health != nil {
		t.Error("JSON modified the check")
	}
	if strings.Contains(out, "</script") || strings.Contains(out, "<img") {
		t.Error("JSON carries raw markup (it is HTML-escaped so it can be embedded safely)")
	}
}

func TestMarkdownEscaping(t *testing.T) {
	out := render(t, Markdown, SampleCheck(2, 3, 60))
	// outside code spans, no raw HTML and no U+2028
	outside := regexp.MustCompile("(`+)[^`]*?(`+)").ReplaceAllString(out, "")
	outside = regexp.MustCompile(`\\.`).ReplaceAllString(outside, "")
	if raw := regexp.MustCompile(`<[A-Za-z/!?]`).FindAllString(strings.ReplaceAll(outside, "<https://", ""), -1); len(raw) > 0 {
		t.Errorf("raw markup outside code spans: %q", raw)
	}
	if strings.Contains(outside, "\u2028") {
		t.Error("raw U+2028 outside code spans")
	}
	for _, want := range []string{"| `The parameter max_connections was set by the customer </script><script>alert(1)</script>` |",
		`\</script\>\<script\>alert(1)\</script\>`, "# prod-orders-aurora — health check: CRITICAL",
		"| Time | Source | Category | Message |", "2026-11-21 23:38", "- Docs: <https://docs.aws.amazon.com/", "- Docs: `javascript:alert(1)`"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	// every table row has as many cells as its header (no | leaked from data)
	var cols int
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "|") {
			cols = 0
			continue
		}
		n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1))
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row with %d cells under a %d-cell header: %s", n, cols, l)
		}
	}
	if got := code("a`b"); got != "``a`b``" {
		t.Errorf("code with a backtick: %q", got)
	}
	if got := md("_x_ *y* [z](javascript:1) <b> a|b snake_case"); got != `\_x\_ \*y\* \[z\](javascript:1) \<b\> a\|b snake_case` {
		t.Errorf("md: %q", got)
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	c := SampleCheck(2, 3, 60)
	c.Cluster = "prod/orders aurora"
	for _, f := range []struct{ format, ext string }{{"", "html"}, {"html", "html"}, {"markdown", "md"}, {"json", "json"}} {
		path, size, err := Write(dir, c, f.format)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, "prod-orders-aurora-20261122-0007."+f.ext); path != want {
			t.Errorf("path %s, want %s", path, want)
		}
		st, err := os.Stat(path)
		if err != nil || st.Size() != size || size == 0 || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: size %d, stat %v %v", path, size, st, err)
		}
	}
	if _, _, err := Write(dir, c, "pdf"); err == nil || !strings.Contains(err.Error(), "html, markdown or json") {
		t.Errorf("unknown format: %v", err)
	}
	// a failed render leaves no file, not even a temporary one
	bad := c
	bad.GeneratedAt = bad.GeneratedAt.Add(60e9)
	bad.Metrics[0].Series[0].Points[0].V = math.NaN()
	if _, _, err := Write(dir, bad, "json"); err == nil {
		t.Fatal("NaN in JSON: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("after a failed write the directory holds %v", names)
	}
}

func BenchmarkHTML5x10x1440(b *testing.B) {
	c := SampleCheck(5, 10, 1440)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := HTML(&buf, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/report")
}

func BenchmarkMarkdown5x10x1440(b *testing.B) {
	c := SampleCheck(5, 10, 1440)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Markdown(&buf, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/report")
}
