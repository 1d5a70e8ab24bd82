import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../language/ast";
import { format, formatExpr } from "../../language/formatter";
import { parse } from "../../language/parser";

const FIXTURES = fileURLToPath(new URL("../fixtures/fmt/", import.meta.url));
const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const UPDATE = process.env.MLP_UPDATE === "1";

const mlpFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".mlp") && !f.startsWith("."))
    .sort()
    .map((f) => dir + f);

/** The tree without positions, for "same structure" comparisons. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== "span" && k !== "keyword")
      .map(([k, v]) => [k, strip(v)]),
  );
}

function clean(text: string, path = "<fmt>"): A.SourceFileAst {
  const { ast, diagnostics } = parse(text, path);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return ast;
}

/** Formats, then checks the output is a fixed point that parses clean to the same tree. */
function formatChecked(text: string): string {
  const ast = clean(text);
  const out = format(ast);
  const again = clean(out);
  expect(strip(again)).toEqual(strip(ast));
  expect(format(again)).toBe(out);
  return out;
}

describe("golden files", () => {
  const inputs = readdirSync(FIXTURES).filter((f) => f.endsWith(".mlp") && !f.endsWith(".expected.mlp"));
  it("has fixtures", () => expect(inputs.length).toBeGreaterThan(0));
  for (const name of inputs) {
    it(name, () => {
      const out = formatChecked(readFileSync(FIXTURES + name, "utf8"));
      const expectedPath = FIXTURES + name.replace(/\.mlp$/, ".expected.mlp");
      if (UPDATE) writeFileSync(expectedPath, out);
      else expect(out).toBe(readFileSync(expectedPath, "utf8"));
    });
  }
});

describe("conformance files", () => {
  const files = [...mlpFiles(CONFORMANCE + "valid/"), ...mlpFiles(CONFORMANCE + "valid/lib/")];
  it("finds them", () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const file of files) {
    it(`${file.slice(CONFORMANCE.length)} is stable, clean and keeps its structure`, () => formatChecked(readFileSync(file, "utf8")));
  }

  // Invalid files without syntax errors must round-trip too; their `//~` markers stay on their lines.
  for (const file of [...mlpFiles(CONFORMANCE + "invalid/"), ...mlpFiles(CONFORMANCE + "invalid/lib/")]) {
    const text = readFileSync(file, "utf8");
    if (parse(text).diagnostics.length) continue;
    it(`${file.slice(CONFORMANCE.length)} keeps its markers`, () => {
      const out = formatChecked(text);
      const markers = (t: string) => t.split("\n").flatMap((l, i) => (l.includes("//~") ? [`${i}:${l.slice(l.indexOf("//~"))}`] : []));
      expect(markers(out)).toEqual(markers(text));
    });
  }
});

describe("churn.mlp", () => {
  const source = readFileSync(CONFORMANCE + "valid/churn.mlp", "utf8");
  const out = format(clean(source));
  const chunks = (t: string) => t.split("\n\n");

  const blocks = ["pipeline churn", "schema Customer", "schema Order", "features customer_features", "aggregate order_stats"];
  blocks.push("cleanse customers_clean", "train churn_model", "tune churn_tuned", "target onprem", "layout");
  for (const header of blocks) {
    it(`keeps the \`${header}\` block exactly`, () => {
      const chunk = chunks(source).find((c) => c.split("\n").some((l) => new RegExp(`^${header}\\b`).test(l)));
      expect(chunk).toBeDefined();
      expect(chunks(out)).toContain(chunk);
    });
  }

  it("differs from the source only in the variant the conformance file left unaligned", () => {
    const src = chunks(source);
    const got = chunks(out);
    expect(got.length).toBe(src.length);
    const variant = src.findIndex((c) => c.includes("variant eu {"));
    got.forEach((c, i) => i !== variant && expect(c).toBe(src[i]));
    expect(got[variant]).toBe(
      [
        "// The EU team gets its own stack: same logic, its own data and a smaller endpoint.",
        "variant eu {",
        '  customers.uri              = "s3://acme-raw-eu/customers/"',
        '  orders.uri                 = "s3://acme-raw-eu/orders/"',
        "  churn_api.instances        = 1..4",
        "  churn_model.hyperparams.lr = 0.0005",
        "}",
      ].join("\n"),
    );
  });
});

describe("file edges", () => {
  it("prints an empty file as empty", () => expect(format(clean(""))).toBe(""));
  it("ends with exactly one newline", () => expect(format(clean("\n\npipeline p { version = \"1\" }\n\n\n"))).toBe('pipeline p {\n  version = "1"\n}\n'));
});

// ---------- expressions ----------

function exprOf(src: string): A.Expr {
  const d = clean(`pipeline p { v = ${src} }`).decls[0] as A.PipelineDecl;
  return d.body[0]!.value;
}

