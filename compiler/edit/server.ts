// `mlp edit`: the editor served for a folder on disk, on 127.0.0.1 only, and an API for it:
// the folder's .mlp files (read, and written only over the version the editor last saw),
// news of files changed on disk (server-sent events), and runs of a pipeline through
// `mlp run --format json` in a child process, with each step's rows, state and log.
//
// Other local users (and web pages in this browser) must not reach the files: every API
// call carries a random token that only the printed address holds, and requests whose Host
// is not this server's own address are refused (a DNS-rebinding page has another Host).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, isAbsolute, join, normalize, sep } from "node:path";
import { Project, versionOf, watchProject, type Change } from "./project";

export interface EditOptions {
  /** The folder whose .mlp files are served. */
  root: string;
  /** The built editor (index.html and its assets). */
  editorDir: string;
  /** 0: a free port. */
  port: number;
  /** How to start this CLI again, for runs and row previews. */
  cli: { node: string; bin: string };
  /** How often the folder is polled for changes, in ms. */
  pollMs?: number;
}

export interface EditServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Request bodies above this are refused: a .mlp file is text, and 64 MB is far past any. */
const MAX_BODY = 64 * 1024 * 1024;
/** What is kept of a run's stderr (its diagnostics when the check fails). */
const MAX_STDERR = 64 * 1024;
/** What is sent of a step's log: its end. */
const MAX_LOG = 256 * 1024;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the editor hears: file news and run progress, one JSON object per event. */
type News =
  | Change
  // Which file a run is of (relative to the folder), before its events: its states belong to that file's graph only.
  | { type: "run-start"; path: string }
  | { type: "run"; event: Record<string, unknown> }
  | { type: "run-exit"; code: number | null; message: string };

