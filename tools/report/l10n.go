package report

import (
	"regexp"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

// Localization of the words the check writes into a Check in English: gap explanations, section names,
// topology settings and event categories. Each function returns its input unchanged in English, and
// whatever it does not recognize unchanged in Korean too (AWS's and the database's own text is data).

// Gap codes name a gap's fix (Gap.Code): a section key (its standard fix, see tools/check), or one of these.
const (
	GapFixGrant     = "grant"      // Fix is "grant <action>[ and <action>…]"
	GapFixIAMAction = "iam-action" // Fix is AWS's "Grant the IAM action X to the role kida-mcp runs as …"
	GapFixRetry     = "retry"      // retry later
	// Section keys whose standard fix is also written outside tools/check's section list.
	GapFixHealth     = "health"
	GapFixParameters = "parameters"
)

var (
	iamActionRE = regexp.MustCompile(`^Grant the IAM action (\S+) to the role kida-mcp runs as \(see examples/iam/\), or skip this data\.$`)
	iamNameRE   = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)
	daysRE      = regexp.MustCompile(`^(\d+) days$`)
	retDaysRE   = regexp.MustCompile(`^retention (\d+) d$`)
	piOffRE     = regexp.MustCompile(`^Performance Insights is off on (\S+?)\.$`)
)

// LocalizeGap returns g with What, Why and Fix in lang: What by its section name, Fix by g.Code or by
// its known form ("grant X and Y", AWS's "Grant the IAM action X …"), Why by its known prefixes
// ("timed out after 45s", "AccessDenied on X"); the rest of Why is AWS's text and stays.
func LocalizeGap(lang string, g Gap) Gap {
	p := i18n.For(lang)
	if !p.KO() {
		return g
	}
	g.What = sectionName(p, g.What)
	g.Fix = gapFix(p, g)
	g.Why = gapWhy(p, g.Why)
	return g
}

// secKey is the catalogue key of a section name: "slow queries" → "sec.slow-queries".
func secKey(name string) string {
	return "sec." + strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "-")
}

// sectionName is a section's name (Section.Name, Gap.What) in p's language.
func sectionName(p *i18n.P, name string) string {
	if !p.KO() {
		return name
	}
	return p.TOr(secKey(name), name)
}

func gapFix(p *i18n.P, g Gap) string {
	fix := strings.TrimSpace(g.Fix)
	if m := iamActionRE.FindStringSubmatch(fix); m != nil {
		return p.T("gap.fix.iam-action", m[1])
	}
	if g.Code != "" && g.Code != GapFixGrant {
		if k := "gap.fix." + g.Code; i18n.Has(k) {
			return p.T(k)
		}
	}
	if rest, ok := strings.CutPrefix(fix, "grant "); ok {
		if acts, ok := actionList(rest); ok {
			return p.T("gap.fix.grant", strings.Join(acts, ", "))
		}
	}
	return g.Fix
}

// actionList splits "a:B and c:D, e:F" into IAM action names; ok is false when any part is not one.
func actionList(s string) ([]string, bool) {
	s = strings.ReplaceAll(s, ", and ", ", ")
	var out []string
	for _, part := range strings.Split(s, ", ") {
		for _, a := range strings.Split(part, " and ") {
			a = strings.TrimSpace(a)
			if !iamNameRE.MatchString(a) {
				return nil, false
			}
			out = append(out, a)
		}
	}
	return out, len(out) > 0
}

func gapWhy(p *i18n.P, why string) string {
	if d, ok := strings.CutPrefix(why, "timed out after "); ok && !strings.ContainsAny(d, " ;:") {
		return p.T("gap.why.timeout", d)
	}
	if a, ok := strings.CutPrefix(why, "AccessDenied on "); ok && iamNameRE.MatchString(a) {
		return p.T("gap.why.denied", a)
	}
	if m := piOffRE.FindStringSubmatch(why); m != nil {
		return p.T("gap.why.piOff", m[1])
	}
	return why
}

// settingKeys map the check's topology setting names (tools/check topologySection) to catalogue keys.
var settingKeys = map[string]string{
	"Engine": "set.engine", "Serverless v2": "set.serverless", "Log exports": "set.logExports",
	"Performance Insights": "set.pi", "Backup retention": "set.backup", "Deletion protection": "set.deletion",
	"Storage encryption": "set.encryption", "IAM authentication": "set.iamAuth", "TLS enforced": "set.tls",
	"Publicly accessible": "set.public",
}

// localizeSetting returns s with its name, and the worded parts of its value and note, in p's language.
func localizeSetting(p *i18n.P, s Setting) Setting {
	if !p.KO() {
		return s
	}
	if k, ok := settingKeys[s.Name]; ok {
		s.Name = p.T(k)
	} else if inst, ok := strings.CutPrefix(s.Name, "Slow log "); ok {
		s.Name = p.T("set.slowLog", inst)
	}
	s.Value = settingWord(p, s.Value)
	if m := daysRE.FindStringSubmatch(s.Value); m != nil {
		s.Value = p.T("set.days", m[1])
	}
	if rest, ok := strings.CutPrefix(s.Note, "missing: "); ok {
		s.Note = p.T("set.missing", settingWord(p, rest))
	} else if m := retDaysRE.FindStringSubmatch(s.Note); m != nil {
		s.Note = p.T("set.retentionDay", m[1])
	}
	return s
}

// settingWord translates a whole value that is one of the check's words: on, off, none.
func settingWord(p *i18n.P, v string) string {
	switch v {
	case "on", "off", "none":
		return p.T("set." + v)
	}
	return v
}

// eventCategory is an RDS event category in p's language.
func eventCategory(p *i18n.P, cat string) string {
	if !p.KO() {
		return cat
	}
	return p.TOr("evcat."+strings.ReplaceAll(strings.ToLower(cat), " ", "_"), cat)
}
