// `mlp diff OLD NEW`: what a change to a pipeline means, not which lines moved. Steps added,
// removed, renamed (same kind and definition under a new name) and changed (which settings,
// which statements as written, which inputs), output columns added, removed or retyped, target settings,
// and per target what it would deploy differently: AWS resources by Pulumi logical name
// (added, removed, updated, replaced when their type changes), and the files of the on-premise
// targets (Spark and Flink jobs, Slurm scripts, CQL). Pure: both sides come in as checked IR.
import type { IrArtifact, IrDocument, IrNode, IrWrittenDocument } from "../ir";
import { print } from "../print";
import { writtenKind } from "../ir";
import { awsProject } from "../../targets/aws";
import type { Resource } from "../../targets/aws/model";
import { target, TargetError } from "../targets";
import { mermaid } from "./picture";

export interface StepChange {
  step: string;
  kind: string;
  /** Setting -> [old, new] as written (`undefined`: not set). */
  settings: Record<string, [string | undefined, string | undefined]>;
  /**
   * Its other statements (operations, aggregates, requirements, search blocks), as written: those
   * the new side no longer has and those it adds (all of both when only their order changed).
   */
  statements: { removed: string[]; added: string[] };
  inputs?: [string[], string[]];
  columns: { added: string[]; removed: string[]; retyped: [string, string, string][] };
}

export interface TargetChange {
  target: string;
  added: string[];
  removed: string[];
  /** AWS: resources updated in place. Others: files whose contents change. */
  changed: string[];
  /** AWS: resources whose type changes (Pulumi replaces them). */
  replaced: string[];
  /** The target cannot compile one side (why). */
  refused?: string;
}

export interface PipelineDiff {
  added: string[];
  removed: string[];
  renamed: [string, string][];
  changed: StepChange[];
  settings: Record<string, [string | undefined, string | undefined]>;
  targets: TargetChange[];
  /** The new pipeline as Mermaid, changed and added steps highlighted. */
  picture: string;
}

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

/** Fields of a node that are not its definition: its name and where and how it is written. */
const NOT_DEFINITION = new Set(["id", "name", "span", "leading", "trailing", "nameSpan", "body", "ports", "origin"]);
const strip = (k: string, v: unknown) => (k === "span" || k === "leading" || k === "trailing" || k === "nameSpan" ? undefined : v);

/** A step's definition without its name or where it is written: what a rename keeps. */
function definitionOf(n: IrNode): string {
  return JSON.stringify(Object.entries(n).filter(([k]) => !NOT_DEFINITION.has(k)), strip);
}

/** The decoded settings; an object-valued one (hyperparams, resources) by its keys, so a diff names the key. */
function settingsOf(n: IrNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((n as { config?: Record<string, unknown> }).config ?? {})) {
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [sub, x] of Object.entries(v)) out[`${k}.${sub}`] = JSON.stringify(x, strip);
    else out[k] = JSON.stringify(v, strip);
  }
  return out;
}

/**
 * A step's statements besides its settings, printed as .mlp lines without comments or the
 * formatter's alignment: what a reviewer compares. Compared as written, a step whose text is
 * the same is not reported for types that changed upstream (its columns say that).
 */
