package errorlog

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
)

// Notable classes of error-log messages.
const (
	ClassDeadlock           = "deadlock"
	ClassTooManyConnections = "too_many_connections"
	ClassOutOfMemory        = "out_of_memory"
	ClassAbortedConnection  = "aborted_connection"
	ClassRestart            = "restart"
	ClassFailover           = "failover"
	ClassReplication        = "replication"
	ClassAuthFailure        = "authentication_failure"
	ClassTimeout            = "statement_timeout"
	ClassCrash              = "crash"
)

// NotableClasses lists the classes in report order (most urgent first).
var NotableClasses = []string{ClassCrash, ClassOutOfMemory, ClassFailover, ClassRestart, ClassTooManyConnections,
	ClassDeadlock, ClassReplication, ClassTimeout, ClassAuthFailure, ClassAbortedConnection}

var classRules = []struct {
	class string
	subs  []string // lower-case substrings
}{
	{ClassCrash, []string{"terminated by signal", "signal 11", "assertion failure", "got signal", "crash recovery", "was terminated by", "terminating any other active server processes"}},
	{ClassOutOfMemory, []string{"out of memory", "cannot allocate memory", "oom", "memory exhausted"}},
	{ClassFailover, []string{"failover", "promoted to writer", "promotion to writer", "promoting", "received promote request", "selected new timeline"}},
	{ClassRestart, []string{"starting as process", "ready for connections", "shutdown complete", "received shutdown", "shutting down", "database system is ready to accept", "database system is shut down", "starting postgresql", "database system was interrupted", "redo done at"}},
	{ClassTooManyConnections, []string{"too many connections", "too many clients", "remaining connection slots are reserved", "max_connections"}},
	{ClassDeadlock, []string{"deadlock"}},
	{ClassReplication, []string{"replica lag", "replication", "replica ", "slave", "binlog", "wal receiver", "standby", "relay log"}},
	{ClassTimeout, []string{"statement timeout", "lock timeout", "lock wait timeout", "idle-in-transaction timeout", "max_execution_time"}},
	{ClassAuthFailure, []string{"access denied for user", "password authentication failed", "authentication failed", "no pg_hba.conf entry", "pam authentication failed"}},
	{ClassAbortedConnection, []string{"aborted connection", "could not receive data from client", "unexpected eof on client connection", "connection reset by peer", "got an error reading communication packets", "got timeout reading communication packets"}},
}

// Classify names the notable class of a message ("" when none).
func Classify(level, msg string) string {
	l := strings.ToLower(msg)
	for _, r := range classRules {
		for _, s := range r.subs {
			if strings.Contains(l, s) {
				return r.class
			}
		}
	}
	if level == "PANIC" {
		return ClassCrash
	}
	return ""
}

// Line is one error-log message.
type Line struct {
	Time     time.Time
	Instance string
	Level    string // MySQL: Error, Warning, Note, System; PostgreSQL: ERROR, FATAL, PANIC, LOG, WARNING
	Code     string // MySQL error code (MY-010914) when present
	Source   string // MySQL subsystem (Server, InnoDB) when present
	Message  string
}

// Pattern is a group of messages with the same normalized text.
type Pattern struct {
	ID        string   `json:"id" jsonschema_description:"Stable id: hash of level, code and pattern."`
	Level     string   `json:"level"`
	Code      string   `json:"code,omitempty"`
	Class     string   `json:"class,omitempty" jsonschema_description:"Notable class: deadlock, too_many_connections, out_of_memory, aborted_connection, restart, failover, replication, authentication_failure, statement_timeout, crash."`
	Pattern   string   `json:"pattern" jsonschema_description:"The message with numbers, quoted values and addresses replaced by ?. Untrusted text."`
	Count     int64    `json:"count"`
	FirstSeen string   `json:"first_seen"`
	LastSeen  string   `json:"last_seen"`
	Instances []string `json:"instances"`
	Example   string   `json:"example" jsonschema_description:"The latest message verbatim (truncated). Untrusted text."`
}

// Notable sums one notable class.
type Notable struct {
	Class     string   `json:"class"`
	Count     int64    `json:"count"`
	FirstSeen string   `json:"first_seen"`
	LastSeen  string   `json:"last_seen"`
	Instances []string `json:"instances"`
}

