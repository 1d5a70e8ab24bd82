// Variants: `variant eu { step.attr[.key] = value }`. An override may only replace
// something that exists (an attribute of the step's kind, or a key already in an
// object value) and must keep a valid type; the kind's zod schema is the judge.
import type * as A from "../ast";
import { stepKind } from "../catalog";
import { pipelineSettings } from "../catalog/settings";
import { decode, DecodeError, exprAt, hideProto, setPath, unhideKey, type Value } from "../catalog/values";
import { didYouMean } from "../diagnostics/diagnostic";
import type * as z from "zod";
import { issueMessage, shapeKeys } from "./config";
import type { Scope } from "./graph";
import type { Config, Report } from "./model";

/** Checks every variant; returns, per variant, the overrides that passed (the ones `withVariant` applies). */
export function checkVariants(file: string, decls: readonly A.Decl[], scope: Scope, pipelineConfig: Config, report: Report): Map<A.VariantDecl, A.Override[]> {
  const valid = new Map<A.VariantDecl, A.Override[]>();
  const names = new Map<string, A.Ident>();
  for (const d of decls) {
    if (d.kind !== "variant") continue;
    const prev = names.get(d.name.name);
    if (prev) report("MLP0203", d.name.span, `variant \`${d.name.name}\` is declared twice`, { notes: [{ message: "first declared here", file, span: prev.span }] });
    else names.set(d.name.name, d.name);
    const seen = new Set<string>();
    const ok: A.Override[] = [];
    valid.set(d, ok);
    for (const o of d.overrides) {
      const key = o.path.map((p) => p.name).join(".");
      if (seen.has(key)) {
        report("MLP0504", o.path[0]!.span, `\`${key}\` is overridden twice in variant \`${d.name.name}\``);
        continue;
      }
      seen.add(key);
      if (checkOverride(o, scope, pipelineConfig, report)) ok.push(o);
    }
  }
  return valid;
}

function checkOverride(o: A.Override, scope: Scope, pipelineConfig: Config, report: Report): boolean {
  const [head, attr, ...rest] = o.path;
  if (!head || head.name === "") return false;
  let schema: z.ZodType;
  let config: Config;
  let owner: string;
  if (head.name === "pipeline") {
    schema = pipelineSettings;
    config = pipelineConfig;
    owner = "the pipeline";
  } else {
    const step = scope.step(head.name);
    if (!step) {
      report("MLP0501", head.span, `variant overrides \`${head.name}\`, which is not a step`, { help: didYouMean(head.name, [...scope.stepNames(), "pipeline"]) });
      return false;
    }
    if (!step.kind) return false;
    schema = stepKind(step.kind)!.config;
    config = step.config;
    owner = `\`${head.name}\``;
  }
  if (!attr) {
    report("MLP0502", head.span, `override an attribute: \`${head.name}.ATTRIBUTE = value\``);
    return false;
  }
  const keys = shapeKeys(schema);
  if (!keys.includes(attr.name)) {
    report("MLP0502", attr.span, `${owner} has no attribute \`${attr.name}\``, {
      help: didYouMean(attr.name, keys) ?? (keys.length ? `its attributes are ${keys.join(", ")}` : "it has no attributes to override"),
    });
    return false;
  }
  let value: Value;
  try {
    value = decode(o.value);
  } catch (e) {
    if (e instanceof DecodeError) report("MLP0503", e.span, e.message || "invalid value");
    return false;
  }
  // Walk into object values: each key must already be there.
  let cur: Value | undefined = config[attr.name];
  const walked = [attr.name];
  for (const k of rest) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, k.name)) {
      const have = cur && typeof cur === "object" && !Array.isArray(cur) ? Object.keys(cur) : [];
      report("MLP0502", k.span, `\`${[head.name, ...walked].join(".")}\` has no \`${k.name}\` to override`, { help: didYouMean(k.name, have) ?? (have.length ? `it has ${have.join(", ")}` : undefined) });
      return false;
    }
    cur = (cur as Record<string, Value>)[k.name];
    walked.push(k.name);
  }
  if (rest.length > 0 && cur !== undefined && jsonType(cur) !== jsonType(value)) {
    report("MLP0503", o.value.span, `\`${o.path.map((p) => p.name).join(".")}\` is a ${jsonType(cur)}, so its override must be one too`);
    return false;
  }
  const patched = setPath(config, walked, value);
  const r = schema.safeParse(hideProto(patched));
  if (r.success) return true;
  const issues = r.error.issues.map((i) => ({ ...i, path: i.path.map(unhideKey) }) as typeof i);
  const issue = issues.find((i) => walked.every((k, n) => i.path[n] === k) || (i.path.length < walked.length && walked.slice(0, i.path.length).every((k, n) => i.path[n] === k)));
  if (!issue) return true;
  report("MLP0503", exprAt(o.value, issue.path.slice(walked.length)).span, `invalid value for \`${o.path.map((p) => p.name).join(".")}\`: ${issueMessage(issue)}`);
  return false;
}

const jsonType = (v: Value): string => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "object" : typeof v);

/** The file's tree with a variant's values written into the attributes it overrides. */
export function withVariant(ast: A.SourceFileAst, overrides: readonly A.Override[]): A.SourceFileAst {
  return patchVariant(ast, overrides).ast;
}

/** withVariant's tree, and each declaration it changed (the file's -> the variant's). */
export function patchVariant(ast: A.SourceFileAst, overrides: readonly A.Override[]): { ast: A.SourceFileAst; patched: Map<A.Decl, A.Decl> } {
  const patched = new Map<A.Decl, A.Decl>();
  const byTarget = new Map<string, A.Override[]>();
  for (const o of overrides) {
    const head = o.path[0]?.name ?? "";
    byTarget.set(head, [...(byTarget.get(head) ?? []), o]);
  }
  const patch = (body: A.BodyStmt[], overrides: A.Override[] | undefined): A.BodyStmt[] => {
    if (!overrides) return body;
    let out = body;
    for (const o of overrides) {
      const [, attr, ...keys] = o.path;
      if (!attr) continue;
      const i = out.findIndex((s) => s.kind === "attr" && s.name.name === attr.name);
      if (i < 0) {
        if (keys.length === 0) out = [...out, { kind: "attr", name: attr, value: o.value, span: o.span }];
        continue;
      }
      const a = out[i] as A.Attr;
      out = [...out.slice(0, i), { ...a, value: setExpr(a.value, keys.map((k) => k.name), o.value) }, ...out.slice(i + 1)];
    }
    return out;
  };
  const decls = ast.decls.map((d): A.Decl => {
    // Declarations the variant leaves alone stay the same objects: their checked results are reused (reuse.ts).
    let out: A.Decl = d;
    if (d.kind === "step") {
      const body = patch(d.body, byTarget.get(d.name.name));
      if (body !== d.body) out = { ...d, body };
    } else if (d.kind === "pipeline") {
      const body = patch(d.body, byTarget.get("pipeline")) as A.Attr[];
      if (body !== d.body) out = { ...d, body };
    }
    if (out !== d) patched.set(d, out);
    return out;
  });
  return { ast: { ...ast, decls }, patched };
}

function setExpr(e: A.Expr, keys: string[], value: A.Expr): A.Expr {
  const [k, ...rest] = keys;
  if (k === undefined) return value;
  if (e.kind !== "object") return e;
  return { ...e, entries: e.entries.map((en) => (en.key.name === k ? { ...en, value: setExpr(en.value, rest, value) } : en)) };
}
