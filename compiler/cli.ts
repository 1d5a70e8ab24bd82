// The `mlp` command line. The only compiler module that touches the disk and the
// process; everything it calls is pure and also runs in the editor.
import { dot, mermaid } from "./tooling/picture";
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { basename, delimiter, dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { constants as bufferConstants } from "node:buffer";
import { checkProgram, UnreadableFile, type CheckOptions } from "../language/checker/program";
import type { CheckedProgram, FileLoader } from "../language/checker/model";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../language/diagnostics/diagnostic";
import { renderGithub, renderHuman, toJson } from "../language/diagnostics/render";
import { format } from "../language/formatter";
import { parse } from "../language/parser";
import { compilation } from "./compile";
import { NOT_WRITABLE, parseWrittenIr } from "./ir";
import { writeIr } from "./ir-wire";
import { lower } from "./lower";
import { NotWritableError, print } from "./print";
import { TargetError, type GeneratedFile } from "./target-api";
import { TARGET_INFO } from "./target-names";
import { RunUsageError } from "./run/usage-error";
import type { RunIo } from "./run/commands";

declare const MLP_VERSION: string;

const USAGE = `mlp: check, format and compile .mlp ML pipelines

usage:
  mlp check FILE... [--format human|json|github]
  mlp fmt FILE... [--check | --write]
  mlp graph FILE [--format json|mermaid|dot|svg]
                                 print the graph IR as JSON, or a picture of it
  mlp graph --to-mlp IR.json     print .mlp text from a graph IR
  mlp compile FILE --target ${TARGET_INFO.map((t) => t.name).join("|")} [--variant NAME] --out DIR
  mlp run FILE [--variant V] [--source NAME=PATH]... [--until STEP] [--only STEP]...
               [--no-cache] [--resume RUN_ID] [--workdir DIR] [--format human|json]
                                 run the pipeline on this machine (DuckDB + local Python)
  mlp show FILE STEP[.PORT] [--run RUN_ID] [--workdir DIR] [--limit N] [--format table|csv|json]
                                 print a step's output rows from the latest run
  mlp serve FILE STEP [--port N] [--workdir DIR]
                                 serve an endpoint's registered model on 127.0.0.1
  mlp diff OLD NEW [--variant V] [--format human|markdown|json]
                                 what a change means: steps, columns, settings, and what
                                 each target would deploy differently (OLD/NEW: FILE or git:REF:PATH)
  mlp init [DIR]                 a new project: a pipeline, its data, an entry script, CI
  mlp explain CODE               a diagnostic's explanation and example (MLP0602)
  mlp lsp [--stdio]              the language server (LSP over stdio) for any editor
  mlp edit [FILE|DIR] [--port N] the node-graph editor on the folder's files (127.0.0.1, a
                                 random free port unless --port), with runs from the graph

a FILE written - is read from stdin
exit codes: 0 no errors (warnings allowed), 1 errors in the input or a failed run step,
            2 usage or I/O problems, 130 interrupted
`;

class UsageError extends Error {}

interface Io {
  out(s: string): void;
  err(s: string): void;
  color: boolean;
  /** stdout is a terminal (live progress lines). */
  tty?: boolean;
}

/** What the CLI calls a file read from stdin (`-`), in diagnostics and messages. */
export const STDIN_NAME = "<stdin>";

const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/** A file that is not text is refused up front (F09): the lexer would report every byte. */
function decodeText(bytes: Uint8Array): string | { problem: string } {
  if (bytes.includes(0)) return { problem: "not a text file (it holds NUL bytes)" };
  try {
    // ignoreBOM keeps a byte-order mark in the text, as readFileSync(path, "utf8") did.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // A file longer than any string can be (an old indented graph IR of a huge pipeline) is not a bad encoding.
    if (bytes.length > MAX_STRING_LENGTH) return { problem: `too large (${bytes.length} bytes; the longest text mlp can hold is ${MAX_STRING_LENGTH} characters)` };
    return { problem: "not a text file (it is not valid UTF-8)" };
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT": return "no such file";
    case "EISDIR": return "is a directory";
    case "ENOTDIR": return "a part of the path is not a directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "EROFS": return "read-only file system";
    case "ENOSPC": return "no space left on the device";
    case "EEXIST": return "already exists";
    default: return code ?? (e as Error)?.message ?? String(e);
  }
}

const diskLoader: FileLoader = {
  read(path) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    const text = decodeText(bytes);
    if (typeof text !== "string") throw new UsageError(`cannot read ${path}: ${text.problem}`);
    return text;
  },
};

