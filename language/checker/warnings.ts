// Warnings about the graph as a whole.
import { stepKind } from "../catalog";
import type { Report, StepInfo } from "./model";

/** A step whose output nothing reads is usually unfinished work, unless it is a sink. */
export function warnIfUnused(s: StepInfo, report: Report): void {
  if (s.consumers > 0 || !s.kind) return;
  const kind = stepKind(s.kind)!;
  if (kind.sink) return;
  if (s.kind === "features" && s.config.store !== undefined) return;
  report("MLP0602", s.decl.name.span, `the output of \`${s.name}\` is never used`, {
    help: s.kind === "features" ? "read it in a later step, or publish it with `store = online(ttl: 1d)`" : "read it in a later step, or remove it",
  });
}
