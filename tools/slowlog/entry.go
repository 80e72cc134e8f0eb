package slowlog

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// Kind says what an entry measured. MySQL entries and PostgreSQL statement/execute durations are
// KindQuery; PostgreSQL extended-protocol parse and bind steps are reported apart.
type Kind uint8

// Entry kinds.
const (
	KindQuery Kind = iota
	KindParse
	KindBind
)

// Entry is one slow-log entry: one statement execution as the server logged it. SQL aliases parser
// buffers and is only valid during the callback that receives the entry.
type Entry struct {
	Time     time.Time // when it was logged (≈ statement end); zero when the log does not say
	Start    time.Time // statement start (MySQL SET timestamp, second resolution) when known
	Instance string    // DB instance (CloudWatch stream) or source file
	DB       string
	User     string
	Host     string
	ThreadID int64

	QueryUS      int64 // query time, µs
	LockUS       int64 // lock time, µs (MySQL)
	RowsSent     int64
	RowsExamined int64
	RowsAffected int64
	HasRows      bool // the log reported rows sent/examined
	Kind         Kind
	Dialect      Dialect
	SQL          []byte
	Truncated    bool // the text was cut (CloudWatch event without its continuation, download marker)
	AdminCommand bool // "# administrator command: X" (no SQL text)
}

// lineReader returns lines without their newline from any io.Reader, with no line-length cap. A returned
// line is valid until the next call.
type lineReader struct {
	r   io.Reader
	buf []byte
	pos int // start of unread data in buf
	end int // end of data in buf
	eof bool
	err error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, 1<<20)}
}

// next returns the next line; ok=false at the end of input (err reports a read error other than EOF).
func (l *lineReader) next() (line []byte, ok bool) {
	for {
		if i := bytes.IndexByte(l.buf[l.pos:l.end], '\n'); i >= 0 {
			line = l.buf[l.pos : l.pos+i]
			l.pos += i + 1
			return line, true
		}
		if l.eof {
			if l.pos < l.end {
				line = l.buf[l.pos:l.end]
				l.pos = l.end
				return line, true
			}
			return nil, false
		}
		// move the partial line to the front, growing the buffer when the line fills it
		if l.pos > 0 {
			n := copy(l.buf, l.buf[l.pos:l.end])
			l.pos, l.end = 0, n
		}
		if l.end == len(l.buf) {
			nb := make([]byte, 2*len(l.buf))
			copy(nb, l.buf[:l.end])
			l.buf = nb
		}
		n, err := l.r.Read(l.buf[l.end:])
		l.end += n
		if err != nil {
			l.eof = true
			if !errors.Is(err, io.EOF) {
				l.err = err
			}
		}
	}
}

// parseMicros parses a decimal number of seconds ("0.106807", "12", "1.5e-3" is not expected) into
// microseconds exactly (digits beyond the sixth decimal are truncated).
func parseMicros(b []byte) (int64, bool) {
	var whole, frac int64
	i := 0
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(b) && isDigit(b[i]) {
		whole = whole*10 + int64(b[i]-'0')
		i++
	}
	digits := 0
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigit(b[i]) {
			if digits < 6 {
				frac = frac*10 + int64(b[i]-'0')
				digits++
			}
			i++
		}
	}
	if i == start {
		return 0, false
	}
	for ; digits < 6; digits++ {
		frac *= 10
	}
	v := whole*1_000_000 + frac
	if neg {
		v = -v
	}
	return v, true
}

func parseInt(b []byte) (int64, bool) {
	var v int64
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if !isDigit(c) {
			return v, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// parseMillisToMicros parses "3.367" (ms) into µs.
func parseMillisToMicros(b []byte) (int64, bool) {
	// ms with up to 3 decimals → µs: shift the decimal point by 3.
	us, ok := parseMicros(b) // value×1e6 as if seconds
	if !ok {
		return 0, false
	}
	return us / 1000, true
}
