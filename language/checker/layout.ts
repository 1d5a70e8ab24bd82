// The `layout` block: editor positions. Never semantic, so problems are warnings
// except a malformed position.
import type * as A from "../ast";
import { layoutPosition } from "../catalog/settings";
import { decode, DecodeError } from "../catalog/values";
import { didYouMean } from "../diagnostics/diagnostic";
import type { Scope } from "./graph";
import type { Report } from "./model";

export function checkLayout(d: A.LayoutDecl, scope: Scope, report: Report): void {
  for (const e of d.entries) {
    if (!scope.step(e.name.name))
      report("MLP0603", e.name.span, `layout names \`${e.name.name}\`, which is not a step`, { help: didYouMean(e.name.name, scope.stepNames()) ?? "remove the entry" });
    try {
      if (!layoutPosition.safeParse(decode(e.value)).success) report("MLP0310", e.value.span, "a position is `{ x: NUMBER, y: NUMBER }`");
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      report("MLP0310", e.value.span, "a position is `{ x: NUMBER, y: NUMBER }`");
    }
  }
}
