package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// digestCmd is `kida-mcp digest [flags] FILE…`: a pt-query-digest for local slow logs (MySQL 8 / Aurora
// MySQL 3, MariaDB / 5.6, CloudWatch events as JSON lines, RDS PostgreSQL), gzip accepted, "-" for stdin.
func digestCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kida-mcp digest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output: text, markdown or json")
	top := fs.Int("top", 20, "classes to list (0: all)")
	order := fs.String("order-by", slowlog.OrderTotal, "ranking: "+strings.Join(slowlog.OrderBys, ", "))
	input := fs.String("input", "auto", "input format: auto, mysql, postgresql, cloudwatch-mysql, cloudwatch-postgresql")
	raw := fs.Bool("raw-examples", false, "show examples with their literals (default: masked)")
	keepDigits := fs.Bool("keep-digits", false, "keep digits inside identifiers (sbtest1 ≠ sbtest2)")
	workers := fs.Int("workers", 0, "fingerprinting workers (0: all cores)")
	from := fs.String("from", "", "only entries at or after this RFC 3339 time")
	to := fs.String("to", "", "only entries before this RFC 3339 time")
	quiet := fs.Bool("quiet", false, "do not print throughput to stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: kida-mcp digest [flags] FILE… (gzip accepted, - for stdin)\n\n"+
			"Digests slow logs like pt-query-digest: MySQL 8 / Aurora MySQL 3 (incl. log_slow_extra), MariaDB and 5.6 style,\n"+
			"CloudWatch Logs events as JSON lines (aws logs filter-log-events), RDS PostgreSQL logs.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		fs.Usage()
		return fmt.Errorf("digest: name at least one log file (or - for stdin)")
	}
	if !slices.Contains([]string{"text", "markdown", "json"}, *format) {
		return fmt.Errorf("digest: --format %q: want text, markdown or json", *format)
	}
	if !slices.Contains(slowlog.OrderBys, *order) {
		return fmt.Errorf("digest: --order-by %q: want one of %s", *order, strings.Join(slowlog.OrderBys, ", "))
	}
	inFmt := slowlog.Format(*input)
	if *input == "auto" {
		inFmt = slowlog.FormatAuto
	}
	opt := slowlog.Options{KeepDigits: *keepDigits, RawExamples: *raw, Workers: *workers}
	for _, tv := range []struct {
		s   string
		dst *time.Time
		n   string
	}{{*from, &opt.From, "--from"}, {*to, &opt.To, "--to"}} {
		if tv.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, tv.s)
		if err != nil {
			return fmt.Errorf("digest: %s %q is not an RFC 3339 time (e.g. 2026-11-22T00:00:00Z)", tv.n, tv.s)
		}
		*tv.dst = t
	}

	start := time.Now()
	all := slowlog.NewDigester(opt)
	var bytesIn int64
	var formats []string
	for _, name := range files {
		d, n, f, err := digestFile(ctx, name, inFmt, stdin, opt)
		if err != nil {
			return fmt.Errorf("digest %s: %w", name, err)
		}
		bytesIn += n
		formats = append(formats, string(f))
		all.Merge(d)
	}
	elapsed := time.Since(start)
	res := all.Result(*top, *order, 0)
	if !*quiet {
		secs := max(elapsed.Seconds(), 1e-9)
		fmt.Fprintf(stderr, "kida-mcp digest: %d entries, %s in %.2f s (%.1f MB/s, %.0f entries/s)\n",
			res.Entries, tools.Bytes(float64(bytesIn)), elapsed.Seconds(), float64(bytesIn)/1e6/secs, float64(res.Entries)/secs)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Files   []string `json:"files"`
			Formats []string `json:"formats"`
			Bytes   int64    `json:"bytes"`
			slowlog.Digest
		}{files, formats, bytesIn, res})
	case "markdown":
		_, err := io.WriteString(stdout, digestMarkdown(files, res))
		return err
	}
	_, err := io.WriteString(stdout, digestText(files, res))
	return err
}

// countingReader counts the bytes read from the (decompressed) input.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func digestFile(ctx context.Context, name string, f slowlog.Format, stdin io.Reader, opt slowlog.Options) (*slowlog.Digester, int64, slowlog.Format, error) {
	var r io.Reader = stdin
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, 0, f, err
		}
		defer fh.Close()
		r = fh
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, f, err
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	cr := &countingReader{r: r}
	instance := name
	if name == "-" {
		instance = "stdin"
	}
	used := f
	d, err := slowlog.Run(ctx, func(fn func(*slowlog.Entry)) error {
		var err error
		used, err = slowlog.ParseAuto(cr, f, instance, fn)
		return err
	}, opt)
	return d, cr.n, used, err
}

