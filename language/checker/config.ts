// Attributes (`name = value`) of steps, the pipeline and targets: decoded to plain
// data and validated by the zod schema of the catalog entry. Invalid attributes are
// left out of the returned config, so later rules never see a half-valid value.
import * as z from "zod";
import type * as A from "../ast";
import { CRON_ISSUE, decode, DecodeError, exprAt, hideProto, put, restoreProto, unhideKey, type Value } from "../catalog/values";
import { suggest } from "../diagnostics/diagnostic";
import type { Code } from "../diagnostics/catalog";
import type { Span } from "../span";
import type { Config, Report } from "./model";

export function shapeKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

export function isRequired(schema: z.ZodType, key: string): boolean {
  if (!(schema instanceof z.ZodObject)) return false;
  const field = schema.shape[key] as z.ZodType;
  return !field.safeParse(undefined).success;
}

export interface ConfigContext {
  /** e.g. "`train` step `m`", "target `aws`". */
  owner: string;
  ownerSpan: Span;
  report: Report;
}

export function checkConfig(schema: z.ZodType, attrs: readonly A.Attr[], ctx: ConfigContext): Config {
  return checkConfigFully(schema, attrs, ctx).config;
}

/** `ok`: every attribute decoded and the schema accepted the whole (the config is the schema's output). */
export function checkConfigFully(schema: z.ZodType, attrs: readonly A.Attr[], ctx: ConfigContext): { config: Config; ok: boolean } {
  const keys = shapeKeys(schema);
  const raw: Record<string, Value> = {};
  const exprs = new Map<string, A.Expr>();
  /** Attributes a misspelt one probably meant: their absence is the same mistake. */
  const meant = new Set<string>();
  let decodedAll = true;
  for (const a of attrs) {
    const name = a.name.name;
    if (name === "") continue;
    if (!keys.includes(name)) {
      const hint = suggest(name, keys);
      if (hint) meant.add(hint);
      ctx.report("MLP0209", a.name.span, `unknown attribute \`${name}\` in ${ctx.owner}`, {
        help: hint ? `did you mean \`${hint}\`?` : keys.length ? `the attributes are ${keys.join(", ")}` : "it takes no attributes",
      });
      continue;
    }
    if (exprs.has(name)) {
      ctx.report("MLP0217", a.name.span, `attribute \`${name}\` is set twice in ${ctx.owner}`);
      continue;
    }
    try {
      put(raw, name, decode(a.value));
      exprs.set(name, a.value);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      decodedAll = false;
      if (e.message) ctx.report("MLP0310", e.span, `invalid \`${name}\`: ${e.message}`);
    }
  }
  let ok = true;
  const config = validate(schema, raw, (path, issue) => {
    ok = false;
    const key = String(path[0] ?? "");
    const expr = exprs.get(key);
    if (!expr) {
      if (path.length === 1 && !(key in raw) && !attrs.some((a) => a.name.name === key) && !meant.has(key)) {
        ctx.report("MLP0210", ctx.ownerSpan, `${ctx.owner} needs \`${key}\``, { help: `add \`${key} = ...\`` });
      }
      return;
    }
    const at = exprAt(expr, path.slice(1));
    ctx.report(issueCode(issue), at.span, `invalid \`${path.join(".")}\`: ${issueMessage(issue)}`);
  });
  return { config, ok: ok && decodedAll };
}

