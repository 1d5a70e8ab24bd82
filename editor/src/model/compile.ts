// Compiling in the browser with the same target registry and variant handling as
// `mlp compile`: refuse a program with errors, check the analysed texts again and lower the
// chosen variant from its own checked program, run each concrete target's generator, and say
// plainly which targets have no generator yet.
import { compilation } from "../../../compiler/compile";
import { expand as expandTarget, type GeneratedFile, type TargetDef } from "../../../compiler/targets";
import { variantNames } from "../../../compiler/variants";
import { checkProgram } from "../../../language/checker/program";
import type { Analysis } from "./analyze";

export interface CompileOutput {
  target: string;
  variant: string;
  files: (GeneratedFile & { target: string })[];
  /** Concrete targets without a generator yet. */
  notBuilt: string[];
  failed: { target: string; message: string }[];
  /** Why nothing was compiled at all. */
  blocked?: string;
}

export function compile(a: Pick<Analysis, "ir" | "diagnostics" | "entry" | "texts">, target: string, variant: string, expand: (name: string) => TargetDef[] = expandTarget): CompileOutput {
  const out: CompileOutput = { target, variant, files: [], notBuilt: [], failed: [] };
  const errors = a.diagnostics.filter((d) => d.severity === "error").length;
  if (errors) return { ...out, blocked: `${a.entry} has ${errors} error${errors > 1 ? "s" : ""}; fix ${errors > 1 ? "them" : "it"} first (see Problems).` };
  if (!a.ir.pipeline) return { ...out, blocked: `${a.entry} declares no pipeline; open the file that does.` };
  if (variant && !variantNames(a.ir).includes(variant)) return { ...out, blocked: `${a.entry} has no variant ${variant}` };
  // Compiling is rare next to analysing: the analysis keeps only the file's IR, and the
  // variants are lowered here, each from its own checked program.
  const targets = expand(target);
  if (!targets.length) return { ...out, blocked: `unknown target ${target}` };
  // Checked again for these targets: data one of them cannot reach (HDFS on AWS) is an error now.
  const program = checkProgram(a.entry, { read: (p) => a.texts[p] }, undefined, { compiledFor: targets.map((t) => t.name) });
  const refused = program.diagnostics.filter((d) => d.severity === "error");
  if (refused.length) return { ...out, blocked: `${a.entry} cannot be compiled for ${target}: ${refused.map((d) => `${d.message} (${d.code}${d.help ? `; ${d.help}` : ""})`).join("; ")}` };
  const unit = compilation(program, variant || undefined);
  for (const t of targets) {
    if (!t.emit) {
      out.notBuilt.push(t.name);
      continue;
    }
    try {
      for (const f of t.emit(unit)) out.files.push({ ...f, target: t.name });
    } catch (e) {
      out.failed.push({ target: t.name, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** The zip entries of a compile: `target/path` -> contents. */
export function zipEntries(out: CompileOutput): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const f of out.files) entries[`${f.target}/${f.path}`] = f.contents;
  return entries;
}
