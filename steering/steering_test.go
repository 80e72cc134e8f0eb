package steering

import (
	"strings"
	"testing"
)

func TestFilesHaveValidKiroFrontMatter(t *testing.T) {
	want := map[string]bool{"rds-troubleshoot": true, "daily-report": true, "incident-analysis": true}
	all := All()
	if len(all) != len(want) {
		t.Errorf("got %d steering files, want %d", len(all), len(want))
	}
	for _, f := range all {
		if !want[f.Name] {
			t.Errorf("unexpected steering file %s", f.FileName())
		}
		if err := f.Meta.Validate(); err != nil {
			t.Errorf("%s: %v", f.FileName(), err)
		}
		if f.Meta.Name != "" && f.Meta.Name != f.Name {
			t.Errorf("%s: front matter name %q differs from the file name", f.FileName(), f.Meta.Name)
		}
		if !strings.HasPrefix(strings.TrimSpace(f.Body()), "# ") {
			t.Errorf("%s: body should start with a title", f.FileName())
		}
		// short: the point of kida is that the model no longer needs a long manual
		if len(f.Content) > 6<<10 {
			t.Errorf("%s is %d bytes; keep steering files under 6 KB", f.FileName(), len(f.Content))
		}
	}
	if _, ok := Get("daily-report.md"); !ok {
		t.Error("Get with .md suffix")
	}
	if _, ok := Get("../steering"); ok {
		t.Error("Get should not find ../steering")
	}
}

func TestFrontMatterValidation(t *testing.T) {
	bad := []FrontMatter{{}, {Inclusion: "sometimes"}, {Inclusion: "auto", Name: "x"}, {Inclusion: "fileMatch"}}
	for _, m := range bad {
		if m.Validate() == nil {
			t.Errorf("%+v should be invalid", m)
		}
	}
	if err := (FrontMatter{Inclusion: "fileMatch", FileMatchPattern: "**/*.sql"}).Validate(); err != nil {
		t.Error(err)
	}
}
