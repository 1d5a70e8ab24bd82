// A check session (incremental parsing and reuse of unchanged steps' results) gives exactly
// what a check from scratch gives: random edits of every sample, of an imported file and of
// a generated pipeline, compared on diagnostics, each step's config and outputs, and the IR.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import type { CheckedProgram } from "../../language/checker/model";
import { CheckSession, checkProgram } from "../../language/checker/program";
import { generatePipeline } from "../bench/generate";
import { below } from "../random";

const SAMPLES = fileURLToPath(new URL("../../samples/", import.meta.url));
/** The files being edited over the disk; a missing file reads as none, as the CLI's loader has it (an edit can turn an import's path into one). */
const disk = (over: Record<string, string>) => ({
  read: (p: string) => {
    if (p in over) return over[p];
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  },
});


/** Edits a person makes: a word typed into a name, a number changed, a line deleted or pasted, a brace dropped. */
function edit(text: string, r: (n: number) => number): string {
  const at = r(text.length);
  switch (r(7)) {
    case 0: {
      const m = /[a-z_]{3,}/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index + 2) + "x" + text.slice(at + m.index + 2) : text;
    }
    case 1: {
      const m = /\d+/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index) + String(Number(m[0]) + 1) + text.slice(at + m.index + m[0].length) : text;
    }
    case 2: {
      const s = text.lastIndexOf("\n", at - 1) + 1;
      const e = text.indexOf("\n", at);
      return text.slice(0, s) + text.slice(e < 0 ? text.length : e + 1);
    }
    case 3: {
      const lines = text.split("\n");
      const s = text.lastIndexOf("\n", at - 1) + 1;
      return text.slice(0, s) + lines[r(lines.length)] + "\n" + text.slice(s);
    }
    case 4: {
      const i = text.indexOf("}", at);
      return i < 0 ? text : text.slice(0, i) + text.slice(i + 1);
    }
    case 5: {
      // a step's input renamed to another step's name
      const m = /\(([a-z_]+)/.exec(text.slice(at));
      const names = [...text.matchAll(/^[a-z]+ ([a-z_0-9]+)\(/gm)].map((x) => x[1]!);
      return m && names.length ? text.slice(0, at + m.index + 1) + names[r(names.length)] + text.slice(at + m.index + 1 + m[1]!.length) : text;
    }
    default:
      return text;
  }
}

/**
 * Typing inside a step's body, what a check session mostly sees: a number changed, a digit
 * or a letter typed into a value, a comment line added. The graph keeps its shape, so these
 * are checked from the last check (CheckSession.quick), often keeping its whole-graph results.
 */
function typing(text: string, r: (n: number) => number): string {
  const at = r(text.length);
  switch (r(4)) {
    case 0: {
      const m = /\b\d+\b/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index) + String(r(1000)) + text.slice(at + m.index + m[0].length) : text;
    }
    case 1: {
      const m = /= *"[^"\n]*/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index + m[0].length) + "x" + text.slice(at + m.index + m[0].length) : text;
    }
    case 2: {
      // a comment line inside a body (after an indented line)
      const m = /\n  [a-z][^\n]*\n/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index + m[0].length) + "  // checked by hand\n" + text.slice(at + m.index + m[0].length) : text;
    }
    default: {
      // a letter typed at the end of a word in an indented line (an attribute, a column, an enum value)
      const m = /\n  +[^\n]*?[a-z_]{3,}/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index + m[0].length) + "s" + text.slice(at + m.index + m[0].length) : text;
    }
  }
}

function summary(p: CheckedProgram): string {
  const steps = p.order.map((s) => [s.id, s.kind, s.config, s.configOk, [...s.outputs], s.windowTime, [...s.types.values()]]);
  const variants = [...p.variants].map(([k, v]) => [k, v.order.map((s) => [s.id, s.config, [...s.outputs]])]);
  const errors = p.diagnostics.some((d) => d.severity === "error");
  const irs = errors ? null : [lower(p), ...[...p.variants.keys()].map((v) => lower(p, v))];
  // A schema's name index is built on first lookup: not part of what a check says.
  return JSON.stringify({ diagnostics: p.diagnostics, steps, variants, irs }, (k, v) => (k === "index" ? undefined : v));
}

/**
 * What a session's program must hold beyond what a summary compares: each program (the file's
 * and each variant's) is made of its own steps (inputs, the file's step table) and of the
 * declarations of the text as it is now, not of a program an earlier check made.
 */
function consistent(p: CheckedProgram): string | undefined {
  const now = new Map<string, { span: object }>();
  for (const d of p.entry.ast.decls) if ((d.kind === "step" || d.kind === "use") && !now.has(d.name.name)) now.set(d.name.name, d);
  for (const [name, v] of [["", p] as const, ...p.variants]) {
    const mine = new Set(v.order);
    for (const s of v.order) {
      if (s.file === p.entry.path && now.get(s.name)?.span !== s.decl.span) return `${name}: \`${s.name}\` has an old declaration`;
      for (const i of s.inputs) if (i.step && !mine.has(i.step)) return `${name}: \`${s.name}\` reads \`${i.step.name}\` of another program`;
    }
    for (const s of v.entry.steps.values()) if (!mine.has(s)) return `${name}: the file's step table holds \`${s.name}\` of another program`;
  }
  return undefined;
}

/**
 * `reference`: what the session is compared with at each edit; by default a check from
 * scratch, checking every variant in full.
 */