function statementsOf(ir: IrDocument, n: IrNode): string[] {
  const body = n.body.filter((st) => st.kind !== "attr");
  // One step alone, unnamed and without inputs: the header only tells its kind and declared output.
  const node = JSON.parse(JSON.stringify({ ...n, id: "step", name: "step", body, origin: undefined }, strip)) as IrNode;
  const alone = { ...ir, leading: undefined, trailing: undefined, imports: [], pipeline: null, schemas: [], nodes: [node], edges: [], variants: [], targets: [], layout: null, order: [{ kind: "node" as const, id: "step" }] };
  const lines = print(alone as IrWrittenDocument).split("\n").slice(1);
  // Runs of spaces outside strings are the formatter's alignment, which moves with other lines.
  return lines.filter((l) => l.trim() && l !== "}").map((l) => l.trim().replace(/("(?:[^"\\]|\\.)*")| {2,}/g, (m, str: string | undefined) => str ?? " "));
}

function diffStatements(a: string[], b: string[]): { removed: string[]; added: string[] } {
  if (a.join("\n") === b.join("\n")) return { removed: [], added: [] };
  const left = [...b];
  const removed = a.filter((l) => {
    const i = left.indexOf(l);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
  // The same statements in another order: the order is what changed (a cleanse applies its operations in order).
  if (!removed.length && !left.length) return { removed: a, added: b };
  return { removed, added: left };
}

function inputsOf(ir: IrDocument, id: string, renamed: ReadonlyMap<string, string> = new Map()): string[] {
  return ir.edges.filter((e) => e.to.node === id).map((e) => `${e.to.port}: ${renamed.get(e.from.node) ?? e.from.node}${e.from.port !== "out" ? `.${e.from.port}` : ""}`);
}

function columnsOf(a: IrArtifact | undefined): Map<string, string> {
  const cols = (a as { columns?: { name: string; type: unknown }[] } | undefined)?.columns ?? [];
  return new Map(cols.map((c) => [c.name, typeText(c.type)]));
}

function typeText(t: unknown): string {
  const x = t as { kind?: string; nullable?: boolean; members?: string[]; size?: number };
  if (!x || typeof x !== "object") return String(t);
  const base = x.kind === "enum" ? `enum(${x.members?.join(", ")})` : x.kind === "vector" ? `vector(${x.size})` : String(x.kind);
  return base + (x.nullable ? "?" : "");
}

function diffRecords(a: Record<string, string>, b: Record<string, string>): Record<string, [string | undefined, string | undefined]> {
  const out: Record<string, [string | undefined, string | undefined]> = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) if (a[k] !== b[k]) out[k] = [a[k], b[k]];
  return out;
}

function flatSettings(ir: IrDocument): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [t, v] of Object.entries(ir.settings ?? {})) for (const [k, x] of Object.entries((v ?? {}) as Record<string, unknown>)) out[`${t}.${k}`] = JSON.stringify(x);
  for (const [k, x] of Object.entries((ir.pipeline?.settings ?? {}) as Record<string, unknown>)) out[`pipeline.${k}`] = JSON.stringify(x);
  return out;
}

export function diffPipelines(before: IrDocument, after: IrDocument, targets: readonly string[] = ["aws", "spark", "flink", "slurm", "cassandra"]): PipelineDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  let removed = before.nodes.filter((n) => !now.has(n.id)).map((n) => n.id);
  let added = after.nodes.filter((n) => !old.has(n.id)).map((n) => n.id);
  // A step gone and one come with the same kind and definition is a rename.
  const renamed: [string, string][] = [];
  for (const r of [...removed]) {
    const def = definitionOf(old.get(r)!);
    const to = added.find((a) => writtenKind(now.get(a)!) === writtenKind(old.get(r)!) && definitionOf(now.get(a)!) === def);
    if (to) {
      renamed.push([r, to]);
      removed = removed.filter((x) => x !== r);
      added = added.filter((x) => x !== to);
    }
  }
  const renames = new Map(renamed);
  const renamedFrom = new Map(renamed.map(([from, to]) => [to, from]));
  const changed: StepChange[] = [];
  for (const n of after.nodes) {
    const was = old.get(n.id) ?? old.get(renamedFrom.get(n.id) ?? "");
    if (!was) continue;
    const settings = diffRecords(settingsOf(was), settingsOf(n));
    const statements = diffStatements(statementsOf(before, was), statementsOf(after, n));
    const ins: [string[], string[]] = [inputsOf(before, was.id, renames), inputsOf(after, n.id)];
    const ca = columnsOf(was.ports.outputs[0]?.artifact);
    const cb = columnsOf(n.ports.outputs[0]?.artifact);
    const columns = {
      added: [...cb.keys()].filter((c) => !ca.has(c)),
      removed: [...ca.keys()].filter((c) => !cb.has(c)),
      retyped: [...cb].filter(([c, t]) => ca.has(c) && ca.get(c) !== t).map(([c, t]): [string, string, string] => [c, ca.get(c)!, t]),
    };
    const c: StepChange = { step: n.id, kind: writtenKind(n), settings, statements, columns };
    if (json(ins[0]) !== json(ins[1])) c.inputs = ins;
    if (Object.keys(settings).length || statements.removed.length || statements.added.length || c.inputs || columns.added.length || columns.removed.length || columns.retyped.length || writtenKind(was) !== writtenKind(n)) changed.push(c);
  }
  const highlight = new Set([...added, ...changed.map((c) => c.step), ...renamed.map(([, b]) => b)]);
  return {
    added,
    removed,
    renamed,
    changed,
    settings: diffRecords(flatSettings(before), flatSettings(after)),
    targets: targets.map((t) => diffTarget(t, before, { ...after, file: before.file })).filter((t) => t.refused || t.added.length || t.removed.length || t.changed.length || t.replaced.length),
    picture: mermaid(after, highlight),
  };
}

