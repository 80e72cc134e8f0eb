package slowlog

import (
	"bytes"
	"io"
	"time"
)

// ParseMySQL reads a MySQL-family slow log (MySQL 8 / Aurora MySQL 3 with or without log_slow_extra,
// MariaDB, 5.6/Aurora MySQL 1 style) from r and calls fn for every entry, in order. instance names the
// source in the entries. Parsing is streaming and never fails on content; only read errors are returned.
func ParseMySQL(r io.Reader, instance string, fn func(*Entry)) error {
	p := newMySQLParser(instance, fn)
	lr := newLineReader(r)
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		p.line(line)
	}
	p.finish(false)
	return lr.err
}

type mysqlStage uint8

const (
	stNone   mysqlStage = iota // before the first entry, or after a server preamble
	stHeader                   // "# ..." header lines
	stMeta                     // use db; SET timestamp=N;
	stBody                     // statement text
)

// veto safety valve: an entry boundary vetoed because the text looked like an open literal is taken after
// all when the literal is still open this many vetoed headers or bytes later, or at the end of the input.
const (
	maxVetoes     = 16
	maxVetoBytes  = 8 << 20
	timeLayoutISO = "2006-01-02T15:04:05.999999Z07:00"
)

type mysqlParser struct {
	instance string
	fn       func(*Entry)

	stage    mysqlStage
	e        Entry
	hasUser  bool
	hasTime  bool
	hasQT    bool
	schema   []byte
	db       string // current database (use x;), per file/stream
	lastTime time.Time
	body     []byte
	prevSemi bool
	lex      lexState
	lexPos   int
	// last strings, reused while the bytes repeat (saves an allocation per entry)
	lastUser, lastHost, lastSchema string
	vetoAt                         int // body offset of the first vetoed header candidate, -1 when none
	vetoes                         int
}

func newMySQLParser(instance string, fn func(*Entry)) *mysqlParser {
	return &mysqlParser{instance: instance, fn: fn, vetoAt: -1}
}

var (
	pfxTime     = []byte("# Time:")
	pfxUserHost = []byte("# User@Host:")
	pfxAdmin    = []byte("# administrator command:")
)

func isCandidate(l []byte) bool {
	return bytes.HasPrefix(l, pfxTime) || bytes.HasPrefix(l, pfxUserHost)
}

// isPreamble recognises the three lines mysqld writes when it (re)opens the log.
func isPreamble(l []byte) bool {
	switch {
	case bytes.HasPrefix(l, []byte("Tcp port: ")):
		return true
	case len(l) > 4 && bytes.HasPrefix(l, []byte("Time")) && (l[4] == ' ' || l[4] == '\t') && bytes.Contains(l, []byte("Command")) && bytes.Contains(l, []byte("Argument")):
		return true
	case bytes.HasSuffix(trimCR(l), []byte("started with:")) && bytes.Contains(l, []byte(", Version: ")):
		return true
	}
	return false
}

func trimCR(l []byte) []byte {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		return l[:n-1]
	}
	return l
}

func (p *mysqlParser) line(l []byte) {
	switch p.stage {
	case stNone:
		// only a header line starts an entry; anything else here (a preamble, the tail of an entry whose
		// start is not in this input) is skipped
		if len(l) == 0 || l[0] != '#' || bytes.HasPrefix(l, pfxAdmin) {
			return
		}
		p.startEntry()
		p.header(l)
	case stHeader:
		if isPreamble(l) {
			return
		}
		if len(l) > 0 && l[0] == '#' && !bytes.HasPrefix(l, pfxAdmin) {
			// a second User@Host (or a Time after User@Host) means the previous entry had no statement
			if (bytes.HasPrefix(l, pfxUserHost) && p.hasUser) || (bytes.HasPrefix(l, pfxTime) && (p.hasUser || p.hasTime)) {
				p.finish(true)
				p.startEntry()
			}
			p.header(l)
			return
		}
		p.stage = stMeta
		p.meta(l)
	case stMeta:
		if isCandidate(l) {
			p.finish(true)
			p.startEntry()
			p.header(l)
			return
		}
		p.meta(l)
	case stBody:
		if (isCandidate(l) || isPreamble(l)) && p.prevSemi {
			p.advanceLex()
			if p.lex.closed() {
				p.finish(true)
				if isPreamble(l) {
					return
				}
				p.startEntry()
				p.header(l)
				return
			}
			// looks like a header but the statement text is inside a literal: keep it as text
			if p.vetoAt < 0 {
				p.vetoAt = len(p.body)
			}
			p.vetoes++
			if p.vetoes > maxVetoes || len(p.body)-p.vetoAt > maxVetoBytes {
				p.giveUpVeto(l)
				return
			}
		}
		p.appendBody(l)
	}
}

