package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCatalogueComplete fails when a key lacks English or Korean, or when the two disagree on their
// arguments (a Korean text that drops or adds a %d would print garbage).
func TestCatalogueComplete(t *testing.T) {
	for _, k := range Keys() {
		en, one, ko, _ := Entry(k)
		if strings.TrimSpace(en) == "" || strings.TrimSpace(ko) == "" {
			t.Errorf("%s: missing text (en=%q ko=%q)", k, en, ko)
			continue
		}
		if a, b := verbs(en), verbs(ko); a != b {
			t.Errorf("%s: English uses %q, Korean %q", k, a, b)
		}
		if one != "" && verbs(one) != verbs(en) && !strings.Contains(verbs(en), verbs(one)) {
			t.Errorf("%s: singular %q and plural %q disagree", k, one, en)
		}
	}
}

// verbs lists the formatting verbs of s, sorted, e.g. "%[1]s %[2]d".
func verbs(s string) string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("[]0123456789.+-#", s[j]) >= 0 {
			j++
		}
		if j < len(s) {
			if s[j] != '%' {
				out = append(out, s[i:j+1])
			}
			i = j
		}
	}
	// positional and plain verbs: normalize to the verb letters in argument order
	norm := make([]string, len(out))
	copy(norm, out)
	sortStrings(norm)
	return strings.Join(norm, " ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestFormatting(t *testing.T) {
	en, ko := For(EN), For(KO)
	if got := en.T("tally.clusters", 1); got != "1 cluster" {
		t.Errorf("en singular: %q", got)
	}
	if got := en.T("tally.clusters", 1234); got != "1,234 clusters" {
		t.Errorf("en plural with grouping: %q", got)
	}
	if got := ko.T("tally.clusters", 1234); got != "클러스터 1,234개" {
		t.Errorf("ko: %q", got)
	}
	if got := en.Duration(7 * 24 * time.Hour); got != "7 days" {
		t.Errorf("en duration: %q", got)
	}
	if got := ko.Duration(25*time.Hour + 30*time.Minute); got != "1일 1시간 30분" {
		t.Errorf("ko duration: %q", got)
	}
	if got := en.Duration(61 * time.Minute); got != "1 hour 1 minute" {
		t.Errorf("en duration: %q", got)
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	if got := ko.Stamp(at, seoul); got != "2026년 11월 22일 (일) 00:00 KST" {
		t.Errorf("ko stamp: %q", got)
	}
	if got := en.Stamp(at, seoul); got != "2026-11-22 00:00 KST" {
		t.Errorf("en stamp: %q", got)
	}
	if got := en.Num(12345.678, 1); got != "12,345.7" {
		t.Errorf("en num: %q", got)
	}
	if got := en.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
	for _, s := range []string{"", "EN", "en-US"} {
		if l, err := Parse(s); err != nil || l != EN {
			t.Errorf("Parse(%q) = %q, %v", s, l, err)
		}
	}
	if l, err := Parse("ko-KR"); err != nil || l != KO {
		t.Errorf("Parse(ko-KR) = %q, %v", l, err)
	}
	if _, err := Parse("fr"); err == nil {
		t.Error("Parse(fr) should fail")
	}
}

// TestFindingCodesCovered scans the check engine and the families for every finding code they can emit
// and fails when one has no Korean title and action.
func TestFindingCodesCovered(t *testing.T) {
	root := filepath.Join("..")
	pats := []*regexp.Regexp{
		regexp.MustCompile(`Code:\s*"([a-z0-9_\-]+)"`),                                   // Finding{Code: "x"}
		regexp.MustCompile(`add\(tools\.Severity\w+,\s*"([a-z0-9_]+)"`),                  // posture add(sev, "x", …)
		regexp.MustCompile(`code, title, action = tools\.Severity\w+,\s*"([a-z0-9_]+)"`), // event groups
	}
	classRe := regexp.MustCompile(`Class\w+\s*=\s*"([a-z_]+)"`)
	codes := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "demo" || d.Name() == "i18n") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range pats {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				codes[m[1]] = p
			}
		}
		if strings.HasSuffix(filepath.ToSlash(p), "errorlog/summary.go") {
			for _, m := range classRe.FindAllStringSubmatch(string(b), -1) {
				codes["errorlog_"+m[1]] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) < 30 {
		t.Fatalf("found only %d codes; the scan is broken", len(codes))
	}
	for code, file := range codes {
		if code == "errorlog_other" || strings.HasSuffix(code, "_") { // "errorlog_" + class: classes are scanned separately; // errorlog_other is never a finding
			continue
		}
		r, ok := findings[code]
		if !ok || len(r.title) == 0 || len(r.action) == 0 {
			t.Errorf("finding code %q (%s) has no Korean title and action in tools/i18n/findings.go", code, file)
		}
	}
	hangul := regexp.MustCompile(`\p{Hangul}`)
	for code, r := range findings {
		for _, x := range append(append([]rule{}, r.title...), r.action...) {
			if !hangul.MatchString(x.ko) {
				t.Errorf("%s: %q is not Korean", code, x.ko)
			}
		}
	}
}

func TestFindingTranslation(t *testing.T) {
	for _, c := range []struct{ code, title, action, wantT, wantA string }{
		{"cpu_high", "CPU storm on the reader", "x", "리더 CPU 급증", "그 시간에 실행된 문장(느린 쿼리, 상위 SQL)을 찾아 튜닝하거나 제한하세요. 정상적인 부하라면 스케일 업하세요."},
		{"alarm_firing", "Alarm in ALARM: orders-cpu", "", "ALARM 상태인 경보: orders-cpu", ""},
		{"db_load_above_vcpu", "Database load peaked at 12.5 AAS on 8 vCPUs", "", "데이터베이스 부하가 vCPU 8개에 최대 12.5 AAS까지 상승", ""},
		{"tls_not_enforced", "TLS is not enforced", "Set rds.force_ssl to 1/ON in the parameter group once clients use TLS.", "TLS가 강제되지 않습니다", "클라이언트가 TLS를 사용하게 되면 파라미터 그룹에서 rds.force_ssl을(를) 1/ON으로 설정하세요."},
		{"unknown_code", "Something", "Do it", "Something", "Do it"},
		{"rds_recommendation", "RDS recommends: upgrade", "Custom AWS text.", "RDS 권장 사항: upgrade", "Custom AWS text."},
	} {
		gt, ga := Finding(KO, c.code, c.title, c.action)
		if gt != c.wantT || ga != c.wantA {
			t.Errorf("%s: got %q / %q", c.code, gt, ga)
		}
		if et, ea := Finding(EN, c.code, c.title, c.action); et != c.title || ea != c.action {
			t.Errorf("%s: English changed", c.code)
		}
	}
}
