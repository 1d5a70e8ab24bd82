// The body a new step starts with when dragged from the palette: the settings a
// step of that kind cannot do without, with values that are valid as they stand.
// What only the user can know (a label, a join key) is left out on purpose: the
// checker then names it on the node.
import * as z from "zod";
import type { IrExpr, IrStmt } from "../../../compiler/ir";
import type { StepKind } from "../../../language/catalog";

const n = (v: number): IrExpr => ({ kind: "number", value: v, raw: String(v) });
const r = (name: string): IrExpr => ({ kind: "ref", name });
const s = (value: string): IrExpr => ({ kind: "string", value });
const attr = (name: string, value: IrExpr): IrStmt => ({ kind: "attr", name, value });

const KNOWN: Record<string, (name: string) => IrStmt[]> = {
  source: (name) => [attr("uri", s(`s3://bucket/${name}/`)), attr("format", r("parquet"))],
  split: () => [attr("train", n(0.8)), attr("test", n(0.2))],
  train: (name) => [attr("framework", r("sklearn")), attr("entry", s(`models/${name}/train.py`))],
  tune: () => [
    attr("objective", { kind: "call", callee: "maximize", args: [{ value: r("auc") }] }),
    attr("strategy", r("random")),
    attr("trials", n(20)),
  ],
  register: (name) => [attr("name", s(name.replace(/_/g, "-")))],
  deploy: () => [attr("mode", r("endpoint"))],
  notebook: (name) => [attr("path", s(`notebooks/${name}.ipynb`))],
};

/** Required enum settings take their first value; anything else required is left to the user. */
function fromSchema(kind: StepKind): IrStmt[] {
  const json = z.toJSONSchema(kind.config, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, { enum?: unknown[] }>; required?: string[] };
  const out: IrStmt[] = [];
  for (const key of json.required ?? []) {
    const first = json.properties?.[key]?.enum?.[0];
    if (typeof first === "string") out.push(attr(key, r(first)));
  }
  return out;
}

export function templateBody(kind: StepKind, name: string): IrStmt[] {
  return KNOWN[kind.kind]?.(name) ?? fromSchema(kind);
}