describe("formatExpr", () => {
  const cases: [string, string][] = [
    ["a>=0.0", "a >= 0.0"],
    ["(a or b) and c", "(a or b) and c"],
    ["a or (b and c)", "a or b and c"],
    ["a - (b - c)", "a - (b - c)"],
    ["(a - b) - c", "a - b - c"],
    ["(a < b) == c", "(a < b) == c"],
    ["a == (b < c)", "a == (b < c)"],
    ["not (a == b)", "not a == b"],
    ["(not a) == b", "(not a) == b"],
    ["-(a + b) * c", "-(a + b) * c"],
    ["(1 + 2)..(3 * 4)", "1 + 2..3 * 4"],
    ["(1..2)..3", "(1..2)..3"],
    ["(a + b) is not null", "a + b is not null"],
    ["(a == b) is null", "(a == b) is null"],
    ["- 3", "-(3)"], // with a space the minus is the operator (REFERENCE, Numbers): it stays one, not the literal -3
    ["-(-3)", "- -3"],
    ["- - x", "- -x"],
    ["{ }", "{}"],
    ["[ ]", "[]"],
    ["{a:1, b:{c:[x,y]}}", "{ a: 1, b: { c: [x, y] } }"],
    ["f( x , k : 7d )", "f(x, k: 7d)"],
    ['"a\\"b\\\\c\\nd\\te"', '"a\\"b\\\\c\\nd\\te"'],
    ["1e-5", "1e-5"],
    ["64GiB", "64GiB"],
  ];
  for (const [src, want] of cases) it(`${src} -> ${want}`, () => expect(formatExpr(exprOf(src))).toBe(want));

  it("prints error expressions as a placeholder", () => {
    expect(formatExpr({ kind: "error", span: { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 } })).toBe("_");
  });

  // Any tree prints to text that parses back to the same tree.
  it("round-trips random expression trees", () => {
    const span = { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
    const name = fc.constantFrom("a", "b", "col_1", "key", "filter", "x2");
    const ident = name.map((n): A.Ident => ({ kind: "ident", name: n, span }));
    const leaf: fc.Arbitrary<A.Expr> = fc.oneof(
      name.map((n) => ({ kind: "ref" as const, name: n, span })),
      fc.constantFrom("0", "3", "0.5", "1e-5", "2.5E+3").map((raw) => ({ kind: "number" as const, value: Number(raw), raw, span })),
      fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "\t", "/", "é") }).map((value) => ({ kind: "string" as const, value, span })),
      fc.boolean().map((value) => ({ kind: "bool" as const, value, span })),
      fc.constant({ kind: "null" as const, span }),
      fc.constantFrom("500ms", "7d").map((raw) => ({ kind: "duration" as const, raw, span })),
      fc.constantFrom("512MiB", "1TiB").map((raw) => ({ kind: "size" as const, raw, span })),
    );
    const ops: A.BinaryOp[] = ["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"];
    const { expr } = fc.letrec<{ expr: A.Expr }>((tie) => {
      const sub = tie("expr") as fc.Arbitrary<A.Expr>;
      return {
        expr: fc.oneof(
          { depthSize: "small", withCrossShrink: true },
          leaf,
          fc.record({ kind: fc.constant("binary" as const), op: fc.constantFrom(...ops), left: sub, right: sub, span: fc.constant(span) }),
          fc.record({ kind: fc.constant("unary" as const), op: fc.constantFrom("not" as const, "-" as const), operand: sub, span: fc.constant(span) }),
          fc.record({ kind: fc.constant("isnull" as const), operand: sub, negated: fc.boolean(), span: fc.constant(span) }),
          fc.record({ kind: fc.constant("range" as const), lo: sub, hi: sub, span: fc.constant(span) }),
          fc.record({ kind: fc.constant("list" as const), items: fc.array(sub, { maxLength: 3 }), span: fc.constant(span) }),
          fc.record({
            kind: fc.constant("object" as const),
            entries: fc.array(fc.record({ key: ident, value: sub }), { maxLength: 3 }),
            span: fc.constant(span),
          }),
          fc.record({
            kind: fc.constant("call" as const),
            callee: ident,
            args: fc.array(fc.oneof(fc.record({ value: sub }), fc.record({ name: ident, value: sub })), { maxLength: 3 }),
            span: fc.constant(span),
          }),
        ),
      };
    });
    // The one canonicalisation: a minus applied to an unsigned literal becomes the literal's sign.
    const canon = (e: unknown): unknown => {
      const s = strip(e) as Record<string, unknown>;
      const walk = (n: unknown): unknown => {
        if (Array.isArray(n)) return n.map(walk);
        if (n === null || typeof n !== "object") return n;
        const o = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)])) as Record<string, unknown>;
        const inner = o.operand as { kind?: string; raw?: string } | undefined;
        if (o.kind === "unary" && o.op === "-" && inner?.kind === "number" && !inner.raw!.startsWith("-"))
          return { kind: "number", value: -Number(inner.raw), raw: "-" + inner.raw };
        return o;
      };
      return walk(s);
    };
    fc.assert(
      fc.property(expr, (e) => {
        const text = formatExpr(e);
        expect(canon(exprOf(text))).toEqual(canon(e));
        expect(formatExpr(exprOf(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
