package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	bigOnce sync.Once
	bigHTML string
)

// big renders the budget case once: 5 instances × 10 metrics × 1440 one-minute points.
func big(t testing.TB) string {
	t.Helper()
	bigOnce.Do(func() {
		var b bytes.Buffer
		if err := HTML(&b, SampleCheck(5, 10, 1440)); err != nil {
			t.Fatal(err)
		}
		bigHTML = b.String()
	})
	return bigHTML
}

func TestHTMLSize(t *testing.T) {
	doc := big(t)
	const budget = 1_000_000
	t.Logf("5 instances × 10 metrics × 1440 points: %d bytes (budget %d)", len(doc), budget)
	if len(doc) > budget {
		t.Fatalf("report is %d bytes, over the %d budget", len(doc), budget)
	}
}

func TestHTMLSafety(t *testing.T) {
	for name, doc := range map[string]string{"big": big(t), "small": render(t, HTML, SampleCheck(2, 3, 60))} {
		t.Run(name, func(t *testing.T) { checkSafe(t, doc, true) })
	}
}

func checkSafe(t *testing.T, doc string, injected bool) {
	nodes, err := scan(doc)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"img": true, "iframe": true, "link": true, "form": true, "object": true, "embed": true,
		"base": true, "frame": true, "frameset": true, "audio": true, "video": true, "source": true, "input": true,
		"image": true, "use": true, "foreignobject": true, "applet": true, "portal": true, "track": true}
	var csp string
	var scripts, styles []string
	var text strings.Builder
	var data string
	sawCharset := false
	for i, n := range nodes {
		switch n.kind {
		case "comment":
			t.Errorf("comment in output at %d: %q", n.off, n.text)
		case "text":
			text.WriteString(html.UnescapeString(n.text))
		case "raw":
			open := nodes[i-1]
			if n.name == "style" {
				styles = append(styles, n.text)
				continue
			}
			typ, _ := open.attr("type")
			if typ == "application/json" {
				data = n.text
			} else if typ != "" {
				t.Errorf("script of type %q", typ)
			} else {
				scripts = append(scripts, n.text)
			}
			low := strings.ToLower(n.text)
			for _, bad := range []string{"<!--", "<script", "</script", "\u2028", "\u2029"} {
				if strings.Contains(low, bad) {
					t.Errorf("inline <%s> contains %q", n.name, bad)
				}
			}
		case "start":
			if forbidden[n.name] {
				t.Errorf("forbidden element <%s> at %d", n.name, n.off)
			}
			if n.name == "meta" {
				if _, ok := n.attr("charset"); ok {
					sawCharset = true
				}
				if he, ok := n.attr("http-equiv"); ok {
					if !strings.EqualFold(he, "Content-Security-Policy") {
						t.Errorf("meta http-equiv=%q", he)
					} else if !sawCharset || csp != "" {
						t.Errorf("the CSP meta must come right after the charset, once")
					} else {
						csp, _ = n.attr("content")
					}
				}
			}
			if n.name == "script" {
				if _, ok := n.attr("src"); ok {
					t.Errorf("script with src at %d", n.off)
				}
				if csp == "" {
					t.Errorf("script before the CSP at %d", n.off)
				}
			}
			for _, a := range n.attrs {
				switch {
				case strings.HasPrefix(a.name, "on"):
					t.Errorf("event-handler attribute %s on <%s> at %d", a.name, n.name, n.off)
				case a.name == "style":
					t.Errorf("style attribute on <%s> at %d (the CSP hashes the style element only)", n.name, n.off)
				case a.name == "src" || a.name == "srcset" || a.name == "action" || a.name == "formaction" ||
					a.name == "xlink:href" || a.name == "poster" || a.name == "background" || a.name == "ping":
					t.Errorf("loading attribute %s=%q on <%s>", a.name, a.val, n.name)
				case a.name == "href":
					if !strings.HasPrefix(a.val, "#") && !isHTTPS(a.val) {
						t.Errorf("href %q on <%s>: only #fragments and https navigation links", a.val, n.name)
					}
					if n.name != "a" {
						t.Errorf("href on <%s>", n.name)
					}
				}
				if strings.Contains(strings.ToLower(a.val), "javascript:") {
					t.Errorf("javascript: in %s on <%s>", a.name, n.name)
				}
			}
		}
	}

	// CSP: nothing loads, and exactly our inline script and style run.
	for _, want := range []string{"default-src 'none'", "img-src data:", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	dirs := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			dirs[f[0]] = f[1:]
		}
	}
	if len(scripts) != 2 || len(styles) != 1 {
		t.Fatalf("%d inline scripts and %d styles, want 2 and 1", len(scripts), len(styles))
	}
	for _, s := range scripts {
		if h := hashSource(s); !contains(dirs["script-src"], h) {
			t.Errorf("inline script hash %s not in script-src %v", h, dirs["script-src"])
		}
	}
	if h := hashSource(styles[0]); !contains(dirs["style-src"], h) {
		t.Errorf("style hash %s not in style-src %v", h, dirs["style-src"])
	}
	for _, d := range []string{"script-src", "style-src"} {
		if contains(dirs[d], "'unsafe-inline'") || contains(dirs[d], "'unsafe-eval'") || len(dirs[d]) == 0 {
			t.Errorf("%s %v", d, dirs[d])
		}
	}
	if regexp.MustCompile(`(?i)url\(|@import|https?:`).MatchString(styles[0]) {
		t.Error("the CSS refers to something external")
	}
	if regexp.MustCompile(`(?i)innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|fetch\(|XMLHttpRequest|import\(`).MatchString(scripts[1]) {
		t.Error("the script uses an HTML sink or a network/eval API")
	}

	// the hostile strings are text, never markup
	tx := text.String()
	for _, inj := range []string{Injections[0], Injections[1], Injections[2], Injections[6]} {
		if injected && !strings.Contains(tx, inj) {
			t.Errorf("injection %q is not shown as text", inj)
		}
	}
	if n := strings.Count(strings.ToLower(doc), "<script"); n != 3 {
		t.Errorf("%d <script in the document, want 3 (ours)", n)
	}
	if n := strings.Count(strings.ToLower(doc), "</style"); n != 1 {
		t.Errorf("%d </style in the document, want 1", n)
	}

	// the chart data parses and matches the charts
	var p struct {
		T0, T1 int64
		Box    [4]int
		Charts []struct {
			ID  string
			Gap int64
			Lo  float64
			Hi  float64
			S   []struct {
				T []int64
				V []*float64
			}
		}
	}
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		t.Fatalf("chart data: %v", err)
	}
	if p.T1 <= p.T0 || (injected && len(p.Charts) == 0) {
		t.Fatalf("chart data: %+v", p)
	}
	for _, c := range p.Charts {
		if !strings.Contains(doc, `<svg id="`+c.ID+`"`) {
			t.Errorf("chart %s has no svg", c.ID)
		}
		if c.Hi <= c.Lo || c.Gap <= 0 {
			t.Errorf("chart %s: lo %v hi %v gap %v", c.ID, c.Lo, c.Hi, c.Gap)
		}
		for i, s := range c.S {
			if len(s.T) != len(s.V) {
				t.Fatalf("chart %s series %d: %d times, %d values", c.ID, i, len(s.T), len(s.V))
			}
			var at int64
			for k, d := range s.T {
				at += d
				if d < 0 || at > p.T1-p.T0 {
					t.Fatalf("chart %s series %d point %d: offset %d outside the window", c.ID, i, k, at)
				}
				if s.V[k] == nil && (k == 0 || s.V[k-1] == nil) {
					t.Fatalf("chart %s series %d: break marker at %d not after a point", c.ID, i, k)
				}
			}
		}
	}
}

