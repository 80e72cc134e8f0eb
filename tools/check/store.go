package check

import (
	"container/list"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// idRE is what a check id looks like; anything else is rejected before touching the file system.
var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,120}$`)

// ValidID reports whether id is a well-formed check id (no path separators, no dots).
func ValidID(id string) bool { return idRE.MatchString(id) }

// Store keeps recent checks in a bounded LRU and, when Dir is set, as <Dir>/checks/<id>.json.
type Store struct {
	Dir string
	Max int

	mu    sync.Mutex
	ll    *list.List
	items map[string]*list.Element
}

// NewStore returns a store holding at most max checks in memory (default 32).
func NewStore(dir string, max int) *Store {
	if max <= 0 {
		max = 32
	}
	return &Store{Dir: dir, Max: max, ll: list.New(), items: map[string]*list.Element{}}
}

// Put stores c (memory, then file). A file write failure is returned but the check stays in memory.
func (s *Store) Put(c report.Check) error {
	if !ValidID(c.ID) {
		return fmt.Errorf("invalid check id %q", c.ID)
	}
	s.mu.Lock()
	if e, ok := s.items[c.ID]; ok {
		e.Value = c
		s.ll.MoveToFront(e)
	} else {
		s.items[c.ID] = s.ll.PushFront(c)
		for s.ll.Len() > s.Max {
			last := s.ll.Back()
			s.ll.Remove(last)
			delete(s.items, last.Value.(report.Check).ID)
		}
	}
	s.mu.Unlock()
	if s.Dir == "" {
		return nil
	}
	dir := filepath.Join(s.Dir, "checks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, c.ID+".json"), b)
}

// Get returns the check with id from memory or, failing that, from its JSON file.
func (s *Store) Get(id string) (report.Check, error) {
	if !ValidID(id) {
		return report.Check{}, tools.Errorf("check_id %q is not a check id (they look like orders-prod-20261122t0900z-1a2b); run run_health_check to get one", id)
	}
	s.mu.Lock()
	if e, ok := s.items[id]; ok {
		s.ll.MoveToFront(e)
		c := e.Value.(report.Check)
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	if s.Dir != "" {
		b, err := os.ReadFile(filepath.Join(s.Dir, "checks", id+".json"))
		if err == nil {
			var c report.Check
			if err := json.Unmarshal(b, &c); err == nil {
				return c, nil
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return report.Check{}, err
		}
	}
	return report.Check{}, tools.Errorf("no check with id %q (checks are kept for this server's session and in the report directory); run run_health_check first", id)
}

// writeAtomic writes via a temp file and rename, so readers never see a partial file.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