let stdinUsed = false;

/** The text of FILE, or of stdin for `-`; anything unreadable or not text is a usage error (exit 2). */
function readOrFail(path: string): string {
  let bytes: Buffer;
  const shown = path === "-" ? STDIN_NAME : path;
  if (path === "-") {
    if (stdinUsed) throw new UsageError("stdin (-) can be read only once");
    stdinUsed = true;
  }
  try {
    bytes = readFileSync(path === "-" ? 0 : path);
  } catch (e) {
    // An empty, closed or terminal-less stdin reads as no text.
    if (path === "-" && (e as NodeJS.ErrnoException).code === "EAGAIN") bytes = Buffer.alloc(0);
    else throw new UsageError(`cannot read ${shown}: ${reason(e)}`);
  }
  const text = decodeText(bytes);
  if (typeof text !== "string") throw new UsageError(`cannot read ${shown}: ${text.problem}`);
  return text;
}

/** Splits argv into positionals and the flags a command allows; anything else is a usage error. */
function parseArgs(args: string[], flags: Record<string, "bool" | "value" | "list">): { files: string[]; opts: Record<string, string | true>; lists: Record<string, string[]> } {
  const files: string[] = [];
  const opts: Record<string, string | true> = {};
  const lists: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      files.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      files.push(a);
      continue;
    }
    const [name, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = flags[name];
    if (!kind) throw new UsageError(`unknown option ${name}${Object.keys(flags).length ? ` (options: ${Object.keys(flags).join(", ")})` : ""}`);
    if (kind === "bool") {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      opts[name] = true;
    } else {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      if (kind === "list") (lists[name] ??= []).push(v);
      else opts[name] = v;
    }
  }
  return { files, opts, lists };
}

/** Checks a file whose text the caller already read (read once: `/dev/stdin` has no second read). */
function checkFile(path: string, text: string, options?: CheckOptions): CheckedProgram {
  try {
    return checkProgram(path, diskLoader, text, options);
  } catch (e) {
    if (e instanceof UnreadableFile) throw new UsageError(`cannot read ${e.path}`);
    throw e;
  }
}

