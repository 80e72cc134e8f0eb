// Package i18n is the message catalogue for what people read directly — the HTML report, the email, the
// Slack messages and the CLI summaries — in English and Korean. Tool results stay in English: models read
// English best and agents translate when asked.
//
// Messages are golang.org/x/text/message catalogue entries keyed by a stable id ("tab.summary"); English
// counts use x/text plural selection, numbers are grouped per locale by the message printer, and durations
// and dates are written in words per language. A test fails when a key lacks either language.
package i18n

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

// Languages.
const (
	EN = "en"
	KO = "ko"
)

// Langs lists the supported languages, default first.
var Langs = []string{EN, KO}

// Parse normalizes a language name: "" → en; en, ko (any case, also "ko-KR", "en-US", "korean") → the code.
func Parse(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch {
	case v == "" || v == "en" || strings.HasPrefix(v, "en-") || strings.HasPrefix(v, "en_") || v == "english":
		return EN, nil
	case v == "ko" || strings.HasPrefix(v, "ko-") || strings.HasPrefix(v, "ko_") || v == "korean" || v == "한국어":
		return KO, nil
	}
	return "", fmt.Errorf("unknown language %q: use en or ko", s)
}

// Norm is Parse without the error: anything unknown is English.
func Norm(s string) string {
	l, err := Parse(s)
	if err != nil {
		return EN
	}
	return l
}

var tags = map[string]language.Tag{EN: language.English, KO: language.Korean}

// cat and printers are built on first use, not at start-up (the server's cold start does not pay for them).
var cat = sync.OnceValue(func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, e := range messages {
		if e.one != "" {
			must(b.Set(language.English, k, plural.Selectf(e.arg, "", "=1", e.one, "other", e.en)))
		} else {
			must(b.SetString(language.English, k, e.en))
		}
		must(b.SetString(language.Korean, k, e.ko))
	}
	return b
})

func must(err error) {
	if err != nil {
		panic("i18n: " + err.Error())
	}
}

// P prints messages of one language.
type P struct {
	Lang string
	p    *message.Printer
}

var printers = sync.OnceValue(func() map[string]*P {
	m := map[string]*P{}
	for _, l := range Langs {
		m[l] = &P{Lang: l, p: message.NewPrinter(tags[l], message.Catalog(cat()))}
	}
	return m
})

// For returns the printer of lang (unknown → English).
func For(lang string) *P { return printers()[Norm(lang)] }

// KO reports whether p prints Korean.
func (p *P) KO() bool { return p.Lang == KO }

// T formats the message key with args. A key missing from the catalogue prints as itself (the test makes
// sure none is).
func (p *P) T(key string, args ...any) string {
	if _, ok := messages[key]; !ok {
		return key
	}
	return p.p.Sprintf(key, args...)
}

// Has reports whether key is in the catalogue.
func Has(key string) bool { _, ok := messages[key]; return ok }

// TOr is T for dynamic keys (metric names, severities) with a fallback when the key is not catalogued.
func (p *P) TOr(key, fallback string, args ...any) string {
	if !Has(key) {
		return fallback
	}
	return p.T(key, args...)
}

// Int formats a count with the locale's grouping: 12,345.
func (p *P) Int(n int64) string { return p.p.Sprintf("%d", n) }

// Num formats a number with the locale's grouping and at most prec decimals.
func (p *P) Num(v float64, prec int) string {
	return p.p.Sprint(number.Decimal(v, number.MaxFractionDigits(prec)))
}

// Duration writes d in words, to the minute: "5 days 3 hours", "1 hour 30 minutes" / "5일 3시간", "1시간 30분".
func (p *P) Duration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days := int64(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h := int64(d / time.Hour)
	m := int64((d - time.Duration(h)*time.Hour) / time.Minute)
	var parts []string
	for _, u := range []struct {
		n   int64
		key string
	}{{days, "dur.days"}, {h, "dur.hours"}, {m, "dur.minutes"}} {
		if u.n > 0 {
			parts = append(parts, p.T(u.key, u.n))
		}
	}
	if len(parts) == 0 {
		return p.T("dur.minutes", 0)
	}
	return strings.Join(parts, " ")
}

var koWeekdays = []string{"일", "월", "화", "수", "목", "금", "토"}

// Date formats t's calendar day in loc: "Sun, 22 Nov 2026" / "2026년 11월 22일 (일)".
func (p *P) Date(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	if p.KO() {
		return fmt.Sprintf("%d년 %d월 %d일 (%s)", l.Year(), int(l.Month()), l.Day(), koWeekdays[l.Weekday()])
	}
	return l.Format("Mon, 2 Jan 2006")
}

// Stamp formats a moment in loc with its zone: "2026-11-22 15:00 KST" / "2026년 11월 22일 (일) 15:00 KST".
func (p *P) Stamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	if p.KO() {
		return p.Date(t, loc) + " " + l.Format("15:04 MST")
	}
	return l.Format("2006-01-02 15:04 MST")
}

// Keys lists every catalogue key (for tests).
func Keys() []string {
	out := make([]string, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	return out
}

// Entry returns the raw English (other, one) and Korean texts of key (for tests).
func Entry(key string) (en, enOne, ko string, ok bool) {
	e, ok := messages[key]
	return e.en, e.one, e.ko, ok
}
