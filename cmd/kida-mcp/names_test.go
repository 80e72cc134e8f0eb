package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/prompts"
	"github.com/kida-mcp/kida-mcp/steering"
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// externalFlags are flags of other programs that our steering files and examples show.
var externalFlags = map[string]string{
	"--no-interactive": "kiro-cli chat", "--trust-tools": "kiro-cli chat", "--trust-all-tools": "kiro-cli chat",
	"--scope": "claude mcp add", "--env": "claude mcp add", "--": "end of options",
}

// dbParameters are engine parameter names the docs may name in backticks.
var dbParameters = map[string]bool{"long_query_time": true, "slow_query_log": true, "log_output": true,
	"require_secure_transport": true, "max_connections": true, "log_min_duration_statement": true}

// catalogue is what the docs may name: tools and their arguments, output fields, flags, env vars, commands.
type catalogue struct {
	tools    map[string]tools.Tool
	params   map[string]map[string]tools.Param
	words    map[string]bool
	flags    map[string]bool
	envs     map[string]bool
	commands map[string]bool
}

func newCatalogue(t *testing.T) *catalogue {
	t.Helper()
	c := &catalogue{tools: map[string]tools.Tool{}, params: map[string]map[string]tools.Param{}, words: map[string]bool{},
		flags: map[string]bool{}, envs: map[string]bool{}, commands: map[string]bool{}}
	for _, tl := range allTools(demo.New(time.Unix(0, 0)), tools.Env{}, Config{}) {
		c.tools[tl.Name] = tl
		c.params[tl.Name] = map[string]tools.Param{}
		for _, p := range tl.Params {
			c.params[tl.Name][p.Name] = p
			c.words[p.Name] = true
		}
		var out any
		if err := json.Unmarshal(tl.Def.RawOutputSchema, &out); err != nil {
			t.Fatalf("%s output schema: %v", tl.Name, err)
		}
		collectProps(out, c.words)
	}
	for _, p := range prompts.All() {
		for _, a := range p.Args {
			c.words[a.Name] = true
		}
	}
	for _, f := range Flags() {
		c.flags["--"+f.Name] = true
		c.envs[f.Env] = true
	}
	for _, fl := range regexp.MustCompile(`--[a-z][a-z-]*`).FindAllString(steeringUsage, -1) {
		c.flags[fl] = true
	}
	for fl := range externalFlags {
		c.flags[fl] = true
	}
	for _, cmd := range commands {
		c.commands[cmd.name] = true
	}
	return c
}

func collectProps(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if props, ok := x["properties"].(map[string]any); ok {
			for k, p := range props {
				into[k] = true
				collectProps(p, into)
			}
		}
		if it, ok := x["items"]; ok {
			collectProps(it, into)
		}
	case []any:
		for _, e := range x {
			collectProps(e, into)
		}
	}
}

var (
	// tool calls are written as `tool_name {"arg": value, ...}`
	callRE = regexp.MustCompile("`([a-z][a-z0-9_]*) (\\{[^`]*\\})`")
	// anything shaped like one of our tool names (verb_noun with our verbs)
	toolishRE = regexp.MustCompile(`\b(?:list|describe|get|analyze|recommend|run|render|publish|send|notify)_[a-z0-9_]+\b`)
	// backticked snake_case words must be a tool, an argument, an output field or an engine parameter
	identRE   = regexp.MustCompile("`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`")
	flagRE2   = regexp.MustCompile(`(?:^|[\s"'\[(=])(--[a-z][a-z-]*)`)
	envRE2    = regexp.MustCompile(`\bKIDA_[A-Z_]+\b`)
	commandRE = regexp.MustCompile(`\bkida-mcp ([a-z]+)\b`)
)

