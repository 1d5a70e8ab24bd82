// The `mlp` command line. The only compiler module that touches the disk and the
// process; everything it calls is pure and also runs in the editor.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkProgram, UnreadableFile } from "../language/checker/program";
import type { CheckedProgram, FileLoader } from "../language/checker/model";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../language/diagnostics/diagnostic";
import { renderGithub, renderHuman, toJson } from "../language/diagnostics/render";
import { format } from "../language/formatter";
import { parse } from "../language/parser";
import { compilation } from "./compile";
import { parseWrittenIr } from "./ir";
import { lower } from "./lower";
import { print } from "./print";
import { TargetError, type GeneratedFile } from "./target-api";
import { expand, target, TARGETS } from "./targets";

declare const MLP_VERSION: string;

const USAGE = `mlp: check, format and compile .mlp ML pipelines

usage:
  mlp check FILE... [--format human|json|github]
  mlp fmt FILE... [--check | --write]
  mlp graph FILE                 print the graph IR as JSON
  mlp graph --to-mlp IR.json     print .mlp text from a graph IR
  mlp compile FILE --target ${TARGETS.map((t) => t.name).join("|")} [--variant NAME] --out DIR

exit codes: 0 no errors (warnings allowed), 1 errors in the input, 2 usage or I/O problems
`;

class UsageError extends Error {}

interface Io {
  out(s: string): void;
  err(s: string): void;
  color: boolean;
}

const diskLoader: FileLoader = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

function readOrFail(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
}

/** Splits argv into positionals and the flags a command allows; anything else is a usage error. */
function parseArgs(args: string[], flags: Record<string, "bool" | "value">): { files: string[]; opts: Record<string, string | true> } {
  const files: string[] = [];
  const opts: Record<string, string | true> = {};
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
      opts[name] = v;
    }
  }
  return { files, opts };
}

/** Checks a file whose text the caller already read (read once: `/dev/stdin` has no second read). */
function checkFile(path: string, text: string): CheckedProgram {
  try {
    return checkProgram(path, diskLoader, text);
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
  const programs = files.map((f, i) => checkFile(f, texts[i]!));
  const ds = dedupe(programs.flatMap((p) => p.diagnostics));
  if (fmt === "json") io.out(JSON.stringify(toJson(ds)) + "\n");
  else if (fmt === "github") io.out(renderGithub(ds));
  else io.out(renderHuman(ds, { sources: sourcesOf(programs), color: io.color }));
  return hasErrors(ds) ? 1 : 0;
}

function cmdFmt(args: string[], io: Io): number {
  const { files, opts } = parseArgs(args, { "--check": "bool", "--write": "bool" });
  if (files.length === 0) throw new UsageError("fmt needs at least one FILE");
  if (opts["--check"] && opts["--write"]) throw new UsageError("--check and --write exclude each other");
  const texts = files.map((f) => [f, readOrFail(f)] as const);
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
      if (out !== text) writeFileSync(file, out);
    } else io.out(out);
  }
  if (unformatted.length) {
    io.err(`mlp: not formatted (run mlp fmt --write): ${unformatted.join(", ")}\n`);
    status = 1;
  }
  return status;
}

function cmdGraph(args: string[], io: Io): number {
  const { files, opts } = parseArgs(args, { "--to-mlp": "bool" });
  if (files.length !== 1) throw new UsageError(`graph takes one ${opts["--to-mlp"] ? "IR.json" : "FILE"}`);
  const file = files[0]!;
  if (opts["--to-mlp"]) {
    const text = readOrFail(file);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
    }
    const r = parseWrittenIr(json);
    if (!r.ok) throw new UsageError(`${file} is not a graph IR document: ${r.problems.join("; ")}`);
    io.out(print(r.ir));
    return 0;
  }
  const program = checkFile(file, readOrFail(file));
  if (program.diagnostics.length) io.err(renderHuman(program.diagnostics, { sources: sourcesOf([program]), color: io.color }));
  io.out(JSON.stringify(lower(program), null, 2) + "\n");
  return hasErrors(program.diagnostics) ? 1 : 0;
}

function cmdCompile(args: string[], io: Io): number {
  const { files, opts } = parseArgs(args, { "--target": "value", "--variant": "value", "--out": "value" });
  if (files.length !== 1) throw new UsageError("compile takes one FILE");
  const name = opts["--target"] as string | undefined;
  const out = opts["--out"] as string | undefined;
  const list = TARGETS.map((t) => `  ${t.name.padEnd(10)} ${t.description}${t.members || t.emit ? "" : " (not built yet)"}`).join("\n");
  if (!name) throw new UsageError(`compile needs --target; the targets are:\n${list}`);
  if (!target(name)) throw new UsageError(`unknown target ${name}; the targets are:\n${list}`);
  if (!out) throw new UsageError("compile needs --out DIR");
  const program = checkFile(files[0]!, readOrFail(files[0]!));
  if (program.diagnostics.length) io.err(renderHuman(program.diagnostics, { sources: sourcesOf([program]), color: io.color }));
  if (hasErrors(program.diagnostics)) return 1;
  const variant = opts["--variant"] as string | undefined;
  if (variant !== undefined && !program.variants.has(variant)) {
    const names = [...program.variants.keys()];
    throw new UsageError(`${files[0]} has no variant ${variant}${names.length ? ` (variants: ${names.join(", ")})` : ""}`);
  }
  const unit = compilation(program, variant);
  const targets = expand(name);
  const missing = targets.filter((t) => !t.emit);
  if (missing.length) {
    io.err(`mlp: ${missing.map((t) => t.name).join(", ")} ${missing.length === 1 ? "is" : "are"} not built yet; the targets are:\n${list}\n`);
    return 2;
  }
  let count = 0;
  for (const t of targets) {
    let files: GeneratedFile[];
    try {
      files = t.emit!(unit);
    } catch (e) {
      // A value the target cannot express (say a Kafka topic with a newline): the input's fault.
      if (!(e instanceof TargetError)) throw e;
      io.err(`mlp: ${t.name}: ${e.message}\n`);
      return 1;
    }
    for (const f of files) {
      const path = join(out, t.name, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.contents);
      count++;
    }
  }
  io.err(`wrote ${count} files to ${out}\n`);
  return 0;
}

export function main(argv: string[], io: Io): number {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "check":
        return cmdCheck(rest, io);
      case "fmt":
        return cmdFmt(rest, io);
      case "graph":
        return cmdGraph(rest, io);
      case "compile":
        return cmdCompile(rest, io);
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
        throw new UsageError(`unknown command ${cmd} (commands: check, fmt, graph, compile; see mlp --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mlp: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
