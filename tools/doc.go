// Package tools is kida-mcp's tool framework: the Tool type and its generic constructor, the toolset table,
// selection and read-only filtering, the error model shared by every tool family, and the MCP server wiring
// (middleware, protocol versions) used by the binary and by tests alike.
//
// A tool is a plain Go function func(ctx, In) (Out, error). New reflects In and Out into JSON Schemas once
// (invopop/jsonschema, no $ref, additionalProperties:false), decodes and validates arguments with messages a
// model can act on, and returns structured content plus the compact text mirror Out.Text() (Kiro reads only
// the text). Errors are classified: *Error (caller-fixable) and anything a Classifier recognises become
// isError results; *HardError (broken server) becomes a JSON-RPC error.
package tools
