// Hostile strings in string literals of filter and derive come back from DuckDB as exactly
// the same data: quotes, backslashes, `;`, `--`, comment openers, line breaks, control
// characters (NUL excepted: no engine stores it in text) and unicode.
import { beforeAll, describe, expect, it } from "vitest";
import type { IrDocument, IrTExpr } from "../../../compiler/ir";
import { Duck, expectRows, expectSameShape, program } from "./harness";

let db: Duck;
beforeAll(async () => {
  db = await Duck.open();
});

const HOSTILE = [
  "it's",
  `say "hi"`,
  "back\\slash \\' \\\\ \\n",
  "semi; DROP TABLE src; --",
  "-- comment",
  "a--b---c-",
  "/* c */ */",
  "line1\nline2",
  "tab\there",
  "\u0001\u0002\u001b[31m\u001f\u007f",
  "ünïcödé 日本語 😀 \u200b \u2028 \u0085 \uFEFF",
  // Combining marks and emoji sequences: length counts code points (Spark's and Flink's CHAR_LENGTH).
  "e\u0301 👍🏽 🇫🇷",
  "$x ${y} @z :p ?",
  "'; SELECT 1; --",
  "",
  " ",
  "\\u0041 \\x41 %s",
  "CHR(65) || 'x'",
  "'' ''",
  "`backtick` \"dq\" [sq]",
];

/** The value as a .mlp string literal: only `\\`, `"`, line feeds and tabs need escapes. */
const mlp = (v: string) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\t", "\\t")}"`;

const S = `  id: int\n  s:  string`;

describe("hostile strings", () => {
  for (const [i, h] of HOSTILE.entries())
    it(`literal ${i}: ${JSON.stringify(h)}`, async () => {
      const src = program(S, `cleanse out(src) {\n  filter s == ${mlp(h)} or id == 0\n  derive lit = ${mlp(h)}\n  derive both = concat(s, ${mlp(h)})\n  derive n = length(${mlp(h)})\n}`);
      const input = [
        { id: 0, s: "other" },
        { id: 1, s: h },
        { id: 2, s: `${h}x` },
      ];
      const got = await db.run(src, { src: input });
      expectRows(got, [
        { id: 0, s: "other", lit: h, both: `other${h}`, n: [...h].length },
        { id: 1, s: h, lit: h, both: h + h, n: [...h].length },
      ]);
      expectSameShape(src);
    });

  it("a carriage return (not writable in .mlp, but valid in the IR) comes back too", async () => {
    const h = "a\rb\r\n--\r;";
    const src = program(S, `cleanse out(src) {\n  derive lit = "PLACEHOLDER"\n}`);
    const patch = (ir: IrDocument) => {
      const node = ir.nodes.find((n) => n.id === "out");
      if (node?.kind !== "cleanse" || node.ops[0]?.op !== "derive") throw new Error("unexpected IR");
      const v = node.ops[0].value as IrTExpr & { kind: "string" };
      expect(v.value).toBe("PLACEHOLDER");
      v.value = h;
    };
    expectRows(await db.run(src, { src: [{ id: 1, s: "" }] }, { patch }), [{ id: 1, s: "", lit: h }]);
  });
});
