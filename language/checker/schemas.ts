// Schema declarations and type references: `int?`, `enum(a, b)`, `vector(16)`.
import type * as A from "../ast";
import { didYouMean } from "../diagnostics/diagnostic";
import { Schema, SCALAR_KINDS, TYPE_NAMES, unknownType, type Column, type ColumnType, type ScalarKind } from "../types";
import type { Report } from "./model";

/** Names people bring from SQL and Python. */
const TYPE_ALIASES: Record<string, string> = {
  integer: "int", long: "int", bigint: "int", double: "float", real: "float", decimal: "float",
  text: "string", varchar: "string", str: "string", boolean: "bool", datetime: "timestamp",
};

export function resolveType(t: A.TypeRef, report: Report): ColumnType {
  const name = t.name.name;
  if (name === "") return unknownType(t.nullable); // a syntax error already covers it
  if ((SCALAR_KINDS as readonly string[]).includes(name)) {
    if (t.args) report("MLP0313", t.span, `type \`${name}\` takes no arguments`);
    return { kind: name as ScalarKind, nullable: t.nullable };
  }
  if (name === "enum") {
    const members: string[] = [];
    for (const a of t.args ?? []) {
      if (a.kind !== "ref" && a.kind !== "string") {
        report("MLP0313", a.span, "enum members are names, such as `enum(free, pro)`");
        return unknownType(t.nullable);
      }
      const m = a.kind === "ref" ? a.name : a.value;
      if (members.includes(m)) report("MLP0313", a.span, `enum member \`${m}\` is listed twice`);
      else members.push(m);
    }
    if (members.length === 0) {
      report("MLP0313", t.span, "an enum needs at least one member: `enum(a, b)`");
      return unknownType(t.nullable);
    }
    return { kind: "enum", members, nullable: t.nullable };
  }
  if (name === "vector") {
    const a = t.args?.[0];
    if (!a || t.args!.length !== 1 || a.kind !== "number" || !Number.isInteger(a.value) || a.value < 1) {
      report("MLP0313", t.span, "a vector needs its size: `vector(128)`");
      return unknownType(t.nullable);
    }
    return { kind: "vector", size: a.value, nullable: t.nullable };
  }
  report("MLP0205", t.name.span, `unknown type \`${name}\``, {
    label: "not a column type",
    help: (TYPE_ALIASES[name] && `did you mean \`${TYPE_ALIASES[name]}\`?`) ?? didYouMean(name, TYPE_NAMES) ?? `the column types are ${TYPE_NAMES.join(", ")}`,
  });
  return unknownType(t.nullable);
}

export function schemaFromDecl(d: A.SchemaDecl, report: Report): Schema {
  const cols: Column[] = [];
  const seen = new Set<string>();
  for (const f of d.fields) {
    if (f.name.name === "") continue;
    if (seen.has(f.name.name)) {
      report("MLP0312", f.name.span, `column \`${f.name.name}\` is declared twice in schema \`${d.name.name}\``);
      continue;
    }
    seen.add(f.name.name);
    cols.push({ name: f.name.name, type: resolveType(f.type, report) });
  }
  return new Schema(cols, d.name.name);
}
