package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Texter is implemented by every tool output: Text returns the compact mirror of the structured content
// (Markdown tables / bullet lines) that text-only clients such as Kiro hand to the model.
type Texter interface {
	Text() string
}

// Validator is implemented by inputs that have rules beyond what the schema says (e.g. "one of a or b").
// Returned errors should be *Error with a message saying what to send instead.
type Validator interface {
	Validate() error
}

// Spec is a tool's identity: its name, toolset, description and the four annotation hints, all explicit.
type Spec struct {
	Name        string // snake_case verb_noun, the contract
	Toolset     string // a toolset ID from Toolsets
	Title       string
	Description string // what and when, units, the next tool to call
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   bool
}

// Tool is one registered tool: its MCP definition, its handler and the facts the registry filters on.
type Tool struct {
	Spec
	Def     mcp.Tool
	Handler server.ToolHandlerFunc
	// Params lists the input's argument names, for error messages and docs.
	Params []Param
}

// Param describes one input argument.
type Param struct {
	Name        string
	Type        string
	Required    bool
	Description string
}

var reflector = &jsonschema.Reflector{
	DoNotReference:             true,
	ExpandedStruct:             true,
	RequiredFromJSONSchemaTags: true,
}

// SchemaOf reflects T into a flat JSON Schema object (no $ref/$defs, no $id, additionalProperties:false).
func SchemaOf[T any]() *jsonschema.Schema {
	s := reflector.Reflect(new(T))
	s.ID = ""
	return s
}

// New builds a Tool from a plain Go function. It panics on programming errors (bad schema, bad name), so
// mistakes surface at start-up and in tests, never at call time.
func New[In any, Out Texter](spec Spec, fn func(context.Context, In) (Out, error)) Tool {
	if !nameRE.MatchString(spec.Name) || len(spec.Name) > 64 {
		panic(fmt.Sprintf("tools: invalid tool name %q", spec.Name))
	}
	if spec.Description == "" || spec.Title == "" || spec.Toolset == "" {
		panic(fmt.Sprintf("tools: tool %q needs a title, description and toolset", spec.Name))
	}
	in := SchemaOf[In]()
	if in.Type != "object" {
		panic(fmt.Sprintf("tools: input of %q must be a struct", spec.Name))
	}
	out := SchemaOf[Out]()
	out.Version = ""
	compactOutput(out, 0)
	inRaw, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("tools: input schema of %q: %v", spec.Name, err))
	}
	outRaw, err := json.Marshal(out)
	if err != nil {
		panic(fmt.Sprintf("tools: output schema of %q: %v", spec.Name, err))
	}
	def := mcp.NewTool(spec.Name,
		mcp.WithDescription(spec.Description),
		mcp.WithRawInputSchema(inRaw),
		mcp.WithRawOutputSchema(outRaw),
		mcp.WithToolAnnotation(mcp.ToolAnnotation{
			Title:           spec.Title,
			ReadOnlyHint:    mcp.ToBoolPtr(spec.ReadOnly),
			DestructiveHint: mcp.ToBoolPtr(spec.Destructive),
			IdempotentHint:  mcp.ToBoolPtr(spec.Idempotent),
			OpenWorldHint:   mcp.ToBoolPtr(spec.OpenWorld),
		}),
	)
	def.InputSchema = mcp.ToolInputSchema{} // raw schema wins; both set breaks tools/list marshalling
	args := newArgSpec(in)
	t := Tool{Spec: spec, Def: def, Params: args.params}
	t.Handler = func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var v In
		if err := args.decode(rawArgs(req), &v); err != nil {
			return mcp.NewToolResultError(fmt.Sprintf("invalid arguments for %s: %s", spec.Name, err)), nil
		}
		if val, ok := any(&v).(Validator); ok {
			if err := val.Validate(); err != nil {
				return nil, err
			}
		}
		res, err := call(context.WithValue(ctx, requestKey{}, &req), fn, v)
		if err != nil {
			return nil, err
		}
		fillNilSlices(reflect.ValueOf(&res).Elem())
		return mcp.NewToolResultStructured(res, res.Text()), nil
	}
	return t
}

// fillNilSlices replaces nil slices with empty ones throughout v, so structured content never carries null
// where the output schema declares an array (empty slices with omitempty are still omitted).
func fillNilSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			fillNilSlices(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				fillNilSlices(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			fillNilSlices(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() && v.CanSet() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	}
}

// outputSchemaDepth is how deep output schemas spell out structure; below it a node keeps only its type.
const outputSchemaDepth = 2

// compactOutput trims an output schema for the wire: no prose, no enums, and only the type below
// outputSchemaDepth. Clients still validate the shape of structured content against it, while the field
// meanings live in the tool description and the text mirror. It keeps tools/list small (every client
// downloads it on connect; some forward it to the model).
func compactOutput(s *jsonschema.Schema, depth int) {
	if s == nil {
		return
	}
	s.Description, s.Title, s.Enum = "", "", nil
	if depth >= outputSchemaDepth {
		*s = jsonschema.Schema{Type: s.Type}
		return
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			compactOutput(pair.Value, depth+1)
		}
	}
	if s.Items != nil {
		compactOutput(s.Items, depth+1)
	}
}

