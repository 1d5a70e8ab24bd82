// A checked program -> the compilation its targets are given: the IR of the file (or of the
// chosen variant) and, lowered only when a target asks, the IR of every variant.
import type { CheckedProgram } from "../language/checker/model";
import { lower } from "./lower";
import type { IrDocument } from "./ir";
import type { Compilation } from "./target-api";

export function compilation(p: CheckedProgram, variant?: string): Compilation {
  const ir = lower(p, variant);
  let variants: IrDocument[] | undefined;
  return {
    ir,
    get variants() {
      variants ??= variant === undefined ? [...p.variants.keys()].map((v) => lower(p, v)) : [];
      return variants;
    },
  };
}
