// The editor's worker analyses each keystroke through a check session, reusing the IR nodes
// of the steps the session kept (analyze.ts): what it posts must be the analysis made from
// scratch, under typing in step bodies of every bundled sample and of a 1,000-step pipeline.
import { describe, expect, it } from "vitest";
import { analyze, type Analysis } from "../../editor/src/model/analyze";
import { CheckSession } from "../../language/checker/program";
import { generatePipeline } from "../bench/generate";
import { below } from "../random";
import { FILES } from "./helpers";

/** A number changed or a letter typed at the end of a word, somewhere in the text. */
function typing(text: string, r: (n: number) => number): string {
  const at = r(text.length);
  const m = r(2) === 0 ? /\b\d+\b/.exec(text.slice(at)) : /\n  +[^\n]*?[a-z_]{3,}/.exec(text.slice(at));
  if (!m) return text;
  const end = at + m.index + m[0].length;
  return m[0].startsWith("\n") ? text.slice(0, end) + "s" + text.slice(end) : text.slice(0, at + m.index) + String(r(1000)) + text.slice(end);
}

// As posted: a copy, without the time it took.
const posted = (a: Analysis) => JSON.stringify(structuredClone({ ...a, ms: 0 }));

function replay(entry: string, files: Record<string, string>, seed: number, edits: number): CheckSession {
  const r = below(seed);
  const session = new CheckSession();
  for (let k = 0; k < edits; k++) {
    const before = files[entry]!;
    files = { ...files, [entry]: typing(before, r) };
    const made = analyze(entry, files, session);
    const a = posted(made);
    const b = posted(analyze(entry, files));
    // A keyword typed into (`filters`) breaks the syntax; the next keystroke mends it.
    if (made.syntaxErrors.length > 0) files = { ...files, [entry]: before };
    if (a === b) continue;
    let i = 0;
    while (a[i] === b[i]) i++;
    expect(a.slice(Math.max(0, i - 300), i + 200), `edit ${k} of ${entry}`).toBe(b.slice(Math.max(0, i - 300), i + 200));
  }
  return session;
}

describe("analysis through a check session", () => {
  it("is the analysis from scratch while typing in the bundled samples", () => {
    let quick = 0;
    for (const entry of Object.keys(FILES)) quick += replay(entry, FILES, entry.length, 12).checks.quick;
    expect(quick).toBeGreaterThan(0);
  }, 120_000);

  it("is the analysis from scratch while typing in a 1,000-step pipeline", () => {
    const session = replay("big.mlp", { "big.mlp": generatePipeline(1000) }, 5, 6);
    expect(session.checks.quick).toBeGreaterThan(0);
  }, 120_000);
});