function sourcesOf(programs: CheckedProgram[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of programs) for (const f of p.files) m.set(f.path, f.text);
  return m;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(ds).filter((d) => {
    const k = `${d.file}:${d.span.start}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function cmdCheck(args: string[], io: Io): number {
  const { files, opts } = parseArgs(args, { "--format": "value" });
  const fmt = (opts["--format"] as string | undefined) ?? "human";
  if (!["human", "json", "github"].includes(fmt)) throw new UsageError(`unknown format ${fmt} (formats: human, json, github)`);
  if (files.length === 0) throw new UsageError("check needs at least one FILE");
  const texts = files.map((f) => readOrFail(f));
  const programs = files.map((f, i) => checkFile(f === "-" ? STDIN_NAME : f, texts[i]!));
  const ds = dedupe(programs.flatMap((p) => p.diagnostics));
  if (fmt === "json") io.out(JSON.stringify(toJson(ds)) + "\n");
  else if (fmt === "github") io.out(renderGithub(ds));
  // Nothing is rendered as "", and asking for color would make stdout (process-main.ts).
  else if (ds.length > 0) io.out(renderHuman(ds, { sources: sourcesOf(programs), color: io.color }));
  return hasErrors(ds) ? 1 : 0;
}

function cmdFmt(args: string[], io: Io): number {
  const { files, opts } = parseArgs(args, { "--check": "bool", "--write": "bool" });
  if (files.length === 0) throw new UsageError("fmt needs at least one FILE");
  if (opts["--check"] && opts["--write"]) throw new UsageError("--check and --write exclude each other");
  if (opts["--write"] && files.includes("-")) throw new UsageError("fmt --write cannot rewrite stdin (-); use mlp fmt - to print it");
  const texts = files.map((f) => [f === "-" ? STDIN_NAME : f, readOrFail(f)] as const);
  let status = 0;
  const unformatted: string[] = [];
  for (const [file, text] of texts) {
    const r = parse(text, file);
    if (hasErrors(r.diagnostics)) {
      io.err(renderHuman(r.diagnostics, { sources: new Map([[file, text]]), color: io.color }));
      status = 1;
      continue;
    }
    const out = format(r.ast);
    if (opts["--check"]) {
      if (out !== text) unformatted.push(file);
    } else if (opts["--write"]) {
      if (out !== text) writeAtomically(file, out);
    } else io.out(out);
  }
  if (unformatted.length) {
    io.err(`mlp: not formatted (run mlp fmt --write): ${unformatted.join(", ")}\n`);
    status = 1;
  }
  return status;
}

function cmdGraph(args: string[], io: Io): number | Promise<number> {
  const { files, opts } = parseArgs(args, { "--to-mlp": "bool", "--format": "value" });
  if (files.length !== 1) throw new UsageError(`graph takes one ${opts["--to-mlp"] ? "IR.json" : "FILE"}`);
  const file = files[0]!;
  const fmt = (opts["--format"] as string | undefined) ?? "json";
  if (!["json", "mermaid", "dot", "svg"].includes(fmt)) throw new UsageError(`unknown format ${fmt} (formats: json, mermaid, dot, svg)`);
  if (opts["--to-mlp"] && opts["--format"] !== undefined) throw new UsageError("--to-mlp prints .mlp text; it takes no --format");
  if (opts["--to-mlp"]) {
    const text = readOrFail(file);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${file === "-" ? STDIN_NAME : file} is not JSON: ${(e as Error).message}`);
    }
    const shown = file === "-" ? STDIN_NAME : file;
    const r = parseWrittenIr(json);
    if (!r.ok) {
      // A well-formed document whose names, comments or literals have no .mlp spelling (F12)
      // is an error in the input, listed by JSON path; any other problem means it is not an IR.
      if (r.problems.every((p) => p.includes(NOT_WRITABLE))) {
        io.err(r.problems.map((p) => `mlp: ${shown}: ${p}\n`).join(""));
        return 1;
      }
      throw new UsageError(`${shown} is not a graph IR document: ${r.problems.join("; ")}`);
    }
    let printed: string;
    try {
      printed = print(r.ir);
    } catch (e) {
      if (!(e instanceof NotWritableError)) throw e;
      io.err(`mlp: ${shown}: ${NOT_WRITABLE}${e.message}\n`);
      return 1;
    }
    io.out(printed);
    return 0;
  }
  const program = checkFile(file === "-" ? STDIN_NAME : file, readOrFail(file));
  if (program.diagnostics.length) io.err(renderHuman(program.diagnostics, { sources: sourcesOf([program]), color: io.color }));
  const ir = lower(program);
  const code = hasErrors(program.diagnostics) ? 1 : 0;
  // Laid out by elkjs, which answers with a promise; loaded only for pictures.
  if (fmt === "svg") return import("./tooling/svg").then(({ svg }) => svg(ir)).then((text) => (io.out(text), code));
  if (fmt === "mermaid") io.out(mermaid(ir));
  else if (fmt === "dot") io.out(dot(ir));
  // Streamed, a line per node: no piece of it grows with the pipeline (F15).
  else writeIr(ir, io.out);
  return hasErrors(program.diagnostics) ? 1 : 0;
}

