package relay

import (
	"sync"
	"time"
)

// maxRemembered bounds the de-duplication memory; the oldest entries go first.
const maxRemembered = 20000

// Deduper remembers which (notification, destination) pairs were delivered within a window. A warm Lambda
// container keeps it between invocations, which covers SNS redeliveries and Lambda's retries of a failed
// invocation that land on the same container; the archive's conditional writes cover the event archive
// whatever the container.
type Deduper struct {
	window time.Duration
	mu     sync.Mutex
	done   map[string]time.Time // key → when it was delivered
	busy   map[string]bool      // being delivered right now
	order  []string             // keys in delivery order, for eviction
}

// NewDeduper remembers deliveries for window (0: never, every delivery is sent).
func NewDeduper(window time.Duration) *Deduper {
	return &Deduper{window: window, done: map[string]time.Time{}, busy: map[string]bool{}}
}

// Claim reports whether key may be delivered now: false when it was delivered within the window or another
// delivery of it is under way. A true claim must be followed by Release.
func (d *Deduper) Claim(key string, now time.Time) bool {
	if d == nil || d.window <= 0 {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if at, ok := d.done[key]; ok && now.Sub(at) < d.window {
		return false
	}
	if d.busy[key] {
		return false
	}
	d.busy[key] = true
	return true
}

// Release ends a claim: delivered=true remembers key for the window; false lets a retry deliver it.
func (d *Deduper) Release(key string, now time.Time, delivered bool) {
	if d == nil || d.window <= 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.busy, key)
	if !delivered {
		return
	}
	if _, ok := d.done[key]; !ok {
		d.order = append(d.order, key)
	}
	d.done[key] = now
	d.evict(now)
}

func (d *Deduper) evict(now time.Time) {
	drop := 0
	for drop < len(d.order) {
		k := d.order[drop]
		at, ok := d.done[k]
		if ok && now.Sub(at) < d.window && len(d.order)-drop <= maxRemembered {
			break
		}
		if ok && now.Sub(at) >= d.window || len(d.order)-drop > maxRemembered {
			delete(d.done, k)
		}
		drop++
	}
	if drop > 0 {
		d.order = append([]string(nil), d.order[drop:]...)
	}
}
