package slowlog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/fnv"

	"github.com/DataDog/go-sqllexer"
)

// Fingerprinter turns SQL text into its class fingerprint: the pt-query-digest idea (lower case, comments
// dropped, literals → ?, IN lists → in(?+), multi-row VALUES → values(?+), LIMIT forms → limit ?, optional
// digits-in-identifier collapsing) on a real lexer, with canonical spacing so that case, whitespace,
// backtick and operator-spacing variants of one statement fall into one class. A Fingerprinter reuses its
// buffers; it is not safe for concurrent use.
type Fingerprinter struct {
	// KeepDigits keeps digits inside identifiers (sbtest1 and sbtest2 stay apart). The default collapses them
	// like pt-query-digest (sbtest?, events_?_?).
	KeepDigits bool

	// Normalized, Fallbacks, Oversize and CacheHits count statement shapes fingerprinted through
	// go-sqllexer, shapes whose go-sqllexer output lost part of their skeleton (or that it failed on) and
	// went through our lexer alone, statements longer than maxShapeLen (our lexer alone, uncached), and
	// statements whose shape was already cached.
	Normalized, Fallbacks, Oversize, CacheHits int64

	toks   []token
	toks2  []token
	masked []byte
	cache  [2]map[string]string // masked shape → fingerprint, per dialect
	out    []byte
	src    []byte
	last   int // kind of the last emitted element, see emit
}

// emitted element kinds (for spacing).
const (
	eNone   = iota
	eWord   // identifier, non-spacing keyword
	eKw     // keyword after which "(" gets a space and +/- are unary
	eLit    // ?
	eOpen   // ( [
	eClose  // ) ]
	eComma  // ,
	eDot    // . ::
	eOp     // other operators
	eSemi   // ;
	eAt     // @
	eQuoted // quoted identifier
)

// spaceKeyword reports the keywords after which "(" is preceded by a space and a sign starts a literal
// (a switch: the compiler's string search beats a map lookup on this hot path).
func spaceKeyword(w string) bool {
	switch w {
	case "as", "and", "or", "not", "on", "from", "join", "where", "exists", "select", "by", "when", "then", "else",
		"union", "all", "any", "some", "into", "using", "with", "over", "is", "like", "between", "case", "set",
		"having", "limit", "offset", "returning", "lateral", "distinct", "return", "interval", "elseif", "div",
		"mod", "regexp", "xor", "escape", "default", "do", "table", "update", "delete", "insert", "replace", "within":
		return true
	}
	return false
}

// Fingerprint returns the fingerprint of sql. The result aliases the Fingerprinter's buffer and is valid
// until the next call.
//
// The pipeline: (1) our lexer splits sql and its literals are masked (strings → ”, numbers → 0, so that
// the result is a function of the statement's shape, never of customer data); (2) go-sqllexer obfuscates
// and normalizes the masked text (MySQL or PostgreSQL rules: literals → ?, comments dropped, runs of ? in
// brackets grouped, identifiers and aliases kept); (3) a check that the normalized text still has the
// statement's skeleton (the same words, quoted identifiers and operators in the same order, each run of
// literals still a run of literals), else (4) the statement goes through our lexer alone — both paths
// end in (5), the pt-compatible pass (case folding, in(?+), values(?+), LIMIT forms, digits in
// identifiers, canonical spacing). Results are cached per masked shape (bounded), so go-sqllexer runs
// once per distinct statement shape rather than once per entry; statements whose masked text exceeds
// maxShapeLen skip go-sqllexer and the cache.
func (f *Fingerprinter) Fingerprint(sql []byte, d Dialect) []byte {
	f.out = f.out[:0]
	f.last = eNone
	sql = bytes.TrimSpace(sql)
	if bytes.HasPrefix(sql, []byte("administrator command: ")) {
		f.out = append(f.out, bytes.TrimRight(sql, "; ")...)
		return f.out
	}
	if d == MySQL && bytes.HasPrefix(sql, []byte("SELECT /*!40001 SQL_NO_CACHE */ * FROM `")) {
		return append(f.out, "mysqldump"...)
	}
	f.toks = lex(sql, d, f.toks)
	f.masked = maskLiterals(f.masked[:0], sql, f.toks, "''", "0") // the shape: strings → '', numbers → 0
	if len(f.masked) > maxShapeLen {
		// go-sqllexer's cost on a 300 kB multi-row INSERT is out of proportion; such statements are rare
		// (10 of 262,870 in the Aurora corpus) and our lexer alone handles them in linear time.
		f.Oversize++
		f.src = sql
		f.toks = f.pass(f.toks)
		return f.out
	}
	if fp, ok := f.cache[d][string(f.masked)]; ok {
		f.CacheHits++
		return append(f.out, fp...)
	}
	f.fingerprintShape(sql, d)
	if f.cache[d] == nil || len(f.cache[d]) >= maxShapes {
		f.cache[d] = make(map[string]string, 64)
	}
	f.cache[d][string(f.masked)] = string(f.out)
	return f.out
}