// The targets and the local runner are most of the CLI's code: loaded by the commands that use
// them (a chunk of the bundle each), so `mlp check` and `mlp fmt` start without them.
async function cmdCompile(args: string[], io: Io): Promise<number> {
  const { TARGETS, target, expand } = await import("./targets");
  const { files, opts } = parseArgs(args, { "--target": "value", "--variant": "value", "--out": "value" });
  if (files.length !== 1) throw new UsageError("compile takes one FILE");
  const name = opts["--target"] as string | undefined;
  const out = opts["--out"] as string | undefined;
  const list = TARGETS.map((t) => `  ${t.name.padEnd(10)} ${t.description}${t.members || t.emit ? "" : " (not built yet)"}`).join("\n");
  if (!name) throw new UsageError(`compile needs --target; the targets are:\n${list}`);
  if (!target(name)) throw new UsageError(`unknown target ${name}; the targets are:\n${list}`);
  if (!out) throw new UsageError("compile needs --out DIR");
  const targets = expand(name);
  const program = checkFile(files[0] === "-" ? STDIN_NAME : files[0]!, readOrFail(files[0]!), { compiledFor: targets.map((t) => t.name) });
  if (program.diagnostics.length) io.err(renderHuman(program.diagnostics, { sources: sourcesOf([program]), color: io.color }));
  if (hasErrors(program.diagnostics)) return 1;
  const variant = opts["--variant"] as string | undefined;
  if (variant !== undefined && !program.variants.has(variant)) {
    const names = [...program.variants.keys()];
    throw new UsageError(`${files[0]} has no variant ${variant}${names.length ? ` (variants: ${names.join(", ")})` : ""}`);
  }
  const unit = compilation(program, variant);
  const missing = targets.filter((t) => !t.emit);
  if (missing.length) {
    io.err(`mlp: ${missing.map((t) => t.name).join(", ")} ${missing.length === 1 ? "is" : "are"} not built yet; the targets are:\n${list}\n`);
    return 2;
  }
  // Every target is emitted before anything is written: a refusal leaves the disk as it was (F08b).
  const generated: { target: string; files: GeneratedFile[] }[] = [];
  for (const t of targets) {
    try {
      generated.push({ target: t.name, files: t.emit!(unit) });
    } catch (e) {
      // A value the target cannot express (say a Kafka topic with a newline): the input's fault.
      if (!(e instanceof TargetError)) throw e;
      io.err(`mlp: ${t.name}: ${withoutPrefix(e.message, t.name)}\n`);
      return 1;
    }
  }
  const count = writeOutput(out, generated);
  io.err(`wrote ${count} files to ${out}\n`);
  return 0;
}

// ---------- run, show, serve ----------

/** Checks FILE for a command that executes it: errors stop before anything runs (exit 1). */
function checkedForRun(file: string, io: Io): CheckedProgram | undefined {
  if (file === "-") throw new UsageError("run, show and serve read a file (its folder holds the data and scripts), not stdin");
  const program = checkFile(file, readOrFail(file));
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    io.err(renderHuman(program.diagnostics, { sources: sourcesOf([program]), color: io.color }));
    return undefined;
  }
  return program;
}

const runIo = (io: Io): RunIo => ({ ...io, tty: io.tty ?? false });

async function cmdRun(args: string[], io: Io): Promise<number> {
  const { files, opts, lists } = parseArgs(args, {
    "--variant": "value",
    "--source": "list",
    "--until": "value",
    "--only": "list",
    "--no-cache": "bool",
    "--resume": "value",
    "--workdir": "value",
    "--format": "value",
  });
  if (files.length !== 1) throw new UsageError("run takes one FILE");
  const program = checkedForRun(files[0]!, io);
  if (!program) return 1;
  const flags = {
    sources: lists["--source"] ?? [],
    only: lists["--only"] ?? [],
    noCache: opts["--no-cache"] === true,
    format: (opts["--format"] as string | undefined) ?? "human",
    ...(opts["--variant"] !== undefined ? { variant: opts["--variant"] as string } : {}),
    ...(opts["--until"] !== undefined ? { until: opts["--until"] as string } : {}),
    ...(opts["--resume"] !== undefined ? { resume: opts["--resume"] as string } : {}),
    ...(opts["--workdir"] !== undefined ? { workdir: opts["--workdir"] as string } : {}),
  };
  const { runCommand } = await import("./run/commands");
  return runCommand(program, files[0]!, flags, runIo(io));
}

async function cmdShow(args: string[], io: Io): Promise<number> {
  const { files, opts } = parseArgs(args, { "--run": "value", "--workdir": "value", "--limit": "value", "--format": "value" });
  if (files.length !== 2) throw new UsageError("show takes FILE and STEP[.PORT]");
  const limitText = (opts["--limit"] as string | undefined) ?? "20";
  if (!/^\d+$/.test(limitText)) throw new UsageError(`--limit takes a whole number, not ${limitText}`);
  const program = checkedForRun(files[0]!, io);
  if (!program) return 1;
  const { showCommand } = await import("./run/commands");
  return showCommand(
    program,
    files[0]!,
    files[1]!,
    {
      limit: Number(limitText),
      format: (opts["--format"] as string | undefined) ?? "table",
      ...(opts["--run"] !== undefined ? { run: opts["--run"] as string } : {}),
      ...(opts["--workdir"] !== undefined ? { workdir: opts["--workdir"] as string } : {}),
    },
    runIo(io),
  );
}

