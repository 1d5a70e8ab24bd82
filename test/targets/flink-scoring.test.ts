// Issue 11, Flink: "Stream scoring passes the key column to the model as a feature, and casts
// the prediction to the label type (a click probability becomes a boolean): send the model's
// feature columns only, and keep the score (probability for classification) beside the
// predicted label."
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IrGraph, isDeploy } from "../../compiler/query";
import { planLocal } from "../../targets/local/plan";
import { cases, compileIr, emit } from "./helpers";
import { flinkErrors } from "./sql-grammar";

const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "mlp-flink-scoring-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The arguments of the UDF call in a job: model_dir, entry, task, label type, features JSON, then the columns. */
function udfCall(sql: string): { task: string; labelType: string; features: string[]; columns: string[] } {
  const m = /LATERAL TABLE\(mlp_predict\(.*, '[^']*', '([a-z]+)', '([a-z]+)', '(\[[^']*\])', (.*)\)\) AS `mlp_scored`\(`label`, `score`\);$/m.exec(sql);
  if (!m) throw new Error("no UDF call in:\n" + sql);
  return { task: m[1]!, labelType: m[2]!, features: JSON.parse(m[3]!), columns: [...m[4]!.matchAll(/`mlp_row`\.`([^`]+)`/g)].map((x) => x[1]!) };
}

const streamDeploys = cases().flatMap((c) => {
  const { ir, errors } = compileIr(c.path);
  if (errors.length) return [];
  const g = new IrGraph(ir);
  return g.nodes.filter((n) => isDeploy(n, "stream")).map((n) => ({ c, ir, g, n }));
});

describe("flink: stream scoring passes the key column to the model as a feature, and casts the prediction to the label type", () => {
  it("finds stream deployments to check", () => {
    expect(streamDeploys.map((s) => `${s.c.id}:${s.n.id}`)).toContain("sample-ad_click_through:ctr_stream");
  });

  for (const { c, ir, g, n } of streamDeploys) {
    it(`${c.id}: ${n.id} sends the model's feature columns only, the ones mlp run trains and scores with`, () => {
      const sql = emit("flink", ir).find((f) => f.path === `${n.id}.sql`)!.contents;
      const call = udfCall(sql);
      const lineage = g.lineage(n)!;
      const train = lineage.train;
      // The features `mlp run` trains on (the signature its scoring and serving read).
      const local = planLocal(ir).steps.find((s) => s.id === train.id && "task" in s && s.task === "train");
      const config = (local as unknown as { config: { features: string[]; keys: string[]; label: string } }).config;
      expect(call.features).toEqual(config.features);
      expect(call.columns).toEqual(config.features);
      expect(call.columns).not.toContain(config.label);
      for (const k of config.keys) expect(call.columns).not.toContain(k);
      // The deploy's keys (what the scored stream is upserted by) never reach the model.
      const data = g.input(n, "data")!;
      for (const k of g.output(data.from, data.fromPort).keys ?? []) expect(call.columns).not.toContain(k);
      const model = g.input(n, "model")!.artifact.model!;
      expect(call.task).toBe(model.task);
      expect(call.labelType).toBe(model.labelType.kind);
      expect(flinkErrors(sql)).toEqual([]);
    });

    it(`${c.id}: ${n.id} keeps the predicted label in the label's type and, for a classifier, its score`, () => {
      const sql = emit("flink", ir).find((f) => f.path === `${n.id}.sql`)!.contents;
      const model = g.input(n, "model")!.artifact.model!;
      const sink = /CREATE TEMPORARY TABLE `[^`]*__sink` \(\n([\s\S]*?)\n\) WITH/.exec(sql)![1]!;
      const checked = g.output(n).columns!;
      const prediction = checked[checked.length - 1]!;
      if (model.labelType.kind === "bool") expect(sql).toContain(`CAST(\`mlp_scored\`.\`label\` AS BOOLEAN) AS \`${prediction.name}\``);
      if (model.task === "classification") {
        expect(sink).toContain(`\`${prediction.name}\` ${sqlType(model.labelType.kind)},\n  \`${prediction.name}_score\` DOUBLE`);
        expect(sql).toContain(`\`mlp_scored\`.\`score\` AS \`${prediction.name}_score\``);
      } else {
        expect(sink).not.toContain("_score");
      }
    });
  }

  it("the ad click-through model no longer gets impression_id (a key of the features it was trained through)", () => {
    const s = streamDeploys.find((x) => x.n.id === "ctr_stream")!;
    const call = udfCall(emit("flink", s.ir).find((f) => f.path === "ctr_stream.sql")!.contents);
    expect(call.columns).toEqual(["user_embedding", "hour_of_day", "weekday", "is_mobile", "in_search", "bid_log"]);
  });

  it("the UDF answers the label in its type and the probability beside it (Debian's python3, pandas)", () => {
    const s = streamDeploys.find((x) => x.n.id === "ctr_stream")!;
    writeFileSync(join(dir, "mlp_flink.py"), emit("flink", s.ir).find((f) => f.path === "mlp_flink.py")!.contents);
    writeFileSync(
      join(dir, "clf.py"),
      [
        "import pandas as pd",
        "class Clicks:",
        "    classes_ = [False, True]",
        "    def predict_proba(self, frame):",
        "        assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ['bid', 'hour'], frame",
        "        p = min(1.0, frame['bid'].iloc[0] / 10)",
        "        return [[1 - p, p]]",
        "    def predict(self, frame):",
        "        return [self.predict_proba(frame)[0][1] >= 0.5]",
        "class Booster:  # predict answers P(true), as an xgboost booster does",
        "    def predict(self, frame):",
        "        return [0.73]",
        "class Species:",
        "    classes_ = ['cat', 'dog', 'eel']",
        "    def predict_proba(self, frame):",
        "        return [[0.2, 0.7, 0.1]]",
        "    def predict(self, frame):",
        "        return ['dog']",
        "class Price:",
        "    def predict(self, frame):",
        "        return [12.5]",
        "MODELS = {'clicks': Clicks, 'booster': Booster, 'species': Species, 'price': Price}",
        "def model_fn(model_dir):",
        "    import os",
        "    return MODELS[os.path.basename(model_dir)]()",
      ].join("\n"),
    );
    const check = [
      "import json, os, sys",
      "sys.path.insert(0, sys.argv[1])",
      "import mlp_flink",
      "F = json.dumps(['bid', 'hour'])",
      "base = sys.argv[1]",
      "for name in ('clicks', 'booster', 'species', 'price'):",
      "    os.makedirs(os.path.join(base, name), exist_ok=True)",
      "out = [",
      "    mlp_flink.score(os.path.join(base, 'clicks'), 'clf.py', 'classification', 'bool', F, [8.0, 3]),",
      "    mlp_flink.score(os.path.join(base, 'clicks'), 'clf.py', 'classification', 'bool', F, [2.0, 3]),",
      "    mlp_flink.score(os.path.join(base, 'booster'), 'clf.py', 'classification', 'bool', F, [2.0, 3]),",
      "    mlp_flink.score(os.path.join(base, 'species'), 'clf.py', 'classification', 'enum', F, [2.0, 3]),",
      "    mlp_flink.score(os.path.join(base, 'price'), 'clf.py', 'regression', 'float', F, [2.0, 3]),",
      "    mlp_flink.score(os.path.join(base, 'price'), 'clf.py', 'regression', 'int', F, [2.0, 3]),",
      "]",
      "print(json.dumps(out))",
    ].join("\n");
    const r = spawnSync(PYTHON, ["-c", check, dir], { encoding: "utf8", env: { ...process.env, MLP_PROJECT_DIR: dir } });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([
      ["true", 0.8],
      ["false", 0.2],
      // A bare probability is the score; the label is true from 0.5, never CAST('0.73' AS BOOLEAN).
      ["true", 0.73],
      ["dog", 0.7],
      ["12.5", null],
      ["12", null],
    ]);
  });
});

function sqlType(kind: string): string {
  return ({ bool: "BOOLEAN", int: "BIGINT", float: "DOUBLE" } as Record<string, string>)[kind] ?? "STRING";
}