// call runs fn and turns a panic into an error, so one broken tool cannot take the server down.
func call[In any, Out Texter](ctx context.Context, fn func(context.Context, In) (Out, error), in In) (out Out, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{val: r, stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}

type panicError struct {
	val   any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.val) }

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func rawArgs(req mcp.CallToolRequest) []byte {
	switch a := req.GetRawArguments().(type) {
	case json.RawMessage:
		return a
	case []byte:
		return a
	case nil:
		return nil
	default:
		b, err := json.Marshal(a)
		if err != nil {
			return nil
		}
		return b
	}
}

// argSpec validates arguments against the reflected input schema with messages a model can act on.
type argSpec struct {
	props    map[string]*jsonschema.Schema
	params   []Param
	required []string
}

func newArgSpec(s *jsonschema.Schema) *argSpec {
	a := &argSpec{props: map[string]*jsonschema.Schema{}, required: s.Required}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			a.props[pair.Key] = pair.Value
			a.params = append(a.params, Param{Name: pair.Key, Type: typeName(pair.Value), Required: req[pair.Key], Description: pair.Value.Description})
		}
	}
	return a
}

func typeName(s *jsonschema.Schema) string {
	if s.Type == "array" && s.Items != nil {
		return s.Items.Type + "[]"
	}
	return s.Type
}

// Valid lists the accepted arguments, e.g. "cluster_id (string, required), region (string)".
func (a *argSpec) valid() string {
	if len(a.params) == 0 {
		return "this tool takes no arguments"
	}
	parts := make([]string, len(a.params))
	for i, p := range a.params {
		s := p.Name + " (" + p.Type
		if p.Required {
			s += ", required"
		}
		parts[i] = s + ")"
	}
	return "valid arguments: " + strings.Join(parts, ", ")
}

func (a *argSpec) decode(raw []byte, dst any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("arguments must be a JSON object; %s", a.valid())
	}
	var unknown []string
	for k := range m {
		if _, ok := a.props[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown argument %s; %s", quoteList(unknown), a.valid())
	}
	for _, r := range a.required {
		if v, ok := m[r]; !ok || string(v) == "null" {
			return fmt.Errorf("missing required argument %q; %s", r, a.valid())
		}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := checkValue(k, a.props[k], m[k]); err != nil {
			return fmt.Errorf("%w; %s", err, a.valid())
		}
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("argument %q has the wrong type (got %s); %s", te.Field, te.Value, a.valid())
		}
		return fmt.Errorf("%v; %s", err, a.valid())
	}
	return nil
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// checkValue applies the schema keywords our inputs use: type, enum, minimum/maximum, min/maxLength,
// pattern, min/maxItems and the same for array items.
func checkValue(name string, s *jsonschema.Schema, raw json.RawMessage) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("argument %q is not valid JSON", name)
	}
	return checkAny(name, s, v)
}

func checkAny(name string, s *jsonschema.Schema, v any) error {
	if s == nil {
		return nil
	}
	want := s.Type
	got := jsonType(v)
	switch {
	case want == "" || want == got:
	case want == "number" && got == "integer":
	default:
		return fmt.Errorf("argument %q must be %s %s, got %s %s", name, article(want), want, article(got), got)
	}
	if len(s.Enum) > 0 {
		ok := false
		for _, e := range s.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				ok = true
			}
		}
		if !ok {
			allowed := make([]string, len(s.Enum))
			for i, e := range s.Enum {
				allowed[i] = fmt.Sprint(e)
			}
			return fmt.Errorf("argument %q must be one of %s, got %v", name, strings.Join(allowed, ", "), v)
		}
	}
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		if s.Minimum != "" {
			if m, _ := s.Minimum.Float64(); f < m {
				return fmt.Errorf("argument %q must be ≥ %s, got %s", name, s.Minimum, x)
			}
		}
		if s.Maximum != "" {
			if m, _ := s.Maximum.Float64(); f > m {
				return fmt.Errorf("argument %q must be ≤ %s, got %s", name, s.Maximum, x)
			}
		}
	case string:
		n := uint64(len([]rune(x)))
		if s.MinLength != nil && n < *s.MinLength {
			return fmt.Errorf("argument %q must have at least %d characters", name, *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return fmt.Errorf("argument %q must have at most %d characters", name, *s.MaxLength)
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(x) {
				return fmt.Errorf("argument %q must match %s, got %q", name, s.Pattern, Truncate(x, 80))
			}
		}
	case []any:
		if s.MinItems != nil && uint64(len(x)) < *s.MinItems {
			return fmt.Errorf("argument %q needs at least %d items", name, *s.MinItems)
		}
		if s.MaxItems != nil && uint64(len(x)) > *s.MaxItems {
			return fmt.Errorf("argument %q takes at most %d items", name, *s.MaxItems)
		}
		for i, it := range x {
			if err := checkAny(fmt.Sprintf("%s[%d]", name, i), s.Items, it); err != nil {
				return err
			}
		}
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := x.Int64(); err == nil && !strings.ContainsAny(x.String(), ".eE") {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return reflect.TypeOf(v).String()
}

func article(t string) string {
	if strings.IndexByte("aeiou", t[0]) >= 0 {
		return "an"
	}
	return "a"
}
