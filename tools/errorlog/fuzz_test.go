package errorlog

import (
	"bytes"
	"testing"
	"time"
)

// FuzzLineParser: no panic on any error-log text, MySQL or PostgreSQL, and Normalize is deterministic.
func FuzzLineParser(f *testing.F) {
	f.Add([]byte("2026-11-22T04:35:12.123456Z 123 [Note] [MY-010914] [Server] Aborted connection 123 to db: 'orders' user: 'app' host: '10.0.3.15'\n2026-11-22T04:00:00.000000Z 1 [Note] [MY-012468] [InnoDB] Transactions deadlock detected\n"), false)
	f.Add([]byte("2026-11-22 03:00:04 UTC:2001:db8::1(5000):x@postgres:[5]:FATAL:  password authentication failed for user \"x\n\tcont\n"), true)
	f.Add([]byte("2026-11-22 03:00:04 [ '\"\xff"), false)
	f.Fuzz(func(t *testing.T, in []byte, pg bool) {
		s := NewSummarizer(time.Time{}, time.Time{})
		p := NewLineParser("i", pg, s)
		for _, l := range bytes.Split(in, []byte("\n")) {
			p.Line(l)
		}
		r := s.Result(5)
		if r.Lines < 0 || len(r.Patterns) > 5 {
			t.Fatalf("%+v", r)
		}
		if a, b := Normalize(string(in), pg), Normalize(string(in), pg); a != b {
			t.Fatal("Normalize is not deterministic")
		}
	})
}
