package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// What limited a link's lifetime.
const (
	LimitRequested   = "requested"
	LimitMax7d       = "max_7d"
	LimitCredentials = "credentials"
)

// minLink is the shortest link worth sending: below it the link would be dead before anyone opens it.
const minLink = 5 * time.Minute

// Expiry is a presigned URL's effective lifetime.
type Expiry struct {
	Duration  time.Duration
	At        time.Time
	LimitedBy string // LimitRequested, LimitMax7d or LimitCredentials
	// CredentialsAt is when the signing credentials expire (zero when they do not).
	CredentialsAt time.Time
}

// EffectiveExpiry is min(requested, 7 days, time left on the signing credentials), in whole seconds: a
// presigned URL stops working when the credentials that signed it expire, whatever X-Amz-Expires says
// (instance-profile sessions last ≤ 6 h), so the link is never promised past them.
func EffectiveExpiry(ctx context.Context, c awsclient.Clients, requested time.Duration, now time.Time) (Expiry, error) {
	e := Expiry{Duration: requested, LimitedBy: LimitRequested}
	if requested <= 0 || requested > MaxExpiry {
		e.Duration, e.LimitedBy = MaxExpiry, LimitMax7d
	}
	exp, ok, err := c.CredentialsExpiry(ctx)
	if err != nil {
		return Expiry{}, err
	}
	if ok {
		e.CredentialsAt = exp
		left := exp.Sub(now).Truncate(time.Second)
		if left < e.Duration {
			e.Duration, e.LimitedBy = left, LimitCredentials
		}
		if left < minLink {
			return Expiry{}, tools.Errorf("the AWS credentials that would sign the report link expire in %s (at %s); the link would be dead on arrival. Refresh the credentials (or sign with longer-lived ones) and retry", Human(max(left, 0)), exp.UTC().Format(time.RFC3339))
		}
	}
	e.Duration = e.Duration.Truncate(time.Second)
	e.At = now.Add(e.Duration)
	return e, nil
}

// Note says in words how long links are valid and why, e.g. "valid for 5h (until 2026-11-22 15:00 KST),
// shortened from 7d because the signing credentials expire then".
func (e Expiry) Note(requested time.Duration, loc *time.Location) string {
	s := fmt.Sprintf("valid for %s (until %s)", Human(e.Duration), Stamp(e.At, loc))
	switch e.LimitedBy {
	case LimitCredentials:
		s += fmt.Sprintf(", not %s: the AWS credentials that signed it expire then — sign with longer-lived credentials for longer links", Human(min(requested, MaxExpiry)))
	case LimitMax7d:
		s += ", the 7-day maximum of a presigned URL"
	}
	return s
}

// Human formats a duration as "7d", "5h", "4h59m", "90m" → "1h30m".
func Human(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	m := (d - h*time.Hour) / time.Minute
	s := ""
	if days > 0 {
		s += fmt.Sprintf("%dd", days)
	}
	if h > 0 {
		s += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		s += fmt.Sprintf("%dm", m)
	}
	if s == "" {
		return "0m"
	}
	return s
}

// Stamp formats t for messages in loc, e.g. "2026-11-22 15:00 KST".
func Stamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