/** What one side compiles to for a target: AWS resources by logical name and the files; or why it cannot. */
type Compiled = { resources: Map<string, Resource>; files: Map<string, string> } | { refused: string };

function compileFor(name: string, ir: IrDocument): Compiled {
  try {
    if (name === "aws") {
      const { stacks, files } = awsProject({ ir, variants: [] });
      const program = stacks.planned.get(stacks.stacks[0]!.name)!.program;
      // The program's resources are compared one by one; of the files, its stack configuration and assets.
      return { resources: new Map(program.groups.flatMap((g) => g.resources).map((r) => [r.name, r])), files: new Map(files.filter((f) => f.path !== "index.ts").map((f) => [f.path, f.contents])) };
    }
    const emit = target(name)?.emit;
    return { resources: new Map(), files: new Map((emit?.({ ir, variants: [] }) ?? []).map((f) => [f.path, f.contents])) };
  } catch (e) {
    if (e instanceof TargetError) return { refused: e.message };
    throw e;
  }
}

function diffTarget(name: string, before: IrDocument, after: IrDocument): TargetChange {
  const out: TargetChange = { target: name, added: [], removed: [], changed: [], replaced: [] };
  const a = compileFor(name, before);
  const b = compileFor(name, after);
  // A target neither side can use (AWS for a pipeline on HDFS) has nothing to say.
  if ("refused" in a && "refused" in b) return out;
  if ("refused" in a || "refused" in b) {
    out.refused = "refused" in a ? a.refused : (b as { refused: string }).refused;
    return out;
  }
  for (const [k, r] of b.resources) {
    const was = a.resources.get(k);
    if (!was) out.added.push(`${r.type} ${k}`);
    else if (was.type !== r.type) out.replaced.push(`${was.type} → ${r.type} ${k}`);
    else if (JSON.stringify(was.args) !== JSON.stringify(r.args)) out.changed.push(`${r.type} ${k}`);
  }
  for (const [k, r] of a.resources) if (!b.resources.has(k)) out.removed.push(`${r.type} ${k}`);
  diffFiles(a.files, b.files, out);
  return out;
}

function diffFiles(a: Map<string, string>, b: Map<string, string>, out: TargetChange): void {
  for (const [p, text] of b) {
    if (!a.has(p)) out.added.push(`file ${p}`);
    else if (a.get(p) !== text) out.changed.push(`file ${p}`);
  }
  for (const p of a.keys()) if (!b.has(p)) out.removed.push(`file ${p}`);
}

// ---------- rendering ----------

const show = (v: string | undefined) => (v === undefined ? "(not set)" : v);

