// Inspector forms generated from a kind's zod config schema (through its JSON Schema):
// enums become selects, bounded numbers number inputs, durations/sizes/cron checked
// text, a comparison of two columns (a join's `asof`) the text `a >= b`, plain nested
// objects (resources) groups, and anything richer (unions, hyperparameter maps) an
// expression field parsed with the language's own parser.
import * as z from "zod";
import type { IrExpr } from "../../../compiler/ir";
import { expr as lowerExpr } from "../../../compiler/lower";
import { expr as raiseExpr } from "../../../compiler/print";
import { formatExpr } from "../../../language/formatter";
import { parse } from "../../../language/parser";

export type Control = "select" | "number" | "text" | "checkbox" | "group" | "expr";
export type Format = "duration" | "size" | "cron" | "name" | "string" | "comparison";

export interface Field {
  key: string;
  /** [attribute, nested key, ...] */
  path: string[];
  label: string;
  doc?: string;
  control: Control;
  required: boolean;
  format?: Format;
  options?: string[];
  min?: number;
  max?: number;
  /** Bounds that exclude the value itself (`gt`, `lt`). */
  exclusive?: { min?: boolean; max?: boolean };
  integer?: boolean;
  default?: unknown;
  children?: Field[];
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
}

const IDENT_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

/**
 * `{ op, left, right }` with names on both sides: the config of `left_col >= right_col`
 * (a join's `asof`). The text says it as written; a group of three fields would not.
 */
function comparisonOps(s: JsonSchema): string[] | undefined {
  const p = s.properties;
  if (!p || Object.keys(p).length !== 3 || !p.op?.enum || !p.left || !p.right) return undefined;
  if (p.left.pattern !== IDENT_PATTERN || p.right.pattern !== IDENT_PATTERN) return undefined;
  return p.op.enum.every((v) => typeof v === "string") ? (p.op.enum as string[]) : undefined;
}
// zod writes Number.MAX_SAFE_INTEGER as the maximum of every int; that is no bound a person sets.
const NO_BOUND = 2 ** 40;

function field(key: string, path: string[], s: JsonSchema, required: boolean): Field {
  const f: Field = { key, path, label: key.replace(/_/g, " "), control: "expr", required };
  if (s.description) f.doc = s.description;
  if (s.default !== undefined) f.default = s.default;
  if (s.enum && s.enum.every((v) => typeof v === "string")) return { ...f, control: "select", options: s.enum as string[] };
  if (s.type === "integer" || s.type === "number") {
    const out: Field = { ...f, control: "number", integer: s.type === "integer" };
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    if (min !== undefined && Math.abs(min) < NO_BOUND) out.min = min;
    if (max !== undefined && Math.abs(max) < NO_BOUND) out.max = max;
    if (s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined)
      out.exclusive = { ...(s.exclusiveMinimum !== undefined ? { min: true } : {}), ...(s.exclusiveMaximum !== undefined ? { max: true } : {}) };
    return out;
  }
  if (s.type === "boolean") return { ...f, control: "checkbox" };
  if (s.type === "string") {
    const format: Format = s.format === "duration" ? "duration" : s.format === "size" ? "size" : s.pattern === IDENT_PATTERN ? "name" : "string";
    return { ...f, control: "text", format };
  }
  if (s.type === "object" && s.format === "cron") return { ...f, control: "text", format: "cron" };
  const ops = s.type === "object" && s.additionalProperties === false ? comparisonOps(s) : undefined;
  if (ops) return { ...f, control: "text", format: "comparison", options: ops };
  if (s.type === "object" && s.properties && s.additionalProperties === false && !s.anyOf) {
    const req = new Set(s.required ?? []);
    return { ...f, control: "group", children: Object.entries(s.properties).map(([k, v]) => field(k, [...path, k], v, req.has(k))) };
  }
  return f;
}

const cache = new WeakMap<z.ZodType, Field[]>();

/** The form for a config schema (an object schema: a kind's `config`, the pipeline or a target's settings). */
export function fieldsOf(schema: z.ZodType): Field[] {
  const hit = cache.get(schema);
  if (hit) return hit;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const req = new Set(json.required ?? []);
  const fields = Object.entries(json.properties ?? {}).map(([k, v]) => field(k, [k], v, req.has(k)));
  cache.set(schema, fields);
  return fields;
}

// ---------- values ----------

export function exprText(e: IrExpr): string {
  return formatExpr(raiseExpr(e));
}

