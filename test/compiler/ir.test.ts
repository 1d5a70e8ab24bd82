// The graph IR as the typed contract targets read: variants lowered from their own checked
// programs (the stale-label defect), settings resolved once with their defaults, decoded and
// typed bodies, and version 1 and 2 documents still printable by `mlp graph --to-mlp`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilation } from "../../compiler/compile";
import { json } from "../../compiler/json-text";
import { spelledParams } from "../../compiler/spelling";
import { IR_VERSION, parseIr, parseWrittenIr, type IrDocument, type NodeOf } from "../../compiler/ir";
import { irText } from "../../compiler/ir-wire";
import { lower } from "../../compiler/lower";
import { print } from "../../compiler/print";
import { IrGraph } from "../../compiler/query";
import { checkProgram } from "../../language/checker/program";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { defaultFlinkJars } from "../../language/catalog/settings";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function program(text: string) {
  const p = checkProgram("p.mlp", { read: () => undefined }, text);
  expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return p;
}

const node = <K extends IrDocument["nodes"][number]["kind"]>(ir: IrDocument, id: string, kind: K) => {
  const n = ir.nodes.find((x) => x.id === id);
  expect(n?.kind).toBe(kind);
  return n as NodeOf<K>;
};

const LABELS = `pipeline p { }
schema S { id: string  y: bool  a: float }
source s: Table<S> { uri = "s3://b/s/"  format = parquet }
train m(s) { framework = sklearn  entry = "train.py"  label = y }
register r(m) { name = "m" }
variant v { m.label = a }
`;
const BASE = LABELS.replace("variant v { m.label = a }\n", "");

