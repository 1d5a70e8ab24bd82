// Typing of column expressions: filters, derived columns, features and aggregates.
// An error yields the `unknown` type, which fits everything, so one mistake is
// reported once and does not ripple into the expressions around it.
import type * as A from "../ast";
import { didYouMean } from "../diagnostics/diagnostic";
import { fn, FUNCTIONS } from "../functions";
import { isNumeric, showType, unify, unknownType, withNullable, type ColumnType, type Schema } from "../types";
import type { Report } from "./model";

export interface ExprEnv {
  schema: Schema;
  /** The step, for messages: "in `customers_clean`". */
  step: string;
  /** What the columns come from, for the label: "not a column of Customer". */
  source: string;
  aggregates: boolean;
  report: Report;
  /** Where the type of every expression checked is recorded, for lowering (typed IR expressions). */
  types?: Map<A.Expr, ColumnType>;
}

const t = (kind: "int" | "float" | "string" | "bool" | "timestamp" | "date", nullable = false): ColumnType => ({ kind, nullable });

export function typeOf(e: A.Expr, env: ExprEnv): ColumnType {
  const type = infer(e, env);
  env.types?.set(e, type);
  return type;
}

function infer(e: A.Expr, env: ExprEnv): ColumnType {
  switch (e.kind) {
    case "ref": {
      const col = env.schema.get(e.name);
      if (col) return col.type;
      env.report("MLP0301", e.span, `unknown column \`${e.name}\` in \`${env.step}\``, {
        label: `not a column of ${env.source}`,
        help: didYouMean(e.name, env.schema.names()),
      });
      return unknownType();
    }
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
    case "error":
      return unknownType();
    case "unary": {
      const o = typeOf(e.operand, env);
      if (e.op === "not") {
        if (o.kind !== "bool" && o.kind !== "unknown") report(env, e.operand, `\`not\` needs a bool, found ${describe(e.operand, o)}`);
        return t("bool", o.nullable);
      }
      if (!isNumeric(o)) report(env, e.operand, `\`-\` needs a number, found ${describe(e.operand, o)}`);
      return isNumeric(o) ? o : unknownType(o.nullable);
    }
    case "isnull":
      typeOf(e.operand, env);
      return t("bool");
    case "binary":
      return binary(e, env);
    case "call":
      return call(e, env);
    case "range":
    case "list":
    case "object":
    case "size":
      env.report("MLP0305", e.span, `a ${e.kind} is not a column value`, { help: "lists, objects, ranges and sizes only appear as attribute values" });
      return unknownType();
  }
}

function report(env: ExprEnv, at: A.Expr, message: string, help?: string): void {
  env.report("MLP0305", at.span, message, help ? { help } : {});
}

/** "`monthly_spend` (float)", "a string", "this expression (int)". */
function describe(e: A.Expr, ty: ColumnType): string {
  if (e.kind === "ref") return `\`${e.name}\` (${showType(ty)})`;
  if (e.kind === "string") return "a string";
  if (e.kind === "number") return `the number ${e.raw}`;
  if (e.kind === "bool") return `\`${e.value}\``;
  return `an expression of type ${showType(ty)}`;
}

function binary(e: A.Expr & { kind: "binary" }, env: ExprEnv): ColumnType {
  const l = typeOf(e.left, env);
  const r = typeOf(e.right, env);
  const nullable = l.nullable || r.nullable;
  if (l.kind === "unknown" || r.kind === "unknown") return e.op === "and" || e.op === "or" || isComparison(e.op) ? t("bool", nullable) : unknownType(nullable);
  switch (e.op) {
    case "and":
    case "or":
      for (const [side, ty] of [[e.left, l], [e.right, r]] as const)
        if (ty.kind !== "bool") report(env, side, `\`${e.op}\` needs bool operands, found ${describe(side, ty)}`);
      return t("bool", nullable);
    case "+":
    case "-":
      if (l.kind === "timestamp" && r.kind === "duration") return t("timestamp", nullable);
      if (e.op === "-" && l.kind === "timestamp" && r.kind === "timestamp") {
        report(env, e, "subtracting timestamps is not supported", "use days_between(a, b)");
        return unknownType(nullable);
      }
      return arithmetic(e, l, r, env);
    case "*":
    case "/":
    case "%":
      return arithmetic(e, l, r, env);
    default:
      // A comparison already reported has no meaningful result type.
      return compare(e, l, r, env) ? t("bool", nullable) : unknownType();
  }
}

function arithmetic(e: A.Expr & { kind: "binary" }, l: ColumnType, r: ColumnType, env: ExprEnv): ColumnType {
  const nullable = l.nullable || r.nullable;
  const bad = ([[e.left, l], [e.right, r]] as const).find(([, ty]) => !isNumeric(ty));
  if (bad) {
    const help = bad[1].kind === "string" && e.op === "+" ? "join text with concat(a, b)" : undefined;
    report(env, bad[0], `\`${e.op}\` needs numbers, found ${describe(bad[0], bad[1])}`, help);
    return unknownType(nullable);
  }
  if (e.op === "/") return t("float", nullable);
  return t(l.kind === "int" && r.kind === "int" ? "int" : "float", nullable);
}

