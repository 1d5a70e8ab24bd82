// Shared by the target tests: compiling .mlp files to IR and to every SQL target, and the
// inputs (conformance valid files, target fixtures, samples) with their golden case names.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lower } from "../../compiler/lower";
import type { IrDocument } from "../../compiler/ir";
import type { Emit, GeneratedFile } from "../../compiler/target-api";
import { checkProgram } from "../../language/checker/program";
import type { FileLoader } from "../../language/checker/model";
import { emitCassandra } from "../../targets/cassandra/index";
import { emitFlink } from "../../targets/flink/index";
import { emitSpark } from "../../targets/spark/index";
import { ROOT, UPDATE } from "../golden";

export { ROOT, UPDATE };
/** The target fixtures (.mlp inputs; their goldens are under test/fixtures/<target>/fixture-<name>/). */
export const FIXTURES = "test/fixtures/targets/";

/** Reads paths relative to the repository root, so IR `file`s (and headers) do not depend on the machine. */
export const loader: FileLoader = {
  read(path) {
    try {
      return readFileSync(join(ROOT, path), "utf8");
    } catch {
      return undefined;
    }
  },
};

/** Each SQL target is also its golden suite's name. */
export const EMITTERS = { spark: emitSpark, flink: emitFlink, cassandra: emitCassandra } as const satisfies Record<string, Emit>;
export type TargetName = keyof typeof EMITTERS;
export const TARGET_NAMES = Object.keys(EMITTERS) as TargetName[];

export interface Case {
  /** Golden case name: `conformance-<name>`, `fixture-<name>` or `sample-<name>`. */
  id: string;
  /** Path relative to the repository root. */
  path: string;
  /** Goldens are required (conformance files and our fixtures); samples may not have them yet. */
  strict: boolean;
}

const mlpFiles = (dir: string) =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir))
        .filter((f) => f.endsWith(".mlp") && !f.startsWith("."))
        .sort()
    : [];

export function cases(): Case[] {
  const out: Case[] = [];
  const add = (prefix: string, dir: string, strict: boolean) => {
    for (const f of mlpFiles(dir)) out.push({ id: `${prefix}-${f.replace(/\.mlp$/, "")}`, path: `${dir}${f}`, strict });
  };
  add("conformance", "../shared/conformance/valid/", true);
  add("fixture", FIXTURES, true);
  add("sample", "samples/", false);
  return out;
}

export function compileIr(path: string): { ir: IrDocument; errors: string[] } {
  const program = checkProgram(path, loader);
  const errors = program.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  return { ir: lower(program), errors };
}

/** A target run on the IR alone (no variants: the SQL targets read `ir` only). */
export const emit = (target: TargetName, ir: IrDocument): GeneratedFile[] => EMITTERS[target]({ ir, variants: [] });

export function emitAll(ir: IrDocument): Record<TargetName, GeneratedFile[]> {
  return { spark: emit("spark", ir), flink: emit("flink", ir), cassandra: emit("cassandra", ir) };
}

/** The SQL files of a target's output. */
export const sqlFiles = (files: GeneratedFile[]) => files.filter((f) => f.path.endsWith(".sql"));