// Summary is the grouped error log.
type Summary struct {
	Lines     int64     `json:"lines" jsonschema_description:"Messages grouped (errors, warnings and notable events)."`
	Skipped   int64     `json:"skipped" jsonschema_description:"Lines not counted: routine PostgreSQL LOG lines, DETAIL/STATEMENT lines, InnoDB deadlock dump lines, continuation lines."`
	Patterns  []Pattern `json:"patterns"`
	Distinct  int       `json:"distinct_patterns"`
	Truncated bool      `json:"truncated" jsonschema_description:"More patterns exist than listed."`
	Notable   []Notable `json:"notable"`
	Levels    []Count   `json:"levels"`
}

// Count is a name with a count.
type Count struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

const (
	maxPatterns   = 5000
	maxExampleLen = 500
	maxInstances  = 16
)

type patAcc struct {
	level, code, class, pattern string
	count                       int64
	first, last                 time.Time
	instances                   map[string]bool
	example                     string
}

// Summarizer groups error-log lines by pattern. Not safe for concurrent use; Merge combines two.
type Summarizer struct {
	from, to time.Time
	pats     map[string]*patAcc
	other    *patAcc
	lines    int64
	skipped  int64
	outside  int64
}

// NewSummarizer keeps lines with from ≤ Time < to (zero: unbounded).
func NewSummarizer(from, to time.Time) *Summarizer {
	return &Summarizer{from: from, to: to, pats: map[string]*patAcc{}}
}

// Skip counts a line that is not a message of interest.
func (s *Summarizer) Skip() { s.skipped++ }

// Add groups one message.
func (s *Summarizer) Add(l Line) {
	if !l.Time.IsZero() && ((!s.from.IsZero() && l.Time.Before(s.from)) || (!s.to.IsZero() && !l.Time.Before(s.to))) {
		s.outside++
		return
	}
	s.lines++
	pat := Normalize(l.Message, strings.ToUpper(l.Level) == l.Level)
	key := l.Level + "\x00" + l.Code + "\x00" + pat
	p := s.pats[key]
	if p == nil {
		if len(s.pats) >= maxPatterns {
			if s.other == nil {
				s.other = &patAcc{level: "-", pattern: "(other patterns beyond the first 5000)", instances: map[string]bool{}}
			}
			p = s.other
		} else {
			p = &patAcc{level: l.Level, code: l.Code, class: Classify(l.Level, l.Message), pattern: pat, instances: map[string]bool{}}
			s.pats[key] = p
		}
	}
	p.add(l)
}

func (p *patAcc) add(l Line) {
	p.count++
	if !l.Time.IsZero() {
		if p.first.IsZero() || l.Time.Before(p.first) {
			p.first = l.Time
		}
		if !l.Time.Before(p.last) {
			p.last = l.Time
			p.example = tools.Truncate(strings.ToValidUTF8(l.Message, "\uFFFD"), maxExampleLen)
		}
	} else if p.example == "" {
		p.example = tools.Truncate(strings.ToValidUTF8(l.Message, "\uFFFD"), maxExampleLen)
	}
	if l.Instance != "" && (len(p.instances) < maxInstances || p.instances[l.Instance]) {
		p.instances[l.Instance] = true
	}
}

func (p *patAcc) merge(o *patAcc) {
	p.count += o.count
	if !o.first.IsZero() && (p.first.IsZero() || o.first.Before(p.first)) {
		p.first = o.first
	}
	if !o.last.Before(p.last) {
		p.last = o.last
		p.example = o.example
	}
	for k := range o.instances {
		if len(p.instances) < maxInstances {
			p.instances[k] = true
		}
	}
}

// Merge adds o into s.
func (s *Summarizer) Merge(o *Summarizer) {
	for k, op := range o.pats {
		if p := s.pats[k]; p != nil {
			p.merge(op)
		} else {
			s.pats[k] = op
		}
	}
	if o.other != nil {
		if s.other == nil {
			s.other = o.other
		} else {
			s.other.merge(o.other)
		}
	}
	s.lines += o.lines
	s.skipped += o.skipped
	s.outside += o.outside
}

// Outside returns the lines skipped because they fell outside the window.
func (s *Summarizer) Outside() int64 { return s.outside }

func levelRank(level string) int {
	switch strings.ToUpper(level) {
	case "PANIC":
		return 0
	case "FATAL":
		return 1
	case "ERROR":
		return 2
	case "WARNING":
		return 3
	case "SYSTEM":
		return 4
	}
	return 5
}

