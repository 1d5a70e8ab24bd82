// `mlp edit`'s server, in process over HTTP: the token and Host checks, the folder's files
// (never a path outside it), writes refused over a stale version, news of changes made on
// disk, and a run of a real pipeline through the built CLI with its events, rows and logs.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEditServer, type EditServer } from "../../compiler/edit/server";
import { versionOf } from "../../compiler/edit/project";
import { BIN } from "../run-helpers";
import { SHOP, shopFolder } from "./project";

let dir: string;
let editor: string;
let server: EditServer;

/** One request with full control of the headers (fetch would not let a test set Host). */
function call(method: string, path: string, o: { token?: string | null; host?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        method,
        path,
        headers: {
          host: o.host ?? `127.0.0.1:${server.port}`,
          ...(o.token === null ? {} : { "x-mlp-token": o.token ?? server.token }),
          ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c) => (text += c));
        res.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // HTML.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

/** The server's events until `until` says enough (or the time is up). */
function news(until: (seen: any[]) => boolean, ms = 60_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const seen: any[] = [];
    const req = request({ host: "127.0.0.1", port: server.port, path: `/api/events?token=${server.token}`, headers: { host: `127.0.0.1:${server.port}` } }, (res) => {
      let buf = "";
      const timer = setTimeout(() => {
        req.destroy();
        resolve(seen);
      }, ms);
      res.setEncoding("utf8").on("data", (c: string) => {
        buf += c;
        for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith("data: ")) seen.push(JSON.parse(block.slice(6)));
          if (until(seen)) {
            clearTimeout(timer);
            req.destroy();
            resolve(seen);
            return;
          }
        }
      });
    });
    req.on("error", (e) => (e.message.includes("socket hang up") ? resolve(seen) : reject(e)));
    req.end();
  });
}

