// The checker's entry: a program (a file and everything it imports) checked once, through a
// FileLoader. The files are checked by files.ts; a CheckSession (session.ts) checks again and
// again as they change, and gives what a check from scratch gives.
import type { CheckedProgram, FileLoader } from "./model";
import { CheckSession, type CheckOptions } from "./session";

export { CheckSession, type CheckOptions } from "./session";
export { UnreadableFile } from "./files";

/** Check `path` (read through `loader`, or `text` when given) with everything it imports. Never throws. */
export function checkProgram(path: string, loader: FileLoader, text?: string, options: CheckOptions = {}): CheckedProgram {
  return new CheckSession({ once: true }).check(path, loader, text, options);
}
