// Reuse of a step's checked results between checks (the editor and the language server check
// on every keystroke) and between a file and its variants within one check.
//
// A step's rules read its declaration, the re-applied body, its inputs' artifacts and the
// schemas it names, and nothing else; the results are its config, output artifacts, column
// types and diagnostics. So a step is checked again only when one of those changed: the
// declaration is the same object (incremental parsing keeps the objects of declarations an
// edit did not touch), the artifacts are equal, the schemas it looked up are the same
// declarations.
//
// Declarations an edit did not touch may still have moved, so the spans of stored
// diagnostics are kept relative to the declaration they sit in (the step's own, or another
// one for a note) and placed again where that declaration is now. A declaration no longer in
// its file's tree makes the entry stale.
import type * as A from "../ast";
import type { Code } from "../diagnostics/catalog";
import type { DiagnosticExtras, Note } from "../diagnostics/diagnostic";
import type { Span } from "../span";
import { Schema, type Artifact, type ColumnType } from "../types";
import type { Config, Report, SchemaInfo, StepInfo } from "./model";

/** Where a declaration of a file is now; undefined when the file's tree no longer holds it. */
export interface Trees {
  decls(file: string): readonly A.Decl[] | undefined;
  live(decl: A.Decl): boolean;
}

/** A span with its offsets and lines counted from the start of `decl` (columns as they are). */
interface Placed extends Span {
  decl: A.Decl;
}

interface StoredReport {
  code: Code;
  span: Placed;
  message: string;
  label?: string;
  help?: string;
  notes?: { message: string; file: string; span: Placed }[];
}

interface Entry {
  kind: string;
  body: A.StepDecl;
  inputs: { port: string; output: string; ref: A.InputRef; artifact: Artifact }[];
  /** Schema names looked up, with the declaration each found (undefined: none). */
  schemas: [string, A.SchemaDecl | undefined][];
  /** The list of schema names offered in suggestions, when the rules asked for it. */
  names: string | undefined;
  config: Config;
  configOk: boolean;
  outputs: Map<string, Artifact>;
  types: Map<A.Expr, ColumnType>;
  windowTime: string | undefined;
  reports: StoredReport[];
}

/** What a step's rules looked up while they ran. */
export interface Lookups {
  schemas: [string, SchemaInfo | undefined][];
  names: string[] | undefined;
}

export class StepResults {
  private readonly entries = new Map<A.StepDecl | A.UseDecl, Entry[]>();
  /** Steps filled from a stored check, and steps checked, since the session began. */
  readonly counts = { reused: 0, checked: 0 };

  constructor(private readonly trees: Trees) {}

  /**
   * Fills `s` from a stored check and replays its diagnostics through `report`; false when
   * nothing stored fits (the step is then checked, and `store`d).
   */
  reuse(s: StepInfo, schemaNamed: (name: string) => SchemaInfo | undefined, schemaNames: () => string[], report: Report): boolean {
    const list = this.entries.get(s.decl);
    if (!list) {
      this.counts.checked++;
      return false;
    }
    for (const e of list) {
      if (!this.fits(e, s, schemaNamed, schemaNames)) continue;
      const placed = e.reports.map((r) => this.replace(r));
      if (placed.some((r) => r === undefined)) continue;
      s.config = e.config;
      s.configOk = e.configOk;
      s.outputs = e.outputs;
      s.types = e.types;
      if (e.windowTime !== undefined) s.windowTime = e.windowTime;
      for (const r of placed) report(r!.code, r!.span, r!.message, r!.extras);
      this.counts.reused++;
      return true;
    }
    this.counts.checked++;
    return false;
  }