func (p *mysqlParser) startEntry() {
	p.e = Entry{Instance: p.instance, Dialect: MySQL}
	p.hasUser, p.hasTime, p.hasQT = false, false, false
	p.schema = p.schema[:0]
	p.body = p.body[:0]
	p.prevSemi = false
	p.lex = lexState{}
	p.lexPos = 0
	p.vetoAt, p.vetoes = -1, 0
	p.stage = stHeader
}

func (p *mysqlParser) appendBody(l []byte) {
	p.body = append(p.body, l...)
	p.body = append(p.body, '\n')
	t := trimCR(l)
	p.prevSemi = len(t) > 0 && t[len(t)-1] == ';'
}

// advanceLex brings the literal state up to the end of the body.
func (p *mysqlParser) advanceLex() {
	for p.lexPos < len(p.body) {
		nl := bytes.IndexByte(p.body[p.lexPos:], '\n')
		end := len(p.body)
		if nl >= 0 {
			end = p.lexPos + nl
		}
		p.lex.feed(p.body[p.lexPos:end])
		p.lexPos = end + 1
	}
}

// giveUpVeto splits at the first vetoed header after all and re-reads the text from there.
func (p *mysqlParser) giveUpVeto(l []byte) {
	rest := append([]byte(nil), p.body[p.vetoAt:]...)
	rest = append(rest, l...)
	p.body = p.body[:p.vetoAt]
	p.finish(true)
	p.stage = stNone
	p.refeedLines(rest)
}

func (p *mysqlParser) refeedLines(rest []byte) {
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			p.line(rest)
			return
		}
		p.line(rest[:nl])
		rest = rest[nl+1:]
	}
}

func (p *mysqlParser) header(l []byte) {
	l = trimCR(l)
	switch {
	case bytes.HasPrefix(l, pfxTime):
		if t, ok := parseMySQLTime(bytes.TrimSpace(l[len(pfxTime):])); ok {
			p.e.Time = t
			p.lastTime = t
		}
		p.hasTime = true
	case bytes.HasPrefix(l, pfxUserHost):
		p.userHost(l[len(pfxUserHost):])
		p.hasUser = true
	default:
		p.pairs(l[1:])
	}
}

// userHost parses " app[app] @  [127.0.0.1]  Id:    21" (priv_user[user] @ host [ip]  Id: N).
func (p *mysqlParser) userHost(v []byte) {
	if i := bytes.Index(v, []byte(" Id:")); i >= 0 {
		if id, ok := parseInt(bytes.TrimSpace(v[i+4:])); ok {
			p.e.ThreadID = id
		}
		v = v[:i]
	}
	v = bytes.TrimSpace(v)
	at := bytes.Index(v, []byte(" @ "))
	userPart, hostPart := v, []byte(nil)
	if at >= 0 {
		userPart, hostPart = v[:at], bytes.TrimSpace(v[at+3:])
	}
	user := userPart
	if i := bytes.IndexByte(userPart, '['); i >= 0 {
		if j := bytes.IndexByte(userPart[i:], ']'); j > 0 && j > 1 {
			user = userPart[i+1 : i+j]
		} else {
			user = userPart[:i]
		}
	}
	p.e.User = intern(&p.lastUser, bytes.TrimSpace(user))
	// host [ip]: prefer the name, else the address
	host := hostPart
	ip := []byte(nil)
	if i := bytes.IndexByte(hostPart, '['); i >= 0 {
		host = bytes.TrimSpace(hostPart[:i])
		if j := bytes.IndexByte(hostPart[i:], ']'); j > 0 {
			ip = hostPart[i+1 : i+j]
		}
	}
	if len(host) == 0 {
		host = ip
	}
	p.e.Host = intern(&p.lastHost, host)
}

