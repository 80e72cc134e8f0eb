// Package timewin resolves the time window a diagnostic tool looks at and picks
// a CloudWatch period for it. It depends only on the standard library.
//
// # Window input
//
// A caller sends either Since, a relative window ending now ("90m", "24h",
// "7d", "2w", or a Go duration such as "1h30m"; 1 minute to 455 days), or
// Start and/or End as RFC 3339 times ("2026-11-21T00:00:00Z", "2026-11-21T09:00:00+09:00"), never
// both. With neither, the window is the last Options.Default (24 h). End alone
// means a Default-long window ending at End; Start alone ends now.
//
// Resolve applies these rules, and every failure is an *Error whose
// message says what was wrong and what to send instead:
//   - end before start, or start equal to end, is rejected;
//   - a start more than two minutes in the future (clock skew allowance) is
//     rejected; an end in the future is clamped to now (with a note when it
//     was beyond the skew allowance);
//   - a start older than Options.MaxAge (default 455 days, CloudWatch's
//     longest retention) is rejected, or clamped when Options.Clamp is set;
//   - a window longer than Options.Max is rejected;
//   - a time zone that is not an IANA name (or is "Local") is rejected.
//
// # Time zones
//
// Local times use the IANA zone from the input, else the usual zone of the
// AWS region (RegionTimezone), else UTC. The tzdata database is embedded, so
// zones load on machines without /usr/share/zoneinfo. Every tool echoes the
// resolved window in UTC and local time (Window.Echo, Window.String).
//
// # Periods
//
// CloudWatch only returns data when the period suits the age of the start
// time: a multiple of 60 s when the start is under 15 days old, of 300 s
// between 15 and 63 days, of 3600 s beyond (older data has been
// re-aggregated); a start within 10 minutes of a boundary counts as past it,
// so a request stays valid while in flight. Sub-minute periods (1, 5, 10, 20
// and 30 s) exist only for high-resolution metrics within the last 3 hours.
// Period picks the smallest
// period obeying those rules, a caller minimum, and a datapoint budget per
// series; PeriodFrom does the same over an explicit set such as Performance
// Insights' 1, 60, 300, 3600 and 86400 s.
package timewin
