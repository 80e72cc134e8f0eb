// Command bench measures kida-mcp against the bars of DESIGN.md §11 and prints one Markdown table:
//
//	(a) cold start of the binary to an answered initialize + tools/list over stdio (median of -n runs);
//	(b) a full run_health_check of a 3-instance Aurora MySQL cluster against moto seeded with 24 h of data,
//	    behind a loopback proxy adding -latency per AWS call: wall time and AWS calls by operation;
//	(c) slow-log digest throughput on the shared Aurora MySQL slow log (MB/s, entries/s, peak RSS), and
//	    pt-query-digest on the same file with the ratio when it is installed;
//	(d) render time and size of the 5 × 10 × 1,440 HTML report;
//	(e) idle RSS of `serve` (stdio, after initialize + tools/list);
//	(f) `report` over -fleet demo-style clusters against moto with bounded concurrency: wall time, peak RSS.
//
// `make bench` runs it. Network traffic goes to 127.0.0.1 only (moto_server, the proxy). Without
// moto_server, (b) and (f) say so and the rest still runs.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/report"
	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
	"github.com/kida-mcp/kida-mcp/tools/testkit/faultproxy"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

type options struct {
	bin, slowlog            string
	coldRuns, checkRuns     int
	digestRuns, renderRuns  int
	fleet, fleetConcurrency int
	latency                 time.Duration
	only                    string
	skipPT                  bool
}

// row is one line of the table.
type row struct{ id, measure, result, target, verdict string }

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/kida-mcp", "kida-mcp binary")
	flag.StringVar(&o.slowlog, "slowlog", "../shared/data/slowlog/aurora-mysql3-slow.log.gz", "slow log for (c)")
	flag.IntVar(&o.coldRuns, "n", 21, "cold-start runs (a)")
	flag.IntVar(&o.checkRuns, "checks", 5, "full-check runs (b)")
	flag.IntVar(&o.digestRuns, "digests", 5, "digest runs (c)")
	flag.IntVar(&o.renderRuns, "renders", 21, "render runs (d)")
	flag.IntVar(&o.fleet, "fleet", 100, "clusters in the fleet report (f); 0 skips it")
	flag.IntVar(&o.fleetConcurrency, "fleet-concurrency", 8, "clusters checked at once in (f)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the proxy adds to every AWS call in (b) and (f)")
	flag.StringVar(&o.only, "only", "", "run only these parts, e.g. \"a,c\"")
	flag.BoolVar(&o.skipPT, "no-pt", false, "skip pt-query-digest")
	flag.Parse()
	if _, err := os.Stat(o.slowlog); err != nil {
		if alt := "/work/shared/data/slowlog/aurora-mysql3-slow.log.gz"; fileExists(alt) {
			o.slowlog = alt
		}
	}
	defer awstest.StopMoto()

	parts := []struct {
		id  string
		run func(options) ([]row, error)
	}{{"a", coldStartRows}, {"b", fullCheckRows}, {"c", digestRows}, {"d", renderRows}, {"e", idleRows}, {"f", fleetRows}}
	var rows []row
	for _, p := range parts {
		if o.only != "" && !strings.Contains(o.only, p.id) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: (%s)…\n", p.id)
		rs, err := runPart(p.run, o)
		if err != nil {
			rs = append(rs, row{id: p.id, measure: "—", result: "not measured: " + err.Error(), verdict: "—"})
		}
		rows = append(rows, rs...)
	}
	fmt.Println("| # | measure | result | bar (DESIGN.md §11) | meets |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.id, r.measure, r.result, r.target, r.verdict)
	}
}

// runPart turns a skip or fatal from the awstest helpers (see benchTB) into an error.
func runPart(f func(options) ([]row, error), o options) (rows []row, err error) {
	defer func() {
		if r := recover(); r != nil {
			var s stop
			if errors.As(asErr(r), &s) {
				err = s
				return
			}
			panic(r)
		}
	}()
	return f(o)
}

func asErr(r any) error {
	if e, ok := r.(error); ok {
		return e
	}
	return fmt.Errorf("%v", r)
}

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// ---- (a) cold start

func coldStartRows(o options) ([]row, error) {
	var demo, real []time.Duration
	for i := 0; i < o.coldRuns; i++ {
		d, err := coldStart(o.bin, "serve", "--demo")
		if err != nil {
			return nil, err
		}
		demo = append(demo, d)
		d, err = coldStart(o.bin, "serve", "--region", "us-east-1")
		if err != nil {
			return nil, err
		}
		real = append(real, d)
	}
	out := []row{}
	for _, x := range []struct {
		name string
		ds   []time.Duration
	}{{"--demo", demo}, {"AWS config", real}} {
		m := median(x.ds)
		sort.Slice(x.ds, func(i, j int) bool { return x.ds[i] < x.ds[j] })
		out = append(out, row{"a", "cold start → initialize + tools/list, stdio, " + x.name,
			fmt.Sprintf("median %s (p90 %s, min %s; %d runs)", ms(m), ms(x.ds[len(x.ds)*9/10]), ms(x.ds[0]), len(x.ds)),
			"≤ 30 ms", verdict(m <= 30*time.Millisecond)})
	}
	return out, nil
}