  /** Keeps what checking `s` gave, with the diagnostics it reported (in order). */
  store(s: StepInfo, lookups: Lookups, reports: { code: Code; span: Span; message: string; extras?: DiagnosticExtras }[]): void {
    if (!s.kind || !s.body) return;
    const stored: StoredReport[] = [];
    for (const r of reports) {
      const span = this.place(s.file, r.span, s.decl);
      if (!span) return;
      const out: StoredReport = { code: r.code, span, message: r.message };
      if (r.extras?.label) out.label = r.extras.label;
      if (r.extras?.help) out.help = r.extras.help;
      if (r.extras?.notes?.length) {
        out.notes = [];
        for (const n of r.extras.notes) {
          const at = this.place(n.file, n.span, s.decl);
          if (!at) return;
          out.notes.push({ message: n.message, file: n.file, span: at });
        }
      }
      stored.push(out);
    }
    const entry: Entry = {
      kind: s.kind,
      body: s.body,
      inputs: s.inputs.map((i) => ({ port: i.port, output: i.output, ref: i.ref, artifact: i.artifact })),
      schemas: lookups.schemas.map(([n, info]) => [n, info?.decl]),
      names: lookups.names?.join("\n"),
      config: s.config,
      configOk: s.configOk,
      outputs: s.outputs,
      types: s.types,
      windowTime: s.windowTime,
      reports: stored,
    };
    // A declaration is checked in the file's program and in each variant's: a few entries each.
    const list = this.entries.get(s.decl) ?? [];
    if (list.length >= 4) list.shift();
    list.push(entry);
    this.entries.set(s.decl, list);
  }

  /**
   * Forgets the entries of `dead`, declarations no tree holds any more. Entries of other
   * declarations no tree holds (a variant's copies of the steps it overrides, made per check)
   * are swept once they outnumber the `live` declarations.
   */
  prune(dead: Iterable<A.Decl>, live: number): void {
    for (const d of dead) this.entries.delete(d as A.StepDecl);
    if (this.entries.size <= 2 * live + 64) return;
    for (const d of this.entries.keys()) if (!this.trees.live(d)) this.entries.delete(d);
  }

  private fits(e: Entry, s: StepInfo, schemaNamed: (name: string) => SchemaInfo | undefined, schemaNames: () => string[]): boolean {
    if (e.kind !== s.kind || e.body !== s.body || e.inputs.length !== s.inputs.length) return false;
    for (let k = 0; k < e.inputs.length; k++) {
      const a = e.inputs[k]!;
      const b = s.inputs[k]!;
      if (a.port !== b.port || a.output !== b.output || a.ref !== b.ref || !same(a.artifact, b.artifact)) return false;
    }
    for (const [name, decl] of e.schemas) if (schemaNamed(name)?.decl !== decl) return false;
    return e.names === undefined || e.names === schemaNames().join("\n");
  }

  /** A span of `file` relative to the declaration holding it (`own` first), or undefined when none does. */
  private place(file: string, sp: Span, own: A.Decl): Placed | undefined {
    let decl: A.Decl | undefined = own.span.start <= sp.start && sp.end <= own.span.end && this.trees.live(own) ? own : undefined;
    if (!decl) {
      const decls = this.trees.decls(file);
      if (!decls) return undefined;
      let lo = 0;
      let hi = decls.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (decls[mid]!.span.start <= sp.start) lo = mid;
        else hi = mid - 1;
      }
      const d = decls[lo];
      if (!d || d.span.start > sp.start || sp.end > d.span.end) return undefined;
      decl = d;
    }
    const at = decl.span;
    return { decl, start: sp.start - at.start, line: sp.line - at.line, col: sp.col, end: sp.end - at.start, endLine: sp.endLine - at.line, endCol: sp.endCol };
  }

  private replace(r: StoredReport): { code: Code; span: Span; message: string; extras: DiagnosticExtras } | undefined {
    const span = this.unplace(r.span);
    if (!span) return undefined;
    const extras: DiagnosticExtras = {};
    if (r.label) extras.label = r.label;
    if (r.help) extras.help = r.help;
    if (r.notes) {
      const notes: Note[] = [];
      for (const n of r.notes) {
        const at = this.unplace(n.span);
        if (!at) return undefined;
        notes.push({ message: n.message, file: n.file, span: at });
      }
      extras.notes = notes;
    }
    return { code: r.code, span, message: r.message, extras };
  }

  private unplace(p: Placed): Span | undefined {
    if (!this.trees.live(p.decl)) return undefined;
    const at = p.decl.span;
    return { start: at.start + p.start, line: at.line + p.line, col: p.col, end: at.start + p.end, endLine: at.line + p.endLine, endCol: p.endCol };
  }
}

/** Structural equality of artifacts (schemas by their columns). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Schema || b instanceof Schema) return a instanceof Schema && b instanceof Schema && a.name === b.name && same(a.columns, b.columns);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
