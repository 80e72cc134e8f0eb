// Drives kida-mcp with the official TypeScript MCP SDK, over stdio or Streamable HTTP, and prints one JSON
// summary line for the Go test to assert on. Usage:
//   node client.mjs stdio <binary> [args...]
//   node client.mjs http <url> [token]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, target, ...rest] = process.argv.slice(2);
let transport;
if (mode === "stdio") {
  transport = new StdioClientTransport({ command: target, args: rest, stderr: "ignore" });
} else if (mode === "http") {
  const headers = rest[0] ? { Authorization: `Bearer ${rest[0]}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
} else {
  console.error("usage: client.mjs stdio|http ...");
  process.exit(2);
}
const client = new Client({ name: "kida-e2e", version: "1.0.0" });
const out = {};
try {
  await client.connect(transport);
  out.protocolVersion = transport.protocolVersion ?? null;
  out.server = client.getServerVersion();
  const tools = await client.listTools();
  out.tools = tools.tools.map((t) => t.name);
  const ok = await client.callTool({ name: "describe_cluster", arguments: { cluster_id: "orders-prod" } });
  out.describe = {
    isError: ok.isError ?? false,
    writer: ok.structuredContent?.writer ?? null,
    readers: ok.structuredContent?.readers ?? null,
    text: ok.content?.[0]?.text ?? "",
  };
  const bad = await client.callTool({ name: "describe_cluster", arguments: { cluster_id: 42 } });
  out.invalid = { isError: bad.isError ?? false, text: bad.content?.[0]?.text ?? "" };
  await client.close();
} catch (e) {
  out.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(out));
process.exit(out.error ? 1 : 0);
