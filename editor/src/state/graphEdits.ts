// Graph edit -> text: take the graph IR of the current text, apply an edit, print the
// IR and put the printed text in place of the file's text. The text stays the single
// source of truth; the canvas catches up from the next analysis. Edits run one after
// another, each on the analysis of the text the previous one left.
import type { IrDocument } from "../../../compiler/ir";
import { analyze, type Analysis } from "../model/analyze";
import { connect, connectionProblem, type Edit, type PortRef } from "../model/edits";
import { printPreserving } from "../model/splice";
import { app, select, toast } from "./app";
import { freshAnalysis, scheduleAnalysis } from "./analysis";
import { replaceText } from "./documents";

let queue: Promise<unknown> = Promise.resolve();

/**
 * Applies `edit` to the current graph and writes the result back as text. Resolves to false
 * when refused. `vet` sees the analysis the edit was made on and the text it would write,
 * and may stop it (having told the user why, or asked them).
 */
export function applyEdit(
  edit: (ir: IrDocument) => Edit,
  opts: { quiet?: boolean; vet?: (before: Analysis, next: IrDocument, text: string) => boolean } = {},
): Promise<boolean> {
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
      const text = printPreserving(a.ir, a.texts[a.entry] ?? "", r.ir);
      if (opts.vet && !opts.vet(a, r.ir, text)) return false;
      replaceText(a.entry, text);
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

/**
 * A connection is more than matching artifact kinds: a step reads columns by name, so the
 * new input may lack them. Before writing, the edited program is checked; errors it would
 * newly have are shown and the user decides. Dropping onto an input that already reads
 * another step asks before replacing that edge.
 */
export function vetConnection(before: Analysis, next: IrDocument, text: string, to: { node: string; port: string }): boolean {
  const name = (id: string) => before.ir.nodes.find((n) => n.id === id)?.name ?? id;
  const reads = (ir: IrDocument) => ir.edges.filter((e) => e.to.node === to.node && e.to.port === to.port).map((e) => e.from.node);
  const was = reads(before.ir);
  const now = reads(next);
  const dropped = was.filter((id) => !now.includes(id));
  const added = now.filter((id) => !was.includes(id));
  if (dropped.length && !window.confirm(`\`${to.port}\` of ${name(to.node)} already reads ${dropped.map(name).join(", ")}. Replace it with ${added.map(name).join(", ")}?`)) {
    toast("not connected: the input keeps what it reads");
    return false;
  }
  const key = (d: { code: string; message: string }) => `${d.code} ${d.message}`;
  const known = new Set(before.diagnostics.filter((d) => d.severity === "error").map(key));
  const after = analyze(before.entry, { ...before.texts, [before.entry]: text });
  const fresh = after.diagnostics.filter((d) => d.severity === "error" && !known.has(key(d)));
  if (!fresh.length) return true;
  // One line per message: a missing column read in three places is one problem to decide on.
  const counts = new Map<string, number>();
  for (const d of fresh) counts.set(d.message, (counts.get(d.message) ?? 0) + 1);
  const lines = [...counts].map(([m, n]) => `- ${m}${n > 1 ? ` (${n} places)` : ""}`);
  const listed = lines.slice(0, 5).join("\n");
  const more = lines.length > 5 ? `\n- and ${lines.length - 5} more` : "";
  if (window.confirm(`Connecting ${added.map(name).join(", ")} to ${name(to.node)} gives ${fresh.length} error${fresh.length > 1 ? "s" : ""}:\n${listed}${more}\nConnect anyway?`)) return true;
  toast(`not connected: ${fresh[0]!.message}`);
  return false;
}

/** A refused connection, said the same way however it was attempted (a drag, the Connect to… list). */
export function cannotConnect(reason: string): void {
  toast(`Cannot connect: ${reason}`, "error");
}

/**
 * Connects an output to an input: refused with the reason when the types or the graph forbid
 * it, else vetted like every connection (vetConnection: asks before replacing an input, shows
 * the column errors it would cause) and written.
 */
export function connectPorts(from: PortRef, to: PortRef): Promise<boolean> {
  const ir = liveIr();
  const reason = ir && connectionProblem(ir, from, to);
  if (reason) {
    cannotConnect(reason);
    return Promise.resolve(false);
  }
  return applyEdit((cur) => connect(cur, from, to), { vet: (before, next, text) => vetConnection(before, next, text, to) });
}
