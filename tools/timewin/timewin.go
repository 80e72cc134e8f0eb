package timewin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	day           = 24 * time.Hour
	retention     = 455 * day      // CloudWatch's longest retention (1-hour data)
	defaultLength = 24 * time.Hour // window when the caller sends nothing
	skew          = 2 * time.Minute
)

// Input is embedded in tool input structs; its JSON names are part of every
// tool's schema.
type Input struct {
	Since    string `json:"since,omitempty" jsonschema_description:"Window ending now: 90m, 24h, 7d or 2w. Default 24h. Not with start/end."`
	Start    string `json:"start,omitempty" jsonschema_description:"Window start, RFC 3339 (2026-11-21T00:00:00Z or with an offset)."`
	End      string `json:"end,omitempty" jsonschema_description:"Window end, RFC 3339. Default: now."`
	Timezone string `json:"timezone,omitempty" jsonschema_description:"IANA zone for local times, e.g. Asia/Seoul. Default: the region's."`
}

// Options tune Resolve for one tool.
type Options struct {
	Now     time.Time     // injected clock; required (Resolve panics on the zero time)
	Region  string        // AWS region, for the default time zone
	Default time.Duration // window length when none is given (0 → 24h)
	MaxAge  time.Duration // oldest allowed start relative to Now (0 → 455 days)
	Max     time.Duration // longest allowed window (0 → no limit beyond MaxAge)
	Clamp   bool          // clamp a start older than MaxAge instead of failing
}

// Window is a resolved, validated window.
type Window struct {
	Start, End time.Time // UTC; Start < End ≤ Now
	Loc        *time.Location
	Region     string
	Clamped    bool   // the window differs from what was asked (see Note)
	Note       string // why it differs
}

// Error is a caller-fixable problem with the window input. Its message says
// what was wrong and what to send instead.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// CallerFault marks every timewin error as the caller's to fix (tools.Classify shows it as is).
func (e *Error) CallerFault() bool { return true }

func errorf(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// Resolve turns tool input into a window; see the package documentation for
// the rules. Every error it returns is an *Error.
func Resolve(in Input, opt Options) (Window, error) {
	if opt.Now.IsZero() {
		panic("timewin: Options.Now is required")
	}
	now := opt.Now.UTC()
	maxAge := opt.MaxAge
	if maxAge <= 0 {
		maxAge = retention
	}
	length := opt.Default
	if length <= 0 {
		length = defaultLength
	}
	loc, err := location(in.Timezone, opt.Region)
	if err != nil {
		return Window{}, err
	}
	w := Window{Loc: loc, Region: opt.Region}

	since := strings.TrimSpace(in.Since)
	startIn, endIn := strings.TrimSpace(in.Start), strings.TrimSpace(in.End)
	var start, end time.Time
	switch {
	case since != "" && (startIn != "" || endIn != ""):
		return Window{}, errorf(`since (%q) cannot be combined with start/end; send either since like "24h" or start and end, not both`, since)
	case since != "":
		d, err := ParseSince(since)
		if err != nil {
			return Window{}, err
		}
		start, end = now.Add(-d), now
	case startIn == "" && endIn == "":
		start, end = now.Add(-length), now
	default:
		end = now
		if endIn != "" {
			if end, err = parseTime("end", endIn); err != nil {
				return Window{}, err
			}
		}
		if startIn == "" {
			start = end.Add(-length)
			if end.After(now) {
				start = now.Add(-length)
			}
		} else if start, err = parseTime("start", startIn); err != nil {
			return Window{}, err
		}
	}

	switch {
	case start.After(now.Add(skew)):
		return Window{}, errorf(`start (%s) is in the future (now is %s); send a start in the past, or use since like "24h"`, stamp(start), stamp(now))
	case endIn == "": // end is derived, so the checks below are about the caller's end only
	case end.Before(start):
		return Window{}, errorf(`end (%s) is before start (%s); send start earlier than end, or use since like "24h"`, stamp(end), stamp(start))
	case end.Equal(start):
		return Window{}, errorf(`start and end are both %s, an empty window; send an end later than start, or use since like "24h"`, stamp(start))
	}
	var notes []string
	if end.After(now) {
		if end.After(now.Add(skew)) {
			notes = append(notes, fmt.Sprintf("end %s was in the future; used now (%s)", stamp(end), stamp(now)))
		}
		end = now
	}
	if !start.Before(end) { // only a start within the skew allowance gets here
		return Window{}, errorf(`start (%s) is not before now (%s), so the window is empty; send a start in the past, or use since like "24h"`, stamp(start), stamp(now))
	}

	if oldest := now.Add(-maxAge); start.Before(oldest) {
		what := fmt.Sprintf("start (%s)", stamp(start))
		if since != "" {
			what = fmt.Sprintf("since %q starts at %s, which", since, stamp(start))
		}
		switch {
		case !end.After(oldest):
			return Window{}, errorf(`the whole window (%s → %s) is older than the %s retention (oldest allowed start is %s); send a later window, e.g. since %q`, stamp(start), stamp(end), human(maxAge), stamp(oldest), human(min(maxAge, defaultLength)))
		case !opt.Clamp:
			return Window{}, errorf(`%s is older than the %s retention (oldest allowed start is %s); send a start at or after %s, or since of at most %q`, what, human(maxAge), stamp(oldest), stamp(oldest), human(maxAge))
		}
		notes = append(notes, fmt.Sprintf("start %s is older than the %s retention; clamped to %s", stamp(start), human(maxAge), stamp(oldest)))
		start = oldest
	}
	if d := end.Sub(start); opt.Max > 0 && d > opt.Max {
		return Window{}, errorf(`the window is %s long, longer than the %s this tool allows; send since of at most %q, or start and end closer together`, human(d), human(opt.Max), human(opt.Max))
	}

	w.Start, w.End = start.UTC(), end.UTC()
	w.Clamped = len(notes) > 0
	w.Note = strings.Join(notes, "; ")
	return w, nil
}

// ParseSince parses a relative window length: a whole number with unit m, h,
// d or w ("90m", "24h", "7d", "2w"), or a Go duration ("1h30m"). It rejects
// lengths under a minute (CloudWatch's finest standard period) and over 455
// days (CloudWatch's longest retention). Every error is an *Error.
func ParseSince(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	d, ok := parseUnit(t)
	if !ok && !strings.HasPrefix(t, "-") {
		var err error
		if d, err = time.ParseDuration(t); err != nil {
			return 0, errorf(`since %q is not a duration; send a whole number and a unit m, h, d or w, e.g. "90m", "24h", "7d"`, s)
		}
	}
	switch {
	case d <= 0:
		return 0, errorf(`since %q is not a positive length; send e.g. "90m", "24h" or "7d"`, s)
	case d < time.Minute:
		return 0, errorf(`since %q is shorter than one minute, the finest CloudWatch period; send e.g. "15m"`, s)
	case d > retention:
		return 0, errorf(`since %q reaches back more than 455 days, CloudWatch's longest retention; send at most "455d"`, s)
	}
	return d, nil
}

// parseUnit parses "<digits><m|h|d|w>". Lengths too large for a Duration come
// back as just over the retention so the caller reports them as too long.
func parseUnit(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = day
	case 'w':
		unit = 7 * day
	default:
		return 0, false
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 64)
	if err != nil {
		return 0, false
	}
	if n > uint64(retention/unit) {
		return retention + unit, true
	}
	return time.Duration(n) * unit, true
}

