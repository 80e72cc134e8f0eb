package slowlog

import (
	"bytes"
	"io"
	"time"
)

// PGLine is one RDS PostgreSQL log line split at its prefix %t:%r:%u@%d:[%p]: (the only log_line_prefix RDS
// allows).
type PGLine struct {
	Time    time.Time
	Remote  []byte // host or address without the port, "[local]", or empty for system processes
	User    []byte
	DB      []byte
	PID     int64
	Level   []byte // LOG, ERROR, FATAL, PANIC, STATEMENT, DETAIL, ...
	Message []byte
}

// ParsePGPrefix splits an RDS PostgreSQL log line. Remote hosts may be IPv6 addresses (they contain ':'),
// "[local]" or empty. ok is false when the line does not start with the prefix (e.g. a TAB continuation).
func ParsePGPrefix(l []byte) (PGLine, bool) {
	var pl PGLine
	if len(l) < 24 || l[4] != '-' || l[7] != '-' || l[10] != ' ' || l[13] != ':' || l[16] != ':' {
		return pl, false
	}
	t, ok := parseDateTime(l[:19])
	if !ok {
		return pl, false
	}
	i := 19
	if i < len(l) && l[i] == '.' { // %m style milliseconds
		j := i + 1
		for j < len(l) && isDigit(l[j]) {
			j++
		}
		if ms, ok := parseInt(l[i+1 : j]); ok && j-i-1 == 3 {
			t = t.Add(time.Duration(ms) * time.Millisecond)
		}
		i = j
	}
	if i >= len(l) || l[i] != ' ' {
		return pl, false
	}
	z := bytes.IndexByte(l[i+1:], ':')
	if z < 0 || z > 8 {
		return pl, false
	}
	rest := l[i+1+z+1:]
	// %r
	switch {
	case bytes.HasPrefix(rest, []byte("[local]:")):
		pl.Remote = rest[:7]
		rest = rest[8:]
	case len(rest) > 0 && rest[0] == ':':
		rest = rest[1:]
	default:
		k := bytes.Index(rest, []byte("):"))
		if k < 0 {
			return pl, false
		}
		open := bytes.LastIndexByte(rest[:k], '(')
		if open < 0 {
			return pl, false
		}
		pl.Remote = rest[:open]
		rest = rest[k+2:]
	}
	// %u@%d:[%p]:
	k := bytes.Index(rest, []byte(":["))
	for k >= 0 {
		j := k + 2
		for j < len(rest) && isDigit(rest[j]) {
			j++
		}
		if j > k+2 && j+1 < len(rest) && rest[j] == ']' && rest[j+1] == ':' {
			ud := rest[:k]
			if at := bytes.LastIndexByte(ud, '@'); at >= 0 {
				pl.User, pl.DB = ud[:at], ud[at+1:]
			} else {
				pl.User = ud
			}
			pl.PID, _ = parseInt(rest[k+2 : j])
			rest = rest[j+2:]
			break
		}
		n := bytes.Index(rest[k+1:], []byte(":["))
		if n < 0 {
			return pl, false
		}
		k += 1 + n
	}
	if k < 0 {
		return pl, false
	}
	c := bytes.IndexByte(rest, ':')
	if c < 0 {
		return pl, false
	}
	pl.Level = rest[:c]
	pl.Message = bytes.TrimLeft(rest[c+1:], " ")
	pl.Time = t
	return pl, true
}

// ParsePostgres reads an RDS/Aurora PostgreSQL log and calls fn for every duration entry:
// "duration: X ms  statement|execute …" as queries, "parse"/"bind" steps as KindParse/KindBind, and a bare
// "duration: X ms" paired with the same process's preceding "statement:" line (log_statement=all).
// TAB-indented continuation lines are part of the message. Only read errors are returned.
func ParsePostgres(r io.Reader, instance string, fn func(*Entry)) error {
	p := newPGParser(instance, fn)
	lr := newLineReader(r)
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		p.line(l)
	}
	p.flush()
	return lr.err
}

