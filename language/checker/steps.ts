// Rules shared by every step: which body statements its kind allows, its attributes,
// the artifact types its inputs accept and its declared output type. The rules of
// each kind live in data-steps.ts and ml-steps.ts.
import type * as A from "../ast";
import { OP_HOME, stepKind, type KindName, type StepKind } from "../catalog";
import { didYouMean } from "../diagnostics/diagnostic";
import { isStreaming, showArtifact, UNKNOWN, type Artifact } from "../types";
import { checkConfigFully } from "./config";
import { DATA_STEPS } from "./data-steps";
import { ML_STEPS } from "./ml-steps";
import type { Config, Report, SchemaInfo, StepInfo } from "./model";

export interface StepContext {
  step: StepInfo;
  /** The declaration whose body is checked (the re-applied one, for `use`). */
  body: A.StepDecl;
  report: Report;
  schemaNamed(name: string): SchemaInfo | undefined;
  schemaNames(): string[];
}

/** What a kind's rules get: the context plus decoded config and input artifacts by port. */
export interface KindContext extends StepContext {
  kind: StepKind;
  config: Config;
  /** Port -> artifacts (several for variadic ports). Rejected inputs read as Unknown. */
  inputs: Map<string, Artifact[]>;
  input(port: string): Artifact | undefined;
  /** The expression of an attribute, for precise spans. */
  attr(name: string): A.Attr | undefined;
  ops<K extends A.OpKind>(kind: K): (A.Op & { kind: K })[];
  columns(): A.ColumnDef[];
}

export type KindRules = (c: KindContext) => Artifact | Map<string, Artifact>;

/** Typed by kind name: a kind added to the catalog does not compile until it has rules. */
const RULES: Record<KindName, KindRules> = { ...DATA_STEPS, ...ML_STEPS };

export function checkStep(s: StepInfo, ctx: StepContext): void {
  const kind = stepKind(s.kind!)!;
  const rules = RULES[kind.kind as KindName];
  const body = ctx.body;
  const attrs: A.Attr[] = [];
  for (const st of body.body) {
    if (st.kind === "attr") attrs.push(st);
    else if (st.kind === "column") {
      if (!kind.columns)
        ctx.report("MLP0215", st.name.span, `\`${kind.kind}\` does not define columns`, { help: "columns are defined in `features` and `aggregate` steps, or with `derive` in `cleanse`" });
    } else if (st.kind === "block") {
      if (!kind.blocks.includes(st.name.name))
        ctx.report("MLP0215", st.name.span, `\`${kind.kind}\` has no \`${st.name.name}\` block`, { help: kind.blocks.length ? didYouMean(st.name.name, kind.blocks) : undefined });
    } else if (!kind.ops.includes(st.kind)) {
      ctx.report("MLP0215", st.keyword, `\`${st.kind}\` is not allowed in a \`${kind.kind}\` step`, { help: `\`${st.kind}\` belongs in ${article(`\`${OP_HOME[st.kind]}\``)} step` });
    }
  }
  const { config, ok } = checkConfigFully(kind.config, attrs, { owner: `\`${kind.kind}\` step \`${s.name}\``, ownerSpan: s.decl.name.span, report: ctx.report });
  s.config = config;
  s.configOk = ok;

  const inputs = new Map<string, Artifact[]>();
  for (const i of s.inputs) {
    const port = kind.inputs.find((p) => p.name === i.port);
    let a = i.artifact;
    if (port && a.kind !== "Unknown") {
      if (port.batchOnly && isStreaming(a)) {
        const isTrain = kind.kind === "train";
        ctx.report(isTrain ? "MLP0410" : "MLP0311", i.ref.step.span, `\`${kind.kind}\` needs batch data, but \`${i.ref.step.name}\` is streaming`, {
          label: "a stream",
          help: isTrain ? "train on the batch history: re-apply the features to a table with `use NAME = STEP(table)`" : undefined,
        });
        a = UNKNOWN;
      } else if (!port.accepts.includes(a.kind)) {
        ctx.report("MLP0311", i.ref.step.span, `\`${kind.kind}\` needs ${describePort(port.accepts)} as its \`${port.name}\` input, but \`${i.ref.step.name}\` is ${article(showArtifact(a))}`, {
          label: `a ${a.kind}`,
        });
        a = UNKNOWN;
      }
    }
    const list = inputs.get(i.port) ?? [];
    list.push(a);
    inputs.set(i.port, list);
  }

  const kc: KindContext = {
    step: ctx.step,
    body,
    report: ctx.report,
    schemaNamed: ctx.schemaNamed,
    schemaNames: ctx.schemaNames,
    kind,
    config,
    inputs,
    input: (p) => inputs.get(p)?.[0],
    attr: (n) => attrs.find((a) => a.name.name === n),
    ops: <K extends A.OpKind>(k: K) => body.body.filter((st): st is A.Op & { kind: K } => st.kind === k),
    columns: () => body.body.filter((st): st is A.ColumnDef => st.kind === "column"),
  };
  const out = rules(kc);
  s.outputs = out instanceof Map ? out : new Map([["out", out]]);
  checkDeclaredOutput(s, kc);
  checkBatchResources(s, kc);
}

/**
 * A data step's `resources` size its batch job (Spark executors, a Glue job); a streaming step
 * runs inside a Flink job that has no per-step sizes, so the numbers would be silently lost.
 */
function checkBatchResources(s: StepInfo, c: KindContext): void {
  const attr = c.attr("resources");
  if (!attr || c.kind.category !== "data" || ![...s.outputs.values()].some((a) => isStreaming(a))) return;
  c.report("MLP0321", attr.name.span, `\`${s.name}\` is streaming: \`resources\` size the batch job of a data step, and a streaming step runs in its Flink job`, {
    help: "remove `resources`; size the Flink job on its cluster",
  });
}

function checkDeclaredOutput(s: StepInfo, c: KindContext): void {
  const declared = c.body.output;
  if (!declared || c.kind.kind === "source") return;
  const actual = s.outputs.get("out");
  if (!actual || actual.kind === "Unknown") return;
  const schema = declared.schema?.name;
  if (declared.name.name !== actual.kind || (schema && "schema" in actual && actual.schema.name !== schema && !sameColumns(c, schema, actual))) {
    c.report("MLP0311", declared.span, `\`${s.name}\` produces ${article(showArtifact(actual))}, not \`${declared.name.name}${schema ? `<${schema}>` : ""}\``);
  }
}

function sameColumns(c: KindContext, schemaName: string, a: Artifact): boolean {
  const decl = c.schemaNamed(schemaName)?.schema;
  if (!decl || !("schema" in a)) return true;
  const got = a.schema.columns;
  return decl.columns.length === got.length && decl.columns.every((col, i) => got[i]!.name === col.name && got[i]!.type.kind === col.type.kind && got[i]!.type.nullable === col.type.nullable);
}

function describePort(accepts: readonly string[]): string {
  const parts = accepts.map((k) => article(k));
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}`;
}

export const article = (s: string) => (/^[AEIOUaeiou]/.test(s) ? `an ${s}` : `a ${s}`);
