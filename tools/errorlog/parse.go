package errorlog

import (
	"bytes"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/slowlog"
)

// ParseMySQLLine splits a MySQL 8 / Aurora MySQL 3 error-log line
// ("2026-11-22T04:35:12.123456Z 123 [Note] [MY-010914] [Server] Aborted connection …") or a 5.7 /
// Aurora MySQL 2 one ("2026-11-22T04:35:12.123456Z 123 [Warning] …", also with a space instead of T).
// ok is false for lines without the timestamp prefix (continuations of multi-line messages).
func ParseMySQLLine(l []byte) (Line, bool) {
	var out Line
	if len(l) < 20 || l[4] != '-' || l[7] != '-' || (l[10] != 'T' && l[10] != ' ') {
		return out, false
	}
	sp := bytes.IndexByte(l[11:], ' ')
	if sp < 0 {
		return out, false
	}
	ts := l[:11+sp]
	t, err := time.Parse("2006-01-02T15:04:05.999999Z07:00", strings.Replace(string(ts), " ", "T", 1))
	if err != nil {
		if t, err = time.Parse("2006-01-02T15:04:05.999999", strings.Replace(string(ts), " ", "T", 1)); err != nil {
			return out, false
		}
	}
	out.Time = t.UTC()
	rest := bytes.TrimLeft(l[11+sp:], " ")
	// optional thread id
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	rest = bytes.TrimLeft(rest[j:], " ")
	// [Level] [MY-xxxxxx] [Subsystem]
	var brackets [][]byte
	for len(rest) > 0 && rest[0] == '[' && len(brackets) < 3 {
		e := bytes.IndexByte(rest, ']')
		if e < 0 {
			break
		}
		brackets = append(brackets, rest[1:e])
		rest = bytes.TrimLeft(rest[e+1:], " ")
	}
	if len(brackets) == 0 {
		return out, false
	}
	out.Level = string(brackets[0])
	for _, br := range brackets[1:] {
		if bytes.HasPrefix(br, []byte("MY-")) {
			out.Code = string(br)
		} else {
			out.Source = string(br)
		}
	}
	out.Message = string(rest)
	return out, true
}

// LineParser turns the lines of one instance's error log (MySQL family or PostgreSQL) into Summarizer
// messages. MySQL: every line with the timestamp prefix is a message; the InnoDB deadlock dump that
// follows "Transactions deadlock detected" (up to "WE ROLL BACK") is folded into that one message.
// PostgreSQL: ERROR, FATAL and PANIC lines, and LOG/WARNING lines of a notable class (restart, failover,
// replication, dropped connections); DETAIL/STATEMENT/HINT/CONTEXT and TAB continuation lines are not
// messages of their own.
type LineParser struct {
	instance   string
	pg         bool
	s          *Summarizer
	inDeadlock bool
}

// NewLineParser returns a parser feeding s.
func NewLineParser(instance string, pg bool, s *Summarizer) *LineParser {
	return &LineParser{instance: instance, pg: pg, s: s}
}

// Line feeds one line (without newline).
func (p *LineParser) Line(l []byte) {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	if len(bytes.TrimSpace(l)) == 0 {
		return
	}
	if p.pg {
		p.pgLine(l)
		return
	}
	m, ok := ParseMySQLLine(l)
	if !ok {
		p.s.Skip()
		return
	}
	m.Instance = p.instance
	if p.inDeadlock {
		if strings.Contains(m.Message, "WE ROLL BACK") {
			p.inDeadlock = false
		}
		if m.Source == "InnoDB" && !strings.Contains(strings.ToLower(m.Message), "deadlock detected") {
			p.s.Skip()
			return
		}
	}
	if strings.Contains(strings.ToLower(m.Message), "deadlock detected") {
		p.inDeadlock = true
	}
	p.s.Add(m)
}

// End finishes the input.
func (p *LineParser) End() {}

func (p *LineParser) pgLine(l []byte) {
	if l[0] == '\t' {
		p.s.Skip()
		return
	}
	pl, ok := slowlog.ParsePGPrefix(l)
	if !ok {
		p.s.Skip()
		return
	}
	level := string(pl.Level)
	msg := string(pl.Message)
	switch level {
	case "ERROR", "FATAL", "PANIC":
	case "LOG", "WARNING":
		if strings.HasPrefix(msg, "duration: ") || Classify(level, msg) == "" {
			p.s.Skip()
			return
		}
	default:
		p.s.Skip()
		return
	}
	p.s.Add(Line{Time: pl.Time, Instance: p.instance, Level: level, Message: msg})
}

// eventSink adapts LineParser to slowlog.EventSink: one parser per stream, events split into lines.
type eventSink struct {
	pg      bool
	s       *Summarizer
	streams map[string]*LineParser
}

func (e *eventSink) Add(stream string, _ int64, msg []byte) {
	p := e.streams[stream]
	if p == nil {
		p = NewLineParser(stream, e.pg, e.s)
		e.streams[stream] = p
	}
	for len(msg) > 0 {
		i := bytes.IndexByte(msg, '\n')
		if i < 0 {
			p.Line(msg)
			return
		}
		p.Line(msg[:i])
		msg = msg[i+1:]
	}
}

func (e *eventSink) Flush() {}
