// Compiling in the browser with the same target registry and variant handling as
// `mlp compile`: refuse a program with errors, apply the variant, run each concrete
// target's generator, and say plainly which targets have no generator yet.
import { expand as expandTarget, type GeneratedFile, type TargetDef } from "../../../compiler/targets";
import { applyVariant, variantNames } from "../../../compiler/variants";
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

export function compile(a: Pick<Analysis, "ir" | "diagnostics" | "entry">, target: string, variant: string, expand: (name: string) => TargetDef[] = expandTarget): CompileOutput {
  const out: CompileOutput = { target, variant, files: [], notBuilt: [], failed: [] };
  const errors = a.diagnostics.filter((d) => d.severity === "error").length;
  if (errors) return { ...out, blocked: `${a.entry} has ${errors} error${errors > 1 ? "s" : ""}; fix ${errors > 1 ? "them" : "it"} first (see Problems).` };
  if (!a.ir.pipeline) return { ...out, blocked: `${a.entry} declares no pipeline; open the file that does.` };
  let ir = a.ir;
  if (variant) {
    if (!variantNames(ir).includes(variant)) return { ...out, blocked: `${a.entry} has no variant ${variant}` };
    ir = applyVariant(ir, variant);
  }
  const targets = expand(target);
  if (!targets.length) return { ...out, blocked: `unknown target ${target}` };
  for (const t of targets) {
    if (!t.emit) {
      out.notBuilt.push(t.name);
      continue;
    }
    try {
      for (const f of t.emit(ir)) out.files.push({ ...f, target: t.name });
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
