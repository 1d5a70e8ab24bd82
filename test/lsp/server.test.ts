// `mlp lsp` as an editor drives it: a real server process (the built CLI) over stdio and a
// client from vscode-languageserver-protocol, through initialize, open, edit, diagnostics,
// hover, definition, references, rename, symbols, completion, formatting, code actions and
// shutdown; a malformed message or a failing request must not take the server down.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams } from "vscode-languageserver-protocol/node";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { BIN } from "../run-helpers";
import { SALE, SHOP } from "../edit/project";

const dir = mkdtempSync(join(tmpdir(), "mlp-lsp-"));
mkdirSync(join(dir, "lib"));
writeFileSync(join(dir, "shop.mlp"), SHOP);
writeFileSync(join(dir, "lib/sale.mlp"), SALE);

let server: ChildProcess;
let client: ProtocolConnection;
let stderr = "";
const published = new Map<string, PublishDiagnosticsParams[]>();
const versions = new Map<string, number>();

const uri = (name: string) => pathToFileURL(join(dir, name)).href;
/** The position of `find` in `text` (plus `delta` characters). */
const pos = (text: string, find: string, delta = 0) => {
  const at = text.indexOf(find);
  if (at < 0) throw new Error(`not in the text: ${find}`);
  const before = text.slice(0, at + delta).split("\n");
  return { line: before.length - 1, character: before.at(-1)!.length };
};
const doc = (name: string, text: string) => ({ textDocument: { uri: uri(name) }, position: pos(text, "") });