// check returns every name in text that does not exist.
func (c *catalogue) check(text string) []string {
	var bad []string
	add := func(f string, a ...any) { bad = append(bad, fmt.Sprintf(f, a...)) }
	for _, m := range callRE.FindAllStringSubmatch(text, -1) {
		name, rawArgs := m[1], m[2]
		params, ok := c.params[name]
		if !ok {
			add("call of unknown tool %s", name)
			continue
		}
		var args map[string]any
		if err := json.Unmarshal([]byte(rawArgs), &args); err != nil {
			add("%s: arguments %s are not a JSON object: %v", name, rawArgs, err)
			continue
		}
		for k, v := range args {
			p, ok := params[k]
			if !ok {
				add("%s has no argument %q", name, k)
				continue
			}
			if got := jsonKind(v); got != p.Type && !(p.Type == "integer" && got == "number") {
				add("%s argument %q is %s, want %s", name, k, got, p.Type)
			}
		}
		for _, p := range params {
			if _, ok := args[p.Name]; p.Required && !ok && !strings.Contains(rawArgs, "…") {
				add("%s call %s lacks required argument %q", name, rawArgs, p.Name)
			}
		}
	}
	for _, w := range toolishRE.FindAllString(text, -1) {
		if _, ok := c.tools[w]; !ok {
			add("unknown tool %s", w)
		}
	}
	for _, m := range identRE.FindAllStringSubmatch(text, -1) {
		w := m[1]
		if _, ok := c.tools[w]; !ok && !c.words[w] && !dbParameters[w] {
			add("unknown name `%s` (not a tool, argument, output field or engine parameter)", w)
		}
	}
	for _, m := range flagRE2.FindAllStringSubmatch(text, -1) {
		if !c.flags[m[1]] {
			add("unknown flag %s", m[1])
		}
	}
	for _, e := range envRE2.FindAllString(text, -1) {
		if !c.envs[e] {
			add("unknown environment variable %s", e)
		}
	}
	for _, code := range codeSpans(text) {
		for _, m := range commandRE.FindAllStringSubmatch(code, -1) {
			if !c.commands[m[1]] {
				add("unknown command kida-mcp %s", m[1])
			}
		}
	}
	sort.Strings(bad)
	return bad
}

var (
	backtickRE = regexp.MustCompile("`[^`\n]+`")
	indentedRE = regexp.MustCompile(`(?m)^(?:    |\t)\S.*$`)
	shellRE    = regexp.MustCompile(`(?m)^[^#\n].*$`)
)

// codeSpans returns the parts of text that are code: backticked spans, indented lines, and the non-comment
// lines of a shell script.
func codeSpans(text string) []string {
	if strings.HasPrefix(text, "#!") {
		return shellRE.FindAllString(text, -1)
	}
	return append(backtickRE.FindAllString(text, -1), indentedRE.FindAllString(text, -1)...)
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		if len(x) > 0 {
			return jsonKind(x[0]) + "[]"
		}
		return "string[]"
	case map[string]any:
		return "object"
	}
	return "null"
}

// TestCheckerCatchesMadeUpNames proves the docs test can fail.
func TestCheckerCatchesMadeUpNames(t *testing.T) {
	c := newCatalogue(t)
	bad := c.check("Call `get_metric_data {}`, then `run_health_check {\"cluster\": \"x\"}`, `get_slow_queries {\"cluster_id\": \"x\", \"top_n\": \"5\"}`, " +
		"read `check_idx`, run `kida-mcp serve --regoin x` with KIDA_REGOIN, and `kida-mcp frobnicate`; describe_clusters.")
	want := []string{"get_metric_data", `no argument "cluster"`, `lacks required argument "cluster_id"`, `"top_n" is string`, "`check_idx`",
		"--regoin", "KIDA_REGOIN", "kida-mcp frobnicate", "unknown tool describe_clusters"}
	all := strings.Join(bad, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("checker missed %s; it reported:\n%s", w, all)
		}
	}
	if got := c.check("Call `run_health_check {\"cluster_id\": \"orders-prod\", \"since\": \"24h\"}` then `render_report {\"check_id\": \"<check_id>\"}`; kida-mcp steering install --workspace . and kida-mcp serve --demo with KIDA_DEMO."); len(got) != 0 {
		t.Errorf("checker rejects good text: %v", got)
	}
}