async function cmdServe(args: string[], io: Io): Promise<number> {
  const { files, opts } = parseArgs(args, { "--port": "value", "--workdir": "value" });
  if (files.length !== 2) throw new UsageError("serve takes FILE and STEP");
  const portText = (opts["--port"] as string | undefined) ?? "8080";
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port takes a port number (0-65535), not ${portText}`);
  const program = checkedForRun(files[0]!, io);
  if (!program) return 1;
  const { serveCommand } = await import("./run/commands");
  return serveCommand(program, files[0]!, files[1]!, { port: Number(portText), ...(opts["--workdir"] !== undefined ? { workdir: opts["--workdir"] as string } : {}) }, runIo(io));
}

// The reference and the project templates are text only these commands read: loaded with them.
async function cmdInit(args: string[], io: Io): Promise<number> {
  const { files } = parseArgs(args, {});
  if (files.length > 1) throw new UsageError("init takes one folder (default: the current one)");
  const dir = files[0] ?? ".";
  const { InitRefused, initProject } = await import("./tooling/init");
  let written: string[];
  try {
    written = initProject(dir);
  } catch (e) {
    if (e instanceof InitRefused) throw new UsageError(e.message);
    throw e;
  }
  const cd = dir === "." ? "" : `  cd ${/^[\w./-]+$/.test(dir) ? dir : JSON.stringify(dir)}\n`;
  const next = [`${cd}  mlp check pipeline.mlp`, "  mlp run pipeline.mlp     (needs Python with scikit-learn and pandas; Debian: apt-get install python3-sklearn python3-pandas)", "  mlp edit pipeline.mlp"];
  // Run as `npx mlp` in mlp's checkout, the next commands would not be found in the new folder
  // (and `npx mlp` there fetches npm's unrelated package of that name).
  const path = onPath("mlp") ? "" : "\nmlp is not on PATH: `npm link` in mlp's checkout puts it there\n";
  io.out(`created ${written.join(", ")}\n\nnext:\n${next.join("\n")}\n${path}`);
  return 0;
}

/** Whether a command of that name is on PATH, as a shell would find it. */
function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return statSync(join(dir, command)).isFile();
    } catch {
      return false;
    }
  });
}

async function cmdExplain(args: string[], io: Io): Promise<number> {
  const { files } = parseArgs(args, {});
  if (files.length !== 1) throw new UsageError("explain takes one diagnostic code, e.g. mlp explain MLP0602");
  const { explanation, unknownCode } = await import("./tooling/explain");
  const text = explanation(files[0]!);
  if (!text) throw new UsageError(unknownCode(files[0]!));
  io.out(text);
  return 0;
}

/** One side of `mlp diff`: a file, or `git:REF:PATH` (the file and its imports as they are at REF). */
function diffSide(spec: string): { program: CheckedProgram; label: string } {
  const git = /^git:([^:]+):(.+)$/.exec(spec);
  if (!git) return { program: checkFile(spec, readOrFail(spec)), label: spec };
  const [, ref, path] = git as unknown as [string, string, string];
  let top: string;
  try {
    top = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    throw new UsageError(`${spec}: not in a git repository`);
  }
  const atRef = (p: string): string | undefined => {
    const rel = relative(top, resolve(p)).split(sep).join("/");
    if (rel.startsWith("..")) return undefined;
    try {
      return execFileSync("git", ["show", `${ref}:${rel}`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
    } catch {
      return undefined;
    }
  };
  const text = atRef(path);
  if (text === undefined) throw new UsageError(`cannot read ${path} at ${ref}`);
  try {
    return { program: checkProgram(path, { read: atRef }, text), label: `${path} at ${ref}` };
  } catch (e) {
    if (e instanceof UnreadableFile) throw new UsageError(`cannot read ${e.path} at ${ref}`);
    throw e;
  }
}

async function cmdDiff(args: string[], io: Io): Promise<number> {
  const { files, opts } = parseArgs(args, { "--variant": "value", "--format": "value" });
  if (files.length !== 2) throw new UsageError("diff takes OLD and NEW (files, or git:REF:PATH)");
  const fmt = (opts["--format"] as string | undefined) ?? "human";
  if (!["human", "markdown", "json"].includes(fmt)) throw new UsageError(`unknown format ${fmt} (formats: human, markdown, json)`);
  const sides = files.map(diffSide);
  const bad = sides.filter((s) => hasErrors(s.program.diagnostics));
  if (bad.length) {
    io.err(renderHuman(bad.flatMap((s) => s.program.diagnostics.filter((d) => d.severity === "error")), { sources: sourcesOf(bad.map((s) => s.program)), color: io.color }));
    return 1;
  }
  const variant = opts["--variant"] as string | undefined;
  for (const s of sides)
    if (variant !== undefined && !s.program.variants.has(variant)) throw new UsageError(`${s.label} has no variant ${variant}${s.program.variants.size ? ` (variants: ${[...s.program.variants.keys()].join(", ")})` : ""}`);
  const { diffPipelines, renderHuman: human, renderMarkdown } = await import("./tooling/diff");
  const d = diffPipelines(lower(sides[0]!.program, variant), lower(sides[1]!.program, variant));
  if (fmt === "json") io.out(JSON.stringify(d, null, 2) + "\n");
  else if (fmt === "markdown") io.out(renderMarkdown(d, `mlp diff: ${sides[1]!.label}${variant ? ` (variant ${variant})` : ""}`));
  else io.out(human(d));
  return 0;
}

async function cmdLsp(args: string[]): Promise<number> {
  // Editors start servers with --stdio (vscode-languageclient always passes it); stdio is the only transport.
  const { files } = parseArgs(args, { "--stdio": "bool" });
  if (files.length) throw new UsageError("lsp takes no files: the editor opens them");
  const { startLanguageServer } = await import("./lsp/server");
  startLanguageServer();
  // The server ends the process itself on the client's `exit` notification.
  return new Promise<number>(() => {});
}

async function cmdEdit(args: string[], io: Io): Promise<number> {
  const { files, opts } = parseArgs(args, { "--port": "value" });
  if (files.length > 1) throw new UsageError("edit takes one FILE or folder");
  const portText = (opts["--port"] as string | undefined) ?? "0";
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port takes a port number (0-65535), not ${portText}`);
  const { editCommand } = await import("./edit/command");
  return editCommand(files[0] ?? ".", Number(portText), io);
}

