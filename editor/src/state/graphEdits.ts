// Graph edit -> text: take the graph IR of the current text, apply an edit, print the
// IR and put the printed text in place of the file's text. The text stays the single
// source of truth; the canvas catches up from the next analysis. Edits run one after
// another, each on the analysis of the text the previous one left.
import type { IrDocument } from "../../../compiler/ir";
import type { Edit } from "../model/edits";
import { printPreserving } from "../model/splice";
import { app, select, toast } from "./app";
import { freshAnalysis, scheduleAnalysis } from "./analysis";
import { replaceText } from "./documents";

let queue: Promise<unknown> = Promise.resolve();

/** Applies `edit` to the current graph and writes the result back as text. Resolves to false when refused. */
export function applyEdit(edit: (ir: IrDocument) => Edit, opts: { quiet?: boolean } = {}): Promise<boolean> {
  const run = queue.then(async () => {
    const a = await freshAnalysis();
    const locked = a.syntaxErrors[0];
    if (locked) {
      toast(`The text has a syntax error at line ${locked.span.line} (${locked.message}); fix it in the text before editing the graph`, "error");
      return false;
    }
    const r = edit(a.ir);
    if (!r.ok) {
      if (!opts.quiet) toast(r.reason, "error");
      return false;
    }
    if (r.ir !== a.ir) {
      replaceText(a.entry, printPreserving(a.ir, a.texts[a.entry] ?? "", r.ir));
      scheduleAnalysis(0);
    }
    if (r.select) select(r.select, "app");
    if (r.note) toast(r.note, "info");
    return true;
  });
  queue = run.catch((e: unknown) => toast(`internal error: ${e instanceof Error ? e.message : String(e)}`, "error"));
  return run.catch(() => false);
}

/** The latest graph, possibly a few keystrokes behind the text (for hints while dragging). */
export function liveIr(): IrDocument | undefined {
  return app.get().analysis?.ir;
}