describe("variants are applied once, before checking and lowering", () => {
  it("a variant's IR says which variant it holds and carries its checked values, ports included", () => {
    const p = program(LABELS);
    const base = lower(p);
    expect(base.variant).toBeNull();
    const v = lower(p, "v");
    expect(v.variant).toBe("v");
    const m = node(v, "m", "train");
    expect(m.config.label).toBe("a");
    // The stale-label defect: the model port kept label `y` and the old task after the variant.
    expect(m.ports.outputs[0]!.artifact.model).toMatchObject({ label: "a", task: "regression" });
    const r = node(v, "r", "register");
    expect(r.ports.inputs[0]!.artifact.model).toMatchObject({ label: "a", task: "regression" });
    expect(node(base, "m", "train").ports.outputs[0]!.artifact.model).toMatchObject({ label: "y", task: "classification" });
  });

  it("an override of an imported step changes that step in the variant's program", () => {
    const files: Record<string, string> = {
      "lib.mlp": 'schema S { id: string  y: bool }\nsource s: Table<S> { uri = "s3://b/us/"  format = parquet }\n',
      "p.mlp": 'import { s } from "./lib.mlp"\npipeline p { }\ntrain m(s) { framework = sklearn  entry = "t.py"  label = y }\nvariant eu { s.uri = "s3://b/eu/" }\n',
    };
    const p = checkProgram("p.mlp", { read: (f) => files[f] });
    expect(p.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const uri = (ir: IrDocument) => node(ir, "s", "source").config.uri;
    expect(uri(lower(p))).toBe("s3://b/us/");
    expect(uri(lower(p, "eu"))).toBe("s3://b/eu/");
  });

  it("a compilation holds every variant's IR when none is chosen, and only the chosen one otherwise", () => {
    const p = program(LABELS.replace("m.label = a", "r.name = \"other\""));
    const all = compilation(p);
    expect(all.ir.variant).toBeNull();
    expect(all.variants.map((d) => [d.variant, node(d, "r", "register").config.name])).toEqual([["v", "other"]]);
    const one = compilation(p, "v");
    expect(one.ir.variant).toBe("v");
    expect(one.variants).toEqual([]);
    expect(() => lower(p, "nope")).toThrow(/unknown variant nope/);
  });
});

describe("settings are resolved once, with their defaults", () => {
  it("defaults every on-premise setting from the pipeline's name when no target block is written", () => {
    const ir = lower(program(BASE));
    expect(ir.settings).toEqual({
      aws: { tags: {} },
      onprem: {
        kafka: "localhost:9092",
        feature_store: { cassandra: { hosts: ["localhost:9042"], keyspace: "mlp_p" } },
        model_dir: "/srv/mlp/p/models",
        warehouse: "file:///srv/mlp/p/warehouse",
        spark_packages: ["com.datastax.spark:spark-cassandra-connector_2.12:3.5.1", "io.delta:delta-spark_2.12:3.2.0", "org.apache.hadoop:hadoop-aws:3.3.4"],
        flink_checkpoints: "file:///srv/mlp/p/warehouse/_flink/checkpoints",
        flink_jars: defaultFlinkJars,
        min_trials: 1,
        preempt_signal: "5m",
        serving_time: "1d",
      },
      local: { sources: {}, workdir: ".mlp" },
    });
  });

  it("keeps the local target's sources, workdir, python and clock", () => {
    const ir = lower(program(`${BASE}target local {\n  sources = { e: "data/e.csv" }\n  workdir = "runs/"\n  python = "/usr/bin/python3"\n  now = "2026-11-30T06:00:00Z"\n}\n`));
    expect(ir.settings.local).toEqual({ sources: { e: "data/e.csv" }, workdir: "runs", python: "/usr/bin/python3", now: "2026-11-30T06:00:00Z" });
  });

  it("keeps what a target block says (trailing slashes trimmed) and defaults the rest", () => {
    const ir = lower(program(`${BASE}target onprem { model_dir = "/models/"  warehouse = "hdfs://nn/w/"  slurm_partition = "gpu" }\ntarget aws { region = "eu-west-1" }\n`));
    expect(ir.settings.onprem).toMatchObject({ model_dir: "/models", warehouse: "hdfs://nn/w", slurm_partition: "gpu", kafka: "localhost:9092", flink_checkpoints: "hdfs://nn/w/_flink/checkpoints" });
    expect(ir.settings.aws).toEqual({ region: "eu-west-1", tags: {} });
    expect(ir.targets.map((t) => Object.keys(t))).toEqual([["name", "attrs", "span"], ["name", "attrs", "span"]]);
  });
});

describe("nodes are typed by kind, with decoded bodies", () => {
  const ir = lower(program(`pipeline p { }
schema E { id: string  at: timestamp  amount: float?  kind: string }
source e: Table<E> { uri = "s3://b/e/"  format = parquet }
cleanse c(e) {
  filter amount is not null and amount > 0
  derive big = amount > 100.0
  dedupe by id keep latest at
}
aggregate a(c) {
  window = 7d
  by id
  n: int = count()
  total: float = sum(amount)
}
train m(a) { framework = xgboost  entry = "t.py"  label = total  hyperparams = { max_depth: 3, eta: 0.1 } }
tune t(m) {
  objective = minimize(rmse)
  strategy  = random
  trials    = 4
  search { max_depth = choice(3)  eta = loguniform(0.01, 0.3) }
}
deploy d(t) { mode = endpoint  instances = 1 }
`));

  it("decodes cleanse operations with the checker's types on every sub-expression", () => {
    const c = node(ir, "c", "cleanse");
    expect(c.ops.map((o) => o.op)).toEqual(["filter", "derive", "dedupe"]);
    const f = c.ops[0]!;
    if (f.op !== "filter" || f.cond.kind !== "binary") throw new Error("expected a filter on a binary condition");
    expect(f.cond.type.kind).toBe("bool");
    expect(f.cond.left).toMatchObject({ kind: "isnull", negated: true, type: { kind: "bool", nullable: false }, operand: { kind: "ref", name: "amount", type: { kind: "float", nullable: true } } });
    expect(f.cond.right).toMatchObject({ kind: "binary", op: ">", type: { kind: "bool" } });
    expect(c.ops[2]).toEqual({ op: "dedupe", by: ["id"], latest: "at" });
  });

  it("resolves an aggregate's window time column and types its columns", () => {
    const a = node(ir, "a", "aggregate");
    expect(a.time).toBe("at");
    expect(a.by).toEqual(["id"]);
    expect(a.columns.map((c) => [c.name, c.type.kind, c.value.type.kind])).toEqual([["n", "int", "int"], ["total", "float", "float"]]);
  });

  it("normalises search spaces and applies config defaults", () => {
    const t = node(ir, "t", "tune");
    expect(t.search).toEqual([{ param: "max_depth", space: { choice: [3] } }, { param: "eta", space: { loguniform: [0.01, 0.3] } }]);
    expect(t.config.parallel).toBe(1);
    expect(node(ir, "m", "train").config.distributed).toBe("none");
  });

  it("answers lineage questions through the query module", () => {
    const g = new IrGraph(ir);
    const d = node(ir, "d", "deploy");
    const l = g.lineage(d);
    expect(l?.train.id).toBe("m");
    expect(l?.tune?.id).toBe("t");
    expect(g.order(g.nodes).map((n) => n.id)).toEqual(["e", "c", "a", "m", "t", "d"]);
  });

  it("validates against its own schema after a JSON round trip", () => {
    const r = parseIr(JSON.parse(irText(ir)));
    expect(r.ok).toBe(true);
    expect(ir.version).toBe(IR_VERSION);
  });

  it("keeps a step the checker rejected as an invalid node that prints as written", () => {
    const p = checkProgram("p.mlp", { read: () => undefined }, "pipeline p { }\ntrian x { }\n");
    const bad = lower(p).nodes[0]!;
    expect(bad).toMatchObject({ kind: "invalid", written: "trian" });
    expect(print(lower(p))).toContain("trian x");
  });
});

describe("parameters keep the spelling of their numbers for every target", () => {
  it("`0.0` stays a float and `1e-3` keeps its exponent in JSON text", () => {
    const ir = lower(program(`pipeline p { }
schema S { id: string  y: float }
source s: Table<S> { uri = "s3://b/s/"  format = parquet }
train m(s) { framework = sklearn  entry = "t.py"  label = y  hyperparams = { alpha: 0.0, lr: 1e-3, depth: 4, name: "x", grid: [1.0, 2] } }
`));
    const m = node(ir, "m", "train");
    expect(m.config.hyperparams).toEqual({ alpha: 0, lr: 0.001, depth: 4, name: "x", grid: [1, 2] });
    expect(json(spelledParams(m, "hyperparams", m.config.hyperparams ?? {}))).toBe('{"alpha":0.0,"lr":1e-3,"depth":4,"name":"x","grid":[1.0,2]}');
  });
});

describe("mlp graph --to-mlp reads the previous versions", () => {
  // v2/ holds the goldens as version 2 wrote them (indented JSON of the in-memory objects).
  for (const version of [1, 2])
    for (const [name, file] of [["minimal", "../shared/conformance/valid/minimal.mlp"], ["churn", "../shared/conformance/valid/churn.mlp"], ["comments-and-order", "test/fixtures/graph/comments_and_order.mlp"]] as const) {
      it(`prints a version ${version} document (${name}) as the formatted file`, () => {
        const old = JSON.parse(readFileSync(join(ROOT, `test/fixtures/graph/v${version}`, `${name}.json`), "utf8"));
        expect(old.version).toBe(`mlp.ir/${version}`);
        const r = parseWrittenIr(old);
        if (!r.ok) throw new Error(r.problems.join("\n"));
        expect(print(r.ir)).toBe(format(parse(readFileSync(join(ROOT, file), "utf8")).ast));
      });
    }

  it("names an unknown version", () => {
    expect(parseWrittenIr({ version: "mlp.ir/9" })).toEqual({ ok: false, problems: ['unsupported IR version "mlp.ir/9"; this mlp reads mlp.ir/1, mlp.ir/2 and mlp.ir/3'] });
    expect(parseIr({ version: "mlp.ir/2" })).toEqual({ ok: false, problems: ['unsupported IR version "mlp.ir/2"; this mlp reads mlp.ir/3'] });
  });
});
