package slowlog

import (
	"context"
	"runtime"
	"sync"
)

// batch carries parsed entries from the parser goroutine to a fingerprinting worker. SQL texts live in
// arena; entries hold their offsets until the batch is sealed.
type batch struct {
	entries []Entry
	offs    [][2]int
	arena   []byte
}

const (
	batchEntries = 512
	batchBytes   = 1 << 20
)

func (b *batch) reset() {
	b.entries = b.entries[:0]
	b.offs = b.offs[:0]
	b.arena = b.arena[:0]
}

func (b *batch) add(e *Entry) {
	start := len(b.arena)
	b.arena = append(b.arena, e.SQL...)
	b.entries = append(b.entries, *e)
	b.entries[len(b.entries)-1].SQL = nil
	b.offs = append(b.offs, [2]int{start, len(b.arena)})
}

func (b *batch) full() bool { return len(b.entries) >= batchEntries || len(b.arena) >= batchBytes }

func (b *batch) seal() {
	for i := range b.entries {
		b.entries[i].SQL = b.arena[b.offs[i][0]:b.offs[i][1]:b.offs[i][1]]
	}
}

// Run digests the entries produced by parse (one of the parsers bound to its input, e.g.
// func(fn func(*Entry)) error { return ParseMySQL(r, "file", fn) }) on opt.Workers cores: the parser runs
// on one goroutine and hands batches of entries to workers that fingerprint and aggregate them into their
// own Digester; the partial digests are merged at the end. The result does not depend on the number of
// workers. Cancelling ctx stops the parse early with ctx's error.
func Run(ctx context.Context, parse func(fn func(*Entry)) error, opt Options) (*Digester, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 {
		d := NewDigester(opt)
		n := 0
		var cerr error
		err := parse(func(e *Entry) {
			if cerr != nil {
				return
			}
			if n++; n%4096 == 0 {
				cerr = ctx.Err()
			}
			d.Add(e)
		})
		if cerr != nil {
			return d, cerr
		}
		return d, err
	}
	work := make(chan *batch, 2*workers)
	free := make(chan *batch, 3*workers)
	for range 3 * workers {
		free <- &batch{}
	}
	parts := make([]*Digester, workers)
	var wg sync.WaitGroup
	for w := range workers {
		parts[w] = NewDigester(opt)
		wg.Add(1)
		go func(d *Digester) {
			defer wg.Done()
			for b := range work {
				for i := range b.entries {
					d.Add(&b.entries[i])
				}
				b.reset()
				free <- b
			}
		}(parts[w])
	}
	cur := <-free
	var cerr error
	err := parse(func(e *Entry) {
		if cerr != nil {
			return
		}
		cur.add(e)
		if cur.full() {
			if cerr = ctx.Err(); cerr != nil {
				return
			}
			cur.seal()
			work <- cur
			cur = <-free
		}
	})
	if len(cur.entries) > 0 && cerr == nil {
		cur.seal()
		work <- cur
	}
	close(work)
	wg.Wait()
	d := parts[0]
	for _, p := range parts[1:] {
		d.Merge(p)
	}
	if cerr != nil {
		return d, cerr
	}
	return d, err
}
