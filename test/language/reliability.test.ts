// Issue 14, "never crash, never lie, never write half": each adversarial finding's reproducer
// (../shared/findings/reliability/<finding>-*.mlp) is run here, so the defect stays fixed.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkProgram } from "../../language/checker/program";
import type { CheckedProgram, FileLoader } from "../../language/checker/model";
import type { Diagnostic } from "../../language/diagnostics/diagnostic";
import { renderGithub, renderHuman, toJson } from "../../language/diagnostics/render";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { LineIndex } from "../../language/span";

const FINDINGS = fileURLToPath(new URL("../../../shared/findings/reliability/", import.meta.url));

/** The reproducer whose name starts with `prefix-` (`F06`, `F06b`). */
function finding(prefix: string): { path: string; text: string } {
  const name = readdirSync(FINDINGS).find((f) => f.startsWith(prefix + "-"));
  if (!name) throw new Error(`no reproducer ${prefix}`);
  return { path: FINDINGS + name, text: readFileSync(FINDINGS + name, "utf8") };
}

const loader: FileLoader = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

function check(prefix: string): CheckedProgram {
  const f = finding(prefix);
  return checkProgram(f.path, loader, f.text);
}

const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

describe("F06: parse never throws", () => {
  for (const prefix of ["F06", "F06b"]) {
    it(`${prefix}: an empty import list is a syntax error, not an internal error`, () => {
      const p = check(prefix);
      expect(codes(p.diagnostics)).toContain("MLP0101");
      expect(p.diagnostics.find((d) => d.code === "MLP0101")!.message).toMatch(/list of names/);
    });
  }

  it("the recovery paths that used to throw TypeError", () => {
    for (const text of [
      "pipeline p { v = 1..() }",
      "variant f u() .. r",
      "pipeline p {\n  version = = and x\n}\n",
      'pipeline p {\n  schedule = cron("e = cron("0 3 * * *")\n}',
      "cleanse c(s) { drop }\ncleanse d(s) { key }\ncleanse e(s) { dedupe by }",
      "train m(s) { hyperparams = { a: g(, ) } }",
    ]) {
      expect(() => parse(text), text).not.toThrow();
      expect(() => checkProgram("x.mlp", loader, text), text).not.toThrow();
    }
  });
});

describe("F17: nesting limits hold at node's default stack", () => {
  it("F17: 160 `not (` levels are one MLP0105, and the file's real errors survive", () => {
    const p = check("F17");
    expect(codes(p.diagnostics).sort()).toEqual(["MLP0105", "MLP0204"]);
  });

  it("F17b: mixed nesting is bounded and fast", () => {
    parse(""); // the grammar's one-time self-analysis is not the file's cost
    const { value: p, ms } = timed(() => check("F17b"));
    expect(codes(p.diagnostics)).toContain("MLP0105");
    expect(ms).toBeLessThan(1500);
  });

  it("every bracket kind, and prefix runs, at the limit parse; past it, one error", () => {
    for (const [open, close] of [["(", ")"], ["[", "]"], ["{k: ", "}"], ["g(", ")"], ["not (", ")"], ["- (", ")"]]) {
      const lhs = open!.startsWith("not") ? "" : "x == ";
      const at = (n: number) => `cleanse c(s) {\n  filter ${lhs}${open!.repeat(n)}b${close!.repeat(n)}\n}\n`;
      expect(codes(parse(at(60)).diagnostics), `${open} x60`).toEqual([]);
      expect(codes(parse(at(500)).diagnostics), `${open} x500`).toEqual(["MLP0105"]);
    }
    // 150 prefix operators nest the tree, not the parser's stack.
    expect(codes(parse(`cleanse c(s) {\n  filter ${"not ".repeat(150)}b\n}\n`).diagnostics)).toEqual([]);
    expect(codes(parse(`cleanse c(s) {\n  filter ${"not ".repeat(5000)}b\n}\n`).diagnostics)).toEqual(["MLP0105"]);
  });
});

describe("F09: a bounded number of syntax errors", () => {
  it("150k bad characters: 100 errors and one line saying it stopped", () => {
    const f = finding("F09");
    const { value: p, ms } = timed(() => checkProgram(f.path, loader, f.text));
    expect(p.diagnostics.length).toBe(101);
    const last = p.diagnostics.find((d) => d.code === "MLP0107")!;
    expect(last.message).toBe("too many syntax errors; stopping after 100");
    expect(ms).toBeLessThan(5000);
  });

  it("a binary file (NUL bytes) is one diagnostic, at once", () => {
    const bytes = "\u0000\u0001ELF".repeat(500_000);
    const { value, ms } = timed(() => parse(bytes, "a.mlp"));
    expect(codes(value.diagnostics)).toEqual(["MLP0108"]);
    expect(ms).toBeLessThan(500);
  });
});

