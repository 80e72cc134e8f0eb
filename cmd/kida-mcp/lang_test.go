package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReportDemoLang: `kida-mcp report --demo --lang ko` writes the Korean email subject
// "[KIDA] 일일 점검 보고서 — <date>", Korean Slack titles, a Korean CLI summary and Korean HTML reports;
// --lang en the English ones.
func TestReportDemoLang(t *testing.T) {
	for _, c := range []struct {
		lang  string
		wants []*regexp.Regexp
		html  string
	}{
		{"ko", []*regexp.Regexp{
			regexp.MustCompile(`(?m)^Subject: \[KIDA\] 일일 점검 보고서 — \d{8}$`),
			regexp.MustCompile(`"report_title":"\[KIDA\] 일일 점검 보고서: orders-prod \(ap-northeast-2\) — \d{8}"`),
			regexp.MustCompile(`"text": "KIDA 일일 점검 보고서 — \d{4}-\d{2}-\d{2}"`),
			regexp.MustCompile(`(?m)^kida 점검 보고서 \d{4}-\d{2}-\d{2} — 심각: 클러스터 2개: 심각 1, 정상 1`),
		}, `<html lang="ko">`},
		{"en", []*regexp.Regexp{
			regexp.MustCompile(`(?m)^Subject: \[kida\] \d{4}-\d{2}-\d{2} — CRITICAL: 2 clusters: 1 critical, 1 healthy$`),
			regexp.MustCompile(`"report_title":"orders-prod \(ap-northeast-2\) — \d{4}-\d{2}-\d{2}"`),
			regexp.MustCompile(`"text": "kida daily database report — \d{4}-\d{2}-\d{2}"`),
			regexp.MustCompile(`(?m)^kida report \d{4}-\d{2}-\d{2} — CRITICAL: 2 clusters: 1 critical, 1 healthy`),
		}, `<html lang="en">`},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Chdir(t.TempDir())
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"report", "--demo", "--lang", c.lang, "--dry-run"}, nil, &stdout, &stderr, env())
			out := stdout.String()
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, stderr.String())
			}
			for _, re := range c.wants {
				if !re.MatchString(out) {
					t.Errorf("stdout lacks %s:\n%s", re, out)
				}
			}
			if c.lang == "en" && regexp.MustCompile(`\p{Hangul}`).MatchString(out) {
				t.Errorf("English run printed Hangul:\n%s", out)
			}
			files, _ := filepath.Glob("reports/*-*.html")
			n := 0
			for _, f := range files {
				if strings.Contains(f, "email-preview") {
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if !strings.Contains(string(b), c.html) {
					t.Errorf("%s does not declare %s", f, c.html)
				}
			}
			if n == 0 {
				t.Errorf("no HTML reports in reports/: %v", files)
			}
		})
	}
}

func TestLangConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kida.yaml")
	if err := os.WriteFile(file, []byte("lang: ko\nclusters:\n  - id: a\n    region: ap-northeast-2\n    lang: en\n  - id: b\n    region: ap-northeast-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig("report", []string{"--config", file}, env(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lang != "ko" || cfg.Clusters[0].Lang != "en" || cfg.Clusters[1].Lang != "" {
		t.Fatalf("lang: global %q, clusters %q %q", cfg.Lang, cfg.Clusters[0].Lang, cfg.Clusters[1].Lang)
	}
	if cfg, err = parseConfig("report", []string{"--config", file, "--lang", "en"}, env(), &bytes.Buffer{}); err != nil || cfg.Lang != "en" {
		t.Fatalf("--lang en over the file: %q, %v", cfg.Lang, err)
	}
	if _, err := parseConfig("report", []string{"--lang", "fr"}, env(), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--lang") {
		t.Fatalf("--lang fr: %v", err)
	}
}
