package slowlog

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
)

var (
	auroraOnce sync.Once
	auroraRaw  []byte
)

// auroraBytes returns the decompressed Aurora corpus (read once per test binary).
func auroraBytes(tb testing.TB) []byte {
	path := sharedData(tb, "aurora-mysql3-slow.log.gz")
	auroraOnce.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatal(err)
		}
		auroraRaw, err = io.ReadAll(zr)
		if err != nil {
			tb.Fatal(err)
		}
	})
	return auroraRaw
}

func benchDigest(b *testing.B, workers int) {
	raw := auroraBytes(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var entries int64
	for b.Loop() {
		d, err := Run(context.Background(), func(fn func(*Entry)) error {
			return ParseMySQL(bytes.NewReader(raw), "bench", fn)
		}, Options{Workers: workers})
		if err != nil {
			b.Fatal(err)
		}
		entries = d.Entries()
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkDigestAurora digests the 82 MB Aurora MySQL 3 corpus with every core (GOMAXPROCS workers).
func BenchmarkDigestAurora(b *testing.B) { benchDigest(b, runtime.GOMAXPROCS(0)) }

// BenchmarkDigestAurora1 is the same on one worker.
func BenchmarkDigestAurora1(b *testing.B) { benchDigest(b, 1) }

// BenchmarkParseAurora measures the parser alone (entry splitting, headers; no fingerprinting).
func BenchmarkParseAurora(b *testing.B) {
	raw := auroraBytes(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := ParseMySQL(bytes.NewReader(raw), "bench", func(*Entry) {}); err != nil {
			b.Fatal(err)
		}
	}
}