// coldStart starts the binary, sends initialize, initialized and tools/list, and returns the time until the
// tools/list response has been read.
func coldStart(bin string, args ...string) (time.Duration, error) {
	start := time.Now()
	cmd := exec.Command(bin, args...)
	cmd.Env = benchEnv()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	d, err := initAndList(stdin, stdout, start)
	stdin.Close()
	_ = cmd.Wait()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", bin, err)
	}
	return d, nil
}

func initAndList(stdin io.Writer, stdout io.Reader, start time.Time) (time.Duration, error) {
	io.WriteString(stdin, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`+"\n")
	io.WriteString(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	io.WriteString(stdin, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`+"\n")
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"jsonrpc":"2.0","id":2,`) {
			return time.Since(start), nil
		}
	}
	return 0, errors.New("no tools/list answer")
}

// benchEnv keeps the developer's AWS setup out of the measured processes.
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "KIDA_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

// ---- (b) full check over the wire

func fullCheckRows(o options) ([]row, error) {
	tb := newTB()
	defer tb.cleanup()
	moto := awstest.StartMoto(tb)
	now := time.Now().UTC().Truncate(time.Minute)
	seedStart := time.Now()
	faultproxy.SeedCluster(tb, moto.Config(tb, "us-east-1"), faultproxy.ClusterSeed{ID: "bench-aurora", NoMetrics: true, SlowLog: 2000, ErrorLog: 500}, now)
	fmt.Fprintf(os.Stderr, "bench: (b) seeded moto in %s\n", time.Since(seedStart).Round(time.Millisecond))
	p, err := faultproxy.New(moto.URL(), faultproxy.Options{Latency: o.latency, Stubs: append(faultproxy.MotoGaps(now), faultproxy.MetricData()), Rewrite: faultproxy.EnablePI})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	prov, err := awsclient.Load(context.Background(), awsclient.Options{Region: "us-east-1", Endpoint: p.URL(), CloudWatchProtocol: awsclient.ProtocolJSON,
		Isolated: true, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		return nil, err
	}
	var walls []time.Duration
	var counts map[string]int
	var gaps []string
	for i := 0; i < o.checkRuns; i++ {
		p.Reset()
		start := time.Now()
		c, err := check.Run(context.Background(), check.Deps{Clients: prov, Env: tools.Env{Now: func() time.Time { return now }}, Pacers: check.NewPacers()},
			"bench-aurora", "us-east-1", check.Options{Window: timewin.Input{Since: "24h"}})
		if err != nil {
			return nil, err
		}
		walls = append(walls, time.Since(start))
		counts = p.Counts()
		gaps = gaps[:0]
		for _, g := range c.Gaps {
			gaps = append(gaps, g.What+": "+g.Why)
		}
	}
	total := 0
	var ops []string
	for op, n := range counts {
		total += n
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool {
		if counts[ops[i]] != counts[ops[j]] {
			return counts[ops[i]] > counts[ops[j]]
		}
		return ops[i] < ops[j]
	})
	var by []string
	for _, op := range ops {
		by = append(by, fmt.Sprintf("%s %d", op, counts[op]))
	}
	rows := []row{
		{"b", fmt.Sprintf("full run_health_check, 3 instances, 24 h, +%s per AWS call", o.latency),
			fmt.Sprintf("median %s wall (%d runs)", median(walls).Round(time.Millisecond), len(walls)), "—", "—"},
		{"b", "AWS calls of that check (by operation)", fmt.Sprintf("**%d**: %s", total, strings.Join(by, ", ")), "≤ 15", verdict(total <= 15)},
		{"b", "GetMetricData calls", fmt.Sprint(counts["monitoring:GetMetricData"]), "ceil(queries/500) = 1", verdict(counts["monitoring:GetMetricData"] == 1)},
	}
	if len(gaps) > 0 {
		rows = append(rows, row{"b", "gaps in that check", strings.Join(gaps, "; "), "none", "**no**"})
	}
	return rows, nil
}

// ---- (c) slow-log digest

func digestRows(o options) ([]row, error) {
	plain, size, err := gunzipTemp(o.slowlog)
	if err != nil {
		return nil, err
	}
	defer os.Remove(plain)
	var walls []time.Duration
	var rss int64
	var entries int64
	var top []string
	for i := 0; i < o.digestRuns; i++ {
		var out bytes.Buffer
		d, r, err := runMeasured(exec.Command(o.bin, "digest", "--format", "json", plain), &out)
		if err != nil {
			return nil, err
		}
		walls = append(walls, d)
		rss = max(rss, r)
		var res struct {
			Entries int64
			Top     []struct{ Fingerprint string }
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return nil, fmt.Errorf("digest output: %w", err)
		}
		entries = res.Entries
		top = top[:0]
		for _, c := range res.Top {
			top = append(top, c.Fingerprint)
		}
	}
	m := median(walls)
	mbs := float64(size) / 1e6 / m.Seconds()
	rows := []row{{"c", fmt.Sprintf("slow-log digest, %s (%.1f MB, %d entries)", filepath.Base(o.slowlog), float64(size)/1e6, entries),
		fmt.Sprintf("median %s: %.1f MB/s, %.0f entries/s, peak RSS %.1f MB (%d runs)", m.Round(time.Millisecond), mbs, float64(entries)/m.Seconds(), float64(rss)/1024, len(walls)),
		"—", "—"}}
	pt, err := exec.LookPath("pt-query-digest")
	switch {
	case o.skipPT:
		return append(rows, row{"c", "pt-query-digest on the same file", "skipped (-no-pt)", "kida ≥ 20× faster", "—"}), nil
	case err != nil:
		return append(rows, row{"c", "pt-query-digest on the same file", "not installed (Debian percona-toolkit)", "kida ≥ 20× faster", "—"}), nil
	}
	var out bytes.Buffer
	d, r, err := runMeasured(exec.Command(pt, "--limit", "10", plain), &out)
	if err != nil {
		return nil, fmt.Errorf("pt-query-digest: %w", err)
	}
	ratio := d.Seconds() / m.Seconds()
	rows = append(rows, row{"c", "pt-query-digest on the same file (1 run)",
		fmt.Sprintf("%s: %.1f MB/s, peak RSS %.1f MB; kida is **%.1f×** faster", d.Round(time.Millisecond), float64(size)/1e6/d.Seconds(), float64(r)/1024, ratio),
		"kida ≥ 20× faster", verdict(ratio >= 20)})
	return rows, nil
}

func gunzipTemp(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return "", 0, err
		}
		r = zr
	}
	tmp, err := os.CreateTemp("", "kida-bench-*.log")
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return tmp.Name(), n, err
}

// runMeasured runs cmd to completion and returns its wall time and peak RSS (KiB).
func runMeasured(cmd *exec.Cmd, stdout io.Writer) (time.Duration, int64, error) {
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if cmd.Env == nil {
		cmd.Env = benchEnv()
	}
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var rss int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = ru.Maxrss
		}
	}
	if err != nil {
		return d, rss, fmt.Errorf("%s: %w: %s", cmd.Path, err, tail(stderr.String(), 400))
	}
	return d, rss, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// ---- (d) render

func renderRows(o options) ([]row, error) {
	c := report.SampleCheck(5, 10, 1440)
	var buf bytes.Buffer
	var walls []time.Duration
	for i := 0; i < o.renderRuns; i++ {
		buf.Reset()
		start := time.Now()
		if err := report.HTML(&buf, c); err != nil {
			return nil, err
		}
		walls = append(walls, time.Since(start))
	}
	m := median(walls)
	size := buf.Len()
	return []row{
		{"d", "render HTML, 5 instances × 10 metrics × 1,440 points", fmt.Sprintf("median %s (%d runs)", ms(m), len(walls)), "≤ 50 ms", verdict(m <= 50*time.Millisecond)},
		{"d", "size of that report", fmt.Sprintf("%.0f KB (%d bytes)", float64(size)/1000, size), "≤ 1 MB", verdict(size <= 1_000_000)},
	}, nil
}

// ---- (e) idle RSS

func idleRows(o options) ([]row, error) {
	var out []row
	for _, args := range [][]string{{"serve", "--demo"}, {"serve", "--region", "us-east-1"}} {
		rss, err := idleRSS(o.bin, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, row{"e", "idle RSS of `" + strings.Join(args, " ") + "` (stdio, after initialize + tools/list, 1 s idle)",
			fmt.Sprintf("%.1f MB", float64(rss)/1024), "≤ 30 MB", verdict(rss <= 30*1024)})
	}
	return out, nil
}

func idleRSS(bin string, args ...string) (int64, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = benchEnv()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	if _, err := initAndList(stdin, stdout, time.Now()); err != nil {
		return 0, err
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	time.Sleep(time.Second)
	return procKiB(cmd.Process.Pid, "VmRSS:")
}

// procKiB reads a "Name: N kB" line of /proc/PID/status.
func procKiB(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key) {
			var n int64
			_, err := fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(l, key)), &n)
			return n, err
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", key, pid)
}

// ---- (f) fleet report

func fleetRows(o options) ([]row, error) {
	if o.fleet <= 0 {
		return nil, nil
	}
	tb := newTB()
	defer tb.cleanup()
	moto := awstest.StartMoto(tb)
	cfg := moto.Config(tb, "us-east-1")
	now := time.Now().UTC().Truncate(time.Minute)
	seedStart := time.Now()
	var ids []string
	members := 0
	for i := 0; i < o.fleet; i++ {
		id := fmt.Sprintf("fleet-%03d", i)
		n := 3 - i%2 // demo-style: writer + 2 readers, or writer + 1 reader
		faultproxy.SeedCluster(tb, cfg, faultproxy.ClusterSeed{ID: id, Instances: n, NoMetrics: true, SlowLog: 60, ErrorLog: 20}, now)
		ids = append(ids, id)
		members += n
	}
	ctx := context.Background()
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kida-bench")}); err != nil {
		return nil, err
	}
	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.com")}); err != nil {
		return nil, err
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("kida-bench")})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: (f) seeded %d clusters (%d instances) in moto in %s\n", o.fleet, members, time.Since(seedStart).Round(time.Second))
	p, err := faultproxy.New(moto.URL(), faultproxy.Options{Latency: o.latency, Stubs: append(faultproxy.MotoGaps(now), faultproxy.MetricData()), Rewrite: faultproxy.EnablePI})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	dir, err := os.MkdirTemp("", "kida-bench-fleet-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var y strings.Builder
	fmt.Fprintf(&y, "region: us-east-1\naws_endpoint: %s\ncloudwatch_protocol: json\nwindow: 24h\nreport_dir: %s\nconcurrency: %d\nclusters:\n", p.URL(), filepath.Join(dir, "reports"), o.fleetConcurrency)
	for _, id := range ids {
		fmt.Fprintf(&y, "  - id: %s\n", id)
	}
	fmt.Fprintf(&y, "delivery:\n  s3:\n    bucket: kida-bench\n  email:\n    from: kida@example.com\n    to: [dba@example.com]\n  sns:\n    topic_arn: %s\n", aws.ToString(topic.TopicArn))
	conf := filepath.Join(dir, "kida.yaml")
	if err := os.WriteFile(conf, []byte(y.String()), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "report", "--config", conf)
	d, rss, err := runMeasured(cmd, io.Discard)
	if err != nil {
		return nil, err
	}
	counts := p.Counts()
	total := p.Total()
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", "*.html"))
	return []row{
		{"f", fmt.Sprintf("`report` over %d demo-style clusters (%d instances), concurrency %d, +%s per AWS call", o.fleet, members, o.fleetConcurrency, o.latency),
			fmt.Sprintf("%s wall, peak RSS %.1f MB, %d reports, %d AWS calls (%d CloudTrail LookupEvents at ≤ 2/s)", d.Round(100*time.Millisecond), float64(rss)/1024, len(reports), total, counts["cloudtrail:LookupEvents"]),
			"bounded concurrency, API rate limits honoured", verdict(len(reports) == o.fleet)},
	}, nil
}

// ---- awstest outside go test

// stop is a skip or fatal raised by the awstest helpers in the bench.
type stop struct{ msg string }

func (s stop) Error() string { return s.msg }

// benchTB lets the bench use the awstest helpers (moto, seeding) outside go test: Fatal/Skip stop the part
// that called them (see runPart). The embedded testing.TB is nil: only the methods below are used.
type benchTB struct {
	testing.TB
	cleanups []func()
	ctx      context.Context
}

func newTB() *benchTB { return &benchTB{ctx: context.Background()} }

func (b *benchTB) Helper()                        {}
func (b *benchTB) Name() string                   { return "bench" }
func (b *benchTB) Failed() bool                   { return false }
func (b *benchTB) Context() context.Context       { return b.ctx }
func (b *benchTB) Cleanup(f func())               { b.cleanups = append(b.cleanups, f) }
func (b *benchTB) Logf(string, ...any)            {}
func (b *benchTB) Log(...any)                     {}
func (b *benchTB) Errorf(format string, a ...any) { panic(stop{fmt.Sprintf(format, a...)}) }
func (b *benchTB) Fatalf(format string, a ...any) { panic(stop{fmt.Sprintf(format, a...)}) }
func (b *benchTB) Fatal(a ...any)                 { panic(stop{fmt.Sprint(a...)}) }
func (b *benchTB) Skipf(format string, a ...any)  { panic(stop{fmt.Sprintf(format, a...)}) }
func (b *benchTB) Skip(a ...any)                  { panic(stop{fmt.Sprint(a...)}) }
func (b *benchTB) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}
