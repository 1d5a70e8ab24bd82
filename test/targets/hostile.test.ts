// Hostile input lands as data. test/fixtures/targets/hostile.mlp puts quotes, backticks,
// `$(...)`, `${...}`, semicolons, `--`, comment markers, backslashes and newlines in URIs,
// topics, expression strings, batch outputs and target settings. The tests prove, on every
// generated file of every case (not only the hostile one):
//   - the lexical invariants that make any statement splitter safe: a `;` only ends a
//     statement (at the end of a line, outside literals), no literal spans lines or holds
//     `--`, Spark files hold no `$` (spark-sql's ${var} substitution cannot fire);
//   - every statement parses (grammar.test.ts) and is one of the statements the targets
//     write (SET, CREATE, INSERT, EXECUTE STATEMENT SET): nothing was injected;
//   - each hostile string comes back exactly when the literals of the generated SQL are
//     decoded with the dialect's own rules;
//   - what Flink cannot carry in an option (line breaks, `;`, `\`) is refused, not mangled.
import { describe, expect, it } from "vitest";
import type { IrDocument, IrKind, IrTExpr, NodeOf } from "../../compiler/ir";
import { is } from "../../compiler/query";
import { TargetError } from "../../compiler/target-api";
import { cqlIdent, cqlString } from "../../targets/cassandra/index";
import { propertyText } from "../../targets/flink/index";
import { latestModelPath } from "../../targets/slurm/index";
import { cases, compileIr, emit, emitAll, FIXTURES } from "./helpers";
import { PAYLOADS } from "./payloads";
import { flinkErrors, flinkForGrammar, flinkParser, sparkErrors, sparkParser } from "./sql-grammar";

// ---------- lexical scanners with each dialect's literal rules ----------

type Dialect = "spark" | "flink";

interface Scan {
  /** Decoded string literals (Flink: `'a' || CHR(59) || 'b'` runs joined). */
  literals: string[];
  problems: string[];
}

