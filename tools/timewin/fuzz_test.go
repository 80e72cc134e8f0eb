package timewin

import (
	"errors"
	"testing"
	"time"
)

func FuzzResolve(f *testing.F) {
	f.Add("", "", "", "", "ap-northeast-2", int64(0), int64(0), int64(0), false, int64(0))
	f.Add("7d", "", "", "Asia/Seoul", "us-east-1", int64(14*24), int64(0), int64(0), true, int64(123456789))
	f.Add("", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", "", "", int64(0), int64(6), int64(3), false, int64(0))
	f.Add("", "2025-01-01T00:00:00+09:00", "", "UTC", "eu-west-1", int64(24), int64(0), int64(0), true, int64(0))
	f.Add("", "", "2030-01-01T00:00:00Z", "Local", "", int64(-5), int64(-1), int64(1), false, int64(0))
	f.Add("1h30m", "x", "", "../etc", "cn-north-1", int64(1), int64(1), int64(1), true, int64(-1))
	f.Fuzz(func(t *testing.T, since, start, end, tz, region string, maxAgeH, maxH, defaultH int64, clamp bool, nowNanos int64) {
		opt := Options{
			// Any clock within ±292 years of 2026, with sub-second parts.
			Now:     time.Unix(0, nowNanos).Add(56 * 365 * day),
			Region:  region,
			Default: time.Duration(defaultH%(24*1000)) * time.Hour,
			MaxAge:  time.Duration(maxAgeH%(24*1000)) * time.Hour,
			Max:     time.Duration(maxH%(24*1000)) * time.Hour,
			Clamp:   clamp,
		}
		w, err := Resolve(Input{Since: since, Start: start, End: end, Timezone: tz}, opt)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.Msg == "" {
				t.Fatalf("error %v (%T) is not a non-empty *timewin.Error", err, err)
			}
			return
		}
		maxAge := opt.MaxAge
		if maxAge <= 0 {
			maxAge = retention
		}
		switch {
		case !w.Start.Before(w.End):
			t.Fatalf("Start %v not before End %v", w.Start, w.End)
		case w.End.After(opt.Now):
			t.Fatalf("End %v after Now %v", w.End, opt.Now)
		case w.Start.Before(opt.Now.Add(-maxAge)):
			t.Fatalf("Start %v older than Now-MaxAge %v", w.Start, opt.Now.Add(-maxAge))
		case opt.Max > 0 && w.Duration() > opt.Max:
			t.Fatalf("Duration %v over Max %v", w.Duration(), opt.Max)
		case w.Loc == nil:
			t.Fatal("nil Loc")
		case w.Clamped != (w.Note != ""):
			t.Fatalf("Clamped %v but Note %q", w.Clamped, w.Note)
		}
		e := w.Echo()
		if e.DurationS < 0 || e.StartUTC == "" || e.Timezone == "" || w.String() == "" {
			t.Fatalf("bad echo %+v", e)
		}
		for _, mp := range []int32{0, 1, 60, 300} {
			p := Period(w, opt.Now, 1440, mp)
			if p <= 0 {
				t.Fatalf("Period = %d", p)
			}
			if p >= 60 && int64(w.Duration()/time.Second) > int64(p)*1440 {
				t.Fatalf("Period %d over budget for %v", p, w.Duration())
			}
		}
	})
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"90m", "24h", "7d", "2w", "1h30m", "", "-1d", "0", "456d", "1.5h", "99999999999999999999d", "1e9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSince(s)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.Msg == "" || d != 0 {
				t.Fatalf("ParseSince(%q) = %v, %v", s, d, err)
			}
			return
		}
		if d < time.Minute || d > retention {
			t.Fatalf("ParseSince(%q) = %v, outside [1m, 455d]", s, d)
		}
	})
}