// pairs parses generic "Key: value" header pairs separated by spaces.
func (p *mysqlParser) pairs(l []byte) {
	i := 0
	n := len(l)
	for i < n {
		for i < n && l[i] == ' ' {
			i++
		}
		ks := i
		for i < n && l[i] != ' ' {
			i++
		}
		key := l[ks:i]
		if len(key) < 2 || key[len(key)-1] != ':' {
			if bytes.HasPrefix(key, []byte("explain:")) {
				return
			}
			continue
		}
		key = key[:len(key)-1]
		for i < n && l[i] == ' ' {
			i++
		}
		vs := i
		for i < n && l[i] != ' ' {
			i++
		}
		val := l[vs:i]
		if len(val) > 0 && val[len(val)-1] == ':' {
			// empty value ("Schema:   QC_hit: No"): the token is the next key
			i = vs
			val = nil
		}
		p.pair(key, val)
	}
}

func (p *mysqlParser) pair(key, val []byte) {
	switch string(key) {
	case "Query_time":
		if v, ok := parseMicros(val); ok {
			p.e.QueryUS = v
			p.hasQT = true
		}
	case "Lock_time":
		p.e.LockUS, _ = parseMicros(val)
	case "Rows_sent":
		p.e.RowsSent, _ = parseInt(val)
		p.e.HasRows = true
	case "Rows_examined":
		p.e.RowsExamined, _ = parseInt(val)
		p.e.HasRows = true
	case "Rows_affected":
		p.e.RowsAffected, _ = parseInt(val)
	case "Thread_id", "Id":
		p.e.ThreadID, _ = parseInt(val)
	case "Schema":
		p.schema = append(p.schema[:0], val...)
	case "Start":
		if t, ok := parseMySQLTime(val); ok && p.e.Start.IsZero() {
			p.e.Start = t
		}
	case "End":
		if t, ok := parseMySQLTime(val); ok && p.e.Time.IsZero() {
			p.e.Time = t
		}
	case "explain":
	}
}

func (p *mysqlParser) meta(l []byte) {
	t := trimCR(l)
	if len(t) > 5 && (t[0]|0x20) == 'u' && (t[1]|0x20) == 's' && (t[2]|0x20) == 'e' && t[3] == ' ' && t[len(t)-1] == ';' {
		db := bytes.TrimSpace(t[4 : len(t)-1])
		if len(db) >= 2 && db[0] == '`' && db[len(db)-1] == '`' {
			db = db[1 : len(db)-1]
		}
		p.db = string(db)
		return
	}
	if bytes.HasPrefix(t, []byte("SET ")) && t[len(t)-1] == ';' {
		if i := bytes.Index(t, []byte("timestamp=")); i >= 0 {
			j := i + len("timestamp=")
			k := j
			for k < len(t) && isDigit(t[k]) {
				k++
			}
			if k > j && (t[k] == ';' || t[k] == ',') {
				if sec, ok := parseInt(t[j:k]); ok && p.e.Start.IsZero() {
					p.e.Start = time.Unix(sec, 0).UTC() // log_slow_extra's Start: has µs; keep it
				}
				p.stage = stBody
				return
			}
		}
	}
	p.stage = stBody
	p.appendBody(l)
}

// finish emits the current entry. forced means the boundary is certain (next header, end of a CloudWatch
// event); at the end of a file a still-open veto is given up instead.
func (p *mysqlParser) finish(forced bool) {
	if p.stage == stNone {
		return
	}
	if !forced && p.stage == stBody && p.vetoAt >= 0 {
		p.advanceLex()
		if !p.lex.closed() {
			rest := append([]byte(nil), p.body[p.vetoAt:]...)
			p.body = p.body[:p.vetoAt]
			p.emit()
			p.stage = stNone
			p.refeedLines(bytes.TrimSuffix(rest, []byte("\n")))
			p.finish(false)
			return
		}
	}
	p.emit()
	p.stage = stNone
}

