package prompts

import (
	"strings"
	"testing"
)

func TestRenderValidatesArguments(t *testing.T) {
	p := byName(t, "incident_analysis")
	cases := map[string]map[string]string{
		`missing required argument "cluster_id"`: {"start": "2026-11-22T15:00:00+09:00", "symptom": "slow"},
		`missing required argument "symptom"`:    {"cluster_id": "orders-prod", "start": "2026-11-22T15:00:00+09:00"},
		`argument "start" must be an RFC 3339`:   {"cluster_id": "orders-prod", "start": "yesterday 3pm", "symptom": "slow"},
		`argument "cluster_id" must be`:          {"cluster_id": "../../etc", "start": "2026-11-22T15:00:00Z", "symptom": "slow"},
		`unknown argument "window"`:              {"cluster_id": "orders-prod", "start": "2026-11-22T15:00:00Z", "symptom": "slow", "window": "1h"},
	}
	for want, args := range cases {
		if _, err := p.Render(args, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want %q", args, err, want)
		}
	}
	if _, err := byName(t, "capacity_plan").Render(map[string]string{"cluster_id": "x", "days": "7"}, nil); err == nil || !strings.Contains(err.Error(), "30 to 455") {
		t.Errorf("days 7: %v", err)
	}
	txt, err := p.Render(map[string]string{"cluster_id": "orders-prod", "start": "2026-11-22T15:00:00+09:00", "symptom": `checkout "timeouts"`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`run_health_check {"cluster_id": "orders-prod", "start": "2026-11-22T15:00:00+09:00"}`, `"checkout \"timeouts\""`, "until now"} {
		if !strings.Contains(txt, want) {
			t.Errorf("rendered text lacks %s:\n%s", want, txt)
		}
	}
}

func TestDefaultsAndOptionalSteps(t *testing.T) {
	p := byName(t, "slow_query_review")
	only := func(names ...string) func(string) bool {
		return func(n string) bool {
			for _, x := range names {
				if x == n {
					return true
				}
			}
			return false
		}
	}
	txt, err := p.Render(map[string]string{"cluster_id": "orders-prod"}, only("get_slow_queries"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt, `"since": "24h"`) || strings.Contains(txt, "get_db_load") {
		t.Errorf("default since / optional get_db_load:\n%s", txt)
	}
	if !p.Enabled(only("get_slow_queries")) || p.Enabled(only("get_db_load")) {
		t.Error("Enabled should follow Requires")
	}
	if got := len(Server([]string{"get_slow_queries"})); got != 1 {
		t.Errorf("Server with only get_slow_queries: %d prompts, want 1", got)
	}
}

func TestEveryPromptHasTemplateAndArgs(t *testing.T) {
	for _, p := range All() {
		if p.tmpl == nil || p.Title == "" || p.Description == "" || len(p.Requires) == 0 {
			t.Errorf("%s incomplete", p.Name)
		}
		if p.Args[0].Name != "cluster_id" || !p.Args[0].Required {
			t.Errorf("%s: cluster_id should be the first, required argument", p.Name)
		}
		if d := p.MCP(); d.Name != p.Name || len(d.Arguments) != len(p.Args) {
			t.Errorf("%s: MCP definition %+v", p.Name, d)
		}
	}
}

func byName(t *testing.T, name string) Prompt {
	t.Helper()
	for _, p := range All() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no prompt %s", name)
	return Prompt{}
}
