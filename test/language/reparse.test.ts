// Incremental parsing gives the full parse's answer: random edits (typing, deleting,
// pasting lines, breaking and mending the syntax) of every sample and of a generated
// pipeline, each reparsed from the previous result and compared with a parse from scratch.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, type ParseResult } from "../../language/parser";
import { reparse } from "../../language/reparse";
import { generatePipeline } from "../bench/generate";
import { below } from "../random";

const SAMPLES = fileURLToPath(new URL("../../samples/", import.meta.url));


const PIECES = ["a", "x", " ", "\n", "{", "}", "(", ")", "=", '"', "1", "7d", "// note\n", "_", ",", "filter", "\r\n", "step"];

function edit(text: string, r: (n: number) => number): string {
  const at = r(text.length + 1);
  switch (r(6)) {
    case 0: // type a character or a word
      return text.slice(0, at) + PIECES[r(PIECES.length)] + text.slice(at);
    case 1: // delete a few characters
      return text.slice(0, at) + text.slice(at + 1 + r(4));
    case 2: {
      // paste a copy of a line elsewhere
      const lines = text.split("\n");
      const line = lines[r(lines.length)]!;
      return text.slice(0, at) + line + "\n" + text.slice(at);
    }
    case 3: {
      // rename: replace a word with another
      const m = /[a-z_]+/.exec(text.slice(at));
      return m ? text.slice(0, at + m.index) + m[0] + "z" + text.slice(at + m.index + m[0].length) : text;
    }
    case 4: // delete a line
    {
      const s = text.lastIndexOf("\n", at - 1) + 1;
      const e = text.indexOf("\n", at);
      return text.slice(0, s) + text.slice(e < 0 ? text.length : e + 1);
    }
    default: // undo-like: the previous text comes back (handled by the caller)
      return text;
  }
}

const plain = (r: ParseResult) => JSON.stringify({ ast: r.ast, diagnostics: r.diagnostics });

function replay(name: string, start: string, seed: number, edits: number) {
  const r = below(seed);
  let text = start;
  // What incremental parsing starts from: the last text that parsed cleanly.
  let base = { text, result: parse(text, name) };
  let reused = 0;
  const history: string[] = [];
  for (let k = 0; k < edits; k++) {
    const next = r(6) === 5 && history.length ? history[r(history.length)]! : edit(text, r);
    history.push(text);
    const inc = reparse(base.result, base.text, next, name);
    const full = parse(next, name);
    if (inc) {
      reused++;
      if (process.env.MLP_DEBUG && plain(inc.result) !== plain(full)) {
        const a = plain(inc.result), b = plain(full);
        let i = 0; while (a[i] === b[i]) i++;
        console.log(JSON.stringify({ before: base.text, after: next, moved: inc.moved }), "\nINC", a.slice(i - 300, i + 200), "\nFULL", b.slice(i - 300, i + 200));
      }
      expect(plain(inc.result), `edit ${k} of ${name} (seed ${seed})`).toBe(plain(full));
    }
    const now = inc?.result ?? full;
    if (now.diagnostics.length === 0) base = { text: next, result: now };
    text = next;
  }
  return reused;
}

describe("incremental parsing", () => {
  const samples = readdirSync(SAMPLES, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".mlp")).map((f) => f.name);
  for (const f of samples) {
    it(`gives the full parse's tree under random edits: ${f}`, () => {
      const text = readFileSync(join(SAMPLES, f), "utf8");
      expect(replay(f, text, f.length * 7919, 150)).toBeGreaterThan(0);
    });

    it(`reparses in part while a word is typed and erased: ${f}`, () => {
      const text = readFileSync(join(SAMPLES, f), "utf8");
      const r = below(f.length);
      let base = { text, result: parse(text, f) };
      let edits = 0;
      let reused = 0;
      for (let k = 0; k < 20; k++) {
        // Inside a name, or in a comment: the text parses at every keystroke.
        const m = [...text.matchAll(/[a-z_]{4,}|\/\/ [^\n]*/g)];
        const at = m[r(m.length)]!.index! + 2;
        const steps = ["q", "qu", "qux", "qu", "q", ""];
        for (const typed of steps) {
          const next = text.slice(0, at) + typed + text.slice(at);
          const inc = reparse(base.result, base.text, next, f);
          const full = parse(next, f);
          edits++;
          if (inc) {
            reused++;
            expect(plain(inc.result)).toBe(plain(full));
          }
          const now = inc?.result ?? full;
          if (now.diagnostics.length === 0) base = { text: next, result: now };
        }
      }
      expect(reused / edits).toBeGreaterThan(0.9);
    });
  }

  it("reparses one declaration of a 1,000-step pipeline and moves the rest", () => {
    const text = generatePipeline(1000);
    const old = parse(text, "big.mlp");
    const at = text.indexOf("filter", text.length >> 1);
    const next = text.slice(0, at) + "filter x > 1\n  " + text.slice(at);
    const inc = reparse(old, text, next, "big.mlp")!;
    expect(inc).toBeDefined();
    expect(inc.moved.to - inc.moved.from).toBeLessThan(2000);
    expect(inc.moved.lines).toBe(1);
    expect(plain(inc.result)).toBe(plain(parse(next, "big.mlp")));
    replay("big.mlp", text, 42, 8);
    // A full parse of 1,000 steps per edit, to compare with: seconds on a busy machine.
  }, 60_000);

  it("gives up where a full parse is the only answer", () => {
    const text = "pipeline p {}\n\nschema S { a: int }\n";
    const old = parse(text, "p.mlp");
    // The new text does not parse cleanly: the full parse words its errors.
    expect(reparse(old, text, text.replace("a: int", "a: int {"), "p.mlp")).toBeUndefined();
    // A base with errors: recovery's tree is not reused.
    const broken = "pipeline p {}\n\nschema S { a: }\n\nschema T { b: int }\n";
    expect(reparse(parse(broken, "p.mlp"), broken, broken.replace("b: int", "b: float"), "p.mlp")).toBeUndefined();
  });
});