describe("F04: one definition of a line (\\n, \\r\\n and lone \\r)", () => {
  for (const prefix of ["F04", "F04b"]) {
    it(`${prefix}: spans, the line index and snippets agree`, () => {
      const f = finding(prefix);
      const p = checkProgram(f.path, loader, f.text);
      expect(p.diagnostics.length).toBeGreaterThan(0);
      const lines = new LineIndex(f.text);
      for (const d of p.diagnostics) {
        expect(lines.position(d.span.start)).toEqual({ line: d.span.line, col: d.span.col });
        expect(d.span.endLine).toBeLessThanOrEqual(lines.lineCount);
      }
      const out = renderHuman(p.diagnostics, { sources: new Map([[f.path, f.text]]) });
      expect(out.match(/^\s*\d+ \| /gm)?.length, "every diagnostic shows its line").toBe(p.diagnostics.length);
    });
  }

  it("F04: the lone-CR file reports what the LF file reports, at the same line and column", () => {
    const f = finding("F04");
    const lf = checkProgram("a.mlp", loader, f.text.replace(/\r/g, "\n"));
    const cr = checkProgram("a.mlp", loader, f.text);
    const crlf = checkProgram("a.mlp", loader, f.text.replace(/\r/g, "\r\n"));
    const at = (p: CheckedProgram) => p.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}-${d.span.endLine}:${d.span.endCol}`);
    expect(at(cr)).toEqual(at(lf));
    expect(at(crlf)).toEqual(at(lf));
  });
});

describe("F07: no terminal escapes from the source reach the output", () => {
  it("human and GitHub renderings carry no control characters; JSON stays valid", () => {
    const f = finding("F07");
    const p = checkProgram(f.path, loader, f.text);
    const sources = new Map([[f.path, f.text]]);
    const ds: Diagnostic[] = [...p.diagnostics, { ...p.diagnostics[0]!, message: "bell \u0007 esc \u001b[2J", label: "\u001b]0;x\u0007", help: "\u009b31m" }];
    for (const out of [renderHuman(ds, { sources }), renderGithub(ds)]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(out).toContain("\u241b"); // ESC shown as ␛
    }
    const json = JSON.stringify(toJson(ds));
    expect(JSON.parse(json)).toEqual(toJson(ds));
  });

  it("carets stay under the token after a control character", () => {
    const text = 'source s: Table<Nope> { uri = "\u001b[31m" format = csv }\n';
    const p = checkProgram("a.mlp", loader, text);
    const out = renderHuman(p.diagnostics, { sources: new Map([["a.mlp", text]]) });
    const lines = out.split("\n");
    const src = lines.findIndex((l) => l.includes("Table<Nope>"));
    expect(lines[src + 1]!.indexOf("^")).toBe(lines[src]!.indexOf("Nope"));
  });
});

describe("F13: did-you-mean is bounded", () => {
  it("a 20 KB near-miss name is checked fast", () => {
    const { value: p, ms } = timed(() => check("F13"));
    expect(codes(p.diagnostics)).toEqual(["MLP0202"]);
    expect(ms).toBeLessThan(1000);
  });

  it("a 40k-character near miss of a 40k-character step", () => {
    const long = "a" + "b".repeat(40_000);
    const text = `schema S { id: string }\nsource ${long}: Table<S> { uri = "u" format = csv }\ncleanse c(${long}c) { drop id }\n`;
    const { value: p, ms } = timed(() => checkProgram("a.mlp", loader, text));
    expect(codes(p.diagnostics)).toContain("MLP0202");
    expect(ms).toBeLessThan(1000);
  });
});

describe("F01: a second layout block is an error", () => {
  for (const prefix of ["F01", "F01b"]) {
    it(`${prefix}: MLP0218 at the second \`layout\`, with a note at the first`, () => {
      const p = check(prefix);
      const d = p.diagnostics.filter((x) => x.code === "MLP0218");
      expect(d).toHaveLength(1);
      const text = finding(prefix).text;
      expect(text.slice(d[0]!.span.start, d[0]!.span.end)).toBe("layout");
      expect(d[0]!.span.start).toBe(text.lastIndexOf("layout"));
      expect(d[0]!.notes![0]!.span.start).toBe(text.indexOf("layout"));
    });
  }
});