/** What a control shows for the expression currently written (undefined: not written). */
export function displayValue(f: Field, e: IrExpr | undefined): string | boolean | undefined {
  if (!e) return undefined;
  switch (f.control) {
    case "checkbox":
      return e.kind === "bool" ? e.value : undefined;
    case "select":
      return e.kind === "ref" ? e.name : e.kind === "string" ? e.value : exprText(e);
    case "number":
      return exprText(e);
    case "text":
      if (f.format === "cron" && e.kind === "call" && e.callee === "cron" && e.args[0]?.value.kind === "string") return e.args[0].value.value;
      if (f.format === "comparison") return exprText(e);
      if (e.kind === "string") return e.value;
      if (e.kind === "ref") return e.name;
      if (e.kind === "duration" || e.kind === "size") return e.raw;
      return exprText(e);
    default:
      return exprText(e);
  }
}

export type Parsed = { ok: true; value: IrExpr | undefined } | { ok: false; error: string };

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Parses one expression with the language's parser. */
export function parseExpr(text: string): Parsed {
  const src = `pipeline p {\n  v = ${text}\n}\n`;
  const r = parse(src, "<field>");
  const err = r.diagnostics.find((d) => d.severity === "error");
  const d = r.ast.decls[0];
  const value = d?.kind === "pipeline" ? d.body[0]?.value : undefined;
  if (err || !value || d?.kind !== "pipeline" || d.body.length !== 1) return { ok: false, error: err ? err.message : "expected one value" };
  return { ok: true, value: lowerExpr(value) };
}

function bounds(f: Field, v: number): string | undefined {
  if (f.integer && !Number.isInteger(v)) return "expected a whole number";
  const ex = f.exclusive ?? {};
  if (f.min !== undefined && (ex.min ? v <= f.min : v < f.min)) return ex.min ? `expected more than ${f.min}` : `expected at least ${f.min}`;
  if (f.max !== undefined && (ex.max ? v >= f.max : v > f.max)) return ex.max ? `expected less than ${f.max}` : `expected at most ${f.max}`;
  return undefined;
}

/** How a comparison field reads: `left_col >= right_col` with its first fitting operator. */
export function comparisonExample(f: Field): string {
  const op = f.options?.includes(">=") ? ">=" : (f.options?.[0] ?? "==");
  return `left_col ${op} right_col`;
}

/** `a >= b`: two column names and one of the field's operators (the checker judges which one fits). */
function comparison(f: Field, text: string): Parsed {
  const r = parseExpr(text);
  if (!r.ok || r.value?.kind !== "binary" || r.value.left.kind !== "ref" || r.value.right.kind !== "ref")
    return { ok: false, error: `expected two columns compared, e.g. ${comparisonExample(f)}` };
  if (f.options && !f.options.includes(r.value.op)) return { ok: false, error: `expected one of ${f.options.join(" ")} between the columns` };
  return r;
}

/** The expression to write for a control's new value; undefined removes the setting. */
export function toExpr(f: Field, input: string | boolean): Parsed {
  if (typeof input === "boolean") return { ok: true, value: { kind: "bool", value: input } };
  const t = input.trim();
  if (t === "") return { ok: true, value: undefined };
  switch (f.control) {
    case "select":
      return f.options && !f.options.includes(t) ? { ok: false, error: `expected one of ${f.options.join(", ")}` } : { ok: true, value: { kind: "ref", name: t } };
    case "number": {
      if (!NUMBER.test(t)) return { ok: false, error: "expected a number" };
      const v = Number(t);
      const problem = bounds(f, v);
      if (problem) return { ok: false, error: problem };
      // `-3` is one literal, as the parser reads a minus glued to its digits.
      return { ok: true, value: { kind: "number", value: v, raw: t } };
    }
    case "text":
      switch (f.format) {
        case "duration":
          return /^\d+(ms|s|m|h|d)$/.test(t) ? { ok: true, value: { kind: "duration", raw: t } } : { ok: false, error: "expected a duration such as 30s, 10m, 6h or 7d" };
        case "size":
          return /^\d+(KiB|MiB|GiB|TiB)$/.test(t) ? { ok: true, value: { kind: "size", raw: t } } : { ok: false, error: "expected a size such as 512MiB or 64GiB" };
        case "name":
          return new RegExp(IDENT_PATTERN).test(t) ? { ok: true, value: { kind: "ref", name: t } } : { ok: false, error: "expected a name (letters, digits, _)" };
        case "cron":
          return { ok: true, value: { kind: "call", callee: "cron", args: [{ value: { kind: "string", value: t } }] } };
        case "comparison":
          return comparison(f, t);
        default:
          return { ok: true, value: { kind: "string", value: input } };
      }
    default:
      return parseExpr(t);
  }
}
