// Completion that knows where it is: declarations and step kinds at the top level, a
// kind's settings and operations at the start of a line in its body, a setting's values
// after `=`, column names of the step's input and functions inside expressions, step names
// in an input list. The text around the cursor says where (it is usually mid-edit and may
// not parse); the last checked program says what exists.
import { STEP_KINDS, stepKind } from "../catalog";
import type { CheckedProgram, StepInfo } from "../checker/model";
import { FUNCTIONS } from "../functions";
import { SCALAR_KINDS, schemaOf } from "../types";
import { fileOf } from "./answers";
import { stepNamed } from "./locate";
import { settingsFor } from "./settings";

export interface Completion {
  label: string;
  kind: "keyword" | "stepKind" | "setting" | "operation" | "value" | "column" | "step" | "function" | "type";
  detail?: string;
  doc?: string;
  /** Text inserted, when it is more than the label (`name = `). */
  insert?: string;
}

const DECLARATIONS = ["pipeline", "schema", "import", "use", "variant", "target", "layout"];

interface Where {
  /** Brace depth at the cursor (strings and comments skipped). */
  depth: number;
  /** The line that starts the enclosing top-level declaration. */
  header: string;
  /** Text of the cursor's line before it. */
  before: string;
  /** An input list is open (`kind name(a, |`). */
  inInputs: boolean;
}

function where(text: string, at: number): Where {
  let depth = 0;
  let parens = 0;
  let headerAt = 0;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      if (nl < 0 || nl >= at) break;
      i = nl;
    } else if (c === '"') {
      for (i++; i < at && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}") depth = Math.max(0, depth - 1);
    else if (c === "(" && depth === 0) parens++;
    else if (c === ")" && depth === 0) parens = Math.max(0, parens - 1);
    else if (c === "\n" && depth === 0) {
      headerAt = i + 1;
      parens = 0;
    }
  }
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const headerEnd = text.indexOf("\n", headerAt);
  return { depth, header: text.slice(headerAt, headerEnd < 0 ? undefined : headerEnd), before: text.slice(lineStart, at), inInputs: depth === 0 && parens > 0 };
}

function columnsFor(step: StepInfo | undefined, inputNames: string[], program: CheckedProgram | undefined, path: string): Completion[] {
  const seen = new Set<string>();
  const out: Completion[] = [];
  const add = (name: string, detail: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ label: name, kind: "column", detail });
  };
  const file = program && fileOf(program, path);
  const inputs = step?.inputs.map((i) => i.artifact) ?? inputNames.flatMap((n) => [...((file && stepNamed(file, n))?.outputs.values() ?? [])]);
  for (const a of inputs) for (const c of schemaOf(a)?.columns ?? []) add(c.name, c.type.kind + (c.type.nullable ? "?" : ""));
  return out;
}

const functions = (): Completion[] => FUNCTIONS.map((f) => ({ label: f.name, kind: "function", detail: f.shape, doc: f.doc, insert: `${f.name}(` }));

export function complete(program: CheckedProgram | undefined, path: string, text: string, at: number): Completion[] {
  const w = where(text, at);
  const file = program && fileOf(program, path);
  if (w.depth === 0) {
    if (w.inInputs) {
      const names = file ? [...file.steps.keys(), ...[...file.imports].filter(([, v]) => v.step).map(([k]) => k)] : [];
      const self = /^\s*\w+\s+(\w+)/.exec(w.header)?.[1];
      return names.filter((n) => n !== self).map((n) => ({ label: n, kind: "step", detail: stepNamed(file!, n)?.kind ?? "step" }));
    }
    if (!/^\w*$/.test(w.before)) return [];
    return [
      ...DECLARATIONS.map((k) => ({ label: k, kind: "keyword" as const })),
      ...STEP_KINDS.map((k) => ({ label: k.kind, kind: "stepKind" as const, detail: `${k.category} step`, doc: k.doc })),
    ];
  }
  const head = /^\s*(\w+)\s+(\w+)?(?:\s*\(([^)]*)\))?/.exec(w.header);
  const declKind = head?.[1] ?? "";
  if (declKind === "schema") return /:\s*\w*$/.test(w.before) ? [...SCALAR_KINDS, "enum", "vector"].map((t) => ({ label: t, kind: "type" })) : [];
  if (declKind === "pipeline" || declKind === "target") {
    const settings = settingsFor(declKind, head?.[2]);
    const valueOf = /^\s*(\w+)\s*=\s*\w*$/.exec(w.before);
    if (valueOf) return (settings.get(valueOf[1]!)?.values ?? []).map((v) => ({ label: v, kind: "value" }));
    if (/^\s*\w*$/.test(w.before)) return [...settings].map(([k, v]) => ({ label: k, kind: "setting", doc: v.doc, insert: `${k} = ` }));
    return [];
  }
  const kind = stepKind(declKind);
  if (!kind) return [];
  const step = file && head?.[2] ? file.steps.get(head[2]) : undefined;
  const inputNames = (head?.[3] ?? "").split(",").map((s) => s.trim().replace(/^\w+\s*:\s*/, "").replace(/\..*$/, "")).filter(Boolean);
  const settings = settingsFor("step", kind.kind);
  if (w.depth === 1 && /^\s*\w*$/.test(w.before)) {
    const items: Completion[] = [];
    for (const [k, v] of settings) items.push({ label: k, kind: "setting", detail: v.required ? "required" : "optional", doc: v.doc, insert: `${k} = ` });
    for (const op of kind.ops) items.push({ label: op, kind: "operation", insert: `${op} ` });
    return items;
  }
  const valueOf = /^\s*(\w+)\s*=\s*\w*$/.exec(w.before);
  const values = valueOf ? (settings.get(valueOf[1]!)?.values ?? []).map((v): Completion => ({ label: v, kind: "value" })) : [];
  return [...values, ...columnsFor(step, inputNames, program, path), ...functions()];
}
