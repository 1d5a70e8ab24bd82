// The language server on a large file (issue 12): `mlp lsp` as a process, the file opened,
// the first check awaited, then each kind of request timed (median of several). Goal: every
// request within 50 ms once the first check is done. Used by run.mjs; runnable on its own:
// `node test/bench/lsp.mjs FILE` (after `npm run build`).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";

export const MAX_REQUEST_MS = 50;

/** Position of the first `find` after `from` in `text`. */
function pos(text, find, from = 0, delta = 1) {
  const at = text.indexOf(find, from) + delta;
  const before = text.slice(0, at).split("\n");
  return { line: before.length - 1, character: before.at(-1).length };
}

export async function benchLsp(cli, file, runs = 7) {
  const text = readFileSync(file, "utf8");
  const uri = pathToFileURL(file).href;
  const server = spawn(process.execPath, [cli, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const client = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const checked = new Promise((resolve) => client.onNotification("textDocument/publishDiagnostics", resolve));
  client.listen();
  await client.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  await client.sendNotification("initialized", {});
  const t0 = performance.now();
  await client.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mlp", version: 1, text } });
  await checked;
  const firstCheckMs = performance.now() - t0;
  // Cursors deep in the file: the middle of it, where a step reads another.
  const middle = text.indexOf("\ncleanse ", Math.floor(text.length / 2));
  const step = pos(text, "cleanse ", middle, 10);
  const input = pos(text, "(", middle, 2);
  const doc = { textDocument: { uri } };
  const requests = {
    hover: () => client.sendRequest("textDocument/hover", { ...doc, position: step }),
    definition: () => client.sendRequest("textDocument/definition", { ...doc, position: input }),
    references: () => client.sendRequest("textDocument/references", { ...doc, position: step, context: { includeDeclaration: true } }),
    completion: () => client.sendRequest("textDocument/completion", { ...doc, position: input }),
    documentSymbol: () => client.sendRequest("textDocument/documentSymbol", doc),
    rename: () => client.sendRequest("textDocument/rename", { ...doc, position: step, newName: "renamed_step" }),
  };
  const medians = {};
  for (const [name, send] of Object.entries(requests)) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await send();
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    medians[name] = samples[samples.length >> 1];
  }
  // Typing: a digit inserted into a number of a filter in the middle of the file, then a hover
  // at once (answered on the text as edited: the document is checked again first).
  const filter = text.indexOf("filter ", middle);
  const digitAt = pos(text, "", text.slice(filter).search(/\d/) + filter, 0);
  const samples = [];
  let version = 1;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await client.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: digitAt, end: digitAt }, text: "1" }],
    });
    await client.sendRequest("textDocument/hover", { ...doc, position: step });
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  medians["hover after an edit"] = samples[samples.length >> 1];
  await client.sendRequest("shutdown");
  await client.sendNotification("exit");
  client.dispose();
  return { firstCheckMs, medians };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchLsp(new URL("../../compiler/bin/mlp.mjs", import.meta.url).pathname, process.argv[2]);
  console.log(`first check ${r.firstCheckMs.toFixed(0)} ms`);
  for (const [k, v] of Object.entries(r.medians)) console.log(`  ${k.padEnd(16)} ${v.toFixed(1)} ms${v <= MAX_REQUEST_MS ? "" : "  (over 50 ms)"}`);
}