/** Parses `raw` with `schema`; returns the parsed value, or on failure the raw value minus its failing top-level keys. */
export function validate(
  schema: z.ZodType,
  raw: Record<string, Value>,
  onIssue: (path: readonly PropertyKey[], issue: z.core.$ZodIssue) => void,
): Config {
  const r = schema.safeParse(hideProto(raw));
  if (r.success) return restoreProto(r.data as Config);
  const bad = new Set<string>();
  // One bad entry of an object value (`hyperparams = { a: 1, b: [[2]] }`) drops that entry,
  // not its siblings: rules reading the others (tune's search space) must not report them too.
  const badEntries = new Map<string, Set<string>>();
  const isObject = (v: Value | undefined): v is Record<string, Value> => !!v && typeof v === "object" && !Array.isArray(v);
  for (const issue of r.error.issues) {
    for (const flat of flattenUnion(issue)) {
      const leaf = { ...flat, path: flat.path.map(unhideKey), ...(flat.code === "unrecognized_keys" ? { keys: flat.keys.map((k) => String(unhideKey(k))) } : {}) } as z.core.$ZodIssue;
      onIssue(leaf.path, leaf);
      const attr = String(leaf.path[0] ?? "");
      // Only maps of user keys (hyperparams, parameters, tags): an object with fixed keys
      // (`objective`, `resources`) that fails is dropped whole, so no rule sees it half there.
      if (leaf.path.length >= 2 && isObject(raw[attr]) && isRecord(schema, attr)) badEntries.set(attr, (badEntries.get(attr) ?? new Set()).add(String(leaf.path[1])));
      else bad.add(attr);
    }
  }
  const kept: Config = {};
  for (const [k, v] of Object.entries(raw)) {
    if (bad.has(k)) continue;
    const drop = badEntries.get(k);
    if (!drop || !isObject(v)) {
      put(kept, k, v);
      continue;
    }
    const rest: Record<string, Value> = {};
    for (const [ek, ev] of Object.entries(v)) if (!drop.has(ek)) put(rest, ek, ev);
    put(kept, k, rest);
  }
  return kept;
}

/** Is attribute `key` of an object schema a record (a map of user keys), optional or defaulted? */
function isRecord(schema: z.ZodType, key: string): boolean {
  let field: z.ZodType | undefined = schema instanceof z.ZodObject ? (schema.shape[key] as z.ZodType) : undefined;
  while (field instanceof z.ZodOptional || field instanceof z.ZodDefault) field = field.unwrap() as z.ZodType;
  return field instanceof z.ZodRecord;
}

/** A union failure carries one issue list per member; report the member that came closest. */
function flattenUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const best = [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0]!;
  const deepest = best.reduce((m, i) => Math.max(m, i.path.length), 0);
  // A union with its own wording (the params schema says "a number, string, bool or a list of them") keeps it.
  if (deepest === 0) return [{ ...issue, message: issue.message && !issue.message.startsWith("Invalid input") ? issue.message : "expected " + unionShapes(issue) }];
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

const depth = (issues: z.core.$ZodIssue[]) => Math.max(0, ...issues.map((i) => i.path.length));

function unionShapes(issue: z.core.$ZodIssue & { code: "invalid_union" }): string {
  const parts = issue.errors.map((errs) => {
    const first = errs[0];
    if (!first) return "a value";
    if (first.code === "invalid_type") return first.expected === "object" ? "a call or object" : `a ${first.expected}`;
    if (first.code === "invalid_value") return first.values.map((v) => String(v)).join(" or ");
    if (first.code === "unrecognized_keys") return "a call";
    return "a value";
  });
  return [...new Set(parts)].join(" or ");
}

function issueCode(issue: z.core.$ZodIssue): Code {
  return issue.code === "custom" && (issue.params as { code?: string } | undefined)?.code === CRON_ISSUE ? "MLP0314" : "MLP0310";
}

export function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      // Schemas with their own wording (durations, sizes, cron) say what they expect better.
      return issue.message && !issue.message.startsWith("Invalid input") ? issue.message : `expected ${article(issue.expected)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => String(v)).join(", ")}`;
    case "unrecognized_keys":
      // A schema that says why a key is not accepted (data steps' `gpus`) keeps its wording.
      if (issue.message && !issue.message.startsWith("Unrecognized key")) return issue.message;
      return `unknown ${issue.keys.length > 1 ? "keys" : "key"} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`;
    case "too_small":
    case "too_big":
    case "invalid_format":
    case "not_multiple_of":
    case "custom":
      return issue.message;
    default:
      return issue.message;
  }
}

function article(t: string): string {
  const map: Record<string, string> = { object: "an object or call", array: "a list", tuple: "a list", record: "an object" };
  return map[t] ?? (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
}