function stepLines(c: StepChange, md: boolean): string[] {
  const code = (s: string) => (md ? `\`${s}\`` : s);
  const lines: string[] = [];
  for (const [k, [a, b]] of Object.entries(c.settings)) lines.push(`${code(k)}: ${show(a)} → ${show(b)}`);
  for (const l of c.statements.removed) lines.push(md ? `removed ${code(l)}` : `- ${l}`);
  for (const l of c.statements.added) lines.push(md ? `added ${code(l)}` : `+ ${l}`);
  if (c.inputs) lines.push(`inputs: ${c.inputs[0].join(", ") || "none"} → ${c.inputs[1].join(", ") || "none"}`);
  if (c.columns.added.length) lines.push(`columns added: ${c.columns.added.map(code).join(", ")}`);
  if (c.columns.removed.length) lines.push(`columns removed: ${c.columns.removed.map(code).join(", ")}`);
  for (const [col, a, b] of c.columns.retyped) lines.push(`column ${code(col)}: ${a} → ${b}`);
  return lines;
}

export function isEmpty(d: PipelineDiff): boolean {
  return !d.added.length && !d.removed.length && !d.renamed.length && !d.changed.length && !Object.keys(d.settings).length && !d.targets.length;
}

export function renderHuman(d: PipelineDiff): string {
  if (isEmpty(d)) return "no changes\n";
  const out: string[] = [];
  for (const s of d.added) out.push(`+ step ${s}`);
  for (const s of d.removed) out.push(`- step ${s}`);
  for (const [a, b] of d.renamed) out.push(`~ step ${a} renamed to ${b}`);
  for (const c of d.changed) out.push(`~ step ${c.step} (${c.kind})`, ...stepLines(c, false).map((l) => `    ${l}`));
  for (const [k, [a, b]] of Object.entries(d.settings)) out.push(`~ setting ${k}: ${show(a)} → ${show(b)}`);
  for (const t of d.targets) {
    out.push(`${t.target}:${t.refused ? ` cannot compile: ${t.refused}` : ""}`);
    for (const x of t.added) out.push(`    + ${x}`);
    for (const x of t.removed) out.push(`    - ${x}`);
    for (const x of t.replaced) out.push(`    ± ${x} (replaced)`);
    for (const x of t.changed) out.push(`    ~ ${x}`);
  }
  return out.join("\n") + "\n";
}

export function renderMarkdown(d: PipelineDiff, title: string): string {
  if (isEmpty(d)) return `### ${title}\n\nNo changes to the pipeline.\n`;
  const out = [`### ${title}`, ""];
  const summary = [d.added.length && `${d.added.length} added`, d.removed.length && `${d.removed.length} removed`, d.renamed.length && `${d.renamed.length} renamed`, d.changed.length && `${d.changed.length} changed`].filter(Boolean);
  if (summary.length) out.push(`Steps: ${summary.join(", ")}.`, "");
  for (const s of d.added) out.push(`- **added** \`${s}\``);
  for (const s of d.removed) out.push(`- **removed** \`${s}\``);
  for (const [a, b] of d.renamed) out.push(`- **renamed** \`${a}\` → \`${b}\``);
  for (const c of d.changed) {
    out.push(`- **changed** \`${c.step}\` (${c.kind})`);
    for (const l of stepLines(c, true)) out.push(`  - ${l}`);
  }
  if (Object.keys(d.settings).length) {
    out.push("", "| setting | before | after |", "|---|---|---|");
    for (const [k, [a, b]] of Object.entries(d.settings)) out.push(`| \`${k}\` | ${show(a).replace(/\|/g, "\\|")} | ${show(b).replace(/\|/g, "\\|")} |`);
  }
  for (const t of d.targets) {
    out.push("", `<details><summary><b>${t.target}</b>: ${t.refused ? "cannot compile" : [t.added.length && `${t.added.length} to add`, t.replaced.length && `${t.replaced.length} to replace`, t.changed.length && `${t.changed.length} to update`, t.removed.length && `${t.removed.length} to remove`].filter(Boolean).join(", ")}</summary>`, "");
    if (t.refused) out.push(t.refused);
    for (const x of t.added) out.push(`- \`+\` ${x}`);
    for (const x of t.replaced) out.push(`- \`±\` ${x}`);
    for (const x of t.changed) out.push(`- \`~\` ${x}`);
    for (const x of t.removed) out.push(`- \`-\` ${x}`);
    out.push("", "</details>");
  }
  out.push("", "```mermaid", d.picture.trimEnd(), "```");
  return out.join("\n") + "\n";
}