func (p *mysqlParser) emit() {
	if !p.hasQT && !p.hasUser && len(p.body) == 0 {
		return // stray lines, not an entry
	}
	sql := p.body
	if n := len(sql); n > 0 && sql[n-1] == '\n' {
		sql = sql[:n-1]
	}
	sql = trimCR(sql)
	if n := len(sql); n > 0 && sql[n-1] == ';' {
		sql = sql[:n-1]
	} else if n > 0 {
		p.e.Truncated = true // the server always ends the text with ";"
	}
	if bytes.HasPrefix(sql, pfxAdmin) {
		sql = sql[2:]
		p.e.AdminCommand = true
	}
	p.e.SQL = sql
	if len(p.schema) > 0 {
		p.e.DB = intern(&p.lastSchema, p.schema)
	} else {
		p.e.DB = p.db
	}
	if p.e.Time.IsZero() {
		switch {
		case !p.lastTime.IsZero():
			p.e.Time = p.lastTime
		case !p.e.Start.IsZero():
			p.e.Time = p.e.Start.Add(time.Duration(p.e.QueryUS) * time.Microsecond)
		}
	}
	p.fn(&p.e)
}

// parseMySQLTime accepts "2026-11-22T11:31:04.958516Z", "2019-01-23T12:34:56.000000-07:00",
// "261122 11:31:04" and "190227  9:46:00" (YYMMDD, space-padded hour).
func parseMySQLTime(b []byte) (time.Time, bool) {
	b = bytes.TrimSpace(b)
	if len(b) >= 19 && b[4] == '-' && b[10] == 'T' {
		if t, ok := fastISO(b); ok {
			return t, true
		}
		t, err := time.Parse(timeLayoutISO, string(b))
		if err == nil {
			return t.UTC(), true
		}
		return time.Time{}, false
	}
	if len(b) >= 13 && b[6] == ' ' {
		yy, ok1 := parseInt(b[0:2])
		mm, ok2 := parseInt(b[2:4])
		dd, ok3 := parseInt(b[4:6])
		rest := bytes.TrimSpace(b[6:])
		parts := bytes.Split(rest, []byte(":"))
		if !ok1 || !ok2 || !ok3 || len(parts) != 3 {
			return time.Time{}, false
		}
		h, ok4 := parseInt(bytes.TrimSpace(parts[0]))
		mi, ok5 := parseInt(parts[1])
		s, ok6 := parseInt(parts[2])
		if !ok4 || !ok5 || !ok6 {
			return time.Time{}, false
		}
		return time.Date(2000+int(yy), time.Month(mm), int(dd), int(h), int(mi), int(s), 0, time.UTC), true
	}
	return time.Time{}, false
}

// fastISO parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" without allocating.
func fastISO(b []byte) (time.Time, bool) {
	if b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	t, ok := parseDateTime(b[:19])
	if !ok {
		return time.Time{}, false
	}
	rest := b[19 : len(b)-1]
	if len(rest) > 0 {
		if rest[0] != '.' || len(rest) > 10 || len(rest) < 2 {
			return time.Time{}, false
		}
		frac := rest[1:]
		v, ok := parseInt(frac)
		if !ok {
			return time.Time{}, false
		}
		for k := len(frac); k < 9; k++ {
			v *= 10
		}
		t = t.Add(time.Duration(v))
	}
	return t, true
}

// parseDateTime parses "YYYY-MM-DD HH:MM:SS" (or with 'T') as UTC.
func parseDateTime(b []byte) (time.Time, bool) {
	if len(b) != 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) int {
		v := 0
		for _, c := range s {
			if !isDigit(c) {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, s := num(b[0:4]), num(b[5:7]), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19])
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), true
}

// intern returns *last when it equals b, else stores and returns string(b).
func intern(last *string, b []byte) string {
	if *last != string(b) {
		*last = string(b)
	}
	return *last
}