func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errorf(`%s (%q) is not an RFC 3339 time; send a date, time and zone like "2026-11-21T00:00:00Z" or "2026-11-21T09:00:00+09:00"`, name, s)
	}
	return t.UTC(), nil
}

// location resolves the input zone, else the region's usual zone, else UTC.
func location(tz, region string) (*time.Location, error) {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		if loc, err := time.LoadLocation(RegionTimezone(region)); err == nil {
			return loc, nil
		}
		return time.UTC, nil
	}
	// "Local" is whatever the server runs in, which means nothing to the caller.
	if !strings.EqualFold(tz, "local") {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc, nil
		}
	}
	return nil, errorf(`timezone %q is not an IANA time zone name; send e.g. "Asia/Seoul", "America/New_York" or "UTC", or omit it for the region's zone`, tz)
}

// Duration is End − Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

func (w Window) location() *time.Location {
	if w.Loc == nil {
		return time.UTC
	}
	return w.Loc
}

// Echo is the resolved window as every tool output reports it.
type Echo struct {
	StartUTC   string `json:"start_utc"`
	EndUTC     string `json:"end_utc"`
	StartLocal string `json:"start_local"`
	EndLocal   string `json:"end_local"`
	Timezone   string `json:"timezone"`
	DurationS  int64  `json:"duration_s"`
	Clamped    bool   `json:"clamped,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Echo reports the window in UTC and in its local zone (RFC 3339).
func (w Window) Echo() Echo {
	loc := w.location()
	return Echo{
		StartUTC:   w.Start.UTC().Format(time.RFC3339),
		EndUTC:     w.End.UTC().Format(time.RFC3339),
		StartLocal: w.Start.In(loc).Format(time.RFC3339),
		EndLocal:   w.End.In(loc).Format(time.RFC3339),
		Timezone:   loc.String(),
		DurationS:  int64(w.Duration() / time.Second),
		Clamped:    w.Clamped,
		Note:       w.Note,
	}
}

// String is a compact one-liner for text output, e.g.
// "2026-11-21 09:00 → 2026-11-22 09:00 KST (Asia/Seoul) = 2026-11-21T00:00Z → 2026-11-22T00:00Z".
func (w Window) String() string {
	const localLayout, utcLayout = "2006-01-02 15:04", "2006-01-02T15:04Z"
	utc := w.Start.UTC().Format(utcLayout) + " → " + w.End.UTC().Format(utcLayout)
	loc := w.location()
	if loc.String() == "UTC" {
		return utc + " (UTC)"
	}
	s, e := w.Start.In(loc), w.End.In(loc)
	sAbbr, eAbbr := s.Format("MST"), e.Format("MST")
	first := s.Format(localLayout)
	if sAbbr != eAbbr { // a DST change inside the window
		first += " " + sAbbr
	}
	return fmt.Sprintf("%s → %s %s (%s) = %s", first, e.Format(localLayout), eAbbr, loc, utc)
}

// stamp formats a time for error messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// human formats a length the way since accepts it: "14d", "24h", "90m".
func human(d time.Duration) string {
	switch {
	case d%day == 0 && d >= 2*day:
		return fmt.Sprintf("%dd", d/day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
