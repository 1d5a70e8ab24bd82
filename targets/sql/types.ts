// Types of IR expressions, re-derived with the checker's rules (language/checker/
// expressions.ts) so the SQL lowering knows, e.g., that `a / b` is a float or that a
// `concat` argument is a timestamp. The program is already checked: no diagnostics here.
import type { IrColumn, IrExpr } from "../../compiler/ir";
import { fn } from "../../language/functions";
import type { ColumnType } from "../../language/types";
import { withNullable } from "../../language/types";

export type Env = ReadonlyMap<string, ColumnType>;

export function envOf(columns: readonly IrColumn[]): Map<string, ColumnType> {
  return new Map(columns.map((c) => [c.name, columnType(c.type)]));
}

/** IR column type -> the language's column type (they share a shape). */
export function columnType(t: IrColumn["type"]): ColumnType {
  return t as ColumnType;
}

const t = (kind: "int" | "float" | "string" | "bool" | "timestamp" | "date", nullable = false): ColumnType => ({ kind, nullable });
const UNKNOWN: ColumnType = { kind: "unknown", nullable: true };

export function typeOf(e: IrExpr, env: Env): ColumnType {
  switch (e.kind) {
    case "ref":
      return env.get(e.name) ?? UNKNOWN;
    case "number":
      return t(/[.eE]/.test(e.raw) ? "float" : "int");
    case "string":
      return t("string");
    case "bool":
      return t("bool");
    case "null":
      return { kind: "null", nullable: true };
    case "duration":
      return { kind: "duration", nullable: false };
    case "unary": {
      const o = typeOf(e.operand, env);
      return e.op === "not" ? t("bool", o.nullable) : o;
    }
    case "isnull":
      return t("bool");
    case "binary": {
      const l = typeOf(e.left, env);
      const r = typeOf(e.right, env);
      const nullable = l.nullable || r.nullable;
      switch (e.op) {
        case "+":
        case "-":
          if (l.kind === "timestamp" && r.kind === "duration") return t("timestamp", nullable);
          return arithmetic(l, r, nullable);
        case "*":
        case "%":
          return arithmetic(l, r, nullable);
        case "/":
          return t("float", nullable);
        default:
          return t("bool", nullable);
      }
    }
    case "call": {
      const sig = fn(e.callee);
      if (!sig) return UNKNOWN;
      const args = e.args.map((a) => typeOf(a.value, env));
      const r = sig.type(args);
      if ("error" in r) return UNKNOWN;
      return sig.nullSafe ? r : withNullable(r, r.nullable || args.some((a) => a.nullable));
    }
    default:
      return UNKNOWN;
  }
}

function arithmetic(l: ColumnType, r: ColumnType, nullable: boolean): ColumnType {
  return t(l.kind === "int" && r.kind === "int" ? "int" : "float", nullable);
}
