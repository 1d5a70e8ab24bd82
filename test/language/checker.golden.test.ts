// Golden diagnostics: every `test/fixtures/check/<case>.mlp` is checked (with its imports)
// and the human rendering, colour off, is compared with `<case>.expected.txt`.
// `MLP_UPDATE=1 npx vitest run test/language/checker.golden.test.ts` rewrites the expected files.
//
// Each fixture also states what it must report with markers at the end of a line:
//   //~ MLP0301            one diagnostic with this code starts on this line
//   //~ MLP0301 MLP0302    two diagnostics start on this line
// The marker test asserts the program reports exactly the marked diagnostics (file, line
// and code), no more and no fewer: one mistake, one diagnostic, at the right place.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkProgram } from "../../language/checker/program";
import type { CheckedProgram, FileLoader } from "../../language/checker/model";
import { CATALOG } from "../../language/diagnostics/catalog";
import { renderHuman } from "../../language/diagnostics/render";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIR = "test/fixtures/check/";
const UPDATE = process.env.MLP_UPDATE === "1";

/** Reads paths relative to the repository root, so diagnostics name `test/fixtures/check/...`. */
const loader: FileLoader = {
  read(path) {
    try {
      return readFileSync(join(ROOT, path), "utf8");
    } catch {
      return undefined;
    }
  },
};

const cases = readdirSync(join(ROOT, DIR))
  .filter((f) => f.endsWith(".mlp"))
  .sort();

/**
 * Cases whose markers state the intended behaviour but the checker does not meet it yet.
 * The golden file still records today's output; the marker test is a todo naming the bug.
 */
const KNOWN_BUGS: Record<string, string> = {};

function render(p: CheckedProgram): string {
  const out = renderHuman(p.diagnostics, { sources: new Map(p.files.map((f) => [f.path, f.text])), color: false });
  return out === "" ? "(no diagnostics)\n" : out;
}

function markers(p: CheckedProgram): string[] {
  return p.files.flatMap((f) =>
    f.text.split("\n").flatMap((line, i) => {
      const m = /\/\/~\s*((?:MLP\d{4}\s*)+)$/.exec(line);
      return m ? m[1]!.trim().split(/\s+/).map((code) => `${f.path}:${i + 1}: ${code}`) : [];
    }),
  );
}

const reported = (p: CheckedProgram) => p.diagnostics.map((d) => `${d.file}:${d.span.line}: ${d.code}`);
const sorted = (xs: string[]) => [...xs].sort();

describe("checker golden files", () => {
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(25));

  for (const name of cases) {
    const path = DIR + name;
    describe(name, () => {
      const program = checkProgram(path, loader);

      it("renders as the expected file", () => {
        const expectedPath = join(ROOT, DIR, name.replace(/\.mlp$/, ".expected.txt"));
        const out = render(program);
        if (UPDATE) writeFileSync(expectedPath, out);
        else {
          expect(existsSync(expectedPath), `${expectedPath} is missing; run with MLP_UPDATE=1`).toBe(true);
          expect(out).toBe(readFileSync(expectedPath, "utf8"));
        }
      });

      if (KNOWN_BUGS[name]) it.todo(`${name}: ${KNOWN_BUGS[name]}`);
      else
        it("reports exactly the marked diagnostics", () => {
          const want = markers(program);
          expect(want.length, "a fixture marks what it expects").toBeGreaterThan(0);
          expect(sorted(reported(program))).toEqual(sorted(want));
        });

      it("gives every diagnostic a catalog code, a message and a span inside its file", () => {
        const texts = new Map(program.files.map((f) => [f.path, f.text]));
        for (const d of program.diagnostics) {
          expect(CATALOG[d.code]?.severity, d.code).toBe(d.severity);
          expect(d.message.trim()).not.toBe("");
          const text = texts.get(d.file);
          expect(text, `diagnostic in a file the program did not read: ${d.file}`).toBeDefined();
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
          expect(d.span.end).toBeLessThanOrEqual(text!.length);
          for (const n of d.notes ?? []) if (n.file) expect(texts.has(n.file), `note in unread file ${n.file}`).toBe(true);
        }
      });
    });
  }
});