const isComparison = (op: A.BinaryOp) => op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=";

/** Checks a comparison; false when it reported a problem. */
function compare(e: A.Expr & { kind: "binary" }, l: ColumnType, r: ColumnType, env: ExprEnv): boolean {
  // enum against a string literal: the literal must be a member.
  for (const [ty, other] of [[l, e.right], [r, e.left]] as const) {
    if (ty.kind === "enum" && other.kind === "string") {
      if (!ty.members.includes(other.value))
        env.report("MLP0304", other.span, `\`${other.value}\` is not a member of ${showType(withNullable(ty, false))}`, {
          label: "not a member",
          help: didYouMean(other.value, ty.members) ?? `the members are ${ty.members.join(", ")}`,
        });
      if (e.op !== "==" && e.op !== "!=") {
        report(env, e, `enums compare only with \`==\` and \`!=\``);
        return false;
      }
      return ty.members.includes(other.value);
    }
  }
  const ordered = e.op !== "==" && e.op !== "!=";
  const comparable =
    (isNumeric(l) && isNumeric(r)) ||
    (l.kind === r.kind && l.kind !== "vector" && (l.kind !== "enum" || unify(l, r) !== undefined)) ||
    ((l.kind === "timestamp" || l.kind === "date") && (r.kind === "timestamp" || r.kind === "date")) ||
    l.kind === "null" ||
    r.kind === "null";
  if (!comparable) {
    report(env, e, `cannot compare ${describe(e.left, l)} with ${describe(e.right, r)}`);
    return false;
  }
  if (l.kind === "null" || r.kind === "null") {
    report(env, e, `comparing with \`null\` is never true`, "write `x is null` or `x is not null`");
    return false;
  }
  if (ordered && (l.kind === "bool" || l.kind === "enum")) {
    report(env, e, `\`${e.op}\` needs ordered values, found ${describe(e.left, l)}`);
    return false;
  }
  return true;
}

function call(e: A.Expr & { kind: "call" }, env: ExprEnv): ColumnType {
  const name = e.callee.name;
  const sig = fn(name);
  if (!sig) {
    for (const a of e.args) typeOf(a.value, env);
    env.report("MLP0212", e.callee.span, `unknown function \`${name}\``, {
      help: didYouMean(name, FUNCTIONS.map((f) => f.name)) ?? "see the function library in the language reference",
    });
    return unknownType();
  }
  if (sig.aggregate && !env.aggregates) {
    env.report("MLP0307", e.callee.span, `aggregate function \`${name}\` outside an aggregate step`, {
      help: "aggregate with an `aggregate` step, then use its columns",
    });
    return unknownType();
  }
  const named = e.args.find((a) => a.name);
  if (named) env.report("MLP0306", named.name!.span, `\`${name}\` takes positional arguments only`);
  // Inside an aggregate function the row-level columns are in scope, not other aggregates.
  const inner = sig.aggregate ? { ...env, aggregates: false } : env;
  const args = e.args.map((a) => typeOf(a.value, inner));
  if (args.length < sig.min || args.length > sig.max) {
    const want = sig.min === sig.max ? `${sig.min}` : sig.max >= 16 ? `at least ${sig.min}` : `${sig.min} to ${sig.max}`;
    env.report("MLP0306", e.span, `\`${name}\` takes ${want} argument${sig.max === 1 && sig.min === 1 ? "" : "s"}, found ${args.length}`, { help: sig.shape });
    return unknownType();
  }
  const result = sig.type(args);
  if ("error" in result) {
    const at = e.args[result.arg]?.value ?? e;
    if (!args.some((a) => a.kind === "unknown")) {
      const found = name === "if" || name === "coalesce" ? `: ${args.slice(name === "if" ? 1 : 0).map(showType).join(" and ")}` : `, found ${describe(at, args[result.arg] ?? unknownType())}`;
      env.report("MLP0306", at.span, `\`${name}\` ${result.error}${found}`, { help: sig.shape });
    }
    return unknownType(args.some((a) => a.nullable));
  }
  if (sig.nullSafe) return result;
  return withNullable(result, result.nullable || args.some((a) => a.nullable));
}

/** Does the expression use an aggregate function (so it is computed per group)? */
export function usesAggregate(e: A.Expr): boolean {
  switch (e.kind) {
    case "call":
      return !!fn(e.callee.name)?.aggregate || e.args.some((a) => usesAggregate(a.value));
    case "binary":
      return usesAggregate(e.left) || usesAggregate(e.right);
    case "unary":
    case "isnull":
      return usesAggregate(e.operand);
    default:
      return false;
  }
}

/** Column names an expression reads outside aggregate calls. */
export function bareColumns(e: A.Expr, out: A.Expr[] = []): A.Expr[] {
  switch (e.kind) {
    case "ref":
      out.push(e);
      break;
    case "call":
      if (!fn(e.callee.name)?.aggregate) for (const a of e.args) bareColumns(a.value, out);
      break;
    case "binary":
      bareColumns(e.left, out);
      bareColumns(e.right, out);
      break;
    case "unary":
    case "isnull":
      bareColumns(e.operand, out);
      break;
  }
  return out;
}