// Bounds of the per-Fingerprinter shape cache (and of the statements go-sqllexer sees).
const (
	maxShapeLen = 4096
	maxShapes   = 8192
)

var (
	sqlxObfuscator = sqllexer.NewObfuscator(
		sqllexer.WithReplaceDigits(false), // the pt pass does it (KeepDigits)
		sqllexer.WithReplacePositionalParameter(true),
		sqllexer.WithReplaceBoolean(true),
		sqllexer.WithReplaceNull(true),
	)
	sqlxNormalizer = sqllexer.NewNormalizer(
		sqllexer.WithKeepSQLAlias(true),
		sqllexer.WithKeepIdentifierQuotation(true),
	)
)

// sqlxNormalize runs go-sqllexer's obfuscator and normalizer over sql (a panic counts as an error).
func sqlxNormalize(sql []byte, d Dialect) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("go-sqllexer: %v", r)
		}
	}()
	dbms := sqllexer.DBMSMySQL
	if d == Postgres {
		dbms = sqllexer.DBMSPostgres
	}
	out, _, err = sqllexer.ObfuscateAndNormalize(string(sql), sqlxObfuscator, sqlxNormalizer, sqllexer.WithDBMS(dbms))
	return out, err
}

// maskLiterals appends sql to b with each string literal replaced by str and each number by num, the rest
// of the text (spacing, comments) kept as it is (toks is lex(sql)).
func maskLiterals(b, sql []byte, toks []token, str, num string) []byte {
	prev := 0
	for _, t := range toks {
		var r string
		switch t.kind {
		case tString:
			r = str
		case tNumber:
			r = num
		default:
			continue
		}
		b = append(b, sql[prev:t.start]...)
		b = append(b, r...)
		prev = int(t.end)
	}
	return append(b, sql[prev:]...)
}

// fingerprintShape renders f.masked (the masked sql, lexed into f.toks) into f.out: through go-sqllexer
// when its output keeps the statement's skeleton, else with our lexer alone.
func (f *Fingerprinter) fingerprintShape(sql []byte, d Dialect) {
	rawToks := f.toks
	if !(d == MySQL && bytes.Contains(f.masked, []byte("/*!"))) { // go-sqllexer drops versioned comments
		if n, err := sqlxNormalize(f.masked, d); err == nil {
			f.src = f.masked
			f.toks2 = lex(f.masked, d, f.toks2)
			want := f.skeleton(f.toks2)
			norm := []byte(n)
			f.toks2 = lex(norm, d, f.toks2)
			f.src = norm
			if f.skeleton(f.toks2) == want {
				f.Normalized++
				f.toks2 = f.pass(f.toks2)
				return
			}
		}
		f.Fallbacks++
	}
	f.src = sql
	f.toks = f.pass(rawToks)
}

// skeleton hashes the statement's structure in f.src: words (case-folded), quoted identifiers and operators
// in order, each maximal run of literals and commas holding a literal as one marker, a sign before a
// literal in operand position dropped (go-sqllexer folds it into the number), trailing semicolons ignored.
func (f *Fingerprinter) skeleton(toks []token) uint64 {
	for len(toks) > 0 && f.isOp(toks[len(toks)-1], ";") {
		toks = toks[:len(toks)-1]
	}
	h := fnv.New64a()
	inRun := false
	valuePrev := false // the last structural token can end an operand
	for i, t := range toks {
		if f.isLiteral(t) {
			if !inRun {
				h.Write([]byte{0, 'L'})
				inRun = true
			}
			valuePrev = true
			continue
		}
		if f.isOp(t, ",") {
			if !inRun {
				h.Write([]byte{0, ','})
			}
			valuePrev = false
			continue
		}
		if t.kind == tOp && t.end-t.start == 1 && (f.src[t.start] == '-' || f.src[t.start] == '+') && !valuePrev &&
			i+1 < len(toks) && f.isLiteral(toks[i+1]) {
			continue
		}
		inRun = false
		h.Write([]byte{0, byte(t.kind)})
		w := f.text(t)
		if t.kind == tWord {
			var lw [64]byte
			b := lw[:0]
			for _, c := range w {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				b = append(b, c)
			}
			h.Write(b)
		} else {
			h.Write(w)
		}
		valuePrev = t.kind == tWord || t.kind == tQuoted || f.isOp(t, ")") || f.isOp(t, "]")
	}
	return h.Sum64()
}

