// Applying a variant: the same graph with the variant's overrides written into the
// overridden steps' attributes and decoded config. The checker has already proven
// each override names an existing attribute and keeps a valid type.
import { decode, setPath, type Value } from "../language/catalog/values";
import type { IrDocument, IrExpr, IrNode, IrStmt } from "./ir";
import { expr as raiseExpr } from "./print";

export function variantNames(ir: IrDocument): string[] {
  return ir.variants.map((v) => v.name);
}

export function applyVariant(ir: IrDocument, name: string): IrDocument {
  const variant = ir.variants.find((v) => v.name === name);
  if (!variant) throw new Error(`unknown variant ${name}`);
  const nodes = new Map<string, IrNode>();
  for (const n of ir.nodes) if (!n.origin || n.origin.import) nodes.set(n.name, n);
  const patched = new Map<string, IrNode>();
  let pipeline = ir.pipeline;
  for (const o of variant.overrides) {
    const [head, attr, ...keys] = o.path;
    if (!head || !attr) continue;
    const value = decode(raiseExpr(o.value));
    if (head === "pipeline" && pipeline) {
      pipeline = { ...pipeline, settings: setPath(pipeline.settings as Record<string, Value>, [attr, ...keys], value), attrs: pipeline.attrs.map((a) => (a.name === attr ? { ...a, value: setExpr(a.value, keys, o.value) } : a)) };
      continue;
    }
    const base = patched.get(head) ?? nodes.get(head);
    if (!base) continue;
    patched.set(head, {
      ...base,
      config: setPath(base.config as Record<string, Value>, [attr, ...keys], value),
      body: patchBody(base.body, attr, keys, o.value),
    });
  }
  return { ...ir, pipeline, nodes: ir.nodes.map((n) => (patched.get(n.name) && (!n.origin || n.origin.import) ? patched.get(n.name)! : n)) };
}

function patchBody(body: IrStmt[], attr: string, keys: string[], value: IrExpr): IrStmt[] {
  let found = false;
  const out = body.map((s) => {
    if (s.kind !== "attr" || s.name !== attr) return s;
    found = true;
    return { ...s, value: setExpr(s.value, keys, value) };
  });
  return found ? out : [...out, { kind: "attr", name: attr, value }];
}

function setExpr(e: IrExpr, keys: string[], value: IrExpr): IrExpr {
  const [k, ...rest] = keys;
  if (k === undefined) return value;
  if (e.kind !== "object") return e;
  return { ...e, entries: e.entries.map((en) => (en.key === k ? { ...en, value: setExpr(en.value, rest, value) } : en)) };
}
