package slowlog

import "bytes"

// Dialect selects the lexical rules of SQL text: MySQL (backslash escapes, "strings", `identifiers`, # and
// "-- " comments, /*! versioned comments */) or PostgreSQL ("identifiers", $n parameters, $tag$ quoting,
// E'escapes', -- comments, :: casts).
type Dialect uint8

// Dialects.
const (
	MySQL Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgresql"
	}
	return "mysql"
}

type tokKind uint8

const (
	tWord   tokKind = iota + 1 // identifier or keyword
	tQuoted                    // quoted identifier (`x` in MySQL, "x" in PostgreSQL)
	tString                    // string literal (incl. X'..', b'..', E'..', $$..$$, _charset'..')
	tNumber                    // numeric literal
	tParam                     // ?, $1
	tOp                        // operator or punctuation
)

type token struct {
	kind       tokKind
	start, end int32
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte, d Dialect) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c >= 0x80:
		return true
	case c == '$':
		return true // MySQL identifiers and non-leading PostgreSQL identifier chars
	}
	return false
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// multi-character operators, longest first.
var ops3 = []string{"<=>", "->>", "#>>", "!~*"}
var ops2 = []string{"<=", ">=", "<>", "!=", "||", "&&", "<<", ">>", "::", ":=", "->", "#>", "@>", "<@", "~*", "!~"}

// lex splits sql into tokens, skipping whitespace and comments. It never fails: unterminated strings and
// comments run to the end, bytes that are not valid UTF-8 are treated as identifier bytes.
func lex(sql []byte, d Dialect, toks []token) []token {
	toks = toks[:0]
	n := len(sql)
	versioned := 0 // open /*! ... */ comments whose content is SQL
	i := 0
	for i < n {
		c := sql[i]
		switch {
		case isSpace(c):
			i++
			continue
		case c == '/' && i+1 < n && sql[i+1] == '*':
			if d == MySQL && i+2 < n && sql[i+2] == '!' {
				i += 3
				for i < n && isDigit(sql[i]) {
					i++
				}
				versioned++
				continue
			}
			i = skipBlockComment(sql, i+2)
			continue
		case c == '*' && versioned > 0 && i+1 < n && sql[i+1] == '/':
			versioned--
			i += 2
			continue
		case c == '#' && d == MySQL:
			i = skipLine(sql, i)
			continue
		case c == '-' && i+1 < n && sql[i+1] == '-' && (d == Postgres || i+2 >= n || sql[i+2] <= ' '):
			i = skipLine(sql, i)
			continue
		case c == '\'':
			end := skipString(sql, i+1, '\'', d == MySQL)
			toks = append(toks, token{tString, int32(i), int32(end)})
			i = end
			continue
		case c == '"':
			end := skipString(sql, i+1, '"', d == MySQL)
			k := tString
			if d == Postgres {
				k = tQuoted
			}
			toks = append(toks, token{k, int32(i), int32(end)})
			i = end
			continue
		case c == '`' && d == MySQL:
			end := skipString(sql, i+1, '`', false)
			toks = append(toks, token{tQuoted, int32(i), int32(end)})
			i = end
			continue
		case c == '$' && d == Postgres:
			if i+1 < n && isDigit(sql[i+1]) {
				j := i + 1
				for j < n && isDigit(sql[j]) {
					j++
				}
				toks = append(toks, token{tParam, int32(i), int32(j)})
				i = j
				continue
			}
			if end, ok := skipDollar(sql, i); ok {
				toks = append(toks, token{tString, int32(i), int32(end)})
				i = end
				continue
			}
			toks = append(toks, token{tOp, int32(i), int32(i + 1)})
			i++
			continue
		case c == '?':
			toks = append(toks, token{tParam, int32(i), int32(i + 1)})
			i++
			continue
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(sql[i+1])):
			j := skipNumber(sql, i)
			if j < n && isWordByte(sql[j], d) && sql[j] != '$' {
				// 1abc, 2fa_tokens: an identifier starting with digits (MySQL allows them)
				for j < n && isWordByte(sql[j], d) {
					j++
				}
				toks = append(toks, token{tWord, int32(i), int32(j)})
			} else {
				toks = append(toks, token{tNumber, int32(i), int32(j)})
			}
			i = j
			continue
		case isWordByte(c, d) || c == '@':
			j := i + 1
			if c == '@' && j < n && sql[j] == '@' {
				j++
			}
			for j < n && isWordByte(sql[j], d) {
				j++
			}
			// X'..', B'..', N'..', E'..', _utf8mb4'..': a prefixed string literal is one literal.
			if j < n && sql[j] == '\'' && prefixedString(sql[i:j], d) {
				end := skipString(sql, j+1, '\'', d == MySQL || (sql[i]|0x20) == 'e')
				toks = append(toks, token{tString, int32(i), int32(end)})
				i = end
				continue
			}
			if c == '@' && j == i+1 {
				toks = append(toks, token{tOp, int32(i), int32(j)})
			} else {
				toks = append(toks, token{tWord, int32(i), int32(j)})
			}
			i = j
			continue
		}
		// operators and punctuation
		l := 1
		switch c {
		case '<', '>', '!', '|', '&', ':', '-', '#', '@', '~':
			for _, op := range ops3 {
				if hasPrefixAt(sql, i, op) {
					l = 3
					break
				}
			}
			if l == 1 {
				for _, op := range ops2 {
					if hasPrefixAt(sql, i, op) {
						l = 2
						break
					}
				}
			}
		}
		toks = append(toks, token{tOp, int32(i), int32(i + l)})
		i += l
	}
	return toks
}

