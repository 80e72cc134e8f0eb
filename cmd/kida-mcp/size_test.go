package main

import (
	"encoding/json"
	"testing"
)

// modelFacingBudget caps what a host puts in the model's context for every conversation: each tool's name,
// description and input schema (hosts such as Kiro and Claude pass neither output schemas nor annotations
// to the model). The whole tools/list response is larger because of the output schemas; it is logged.
const modelFacingBudget = 25 << 10

// TestToolsListSize measures tools/list with every toolset on (the demo configures delivery too).
func TestToolsListSize(t *testing.T) {
	listed := listTools(t, demoServer(t, "--toolsets", "all"))
	wire, err := json.Marshal(map[string]any{"tools": listed})
	if err != nil {
		t.Fatal(err)
	}
	type facing struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"input_schema"`
	}
	var mf []facing
	var desc, out int
	for _, tl := range listed {
		b, err := json.Marshal(tl)
		if err != nil {
			t.Fatal(err)
		}
		var wireTool struct {
			In  json.RawMessage `json:"inputSchema"`
			Out json.RawMessage `json:"outputSchema"`
		}
		if err := json.Unmarshal(b, &wireTool); err != nil {
			t.Fatal(err)
		}
		mf = append(mf, facing{tl.Name, tl.Description, wireTool.In})
		desc += len(tl.Description)
		out += len(wireTool.Out)
	}
	model, err := json.Marshal(mf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tools/list, %d tools: %d bytes on the wire (≈%d tokens), of which output schemas %d bytes; "+
		"model-facing (name + description + input schema) %d bytes (≈%d tokens), descriptions %d bytes",
		len(listed), len(wire), len(wire)/4, out, len(model), len(model)/4, desc)
	if len(model) > modelFacingBudget {
		t.Errorf("model-facing tool definitions are %d bytes, over the %d-byte budget: trim descriptions", len(model), modelFacingBudget)
	}
}
