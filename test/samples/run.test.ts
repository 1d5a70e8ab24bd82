// Every sample runs end to end with `mlp run` on its committed data and real entry script:
// data steps on DuckDB, training, tuning, a gate that passes for a real reason (metrics
// computed by mlp), registration, scoring and notebooks; then a second run reuses it all.
// Each sample runs in a copy of samples/ so the checkout's .mlp/ folder is left alone.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finals, mlp as mlpIn, PY, ROOT, type Result } from "../run-helpers";

const ready = spawnSync(PY, ["-c", "import sklearn, pandas, xgboost, torch, optuna, nbclient, ipykernel"]).status === 0;
if (!ready && process.env.CI) throw new Error("CI must provide Debian's python3-sklearn, -pandas, -xgboost, -torch, -optuna, -nbclient and -ipykernel");
if (!ready) console.warn("sample runs skipped: /usr/bin/python3 lacks one of sklearn, pandas, xgboost, torch, optuna, nbclient, ipykernel");

const mlp = (args: string[], cwd: string): Promise<Result> => mlpIn(args, cwd, { MLP_PYTHON: PY }, 900_000);

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mlp-samples-"));
  cpSync(join(ROOT, "samples"), dir, { recursive: true, filter: (src) => !src.includes(`${"/"}.mlp`) });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SAMPLES: { file: string; gate: string; registry: string; scored?: string }[] = [
  { file: "machine_failure.mlp", gate: "failure_gate", registry: "failure_registry", scored: "nightly_risk" },
  { file: "demand_forecast.mlp", gate: "demand_gate", registry: "demand_registry", scored: "weekly_forecast" },
  { file: "ticket_triage.mlp", gate: "triage_gate", registry: "triage_registry" },
  { file: "ad_click_through.mlp", gate: "ctr_gate", registry: "ctr_registry", scored: "ctr_stream" },
];

describe.skipIf(!ready)("the samples run end to end", { timeout: 900_000 }, () => {
  for (const s of SAMPLES)
    it(s.file, async () => {
      const r = await mlp(["run", s.file, "--format", "json"], dir);
      const steps = finals(r);
      const failed = Object.values(steps).filter((e) => e.status !== "ok");
      expect(failed.map((e) => `${e.step}: ${e.error ?? e.status}`), r.stderr).toEqual([]);
      expect(r.status).toBe(0);
      const gate = steps[s.gate]!.detail as { passed: boolean; checks: { ok: boolean }[] };
      expect(gate.passed).toBe(true);
      expect(gate.checks.length).toBeGreaterThan(0);
      expect((steps[s.registry]!.detail as { version: number }).version).toBe(1);
      if (s.scored) expect(Number(steps[s.scored]!.rows)).toBeGreaterThan(0);

      const again = await mlp(["run", s.file, "--format", "json"], dir);
      expect(again.status).toBe(0);
      expect(new Set(Object.values(finals(again)).map((e) => e.status))).toEqual(new Set(["cached"]));
      const run = JSON.parse(again.stdout.trim().split("\n").at(-1)!).run as string;
      const record = JSON.parse(readFileSync(join(dir, ".mlp/runs", run, "run.json"), "utf8"));
      expect(record.status).toBe("succeeded");
    });
});
