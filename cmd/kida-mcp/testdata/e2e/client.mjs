// Drives kida-mcp with the official TypeScript MCP SDK, over stdio or Streamable HTTP, and prints one JSON
// summary line for the Go test to assert on. Usage:
//   node client.mjs stdio <binary> [args...]
//   node client.mjs http <url> [token]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

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

  // Progress and logging: a health check with a progress token; count what arrives before the result.
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params.level));
  await client.setLoggingLevel("info");
  const progress = [];
  let resolved = false;
  const check = await client.callTool(
    { name: "run_health_check", arguments: { cluster_id: "orders-prod" } },
    undefined,
    { onprogress: (p) => { if (!resolved) progress.push({ progress: p.progress, total: p.total, message: p.message ?? "" }); } },
  );
  resolved = true;
  out.progress = {
    isError: check.isError ?? false,
    checkId: check.structuredContent?.check_id ?? null,
    events: progress,
    logLevels: logs.slice(),
  };

  // Cancellation: abort a check after its first progress event; the server must stay responsive.
  const ac = new AbortController();
  const t0 = Date.now();
  let abortErr = "";
  try {
    await client.callTool(
      { name: "run_health_check", arguments: { cluster_id: "orders-prod" } },
      undefined,
      { signal: ac.signal, onprogress: () => ac.abort("test cancels") },
    );
  } catch (e) {
    abortErr = String(e?.message ?? e);
  }
  const t1 = Date.now();
  const after = await client.callTool({ name: "describe_cluster", arguments: { cluster_id: "billing-pg" } });
  out.cancel = { error: abortErr, abortMs: t1 - t0, followUpOk: !(after.isError ?? false), followUpMs: Date.now() - t1 };

  // Prompts and resources over the real transport.
  const prompts = await client.listPrompts();
  out.prompts = prompts.prompts.map((p) => p.name);
  const daily = await client.getPrompt({ name: "daily_check", arguments: { cluster_id: "orders-prod" } });
  out.dailyCheck = daily.messages?.[0]?.content?.text ?? "";
  const steer = await client.readResource({ uri: "kida://steering/rds-troubleshoot" });
  out.steering = steer.contents?.[0]?.text?.length ?? 0;
  if (out.progress.checkId) {
    const rep = await client.readResource({ uri: `kida://reports/${out.progress.checkId}` });
    out.reportMimeTypes = rep.contents.map((c) => c.mimeType);
  }
  await client.close();
} catch (e) {
  out.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(out));
process.exit(out.error ? 1 : 0);