// pass is the pt-compatible pass over toks (lexed from f.src), appending to f.out.
func (f *Fingerprinter) pass(toks []token) []token {
	all := toks
	for len(toks) > 0 && f.isOp(toks[len(toks)-1], ";") {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return all
	}
	first := toks[0]
	if first.kind == tWord && f.wordIs(first, "call") && len(toks) > 1 && (toks[1].kind == tWord || toks[1].kind == tQuoted) {
		f.out = append(f.out, "call "...)
		f.appendLower(f.text(toks[1]), false)
		return all
	}
	if first.kind == tWord && f.wordIs(first, "use") && len(toks) == 2 {
		f.out = append(f.out, "use ?"...)
		return all
	}
	f.render(toks)
	return all
}

func (f *Fingerprinter) text(t token) []byte { return f.src[t.start:t.end] }

func (f *Fingerprinter) isOp(t token, op string) bool {
	return t.kind == tOp && int(t.end-t.start) == len(op) && string(f.src[t.start:t.end]) == op
}

// wordIs compares a word token case-insensitively with a lower-case ASCII keyword.
func (f *Fingerprinter) wordIs(t token, kw string) bool {
	if t.kind != tWord || int(t.end-t.start) != len(kw) {
		return false
	}
	for i := 0; i < len(kw); i++ {
		c := f.src[int(t.start)+i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

func (f *Fingerprinter) isLiteral(t token) bool {
	switch t.kind {
	case tString, tNumber, tParam:
		return true
	case tWord:
		return f.wordIs(t, "null") || f.wordIs(t, "true") || f.wordIs(t, "false")
	}
	return false
}

// matching returns the index of the token closing the bracket at toks[i] (len(toks) when unbalanced).
func (f *Fingerprinter) matching(toks []token, i int) int {
	open := f.src[toks[i].start]
	closeB := byte(')')
	if open == '[' {
		closeB = ']'
	}
	depth := 0
	for j := i; j < len(toks); j++ {
		if toks[j].kind != tOp || toks[j].end-toks[j].start != 1 {
			continue
		}
		switch f.src[toks[j].start] {
		case open:
			depth++
		case closeB:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// literalList reports whether toks[i+1:j] (inside brackets) holds only literals, commas, signs and nested
// bracketed literal tuples.
func (f *Fingerprinter) literalList(toks []token, i, j int) bool {
	if j >= len(toks) {
		return false
	}
	for k := i + 1; k < j; k++ {
		t := toks[k]
		if f.isLiteral(t) {
			continue
		}
		if t.kind == tOp && t.end-t.start == 1 {
			switch f.src[t.start] {
			case ',', '(', ')', '-', '+':
				continue
			}
		}
		return false
	}
	return true
}

func (f *Fingerprinter) render(toks []token) {
	skipTuplesAfter := -1 // after this index, drop ", ( ... )" VALUES tuples
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i == skipTuplesAfter+1 && skipTuplesAfter >= 0 {
			for i+1 < len(toks) && f.isOp(toks[i], ",") && f.isOp(toks[i+1], "(") {
				i = f.matching(toks, i+1) + 1
			}
			skipTuplesAfter = -1
			if i >= len(toks) {
				return
			}
			t = toks[i]
		}
		switch t.kind {
		case tString, tNumber, tParam:
			f.emitLit()
		case tQuoted:
			f.emitQuoted(t)
		case tWord:
			switch {
			case f.wordIs(t, "null") || f.wordIs(t, "true") || f.wordIs(t, "false"):
				f.emitLit()
			case (f.wordIs(t, "in") || f.wordIs(t, "values") || f.wordIs(t, "value")) && i+1 < len(toks) && f.isOp(toks[i+1], "("):
				isIn := f.wordIs(t, "in")
				j := f.matching(toks, i+1)
				if f.literalList(toks, i+1, j) {
					if isIn {
						f.emit(eWord, "in(?+)")
						f.last = eClose
					} else {
						f.emit(eWord, "values(?+)")
						f.last = eClose
						skipTuplesAfter = j
					}
					i = j
					if !isIn {
						// drop the following tuples right away
						for i+2 < len(toks) && f.isOp(toks[i+1], ",") && f.isOp(toks[i+2], "(") {
							i = f.matching(toks, i+2)
						}
						skipTuplesAfter = -1
					}
					continue
				}
				if isIn {
					f.emit(eWord, "in")
				} else {
					f.emit(eWord, "values")
					skipTuplesAfter = j
				}
			case f.wordIs(t, "limit"):
				f.emit(eKw, "limit")
				// limit ?, ? | limit ? offset ?  → limit ?
				if i+1 < len(toks) && f.isLiteral(toks[i+1]) {
					f.emitLit()
					i++
					if i+2 < len(toks) && (f.isOp(toks[i+1], ",") || f.wordIs(toks[i+1], "offset")) && f.isLiteral(toks[i+2]) {
						i += 2
					}
				}
			default:
				f.emitWord(t)
			}
		case tOp:
			op := f.text(t)
			if len(op) == 1 && (op[0] == '-' || op[0] == '+') && i+1 < len(toks) && (toks[i+1].kind == tNumber || toks[i+1].kind == tParam && f.src[toks[i+1].start] == '?') && f.unaryContext() {
				f.emitLit()
				i++
				continue
			}
			if len(op) == 1 && (op[0] == '(' || op[0] == '[') {
				j := f.matching(toks, i)
				if op[0] == '[' && f.literalList(toks, i, j) && j > i+1 {
					f.space(eOpen, true)
					f.out = append(f.out, "[?+]"...)
					f.last = eClose
					i = j
					continue
				}
			}
			f.emitOp(op)
		}
	}
}

func (f *Fingerprinter) unaryContext() bool {
	switch f.last {
	case eNone, eKw, eOpen, eComma, eOp, eDot, eSemi:
		return true
	}
	return false
}

// space writes the separator before an element of kind k.
func (f *Fingerprinter) space(k int, open bool) {
	switch f.last {
	case eNone, eOpen, eDot, eAt:
		return
	}
	switch k {
	case eClose, eComma, eDot, eSemi:
		return
	}
	if open {
		// "(" after a function name or quoted identifier: no space; after keywords, operators, ")": space
		switch f.last {
		case eWord, eQuoted:
			return
		}
	}
	f.out = append(f.out, ' ')
}

func (f *Fingerprinter) emit(k int, s string) {
	f.space(k, false)
	f.out = append(f.out, s...)
	f.last = k
}

func (f *Fingerprinter) emitLit() {
	f.space(eLit, false)
	f.out = append(f.out, '?')
	f.last = eLit
}

func (f *Fingerprinter) emitOp(op []byte) {
	k := eOp
	open := false
	if len(op) == 1 {
		switch op[0] {
		case '(', '[':
			k, open = eOpen, true
		case ')', ']':
			k = eClose
		case ',':
			k = eComma
		case '.':
			k = eDot
		case ';':
			k = eSemi
		case '@':
			k = eAt
		}
	} else if string(op) == "::" {
		k = eDot
	}
	f.space(k, open)
	f.out = append(f.out, op...)
	f.last = k
}

func (f *Fingerprinter) emitWord(t token) {
	w := f.text(t)
	k := eWord
	if len(w) <= 9 {
		var buf [9]byte
		for i := range w {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if spaceKeyword(string(buf[:len(w)])) {
			k = eKw
		}
	}
	f.space(k, false)
	f.appendLower(w, !f.KeepDigits)
	f.last = k
}

func (f *Fingerprinter) emitQuoted(t token) {
	w := f.text(t)
	inner := w[1:]
	if len(inner) > 0 && inner[len(inner)-1] == w[0] {
		inner = inner[:len(inner)-1]
	}
	simple := len(inner) > 0
	for _, c := range inner {
		if !(c == '_' || c == '$' || c >= 0x80 || isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z') {
			simple = false
			break
		}
	}
	f.space(eQuoted, false)
	if simple {
		f.appendLower(inner, !f.KeepDigits)
	} else {
		f.out = append(f.out, w[0])
		f.appendLower(inner, false)
		f.out = append(f.out, w[0])
	}
	f.last = eQuoted
}

// appendLower appends w lower-cased (ASCII), replacing each run of digits with ? when collapse is set.
func (f *Fingerprinter) appendLower(w []byte, collapse bool) {
	inDigits := false
	for _, c := range w {
		if collapse && isDigit(c) {
			if !inDigits {
				f.out = append(f.out, '?')
				inDigits = true
			}
			continue
		}
		inDigits = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.out = append(f.out, c)
	}
}

// ClassID is the stable id of a fingerprint: 16 hex digits of its 64-bit FNV-1a hash.
func ClassID(fingerprint string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(fingerprint))
	var b [8]byte
	return hex.EncodeToString(h.Sum(b[:0]))
}

// Mask returns sql with every string and numeric literal replaced by ?, keeping its text otherwise (case,
// spacing, comments). Used for examples, so that literals (customer data) do not leave the database logs by
// default.
func Mask(sql []byte, d Dialect) string {
	return string(appendMask(nil, sql, d))
}

// appendMask appends the Mask form of sql to b.
func appendMask(b, sql []byte, d Dialect) []byte {
	return maskLiterals(b, sql, lex(sql, d, nil), "?", "?")
}