function replay(
  entry: string,
  files: Record<string, string>,
  edited: string,
  seed: number,
  edits: number,
  undo: boolean,
  change: (text: string, r: (n: number) => number) => string = edit,
  reference = (path: string, loader: { read(p: string): string | undefined }, text: string | undefined) => new CheckSession({ variantsInFull: true }).check(path, loader, text),
): CheckSession {
  const r = below(seed);
  const session = new CheckSession();
  const original = files[edited]!;
  for (let k = 0; k < edits; k++) {
    const before = files[edited]!;
    const text = undo && r(4) === 0 ? original : change(before, r);
    files[edited] = text;
    const loader = disk(files);
    const again = session.check(entry, loader, files[entry]);
    expect(consistent(again), `edit ${k} (seed ${seed}) of ${edited}`).toBeUndefined();
    const a = summary(again);
    const b = summary(reference(entry, loader, files[entry]));
    if (a !== b) {
      let i = 0;
      while (a[i] === b[i]) i++;
      expect(a.slice(Math.max(0, i - 400), i + 300), `edit ${k} (seed ${seed}) of ${edited}`).toBe(b.slice(Math.max(0, i - 400), i + 300));
    }
  }
  return session;
}

describe("check sessions", () => {
  const samples = readdirSync(SAMPLES, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".mlp")).map((f) => f.name);
  for (const f of samples) {
    it(`check again as from scratch under random edits: ${f}`, () => {
      const path = join(SAMPLES, f);
      const session = replay(path, { [path]: readFileSync(path, "utf8") }, path, f.length * 31, 60, true);
      expect(session.results.counts.reused).toBeGreaterThan(0);
      // Some edits only rewrote step bodies: those were checked from the last check.
      expect(session.checks.quick).toBeGreaterThan(0);
    }, 60_000);
  }

  // Variants: only the steps an override reaches are checked again; the rest is the file's.
  const FIXTURES = fileURLToPath(new URL("../fixtures/check/", import.meta.url));
  const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
  for (const path of [join(FIXTURES, "variants.mlp"), join(FIXTURES, "variant_pipeline.mlp"), join(FIXTURES, "duplicates.mlp"), join(FIXTURES, "target_reach.mlp"), join(CONFORMANCE, "valid/churn.mlp"), join(CONFORMANCE, "invalid/ungated_deploy_and_bad_variant.mlp")]) {
    it(`checks variants as in full under random edits: ${path.split("/").slice(-2).join("/")}`, () => {
      // Seeded by the name, not the whole path: the same edits wherever the checkout is.
      replay(path, { [path]: readFileSync(path, "utf8") }, path, path.split("/").slice(-2).join("/").length * 7, 60, true);
    }, 60_000);
  }

  it("a check from scratch is a fresh session's", () => {
    const path = join(SAMPLES, "machine_failure.mlp");
    replay(path, { [path]: readFileSync(path, "utf8") }, path, 11, 20, true, edit, (p, loader, text) => checkProgram(p, loader, text));
  });

  // Typing in bodies: checked from the last check, and as from scratch.
  const typed = [...samples.map((f) => join(SAMPLES, f)), join(FIXTURES, "variants.mlp"), join(FIXTURES, "target_reach.mlp"), join(CONFORMANCE, "valid/churn.mlp")];
  it("checks typing in step bodies from the last check, as from scratch", () => {
    const checks = { full: 0, quick: 0, carried: 0 };
    for (const path of typed) {
      const session = replay(path, { [path]: readFileSync(path, "utf8") }, path, path.split("/").slice(-2).join("/").length * 13, 40, true, typing);
      for (const k of ["full", "quick", "carried"] as const) checks[k] += session.checks[k];
    }
    // Most typing is checked quickly; some of it keeps the whole graph's results.
    expect(checks.quick).toBeGreaterThan(checks.full);
    expect(checks.carried).toBeGreaterThan(0);
  }, 120_000);

  it("checks an importer again when an imported file changes", () => {
    const entry = join(SAMPLES, "demand_forecast.mlp");
    const lib = join(SAMPLES, "lib", "catalog.mlp");
    replay(entry, { [entry]: readFileSync(entry, "utf8"), [lib]: readFileSync(lib, "utf8") }, lib, 7, 40, true);
  });

  it("checks a generated 1,000-step pipeline with variants again as from scratch", () => {
    const path = "/big/bench.mlp";
    const text = generatePipeline(1000);
    replay(path, { [path]: text }, path, 3, 8, false);
    // A digit typed into a filter: that step, those downstream of it and the variants' overridden
    // steps (their declarations are rebuilt per check) are checked again; the rest of the graph
    // is the last check's.
    const session = new CheckSession();
    const loader = { read: () => undefined };
    session.check(path, loader, text);
    const before = { ...session.results.counts };
    const at = text.indexOf("filter ", text.length >> 1);
    const digit = text.slice(at).search(/\d/) + at;
    session.check(path, loader, text.slice(0, digit) + "1" + text.slice(digit));
    const checked = session.results.counts.checked - before.checked;
    const reused = session.results.counts.reused - before.reused;
    // The filter's output is what it was: leakage, reach and the variants are the last check's.
    expect(session.checks).toEqual({ full: 1, quick: 1, carried: 1 });
    expect(checked).toBeGreaterThan(0);
    // A check in full goes through every one of the 1,000 steps, and the variants' again.
    expect(checked + reused).toBeLessThan(200);
  }, 60_000);
});