export async function startEditServer(o: EditOptions): Promise<EditServer> {
  const project = new Project(o.root);
  const token = randomBytes(24).toString("hex");
  const listeners = new Set<ServerResponse>();
  const broadcast = (n: News) => {
    const data = `data: ${JSON.stringify(n)}\n\n`;
    for (const res of listeners) res.write(data);
  };
  const watcher = watchProject(project, broadcast, o.pollMs ?? 500);
  const runs = new Runs(project, o.cli, broadcast);
  let port = o.port;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    });
  });

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const given = req.headers["x-mlp-token"] ?? url.searchParams.get("token") ?? "";
    const a = Buffer.from(String(given));
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page on another name that resolves here (DNS rebinding) sends its own Host.
    const host = req.headers.host ?? "";
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(403, "this server answers only at its own address");
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (!url.pathname.startsWith("/api/")) return serveStatic(o.editorDir, url.pathname, res);
    if (!authorised(req, url)) throw new HttpError(403, "missing or wrong token: open the address `mlp edit` printed");
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /api/files":
        return json(res, 200, { root: project.root.split(sep).pop(), id: versionOf(project.root), files: [...project.scan().keys()] });
      case "GET /api/file": {
        const path = url.searchParams.get("path");
        const r = project.resolve(path) && project.read(path!);
        if (!r) throw new HttpError(404, `no .mlp file ${path} in the folder`);
        return json(res, 200, { path, ...r });
      }
      case "PUT /api/file": {
        const path = url.searchParams.get("path");
        if (!project.resolve(path)) throw new HttpError(400, `not a .mlp file in the folder: ${path}`);
        const body = await readJson(req);
        if (typeof body.text !== "string" || (body.base !== null && typeof body.base !== "string")) throw new HttpError(400, "expected { text, base }");
        const r = project.write(path!, body.text, body.base);
        if (!r.ok) return json(res, 409, r.conflict);
        watcher.known(path!, r.version);
        broadcast({ type: "changed", path: path!, version: r.version });
        return json(res, 200, { version: r.version });
      }
      case "GET /api/events":
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
        res.write(": mlp edit\n\n");
        listeners.add(res);
        for (const n of runs.replay()) res.write(`data: ${JSON.stringify(n)}\n\n`);
        req.on("close", () => listeners.delete(res));
        return;
      case "POST /api/run": {
        const body = await readJson(req);
        const file = project.resolve(body.path);
        if (!file) throw new HttpError(400, `not a .mlp file in the folder: ${String(body.path)}`);
        if (body.variant !== undefined && (typeof body.variant !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(body.variant))) throw new HttpError(400, "variant must be a name");
        if (!runs.start(file, String(body.path), body.variant as string | undefined)) throw new HttpError(409, "a run is going on; stop it first");
        return json(res, 202, { started: true });
      }
      case "POST /api/stop":
        return json(res, 200, { stopped: runs.stop() });
      case "GET /api/rows": {
        const file = project.resolve(url.searchParams.get("path"));
        const step = url.searchParams.get("step") ?? "";
        if (!file) throw new HttpError(400, "not a .mlp file in the folder");
        if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(step)) throw new HttpError(400, "step must be STEP or STEP.PORT");
        const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get("limit") ?? 100) || 100));
        const r = await capture(o.cli, ["show", file, step, "--format", "json", "--limit", String(limit)], project.root);
        if (r.code !== 0) throw new HttpError(404, r.stderr.replace(/^mlp: /, "").trim() || `mlp show exited with ${r.code}`);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(r.stdout);
        return;
      }
      case "GET /api/log": {
        const step = url.searchParams.get("step") ?? "";
        const of = url.searchParams.get("path");
        // A step of another file than the one run has no log from this run, even under the same name.
        const log = of === null || of === runs.file ? runs.logOf(step) : undefined;
        if (log === undefined) throw new HttpError(404, `${step} has not run since mlp edit started`);
        if (log === null) throw new HttpError(404, `${step} wrote no log: data steps run as SQL on DuckDB (mlp compile --target local shows it); Python steps log here`);
        return json(res, 200, { step, text: tail(log, MAX_LOG) });
      }
      default:
        throw new HttpError(404, `no such API: ${route}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    port,
    close: async () => {
      watcher.stop();
      runs.stop();
      for (const res of listeners) res.end();
      listeners.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** One run at a time: `mlp run FILE --format json` in a child, its events passed on. */
class Runs {
  private child: ChildProcess | undefined;
  /** The current (or last) run's events, for an editor that connects while it goes on. */
  private events: News[] = [];
  private workdir: string | undefined;
  private logs = new Map<string, string>();
  /** The file of the current (or last) run, relative to the folder. */
  file: string | undefined;

  constructor(
    private readonly project: Project,
    private readonly cli: EditOptions["cli"],
    private readonly broadcast: (n: News) => void,
  ) {}

  replay(): readonly News[] {
    return this.events;
  }

  start(file: string, path: string, variant: string | undefined): boolean {
    if (this.child) return false;
    this.events = [];
    this.logs.clear();
    this.workdir = undefined;
    this.file = path;
    const args = [this.cli.bin, "run", file, "--format", "json", ...(variant ? ["--variant", variant] : [])];
    const child = spawn(this.cli.node, args, { cwd: this.project.root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    this.child = child;
    let out = "";
    let err = "";
    const send = (n: News) => {
      this.events.push(n);
      this.broadcast(n);
    };
    send({ type: "run-start", path });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (event.event === "run" && typeof event.workdir === "string") this.workdir = event.workdir;
        if (event.event === "step" && typeof event.log === "string" && this.workdir) {
          // A cached step's log is the one of the run that computed it.
          const log = typeof event.cached_from === "string" ? event.log.replace(/^runs\/[^/]+\//, `runs/${event.cached_from}/`) : event.log;
          this.logs.set(String(event.step), isAbsolute(log) ? log : join(this.workdir, log));
        }
        send({ type: "run", event });
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      if (err.length < MAX_STDERR) err += chunk;
    });
    child.on("error", (e) => {
      err += e.message;
    });
    child.on("close", (code) => {
      this.child = undefined;
      send({ type: "run-exit", code, message: err.slice(0, MAX_STDERR) });
    });
    return true;
  }

  stop(): boolean {
    if (!this.child) return false;
    // The runner stops its Python children and marks the run interrupted on SIGINT.
    this.child.kill("SIGINT");
    return true;
  }

  /** The step's log file; null when it ran and wrote none, undefined when it has not run. */
  logOf(step: string): string | null | undefined {
    const p = this.logs.get(step);
    if (p === undefined) return undefined;
    return existsSync(p) ? p : null;
  }
}

function capture(cli: EditOptions["cli"], args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cli.node, [cli.bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", (e) => resolve({ code: -1, stdout, stderr: e.message }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last `max` bytes of a file, read alone: a long training log is not read whole for its end. */
function tail(path: string, max: number): string {
  const size = statSync(path).size;
  if (size <= max) return readFileSync(path, "utf8");
  const buf = Buffer.alloc(max);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, max, size - max);
  } finally {
    closeSync(fd);
  }
  // Start at a character: skip the continuation bytes of one cut in two.
  let start = 0;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return `…${buf.subarray(start).toString("utf8")}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, "request too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error();
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, "expected a JSON object"));
      }
    });
    req.on("error", reject);
  });
}

function serveStatic(dir: string, pathname: string, res: ServerResponse): void {
  const root = normalize(dir + sep);
  let file = normalize(join(root, decodeURIComponent(pathname)));
  if (!file.startsWith(root)) throw new HttpError(403, "outside the editor");
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, "index.html");
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
  createReadStream(file).pipe(res);
}
