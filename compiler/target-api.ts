// What a target is given and what it gives back. Targets import this module, never the
// registry (compiler/targets.ts), so there is no import cycle through it.
import type { IrDocument } from "./ir";

export interface GeneratedFile {
  /** Relative to the target's own output folder. */
  path: string;
  contents: string;
}

/**
 * One compilation: the IR compiled (the file's own values, or the variant `--variant` chose),
 * and, when no variant was chosen, the IR of every variant of the file, lowered from their own
 * checked programs. A target that deploys variants side by side (AWS stacks) reads them; the
 * others read `ir` alone.
 */
export interface Compilation {
  ir: IrDocument;
  variants: readonly IrDocument[];
}

export type Emit = (c: Compilation) => GeneratedFile[];

/** Raised when the IR asks for something a target cannot express safely (the input's fault, exit code 1). */
export class TargetError extends Error {
  override name = "TargetError";
}
