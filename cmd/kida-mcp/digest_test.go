package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestDigestCommand(t *testing.T) {
	edge := "../../../shared/data/slowlog/mariadb-edge.log"
	if _, err := os.Stat(edge); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data missing: %v", err)
		}
		t.Skipf("shared test data not found (%v): put shared/ beside the repository", err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"digest", "--format", "json", "--top", "3", edge}, nil, &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var d struct {
		Entries int64 `json:"entries"`
		Classes int   `json:"classes"`
		Top     []struct {
			Fingerprint string `json:"fingerprint"`
			Example     string `json:"example"`
		} `json:"top"`
		Formats []string `json:"formats"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if d.Entries != 18 || len(d.Top) != 3 || d.Formats[0] != "mysql" {
		t.Fatalf("%+v", d)
	}
	if !strings.Contains(errb.String(), "18 entries") {
		t.Errorf("stderr %q", errb.String())
	}
	// stdin, text output, a PostgreSQL line
	out.Reset()
	in := strings.NewReader("2026-11-22 11:37:47 UTC:[local]:postgres@postgres:[15091]:LOG:  duration: 0.544 ms  statement: select version()\n")
	if code := run(context.Background(), []string{"digest", "--quiet", "-"}, in, &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("stdin: exit %d", code)
	}
	if !strings.Contains(out.String(), "select version()") || !strings.Contains(out.String(), "# Overall: 1 statements") {
		t.Errorf("text output:\n%s", out.String())
	}
	// usage errors
	for _, args := range [][]string{{"digest"}, {"digest", "--format", "xml", edge}, {"digest", "--order-by", "speed", edge}, {"digest", "/nonexistent.log"}} {
		if code := run(context.Background(), args, nil, &out, &errb, func(string) string { return "" }); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}
