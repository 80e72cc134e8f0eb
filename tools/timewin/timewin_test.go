package timewin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name        string
		in          Input
		opt         Options
		start, end  string
		zone        string
		clamped     bool
		noteContain string
	}{
		{name: "default 24h, region zone", opt: Options{Region: "ap-northeast-2"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "Asia/Seoul"},
		{name: "custom default", opt: Options{Default: 3 * time.Hour},
			start: "2026-11-21T21:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "since days", in: Input{Since: "7d"}, opt: Options{Region: "us-east-1"},
			start: "2026-11-15T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "America/New_York"},
		{name: "since minutes, spaces and case", in: Input{Since: " 90M "},
			start: "2026-11-21T22:30:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "since Go duration", in: Input{Since: "1h30m"},
			start: "2026-11-21T22:30:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "start and end with offsets", in: Input{Start: "2026-11-21T09:00:00+09:00", End: "2026-11-21T18:00:00+09:00"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-21T09:00:00Z", zone: "UTC"},
		{name: "start only ends now", in: Input{Start: "2026-11-21T12:00:00Z"},
			start: "2026-11-21T12:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "end only takes the default length", in: Input{End: "2026-11-20T00:00:00Z"},
			start: "2026-11-19T00:00:00Z", end: "2026-11-20T00:00:00Z", zone: "UTC"},
		{name: "end only in the future", in: Input{End: "2026-11-25T00:00:00Z"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC",
			clamped: true, noteContain: "end 2026-11-25T00:00:00Z was in the future"},
		{name: "timezone overrides region", in: Input{Timezone: "Europe/Paris"}, opt: Options{Region: "ap-northeast-2"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "Europe/Paris"},
		{name: "end within skew clamped silently", in: Input{Start: "2026-11-21T00:00:00Z", End: "2026-11-22T00:01:00Z"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "end far in the future clamped with note", in: Input{Start: "2026-11-21T00:00:00Z", End: "2026-11-23T00:00:00Z"},
			start: "2026-11-21T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC",
			clamped: true, noteContain: "end 2026-11-23T00:00:00Z was in the future; used now (2026-11-22T00:00:00Z)"},
		{name: "old start clamped", in: Input{Since: "30d"}, opt: Options{MaxAge: 14 * day, Clamp: true},
			start: "2026-11-08T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC",
			clamped: true, noteContain: "start 2026-10-23T00:00:00Z is older than the 14d retention; clamped to 2026-11-08T00:00:00Z"},
		{name: "455d since is allowed", in: Input{Since: "455d"},
			start: now.Add(-455 * day).Format(time.RFC3339), end: "2026-11-22T00:00:00Z", zone: "UTC"},
		{name: "window exactly Max", in: Input{Since: "7d"}, opt: Options{Max: 7 * day},
			start: "2026-11-15T00:00:00Z", end: "2026-11-22T00:00:00Z", zone: "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.Now = now
			w, err := Resolve(tt.in, opt)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if !w.Start.Equal(at(tt.start)) || !w.End.Equal(at(tt.end)) {
				t.Errorf("window = %s → %s, want %s → %s", stamp(w.Start), stamp(w.End), tt.start, tt.end)
			}
			if w.Start.Location() != time.UTC || w.End.Location() != time.UTC {
				t.Errorf("window not in UTC: %v, %v", w.Start.Location(), w.End.Location())
			}
			if w.Loc.String() != tt.zone {
				t.Errorf("Loc = %s, want %s", w.Loc, tt.zone)
			}
			if w.Region != opt.Region {
				t.Errorf("Region = %q, want %q", w.Region, opt.Region)
			}
			if w.Clamped != tt.clamped || !strings.Contains(w.Note, tt.noteContain) || (tt.noteContain == "") != (w.Note == "") {
				t.Errorf("Clamped, Note = %v, %q; want %v, containing %q", w.Clamped, w.Note, tt.clamped, tt.noteContain)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		opt  Options
		want []string // substrings of the message
	}{
		{"since with start", Input{Since: "24h", Start: "2026-11-21T00:00:00Z"}, Options{},
			[]string{`since ("24h") cannot be combined with start/end`, `send either since like "24h" or start and end`}},
		{"since with end", Input{Since: "24h", End: "2026-11-21T00:00:00Z"}, Options{},
			[]string{"cannot be combined"}},
		{"bad since", Input{Since: "yesterday"}, Options{},
			[]string{`since "yesterday" is not a duration`, `"90m", "24h", "7d"`}},
		{"since without unit", Input{Since: "24"}, Options{},
			[]string{`since "24" is not a duration`}},
		{"negative since", Input{Since: "-7d"}, Options{},
			[]string{`since "-7d" is not a positive length`}},
		{"bad start", Input{Start: "2026-11-21 00:00"}, Options{},
			[]string{`start ("2026-11-21 00:00") is not an RFC 3339 time`, `"2026-11-21T00:00:00Z"`, `"2026-11-21T09:00:00+09:00"`}},
		{"start without zone", Input{Start: "2026-11-21T00:00:00"}, Options{},
			[]string{`start ("2026-11-21T00:00:00") is not an RFC 3339 time`}},
		{"bad end", Input{Start: "2026-11-21T00:00:00Z", End: "tomorrow"}, Options{},
			[]string{`end ("tomorrow") is not an RFC 3339 time`}},
		{"reversed", Input{Start: "2026-11-21T00:00:00Z", End: "2026-11-20T00:00:00Z"}, Options{},
			[]string{"end (2026-11-20T00:00:00Z) is before start (2026-11-21T00:00:00Z)", `send start earlier than end, or use since like "24h"`}},
		{"empty", Input{Start: "2026-11-21T00:00:00Z", End: "2026-11-21T09:00:00+09:00"}, Options{},
			[]string{"start and end are both 2026-11-21T00:00:00Z, an empty window", "send an end later than start"}},
		{"future start", Input{Start: "2026-11-23T00:00:00Z", End: "2026-11-24T00:00:00Z"}, Options{},
			[]string{"start (2026-11-23T00:00:00Z) is in the future (now is 2026-11-22T00:00:00Z)", "send a start in the past"}},
		{"start within skew", Input{Start: "2026-11-22T00:01:00Z"}, Options{},
			[]string{"start (2026-11-22T00:01:00Z) is not before now (2026-11-22T00:00:00Z), so the window is empty"}},
		{"too old", Input{Start: "2025-01-01T00:00:00Z", End: "2026-11-01T00:00:00Z"}, Options{},
			[]string{"start (2025-01-01T00:00:00Z) is older than the 455d retention", "oldest allowed start is 2025-08-24T00:00:00Z", `since of at most "455d"`}},
		{"since beyond MaxAge", Input{Since: "30d"}, Options{MaxAge: 14 * day},
			[]string{`since "30d" starts at 2026-10-23T00:00:00Z, which is older than the 14d retention`, "oldest allowed start is 2026-11-08T00:00:00Z", `since of at most "14d"`}},
		{"whole window too old even with clamp", Input{Start: "2026-10-01T00:00:00Z", End: "2026-10-02T00:00:00Z"}, Options{MaxAge: 14 * day, Clamp: true},
			[]string{"the whole window (2026-10-01T00:00:00Z → 2026-10-02T00:00:00Z) is older than the 14d retention", `since "24h"`}},
		{"since over 455d", Input{Since: "456d"}, Options{},
			[]string{`since "456d" reaches back more than 455 days`, `at most "455d"`}},
		{"since huge", Input{Since: "99999999999999w"}, Options{},
			[]string{"reaches back more than 455 days"}},
		{"since under a minute", Input{Since: "30s"}, Options{},
			[]string{`since "30s" is shorter than one minute`}},
		{"longer than Max", Input{Since: "14d"}, Options{Max: 7 * day},
			[]string{"the window is 14d long, longer than the 7d this tool allows", `since of at most "7d"`}},
		{"unknown zone", Input{Timezone: "KST"}, Options{},
			[]string{`timezone "KST" is not an IANA time zone name`, `"Asia/Seoul"`, `"UTC"`}},
		{"Local is not a zone", Input{Timezone: "Local"}, Options{},
			[]string{`timezone "Local" is not an IANA time zone name`}},
		{"path-like zone", Input{Timezone: "../../etc/passwd"}, Options{},
			[]string{"is not an IANA time zone name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.Now = now
			w, err := Resolve(tt.in, opt)
			if err == nil {
				t.Fatalf("Resolve = %v, want error", w)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %T is not *timewin.Error", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q\n  does not contain %q", err, s)
				}
			}
		})
	}
}

func TestResolvePanicsWithoutClock(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Resolve with zero Now did not panic")
		}
	}()
	_, _ = Resolve(Input{}, Options{})
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90m", 90 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"7d", 7 * day, ""},
		{"2w", 14 * day, ""},
		{"1m", time.Minute, ""},
		{"455d", 455 * day, ""},
		{"65w", 455 * day, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1.5h", 90 * time.Minute, ""},
		{"  3D ", 3 * day, ""},
		{"", 0, "is not a duration"},
		{"d", 0, "is not a duration"},
		{"7 d", 0, "is not a duration"},
		{"1.5d", 0, "is not a duration"},
		{"+7d", 0, "is not a duration"},
		{"0d", 0, "is not a positive length"},
		{"0", 0, "is not a positive length"},
		{"-1h", 0, "is not a positive length"},
		{"59s", 0, "shorter than one minute"},
		{"456d", 0, "more than 455 days"},
		{"66w", 0, "more than 455 days"},
		{"18446744073709551615m", 0, "more than 455 days"},
		{"99999999999h", 0, "more than 455 days"},
		{"99999999999h30m", 0, "is not a duration"}, // overflows a Go duration
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSince(tt.in)
			if tt.err != "" {
				var te *Error
				if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSince(%q) = %v, %v; want *Error containing %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestEchoAndString(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name string
		w    Window
		echo Echo
		str  string
	}{
		{
			name: "Seoul",
			w:    Window{Start: at("2026-11-21T00:00:00Z"), End: at("2026-11-22T00:00:00Z"), Loc: seoul},
			echo: Echo{StartUTC: "2026-11-21T00:00:00Z", EndUTC: "2026-11-22T00:00:00Z",
				StartLocal: "2026-11-21T09:00:00+09:00", EndLocal: "2026-11-22T09:00:00+09:00",
				Timezone: "Asia/Seoul", DurationS: 86400},
			str: "2026-11-21 09:00 → 2026-11-22 09:00 KST (Asia/Seoul) = 2026-11-21T00:00Z → 2026-11-22T00:00Z",
		},
		{
			name: "nil Loc is UTC, clamped note kept",
			w:    Window{Start: at("2026-11-21T22:30:00Z"), End: at("2026-11-22T00:00:00Z"), Clamped: true, Note: "n"},
			echo: Echo{StartUTC: "2026-11-21T22:30:00Z", EndUTC: "2026-11-22T00:00:00Z",
				StartLocal: "2026-11-21T22:30:00Z", EndLocal: "2026-11-22T00:00:00Z",
				Timezone: "UTC", DurationS: 5400, Clamped: true, Note: "n"},
			str: "2026-11-21T22:30Z → 2026-11-22T00:00Z (UTC)",
		},
		{
			name: "DST change inside the window shows both abbreviations",
			w:    Window{Start: at("2026-03-08T00:00:00Z"), End: at("2026-03-09T00:00:00Z"), Loc: ny},
			echo: Echo{StartUTC: "2026-03-08T00:00:00Z", EndUTC: "2026-03-09T00:00:00Z",
				StartLocal: "2026-03-07T19:00:00-05:00", EndLocal: "2026-03-08T20:00:00-04:00",
				Timezone: "America/New_York", DurationS: 86400},
			str: "2026-03-07 19:00 EST → 2026-03-08 20:00 EDT (America/New_York) = 2026-03-08T00:00Z → 2026-03-09T00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Echo(); got != tt.echo {
				t.Errorf("Echo() = %+v\n want %+v", got, tt.echo)
			}
			if got := tt.w.String(); got != tt.str {
				t.Errorf("String() = %q\n want %q", got, tt.str)
			}
		})
	}
}

func TestEchoJSON(t *testing.T) {
	w, err := Resolve(Input{Since: "24h"}, Options{Now: now, Region: "ap-northeast-2"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(w.Echo())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"start_utc":"2026-11-21T00:00:00Z","end_utc":"2026-11-22T00:00:00Z",` +
		`"start_local":"2026-11-21T09:00:00+09:00","end_local":"2026-11-22T09:00:00+09:00",` +
		`"timezone":"Asia/Seoul","duration_s":86400}`
	if string(b) != want {
		t.Errorf("JSON = %s\n want %s", b, want)
	}
}

func TestPeriod(t *testing.T) {
	win := func(startAgo, length time.Duration) Window {
		return Window{Start: now.Add(-startAgo), End: now.Add(-startAgo + length)}
	}
	tests := []struct {
		name      string
		w         Window
		maxPoints int
		minPeriod int32
		want      int32
	}{
		{"24h budget 1440", win(24*time.Hour, 24*time.Hour), 1440, 60, 60},
		{"7d budget 1440", win(7*day, 7*day), 1440, 60, 420},
		{"7d budget 100", win(7*day, 7*day), 100, 60, 6060},
		{"1h tiny window", win(time.Hour, time.Hour), 1440, 60, 60},
		{"minPeriod rounded up to 60s", win(time.Hour, time.Hour), 1440, 90, 120},
		{"minPeriod 300", win(24*time.Hour, 24*time.Hour), 1440, 300, 300},
		{"zero minPeriod means 60", win(time.Hour, time.Hour), 1440, 0, 60},
		{"zero budget means 1440", win(7*day, 7*day), 0, 60, 420},
		{"14d old still 60s", win(14*day, day), 1440, 60, 60},
		{"just under 15d counts as past it", win(15*day-time.Minute, day), 1440, 60, 300},
		{"20d old → 300", win(20*day, day), 1440, 60, 300},
		{"20d old big window → multiple of 300", win(20*day, 20*day), 1440, 60, 1200},
		{"20d old budget needs 420 → 600", win(20*day, 7*day), 1440, 60, 600},
		{"100d old → 3600", win(100*day, day), 1440, 60, 3600},
		{"100d old, 100d window → multiple of 3600", win(100*day, 100*day), 1440, 60, 7200},
		{"455d window, budget 1", win(455*day, 455*day), 1, 60, 39312000},
		{"high-res within 3h", win(time.Hour, time.Hour), 1440, 1, 5},
		{"high-res minPeriod 10", win(time.Hour, time.Hour), 1440, 10, 10},
		{"high-res 2h at 1440 → 5", win(2*time.Hour, 2*time.Hour), 1440, 1, 5},
		{"high-res budget too small falls back to 60s multiples", win(time.Hour, time.Hour), 10, 1, 360},
		{"high-res too old → 60", win(4*time.Hour, time.Hour), 1440, 1, 60},
		{"empty window", Window{Start: now, End: now}, 1440, 60, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Period(tt.w, now, tt.maxPoints, tt.minPeriod)
			if got != tt.want {
				t.Fatalf("Period = %d, want %d", got, tt.want)
			}
			// Cross-check the rules rather than only the table.
			age := now.Sub(tt.w.Start)
			switch {
			case age > 63*day && got%3600 != 0, age > 15*day && got%300 != 0, got >= 60 && got%60 != 0:
				t.Errorf("period %d violates the age rule for a start %v old", got, age)
			}
			if n := tt.maxPoints; n > 0 && int64(tt.w.Duration()/time.Second) > int64(got)*int64(n) {
				t.Errorf("period %d gives more than %d points", got, n)
			}
		})
	}
}

func TestPeriodNeverOverflows(t *testing.T) {
	w := Window{Start: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), End: now}
	if got := Period(w, now, 1, 60); got <= 0 || got%3600 != 0 {
		t.Fatalf("Period = %d, want a positive multiple of 3600", got)
	}
}

func TestPeriodFrom(t *testing.T) {
	pi := []int32{1, 60, 300, 3600, 86400}
	win := func(length time.Duration) Window { return Window{Start: now.Add(-length), End: now} }
	tests := []struct {
		name      string
		w         Window
		allowed   []int32
		maxPoints int
		want      int32
	}{
		{"1h at 3600 points → 1s", win(time.Hour), pi, 3600, 1},
		{"1h at 1440 points → 60s", win(time.Hour), pi, 1440, 60},
		{"24h at 1440 → 60s", win(24 * time.Hour), pi, 1440, 60},
		{"7d at 1440 → 3600s", win(7 * day), pi, 1440, 3600},
		{"7d at 500 → 3600s", win(7 * day), pi, 500, 3600},
		{"455d at 100 → largest", win(455 * day), pi, 100, 86400},
		{"unsorted set", win(24 * time.Hour), []int32{3600, 300, 60}, 100, 3600},
		{"zero budget means 1440", win(7 * day), pi, 0, 3600},
		{"no positive value → 0", win(time.Hour), []int32{0, -60}, 1440, 0},
		{"nil set → 0", win(time.Hour), nil, 1440, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PeriodFrom(tt.w, tt.allowed, tt.maxPoints); got != tt.want {
				t.Fatalf("PeriodFrom = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRegionTimezone(t *testing.T) {
	regions := []string{
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2",
		"ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1",
		"eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1",
		"me-central-1", "mx-central-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1", "cn-north-1",
		"cn-northwest-1",
	}
	for _, r := range regions {
		if _, ok := regionZones[r]; !ok {
			t.Errorf("region %s missing from the table", r)
		}
	}
	if len(regionZones) != len(regions) {
		t.Errorf("table has %d regions, test lists %d", len(regionZones), len(regions))
	}
	for r, tz := range regionZones {
		if _, err := time.LoadLocation(tz); err != nil {
			t.Errorf("%s: zone %q does not load: %v", r, tz, err)
		}
	}
	for in, want := range map[string]string{
		"ap-northeast-2": "Asia/Seoul", "us-east-1": "America/New_York", " EU-WEST-1 ": "Europe/Dublin",
		"ap-southeast-2": "Australia/Sydney", "sa-east-1": "America/Sao_Paulo",
		"": "UTC", "mars-north-1": "UTC",
	} {
		if got := RegionTimezone(in); got != want {
			t.Errorf("RegionTimezone(%q) = %q, want %q", in, got, want)
		}
	}
}