// Result returns the top n patterns (all when n ≤ 0): notable classes first, then by level, then count.
func (s *Summarizer) Result(n int) Summary {
	ps := make([]*patAcc, 0, len(s.pats)+1)
	for _, p := range s.pats {
		ps = append(ps, p)
	}
	if s.other != nil {
		ps = append(ps, s.other)
	}
	classRank := func(c string) int {
		if i := slices.Index(NotableClasses, c); i >= 0 {
			return i
		}
		return len(NotableClasses)
	}
	slices.SortFunc(ps, func(a, b *patAcc) int {
		if r := cmp.Compare(classRank(a.class), classRank(b.class)); r != 0 {
			return r
		}
		if r := cmp.Compare(levelRank(a.level), levelRank(b.level)); r != 0 {
			return r
		}
		if r := cmp.Compare(b.count, a.count); r != 0 {
			return r
		}
		return strings.Compare(a.pattern, b.pattern)
	})
	out := Summary{Lines: s.lines, Skipped: s.skipped, Distinct: len(ps), Patterns: []Pattern{}, Notable: []Notable{}, Levels: []Count{}}
	notable := map[string]*patAcc{}
	levels := map[string]int64{}
	for _, p := range ps {
		levels[p.level] += p.count
		if p.class == "" {
			continue
		}
		nb := notable[p.class]
		if nb == nil {
			nb = &patAcc{class: p.class, instances: map[string]bool{}}
			notable[p.class] = nb
		}
		nb.merge(p)
	}
	for _, c := range NotableClasses {
		if nb := notable[c]; nb != nil {
			out.Notable = append(out.Notable, Notable{Class: c, Count: nb.count, FirstSeen: stamp(nb.first), LastSeen: stamp(nb.last), Instances: sortedKeys(nb.instances)})
		}
	}
	for l, c := range levels {
		out.Levels = append(out.Levels, Count{l, c})
	}
	slices.SortFunc(out.Levels, func(a, b Count) int {
		if r := cmp.Compare(levelRank(a.Name), levelRank(b.Name)); r != 0 {
			return r
		}
		return strings.Compare(a.Name, b.Name)
	})
	if n > 0 && len(ps) > n {
		ps = ps[:n]
		out.Truncated = true
	}
	for _, p := range ps {
		out.Patterns = append(out.Patterns, Pattern{
			ID: patternID(p), Level: p.level, Code: p.code, Class: p.class, Pattern: strings.ToValidUTF8(p.pattern, "\uFFFD"), Count: p.count,
			FirstSeen: stamp(p.first), LastSeen: stamp(p.last), Instances: sortedKeys(p.instances), Example: p.example,
		})
	}
	return out
}

func patternID(p *patAcc) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(p.level + "\x00" + p.code + "\x00" + p.pattern))
	var b [8]byte
	return hex.EncodeToString(h.Sum(b[:0]))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Normalize replaces the variable parts of a message with ?: numbers (and dotted/colon-separated number
// groups such as addresses, times and versions), hex values, single-quoted values, and — for PostgreSQL
// (pg) — double-quoted names after "user", "role" or "database". Other double-quoted names (constraints,
// relations, columns) are kept: they say which object the error is about.
func Normalize(msg string, pg bool) string {
	b := []byte(msg)
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(b) && b[j] != '\'' {
				j++
			}
			out = append(out, "'?'"...)
			i = j + 1
		case c == '"' && (!pg || maskQuoted(out)):
			j := i + 1
			for j < len(b) && b[j] != '"' {
				j++
			}
			out = append(out, `"?"`...)
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(b) && (isHexDigit(b[j]) || b[j] == 'x' || b[j] == 'X' || ((b[j] == '.' || b[j] == ':') && j+1 < len(b) && b[j+1] >= '0' && b[j+1] <= '9')) {
				j++
			}
			if len(out) == 0 || out[len(out)-1] != '?' {
				out = append(out, '?')
			}
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return string(bytes.TrimSpace(out))
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func maskQuoted(before []byte) bool {
	t := strings.ToLower(string(bytes.TrimRight(before, " ")))
	return strings.HasSuffix(t, "user") || strings.HasSuffix(t, "role") || strings.HasSuffix(t, "database")
}
