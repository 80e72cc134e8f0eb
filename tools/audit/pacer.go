package audit

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces calls at least 1/perSecond apart, across every goroutine that shares it. CloudTrail allows
// LookupEvents at 2 requests per second per account and region, so one Pacer per region paces every lookup
// (each page is a call): no window of one second ever holds more than two calls.
type Pacer struct {
	mu       sync.Mutex
	interval time.Duration
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	last     time.Time
	used     bool
}

// NewPacer returns a pacer allowing perSecond calls per second. now and sleep default to the real clock;
// tests pass a fake clock.
func NewPacer(perSecond float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *Pacer {
	if perSecond <= 0 {
		perSecond = 1
	}
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = Sleep
	}
	return &Pacer{interval: time.Duration(float64(time.Second) / perSecond), now: now, sleep: sleep}
}

// Wait blocks until the next call may go out, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	_, err := p.wait(ctx)
	return err
}

// wait is Wait returning the time slot granted.
func (p *Pacer) wait(ctx context.Context) (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if p.used {
		if next := p.last.Add(p.interval); t.Before(next) {
			if err := p.sleep(ctx, next.Sub(t)); err != nil {
				return time.Time{}, err
			}
			t = next
		}
	}
	p.last, p.used = t, true
	return t, ctx.Err()
}

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
