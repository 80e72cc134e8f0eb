package delivery

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestMessagesGolden pins the email (subject, text, HTML) and the Slack payloads (workflow, Block Kit) in
// English and Korean; run with -update after an intended change and review the diff.
func TestMessagesGolden(t *testing.T) {
	rows := rowsFixture()
	for _, lang := range []string{"en", "ko"} {
		e, err := BuildEmailLang(rows, "2026-11-22", seoul, now, lang)
		if err != nil {
			t.Fatal(err)
		}
		var wf []string
		for _, r := range rows {
			b, err := MarshalJSON(WorkflowPayloadLang(r, "2026-11-22", lang))
			if err != nil {
				t.Fatal(err)
			}
			wf = append(wf, string(b))
		}
		m := IncomingMessageLang(rows, "2026-11-22", seoul, lang)
		if err := ValidateMessage(m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		in, err := MarshalJSON(m)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{
			"email." + lang + ".txt":  "Subject: " + e.Subject + "\n\n" + e.Text,
			"email." + lang + ".html": e.HTML,
			"slack." + lang + ".json": strings.Join(wf, "\n") + "\n" + string(in) + "\n",
		}
		for name, got := range files {
			path := filepath.Join("testdata", "golden", name)
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./tools/delivery -run TestMessagesGolden -update)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the golden file (run with -update if intended)", name)
			}
		}
		switch lang {
		case "ko":
			if e.Subject != "[KIDA] 일일 점검 보고서 — 20261122" {
				t.Errorf("Korean subject %q", e.Subject)
			}
			for _, want := range []string{`<html lang="ko">`, "클러스터", "리전", "보고서", "보고서 열기"} {
				if !strings.Contains(e.HTML, want) {
					t.Errorf("Korean email lacks %q", want)
				}
			}
			if !strings.HasPrefix(WorkflowPayloadLang(rows[0], "2026-11-22", lang)["report_title"], "[KIDA] 일일 점검 보고서") {
				t.Errorf("Korean Slack title: %q", WorkflowPayloadLang(rows[0], "2026-11-22", lang)["report_title"])
			}
		case "en":
			if e2, _ := BuildEmail(rows, "2026-11-22", seoul, now); e2 != e {
				t.Error("BuildEmail and BuildEmailLang(en) differ")
			}
		}
	}
}