// TestDocsNameRealToolsFlagsAndArguments: every steering file, prompt (rendered with every tool enabled and
// with only the required ones), tool description, the server instructions and every client example name only
// tools, arguments, flags, env vars and commands that exist.
func TestDocsNameRealToolsFlagsAndArguments(t *testing.T) {
	c := newCatalogue(t)
	texts := map[string]string{}
	for _, f := range steering.All() {
		texts["steering/"+f.FileName()] = string(f.Content)
	}
	sample := map[string]string{"cluster_id": "orders-prod", "region": "ap-northeast-2", "start": "2026-11-22T15:00:00+09:00",
		"end": "2026-11-22T16:00:00+09:00", "symptom": "checkout timeouts", "since": "7d", "days": "90"}
	for _, p := range prompts.All() {
		args := map[string]string{}
		var descs []string
		for _, a := range p.Args {
			args[a.Name] = sample[a.Name]
			descs = append(descs, a.Description)
		}
		full, err := p.Render(args, nil)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		required := map[string]bool{}
		for _, r := range p.Requires {
			required[r] = true
		}
		lean, err := p.Render(requiredOnly(p, sample), func(n string) bool { return required[n] })
		if err != nil {
			t.Fatalf("%s (only required tools): %v", p.Name, err)
		}
		texts["prompt "+p.Name] = full
		texts["prompt "+p.Name+" (required tools only)"] = lean
		texts["prompt "+p.Name+" definition"] = p.Description + "\n" + strings.Join(descs, "\n")
		for _, r := range p.Requires {
			if _, ok := c.tools[r]; !ok {
				t.Errorf("prompt %s requires unknown tool %s", p.Name, r)
			}
		}
		if _, ok := tools.ToolsetByID(p.Toolset); !ok {
			t.Errorf("prompt %s: unknown toolset %s", p.Name, p.Toolset)
		}
		for n := range c.tools {
			if !required[n] && strings.Contains(lean, n) && !strings.Contains(p.Description, n) {
				// optional tools must be behind has "…" so a disabled toolset leaves no dangling step
				if p.Toolset != c.tools[n].Toolset {
					t.Errorf("prompt %s names %s even when only its required tools are enabled", p.Name, n)
				}
			}
		}
	}
	var list []tools.Tool
	for _, tl := range c.tools {
		list = append(list, tl)
		texts["description of "+tl.Name] = tl.Description
	}
	texts["server instructions"] = tools.Instructions(list)
	files, err := filepath.Glob("../../examples/clients/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
		if strings.HasSuffix(f, ".json") {
			for _, name := range autoApprove(t, f, b) {
				if tl, ok := c.tools[name]; !ok && name != "*" {
					t.Errorf("%s: autoApprove names unknown tool %s", f, name)
				} else if ok && !tl.ReadOnly {
					t.Errorf("%s: autoApprove trusts %s, which is not read-only", f, name)
				}
			}
		}
	}
	for name, txt := range texts {
		for _, p := range c.check(txt) {
			t.Errorf("%s: %s", name, p)
		}
	}
}

func requiredOnly(p prompts.Prompt, sample map[string]string) map[string]string {
	args := map[string]string{}
	for _, a := range p.Args {
		if a.Required {
			args[a.Name] = sample[a.Name]
		}
	}
	return args
}

// autoApprove returns the tool names listed under any autoApprove key in a client config.
func autoApprove(t *testing.T, name string, b []byte) []string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Errorf("%s is not valid JSON: %v", name, err)
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "autoApprove" {
					for _, s := range e.([]any) {
						out = append(out, s.(string))
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