beforeAll(async () => {
  dir = shopFolder();
  editor = mkdtempSync(join(tmpdir(), "mlp-editor-dist-"));
  writeFileSync(join(editor, "index.html"), "<!doctype html><title>mlp editor</title>");
  server = await startEditServer({ root: dir, editorDir: editor, port: 0, cli: { node: process.execPath, bin: BIN }, pollMs: 100 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(editor, { recursive: true, force: true });
});

describe("mlp edit: access", () => {
  it("answers the API only with the token, and only at its own address", async () => {
    expect((await call("GET", "/api/files", { token: null })).status).toBe(403);
    expect((await call("GET", "/api/files", { token: "0".repeat(48) })).status).toBe(403);
    const rebound = await call("GET", "/api/files", { host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error).toMatch(/own address/);
    expect((await call("GET", "/api/files")).status).toBe(200);
    expect((await call("GET", `/api/files?token=${server.token}`, { token: null })).status).toBe(200);
    // The editor itself is served without the token: it holds nothing of the folder.
    const page = await call("GET", "/", { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain("mlp editor");
  });
});

describe("mlp edit: files", () => {
  it("lists the folder's .mlp files, not those of dependencies or hidden folders", async () => {
    const r = await call("GET", "/api/files");
    expect(r.body.files).toEqual(["lib/sale.mlp", "shop.mlp"]);
    expect(r.body.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("reads a file with its version, and nothing outside the folder or not .mlp", async () => {
    const r = await call("GET", "/api/file?path=shop.mlp");
    expect(r.status).toBe(200);
    expect(r.body.text).toBe(SHOP);
    expect(r.body.version).toBe(versionOf(SHOP));
    symlinkSync("/etc", join(dir, "etc-link"));
    writeFileSync(join(dir, "..", "outside.mlp"), "schema X { a: int }\n");
    for (const bad of ["../outside.mlp", "/etc/passwd", "data/sales.csv", "etc-link/hostname.mlp", "lib/../../outside.mlp", "nope.mlp", ""])
      expect((await call("GET", `/api/file?path=${encodeURIComponent(bad)}`)).status, bad).toBe(404);
    rmSync(join(dir, "etc-link"));
    rmSync(join(dir, "..", "outside.mlp"));
  });

  it("writes over the version it was given, and refuses a write over a file changed since", async () => {
    const v0 = (await call("GET", "/api/file?path=lib/sale.mlp")).body.version as string;
    const mine = readFileSync(join(dir, "lib/sale.mlp"), "utf8").replace("kind:", "kind: ") ;
    const ok = await call("PUT", "/api/file?path=lib/sale.mlp", { body: { text: mine, base: v0 } });
    expect(ok.status).toBe(200);
    expect(readFileSync(join(dir, "lib/sale.mlp"), "utf8")).toBe(mine);
    // Another program changes the file; a save made against the old version must not win.
    writeFileSync(join(dir, "lib/sale.mlp"), "// theirs\n" + mine);
    const stale = await call("PUT", "/api/file?path=lib/sale.mlp", { body: { text: "// lost\n", base: ok.body.version } });
    expect(stale.status).toBe(409);
    expect(stale.body.text).toBe("// theirs\n" + mine);
    expect(readFileSync(join(dir, "lib/sale.mlp"), "utf8")).toBe("// theirs\n" + mine);
    // A new file: base null; but not over an existing one, and never outside the folder.
    expect((await call("PUT", "/api/file?path=more/new.mlp", { body: { text: "schema N { a: int }\n", base: null } })).status).toBe(200);
    expect(readFileSync(join(dir, "more/new.mlp"), "utf8")).toBe("schema N { a: int }\n");
    expect((await call("PUT", "/api/file?path=shop.mlp", { body: { text: "x", base: null } })).status).toBe(409);
    expect((await call("PUT", "/api/file?path=../escape.mlp", { body: { text: "x", base: null } })).status).toBe(400);
    expect((await call("PUT", "/api/file?path=shop.mlp", { body: "not an object" })).status).toBe(400);
    rmSync(join(dir, "more"), { recursive: true });
  });

  it("tells the editor of files changed, added and removed on disk", async () => {
    const heard = news((seen) => seen.some((n) => n.type === "removed"), 20_000);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dir, "shop.mlp"), SHOP + "\n// edited elsewhere\n");
    await new Promise((r) => setTimeout(r, 400));
    writeFileSync(join(dir, "extra.mlp"), "schema E { a: int }\n");
    await new Promise((r) => setTimeout(r, 400));
    rmSync(join(dir, "extra.mlp"));
    const seen = await heard;
    expect(seen).toContainEqual({ type: "changed", path: "shop.mlp", version: versionOf(SHOP + "\n// edited elsewhere\n") });
    expect(seen).toContainEqual({ type: "added", path: "extra.mlp", version: versionOf("schema E { a: int }\n") });
    expect(seen).toContainEqual({ type: "removed", path: "extra.mlp" });
    writeFileSync(join(dir, "shop.mlp"), SHOP);
  });
});

describe("mlp edit: runs", { timeout: 180_000 }, () => {
  it("runs the pipeline with mlp run, passes its events on, then serves rows and logs", async () => {
    const heard = news((seen) => seen.some((n) => n.type === "run-exit"), 150_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call("POST", "/api/run", { body: { path: "shop.mlp" } })).status).toBe(202);
    expect((await call("POST", "/api/run", { body: { path: "shop.mlp" } })).status).toBe(409);
    const seen = await heard;
    const events = seen.filter((n) => n.type === "run").map((n) => n.event);
    expect(events[0]).toMatchObject({ event: "run", pipeline: "shop", steps: ["sales", "clean", "per_store", "halves"] });
    const final = (step: string) => events.filter((e) => e.step === step).at(-1);
    expect(final("clean")).toMatchObject({ status: "ok", rows: 5 });
    expect(final("per_store")).toMatchObject({ status: "ok", rows: 3 });
    expect(events.at(-1)).toMatchObject({ event: "end", status: "succeeded" });
    expect(seen.at(-1)).toMatchObject({ type: "run-exit", code: 0 });

    const rows = await call("GET", "/api/rows?path=shop.mlp&step=per_store&limit=10");
    expect(rows.status).toBe(200);
    expect(rows.body.map((r: { store: string; n: number }) => [r.store, r.n]).sort()).toEqual([["a", 2], ["b", 2], ["c", 1]]);
    const train = await call("GET", "/api/rows?path=shop.mlp&step=halves.train");
    expect(train.status).toBe(200);
    expect((await call("GET", "/api/rows?path=shop.mlp&step=nope")).status).toBe(404);
    expect((await call("GET", "/api/rows?path=shop.mlp&step=a;rm")).status).toBe(400);
    const log = await call("GET", "/api/log?step=clean");
    expect(log.status).toBe(404);
    expect(log.body.error).toMatch(/clean wrote no log: data steps run as SQL on DuckDB/);
    expect((await call("GET", "/api/log?step=never")).body.error).toMatch(/has not run/);
  });

  it("reports a run that does not start: the check's errors come back", async () => {
    writeFileSync(join(dir, "broken.mlp"), SHOP.replace("by     store", "by     stor"));
    // An editor that connects hears the last run again first (it shows its state): skip to this one's end.
    const heard = news((seen) => seen.filter((n) => n.type === "run-exit").length === 2, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call("POST", "/api/run", { body: { path: "broken.mlp" } })).status).toBe(202);
    const exit = (await heard).filter((n) => n.type === "run-exit")[1];
    expect(exit.code).toBe(1);
    expect(exit.message).toMatch(/error\[MLP\d+\].*stor/s);
    rmSync(join(dir, "broken.mlp"));
  });
});

describe("mlp edit: the command", { timeout: 60_000 }, () => {
  it("prints the address with its token, serves it, and stops cleanly on Ctrl+C", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [BIN, "edit", join(dir, "shop.mlp")], { env: { ...process.env, MLP_EDITOR_DIST: editor }, stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        said += c;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=([0-9a-f]{48})&file=shop\.mlp/.exec(said);
        if (m) resolve(`${m[1]}api/files?token=${m[2]}`);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${said}`)));
    });
    const res = await fetch(address);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { files: string[] }).files).toContain("shop.mlp");
    expect((await fetch(address.replace(/token=\w+/, "token=wrong"))).status).toBe(403);
    const code = await new Promise((resolve) => {
      child.on("exit", resolve);
      child.kill("SIGINT");
    });
    expect(code).toBe(0);
  });

  it("refuses what it cannot serve, with one line and exit code 2", async () => {
    const { mlp } = await import("../run-helpers");
    const missing = await mlp(["edit", "no/such/place"], dir, { MLP_EDITOR_DIST: editor });
    expect([missing.status, missing.stderr]).toEqual([2, "mlp: no such file or folder: no/such/place\n"]);
    const csv = await mlp(["edit", "data/sales.csv"], dir, { MLP_EDITOR_DIST: editor });
    expect([csv.status, csv.stderr]).toEqual([2, "mlp: edit takes a .mlp file or a folder, not data/sales.csv\n"]);
    const port = await mlp(["edit", "--port", "http"], dir);
    expect([port.status, port.stderr]).toEqual([2, "mlp: --port takes a port number (0-65535), not http\n"]);
    const dist = await mlp(["edit", "."], dir, { MLP_EDITOR_DIST: join(dir, "data") });
    expect(dist.status).toBe(2);
    expect(dist.stderr).toMatch(/^mlp: MLP_EDITOR_DIST=.* holds no built editor/);
  });
});
