// Shared by the target tests: compiling .mlp files to IR and to every SQL target, the
// inputs (conformance valid files, samples, target fixtures) and their golden folders.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lower } from "../../compiler/lower";
import type { IrDocument } from "../../compiler/ir";
import type { GeneratedFile } from "../../compiler/targets";
import { checkProgram } from "../../language/checker/program";
import type { FileLoader } from "../../language/checker/model";
import { emitCassandra } from "../../targets/cassandra/index";
import { emitFlink } from "../../targets/flink/index";
import { emitSpark } from "../../targets/spark/index";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = "test/fixtures/targets/";
export const GOLDEN = join(ROOT, FIXTURES, "golden");
export const UPDATE = process.env.MLP_UPDATE === "1";

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

export const EMITTERS = { spark: emitSpark, flink: emitFlink, cassandra: emitCassandra } as const;
export type TargetName = keyof typeof EMITTERS;
export const TARGET_NAMES = Object.keys(EMITTERS) as TargetName[];

export interface Case {
  /** Golden folder: `<group>/<name>`. */
  id: string;
  /** Path relative to the repository root. */
  path: string;
  /** Goldens are required (conformance files and our fixtures); samples may not have them yet. */
  strict: boolean;
}

const mlpFiles = (dir: string) =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir))
        .filter((f) => f.endsWith(".mlp"))
        .sort()
    : [];

export function cases(): Case[] {
  const out: Case[] = [];
  for (const f of mlpFiles("../shared/conformance/valid/")) out.push({ id: `conformance/${f.replace(/\.mlp$/, "")}`, path: `../shared/conformance/valid/${f}`, strict: true });
  for (const f of mlpFiles(FIXTURES)) out.push({ id: `fixtures/${f.replace(/\.mlp$/, "")}`, path: `${FIXTURES}${f}`, strict: true });
  for (const f of mlpFiles("samples/")) out.push({ id: `samples/${f.replace(/\.mlp$/, "")}`, path: `samples/${f}`, strict: false });
  return out;
}

export function compileIr(path: string): { ir: IrDocument; errors: string[] } {
  const program = checkProgram(path, loader);
  const errors = program.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  return { ir: lower(program), errors };
}

export function emitAll(ir: IrDocument): Record<TargetName, GeneratedFile[]> {
  return { spark: emitSpark(ir), flink: emitFlink(ir), cassandra: emitCassandra(ir) };
}

/** The SQL files of a target's output. */
export const sqlFiles = (files: GeneratedFile[]) => files.filter((f) => f.path.endsWith(".sql"));
