package slowlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
)

// Event is one CloudWatch Logs event of an exported RDS log (FilterLogEvents / GetLogEvents shape).
type Event struct {
	Stream    string `json:"logStreamName"`
	Timestamp int64  `json:"timestamp"` // ms
	ID        string `json:"eventId"`
	Message   string `json:"message"`
}

// EventParser turns exported log events into entries. For the MySQL slow log each event is one entry
// (message = the whole entry without its trailing newline); an event that does not start with a header
// continues the previous event of its stream (RDS splits entries over 256 KiB); the database of `use db;`
// is carried per stream. For PostgreSQL each event holds one or more log lines and the parser state (the
// pairing of bare durations with statements) is kept per stream. Feed each stream's events in (timestamp,
// eventId) order; streams may be interleaved.
type EventParser struct {
	dialect Dialect
	fn      func(*Entry)
	streams map[string]*eventStream
	// Orphans counts headerless MySQL events with no entry to continue (the window began mid-entry).
	Orphans int64
	// Events counts the events fed.
	Events int64
}

type eventStream struct {
	my      *mysqlParser
	pg      *pgParser
	pending []byte
	ts      int64
}

// NewEventParser returns a parser for events of the given dialect.
func NewEventParser(d Dialect, fn func(*Entry)) *EventParser {
	return &EventParser{dialect: d, fn: fn, streams: map[string]*eventStream{}}
}

func (p *EventParser) stream(name string) *eventStream {
	s := p.streams[name]
	if s == nil {
		s = &eventStream{}
		if p.dialect == Postgres {
			s.pg = newPGParser(name, p.fn)
		} else {
			s.my = newMySQLParser(name, p.fn)
		}
		p.streams[name] = s
	}
	return s
}

// isEntryStart reports whether a MySQL slow-log event starts a new entry.
func isEntryStart(msg []byte) bool {
	return isCandidate(msg) || bytes.HasPrefix(msg, []byte("# Query_time:")) || isPreamble(firstLine(msg))
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// Add feeds one event.
func (p *EventParser) Add(stream string, ts int64, msg []byte) {
	p.Events++
	s := p.stream(stream)
	if p.dialect == Postgres {
		for len(msg) > 0 {
			i := bytes.IndexByte(msg, '\n')
			if i < 0 {
				s.pg.line(msg)
				break
			}
			s.pg.line(msg[:i])
			msg = msg[i+1:]
		}
		return
	}
	if isEntryStart(msg) {
		p.flushStream(s)
		s.pending = append(s.pending[:0], msg...)
		s.ts = ts
		return
	}
	if s.pending == nil {
		p.Orphans++
		return
	}
	s.pending = append(s.pending, msg...) // continuation: the split fell anywhere, join as is
}

func (p *EventParser) flushStream(s *eventStream) {
	if s.my == nil || s.pending == nil {
		return
	}
	msg := s.pending
	if isPreamble(firstLine(msg)) {
		// a preamble event: skip its lines, the entry (if any) follows
		for len(msg) > 0 && isPreamble(firstLine(msg)) {
			i := bytes.IndexByte(msg, '\n')
			if i < 0 {
				msg = nil
				break
			}
			msg = msg[i+1:]
		}
	}
	s.my.stage = stNone
	for len(msg) > 0 {
		i := bytes.IndexByte(msg, '\n')
		if i < 0 {
			s.my.line(msg)
			break
		}
		s.my.line(msg[:i])
		msg = msg[i+1:]
	}
	if s.my.stage != stNone && s.my.e.Time.IsZero() && s.my.lastTime.IsZero() && s.ts > 0 {
		s.my.e.Time = time.UnixMilli(s.ts).UTC()
	}
	s.my.finish(true)
	s.pending = s.pending[:0]
	s.pending = nil
}

// Flush emits the pending entries of every stream; call it after the last event.
func (p *EventParser) Flush() {
	for _, s := range p.streams {
		if s.pg != nil {
			s.pg.flush()
			continue
		}
		p.flushStream(s)
	}
}

// ParseEventsJSONL reads CloudWatch Logs events, one JSON object per line as `aws logs filter-log-events`
// prints them in its events array ({"logStreamName","timestamp","message","eventId"}), and digests them as
// the dialect says (MySQL slow log or PostgreSQL log). Lines that are not JSON objects are skipped and
// counted in bad.
func ParseEventsJSONL(r io.Reader, d Dialect, fn func(*Entry)) (bad int64, err error) {
	p := NewEventParser(d, fn)
	lr := newLineReader(r)
	var ev Event
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		ev = Event{}
		if err := json.Unmarshal(l, &ev); err != nil {
			bad++
			continue
		}
		p.Add(ev.Stream, ev.Timestamp, []byte(ev.Message))
	}
	p.Flush()
	return bad, lr.err
}

// Format is a log format for ParseAuto.
type Format string

// Formats.
const (
	FormatAuto       Format = ""
	FormatMySQL      Format = "mysql"
	FormatPostgres   Format = "postgresql"
	FormatCWMySQL    Format = "cloudwatch-mysql"
	FormatCWPostgres Format = "cloudwatch-postgresql"
)

// DetectFormat guesses the format from the first non-empty line of a log: a JSON object is CloudWatch
// events (whose first message decides MySQL or PostgreSQL), an RDS PostgreSQL prefix is PostgreSQL, and
// anything else is a MySQL-family slow log.
func DetectFormat(head []byte) Format {
	for len(head) > 0 {
		line := firstLine(head)
		rest := head[len(line):]
		if len(rest) > 0 {
			rest = rest[1:]
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			head = rest
			continue
		}
		if t[0] == '{' {
			var ev Event
			if json.Unmarshal(t, &ev) == nil {
				if _, ok := ParsePGPrefix([]byte(ev.Message)); ok {
					return FormatCWPostgres
				}
			}
			return FormatCWMySQL
		}
		if _, ok := ParsePGPrefix(t); ok {
			return FormatPostgres
		}
		return FormatMySQL
	}
	return FormatMySQL
}

// ParseAuto parses r in format f (detected from the first 64 KiB when FormatAuto) and calls fn for every
// entry. name is the instance recorded for file formats.
func ParseAuto(r io.Reader, f Format, name string, fn func(*Entry)) (Format, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if f == FormatAuto {
		head, err := br.Peek(64 << 10)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return f, err
		}
		f = DetectFormat(head)
	}
	switch f {
	case FormatPostgres:
		return f, ParsePostgres(br, name, fn)
	case FormatCWMySQL:
		_, err := ParseEventsJSONL(br, MySQL, fn)
		return f, err
	case FormatCWPostgres:
		_, err := ParseEventsJSONL(br, Postgres, fn)
		return f, err
	case FormatMySQL:
		return f, ParseMySQL(br, name, fn)
	}
	return f, errors.New("unknown format " + strings.TrimSpace(string(f)) + " (want mysql, postgresql, cloudwatch-mysql or cloudwatch-postgresql)")
}