type pgParser struct {
	instance string
	fn       func(*Entry)
	has      bool
	cur      PGLine
	msg      []byte
	hdr      []byte // copy of the prefix fields
	lastStmt map[int64][]byte
	e        Entry
}

func newPGParser(instance string, fn func(*Entry)) *pgParser {
	return &pgParser{instance: instance, fn: fn, lastStmt: map[int64][]byte{}}
}

func (p *pgParser) line(l []byte) {
	l = trimCR(l)
	if len(l) > 0 && l[0] == '\t' {
		if p.has {
			p.msg = append(p.msg, '\n')
			p.msg = append(p.msg, l[1:]...)
		}
		return
	}
	pl, ok := ParsePGPrefix(l)
	if !ok {
		if p.has && len(l) > 0 {
			p.msg = append(p.msg, '\n')
			p.msg = append(p.msg, l...)
		}
		return
	}
	p.flush()
	// keep copies: the line buffer is reused
	p.hdr = append(p.hdr[:0], pl.Remote...)
	p.hdr = append(p.hdr, pl.User...)
	p.hdr = append(p.hdr, pl.DB...)
	p.hdr = append(p.hdr, pl.Level...)
	r, u, d := len(pl.Remote), len(pl.User), len(pl.DB)
	pl.Remote = p.hdr[:r]
	pl.User = p.hdr[r : r+u]
	pl.DB = p.hdr[r+u : r+u+d]
	pl.Level = p.hdr[r+u+d:]
	p.msg = append(p.msg[:0], pl.Message...)
	pl.Message = nil
	p.cur = pl
	p.has = true
}

var (
	pgDuration  = []byte("duration: ")
	pgStatement = []byte("statement: ")
	pgExecute   = []byte("execute ")
	pgParse     = []byte("parse ")
	pgBind      = []byte("bind ")
)

func (p *pgParser) flush() {
	if !p.has {
		return
	}
	p.has = false
	if string(p.cur.Level) != "LOG" {
		return
	}
	m := p.msg
	if bytes.HasPrefix(m, pgStatement) {
		p.remember(m[len(pgStatement):])
		return
	}
	if bytes.HasPrefix(m, pgExecute) {
		if c := bytes.Index(m, []byte(": ")); c > 0 {
			p.remember(m[c+2:])
		}
		return
	}
	if !bytes.HasPrefix(m, pgDuration) {
		return
	}
	m = m[len(pgDuration):]
	sp := bytes.Index(m, []byte(" ms"))
	if sp < 0 {
		return
	}
	us, ok := parseMillisToMicros(m[:sp])
	if !ok {
		return
	}
	rest := bytes.TrimLeft(m[sp+3:], " ")
	kind := KindQuery
	var sql []byte
	switch {
	case len(rest) == 0:
		s, ok := p.lastStmt[p.cur.PID]
		if !ok {
			return
		}
		delete(p.lastStmt, p.cur.PID)
		sql = s
	case bytes.HasPrefix(rest, pgStatement):
		sql = rest[len(pgStatement):]
	case bytes.HasPrefix(rest, pgExecute), bytes.HasPrefix(rest, pgParse), bytes.HasPrefix(rest, pgBind):
		if bytes.HasPrefix(rest, pgParse) {
			kind = KindParse
		} else if bytes.HasPrefix(rest, pgBind) {
			kind = KindBind
		}
		c := bytes.Index(rest, []byte(": "))
		if c < 0 {
			return
		}
		sql = rest[c+2:]
	default:
		return
	}
	p.e = Entry{
		Time: p.cur.Time, Instance: p.instance, DB: string(p.cur.DB), User: string(p.cur.User), Host: string(p.cur.Remote),
		ThreadID: p.cur.PID, QueryUS: us, Kind: kind, Dialect: Postgres, SQL: sql,
	}
	p.fn(&p.e)
}

func (p *pgParser) remember(sql []byte) {
	if len(p.lastStmt) > 10000 {
		clear(p.lastStmt)
	}
	p.lastStmt[p.cur.PID] = append(p.lastStmt[p.cur.PID][:0], sql...)
}