func hasPrefixAt(b []byte, i int, s string) bool {
	if len(b)-i < len(s) {
		return false
	}
	for k := 0; k < len(s); k++ {
		if b[i+k] != s[k] {
			return false
		}
	}
	return true
}

func prefixedString(w []byte, d Dialect) bool {
	if len(w) == 1 {
		switch w[0] | 0x20 {
		case 'x', 'b', 'n':
			return true
		case 'e', 'u':
			return d == Postgres
		}
		return false
	}
	return d == MySQL && w[0] == '_' // charset introducer
}

func skipBlockComment(b []byte, i int) int {
	for i+1 < len(b) {
		if b[i] == '*' && b[i+1] == '/' {
			return i + 2
		}
		i++
	}
	return len(b)
}

func skipLine(b []byte, i int) int {
	for i < len(b) && b[i] != '\n' {
		i++
	}
	return i
}

// skipString returns the index after the closing quote q (doubled quotes stay inside; a backslash escapes
// the next byte when esc is set), or len(b) when the string is not closed.
func skipString(b []byte, i int, q byte, esc bool) int {
	for i < len(b) {
		c := b[i]
		switch {
		case esc && c == '\\':
			i += 2
			continue
		case c == q:
			if i+1 < len(b) && b[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(b)
}

// skipDollar skips a PostgreSQL dollar-quoted string starting at b[i] == '$'.
func skipDollar(b []byte, i int) (int, bool) {
	j := i + 1
	for j < len(b) && b[j] != '$' {
		c := b[j]
		if !(c == '_' || c >= 0x80 || (c|0x20) >= 'a' && (c|0x20) <= 'z' || (j > i+1 && isDigit(c))) {
			return 0, false
		}
		j++
	}
	if j >= len(b) {
		return 0, false
	}
	tag := b[i : j+1]
	k := j + 1
	for k+len(tag) <= len(b) {
		if b[k] == '$' && hasPrefixAt(b, k, string(tag)) {
			return k + len(tag), true
		}
		k++
	}
	return len(b), true
}

func skipNumber(b []byte, i int) int {
	n := len(b)
	if b[i] == '0' && i+2 < n && (b[i+1]|0x20) == 'x' && isHex(b[i+2]) {
		j := i + 2
		for j < n && isHex(b[j]) {
			j++
		}
		return j
	}
	if b[i] == '0' && i+2 < n && (b[i+1]|0x20) == 'b' && (b[i+2] == '0' || b[i+2] == '1') {
		j := i + 2
		for j < n && (b[j] == '0' || b[j] == '1') {
			j++
		}
		return j
	}
	j := i
	for j < n && isDigit(b[j]) {
		j++
	}
	if j < n && b[j] == '.' {
		j++
		for j < n && isDigit(b[j]) {
			j++
		}
	}
	if j < n && (b[j]|0x20) == 'e' {
		k := j + 1
		if k < n && (b[k] == '+' || b[k] == '-') {
			k++
		}
		if k < n && isDigit(b[k]) {
			for k < n && isDigit(b[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// lexState tracks, line by line, whether MySQL SQL text is inside a string, quoted identifier or block
// comment. The MySQL slow-log parser uses it to veto entry boundaries inside literals.
type lexState struct {
	quote   byte // ' " ` or 0
	comment bool // inside /* */
	escape  bool // previous byte was a backslash inside a string
}

// closed reports whether the text so far ends outside any literal or comment.
func (s *lexState) closed() bool { return s.quote == 0 && !s.comment }

// feed advances the state over one line (without its newline). Line comments end with the line.
func (s *lexState) feed(b []byte) {
	n := len(b)
	i := 0
	for i < n {
		if s.comment {
			k := bytes.Index(b[i:], []byte("*/"))
			if k < 0 {
				return
			}
			s.comment = false
			i += k + 2
			continue
		}
		if s.quote != 0 {
			if s.escape {
				s.escape = false
				i++
				continue
			}
			var k int
			if s.quote == '`' {
				k = bytes.IndexByte(b[i:], '`')
			} else {
				k = indexQuoteOrBackslash(b[i:], s.quote)
			}
			if k < 0 {
				return // a backslash cannot be pending: the scan stopped at none
			}
			i += k
			if b[i] == '\\' {
				s.escape = true
				i++
				continue
			}
			s.quote = 0 // a doubled quote reopens on the next byte
			i++
			continue
		}
		k := indexSpecial(b[i:])
		if k < 0 {
			return
		}
		i += k
		c := b[i]
		switch c {
		case '\'', '"', '`':
			s.quote = c
		case '#':
			return
		case '-':
			if i+1 < n && b[i+1] == '-' && (i+2 >= n || b[i+2] <= ' ') {
				return
			}
		case '/':
			if i+1 < n && b[i+1] == '*' && !(i+2 < n && b[i+2] == '!') {
				s.comment = true
				i++
			}
		}
		i++
	}
	// a backslash at the end of a line escapes the newline
	s.escape = false
}

// special bytes for lexState outside literals.
var specialByte = [256]bool{'\'': true, '"': true, '`': true, '#': true, '-': true, '/': true}

func indexSpecial(b []byte) int {
	for i, c := range b {
		if specialByte[c] {
			return i
		}
	}
	return -1
}

func indexQuoteOrBackslash(b []byte, q byte) int {
	for i, c := range b {
		if c == q || c == '\\' {
			return i
		}
	}
	return -1
}
