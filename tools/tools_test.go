package tools_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

type echoIn struct {
	Text  string   `json:"text" jsonschema:"required,minLength=1" jsonschema_description:"Text to echo."`
	Times int      `json:"times,omitempty" jsonschema:"minimum=1,maximum=5"`
	Mode  string   `json:"mode,omitempty" jsonschema:"enum=plain,enum=upper"`
	Tags  []string `json:"tags,omitempty" jsonschema:"maxItems=2"`
}

type echoOut struct {
	Out  string   `json:"out"`
	List []string `json:"list"`
}

func (o echoOut) Text() string { return "echo: " + o.Out }

func (in echoIn) Validate() error {
	if in.Text == "forbidden" {
		return tools.Errorf("text must not be %q; send anything else", in.Text)
	}
	return nil
}

func echoTool(name string, readOnly bool, fn func(context.Context, echoIn) (echoOut, error)) tools.Tool {
	if fn == nil {
		fn = func(_ context.Context, in echoIn) (echoOut, error) {
			s := strings.Repeat(in.Text, max(in.Times, 1))
			if in.Mode == "upper" {
				s = strings.ToUpper(s)
			}
			return echoOut{Out: s}, nil
		}
	}
	return tools.New(tools.Spec{Name: name, Toolset: "cluster", Title: "Echo", Description: "Echoes.", ReadOnly: readOnly}, fn)
}

func TestArgumentValidationMessages(t *testing.T) {
	s := testkit.Client(t, []tools.Tool{echoTool("echo", true, nil)})
	var out echoOut
	testkit.Decode(t, s.Call("echo", map[string]any{"text": "ab", "times": 2, "mode": "upper"}), &out)
	if out.Out != "ABAB" || out.List == nil {
		t.Fatalf("out = %+v", out)
	}
	cases := map[string]string{
		`{"text":"x","times":9}`:            `"times" must be ≤ 5, got 9`,
		`{"text":"x","times":1.5}`:          `"times" must be an integer, got a number`,
		`{"text":"x","mode":"loud"}`:        `"mode" must be one of plain, upper, got loud`,
		`{"text":""}`:                       `"text" must have at least 1 characters`,
		`{"text":"x","tags":["a","b","c"]}`: `"tags" takes at most 2 items`,
		`{"text":"x","tags":[1]}`:           `"tags[0]" must be a string, got an integer`,
		`{"text":"x","nope":true,"zzz":1}`:  `unknown argument "nope", "zzz"; valid arguments: text (string, required), times (integer), mode (string), tags (string[])`,
		`[1,2]`:                             `arguments must be a JSON object`,
		`{"text":"forbidden"}`:              `text must not be "forbidden"`,
		`{"text":null}`:                     `missing required argument "text"`,
	}
	for args, want := range cases {
		text := testkit.ErrorText(t, s.Call("echo", args))
		if !strings.Contains(text, want) {
			t.Errorf("%s: got %q, want it to contain %q", args, text, want)
		}
	}
}

func TestPanicsAndHardErrors(t *testing.T) {
	boom := echoTool("boom", true, func(context.Context, echoIn) (echoOut, error) { panic("kaboom") })
	hard := echoTool("hard", true, func(context.Context, echoIn) (echoOut, error) {
		return echoOut{}, &tools.HardError{Err: errors.New("no credentials at all")}
	})
	plain := echoTool("plain", true, func(context.Context, echoIn) (echoOut, error) { return echoOut{}, errors.New("weird") })
	s := testkit.Client(t, []tools.Tool{boom, hard, plain})
	text := testkit.ErrorText(t, s.Call("boom", map[string]any{"text": "x"}))
	if !strings.Contains(text, "internal error in boom") || strings.Contains(text, "goroutine") {
		t.Errorf("panic text = %q", text)
	}
	if _, err := s.CallErr("hard", map[string]any{"text": "x"}); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("hard error should be a protocol error, got %v", err)
	}
	if text := testkit.ErrorText(t, s.Call("plain", map[string]any{"text": "x"})); !strings.Contains(text, "unexpected error: weird") {
		t.Errorf("plain = %q", text)
	}
	// the server survived the panic: the same tool answers again
	if text := testkit.ErrorText(t, s.Call("boom", map[string]any{"text": "y"})); !strings.Contains(text, "internal error") {
		t.Errorf("second call = %q", text)
	}
}

func TestSelect(t *testing.T) {
	all := []tools.Tool{
		echoTool("a_tool", true, nil),
		tools.New(tools.Spec{Name: "send_it", Toolset: "delivery", Title: "Send", Description: "Sends."}, func(context.Context, echoIn) (echoOut, error) { return echoOut{}, nil }),
	}
	names := func(ts []tools.Tool) string {
		var n []string
		for _, t := range ts {
			n = append(n, t.Name)
		}
		return strings.Join(n, ",")
	}
	cases := []struct {
		sel  tools.Selection
		want string
		err  string
	}{
		{tools.Selection{}, "a_tool,send_it", ""},
		{tools.Selection{ReadOnly: true}, "a_tool", ""},
		{tools.Selection{Toolsets: []string{"delivery"}}, "send_it", ""},
		{tools.Selection{Toolsets: []string{"delivery"}, Tools: []string{"a_tool"}}, "a_tool,send_it", ""},
		{tools.Selection{Exclude: []string{"send_it"}}, "a_tool", ""},
		{tools.Selection{Toolsets: []string{"clustr"}}, "", `unknown toolset "clustr"`},
		{tools.Selection{Exclude: []string{"nope"}}, "", `unknown tool "nope"`},
	}
	for _, c := range cases {
		got, err := tools.Select(all, c.sel)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: err = %v, want %q", c.sel, err, c.err)
			}
			continue
		}
		if err != nil || names(got) != c.want {
			t.Errorf("%+v: got %q, %v; want %q", c.sel, names(got), err, c.want)
		}
	}
	instr := tools.Instructions(all[:1])
	if !strings.Contains(instr, "- cluster:") || strings.Contains(instr, "- delivery:") {
		t.Errorf("instructions should name only enabled toolsets:\n%s", instr)
	}
}

func TestCellNeutralisesMarkup(t *testing.T) {
	got := tools.Cell("a|b\nc\x1b[31m")
	if got != `a\|b c[31m` {
		t.Errorf("Cell = %q", got)
	}
	if tools.Num(1.50, 2) != "1.5" || tools.Bytes(1536) != "1.5 KiB" || tools.Truncate("héllo", 3) != "hé…" {
		t.Error("formatting helpers")
	}
}

type windowErr struct{}

func (windowErr) Error() string     { return "since \"yesterday\" is not a duration; send e.g. 24h" }
func (windowErr) CallerFault() bool { return true }

func TestCallerFaultErrorsKeepTheirMessage(t *testing.T) {
	got := tools.Classify(windowErr{}, nil)
	var te *tools.Error
	if !errors.As(got, &te) || te.Msg != (windowErr{}).Error() {
		t.Fatalf("got %T %v", got, got)
	}
}
