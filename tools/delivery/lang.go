package delivery

import (
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// Messages people read (the email, Slack) are written in Deps.Lang: en (default) or ko. Tool results stay
// English.

// TallyIn is Tally.String in p's language ("3 clusters: 1 critical, 1 healthy" / "클러스터 3개: 심각 1, 정상 1").
func (t Tally) In(p *i18n.P) string {
	var parts []string
	add := func(n int, key string) {
		if n > 0 {
			parts = append(parts, p.T(key, n))
		}
	}
	add(t.Critical, "tally.critical")
	add(t.Warning, "tally.warning")
	add(t.Incomplete, "tally.incomplete")
	add(t.Healthy, "tally.healthy")
	add(t.Failed, "tally.failed")
	head := p.T("tally.clusters", t.Total)
	if len(parts) == 0 {
		return head
	}
	return head + ": " + strings.Join(parts, ", ")
}

// worstIn is Tally.Worst in p's language.
func (t Tally) worstIn(p *i18n.P) string {
	w := t.Worst()
	return p.TOr("verdict."+w, w)
}

// SubjectLang is the email subject: English "[kida] 2026-11-22 — CRITICAL: 3 clusters: …", Korean
// "[KIDA] 일일 점검 보고서 — 20261122" (the subject Korean users' scripts send today).
func SubjectLang(rows []Row, date, lang string) string {
	p := i18n.For(lang)
	if p.KO() {
		return p.T("mail.subject", strings.ReplaceAll(date, "-", ""), "")
	}
	t := Count(rows)
	return p.T("mail.subject", date, t.Worst()+": "+t.String())
}

// verdictLabel is verdictStyle with the label in p's language.
func verdictLabel(p *i18n.P, v string) (string, string) {
	label, color := verdictStyle(v)
	if p.KO() {
		label = p.TOr("verdict."+label, label)
	}
	return label, color
}

// lineIn is Top.Line with the finding's title in p's language.
func (t Top) lineIn(p *i18n.P) string {
	if !p.KO() {
		return t.Line()
	}
	title, _ := i18n.Finding(p.Lang, t.code, t.Title, "")
	s := title
	if t.Resource != "" {
		s += " (" + t.Resource + ")"
	}
	if t.LikelyCause != "" {
		s += p.T("mail.likely", t.LikelyCause)
	}
	return oneLine(s)
}

// linkNoteIn is a link's lifetime in words in p's language.
func linkNoteIn(p *i18n.P, l *Link, loc *time.Location) string {
	if !p.KO() {
		return l.Note
	}
	return p.T("mail.linkNote", p.Duration(time.Duration(l.ExpiresInS)*time.Second), p.Stamp(l.ExpiresAt, loc))
}

// expiryNoteIn is expiryNote in p's language: the shortest link's lifetime and why.
func expiryNoteIn(p *i18n.P, rows []Row, loc *time.Location) string {
	if !p.KO() {
		return expiryNote(rows)
	}
	var best *Link
	for _, r := range rows {
		if r.Link != nil && (best == nil || r.Link.ExpiresAt.Before(best.ExpiresAt)) {
			best = r.Link
		}
	}
	if best == nil {
		return ""
	}
	d, at := p.Duration(time.Duration(best.ExpiresInS)*time.Second), p.Stamp(best.ExpiresAt, loc)
	switch best.LimitedBy {
	case LimitCredentials:
		return p.T("mail.expiryCred", d, at, p.Duration(MaxExpiry))
	case LimitMax7d:
		return p.T("mail.expiry7d", d, at)
	}
	return p.T("mail.expiry", d, at)
}
