// Numbers as the .mlp file spells them. The IR's decoded config holds JavaScript numbers, so
// `0.0` and `0` are the same value there; Python tells them apart (float and int), and the
// entry script gets hyperparameters, search values and notebook parameters as JSON. The
// value always comes from the config; the written expression only lends a number its
// spelling when it holds that very number at the same place.
import type { IrExpr, IrStmt, NodeOf } from "./ir";
import type { SearchSpace } from "../language/catalog/tune";
import { RawNumber, type JsonValue } from "./json-text";

type Plain = string | number | boolean | null | readonly Plain[] | { readonly [k: string]: Plain };
const isList = (v: Plain): v is readonly Plain[] => Array.isArray(v);

export function spelled(value: Plain, written: IrExpr | undefined): JsonValue {
  if (typeof value === "number") return new RawNumber(value, numberSpelling(value, written));
  if (value === null || typeof value !== "object") return value;
  if (isList(value)) {
    const items = written?.kind === "list" ? written.items : [];
    return value.map((v, i) => spelled(v, items[i]));
  }
  const entries = written?.kind === "object" ? written.entries : [];
  // fromEntries, not assignment: a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spelled(v, entries.find((e) => e.key === k)?.value)]));
}

function numberSpelling(value: number, e: IrExpr | undefined): string | undefined {
  if (e?.kind === "number" && e.value === value) return e.raw;
  if (e?.kind === "unary" && e.op === "-" && e.operand.kind === "number" && -e.operand.value === value) return `-${e.operand.raw}`;
  return undefined;
}

/** An attribute's expression as written in the step's own body. */
export function writtenAttr(n: { body: readonly IrStmt[] }, name: string): IrExpr | undefined {
  for (const s of n.body) if (s.kind === "attr" && s.name === name) return s.value;
  return undefined;
}

/** A `name = { key: value, ... }` attribute (hyperparameters, notebook parameters), each value spelled as written. */
export function spelledParams(n: { body: readonly IrStmt[] }, attr: string, value: Readonly<Record<string, Plain>>): { [k: string]: JsonValue } {
  const written = writtenAttr(n, attr);
  const entries = written?.kind === "object" ? written.entries : [];
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spelled(v, entries.find((e) => e.key === k)?.value)]));
}

/** A search space with its values spelled as in `search { param = fn(...) }`. */
export function spelledSpace(tune: NodeOf<"tune">, param: string, space: SearchSpace): JsonValue {
  let call: IrExpr | undefined;
  for (const s of tune.body)
    if (s.kind === "block" && s.name === "search") for (const a of s.body) if (a.kind === "attr" && a.name === param) call = a.value;
  const args = call?.kind === "call" ? call.args.map((a) => a.value) : [];
  // choice(a, b) and choice([a, b]) list the same values.
  const written: IrExpr = args.length === 1 && args[0]!.kind === "list" ? args[0]! : { kind: "list", items: args };
  if ("choice" in space) return { choice: spelled(space.choice, written) };
  if ("uniform" in space) return { uniform: spelled(space.uniform, written) };
  if ("loguniform" in space) return { loguniform: spelled(space.loguniform, written) };
  return { intrange: spelled(space.intrange, written) };
}