/** Targets used to prefix their own messages with their name; the CLI adds it once. */
export function withoutPrefix(message: string, target: string): string {
  return message.startsWith(`${target}: `) ? message.slice(target.length + 2) : message;
}

// ---------- writing ----------

/** Lists, relative to --out, the files the last compile wrote, so a recompile can remove the ones it no longer writes. */
export const MANIFEST = ".mlp-manifest.json";

function ioFailure(what: string, path: string, e: unknown): UsageError {
  return new UsageError(`cannot ${what} ${path}: ${reason(e)}`);
}

/** Replaces FILE's contents all at once (a temporary file beside it, then a rename), keeping its mode. */
function writeAtomically(file: string, contents: string): void {
  let real: string;
  let mode: number;
  try {
    // Through a symlink, the file it points to is rewritten; the link stays a link.
    real = realpathSync(file);
    mode = statSync(real).mode & 0o7777;
    // A rename would replace a file we may not write; ask first, as an in-place write would fail.
    accessSync(real, constants.W_OK);
  } catch (e) {
    throw ioFailure("write", file, e);
  }
  const tmp = join(dirname(real), `.${basename(real)}.mlp-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, contents, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, real);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw ioFailure("write", file, e);
  }
}

/** `rel` (a manifest entry) as a path inside `root`, or undefined when it would lead out of it. */
function inside(root: string, rel: unknown): string | undefined {
  if (typeof rel !== "string" || rel === "" || isAbsolute(rel) || rel.includes("\0")) return undefined;
  const n = normalize(rel);
  if (n.startsWith("..") || n.split(sep).includes("..")) return undefined;
  return join(root, n);
}

function readManifest(out: string): string[] {
  try {
    const m = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files?: unknown };
    return Array.isArray(m.files) ? m.files.filter((f): f is string => inside(out, f) !== undefined) : [];
  } catch {
    return [];
  }
}

/**
 * Writes the targets' files under OUT/TARGET/ as one step: everything goes to a temporary folder
 * beside OUT first, and only when all of it is written does it move into place. Files a previous
 * compile wrote (per OUT's manifest) in the same target folders and that this one does not write
 * are removed; nothing else in OUT, and nothing outside it, is touched.
 */
function writeOutput(out: string, generated: { target: string; files: GeneratedFile[] }[]): number {
  const outAbs = resolve(out);
  const parent = dirname(outAbs);
  let outExists = false;
  try {
    const st = statSync(outAbs);
    if (!st.isDirectory()) throw new UsageError(`cannot write to ${out}: it is a file, not a folder`);
    outExists = true;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw ioFailure("write to", out, e);
  }
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw ioFailure("create", dirname(out) || ".", e);
  }
  let tmp: string;
  try {
    tmp = mkdtempSync(join(parent, `.${basename(outAbs)}.mlp-tmp-`));
  } catch (e) {
    throw ioFailure("write to", out, e);
  }
  try {
    const written: string[] = [];
    for (const g of generated)
      for (const f of g.files) {
        const rel = inside(g.target, f.path) ?? "";
        if (!rel) throw new Error(`target ${g.target} produced a path outside its folder: ${JSON.stringify(f.path)}`);
        const path = join(tmp, rel);
        try {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, f.contents);
        } catch (e) {
          throw ioFailure("write to", out, e);
        }
        written.push(rel.split(sep).join("/"));
      }
    const targets = new Set(generated.map((g) => g.target));
    const previous = outExists ? readManifest(outAbs) : [];
    // Entries for targets this compile does not produce stay: compiling spark keeps an earlier aws.
    const kept = previous.filter((f) => !targets.has(f.split("/")[0]!));
    const manifest = JSON.stringify({ files: [...new Set([...kept, ...written])].sort() }, null, 2) + "\n";
    try {
      writeFileSync(join(tmp, MANIFEST), manifest);
    } catch (e) {
      throw ioFailure("write to", out, e);
    }
    if (!outExists) {
      try {
        renameSync(tmp, outAbs);
      } catch (e) {
        throw ioFailure("write to", out, e);
      }
      return written.length;
    }
    moveInto(tmp, outAbs, out, written);
    const fresh = new Set(written);
    for (const rel of previous) if (targets.has(rel.split("/")[0]!) && !fresh.has(rel)) removeStale(outAbs, rel);
    try {
      renameSync(join(tmp, MANIFEST), join(outAbs, MANIFEST));
    } catch (e) {
      throw ioFailure("write to", out, e);
    }
    return written.length;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Moves each written file from TMP into OUT, after making sure every move can happen (no file where a folder must go). */
function moveInto(tmp: string, outAbs: string, out: string, written: string[]): void {
  const kind = new Map<string, "dir" | "file" | "none">();
  const kindOf = (p: string) => {
    let k = kind.get(p);
    if (!k) {
      try {
        const st = lstatSync(p);
        k = st.isDirectory() ? "dir" : "file";
      } catch {
        k = "none";
      }
      kind.set(p, k);
    }
    return k;
  };
  for (const rel of written) {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = join(outAbs, ...parts.slice(0, i));
      if (kindOf(dir) === "file") throw new UsageError(`cannot write to ${out}: ${join(out, ...parts.slice(0, i))} is a file, not a folder`);
      if (kindOf(dir) === "none") break;
    }
    if (kindOf(join(outAbs, rel)) === "dir") throw new UsageError(`cannot write to ${out}: ${join(out, rel)} is a folder`);
  }
  for (const rel of written) {
    const dest = join(outAbs, rel);
    try {
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(join(tmp, rel), dest);
    } catch (e) {
      throw ioFailure("write to", out, e);
    }
  }
}

/** Removes a file an earlier compile wrote, then the folders that leaves empty, never leaving OUT. */
function removeStale(outAbs: string, rel: string): void {
  const path = join(outAbs, rel);
  try {
    // Through a symlinked folder the file could be anywhere: only remove what really lies in OUT.
    const real = realpathSync(dirname(path));
    const root = realpathSync(outAbs);
    if (real !== root && !real.startsWith(root + sep)) return;
    if (!lstatSync(path).isFile()) return;
    unlinkSync(path);
    for (let dir = dirname(path); dir !== outAbs && dir.startsWith(outAbs + sep); dir = dirname(dir)) rmdirSync(dir);
  } catch {
    // Already gone, or a folder that still holds something: nothing more to remove.
  }
}

const ASYNC: Record<string, (args: string[], io: Io) => Promise<number>> = { run: cmdRun, show: cmdShow, serve: cmdServe, compile: cmdCompile, edit: cmdEdit, lsp: cmdLsp, diff: cmdDiff, init: cmdInit, explain: cmdExplain };

export function main(argv: string[], io: Io): number | Promise<number> {
  const [cmd, ...rest] = argv;
  const helped = shownHelp(argv, io);
  if (helped !== undefined) return helped;
  const command = cmd !== undefined && Object.hasOwn(ASYNC, cmd) ? ASYNC[cmd]! : undefined;
  if (command)
    return command(rest, io).catch((e: unknown) => failure(e, io)).finally(() => {
      stdinUsed = false;
    });
  return guarded(io, () => {
    switch (cmd) {
      case "check":
        return cmdCheck(rest, io);
      case "fmt":
        return cmdFmt(rest, io);
      case "graph":
        return cmdGraph(rest, io);
      case "--version":
      case "-V":
        io.out(`mlp ${typeof MLP_VERSION === "string" ? MLP_VERSION : "dev"}\n`);
        return 0;
      case "--help":
      case "-h":
      case "help":
        io.out(USAGE);
        return 0;
      case undefined:
        io.err(USAGE);
        return 2;
      default:
        throw new UsageError(`unknown command ${cmd} (commands: check, fmt, graph, compile, run, show, serve, edit, lsp, init, explain, diff; see mlp --help)`);
    }
  });
}

/**
 * `main` for an argv whose command is `check`, without the code of the other commands: the
 * start-up bundle (check-entry.ts) holds only this, so `mlp check` loads less (issue 15).
 * It must answer exactly as `main` does for the same argv.
 */
export function checkMain(argv: string[], io: Io): number {
  return shownHelp(argv, io) ?? guarded(io, () => cmdCheck(argv.slice(1), io));
}

/** `mlp CMD --help`: prints that command's lines of the usage (before a `--`, which ends the options) and gives the exit code. */
function shownHelp([cmd, ...rest]: string[], io: Io): number | undefined {
  const help = commandHelp(cmd);
  if (help === undefined || !rest.slice(0, rest.includes("--") ? rest.indexOf("--") : undefined).some((a) => a === "--help" || a === "-h")) return undefined;
  io.out(help);
  return 0;
}

/** Runs a synchronous command: its usage and I/O errors become exit codes, and stdin may be read again after it. */
function guarded<R extends number | Promise<number>>(io: Io, command: () => R): R | number {
  try {
    return command();
  } catch (e) {
    return failure(e, io);
  } finally {
    stdinUsed = false;
  }
}

/** A command's own lines of USAGE (a line `  mlp CMD ...` and the lines indented under it), or undefined for no such command. */
function commandHelp(cmd: string | undefined): string | undefined {
  if (cmd === undefined || cmd.startsWith("-")) return undefined;
  const lines = USAGE.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`  mlp ${cmd} `) && lines[i] !== `  mlp ${cmd}`) continue;
    out.push(lines[i]!);
    while (i + 1 < lines.length && /^ {4,}/.test(lines[i + 1]!)) out.push(lines[++i]!);
  }
  return out.length ? `usage:\n${out.join("\n")}\n` : undefined;
}

function failure(e: unknown, io: Io): number {
  if (e instanceof UsageError || e instanceof RunUsageError) {
    io.err(`mlp: ${e.message}\n`);
    return 2;
  }
  // A failed read or write on the way (a full disk, a closed stdout): an I/O problem, not a bug.
  if ((e as NodeJS.ErrnoException)?.syscall) {
    const err = e as NodeJS.ErrnoException;
    io.err(`mlp: cannot ${err.syscall}${err.path ? ` ${err.path}` : ""}: ${reason(e)}\n`);
    return 2;
  }
  throw e;
}
