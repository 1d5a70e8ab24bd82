// Variants: the names a document's variants go by. Applying one is not done here: the
// checker checks the file again with the variant's values in place, and `lower(program,
// name)` lowers that checked program (the IR then says which variant it holds).
import type { IrDocument } from "./ir";

export function variantNames(ir: Pick<IrDocument, "variants">): string[] {
  return [...new Set(ir.variants.map((v) => v.name))];
}
