// The VS Code extension as CI builds it: the .vsix and what it holds (manifest, grammar,
// language configuration, snippets, client entry, the bundled server and the graph editor),
// the bundled server answering over stdio, and the graph webview's protocol with the
// extension driven in Debian's chromium (a stand-in for VS Code's webview API).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from "vscode-languageserver-protocol/node";
// @ts-expect-error plain ESM helper without types
import { buildExtension } from "../../editor/vscode/build.mjs";
// @ts-expect-error plain ESM helper without types
import { CHROMIUM, launch } from "../../editor/scripts/browser.mjs";
// @ts-expect-error plain ESM helper without types
import { serve } from "../../editor/scripts/serve.mjs";
import { SHOP, SALE } from "../edit/project";
import { isWorkerScript, webviewHtml } from "../../editor/vscode/src/webview";

const HERE = new URL("../../editor/vscode/", import.meta.url).pathname;
let vsix: string;
let files: string[];

/** A file of the .vsix (a zip), read with Python's zipfile: no zip library in node's core. */
const unzip = (name: string) => execFileSync("python3", ["-c", "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))", vsix, name]).toString("utf8");

beforeAll(async () => {
  vsix = await buildExtension();
  files = execFileSync("python3", ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", vsix], { encoding: "utf8" }).trim().split("\n");
}, 300_000);

describe("the VS Code extension", { timeout: 120_000 }, () => {
  it("packages the manifest, grammar, language configuration, snippets, client, server and graph editor", () => {
    const manifest = JSON.parse(unzip("extension/package.json"));
    const root = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(manifest.version).toBe(root.version);
    expect(manifest.contributes.languages[0]).toMatchObject({ id: "mlp", extensions: [".mlp"] });
    expect(manifest.activationEvents).toEqual(["onLanguage:mlp"]);
    expect(manifest.contributes.commands.map((c: { command: string }) => c.command)).toEqual(["mlp.openGraph"]);
    for (const path of [manifest.main, manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration, manifest.contributes.snippets[0].path, "./dist/server.js", "./graph/index.html"])
      expect(files, path).toContain(`extension/${path.replace(/^\.\//, "")}`);
    // Nothing of the build's inputs ships.
    expect(files.filter((f) => f.includes("/src/") || f.endsWith(".ts") || f.includes("node_modules"))).toEqual([]);
    const client = unzip("extension/dist/extension.js");
    expect(client).toContain("mlp.openGraph");
    expect(client).toMatch(/require\("vscode"\)/);
  });

  it("has a grammar whose patterns compile and mark the language's parts", () => {
    const grammar = JSON.parse(unzip("extension/syntaxes/mlp.tmLanguage.json"));
    expect(grammar.scopeName).toBe("source.mlp");
    const regexes: [string, RegExp][] = [];
    const walk = (x: unknown, key = ""): void => {
      if (Array.isArray(x)) x.forEach((y) => walk(y));
      else if (x && typeof x === "object") for (const [k, v] of Object.entries(x)) walk(v, k);
      else if (typeof x === "string" && ["match", "begin", "end"].includes(key)) regexes.push([x, new RegExp(x, "m")]);
    };
    walk(grammar);
    expect(regexes.length).toBeGreaterThan(8);
    const step = new RegExp(grammar.repository.step.match, "m").exec("cleanse clean(sales) {");
    expect(step?.slice(1, 3)).toEqual(["cleanse", "clean"]);
    expect(new RegExp(grammar.repository.number.match).exec("window = 30d")?.[0]).toBe("30d");
    expect(new RegExp(grammar.repository.comment.match).exec('uri = "x" // where')?.[0]).toBe("// where");
    const snippets = JSON.parse(unzip("extension/snippets/mlp.json"));
    expect(Object.keys(snippets)).toEqual(expect.arrayContaining(["source", "cleanse", "train", "deploy"]));
    expect(snippets.source.body[1]).toMatch(/^ {2}format = \$\{\d+\|parquet,csv,json/);
  });

  it("ships a server that answers over stdio on its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlp-vsix-"));
    writeFileSync(join(dir, "a.mlp"), SHOP.replace('import { Sale } from "lib/sale.mlp"', SALE).replace("by     store", "by     stor"));
    const server = spawn(process.execPath, [join(HERE, "dist/server.js"), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    try {
      const client = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
      const got = new Promise<PublishDiagnosticsParams>((resolve) => client.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => resolve(p)));
      client.listen();
      const init = (await client.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {} })) as { capabilities: { hoverProvider: boolean } };
      expect(init.capabilities.hoverProvider).toBe(true);
      await client.sendNotification("initialized", {});
      await client.sendNotification("textDocument/didOpen", { textDocument: { uri: pathToFileURL(join(dir, "a.mlp")).href, languageId: "mlp", version: 1, text: readFileSync(join(dir, "a.mlp"), "utf8") } });
      const d = await got;
      expect(d.diagnostics.some((x) => x.severity === 1 && /did you mean `store`/.test(String(x.message)))).toBe(true);
      client.dispose();
    } finally {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))("the graph webview", { timeout: 120_000 }, () => {
  let server: { url: string; close(): Promise<void> };
  let browser: { context: import("playwright-core").BrowserContext; close(): Promise<void> };
  beforeAll(async () => {
    server = await serve(join(HERE, "graph"));
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("starts the editor's workers when the page and its assets have different origins, as in VS Code: auto-layout runs", async () => {
    // VS Code's resource loader serves the assets (and lets the page read them); the page itself
    // is on the webview's own origin. Here: two servers on two ports.
    const graph = join(HERE, "graph");
    const assets = await httpServer((path) => (path && existsSync(join(graph, path)) ? readFileSync(join(graph, path)) : undefined), true);
    const workers = Object.fromEntries(readdirSync(join(graph, "assets")).filter(isWorkerScript).map((f) => [f, readFileSync(join(graph, "assets", f), "utf8")]));
    expect(Object.keys(workers).length).toBe(2);
    const html = webviewHtml(readFileSync(join(graph, "index.html"), "utf8"), { assetUri: (rel) => `${assets.url}/${rel}`, cspSource: assets.url, nonce: "bm9uY2U", workers });
    const site = await httpServer(() => Buffer.from(html), false);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.addInitScript(() => {
        const w = window as unknown as { posted: unknown[]; acquireVsCodeApi(): { postMessage(m: unknown): void } };
        w.posted = [];
        w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.posted.push(m) });
      });
      await page.goto(`${site.url}/`);
      const posted = () => page.evaluate(() => (window as unknown as { posted: { type: string; text?: string }[] }).posted);
      await expect.poll(async () => (await posted()).map((m) => m.type)).toEqual(["mlp.ready"]);
      await page.evaluate(([shop, sale]) => window.postMessage({ type: "mlp.open", active: "shop.mlp", files: { "shop.mlp": shop, "lib/sale.mlp": sale } }, "*"), [SHOP, SALE]);
      await page.locator('[data-testid="node-per_store"]').waitFor().catch((e: Error) => {
        throw new Error(`${e.message}; page errors: ${JSON.stringify(errors)}`);
      });
      await page.locator('[data-testid="auto-layout"]').click();
      // Without blobs: "Failed to construct 'Worker': Script at '…' cannot be accessed from origin '…'".
      await expect.poll(() => errors, { timeout: 15_000 }).toEqual([]);
      await expect.poll(async () => (await posted()).filter((m) => m.type === "mlp.edit").at(-1)?.text ?? "", { timeout: 15_000 }).toMatch(/\nlayout \{/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await site.close();
      await assets.close();
    }
  });

  it("shows the document the extension sends, follows its changes, and sends graph edits back", async () => {
    const page = await browser.context.newPage();
    // VS Code's webview API: what the page posts is kept for the test to read.
    await page.addInitScript(() => {
      const w = window as unknown as { posted: unknown[]; acquireVsCodeApi(): { postMessage(m: unknown): void } };
      w.posted = [];
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.posted.push(m) });
    });
    await page.goto(server.url);
    const posted = () => page.evaluate(() => (window as unknown as { posted: { type: string; path?: string; text?: string }[] }).posted);
    await expect.poll(async () => (await posted()).map((m) => m.type)).toEqual(["mlp.ready"]);
    await page.evaluate(([shop, sale]) => window.postMessage({ type: "mlp.open", active: "shop.mlp", files: { "shop.mlp": shop, "lib/sale.mlp": sale } }, "*"), [SHOP, SALE]);
    await page.locator('[data-testid="node-per_store"]').waitFor();
    // No samples and no autosave inside VS Code: only the document.
    expect(await page.locator('[data-testid="node-churn_api"]').count()).toBe(0);
    // The text changes in VS Code: the graph follows, and nothing is sent back for it.
    await page.evaluate((text) => window.postMessage({ type: "mlp.text", path: "shop.mlp", text }, "*"), SHOP.replace("per_store", "by_store").replace("per_store", "by_store"));
    await page.locator('[data-testid="node-by_store"]').waitFor();
    await page.waitForTimeout(400);
    expect((await posted()).filter((m) => m.type === "mlp.edit")).toEqual([]);
    // A graph edit: delete a step; its text goes back to the document.
    await page.locator('[data-testid="node-halves"]').click();
    await page.keyboard.press("Delete");
    await expect.poll(async () => (await posted()).filter((m) => m.type === "mlp.edit").length, { timeout: 10_000 }).toBe(1);
    const edit = (await posted()).find((m) => m.type === "mlp.edit")!;
    expect(edit.path).toBe("shop.mlp");
    expect(edit.text).not.toContain("split halves");
    expect(edit.text).toContain("aggregate by_store(clean)");
    await page.close();
  });
});

/** A server on 127.0.0.1 answering each path with `body(path)` (404 when undefined); `cors` lets other origins read it. */
async function httpServer(body: (path: string) => Buffer | undefined, cors: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { js: "text/javascript", css: "text/css", html: "text/html" };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    const data = body(path.includes("..") ? "" : path);
    if (!data) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.split(".").pop() ?? ""] ?? "text/html", ...(cors ? { "access-control-allow-origin": "*" } : {}) });
    res.end(data);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  // The browser keeps its connections open: closed here, or close() would wait for them.
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => (server.close(() => r()), server.closeAllConnections())) };
}
