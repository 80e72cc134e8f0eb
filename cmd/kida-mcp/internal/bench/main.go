// Command bench measures kida-mcp from the outside: cold start of the binary to an answered initialize +
// tools/list over stdio (median of -n runs). `make bench` runs it; the families' engine benchmarks run with
// go test -bench.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/kida-mcp", "kida-mcp binary")
	n := flag.Int("n", 21, "runs")
	flag.Parse()
	var demo, real []time.Duration
	for i := 0; i < *n; i++ {
		d, err := coldStart(*bin, "serve", "--demo")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		demo = append(demo, d)
		d, err = coldStart(*bin, "serve", "--region", "us-east-1")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		real = append(real, d)
	}
	fmt.Println("| measure | runs | median | p90 | min | target |")
	fmt.Println("|---|---|---|---|---|---|")
	row("cold start → initialize + tools/list (stdio, --demo)", demo, "≤ 30 ms")
	row("cold start → initialize + tools/list (stdio, AWS config)", real, "≤ 30 ms")
}

func row(name string, ds []time.Duration, target string) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("| %s | %d | %s | %s | %s | %s |\n", name, len(ds), ms(ds[len(ds)/2]), ms(ds[len(ds)*9/10]), ms(ds[0]), target)
}

// coldStart starts the binary, sends initialize, initialized and tools/list, and returns the time until the
// tools/list response has been read.
func coldStart(bin string, args ...string) (time.Duration, error) {
	start := time.Now()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_EC2_METADATA_DISABLED=true")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	io.WriteString(stdin, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`+"\n")
	io.WriteString(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	io.WriteString(stdin, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`+"\n")
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var d time.Duration
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"jsonrpc":"2.0","id":2,`) {
			d = time.Since(start)
			break
		}
	}
	stdin.Close()
	_ = cmd.Wait()
	if d == 0 {
		return 0, fmt.Errorf("no tools/list answer from %s", bin)
	}
	return d, nil
}