func hashSource(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestHTMLStructure checks the nine tabs and panels, the window and zone, gaps in their tab and empty states.
func TestHTMLStructure(t *testing.T) {
	doc := big(t)
	for _, tb := range tabOrder {
		for _, want := range []string{
			`<a role="tab" id="tab-` + tb.id + `" href="#` + tb.id + `" aria-controls="` + tb.id + `">`,
			`<section id="` + tb.id + `" class="panel" role="tabpanel" aria-labelledby="tab-` + tb.id + `"`,
		} {
			if !strings.Contains(doc, want) {
				t.Errorf("missing %s", want)
			}
		}
	}
	for _, want := range []string{
		"2026-11-21 09:00 – 2026-11-22 09:00 KST", "2026-11-21 00:00 – 2026-11-22 00:00 UTC", "Asia/Seoul (KST, UTC+09:00)",
		`<span class="vl">critical</span>`, "2 critical", `<time datetime="2026-11-21T14:38:00Z" title="2026-11-21 14:38:00 UTC">2026-11-21 23:38</time>`,
		"SubscriptionRequiredException", "No AWS Health events in window.", `href="#metrics">Metrics →</a>`,
	} {
		if !strings.Contains(html.UnescapeString(doc), want) {
			t.Errorf("missing %q", want)
		}
	}
	// the Health gap is in the Events panel, not only on the summary
	ev := doc[strings.Index(doc, `<section id="events"`):strings.Index(doc, `<section id="maintenance"`)]
	if !strings.Contains(ev, "SubscriptionRequiredException") {
		t.Error("the events gap is not shown in the Events tab")
	}
	// a doc link that is not https is text, not a link
	if strings.Contains(doc, `href="javascript`) || strings.Contains(doc, `href="#ZgotmplZ"`) {
		t.Error("a non-https doc link was rendered as a link")
	}

	// empty states
	var e Check
	e.Cluster, e.Verdict, e.Window = "empty", "healthy", SampleCheck(1, 0, 2).Window
	doc = render(t, HTML, e)
	for _, want := range []string{"No events in window.", "No pending maintenance.", "No slow queries in window.",
		"No error-log messages in window.", "No database load data in window.", "No instance metrics in window.",
		"No findings: nothing in this window needs attention.", "No alarms on this cluster or its members."} {
		if !strings.Contains(doc, want) {
			t.Errorf("empty check: missing %q", want)
		}
	}
	checkSafe(t, doc, false)
}

func TestChartDownsampleKeepsPeaks(t *testing.T) {
	c := SampleCheck(5, 10, 1440)
	ax := newTimeAxis(c.Window)
	for _, p := range c.Metrics {
		for _, s := range p.Series {
			d := minmax(s.Points, ax, new([]int64))
			n, mx, mn := 0, math.Inf(-1), math.Inf(1)
			for _, r := range d.runs {
				n += len(r)
				for _, q := range r {
					mx, mn = math.Max(mx, q.V), math.Min(mn, q.V)
				}
			}
			if n > 2*buckets || mx != s.Max || mn != s.Min {
				t.Errorf("%s %s: %d points, max %v (want %v), min %v (want %v)", p.Metric, s.Instance, n, mx, s.Max, mn, s.Min)
			}
		}
	}
	// the reader's reboot is a break in the line, not a bridge
	var r1 Series
	for _, s := range c.Metrics[0].Series {
		if s.Instance == "prod-orders-r1" {
			r1 = s
		}
	}
	if d := minmax(r1.Points, ax, new([]int64)); len(d.runs) != 2 {
		t.Errorf("reboot gap: %d runs, want 2", len(d.runs))
	}
	if got := strings.Count(path(minmax(r1.Points, ax, new([]int64)), ax, 0, 100), "M"); got != 2 {
		t.Errorf("reboot gap: %d moves in the path, want 2", got)
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 97.234: "97.2", 100: "100", 0.5: "0.5", 1234: "1,234", 99999: "99,999",
		123456: "123k", 2.5e9: "2.5G", -3.14159: "-3.14", 0.000123: "0.000123", 999.6: "1,000"} {
		if got := fmtNum(in); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", in, got, want)
		}
	}
	if got := scaleFor("bytes", 9.5*(1<<30)).value(8.25 * (1 << 30)); got != "8.25 GiB" {
		t.Errorf("bytes: %q", got)
	}
	lo, hi, ts := niceRange(0, 812, 4)
	if lo != 0 || hi != 1000 || len(ts) != 5 {
		t.Errorf("niceRange(0, 812) = %v %v %v", lo, hi, ts)
	}
}

