package perf

import (
	"strings"
)

// MaskSQL replaces the literal values of a SQL statement with "?" so that statements can be shown without
// the data they carry: quoted strings ('…', and "…" unless postgres, where double quotes delimit
// identifiers), PostgreSQL dollar-quoted strings, numbers (integers, decimals, exponents, 0x/0b literals),
// prefixed strings (X'…', B'…', N'…', E'…'). Lists of placeholders collapse ("IN (?, ?, ?)" → "IN (?+)"),
// runs of white space become one space (a newline after a -- comment). Identifiers, keywords, comments, bind placeholders (?, $1, :name)
// and quoted identifiers (`…`) are kept. The text is untrusted and never interpreted beyond this scan;
// unterminated quotes mask to the end.
func MaskSQL(sql string, postgres bool) string {
	var b strings.Builder
	b.Grow(len(sql))
	n := len(sql)
	space, newline := false, false // a white-space run is pending; it must be a newline (after a -- comment)
	emit := func(s string) {
		switch {
		case newline:
			b.WriteByte('\n')
		case space && b.Len() > 0:
			b.WriteByte(' ')
		}
		space, newline = false, false
		b.WriteString(s)
	}
	for i := 0; i < n; {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
		case c == '-' && i+1 < n && sql[i+1] == '-': // line comment: keep to end of line
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = n - i
			}
			emit(sql[i : i+j])
			newline = true // the comment ends at the line end; what follows must not join it
			i += j
		case c == '/' && i+1 < n && sql[i+1] == '*': // block comment: keep
			j := strings.Index(sql[i+2:], "*/")
			end := n
			if j >= 0 {
				end = i + 2 + j + 2
			}
			emit(sql[i:end])
			i = end
		case c == '\'':
			emit("?")
			i = skipQuoted(sql, i, '\'', !postgres)
		case c == '"' && !postgres:
			emit("?")
			i = skipQuoted(sql, i, '"', true)
		case c == '"' || c == '`': // quoted identifier
			end := skipQuoted(sql, i, c, false)
			emit(sql[i:end])
			i = end
		case c == '$' && postgres && !identBefore(sql, i):
			if end, ok := dollarQuote(sql, i); ok {
				emit("?")
				i = end
				continue
			}
			j := i + 1
			for j < n && isIdent(sql[j]) {
				j++
			}
			emit(sql[i:j])
			i = j
		case (c == 'x' || c == 'X' || c == 'b' || c == 'B' || c == 'n' || c == 'N' || c == 'e' || c == 'E') &&
			i+1 < n && sql[i+1] == '\'' && !identBefore(sql, i):
			emit("?")
			i = skipQuoted(sql, i+1, '\'', c == 'e' || c == 'E' || !postgres)
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(sql[i+1])):
			if identBefore(sql, i) { // t1.5 or $1: part of a name or placeholder
				j := i + 1
				for j < n && (isIdent(sql[j]) || sql[j] == '$') {
					j++
				}
				emit(sql[i:j])
				i = j
				continue
			}
			emit("?")
			i = skipNumber(sql, i)
		case isIdent(c):
			j := i
			for j < n && (isIdent(sql[j]) || sql[j] == '$') { // $ may continue a name
				j++
			}
			emit(sql[i:j])
			i = j
		default:
			emit(sql[i : i+1])
			i++
		}
	}
	return collapseLists(b.String())
}

// skipQuoted returns the index just past the quoted run starting at sql[i] (the opening quote q). A doubled
// quote is an escaped quote; with backslash, a backslash escapes the next byte (MySQL strings, E'…' strings).
func skipQuoted(sql string, i int, q byte, backslash bool) int {
	n := len(sql)
	for j := i + 1; j < n; j++ {
		switch sql[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < n && sql[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return n
}

// dollarQuote recognises a PostgreSQL dollar-quoted string $tag$…$tag$ at sql[i] and returns the index just
// past it.
func dollarQuote(sql string, i int) (int, bool) {
	n := len(sql)
	j := i + 1
	for j < n && (isLetter(sql[j]) || sql[j] == '_' || (j > i+1 && isDigit(sql[j]))) {
		j++
	}
	if j >= n || sql[j] != '$' {
		return 0, false
	}
	tag := sql[i : j+1]
	k := strings.Index(sql[j+1:], tag)
	if k < 0 {
		return n, true
	}
	return j + 1 + k + len(tag), true
}

// skipNumber returns the index past the number at sql[i]. Letters, digits, dots and underscores glued to it
// belong to the same token ("0x1F", "1.5e3", "3rd"), so masking never leaves half a number behind.
func skipNumber(sql string, i int) int {
	j := numberEnd(sql, i)
	for j < len(sql) && (isIdent(sql[j]) || sql[j] == '.' || sql[j] == '$') {
		j++
	}
	return j
}

func numberEnd(sql string, i int) int {
	n := len(sql)
	if sql[i] == '0' && i+1 < n && (sql[i+1] == 'x' || sql[i+1] == 'X' || sql[i+1] == 'b' || sql[i+1] == 'B') {
		j := i + 2
		for j < n && isHex(sql[j]) {
			j++
		}
		return j
	}
	j := i
	for j < n && isDigit(sql[j]) {
		j++
	}
	if j < n && sql[j] == '.' {
		j++
		for j < n && isDigit(sql[j]) {
			j++
		}
	}
	if j < n && (sql[j] == 'e' || sql[j] == 'E') {
		k := j + 1
		if k < n && (sql[k] == '+' || sql[k] == '-') {
			k++
		}
		if k < n && isDigit(sql[k]) {
			for k < n && isDigit(sql[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// identBefore reports whether sql[i] continues an identifier or placeholder (t1, $1, :p1, a.b1).
func identBefore(sql string, i int) bool {
	if i == 0 {
		return false
	}
	p := sql[i-1]
	return isIdent(p) || p == '$' || p == ':' || p == '@' || p == '?'
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 }
func isIdent(c byte) bool  { return isLetter(c) || isDigit(c) || c == '_' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// collapseLists turns "(?, ?, ?)" into "(?+)" (any parenthesised list of two or more placeholders).
func collapseLists(s string) string {
	if !strings.Contains(s, "?,") && !strings.Contains(s, "? ,") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '(' {
			if end, count := placeholderList(s, i); count >= 2 {
				b.WriteString("(?+)")
				i = end
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// placeholderList scans "(" ? ("," ?)* ")" at s[i] and returns the index past ")" and the number of
// placeholders (0 when it is not such a list).
func placeholderList(s string, i int) (int, int) {
	count := 0
	want := true // expecting a placeholder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case ' ':
		case '?':
			if !want {
				return 0, 0
			}
			count++
			want = false
		case ',':
			if want {
				return 0, 0
			}
			want = true
		case ')':
			if want {
				return 0, 0
			}
			return j + 1, count
		default:
			return 0, 0
		}
	}
	return 0, 0
}