/** Walks a generated SQL file the way the engine's lexer reads it and checks the invariants. */
function scan(sql: string, dialect: Dialect): Scan {
  const problems: string[] = [];
  const literals: string[] = [];
  let i = 0;
  let line = 1;
  const at = () => `line ${line}`;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "\n") {
      line++;
      i++;
    } else if (ch === "-" && sql[i + 1] === "-") {
      // A comment: only whole-line comments are generated.
      const start = sql.lastIndexOf("\n", i - 1) + 1;
      if (sql.slice(start, i).trim() !== "") problems.push(`${at()}: -- after code`);
      const end = sql.indexOf("\n", i);
      const text = sql.slice(i, end < 0 ? sql.length : end);
      if (text.includes(";") || text.includes("'")) problems.push(`${at()}: comment holds ; or '`);
      i = end < 0 ? sql.length : end;
    } else if (ch === "'") {
      let j = i + 1;
      let value = "";
      for (;;) {
        if (j >= sql.length) {
          problems.push(`${at()}: unterminated literal`);
          break;
        }
        const c = sql[j]!;
        if (c === "\n") problems.push(`${at()}: literal spans lines`);
        if (c === ";") problems.push(`${at()}: ; inside a literal`);
        // Spark literals never hold `--`; Flink option values may (every line-based splitter is still fine, see below).
        if (dialect === "spark" && c === "-" && sql[j + 1] === "-") problems.push(`${at()}: -- inside a literal`);
        if (dialect === "spark" && c === "\\") {
          const e = sql[j + 1]!;
          if (e === "u") {
            value += String.fromCharCode(parseInt(sql.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            value += ({ n: "\n", t: "\t", r: "\r", "0": "\0" } as Record<string, string>)[e] ?? e;
            j += 2;
          }
          continue;
        }
        if (dialect === "flink" && c === "\\") problems.push(`${at()}: backslash inside a Flink literal`);
        // The one substitution mlp writes itself: the run id of the run folder (targets/spark).
        if (dialect === "spark" && sql.startsWith(RUN_ID, j)) {
          value += RUN_ID;
          j += RUN_ID.length;
          continue;
        }
        if (dialect === "spark" && c === "$") problems.push(`${at()}: $ inside a Spark literal (spark-sql substitutes \${...})`);
        if (c === "'") {
          if (dialect === "flink" && sql[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += c;
        j++;
      }
      literals.push(value);
      i = j;
    } else if (ch === "`") {
      const end = sql.indexOf("`", i + 1);
      const ident = sql.slice(i + 1, end);
      if (ident.includes("\n") || ident.includes(";")) problems.push(`${at()}: odd identifier`);
      i = end + 1;
    } else if (ch === ";") {
      if (sql[i + 1] !== "\n") problems.push(`${at()}: ; not at the end of a line`);
      i++;
    } else {
      if (dialect === "spark" && ch === "$") problems.push(`${at()}: $ in a Spark file`);
      i++;
    }
  }
  // Flink's SQL client up to 1.16 ends a statement at a line that ends in `;` once `--.*$` is
  // removed, quotes or not: that must be exactly the lines that do end a statement.
  sql.split("\n").forEach((l, k) => {
    if (l.replace(/--.*$/, "").endsWith(";") !== l.endsWith(";")) problems.push(`line ${k + 1}: -- changes where a line-based splitter ends the statement`);
  });
  if (dialect === "flink") literals.push(...flinkRuns(sql));
  return { literals, problems };
}

/** Flink strings written as concatenations: `('a' || CHR(59) || 'b')`. */
function flinkRuns(sql: string): string[] {
  const out: string[] = [];
  const part = String.raw`(?:'(?:[^']|'')*'|CHR\(\d+\))`;
  const run = new RegExp(String.raw`\((${part}(?: \|\| ${part})+)\)`, "g");
  for (const m of sql.matchAll(run)) {
    let value = "";
    for (const p of m[1]!.matchAll(new RegExp(part, "g"))) {
      const t = p[0];
      value += t.startsWith("CHR(") ? String.fromCharCode(Number(t.slice(4, -1))) : t.slice(1, -1).replaceAll("''", "'");
    }
    out.push(value);
  }
  return out;
}

// (SELECT: the run guard of a Spark file, which stores nothing.)
const STATEMENT = /^(SET|CREATE|INSERT|EXECUTE STATEMENT SET|SELECT RAISE_ERROR)\b/;

/** Statements as the grammar sees them, and as a naive `;`-at-end-of-line splitter sees them. */
function statementsAgree(text: string, dialect: Dialect): { parser: string[]; naive: string[] } {
  const sql = dialect === "flink" ? flinkForGrammar(text) : text;
  const parser = (dialect === "spark" ? sparkParser : flinkParser).splitSQLByStatement(sql)?.map((s) => stripComments(s.text)) ?? [];
  const naive: string[] = [];
  let buffer: string[] = [];
  let inSet = false;
  for (const l of sql.split("\n")) {
    buffer.push(l);
    if (l.startsWith("EXECUTE STATEMENT SET")) inSet = true;
    if (l.endsWith(";") && (!inSet || l === "END;")) {
      naive.push(stripComments(buffer.join("\n")));
      buffer = [];
      inSet = false;
    }
  }
  return { parser, naive: naive.filter((s) => s !== "") };
}

const stripComments = (s: string) =>
  s
    .split("\n")
    .filter((l) => !l.startsWith("--"))
    .join("\n")
    .trim()
    .replace(/;$/, "");

// ---------- every case ----------

const RUN_ID = "${env:MLP_RUN_ID}";

describe.each(cases())("$id: lexical safety", (c) => {
  const { ir, errors } = compileIr(c.path);
  const out = errors.length ? undefined : emitAll(ir);

  it.skipIf(!out)("keeps every ; at the end of a statement and every literal on one line", { timeout: 120_000 }, () => {
    for (const dialect of ["spark", "flink"] as const)
      for (const f of out![dialect].filter((f) => f.path.endsWith(".sql"))) {
        expect(scan(f.contents, dialect).problems, `${dialect}/${f.path}`).toEqual([]);
        const { parser, naive } = statementsAgree(f.contents, dialect);
        expect(naive, `${dialect}/${f.path}: a naive splitter cuts where the grammar does`).toEqual(parser);
        for (const st of parser) expect(st, `${dialect}/${f.path}`).toMatch(STATEMENT);
      }
  });

  it.skipIf(!out)("starts every file with a header naming the source file and step", () => {
    for (const f of [...out!.spark, ...out!.flink, ...out!.cassandra]) {
      if (f.path.endsWith(".json")) {
        expect(JSON.parse(f.contents).generated).toMatch(/^mlp from \S+\.mlp/);
        continue;
      }
      const first = f.contents.split("\n")[0]!;
      if (f.path.endsWith(".py")) {
        expect(first, f.path).toMatch(/^(# |""")Generated by mlp from [^;'"`$\\]+\.mlp /);
        continue;
      }
      expect(first, f.path).toMatch(/^(--|#) Generated by mlp from [^;'"`$\\]+\.mlp /);
      if (f.path !== "schema.cql") expect(first, f.path).toContain(f.path.replace(/\..*$/, ""));
    }
  });
});

// ---------- the hostile fixture ----------

/** Every string a .mlp file wrote into the (decoded) column expressions of the graph. */
function expressionStrings(nodes: readonly IrDocument["nodes"][number][]): string[] {
  const out: string[] = [];
  const expr = (e: IrTExpr) => {
    switch (e.kind) {
      case "string":
        out.push(e.value);
        break;
      case "call":
        e.args.forEach(expr);
        break;
      case "binary":
        expr(e.left);
        expr(e.right);
        break;
      case "unary":
      case "isnull":
        expr(e.operand);
        break;
    }
  };
  for (const n of nodes) {
    if (n.kind === "cleanse") for (const op of n.ops) (op.op === "filter" ? [op.cond] : op.op === "fill" || op.op === "derive" ? [op.value] : []).forEach(expr);
    if (n.kind === "aggregate" || n.kind === "features") for (const c of n.columns) expr(c.value);
  }
  return out;
}

describe("hostile input", () => {
  const { ir, errors } = compileIr(`${FIXTURES}hostile.mlp`);
  const node = <K extends IrKind>(id: string, kind: K): NodeOf<K> => {
    const n = ir.nodes.find((m) => m.id === id);
    if (!n || !is(n, kind)) throw new Error(`${id} is not a ${kind}`);
    return n;
  };
  const uri = node("rows", "source").config.uri!;
  const topic = node("events", "source").config.topic!;
  const output = node("scores", "deploy").config.output!;
  const liveTopic = node("live", "deploy").config.topic!;
  const settings = ir.settings.onprem;
  const spark = () => emit("spark", ir);
  const flink = (doc = ir) => emit("flink", doc);

  it("is a valid program full of hostile strings", () => {
    expect(errors).toEqual([]);
    const strings = [...expressionStrings(ir.nodes), uri, topic, output, liveTopic, settings.kafka, settings.model_dir];
    for (const s of strings) expect(s).toMatch(/['`$;\n\\]|--/);
    expect(latestModelPath(ir, "gate")).toContain(settings.model_dir);
  });

  it("lands every hostile string in the Spark SQL as data", { timeout: 120_000 }, () => {
    const files = spark().filter((f) => f.path.endsWith(".sql"));
    const literals = new Set(files.flatMap((f) => scan(f.contents, "spark").literals));
    const batchStrings = expressionStrings(ir.nodes.filter((n) => ["rows_clean", "row_feats", "scores_clean"].includes(n.id)));
    for (const s of [...batchStrings, uri, output]) expect(literals, JSON.stringify(s)).toContain(s);
    for (const f of files) expect(sparkErrors(f.contents), f.path).toEqual([]);
  });

  it("lands every hostile string in the Flink SQL as data", { timeout: 120_000 }, () => {
    const files = flink().filter((f) => f.path.endsWith(".sql"));
    const literals = new Set(files.flatMap((f) => scan(f.contents, "flink").literals));
    const streamStrings = expressionStrings(ir.nodes.filter((n) => n.id === "live_feats"));
    for (const s of [...streamStrings, topic, liveTopic, settings.kafka, latestModelPath(ir, "gate")!])
      expect(literals, JSON.stringify(s)).toContain(s);
    for (const f of files) expect(flinkErrors(f.contents), f.path).toEqual([]);
  });

  it("keeps hostile topics exact in the JSON manifests", () => {
    const jobs = JSON.parse(flink().find((f) => f.path === "jobs.json")!.contents).jobs as { id: string; topic: string }[];
    expect(jobs.find((j) => j.id === "live")!.topic).toBe(liveTopic);
    const batch = JSON.parse(spark().find((f) => f.path === "jobs.json")!.contents).jobs as { id: string; dependsOn: string[] }[];
    expect(batch.find((j) => j.id === "scores_clean")!.dependsOn).toEqual(["scores"]);
  });

  const withTopic = (topic: string): IrDocument => ({
    ...ir,
    nodes: ir.nodes.map((n) => (n.id === "events" && n.kind === "source" ? { ...n, config: { ...n.config, topic } } : n)),
  });

  it("refuses what a Flink option cannot carry, naming it", () => {
    for (const bad of ["a;b", "a\nb", "a\\b", "a\u0000b"]) expect(() => flink(withTopic(bad)), JSON.stringify(bad)).toThrow(TargetError);
    expect(() => flink(withTopic("a;b"))).toThrow(/"a;b"/);
    expect(() => flink(withTopic("it's -- fine"))).not.toThrow();
  });

  it("takes every shared payload as a topic: refused by name, or written as data that parses", () => {
    for (const p of PAYLOADS) {
      const unsafe = [...p.text].some((ch) => ch.codePointAt(0)! < 0x20 || ch === "\u007f" || ch === ";" || ch === "\\");
      if (unsafe) {
        expect(() => flink(withTopic(p.text)), p.name).toThrow(TargetError);
        continue;
      }
      const files = flink(withTopic(p.text)).filter((f) => f.path.endsWith(".sql"));
      expect(new Set(files.flatMap((f) => scan(f.contents, "flink").literals)), p.name).toContain(p.text);
      for (const f of files) expect(flinkErrors(f.contents), `${p.name} ${f.path}`).toEqual([]);
    }
  });

  it("keeps a hostile file name inside the header comments", () => {
    const evil: IrDocument = { ...ir, file: "dir/evil';\n DROP TABLE x; --$(id)`.mlp" };
    const encoded = "evil%27%3B%0A DROP TABLE x%3B --%24%28id%29%60.mlp";
    for (const [dialect, files] of [["spark", emit("spark", evil)], ["flink", emit("flink", evil)], ["cql", emit("cassandra", evil)]] as const)
      for (const f of files) {
        if (f.path.endsWith(".json")) {
          expect(JSON.parse(f.contents).generated).toContain(encoded);
          continue;
        }
        expect(f.contents.split("\n")[0], f.path).toContain(encoded);
        if (dialect !== "cql" && f.path.endsWith(".sql")) expect(scan(f.contents, dialect).problems, f.path).toEqual([]);
        if (dialect === "cql") expect(cqlStatements(f.contents).every((s) => /^(CREATE|ALTER) /.test(s)), f.path).toBe(true);
      }
  });
});

// ---------- CQL and properties ----------

/** Splits CQL at `;` outside quotes and comments, as cqlsh does. */
function cqlStatements(cql: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < cql.length; i++) {
    const ch = cql[i]!;
    if (ch === "-" && cql[i + 1] === "-") {
      i = cql.indexOf("\n", i);
      if (i < 0) break;
      cur += "\n";
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < cql.length && !(cql[j] === ch && cql[j + 1] !== ch)) j += cql[j] === ch ? 2 : 1;
      cur += cql.slice(i, j + 1);
      i = j;
      continue;
    }
    if (ch === ";") {
      out.push(cur.trim().replace(/\s+/g, " "));
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

describe("cassandra schema", () => {
  it("quotes identifiers and strings", () => {
    expect(cqlIdent('we"ird')).toBe('"we""ird"');
    expect(cqlString("it's\n;")).toBe("'it''s%0A;'");
    expect(cqlStatements(`SELECT ${cqlString("a';DROP")} FROM ${cqlIdent('t";x')};`)).toEqual([`SELECT 'a'';DROP' FROM "t"";x"`]);
  });

  describe.each(cases())("$id", (c) => {
    const { ir, errors } = compileIr(c.path);
    it.skipIf(errors.length > 0)("is a keyspace and one table per online feature set, with ttl and keys", () => {
      const cql = emit("cassandra", ir)[0]!.contents;
      const statements = cqlStatements(cql);
      const online = ir.nodes.filter((n) => n.kind === "features" && typeof n.config.store === "object");
      expect(statements.length).toBe(online.length ? 1 + 2 * online.length : 0);
      if (!online.length) return;
      const ks = statements[0]!.match(/^CREATE KEYSPACE IF NOT EXISTS ("(?:[^"]|"")+") WITH replication = \{'class': 'SimpleStrategy', 'replication_factor': [1-3]\}$/);
      expect(ks, statements[0]).not.toBeNull();
      online.forEach((n, k) => {
        const out = n.ports.outputs[0]!.artifact;
        const cols = out.columns!.map((col) => `"${col.name}" \\w+(?:<double>)?`).join(", ");
        const keys = out.keys!.map((key) => `"${key}"`).join(", ");
        const table = `${ks![1]}\\."${n.id}"`;
        expect(statements[1 + 2 * k]).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${table} \\( ${cols}, PRIMARY KEY \\(\\(${keys}\\)\\) \\) WITH default_time_to_live = \\d+ AND comment = '[^']*'$`));
        expect(statements[2 + 2 * k]).toMatch(new RegExp(`^ALTER TABLE ${table} WITH default_time_to_live = \\d+$`));
      });
    });
  });
});

/** java.util.Properties reading of one `key=value` line. */
function readProperty(line: string): [string, string] {
  let key = "";
  let value = "";
  let inKey = true;
  for (let i = 0; i < line.length; i++) {
    let ch = line[i]!;
    if (inKey && (ch === "=" || ch === ":")) {
      inKey = false;
      continue;
    }
    if (ch === "\\") {
      const e = line[++i]!;
      ch = e === "u" ? String.fromCharCode(parseInt(line.slice(i + 1, i + 5), 16)) : (({ n: "\n", r: "\r", t: "\t", f: "\f" } as Record<string, string>)[e] ?? e);
      if (e === "u") i += 4;
    }
    if (inKey) key += ch;
    else value += ch;
  }
  return [key, value];
}

describe("kafka connect properties", () => {
  it("escapes keys and values so each stays one line and reads back exactly", () => {
    for (const s of ["plain", "a=b:c d", "#not a comment", "!nor this", " lead", "line\nbreak\\", "ünï😀", "\u0000"]) {
      const line = `${propertyText(s, true)}=${propertyText(s, false)}`;
      expect(line.includes("\n")).toBe(false);
      expect(readProperty(line)).toEqual([s, s]);
    }
  });

  it("configures one Cassandra sink per streaming online feature set", () => {
    const { ir } = compileIr("../shared/conformance/valid/fraud.mlp");
    const props = emit("flink", ir).filter((f) => f.path.endsWith(".properties"));
    expect(props.map((f) => f.path)).toEqual(["txn_features.cassandra-sink.properties", "merchant_features.cassandra-sink.properties"]);
    const kv = Object.fromEntries(props[0]!.contents.split("\n").filter((l) => l && !l.startsWith("#")).map(readProperty));
    expect(kv.topics).toBe("mlp-fraud-txn_features");
    // The key column from the record key: a tombstone (no value) still names the row to delete.
    expect(kv["topic.mlp-fraud-txn_features.mlp_fraud.txn_features.mapping"]).toBe(
      '"txn_id"=key.txn_id, "is_fraud"=value.is_fraud, "amount_log"=value.amount_log, "is_foreign"=value.is_foreign, "hour_of_day"=value.hour_of_day',
    );
  });
});