func TestUnknownZoneFallsBackToUTC(t *testing.T) {
	c := SampleCheck(1, 1, 24)
	c.Window.Timezone = "Mars/Olympus_Mons"
	doc := render(t, HTML, c)
	if !strings.Contains(doc, "times are shown in UTC") || !strings.Contains(doc, "2026-11-21 00:00 – 2026-11-22 00:00 UTC") {
		t.Error("unknown zone: no UTC fallback note")
	}
}

func TestZoneSpansAcrossDST(t *testing.T) {
	// US daylight saving time ends on 2026-11-01 at 06:00 UTC
	t0 := time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC)
	z := loadZone("America/New_York", t0)
	got := z.spans(t0, t0.Add(48*time.Hour))
	if len(got) != 2 || got[0].Abbr != "EDT" || got[0].Off != -4*3600 || got[1].Abbr != "EST" || got[1].From != 18*3600 {
		t.Errorf("spans = %+v", got)
	}
	if s := loadZone("Asia/Seoul", t0).spans(t0, t0.Add(24*time.Hour)); len(s) != 1 || s[0].Abbr != "KST" {
		t.Errorf("Seoul spans = %+v", s)
	}
}

// TestTrustedTypesOnlyOnConstants enforces the escaping rule: html/template's trusted types wrap only our
// embedded CSS and scripts, never data.
func TestTrustedTypesOnlyOnConstants(t *testing.T) {
	allowed := map[string]bool{"template.CSS(cssText)": true, "template.JS(headJS)": true, "template.JS(jsText)": true}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`template\.(HTML|HTMLAttr|JS|JSStr|CSS|URL|Srcset)\([^)]*\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllString(string(src), -1) {
			if !allowed[m] {
				t.Errorf("%s: %s — trusted template types may wrap only the embedded assets", f, m)
			}
		}
	}
}