/** Diagnostics published for `name` after it had `seen` publications. */
async function diagnosticsOf(name: string, seen: number): Promise<PublishDiagnosticsParams> {
  for (let i = 0; i < 400; i++) {
    const list = published.get(uri(name)) ?? [];
    if (list.length > seen) return list.at(-1)!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no diagnostics for ${name}; server said: ${stderr}`);
}
const count = (name: string) => published.get(uri(name))?.length ?? 0;

function open(name: string, text: string): void {
  versions.set(name, 1);
  void client.sendNotification("textDocument/didOpen", { textDocument: { uri: uri(name), languageId: "mlp", version: 1, text } });
}
function change(name: string, text: string): void {
  const v = (versions.get(name) ?? 1) + 1;
  versions.set(name, v);
  void client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(name), version: v }, contentChanges: [{ text }] });
}
const at = (name: string, text: string, find: string, delta = 1) => ({ textDocument: { uri: uri(name) }, position: pos(text, find, delta) });

afterAll(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe("mlp lsp", { timeout: 60_000 }, () => {
  it("initializes and says what it can do", async () => {
    server = spawn(process.execPath, [BIN, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    server.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    client = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    client.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
      published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    });
    client.listen();
    const init = (await client.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} })) as { capabilities: Record<string, unknown>; serverInfo: { name: string } };
    for (const c of ["hoverProvider", "definitionProvider", "referencesProvider", "renameProvider", "documentSymbolProvider", "documentFormattingProvider", "completionProvider", "codeActionProvider"]) expect(init.capabilities[c], c).toBeTruthy();
    expect(init.serverInfo.name).toBe("mlp");
    await client.sendNotification("initialized", {});
  });

  it("publishes diagnostics with codes when a file opens, and again as it is edited", async () => {
    open("shop.mlp", SHOP);
    const first = await diagnosticsOf("shop.mlp", 0);
    expect(first.diagnostics.map((d) => [d.code, d.severity])).toEqual([["MLP0602", 2], ["MLP0602", 2]]);
    expect(first.diagnostics[0]!.message).toMatch(/the output of `per_store` is never used\n.*help: read it in a later step/s);
    const broken = SHOP.replace("by     store", "by     stor");
    const n = count("shop.mlp");
    change("shop.mlp", broken);
    const after = await diagnosticsOf("shop.mlp", n);
    const error = after.diagnostics.find((d) => d.severity === 1)!;
    expect(error.message).toMatch(/stor.*did you mean `store`\?/s);
    expect(error.range.start).toEqual(pos(broken, "stor\n"));
    // The quick fix the help suggests.
    const actions = (await client.sendRequest("textDocument/codeAction", { textDocument: { uri: uri("shop.mlp") }, range: error.range, context: { diagnostics: [error] } })) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
    expect(actions.map((a) => a.title)).toEqual(["Change to `store`"]);
    expect(actions[0]!.edit.changes[uri("shop.mlp")]![0]!.newText).toBe("store");
    const m = count("shop.mlp");
    change("shop.mlp", SHOP);
    expect((await diagnosticsOf("shop.mlp", m)).diagnostics.every((d) => d.severity === 2)).toBe(true);
  });

  it("hovers: a step's output schema, a column's type where it is read, a function", async () => {
    const step = (await client.sendRequest("textDocument/hover", at("shop.mlp", SHOP, "aggregate per_store", 12))) as { contents: { value: string } };
    expect(step.contents.value).toContain("aggregate per_store: Table");
    expect(step.contents.value).toContain("total: float");
    const column = (await client.sendRequest("textDocument/hover", at("shop.mlp", SHOP, "amount > 5.0"))) as { contents: { value: string } };
    expect(column.contents.value).toContain("amount: float");
    const call = (await client.sendRequest("textDocument/hover", at("shop.mlp", SHOP, "sum(amount)"))) as { contents: { value: string } };
    expect(call.contents.value).toMatch(/sum\(/);
    const kind = (await client.sendRequest("textDocument/hover", at("shop.mlp", SHOP, "cleanse clean"))) as { contents: { value: string } };
    expect(kind.contents.value).toMatch(/\*\*cleanse\*\*/);
  });

  it("explains the diagnostic under the cursor, and fixes a dedupe without keep", async () => {
    const text = SHOP.replace("  fill   amount = 0.0\n", "  fill   amount = 0.0\n  dedupe by store // one row per store\n");
    const n = count("shop.mlp");
    change("shop.mlp", text);
    const d = (await diagnosticsOf("shop.mlp", n)).diagnostics.find((x) => x.code === "MLP0605")!;
    expect(d).toBeDefined();
    const h = (await client.sendRequest("textDocument/hover", at("shop.mlp", text, "dedupe by", 2))) as { contents: { value: string } };
    expect(h.contents.value).toMatch(/\*\*MLP0605\*\*: `dedupe by COLS` without `keep latest COL`/);
    const actions = (await client.sendRequest("textDocument/codeAction", { textDocument: { uri: uri("shop.mlp") }, range: d.range, context: { diagnostics: [d] } })) as { title: string; edit: { changes: Record<string, { newText: string; range: { start: { character: number } } }[]> } }[];
    expect(actions.map((a) => a.title)).toEqual(["Add `keep latest sold_at`", "Add `keep earliest sold_at`"]);
    const e = actions[0]!.edit.changes[uri("shop.mlp")]![0]!;
    // At the end of the operation, before its comment.
    expect([e.newText, e.range.start.character]).toEqual([" keep latest sold_at", "  dedupe by store".length]);
    change("shop.mlp", SHOP);
  });

  it("rewrites the leakage warning to `every` + `asof` as a quick fix", async () => {
    const text = [
      "pipeline p {}",
      "schema Sale {\n  sku:     string\n  units:   int\n  sold_at: timestamp\n}",
      "schema Label {\n  sku:  string\n  week: timestamp\n  next: int\n}",
      'source sales: Table<Sale> {\n  uri    = "s3://s/"\n  format = parquet\n}',
      'source labels: Table<Label> {\n  uri    = "s3://l/"\n  format = parquet\n}',
      "aggregate sales_28d(sales) {\n  by     sku\n  window = 28d\n  units_28d: int = sum(units)\n}",
      "join rows(labels, sales_28d) {\n  on = sku\n}",
      "split parts(rows) {\n  train = 0.8\n  test  = 0.2\n}",
      'train model(parts.train) {\n  framework = sklearn\n  entry     = "train.py"\n  label     = next\n}',
    ].join("\n\n") + "\n";
    const n = count("leak.mlp");
    open("leak.mlp", text);
    const d = (await diagnosticsOf("leak.mlp", n)).diagnostics.find((x) => x.code === "MLP0606")!;
    expect(d.range.start).toEqual(pos(text, "rows(labels"));
    const actions = (await client.sendRequest("textDocument/codeAction", { textDocument: { uri: uri("leak.mlp") }, range: d.range, context: { diagnostics: [d] } })) as {
      title: string;
      edit: { changes: Record<string, { newText: string; range: { start: { line: number; character: number } } }[]> };
    }[];
    expect(actions.map((a) => a.title)).toEqual(["Compute `sales_28d` every 7d and join it as of `week`"]);
    const edits = actions[0]!.edit.changes[uri("leak.mlp")]!;
    expect(edits.map((e) => [e.newText, e.range.start])).toEqual([
      ["\n  every  = 7d", pos(text, "window = 28d", "window = 28d".length)],
      ["\n  asof = week >= window_end", pos(text, "on = sku", "on = sku".length)],
    ]);
  });

  it("goes to definitions: a step, a schema in another file, a column back to its schema field", async () => {
    const step = (await client.sendRequest("textDocument/definition", at("shop.mlp", SHOP, "per_store(clean)", 11))) as { uri: string; range: { start: unknown } };
    expect(step.uri).toBe(uri("shop.mlp"));
    expect(step.range.start).toEqual(pos(SHOP, "clean(sales)"));
    const schema = (await client.sendRequest("textDocument/definition", at("shop.mlp", SHOP, "Table<Sale>", 7))) as { uri: string; range: { start: unknown } };
    expect(schema.uri).toBe(uri("lib/sale.mlp"));
    expect(schema.range.start).toEqual(pos(SALE, "Sale"));
    const column = (await client.sendRequest("textDocument/definition", at("shop.mlp", SHOP, "by     store", 8))) as { uri: string; range: { start: unknown } };
    expect(column.uri).toBe(uri("lib/sale.mlp"));
    expect(column.range.start).toEqual(pos(SALE, "store:"));
  });

  it("finds references and renames a step everywhere it is named", async () => {
    const refs = (await client.sendRequest("textDocument/references", { ...at("shop.mlp", SHOP, "cleanse clean", 9), context: { includeDeclaration: true } })) as unknown[];
    expect(refs).toHaveLength(3);
    const edit = (await client.sendRequest("textDocument/rename", { ...at("shop.mlp", SHOP, "cleanse clean", 9), newName: "cleaned" })) as { changes: Record<string, { newText: string }[]> };
    expect(edit.changes[uri("shop.mlp")]!.map((e) => e.newText)).toEqual(["cleaned", "cleaned", "cleaned"]);
    await expect(client.sendRequest("textDocument/rename", { ...at("shop.mlp", SHOP, "cleanse clean", 9), newName: "1bad" })).rejects.toThrow(/is not a name/);
    await expect(client.sendRequest("textDocument/rename", { ...at("shop.mlp", SHOP, "cleanse clean", 9), newName: "halves" })).rejects.toThrow(/already declared/);
  });

  it("colours by meaning: semantic tokens", async () => {
    const init = (await client.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri: uri("shop.mlp") } })) as { data: number[] };
    // Decode LSP's relative encoding, then read back each token's text.
    const lines = SHOP.split("\n");
    const legend = ["keyword", "type", "function", "variable", "property", "string", "number", "comment", "operator", "class"];
    const seen = new Map<string, string>();
    let line = 0;
    let char = 0;
    for (let i = 0; i < init.data.length; i += 5) {
      const [dl, dc, len, type, mods] = init.data.slice(i, i + 5) as [number, number, number, number, number];
      line += dl;
      char = dl ? dc : char + dc;
      const word = lines[line]!.slice(char, char + len);
      if (!seen.has(word)) seen.set(word, legend[type]! + (mods & 1 ? "+declaration" : ""));
    }
    expect(seen.get("cleanse")).toBe("class");
    expect(seen.get("clean")).toBe("function+declaration");
    expect(seen.get("fill")).toBe("keyword");
    expect(seen.get("uri")).toBe("property");
    expect(seen.get("sum")).toBe("function");
    expect(seen.get('"s3://lake/sales/"')).toBe("string");
    expect(seen.get("30d")).toBe("number");
    expect(seen.get("// A shop's sales, cleaned and summed per store.")).toBe("comment");
    expect(seen.get("Table")).toBe("type");
  });

  it("lists the declarations as symbols", async () => {
    const syms = (await client.sendRequest("textDocument/documentSymbol", { textDocument: { uri: uri("shop.mlp") } })) as { name: string; detail: string }[];
    expect(syms.map((s) => `${s.detail} ${s.name}`)).toEqual(["pipeline shop", "from lib/sale.mlp Sale", "source sales", "cleanse clean", "aggregate per_store", "split halves", "target local"]);
    // Asked again: the same answer from the bytes encoded once, whatever the request's id.
    expect(await client.sendRequest("textDocument/documentSymbol", { textDocument: { uri: uri("shop.mlp") } })).toEqual(syms);
    // After an edit: the outline of the new text, not the bytes kept for the old one.
    const text = SHOP.replace("cleanse clean", "cleanse scrubbed").replace("per_store(clean)", "per_store(scrubbed)");
    change("shop.mlp", text);
    const edited = (await client.sendRequest("textDocument/documentSymbol", { textDocument: { uri: uri("shop.mlp") } })) as { name: string }[];
    expect(edited.map((s) => s.name)).toContain("scrubbed");
    change("shop.mlp", SHOP);
  });

  it("completes what fits where the cursor is", async () => {
    const labels = async (text: string, find: string, delta: number) => {
      change("shop.mlp", text);
      const items = (await client.sendRequest("textDocument/completion", at("shop.mlp", text, find, delta))) as { label: string }[];
      return items.map((i) => i.label);
    };
    // A new line in a cleanse body: its operations.
    const body = SHOP.replace("  fill   amount = 0.0\n", "  fill   amount = 0.0\n  \n");
    expect(await labels(body, "0.0\n  \n", 6)).toEqual(expect.arrayContaining(["filter", "derive", "drop", "rename"]));
    // In an expression: the input's columns and the functions.
    const expr = SHOP.replace("derive big = amount > 5.0", "derive big = ");
    expect(await labels(expr, "derive big = ", 13)).toEqual(expect.arrayContaining(["amount", "store", "sold_at", "lower", "coalesce"]));
    // A setting's values.
    const value = SHOP.replace("format = parquet", "format = ");
    expect(await labels(value, "format = ", 9)).toEqual(expect.arrayContaining(["parquet", "csv", "json"]));
    // The inputs of a step: the other steps.
    const inputs = SHOP.replace("aggregate per_store(clean)", "aggregate per_store(");
    expect(await labels(inputs, "per_store(", 10)).toEqual(expect.arrayContaining(["sales", "clean", "halves"]));
    // The top level: declarations and step kinds.
    expect(await labels(SHOP + "\n", "}\n", 2 + SHOP.length - SHOP.indexOf("}\n") - 0)).toEqual(expect.arrayContaining(["schema", "source", "train"]));
    change("shop.mlp", SHOP);
  });

  it("formats with the formatter, and leaves text that does not parse alone", async () => {
    const messy = 'import { Sale } from "lib/sale.mlp"\nsource   sales : Table<Sale> {\nuri="s3://x/"\n   format=parquet }\n';
    open("messy.mlp", messy);
    const edits = (await client.sendRequest("textDocument/formatting", { textDocument: { uri: uri("messy.mlp") }, options: { tabSize: 2, insertSpaces: true } })) as { newText: string }[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(format(parse(messy).ast));
    change("messy.mlp", messy + "source {");
    expect(await client.sendRequest("textDocument/formatting", { textDocument: { uri: uri("messy.mlp") }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it("re-checks a file when a file it imports changes", async () => {
    open("lib/sale.mlp", SALE);
    await diagnosticsOf("lib/sale.mlp", 0);
    const n = count("shop.mlp");
    change("lib/sale.mlp", SALE.replace("store:", "shop_id:"));
    const after = await diagnosticsOf("shop.mlp", n);
    expect(after.diagnostics.some((d) => d.severity === 1 && /store/.test(String(d.message)))).toBe(true);
    change("lib/sale.mlp", SALE);
  });

  it("renames a schema from the library that declares it, in the open files importing it too", async () => {
    change("shop.mlp", SHOP);
    const place = { ...at("lib/sale.mlp", SALE, "schema Sale", 7) };
    const refs = (await client.sendRequest("textDocument/references", { ...place, context: { includeDeclaration: true } })) as { uri: string }[];
    // shop.mlp and messy.mlp (open since the formatting test) import it: `import { Sale }` and `Table<Sale>`.
    expect(refs.map((r) => r.uri)).toEqual([uri("lib/sale.mlp"), uri("messy.mlp"), uri("messy.mlp"), uri("shop.mlp"), uri("shop.mlp")]);
    const edit = (await client.sendRequest("textDocument/rename", { ...place, newName: "Purchase" })) as { changes: Record<string, { newText: string }[]> };
    expect(Object.fromEntries(Object.entries(edit.changes).map(([u, es]) => [u, es.length]))).toEqual({ [uri("lib/sale.mlp")]: 1, [uri("messy.mlp")]: 2, [uri("shop.mlp")]: 2 });
    // A name an importer already uses would clash there.
    await expect(client.sendRequest("textDocument/rename", { ...place, newName: "clean" })).rejects.toThrow(/`clean` is already declared in .*shop\.mlp/);
  });

  it("survives a malformed message and a failing request, then shuts down cleanly", async () => {
    server.stdin!.write("Content-Length: 9\r\n\r\n{not json");
    await expect(client.sendRequest("textDocument/hover", { textDocument: { uri: uri("shop.mlp") } })).rejects.toThrow(/hover failed/);
    const still = (await client.sendRequest("textDocument/hover", at("shop.mlp", SHOP, "cleanse clean", 9))) as { contents: { value: string } } | null;
    expect(still?.contents.value).toContain("cleanse clean");
    expect(stderr).toBe("");
    await client.sendRequest("shutdown");
    const code = await new Promise((resolve) => {
      server.on("exit", resolve);
      void client.sendNotification("exit");
    });
    expect(code).toBe(0);
  });
});