func digestText(files []string, d slowlog.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Files: %s\n", strings.Join(files, ", "))
	fmt.Fprintf(&b, "# Overall: %d statements, %d classes, %s s total query time", d.Entries, d.Classes, tools.Num(d.TotalQueryTimeS, 3))
	if d.FirstSeen != "" {
		fmt.Fprintf(&b, ", %s to %s", d.FirstSeen, d.LastSeen)
	}
	b.WriteString("\n")
	if d.ParseBindCount > 0 {
		fmt.Fprintf(&b, "# PostgreSQL parse/bind steps (not counted above): %d, %s s\n", d.ParseBindCount, tools.Num(d.ParseBindTimeS, 3))
	}
	if d.OutsideWindow > 0 {
		fmt.Fprintf(&b, "# %d entries outside --from/--to skipped\n", d.OutsideWindow)
	}
	fmt.Fprintf(&b, "\n# Profile (by %s)\n# %4s %-16s %12s %6s %8s %11s %11s %11s  %s\n", d.OrderBy, "Rank", "Class", "Total s", "%", "Calls", "Avg ms", "p95 ms", "Max ms", "Fingerprint")
	for _, c := range d.Top {
		fmt.Fprintf(&b, "# %4d %-16s %12s %6s %8d %11s %11s %11s  %s\n", c.Rank, c.ID, tools.Num(c.TotalS, 6), tools.Num(c.PctOfTotal, 1), c.Count,
			tools.Num(c.AvgMS, 3), tools.Num(c.P95MS, 3), tools.Num(c.MaxMS, 3), oneLine(tools.Truncate(c.Fingerprint, 100)))
	}
	if d.Truncated {
		fmt.Fprintf(&b, "# ... %d more classes (--top 0 lists all)\n", d.Classes-len(d.Top))
	}
	for _, c := range d.Top {
		fmt.Fprintf(&b, "\n# Query %d: class %s, %d calls, %s s (%s%%)\n", c.Rank, c.ID, c.Count, tools.Num(c.TotalS, 6), tools.Num(c.PctOfTotal, 1))
		fmt.Fprintf(&b, "#   Time range:   %s to %s\n", c.FirstSeen, c.LastSeen)
		fmt.Fprintf(&b, "#   Query time:   avg %s ms, p95 %s ms, min %s ms, max %s ms\n", tools.Num(c.AvgMS, 3), tools.Num(c.P95MS, 3), tools.Num(c.MinMS, 3), tools.Num(c.MaxMS, 3))
		fmt.Fprintf(&b, "#   Lock time:    total %s s, max %s ms\n", tools.Num(c.LockTotalS, 6), tools.Num(c.LockMaxMS, 3))
		fmt.Fprintf(&b, "#   Rows:         sent %d, examined %d", c.RowsSent, c.RowsExamined)
		if c.RowsExaminedPerSent > 0 {
			fmt.Fprintf(&b, " (%s per row sent)", tools.Num(c.RowsExaminedPerSent, 1))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "#   Databases:    %s\n#   Users:        %s\n", orNone(c.Databases), orNone(c.Users))
		if c.ParseBindCount > 0 {
			fmt.Fprintf(&b, "#   Parse/bind:   %d steps, %s ms\n", c.ParseBindCount, tools.Num(c.ParseBindMS, 3))
		}
		fmt.Fprintf(&b, "#   Fingerprint:  %s\n", oneLine(c.Fingerprint))
		kind := "masked"
		if !c.ExampleMasked {
			kind = "raw"
		}
		fmt.Fprintf(&b, "#   Slowest (%s, %s ms at %s):\n%s\n", kind, tools.Num(c.MaxMS, 3), c.ExampleAt, strings.ToValidUTF8(c.Example, "\uFFFD"))
	}
	return b.String()
}

func digestMarkdown(files []string, d slowlog.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Slow query digest — %s\n\n", tools.Cell(strings.Join(files, ", ")))
	fmt.Fprintf(&b, "%d statements in %d classes, %s s total query time", d.Entries, d.Classes, tools.Num(d.TotalQueryTimeS, 3))
	if d.FirstSeen != "" {
		fmt.Fprintf(&b, ", %s → %s", d.FirstSeen, d.LastSeen)
	}
	b.WriteString(".\n\n")
	rows := make([][]string, 0, len(d.Top))
	for _, c := range d.Top {
		rows = append(rows, []string{fmt.Sprint(c.Rank), c.ID, fmt.Sprint(c.Count), tools.Num(c.TotalS, 3), tools.Num(c.PctOfTotal, 1),
			tools.Num(c.AvgMS, 3), tools.Num(c.P95MS, 3), tools.Num(c.MaxMS, 3), tools.Num(c.LockTotalS, 3), fmt.Sprint(c.RowsExamined), tools.Truncate(c.Fingerprint, 200)})
	}
	b.WriteString(tools.Table([]string{"#", "class", "count", "total s", "%", "avg ms", "p95 ms", "max ms", "lock s", "rows examined", "fingerprint"}, rows))
	if d.Truncated {
		fmt.Fprintf(&b, "\n(%d more classes; --top 0 lists all)\n", d.Classes-len(d.Top))
	}
	return b.String()
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