/** A syntax tree without positions. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "span" && k !== "keyword").map(([k, x]) => [k, shape(x)]));
}

describe("F02: formatting never changes meaning", () => {
  const sameMeaning = (path: string, text: string) => {
    const before = parse(text, path);
    const formatted = format(before.ast);
    expect(shape(parse(formatted, path).ast)).toEqual(shape(before.ast));
    const codes = (t: string) => checkProgram(path, loader, t).diagnostics.map((d) => d.code).sort();
    expect(codes(formatted)).toEqual(codes(text));
    return formatted;
  };

  it("F02: `gamma: - 1` stays an error after fmt", () => {
    const f = finding("F02");
    expect(codes(check("F02").diagnostics)).toEqual(["MLP0310"]);
    expect(sameMeaning(f.path, f.text)).toContain("gamma: -(1)");
  });

  it("F02b: `require a >- 0` keeps MLP0302", () => {
    const f = finding("F02b");
    expect(codes(check("F02b").diagnostics)).toContain("MLP0302");
    sameMeaning(f.path, f.text);
  });

  it("`-(1)`, `- -1`, `--1` and `-(-1)` keep their trees", () => {
    sameMeaning("a.mlp", "cleanse c(s) {\n  derive y = -(1) + - -1 + --1 + -(-1) + -x + - 2e5\n}\n");
  });
});

describe("F03: numbers the IR cannot carry are errors", () => {
  it("F03: `1e400` is MLP0109 (twice: the filter and the derive)", () => {
    const p = check("F03");
    expect(codes(p.diagnostics)).toEqual(["MLP0109", "MLP0109"]);
    expect(p.diagnostics[0]!.message).toBe("`1e400` is too large: it is beyond the range of a float");
  });

  it("integers beyond 2^53 - 1 are MLP0109; the largest safe one and big floats are fine", () => {
    expect(codes(parse("schema S { v: vector(9007199254740993) }").diagnostics)).toEqual(["MLP0109"]);
    expect(codes(parse("train m(s) { hyperparams = { n: -9007199254740993 } }").diagnostics)).toEqual(["MLP0109"]);
    expect(codes(parse("schema S { v: vector(9007199254740991) }\ncleanse c(s) { filter x < 1.7e308 and x > -1e300 }").diagnostics)).toEqual([]);
  });
});

describe("F14: every user key survives, `__proto__` included", () => {
  it("F14: `hyperparams = { __proto__: 1 }` reaches the node config, and its variant too", async () => {
    const { lower } = await import("../../compiler/lower");
    const p = check("F14");
    expect(codes(p.diagnostics)).toEqual([]);
    const train = (ir: ReturnType<typeof lower>) => ir.nodes.find((n) => n.kind === "train")!.config as { hyperparams: Record<string, unknown> };
    expect(Object.hasOwn(train(lower(p)).hyperparams, "__proto__")).toBe(true);
    expect(JSON.stringify(train(lower(p)).hyperparams)).toBe('{"__proto__":1,"constructor":2,"toString":0.5}');
    expect(JSON.stringify(train(lower(p, "__proto__v")).hyperparams)).toBe('{"__proto__":3,"constructor":2,"toString":0.5}');
  });

  it("F14b: the `__proto__` tag is in the checked aws settings and survives re-parsing", async () => {
    const { TARGET_SETTINGS } = await import("../../language/catalog/settings");
    const { parseKeepingKeys } = await import("../../language/catalog/values");
    const p = check("F14b");
    expect(codes(p.diagnostics)).toEqual([]);
    const aws = p.entry.targets.get("aws") as { tags: Record<string, string> };
    expect(JSON.stringify(aws.tags)).toBe('{"__proto__":"x","constructor":"y","toString":"z"}');
    const again = parseKeepingKeys(TARGET_SETTINGS.aws, aws);
    expect(again.success && JSON.stringify(again.data.tags)).toBe('{"__proto__":"x","constructor":"y","toString":"z"}');
  });

  it("a bad `__proto__` value is reported at the value", () => {
    const text = 'target aws {\n  region = "eu-central-1"\n  artifact_bucket = "proto-artifacts"\n  tags = { __proto__: 1 }\n}\n';
    const p = checkProgram("a.mlp", loader, text);
    expect(codes(p.diagnostics)).toEqual(["MLP0310"]);
    expect(text.slice(p.diagnostics[0]!.span.start, p.diagnostics[0]!.span.end)).toBe("1");
  });
});

describe("Slurm names", () => {
  it("a partition or account with spaces or shell characters is MLP0310", () => {
    for (const bad of ['"gpu; rm -rf /"', '"a b"', '"$(id)"', '""']) {
      const p = checkProgram("a.mlp", loader, `target onprem {\n  slurm_partition = ${bad}\n  slurm_account = ${bad}\n}\n`);
      expect(codes(p.diagnostics), bad).toEqual(["MLP0310", "MLP0310"]);
    }
    expect(codes(checkProgram("a.mlp", loader, 'target onprem {\n  slurm_partition = "gpu-a100.long"\n  slurm_account = "ml_team1"\n}\n').diagnostics)).toEqual([]);
  });
});

describe("F05: variants that change nothing cost nothing", () => {
  it("416 empty variants check in well under a second each way, and each lowers as the file itself", () => {
    check("F05"); // warm up the grammar
    const { value: p, ms } = timed(() => check("F05"));
    expect(ms).toBeLessThan(1500);
    expect(p.variants.size).toBeGreaterThanOrEqual(400);
    const empty = [...p.variants.values()].at(-1)!;
    expect(empty.entry).toBe(p.entry);
  });

  it("200 variants whose overrides all fail report their errors without re-checking the file 200 times", () => {
    const { value: p, ms } = timed(() => check("F05b"));
    expect(ms).toBeLessThan(1500);
    expect(p.diagnostics.length).toBeGreaterThan(0);
  });
});

describe("one bad hyperparameter is one error", () => {
  it("its siblings stay hyperparameters that tune may search", () => {
    const text = `pipeline p { }
schema S { id: string  y: float }
source s: Table<S> { uri = "s3://b/s/"  format = parquet }
train m(s) { framework = xgboost  entry = "t.py"  label = y  hyperparams = { eta: 0.1, depth: 4, bad: { x: 1 } } }
tune t(m) {
  objective = minimize(rmse)
  strategy  = random
  trials    = 4
  search { eta = loguniform(0.01, 0.3)  depth = choice(3, 5) }
}
deploy d(t) { mode = endpoint  instances = 1 }
`;
    const p = checkProgram("hp.mlp", { read: () => undefined }, text);
    const errors = p.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual(["MLP0310 invalid `hyperparams.bad`: expected a number, string, bool or a list of them"]);
  });
});

describe("F10: paths of a pipeline stay inside its project", () => {
  it("an entry script outside the project is an error at the attribute", () => {
    const p = check("F10");
    expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([
      "MLP0310 invalid `entry`: it has a `..` segment: it must be a relative path to a file inside the project folder",
    ]);
  });

  it("notebooks likewise; a relative data location may not climb out, an absolute one or a URL may name data elsewhere", () => {
    const text = (entry: string, nb: string, uri: string) => `pipeline p { }
schema S { id: string  y: float }
source s: Table<S> { uri = "${uri}"  format = parquet }
train m(s) { framework = sklearn  entry = "${entry}"  label = y }
notebook r(m) { path = "${nb}" }
`;
    const errors = (t: string) => checkProgram("p.mlp", { read: () => undefined }, t).diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    expect(errors(text("train.py", "r.ipynb", "s3://b/s/"))).toEqual([]);
    expect(errors(text("/etc/train.py", "r.ipynb", "/data/s/"))).toEqual(["invalid `entry`: it is an absolute path: it must be a relative path to a file inside the project folder"]);
    expect(errors(text("train.py", "~/r.ipynb", "data/s/"))).toEqual(["invalid `path`: it starts with `~` (a home folder): it must be a relative path to a file inside the project folder"]);
    expect(errors(text("train.py", "r.ipynb", "../data/s/"))).toEqual(["invalid `uri`: it is relative to the project and has a `..` segment: write an absolute path or a URL for data outside the project"]);
  });
});

describe("a minus glued to a negative literal", () => {
  it("`--3` is a minus applied to the literal -3, and formats to text that parses back to it", () => {
    const value = (text: string) => {
      const d = parse(`pipeline p { v = ${text} }\n`).ast.decls[0];
      return d?.kind === "pipeline" ? d.body[0]?.value : undefined;
    };
    expect(value("--3")).toMatchObject({ kind: "unary", op: "-", operand: { kind: "number", value: -3, raw: "-3" } });
    expect(format(parse("pipeline p { v = --3 }\n").ast)).toContain("v = - -3");
  });
});

describe("durations and sizes out of range", () => {
  it("are attribute errors, not Infinity in a target", () => {
    const errors = (lateness: string, memory: string) =>
      checkProgram("p.mlp", { read: () => undefined }, `schema S { a: timestamp  y: float }
source s: Stream<S> { topic = "t"  format = json  event_time = a  lateness = ${lateness} }
source t: Table<S> { uri = "s3://b/t/"  format = parquet }
train m(t) { framework = sklearn  entry = "t.py"  label = y  resources = { memory: ${memory} } }
`).diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    expect(errors("10m", "4GiB")).toEqual([]);
    expect(errors("99999999999999999999999d", "4GiB")).toEqual(["invalid `lateness`: a duration this long is out of range"]);
    expect(errors("10m", "99999999999999TiB")).toEqual(["invalid `resources.memory`: a size this large is out of range"]);
  });
});
